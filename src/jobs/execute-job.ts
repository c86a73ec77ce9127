// Runs one job attempt the same way in every runner: parse the payload, find the handler, build ctx, run,
// classify the outcome, and keep the tracking comment in step (running, done, failed, cancelled).
import {
  createTrackingComment,
  findTrackingComment as findTrackingCommentOnThread,
  updateTrackingComment,
  type ClawOctokit,
  type OctokitFactory,
  type TrackingState,
} from '../github/index.js';
import { NoHandlerError, describeError, type Logger } from '../lib/index.js';
import { classifyError, type ErrorClassification } from './classify-error.js';
import type {
  CheckpointStore,
  Clock,
  HandlerContext,
  HandlerRegistry,
  HandlerResult,
  JobHandler,
  ProgressUpdate,
} from './handler.js';
import { JobPayload, KIND_LABELS, type JobKind } from './payloads.js';

export type AbortKind = 'cancel' | 'shutdown';

export interface ExecuteJobOptions {
  jobId: string;
  rawPayload: unknown;
  attempt: number;
  /** No retry follows a transient failure of this attempt. */
  isLastAttempt: boolean;
  handlers: HandlerRegistry;
  octokitFactory: OctokitFactory;
  logger: Logger;
  signal: AbortSignal;
  /** Why the signal aborted, and who asked when it was a cancellation. */
  abortInfo(): { kind: AbortKind; by?: string | undefined } | undefined;
  clock: Clock;
  checkpoint: CheckpointStore;
  /** The runner's own progress channel (BullMQ's job.updateProgress). */
  onProgress?: (update: ProgressUpdate) => Promise<void>;
  /** Minimum time between tracking-comment edits caused by progress(). */
  progressCommentIntervalMs?: number;
  /** Where a tracking comment posted after enqueue is found (see JobQueue.attachTrackingComment). */
  lookupTrackingComment?: () => Promise<number | undefined>;
  /** How long the final comment edit waits for a tracking comment still being posted. */
  trackingCommentWaitMs?: number;
  /** Told how each attempt ended (metrics); it must not throw. */
  onOutcome?: JobOutcomeListener;
}

/** How an attempt ended, for metrics: `failed` is final, `retrying` is a transient failure that will run again. */
export interface JobOutcomeEvent {
  kind: JobKind | 'unknown';
  outcome: 'completed' | 'failed' | 'retrying' | 'cancelled' | 'interrupted';
  durationMs: number;
}

export type JobOutcomeListener = (event: JobOutcomeEvent) => void;

export type JobOutcome =
  | { status: 'completed'; result: HandlerResult }
  | { status: 'failed'; classification: ErrorClassification; final: boolean; error: unknown }
  | { status: 'cancelled'; by?: string | undefined }
  | { status: 'interrupted' };

export async function executeJob(options: ExecuteJobOptions): Promise<JobOutcome> {
  const startedAt = options.clock.now();
  const outcome = await runAttempt(options);
  if (options.onOutcome !== undefined) {
    const kind = (options.rawPayload as { kind?: unknown } | null)?.kind;
    try {
      options.onOutcome({
        kind:
          typeof kind === 'string' && Object.hasOwn(KIND_LABELS, kind)
            ? (kind as JobKind)
            : 'unknown',
        outcome:
          outcome.status === 'failed' ? (outcome.final ? 'failed' : 'retrying') : outcome.status,
        durationMs: options.clock.now() - startedAt,
      });
    } catch (error) {
      options.logger.warn({ err: error, jobId: options.jobId }, 'the job outcome listener failed');
    }
  }
  return outcome;
}

