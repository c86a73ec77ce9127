// Bash's sandbox: a scrubbed environment (no credentials, nothing from the server unless allow-listed) and,
// when bubblewrap works here, a mount namespace with only the worktree writable and no network.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execCapture } from './tools/exec-capture.js';
import type { SandboxOptions } from './tools/tool.js';

/** Variables passed through by default: locale, terminal, toolchains. Nothing that can authenticate. */
export const SAFE_ENV_NAMES: readonly string[] = [
  'PATH',
  'LANG',
  'LANGUAGE',
  'TZ',
  'USER',
  'LOGNAME',
  'SHELL',
  'JAVA_HOME',
  'GOROOT',
  'GOPATH',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'PYENV_ROOT',
  'NVM_DIR',
  'DENO_DIR',
];

const SECRET_NAME =
  /(TOKEN|SECRET|PASSW(OR)?D|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|AUTH|SESSION|COOKIE|(^|_)KEY$|(^|_)DSN$|DATABASE_URL|REDIS_URL|WEBHOOK)/i;

const SECRET_VALUES: readonly RegExp[] = [
  /\bgh[pousr]_[A-Za-z0-9]{20,}/,
  /\bgithub_pat_[A-Za-z0-9_]{20,}/,
  /\bsk-ant-[A-Za-z0-9_-]{10,}/,
  /\bsk-(proj-)?[A-Za-z0-9_-]{20,}/,
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./,
  /[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i,
  /\bnpm_[A-Za-z0-9]{36}\b/,
  /\bglpat-[A-Za-z0-9_-]{20}/,
  /\bAIza[0-9A-Za-z_-]{35}\b/,
  /\b[rs]k_live_[A-Za-z0-9]{16,}/,
];

export function looksLikeCredential(name: string, value: string): boolean {
  return SECRET_NAME.test(name) || SECRET_VALUES.some((pattern) => pattern.test(value));
}

/** The scratch HOME Bash gets, so the server's ~/.gitconfig, ~/.npmrc and credential helpers stay out of reach. */
export const SANDBOX_HOME = path.join(os.tmpdir(), 'claw-sandbox-home');

/**
 * Builds Bash's environment from scratch: the safe base names and the allow-list, minus anything that looks
 * like a credential by name or value, then fixed non-interactive settings.
 */
export function scrubEnv(
  serverEnv: NodeJS.ProcessEnv,
  options: SandboxOptions = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  const names = new Set([...SAFE_ENV_NAMES, ...(options.envAllowlist ?? [])]);
  for (const [name, value] of Object.entries(serverEnv)) {
    if (value === undefined) continue;
    if (!names.has(name) && !name.startsWith('LC_')) continue;
    if (looksLikeCredential(name, value)) continue;
    env[name] = value;
  }
  for (const [name, value] of Object.entries(options.env ?? {}))
    if (!looksLikeCredential(name, value)) env[name] = value;
  env.PATH ??= '/usr/local/bin:/usr/bin:/bin';
  Object.assign(env, {
    HOME: SANDBOX_HOME,
    TMPDIR: '/tmp',
    TERM: 'dumb',
    CI: 'true',
    PAGER: 'cat',
    GIT_PAGER: 'cat',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_ASKPASS: '/bin/false',
    SSH_ASKPASS: '/bin/false',
  });
  return env;
}

const BWRAP_HOME = '/tmp/claw-home';

export function ensureSandboxHome(): void {
  mkdirSync(SANDBOX_HOME, { recursive: true });
}

/** bubblewrap's arguments: the root read-only, the worktree (and extra paths) writable, /tmp private. */
export function bubblewrapArgs(worktree: string, options: SandboxOptions = {}): string[] {
  const args = [
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    // Inside the sandbox HOME is a fresh folder on the private /tmp, whatever the host's TMPDIR.
    '--dir',
    BWRAP_HOME,
    '--setenv',
    'HOME',
    BWRAP_HOME,
  ];
  // Hidden first (the cache with other repositories and transcripts, key files), then the worktree and its
  // repository bound back in: bubblewrap applies mounts in order.
  for (const hidden of options.hiddenPaths ?? []) {
    const kind = pathKind(hidden);
    if (kind === 'dir') args.push('--tmpfs', hidden);
    else if (kind === 'file') args.push('--ro-bind', '/dev/null', hidden);
  }
  const repository = linkedRepository(worktree);
  if (repository !== undefined) args.push('--ro-bind', repository, repository);
  for (const writable of [worktree, ...(options.writablePaths ?? [])])
    args.push('--bind', writable, writable);
  if (options.network !== true) args.push('--unshare-net');
  args.push(
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--die-with-parent',
    '--new-session',
    '--chdir',
    worktree,
  );
  return args;
}

function pathKind(target: string): 'dir' | 'file' | undefined {
  try {
    return statSync(target).isDirectory() ? 'dir' : 'file';
  } catch {
    // Nothing there, so nothing to hide.
    return undefined;
  }
}

/** A linked worktree's `.git` file names its repository (`<repo>/worktrees/<name>`); git inside needs it readable. */
export function linkedRepository(worktree: string): string | undefined {
  let gitFile: string;
  try {
    gitFile = readFileSync(path.join(worktree, '.git'), 'utf8');
  } catch {
    // A plain checkout (.git is a folder inside the worktree) or no repository at all.
    return undefined;
  }
  const gitDir = /^gitdir: (.+)$/m.exec(gitFile)?.[1]?.trim();
  if (gitDir === undefined) return undefined;
  const absolute = path.resolve(worktree, gitDir);
  return path.basename(path.dirname(absolute)) === 'worktrees'
    ? path.dirname(path.dirname(absolute))
    : absolute;
}

let bubblewrapWorks: Promise<boolean> | undefined;

/** Whether bubblewrap is installed and can build a sandbox here (user namespaces may be disabled). */
export function bubblewrapAvailable(): Promise<boolean> {
  bubblewrapWorks ??= execCapture(
    'bwrap',
    [
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      // The same namespaces and mounts as a real command: a fresh /proc is what fails inside many containers.
      '--proc',
      '/proc',
      '--unshare-net',
      '--unshare-pid',
      '--die-with-parent',
      'true',
    ],
    {
      cwd: os.tmpdir(),
    },
  ).then(
    (result) => result.code === 0,
    () => false,
  );
  return bubblewrapWorks;
}
