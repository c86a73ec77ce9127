// The Action's wiring of the shared engine: an Octokit on the step's token with undercover's request hook, the
// model provider from the inputs, the workspace cache in RUNNER_TEMP, and the policy that knows the step's secrets.
import path from 'node:path';
import { createProvider, DEFAULT_LIMITS, type BudgetLimits } from '../agent/index.js';
import type { RepoConfig } from '../config/index.js';
import { createClawOctokit, type ClawOctokit, type LoadedRepoConfig } from '../github/index.js';
import type { FlowDeps } from '../jobs/index.js';
import { ConfigError, type Logger } from '../lib/index.js';
import {
  installRedactionHook,
  type FindingListener,
  type RedactionPolicy,
  type Redactor,
} from '../undercover/index.js';
import { botIdentity, createWorkspaceManager, type BotIdentity } from '../workspace/index.js';
import type { ActionInputs } from './action-inputs.js';

export type ActionProvider = 'anthropic' | 'openai';

export function actionProvider(inputs: ActionInputs): ActionProvider | undefined {
  if (inputs.anthropic_api_key !== undefined) return 'anthropic';
  if (inputs.openai_api_key !== undefined || inputs.openai_base_url !== undefined) return 'openai';
  return undefined;
}

/** The step's secrets (token, model keys) are known secrets; `redact_terms` are deny terms. */
export function actionRedactionPolicy(inputs: ActionInputs): RedactionPolicy {
  const knownSecrets = [
    inputs.github_token,
    inputs.anthropic_api_key,
    inputs.openai_api_key,
  ].filter((value): value is string => value !== undefined);
  return { knownSecrets, denyTerms: inputs.redact_terms };
}

export interface ActionOctokitOptions {
  token: string;
  apiUrl: string;
  redactor: Redactor;
  logger: Logger;
  onFinding?: FindingListener;
}

/** Every write this client makes passes undercover's hook; GitHub's rate limits are honoured as in the App. */
export function createActionOctokit(options: ActionOctokitOptions): ClawOctokit {
  const { logger } = options;
  const Octokit = createClawOctokit({
    hooks: [
      (octokit) =>
        installRedactionHook(octokit, options.redactor, {
          logger,
          ...(options.onFinding === undefined ? {} : { onFinding: options.onFinding }),
        }),
    ],
  });
  return new Octokit({
    auth: { token: options.token },
    baseUrl: options.apiUrl,
    log: {
      debug: (message: string) => logger.debug(message),
      info: (message: string) => logger.debug(message),
      warn: (message: string) => logger.warn(message),
      error: (message: string) => logger.error(message),
    },
  });
}

/** GitHub's id for github-actions[bot], the account GITHUB_TOKEN acts as. */
const GITHUB_ACTIONS_BOT_ID = 41898282;

/** The commit author and the login Claw's own comments carry, for the account the token acts as. */
export async function actionBotIdentity(octokit: ClawOctokit, login: string): Promise<BotIdentity> {
  const id =
    login.toLowerCase() === 'github-actions[bot]'
      ? GITHUB_ACTIONS_BOT_ID
      : (await octokit.rest.users.getByUsername({ username: login })).data.id;
  const slug = login.replace(/\[bot\]$/i, '');
  if (slug !== login) return botIdentity({ slug, userId: id });
  // A personal access token or a machine user: its own noreply address.
  return { name: login, email: `${id}+${login}@users.noreply.github.com` };
}

export interface ActionFlowDepsOptions {
  inputs: ActionInputs;
  runnerTemp: string;
  redactionPolicy: RedactionPolicy;
  /** The merged config (claw.yml plus inputs) the trigger was judged with; handlers see the same. */
  loaded: LoadedRepoConfig;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export function actionLimits(inputs: ActionInputs): BudgetLimits {
  return {
    ...DEFAULT_LIMITS,
    ...(inputs.max_turns === undefined ? {} : { maxTurns: inputs.max_turns }),
    ...(inputs.max_cost_usd === undefined ? {} : { maxCostUsd: inputs.max_cost_usd }),
    ...(inputs.timeout_minutes === undefined
      ? {}
      : { maxDurationMs: inputs.timeout_minutes * 60_000 }),
  };
}

export async function createActionFlowDeps(options: ActionFlowDepsOptions): Promise<FlowDeps> {
  const { inputs } = options;
  const env = options.env ?? process.env;
  const cacheDir = path.join(options.runnerTemp, 'claw');
  const providerName = actionProvider(inputs);
  const workspaces = await createWorkspaceManager({
    cacheDir,
    // One job per run: nothing is gained by keeping a worktree for a next job.
    keepWorktreesPerRepo: 0,
    logger: options.logger.child({ component: 'workspace' }),
  });
  const anthropicBaseUrl = inputs.anthropic_base_url ?? (env.ANTHROPIC_BASE_URL || undefined);
  return {
    workspaces,
    createProvider: (model: RepoConfig['model']) => {
      if (providerName === undefined)
        throw new ConfigError([
          {
            key: 'anthropic_api_key',
            message:
              'is not set (nor openai_api_key or openai_base_url), so the step has no model to run the job with',
          },
        ]);
      return createProvider({
        provider: providerName,
        model: model ?? inputs.model,
        anthropicApiKey: inputs.anthropic_api_key,
        anthropicBaseUrl,
        openaiApiKey: inputs.openai_api_key,
        openaiBaseUrl: inputs.openai_base_url,
      });
    },
    limits: actionLimits(inputs),
    redactionPolicy: options.redactionPolicy,
    transcriptDir: path.join(cacheDir, 'transcripts'),
    loadRepoConfig: () => Promise.resolve(options.loaded),
  };
}
