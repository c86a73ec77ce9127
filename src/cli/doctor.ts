// `claw doctor`: checks what a deployment needs (env, Redis, App credentials, model key, git, rg, bwrap)
// and reports one line per item with what to do. Side-effect free apart from a Redis PING and `--version` calls.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { ConfigError, describeError } from '../lib/index.js';
import { loadPrivateKey, parseEnv, resolveProvider, type ServerEnv } from '../config/index.js';

export type DoctorStatus = 'ok' | 'missing' | 'broken' | 'optional';

export interface DoctorItem {
  name: string;
  status: DoctorStatus;
  detail: string;
  /** Required items that are missing or broken make the exit code 1; optional ones only warn. */
  required: boolean;
}

export interface DoctorDeps {
  env: NodeJS.ProcessEnv;
  /** Resolves with the round-trip time in ms, rejects when Redis does not answer. */
  pingRedis(url: string): Promise<number>;
  /** Runs a command; resolves with stdout, rejects when it is missing or fails. */
  exec(command: string, args: string[]): Promise<string>;
  fileExists(file: string): Promise<boolean>;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const MIN_GIT = [2, 30] as const;

/** Hides the password of a URL, so the report never prints a credential. */
export function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}

function item(name: string, status: DoctorStatus, detail: string, required = true): DoctorItem {
  return { name, status, detail, required };
}

async function checkRedis(
  env: ServerEnv | undefined,
  invalid: Set<string>,
  deps: DoctorDeps,
): Promise<DoctorItem> {
  if (invalid.has('REDIS_URL'))
    return item(
      'redis',
      'broken',
      'REDIS_URL is invalid (see env above); fix it, e.g. REDIS_URL=redis://127.0.0.1:6379',
    );
  const configured = env?.REDIS_URL ?? deps.env.REDIS_URL?.trim();
  const url = configured || DEFAULT_REDIS_URL;
  try {
    const ms = await deps.pingRedis(url);
    const note = configured
      ? ''
      : ' (REDIS_URL is unset: set it to this URL so jobs are durable; otherwise they run in-process)';
    return item('redis', 'ok', `${safeUrl(url)} answered PING in ${ms} ms${note}`);
  } catch (error) {
    if (!configured) {
      return item(
        'redis',
        'optional',
        `REDIS_URL is unset and nothing answers at ${DEFAULT_REDIS_URL}: jobs run in-process and are not durable; set REDIS_URL for production`,
        false,
      );
    }
    return item(
      'redis',
      'broken',
      `${safeUrl(url)} did not answer PING (${describeError(error)}); start Redis or fix REDIS_URL`,
    );
  }
}

async function checkGitHubApp(
  env: ServerEnv | undefined,
  raw: NodeJS.ProcessEnv,
): Promise<DoctorItem> {
  const value = (name: string) => raw[name]?.trim() || undefined;
  const missing: string[] = [];
  if (!value('APP_ID')) missing.push('APP_ID');
  if (!value('PRIVATE_KEY') && !value('PRIVATE_KEY_PATH'))
    missing.push('PRIVATE_KEY or PRIVATE_KEY_PATH');
  if (!value('WEBHOOK_SECRET')) missing.push('WEBHOOK_SECRET');
  if (missing.length > 0) {
    return item(
      'github-app',
      'missing',
      `${missing.join(', ')} not set; register the App (\`claw start\` without APP_ID runs the setup flow) or copy them from its settings page`,
    );
  }
  try {
    await loadPrivateKey({
      PRIVATE_KEY: env?.PRIVATE_KEY ?? value('PRIVATE_KEY'),
      PRIVATE_KEY_PATH: env?.PRIVATE_KEY_PATH ?? value('PRIVATE_KEY_PATH'),
    });
  } catch (error) {
    const detail =
      error instanceof ConfigError
        ? error.problems.map((p) => `${p.key} ${p.message}`).join('; ')
        : describeError(error);
    return item('github-app', 'broken', detail);
  }
  const host = value('GHE_HOST')
    ? `${value('GHE_PROTOCOL') ?? 'https'}://${value('GHE_HOST')}`
    : 'github.com';
  return item(
    'github-app',
    'ok',
    `App ${value('APP_ID')} on ${host}; the private key parses as RSA; a webhook secret is set`,
  );
}

