// The server environment: one zod schema for every variable, parsed once at boot.
// Each variable documents itself (description, default, secret) through `.meta()`; the README table is generated from it.
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../lib/index.js';

export interface EnvVarMeta {
  description: string;
  /** Secret values are never echoed in errors, and undercover treats them as known secrets. */
  secret?: boolean;
  /** Shown in the docs when the default is computed rather than a literal. */
  defaultText?: string;
}

const meta = (m: EnvVarMeta): EnvVarMeta & Record<string, unknown> => ({ ...m });

const positiveInt = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a whole number` })
    .int('must be a whole number')
    .positive('must be greater than 0');

const positiveNumber = () =>
  z.coerce.number({ error: 'must be a number' }).positive('must be greater than 0');

const url = (schemes: readonly string[], hint: string) =>
  z.string().refine((value) => {
    try {
      return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, hint);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const ServerEnv = z.object({
  // Probot's standard variables.
  APP_ID: z
    .string()
    .regex(/^\d+$/, 'must be the numeric App ID from the App settings page')
    .optional()
    .meta(
      meta({
        description:
          "The GitHub App's numeric ID. When unset, `claw start` runs Probot's App registration flow.",
      }),
    ),
  PRIVATE_KEY: z
    .string()
    .optional()
    .meta(
      meta({
        description: "The App's private key (PEM; `\\n` escapes and base64 are accepted).",
        secret: true,
      }),
    ),
  PRIVATE_KEY_PATH: z
    .string()
    .optional()
    .meta(
      meta({
        description: 'Path to the PEM file of the App private key, instead of `PRIVATE_KEY`.',
      }),
    ),
  WEBHOOK_SECRET: z
    .string()
    .min(1)
    .optional()
    .meta(
      meta({
        description: 'The webhook secret set on the App; every delivery is verified with it.',
        secret: true,
      }),
    ),
  WEBHOOK_PATH: z
    .string()
    .startsWith('/', 'must start with /')
    .default('/api/github/webhooks')
    .meta(meta({ description: 'The HTTP path that receives webhooks.' })),
  WEBHOOK_PROXY_URL: url(['http', 'https'], 'must be an http(s) URL such as https://smee.io/abc')
    .optional()
    .meta(
      meta({ description: 'A smee.io channel that forwards webhooks to a development machine.' }),
    ),
  HOST: z
    .string()
    .optional()
    .meta(
      meta({
        description: 'The address the web server listens on.',
        defaultText: 'all interfaces',
      }),
    ),
  PORT: positiveInt('PORT')
    .max(65535, 'must be at most 65535')
    .default(3000)
    .meta(meta({ description: 'The port the web server listens on.' })),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info')
    .meta(meta({ description: 'The minimum level of log lines (pino JSON on stdout).' })),
  GHE_HOST: z
    .string()
    .regex(
      /^[A-Za-z0-9.-]+(:\d+)?$/,
      'must be a host name with an optional port, without a scheme (e.g. github.example.com)',
    )
    .optional()
    .meta(
      meta({
        description:
          'The GitHub Enterprise Server host; the API is then `GHE_PROTOCOL://GHE_HOST/api/v3`.',
        defaultText: 'github.com',
      }),
    ),
  GHE_PROTOCOL: z
    .enum(['https', 'http'], { error: 'must be https or http' })
    .default('https')
    .meta(meta({ description: 'The protocol used to reach `GHE_HOST`.' })),

  // Queue.
  REDIS_URL: url(
    ['redis', 'rediss'],
    'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
  )
    .optional()
    .meta(
      meta({
        description:
          'The Redis that holds the job queue. When unset, `claw start` runs jobs in-process (not durable).',
        secret: true,
      }),
    ),
  CLAW_REDIS_PREFIX: z
    .string()
    .regex(/^\{[^{}]+\}$/, 'must be a Redis Cluster hash tag in braces, e.g. {claw}')
    .default('{claw}')
    .meta(
      meta({
        description:
          'The prefix of every Redis key; a hash tag, so Redis Cluster keeps a queue on one slot.',
      }),
    ),
  CLAW_WORKER_CONCURRENCY: positiveInt('CLAW_WORKER_CONCURRENCY')
    .max(64, 'must be at most 64')
    .default(2)
    .meta(meta({ description: 'Jobs one worker process runs at the same time.' })),
  CLAW_JOB_ATTEMPTS: positiveInt('CLAW_JOB_ATTEMPTS')
    .max(20, 'must be at most 20')
    .default(3)
    .meta(
      meta({
        description: 'Runs of a job that fails transiently (network, 5xx, 429) before it gives up.',
      }),
    ),
  CLAW_JOB_BACKOFF_SECONDS: positiveNumber()
    .default(10)
    .meta(meta({ description: 'First retry delay; it doubles on each further attempt.' })),
  CLAW_REVIEW_DEBOUNCE_SECONDS: z.coerce
    .number({ error: 'must be a number' })
    .nonnegative('must be 0 or more')
    .default(10)
    .meta(
      meta({
        description:
          'Pushes to a pull request within this window lead to one review of the newest head.',
      }),
    ),
  CLAW_SHUTDOWN_GRACE_SECONDS: positiveNumber()
    .default(60)
    .meta(
      meta({
        description:
          'On SIGTERM, how long running jobs may finish before they are interrupted and requeued.',
      }),
    ),
  CLAW_SANDBOX: z
    .enum(['auto', 'require', 'off'])
    .default('auto')
    .meta(
      meta({
        description:
          "The agent's shell sandbox: `auto` uses bubblewrap when it can start (else runs Bash unsandboxed, with a warning), `require` disables Bash where it cannot, `off` never uses it (the container is the boundary).",
      }),
    ),
  CLAW_JOB_LOCK_SECONDS: positiveNumber()
    .default(30)
    .meta(
      meta({
        description:
          "How long a worker's claim on a running job lasts between renewals; a crashed worker's job is requeued after about this long.",
      }),
    ),
  CLAW_JOB_RETENTION_DAYS: positiveNumber()
    .default(7)
    .meta(
      meta({
        description: 'How long finished jobs stay in Redis (failed ones: four times as long).',
      }),
    ),
  CLAW_JOB_RETENTION_COUNT: positiveInt('CLAW_JOB_RETENTION_COUNT')
    .default(1000)
    .meta(
      meta({
        description: 'At most this many completed (and five times as many failed) jobs are kept.',
      }),
    ),

  // Model provider.
  CLAW_PROVIDER: z
    .string()
    .regex(/^(anthropic|openai|scripted:.+)$/, 'must be anthropic, openai or scripted:FILE')
    .optional()
    .meta(
      meta({
        description: 'Which model API the agent uses.',
        defaultText: 'anthropic if ANTHROPIC_API_KEY is set, else openai',
      }),
    ),
  CLAW_MODEL: z
    .string()
    .min(1)
    .optional()
    .meta(
      meta({
        description: 'The model name passed to the provider.',
        defaultText: 'claude-sonnet-4-6 (anthropic), gpt-5 (openai)',
      }),
    ),
  ANTHROPIC_API_KEY: z
    .string()
    .min(1)
    .optional()
    .meta(meta({ description: 'Anthropic API key.', secret: true })),
  ANTHROPIC_BASE_URL: url(['http', 'https'], 'must be an http(s) URL')
    .optional()
    .meta(
      meta({
        description: 'Override the Anthropic API address (proxies, gateways, the local demo).',
      }),
    ),
  OPENAI_API_KEY: z
    .string()
    .min(1)
    .optional()
    .meta(meta({ description: 'Key for an OpenAI-compatible endpoint.', secret: true })),
  OPENAI_BASE_URL: url(
    ['http', 'https'],
    'must be an http(s) URL ending in /v1, e.g. http://127.0.0.1:11434/v1',
  )
    .optional()
    .meta(
      meta({
        description:
          'An OpenAI-compatible endpoint (vLLM, Ollama, OpenRouter, LiteLLM); include `/v1`.',
      }),
    ),

  // Budgets per job (the repo config may lower them, never raise them).
  CLAW_MAX_TURNS: positiveInt('CLAW_MAX_TURNS')
    .default(60)
    .meta(meta({ description: 'Model turns per job.' })),
  CLAW_MAX_TOKENS: positiveInt('CLAW_MAX_TOKENS')
    .default(4_000_000)
    .meta(meta({ description: 'Total model tokens (input + output, cache included) per job.' })),
  CLAW_MAX_COST_USD: positiveNumber()
    .default(5)
    .meta(meta({ description: 'Model spend per job, in US dollars.' })),
  CLAW_TIMEOUT_MINUTES: positiveInt('CLAW_TIMEOUT_MINUTES')
    .max(24 * 60, 'must be at most 1440')
    .default(30)
    .meta(meta({ description: 'Wall-clock limit per job.' })),
  CLAW_MODEL_PRICES: z
    .string()
    .refine((value) => {
      try {
        const parsed: unknown = JSON.parse(value);
        return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
      } catch {
        return false;
      }
    }, 'must be a JSON object such as {"my-model": {"input": 3, "output": 15}} (USD per million tokens)')
    .optional()
    .meta(
      meta({
        description:
          'Model prices in USD per million tokens, by model-name prefix, overriding the built-in table (docs/agent.md): `{"my-model": {"input": 3, "output": 15, "cacheRead": 0.3, "cacheWrite": 3.75, "contextWindow": 200000}}`.',
      }),
    ),

  // Workspace and audit.
  CLAW_CACHE_DIR: z
    .string()
    .min(1)
    .optional()
    .meta(
      meta({
        description: 'Where repository mirrors, worktrees and transcripts live.',
        defaultText: '$XDG_CACHE_HOME/claw or ~/.cache/claw',
      }),
    ),

  CLAW_CACHE_MAX_GB: positiveNumber()
    .default(20)
    .meta(
      meta({
        description:
          'Size bound of the repository mirror cache; above it the least recently used mirrors are deleted.',
      }),
    ),

  // Undercover.
  CLAW_REDACT_TERMS: z
    .string()
    .optional()
    .meta(
      meta({
        description:
          'Comma-separated internal terms (codenames, hosts, `/regex/`) that never leave.',
        secret: true,
      }),
    ),
  CLAW_REDACT_TERMS_FILE: z
    .string()
    .optional()
    .meta(
      meta({ description: 'A file with one deny term per line, added to `CLAW_REDACT_TERMS`.' }),
    ),
  CLAW_SECRET_ENV: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*(,[A-Za-z_][A-Za-z0-9_]*)*$/,
      'must be comma-separated variable names',
    )
    .optional()
    .meta(
      meta({
        description:
          'Names of further variables whose values are secrets and must never be written anywhere.',
      }),
    ),

  // Operations.
  CLAW_METRICS_PORT: positiveInt('CLAW_METRICS_PORT')
    .max(65535, 'must be at most 65535')
    .optional()
    .meta(
      meta({
        description:
          '`claw worker` serves `/metrics` (Prometheus) and `/healthz` on this port; off when unset. `claw web` and `claw start` serve `/metrics` on `PORT`.',
      }),
    ),
  ADMIN_PASSWORD: z
    .string()
    .min(12, 'must be at least 12 characters')
    .optional()
    .meta(
      meta({
        description:
          'Enables the queue dashboard at `/admin/queues` behind basic auth (user `admin`).',
        secret: true,
      }),
    ),
});
export type ServerEnv = z.infer<typeof ServerEnv>;

