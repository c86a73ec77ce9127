// What the flow handlers need beyond ctx: the workspace cache, a model provider, the server's budgets, the
// redaction policy (the repo's terms are added per job), where transcripts go, and the App's bot identity.
import path from 'node:path';
import type {
  BudgetLimits,
  PriceTable,
  Provider,
  SandboxOptions,
  Usage,
} from '../../agent/index.js';
import type { RepoConfig } from '../../config/index.js';
import { loadRepoConfig, type ClawOctokit, type RepoConfigLoader } from '../../github/index.js';
import { RepoConfigError, type Logger } from '../../lib/index.js';
import {
  createRedactor,
  gatePush,
  prepareCommitMessage,
  type FindingListener,
  type RedactionPolicy,
  type Redactor,
} from '../../undercover/index.js';
import {
  botIdentity,
  type BeforePush,
  type BotIdentity,
  type CommitMessageFilter,
  type WorkspaceManager,
} from '../../workspace/index.js';

export interface FlowDeps {
  workspaces: WorkspaceManager;
  /** A provider for one job; `model` is `.github/claw.yml`'s when set. */
  createProvider(model: string | undefined): Provider;
  /** The server's per-job budgets; a repo config can lower them, never raise them. */
  limits: BudgetLimits;
  prices?: PriceTable;
  /** The process's policy (known secrets, private deny terms); each job adds its repo's terms and attribution. */
  redactionPolicy: RedactionPolicy;
  /** Transcripts (JSONL) are kept here for operators, one file per job attempt. */
  transcriptDir: string;
  loadRepoConfig?: RepoConfigLoader;
  /** Told about every redaction the flows make (push gate, commit messages, transcripts), for metrics. */
  onFinding?: FindingListener;
  /** bubblewrap off inside containers that isolate already, the env names Bash may see, paths it must not. */
  sandbox?: Pick<SandboxOptions, 'bubblewrap' | 'envAllowlist' | 'hiddenPaths'>;
  /** Told the tokens and cost of every model response (metrics); it must not throw. */
  onUsage?: (event: ModelUsageEvent) => void;
}

/** One model response's spend, labelled for metrics (installation ids, never issue numbers). */
export interface ModelUsageEvent {
  model: string;
  installationId: number | undefined;
  usage: Usage;
  costUsd: number;
}

/** The server limits lowered by the repo's `budgets`. */
export function jobLimits(server: BudgetLimits, config: RepoConfig): BudgetLimits {
  const { budgets } = config;
  return {
    ...server,
    maxTurns: Math.min(server.maxTurns, budgets.max_turns ?? Number.POSITIVE_INFINITY),
    maxCostUsd: Math.min(server.maxCostUsd, budgets.max_cost_usd ?? Number.POSITIVE_INFINITY),
    maxDurationMs: Math.min(
      server.maxDurationMs,
      (budgets.timeout_minutes ?? Number.POSITIVE_INFINITY) * 60_000,
    ),
  };
}

/** The job's redactor: the process policy plus the repo's deny terms and attribution policy. */
export function jobRedactor(policy: RedactionPolicy, config: RepoConfig): Redactor {
  return createRedactor({
    ...policy,
    denyTerms: [...(policy.denyTerms ?? []), ...config.redact_terms],
    attribution: config.attribution,
  });
}

/** The repo config at the time the job runs; an invalid file fails the job with the key named. */
export async function jobRepoConfig(
  deps: FlowDeps,
  octokit: ClawOctokit,
  repo: { owner: string; repo: string },
): Promise<RepoConfig> {
  try {
    return (await (deps.loadRepoConfig ?? loadRepoConfig)(octokit, repo)).config;
  } catch (error) {
    const cause = (error as { error?: unknown }).error;
    if (cause instanceof RepoConfigError) throw cause;
    throw error;
  }
}

const identities = new WeakMap<ClawOctokit, Promise<BotIdentity>>();

/** `<slug>[bot]` with its noreply address, from GET /app and GET /users/<slug>[bot]; cached per client. */
export function appBotIdentity(octokit: ClawOctokit): Promise<BotIdentity> {
  let identity = identities.get(octokit);
  if (identity === undefined) {
    identity = (async () => {
      const { data: app } = await octokit.rest.apps.getAuthenticated();
      const slug = app?.slug ?? 'claw';
      const { data: user } = await octokit.rest.users.getByUsername({ username: `${slug}[bot]` });
      return botIdentity({ slug, userId: user.id });
    })();
    identity.catch(() => identities.delete(octokit));
    identities.set(octokit, identity);
  }
  return identity;
}

/**
 * Fixes the identity `appBotIdentity` answers for one client. The Action needs it: GITHUB_TOKEN (and an
 * installation token without the App's key) cannot call GET /app, so the runner says who the token acts as.
 */
export function presetAppBotIdentity(octokit: ClawOctokit, identity: BotIdentity): void {
  identities.set(octokit, Promise.resolve(identity));
}

/** A fresh installation token for each git network command; it lives only in memory. */
export function installationToken(octokit: ClawOctokit): () => Promise<string> {
  return async () => {
    const auth = (await octokit.auth({ type: 'installation' })) as { token?: string };
    if (typeof auth.token !== 'string')
      throw new Error('the installation token could not be minted');
    return auth.token;
  };
}

export function transcriptPath(deps: FlowDeps, jobId: string, attempt: number): string {
  return path.join(
    deps.transcriptDir,
    `${jobId.replace(/[^A-Za-z0-9._-]/g, '_')}.${attempt}.jsonl`,
  );
}

/** Undercover on a job's git exits: commit messages are rewritten, and the push gate runs before every push. */
export function undercoverGit(
  redactor: Redactor,
  logger: Logger,
  onFinding?: FindingListener,
): { filterCommitMessage: CommitMessageFilter; beforePush: BeforePush } {
  return {
    filterCommitMessage: (message) => prepareCommitMessage(message, redactor, onFinding).message,
    beforePush: async ({ cwd, base, head, branch }) => {
      await gatePush({
        cwd,
        base,
        head,
        branch,
        redactor,
        logger,
        ...(onFinding === undefined ? {} : { onFinding }),
      });
    },
  };
}