async function checkModel(
  env: ServerEnv | undefined,
  invalid: Set<string>,
  deps: DoctorDeps,
): Promise<DoctorItem> {
  if (
    env === undefined &&
    ['CLAW_PROVIDER', 'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL'].some((k) => invalid.has(k))
  ) {
    return item('model', 'broken', 'the provider settings are invalid (see env above)');
  }
  const raw = deps.env;
  const provider = env
    ? resolveProvider(env)
    : raw.ANTHROPIC_API_KEY
      ? 'anthropic'
      : raw.OPENAI_API_KEY
        ? 'openai'
        : undefined;
  const hint =
    'set ANTHROPIC_API_KEY or OPENAI_API_KEY (with OPENAI_BASE_URL for vLLM, Ollama, OpenRouter or LiteLLM)';
  if (provider === undefined) return item('model', 'missing', `no model provider key; ${hint}`);
  if (provider.startsWith('scripted:')) {
    const file = provider.slice('scripted:'.length);
    return (await deps.fileExists(file))
      ? item('model', 'ok', `scripted provider replaying ${file} (tests and demos only)`)
      : item('model', 'broken', `CLAW_PROVIDER points at ${file}, which does not exist`);
  }
  if (provider === 'anthropic' && !raw.ANTHROPIC_API_KEY?.trim()) {
    return item('model', 'missing', 'CLAW_PROVIDER=anthropic but ANTHROPIC_API_KEY is not set');
  }
  if (provider === 'openai' && !raw.OPENAI_API_KEY?.trim() && !raw.OPENAI_BASE_URL?.trim()) {
    return item(
      'model',
      'missing',
      'CLAW_PROVIDER=openai but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set',
    );
  }
  const where =
    provider === 'openai' && raw.OPENAI_BASE_URL ? ` at ${safeUrl(raw.OPENAI_BASE_URL)}` : '';
  return item('model', 'ok', `${provider}${where}; a key is present (not checked against the API)`);
}

async function checkGit(deps: DoctorDeps): Promise<DoctorItem> {
  let output: string;
  try {
    output = await deps.exec('git', ['--version']);
  } catch {
    return item('git', 'missing', 'git is not on PATH; install it (apt-get install git)');
  }
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(output);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  const version = match?.[0] ?? output.trim();
  if (major < MIN_GIT[0] || (major === MIN_GIT[0] && minor < MIN_GIT[1])) {
    return item(
      'git',
      'broken',
      `git ${version} is too old; Claw needs ${MIN_GIT.join('.')} or newer for worktrees`,
    );
  }
  return item('git', 'ok', `git ${version}`);
}

async function checkRipgrep(deps: DoctorDeps): Promise<DoctorItem> {
  try {
    const version = (await deps.exec('rg', ['--version'])).split('\n')[0]?.trim() ?? 'rg';
    return item('ripgrep', 'ok', version, false);
  } catch {
    return item(
      'ripgrep',
      'optional',
      'rg not found: Grep falls back to git grep (slower); apt-get install ripgrep',
      false,
    );
  }
}

async function checkBubblewrap(deps: DoctorDeps): Promise<DoctorItem> {
  let version: string;
  try {
    version = (await deps.exec('bwrap', ['--version'])).trim();
  } catch {
    return item(
      'bubblewrap',
      'optional',
      'bwrap not found: Bash commands run unsandboxed; apt-get install bubblewrap',
      false,
    );
  }
  try {
    await deps.exec('bwrap', [
      '--ro-bind',
      '/',
      '/',
      '--dev',
      '/dev',
      '--proc',
      '/proc',
      '--unshare-all',
      'true',
    ]);
    return item('bubblewrap', 'ok', `${version}; a sandbox starts here`, false);
  } catch (error) {
    return item(
      'bubblewrap',
      'optional',
      `${version} is installed but cannot create a sandbox here (${describeError(error).split('\n')[0]}); Bash runs unsandboxed. Allow unprivileged user namespaces to fix it`,
      false,
    );
  }
}

export async function runDoctor(deps: DoctorDeps): Promise<DoctorItem[]> {
  let env: ServerEnv | undefined;
  let envItem: DoctorItem;
  const invalid = new Set<string>();
  try {
    env = parseEnv(deps.env);
    envItem = item('env', 'ok', 'the environment parses');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) invalid.add(problem.key);
    envItem = item('env', 'broken', error.problems.map((p) => `${p.key}: ${p.message}`).join('; '));
  }
  const rest = await Promise.all([
    checkRedis(env, invalid, deps),
    checkGitHubApp(env, deps.env),
    checkModel(env, invalid, deps),
    checkGit(deps),
    checkRipgrep(deps),
    checkBubblewrap(deps),
  ]);
  return [envItem, ...rest];
}

export function doctorPassed(items: readonly DoctorItem[]): boolean {
  return items.every((entry) => !entry.required || entry.status === 'ok');
}

export function formatDoctorReport(items: readonly DoctorItem[]): string {
  const width = Math.max(...items.map((entry) => entry.name.length));
  return items
    .map((entry) => `${entry.status.padEnd(8)} ${entry.name.padEnd(width)}  ${entry.detail}`)
    .join('\n');
}

/** The real dependencies: ioredis, child processes and the filesystem. */
export function systemDoctorDeps(env: NodeJS.ProcessEnv = process.env): DoctorDeps {
  return {
    env,
    pingRedis: async (url) => {
      const redis = new Redis(url, {
        lazyConnect: true,
        connectTimeout: 2000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
      const started = Date.now();
      try {
        await redis.connect();
        await redis.ping();
        return Date.now() - started;
      } finally {
        redis.disconnect();
      }
    },
    exec: (command, args) =>
      new Promise((resolve, reject) => {
        execFile(command, args, { timeout: 5000 }, (error, stdout, stderr) => {
          if (error) reject(new Error(stderr.trim() || error.message, { cause: error }));
          else resolve(stdout);
        });
      }),
    fileExists: (file) =>
      access(file).then(
        () => true,
        () => false,
      ),
  };
}