async function runAttempt(options: ExecuteJobOptions): Promise<JobOutcome> {
  const parsed = JobPayload.safeParse(options.rawPayload);
  if (!parsed.success) {
    const reason = `The job's data is not valid for this version of Claw: ${parsed.error.issues[0]?.message ?? 'invalid'} at ${parsed.error.issues[0]?.path.join('.') ?? ''}`;
    options.logger.error({ jobId: options.jobId }, 'job payload failed validation');
    return {
      status: 'failed',
      classification: { kind: 'permanent', reason },
      final: true,
      error: parsed.error,
    };
  }
  const payload = parsed.data;
  const logger = options.logger.child({
    jobId: options.jobId,
    deliveryId: payload.deliveryId,
    repo: `${payload.owner}/${payload.repo}`,
    installationId: payload.installationId,
    kind: payload.kind,
    attempt: options.attempt,
  });
  const kindLabel = KIND_LABELS[payload.kind];
  let octokitPromise: Promise<ClawOctokit> | undefined;
  const octokit = () =>
    (octokitPromise ??= options.octokitFactory.forInstallation(payload.installationId));

  let trackingCommentId = payload.trackingCommentId;
  const findTrackingComment = async (final: boolean): Promise<number | undefined> => {
    if (trackingCommentId !== undefined || payload.awaitTrackingComment !== true)
      return trackingCommentId;
    const lookup = options.lookupTrackingComment;
    if (lookup === undefined) return undefined;
    // A final state must land on the comment even when the job beat the acknowledgement; others need not wait.
    const deadline = options.clock.now() + (final ? (options.trackingCommentWaitMs ?? 5000) : 0);
    for (;;) {
      trackingCommentId = await lookup();
      if (trackingCommentId !== undefined || options.clock.now() >= deadline)
        return trackingCommentId;
      await options.clock.sleep(50);
    }
  };
  /** Edits the tracking comment; true when it was edited (false: none yet, or the edit failed). */
  const setComment = async (state: TrackingState): Promise<boolean> => {
    try {
      const final = state.status !== 'running';
      const commentId = await findTrackingComment(final);
      if (commentId === undefined) {
        if (!final || payload.awaitTrackingComment !== true) return false;
        // The acknowledgement never recorded a comment (it crashed, or runs late): the outcome is still told,
        // on the comment found by its marker or on a new one.
        const client = await octokit();
        const target = { owner: payload.owner, repo: payload.repo, number: payload.number };
        const found = await findTrackingCommentOnThread(client, target, options.jobId);
        const input = { jobId: options.jobId, kindLabel, state };
        if (found === undefined)
          trackingCommentId = await createTrackingComment(client, target, input);
        else {
          trackingCommentId = found;
          await updateTrackingComment(client, target, found, input);
        }
        return true;
      }
      await updateTrackingComment(
        await octokit(),
        { owner: payload.owner, repo: payload.repo },
        commentId,
        { jobId: options.jobId, kindLabel, state },
      );
      return true;
    } catch (error) {
      // The comment is a courtesy; the job's outcome must not depend on it.
      logger.warn({ err: error, status: state.status }, 'could not update the tracking comment');
      return false;
    }
  };

  const handler = options.handlers[payload.kind] as JobHandler | undefined;
  if (handler === undefined) {
    const error = new NoHandlerError(
      `This Claw deployment has no handler for "${payload.kind}" jobs, so nothing was done.`,
    );
    const classification = classifyError(error);
    logger.error({ kind: payload.kind }, 'no handler registered for the job kind');
    await setComment({
      status: 'failed',
      reason: classification.reason,
      nextStep: classification.nextStep,
    });
    return { status: 'failed', classification, final: true, error };
  }

  const interval = options.progressCommentIntervalMs ?? 5000;
  let lastCommentAt = Number.NEGATIVE_INFINITY;
  const ctx: HandlerContext = {
    jobId: options.jobId,
    attempt: options.attempt,
    installationId: payload.installationId,
    logger,
    signal: options.signal,
    clock: options.clock,
    checkpoint: options.checkpoint,
    octokitFactory: options.octokitFactory,
    octokit,
    progress: async (update) => {
      logger.info({ percent: update.percent }, update.message);
      await options.onProgress?.(update);
      const now = options.clock.now();
      // The throttle starts from the last edit that landed, so the first update after a late ack shows at once.
      if (
        now - lastCommentAt >= interval &&
        (await setComment({ status: 'running', message: update.message }))
      )
        lastCommentAt = now;
    },
  };

  const startedAt = options.clock.now();
  // A job cancelled while it waited goes straight to "cancelled", without a moment of "working on it".
  if (!options.signal.aborted && (await setComment({ status: 'running' })))
    lastCommentAt = options.clock.now();
  logger.info('job started');
  try {
    if (options.signal.aborted) throw options.signal.reason;
    const result = await handler(payload as never, ctx);
    logger.info({ ms: options.clock.now() - startedAt, summary: result.summary }, 'job completed');
    await setComment({ status: 'done', summary: result.summary });
    await options.checkpoint.clear();
    return { status: 'completed', result };
  } catch (error) {
    const aborted = options.abortInfo();
    if (aborted?.kind === 'shutdown') {
      logger.warn('job interrupted by shutdown; it goes back to the queue');
      return { status: 'interrupted' };
    }
    const classification =
      aborted?.kind === 'cancel'
        ? { kind: 'cancelled' as const, reason: 'cancelled' }
        : classifyError(error);
    if (classification.kind === 'cancelled') {
      logger.info({ by: aborted?.by }, 'job cancelled');
      await setComment({ status: 'cancelled', by: aborted?.by });
      await options.checkpoint.clear();
      return { status: 'cancelled', by: aborted?.by };
    }
    const final = classification.kind === 'permanent' || options.isLastAttempt;
    logger.warn(
      { err: error, classification: classification.kind, final },
      final ? 'job failed' : 'job failed; it will be retried',
    );
    if (final) {
      const reason =
        classification.kind === 'transient'
          ? `Claw gave up after ${options.attempt} attempts: ${classification.reason}`
          : classification.reason;
      await setComment({
        status: 'failed',
        reason,
        nextStep: classification.nextStep ?? 'Mention me again to retry.',
      });
    }
    return { status: 'failed', classification, final, error };
  }
}

/** For logs: the shortest honest description of an outcome. */
export function describeOutcome(outcome: JobOutcome): string {
  switch (outcome.status) {
    case 'completed':
      return outcome.result.summary;
    case 'failed':
      return `${outcome.classification.kind}: ${outcome.classification.reason} (${describeError(outcome.error).slice(0, 200)})`;
    case 'cancelled':
      return 'cancelled';
    case 'interrupted':
      return 'interrupted';
  }
}
