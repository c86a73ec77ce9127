// What every flow does first: the repo config as it is now, the model provider (a deployment without one fails
// here, before any clone), the job's redactor with the fresh installation token learnt, and the progress channel.
import type { Provider } from '../../agent/index.js';
import type { RepoConfig } from '../../config/index.js';
import type { ClawOctokit } from '../../github/index.js';
import type { Redactor } from '../../undercover/index.js';
import type { HandlerContext } from '../handler.js';
import type { JobPayload } from '../payloads.js';
import { AgentActivity } from './agent-activity.js';
import { installationToken, jobRedactor, jobRepoConfig, type FlowDeps } from './flow-deps.js';

export interface FlowStart {
  repo: { owner: string; repo: string };
  startedAt: number;
  activity: AgentActivity;
  /** Sets the current step and shows it (with the plan so far) on the tracking comment. */
  report(step: string): Promise<void>;
  octokit: ClawOctokit;
  config: RepoConfig;
  provider: Provider;
  redactor: Redactor;
  /**
   * The job's redactor on a text bound for GitHub. The Octokit hook applies the process's policy to every write;
   * this adds the repository's own `redact_terms` and attribution policy, which only the job knows.
   */
  outbound(text: string): string;
  token: () => Promise<string>;
}

export async function beginFlow(
  deps: FlowDeps,
  payload: JobPayload,
  ctx: HandlerContext,
): Promise<FlowStart> {
  const repo = { owner: payload.owner, repo: payload.repo };
  const startedAt = ctx.clock.now();
  const activity = new AgentActivity(startedAt, () => ctx.clock.now());
  const octokit = await ctx.octokit();
  const config = await jobRepoConfig(deps, octokit, repo);
  const provider = deps.createProvider(config.model);
  const redactor = jobRedactor(deps.redactionPolicy, config);
  const token = installationToken(octokit);
  // The job's own redactor learns the token too, so the gate and the transcript treat it as a known secret.
  redactor.addSecret(await token());
  const outbound = (text: string) => redactor.redact(text).text;
  return {
    repo,
    startedAt,
    activity,
    report: (step) => {
      activity.setStep(step);
      return ctx.progress({ message: outbound(activity.render()) });
    },
    octokit,
    config,
    provider,
    redactor,
    outbound,
    token,
  };
}
