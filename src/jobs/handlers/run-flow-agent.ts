// The agent run every flow makes: budgets from server and repo, the transcript kept for operators (redacted),
// the sandbox, and progress mirrored into the tracking comment in order; a cancelled run throws.
import { mkdir } from 'node:fs/promises';
import {
  runAgent,
  type AgentResult,
  type AgentStopReason,
  type Provider,
  type RunAgentOptions,
} from '../../agent/index.js';
import type { RepoConfig } from '../../config/index.js';
import { CancelledError } from '../../lib/index.js';
import { createTranscriptRedactor, type Redactor } from '../../undercover/index.js';
import type { HandlerContext } from '../handler.js';
import type { AgentActivity } from './agent-activity.js';
import { jobLimits, transcriptPath, type FlowDeps } from './flow-deps.js';

/** Why a run ended early, in words for users; undefined when the agent finished on its own. */
export const STOP_WORDS: Partial<Record<AgentStopReason, string>> = {
  max_turns: 'the turn limit was reached',
  max_tokens: 'the token limit was reached',
  max_cost_usd: 'the cost limit was reached',
  wall_clock: 'the time limit was reached',
  loop_guard: 'the agent repeated the same call three times',
  refusal: 'the model declined the task',
};

export interface FlowAgentRun {
  provider: Provider;
  workdir: string;
  task: string;
  systemPrompt: string;
  config: RepoConfig;
  redactor: Redactor;
  activity: AgentActivity;
  tools?: RunAgentOptions['tools'];
  extraTools?: RunAgentOptions['extraTools'];
  /** Off for runs on code Claw must not trust with the network (reviews); else the repo config decides. */
  network?: boolean;
  /** Instruction files from elsewhere than the worktree (the base branch, for someone else's change). */
  readInstructions?: RunAgentOptions['readInstructions'];
}

export async function runFlowAgent(
  deps: FlowDeps,
  ctx: HandlerContext,
  run: FlowAgentRun,
): Promise<{ result: AgentResult; transcript: string }> {
  await mkdir(deps.transcriptDir, { recursive: true });
  const transcript = transcriptPath(deps, ctx.jobId, ctx.attempt);
  ctx.logger.info({ transcript }, 'agent run starting');
  let lastEdit = Promise.resolve();
  let result: AgentResult;
  try {
    result = await runAgent({
      provider: run.provider,
      workdir: run.workdir,
      task: run.task,
      systemPrompt: run.systemPrompt,
      ...(run.tools === undefined ? {} : { tools: run.tools }),
      ...(run.extraTools === undefined ? {} : { extraTools: run.extraTools }),
      ...(run.readInstructions === undefined ? {} : { readInstructions: run.readInstructions }),
      limits: jobLimits(deps.limits, run.config),
      ...(deps.prices === undefined ? {} : { prices: deps.prices }),
      sandbox: { ...deps.sandbox, network: run.network ?? run.config.sandbox.network },
      transcriptPath: transcript,
      redact: createTranscriptRedactor(
        run.redactor,
        deps.onFinding === undefined ? {} : { onFinding: deps.onFinding },
      ),
      signal: ctx.signal,
      logger: ctx.logger,
      progress: (event) => {
        if (event.type === 'usage')
          deps.onUsage?.({
            model: run.provider.model,
            installationId: ctx.installationId,
            usage: event.usage,
            costUsd: event.costUsd,
          });
        if (!run.activity.record(event)) return;
        // Rendered now, sent in order; executeJob throttles how often the comment changes.
        // The plan and steps quote the agent (paths, commands): the repo's terms apply before they are shown.
        const message = run.redactor.redact(run.activity.render()).text;
        lastEdit = lastEdit
          .then(() => ctx.progress({ message }))
          .catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not report progress'));
      },
    });
  } catch (error) {
    ctx.logger.warn({ transcript }, 'the agent run failed; its transcript is kept');
    throw error;
  }
  await lastEdit;
  if (result.stopReason === 'aborted') {
    throw ctx.signal.reason instanceof Error
      ? ctx.signal.reason
      : new CancelledError('The job was cancelled.');
  }
  ctx.logger.info(
    { transcript, stopReason: result.stopReason, turns: result.turns, costUsd: result.costUsd },
    'agent run finished',
  );
  return { result, transcript };
}