export const ENV_VARIABLES = Object.keys(ServerEnv.shape) as (keyof ServerEnv)[];

export function envVarMeta(name: keyof ServerEnv): EnvVarMeta {
  return ServerEnv.shape[name].meta() as unknown as EnvVarMeta;
}

function isSecret(name: string): boolean {
  return name in ServerEnv.shape && envVarMeta(name as keyof ServerEnv).secret === true;
}

/**
 * Validates the environment. Empty strings count as unset (`FOO=` in an env file).
 * Throws a ConfigError with one readable line per problem; secret values are never echoed.
 */
export function parseEnv(raw: NodeJS.ProcessEnv = process.env): ServerEnv {
  const present: Record<string, string> = {};
  for (const name of ENV_VARIABLES) {
    const value = raw[name];
    if (value !== undefined && value.trim() !== '') present[name] = value.trim();
  }
  const result = ServerEnv.safeParse(present);
  if (result.success) return result.data;

  const problems: ConfigProblem[] = result.error.issues.map((issue) => {
    const key = issue.path.join('.') || '(environment)';
    const shown = present[key];
    const got = shown === undefined || isSecret(key) ? '' : ` (got ${JSON.stringify(shown)})`;
    return { key, message: `${issue.message}${got}` };
  });
  throw new ConfigError(problems);
}

