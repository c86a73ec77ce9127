// Runs git through simple-git with a fixed, hardened configuration, and hands the installation token to
// one network command at a time (an HTTP header in that process's environment): never argv, config or URLs.
import { mkdir } from 'node:fs/promises';
import { simpleGit, type SimpleGit } from 'simple-git';
import { describeError, GitError } from '../lib/index.js';

/** Returns a fresh installation token; called once per network command, because tokens expire. */
export type TokenProvider = () => string | Promise<string>;

export interface GitRunOptions {
  /** Origin (scheme://host[:port]) of the remote: the auth header is scoped to it, so a rewritten URL never gets it. */
  authOrigin?: string;
  token?: TokenProvider;
  signal?: AbortSignal;
  /** Extra `-c key=value` settings for this command. */
  config?: readonly string[];
}

/** One git command as it ended, for metrics: its subcommand (`fetch`, `push`, …) and how long it ran. */
export interface GitCommandEvent {
  command: string;
  durationMs: number;
  ok: boolean;
}

export type GitCommandObserver = (event: GitCommandEvent) => void;

const ALLOWED_ENV = [
  'GIT_TERMINAL_PROMPT',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_KEY_0',
  'GIT_CONFIG_VALUE_0',
];

/** Values that make git behave the same on every machine and never wait for a person. */
const BASE_CONFIG = [
  // No credential helper: the per-command header is the only credential, and nothing caches it.
  'credential.helper=',
  'core.askPass=',
  'gc.autoDetach=false',
  'advice.detachedHead=false',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'core.fsmonitor=false',
  'protocol.version=2',
];

/** The header GitHub accepts for an installation token over smart HTTP. */
export function basicAuthHeader(token: string): string {
  return `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
}

export class GitRunner {
  constructor(
    /** An empty folder used as core.hooksPath, so hooks planted in a repo never run with our credentials. */
    private readonly hooksDir: string,
    /** Told about every command as it ends; it must not throw. */
    private readonly onCommand?: GitCommandObserver,
  ) {}

  async init(): Promise<void> {
    await mkdir(this.hooksDir, { recursive: true });
  }

  /** Runs `git <args>` in `cwd` and returns stdout; failures become GitError without the token in the message. */
  async run(cwd: string, args: readonly string[], options: GitRunOptions = {}): Promise<string> {
    // English messages: push rejections are recognised by git's wording.
    const env: NodeJS.ProcessEnv = {
      ...ambientEnv(),
      GIT_TERMINAL_PROMPT: '0',
      LC_ALL: 'C',
      LANGUAGE: 'C',
    };
    let secret: string | undefined;
    if (options.token !== undefined) {
      if (options.authOrigin === undefined)
        throw new GitError('An authenticated git command needs the remote origin.');
      secret = await options.token();
      // GIT_CONFIG_* lives in this child's environment only: unlike argv, /proc/<pid>/environ is not world-readable.
      env.GIT_CONFIG_COUNT = '1';
      env.GIT_CONFIG_KEY_0 = `http.${options.authOrigin}/.extraHeader`;
      env.GIT_CONFIG_VALUE_0 = basicAuthHeader(secret);
    }
    const git: SimpleGit = simpleGit({
      baseDir: cwd,
      config: [...BASE_CONFIG, `core.hooksPath=${this.hooksDir}`, ...(options.config ?? [])],
      allowEnvironment: ALLOWED_ENV,
      unsafe: {
        allowUnsafeConfigEnvCount: true,
        allowUnsafeCredentialHelper: true,
        allowUnsafeAskPass: true,
        allowUnsafeHooksPath: true,
        allowUnsafeFsMonitor: true,
      },
      ...(options.signal === undefined ? {} : { abort: options.signal }),
    }).env(env);
    const startedAt = performance.now();
    let ok = false;
    try {
      const output = await git.raw([...args]);
      ok = true;
      return output;
    } catch (error) {
      let message = describeError(error).trim();
      if (secret !== undefined) message = scrub(message, secret);
      throw new GitError(`git ${args[0] ?? ''} failed: ${message}`);
    } finally {
      this.onCommand?.({ command: args[0] ?? '', durationMs: performance.now() - startedAt, ok });
    }
  }
}

/** Variables that change what git runs or where it reads config: never inherited (simple-git also refuses them). */
const GUARDED = new Set(['editor', 'visual', 'pager', 'prefix', 'ssh_askpass']);

function ambientEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const lower = key.toLowerCase();
    if (!lower.startsWith('git_') && !GUARDED.has(lower)) env[key] = value;
  }
  return env;
}

function scrub(text: string, secret: string): string {
  const encoded = Buffer.from(`x-access-token:${secret}`).toString('base64');
  return text.split(secret).join('[token]').split(encoded).join('[token]');
}
