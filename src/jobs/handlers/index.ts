// The flow handlers this build ships, and the wiring that builds their dependencies from the server env.
import path from 'node:path';
import { createProvider, DEFAULT_LIMITS, parsePriceOverrides } from '../../agent/index.js';
import { resolveProvider, type ServerEnv } from '../../config/index.js';
import { ConfigError, type Logger } from '../../lib/index.js';
import { redactionPolicyFromEnv } from '../../undercover/index.js';
import {
  createWorkspaceManager,
  defaultCacheDir,
  type GitCommandObserver,
} from '../../workspace/index.js';
import type { HandlerRegistry } from '../handler.js';
import type { FlowDeps } from './flow-deps.js';
import { createResolveIssueHandler } from './resolve-issue.js';
import { createReviewPrHandler } from './review-pr.js';
import { createAddressReviewHandler } from './address-review.js';

export * from './address-review.js';
export * from './agent-activity.js';
export * from './begin-flow.js';
export * from './flow-deps.js';
export * from './patch-suggestions.js';
export * from './pull-request-text.js';
export * from './run-flow-agent.js';
export * from './resolve-issue.js';
export * from './review-files.js';
export * from './review-pr.js';
export * from './review-text.js';
export * from './submit-review-tool.js';

export function createShippedHandlers(deps: FlowDeps): HandlerRegistry {
  return {
    'resolve-issue': createResolveIssueHandler(deps),
    'review-pr': createReviewPrHandler(deps),
    'address-review': createAddressReviewHandler(deps),
  };
}

export interface FlowDepsFromEnvOptions {
  env: ServerEnv;
  rawEnv?: NodeJS.ProcessEnv;
  logger: Logger;
  /** The App private key as loaded at boot (covers PRIVATE_KEY_PATH), a known secret. */
  privateKey?: string;
  /** Metrics observers: every git command, and every model response's tokens and cost. */
  onGitCommand?: GitCommandObserver;
  onUsage?: FlowDeps['onUsage'];
  onFinding?: FlowDeps['onFinding'];
}

/** Workspace cache, provider, budgets and redaction policy as the server env sets them. */
export async function createFlowDepsFromEnv(options: FlowDepsFromEnvOptions): Promise<FlowDeps> {
  const { env } = options;
  const rawEnv = options.rawEnv ?? process.env;
  const providerName = resolveProvider(env);
  if (providerName === undefined)
    options.logger.warn(
      'no model provider is configured: jobs fail until ANTHROPIC_API_KEY, OPENAI_API_KEY or OPENAI_BASE_URL is set',
    );
  const prices =
    env.CLAW_MODEL_PRICES === undefined ? {} : parsePriceOverrides(env.CLAW_MODEL_PRICES);
  const cacheDir = env.CLAW_CACHE_DIR ?? defaultCacheDir(rawEnv);
  const workspaces = await createWorkspaceManager({
    cacheDir,
    maxCacheBytes: env.CLAW_CACHE_MAX_GB * 1024 ** 3,
    logger: options.logger.child({ component: 'workspace' }),
    ...(options.onGitCommand === undefined ? {} : { onGitCommand: options.onGitCommand }),
  });
  return {
    workspaces,
    createProvider: (model) => {
      if (providerName === undefined)
        throw new ConfigError([
          {
            key: 'ANTHROPIC_API_KEY',
            message:
              'is not set (nor OPENAI_API_KEY or OPENAI_BASE_URL), so this Claw deployment has no model to run the job with',
          },
        ]);
      return createProvider({
        provider: providerName,
        model: model ?? env.CLAW_MODEL,
        anthropicApiKey: env.ANTHROPIC_API_KEY,
        anthropicBaseUrl: env.ANTHROPIC_BASE_URL,
        openaiApiKey: env.OPENAI_API_KEY,
        openaiBaseUrl: env.OPENAI_BASE_URL,
        prices,
      });
    },
    limits: {
      ...DEFAULT_LIMITS,
      maxTurns: env.CLAW_MAX_TURNS,
      maxTokens: env.CLAW_MAX_TOKENS,
      maxCostUsd: env.CLAW_MAX_COST_USD,
      maxDurationMs: env.CLAW_TIMEOUT_MINUTES * 60_000,
    },
    prices,
    redactionPolicy: redactionPolicyFromEnv(
      env,
      rawEnv,
      undefined,
      options.privateKey === undefined ? {} : { privateKey: options.privateKey },
    ),
    transcriptDir: path.join(cacheDir, 'transcripts'),
    ...(options.onUsage === undefined ? {} : { onUsage: options.onUsage }),
    ...(options.onFinding === undefined ? {} : { onFinding: options.onFinding }),
    // Inside bubblewrap, Bash sees its own worktree and repository, never the rest of the cache or key files.
    sandbox: {
      bubblewrap: env.CLAW_SANDBOX,
      hiddenPaths: [cacheDir, env.PRIVATE_KEY_PATH, env.CLAW_REDACT_TERMS_FILE].flatMap((hidden) =>
        hidden === undefined ? [] : [path.resolve(hidden)],
      ),
    },
  };
}