let parsedOnce: ServerEnv | undefined;

/** The process's environment, parsed on first use and then reused. */
export function loadEnv(): ServerEnv {
  parsedOnce ??= parseEnv(process.env);
  return parsedOnce;
}

export type ProviderName = 'anthropic' | 'openai' | `scripted:${string}`;

/** The provider the agent uses: explicit `CLAW_PROVIDER`, else whichever key is present. */
export function resolveProvider(env: ServerEnv): ProviderName | undefined {
  if (env.CLAW_PROVIDER !== undefined) return env.CLAW_PROVIDER as ProviderName;
  if (env.ANTHROPIC_API_KEY !== undefined) return 'anthropic';
  if (env.OPENAI_API_KEY !== undefined || env.OPENAI_BASE_URL !== undefined) return 'openai';
  return undefined;
}

/** Values the process holds that must never be written anywhere (undercover's known-secret rule). */
export function secretValues(env: ServerEnv, raw: NodeJS.ProcessEnv = process.env): string[] {
  const values = new Set<string>();
  for (const name of ENV_VARIABLES) {
    const value = env[name];
    if (isSecret(name) && typeof value === 'string' && value.length > 0) values.add(value);
  }
  for (const name of env.CLAW_SECRET_ENV?.split(',') ?? []) {
    const value = raw[name];
    if (value !== undefined && value.length > 0) values.add(value);
  }
  return [...values];
}
