// The in-process runner for the Action, the CLI, tests and `claw start` without REDIS_URL: the same JobQueue
// and handler contract as BullMQ, with serialization per target, coalescing, retries and cancellation in memory.
// Jobs die with the process, which is why `claw start` warns at boot when it uses this.
import type { OctokitFactory } from '../github/index.js';
import { CancelledError, type Logger } from '../lib/index.js';
import { createMemoryCheckpointStore } from './checkpoint-store.js';
import {
  executeJob,
  type AbortKind,
  type JobOutcome,
  type JobOutcomeListener,
} from './execute-job.js';
import { systemClock, type Clock, type HandlerRegistry } from './handler.js';
import { acknowledgeJob, type AckPayload } from './acknowledge.js';
import type { EnqueueOptions, EnqueueResult, JobQueue } from './job-queue.js';
import { targetKey, type JobPayload, type JobTarget } from './payloads.js';

export interface InlineRunnerOptions {
  handlers: HandlerRegistry;
  octokitFactory: OctokitFactory;
  logger: Logger;
  clock?: Clock;
  attempts?: number;
  backoffMs?: number;
  progressCommentIntervalMs?: number;
  /** How many finished job ids are remembered to drop redeliveries. */
  rememberJobs?: number;
  onOutcome?: JobOutcomeListener;
}

export interface InlineRunner extends JobQueue {
  /** Resolves with a job's outcome once it has finished. */
  outcome(jobId: string): Promise<JobOutcome>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
}

interface InlineJob {
  jobId: string;
  target: string;
  payload: JobPayload;
  controller: AbortController;
  abort?: { kind: AbortKind; by?: string | undefined };
  done: Promise<JobOutcome>;
}

export function createInlineRunner(options: InlineRunnerOptions): InlineRunner {
  const clock = options.clock ?? systemClock;
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 10_000;
  const log = options.logger.child({ component: 'inline-runner' });
  const known = new Map<string, InlineJob>();
  const tails = new Map<string, Promise<unknown>>();
  const coalescing = new Map<
    string,
    { jobId: string; payload: JobPayload; timer: NodeJS.Timeout; resolve: () => void }
  >();
  const remember = options.rememberJobs ?? 10_000;
  const trackingComments = new Map<string, number>();
  const acks = new Set<Promise<unknown>>();
  const attach = (jobId: string, commentId: number) => {
    trackingComments.set(jobId, commentId);
    if (trackingComments.size > remember)
      trackingComments.delete(trackingComments.keys().next().value as string);
    return Promise.resolve();
  };

  const run = async (job: InlineJob): Promise<JobOutcome> => {
    for (let attempt = 1; ; attempt++) {
      const outcome = await executeJob({
        jobId: job.jobId,
        rawPayload: job.payload,
        attempt,
        isLastAttempt: attempt >= attempts,
        handlers: options.handlers,
        octokitFactory: options.octokitFactory,
        logger: log,
        signal: job.controller.signal,
        abortInfo: () => job.abort,
        clock,
        checkpoint: createMemoryCheckpointStore(),
        lookupTrackingComment: () => Promise.resolve(trackingComments.get(job.jobId)),
        ...(options.onOutcome === undefined ? {} : { onOutcome: options.onOutcome }),
        ...(options.progressCommentIntervalMs === undefined
          ? {}
          : { progressCommentIntervalMs: options.progressCommentIntervalMs }),
      });
      if (outcome.status !== 'failed' || outcome.final) return outcome;
      try {
        await clock.sleep(backoffMs * 2 ** (attempt - 1), job.controller.signal);
      } catch {
        // Cancelled during the backoff: one more pass reports it through executeJob.
        continue;
      }
    }
  };

  const schedule = (jobId: string, payload: JobPayload, gate?: Promise<void>): InlineJob => {
    const target = targetKey(payload);
    const job = { jobId, target, payload, controller: new AbortController() } as InlineJob;
    const previous = tails.get(target) ?? Promise.resolve();
    job.done = Promise.all([previous, gate]).then(() => run(job));
    const tail = job.done.catch((error: unknown) =>
      log.error({ err: error, jobId }, 'inline job crashed'),
    );
    tails.set(target, tail);
    void tail.then(() => {
      if (tails.get(target) === tail) tails.delete(target);
    });
    known.set(jobId, job);
    if (known.size > remember) known.delete(known.keys().next().value as string);
    return job;
  };

  const pending = (target: string) =>
    [...known.values()].filter((job) => job.target === target && !settled.has(job.jobId));
  const settled = new Set<string>();

  return {
    durable: false,
    has: (jobId) => Promise.resolve(known.has(jobId)),
    backlog: (target) => Promise.resolve(pending(targetKey(target)).length),
    enqueue: (
      jobId: string,
      payload: JobPayload,
      enqueueOptions: EnqueueOptions = {},
    ): Promise<EnqueueResult> => {
      if (known.has(jobId))
        return Promise.resolve({ jobId, created: false, duplicate: true, position: 0 });
      const position = pending(targetKey(payload)).length;
      const coalesce = enqueueOptions.coalesce;
      if (coalesce !== undefined) {
        const waiting = coalescing.get(coalesce.key);
        if (waiting !== undefined) {
          clearTimeout(waiting.timer);
          waiting.payload = payload;
          const job = known.get(waiting.jobId);
          if (job !== undefined) job.payload = payload;
          waiting.timer = setTimeout(waiting.resolve, coalesce.windowMs);
          return Promise.resolve({
            jobId: waiting.jobId,
            created: false,
            duplicate: false,
            position,
          });
        }
        let resolveGate: () => void = () => undefined;
        const gate = new Promise<void>((resolve) => {
          resolveGate = () => {
            coalescing.delete(coalesce.key);
            resolve();
          };
        });
        coalescing.set(coalesce.key, {
          jobId,
          payload,
          timer: setTimeout(resolveGate, coalesce.windowMs),
          resolve: resolveGate,
        });
        const job = schedule(jobId, payload, gate);
        void job.done.finally(() => settled.add(jobId));
        return Promise.resolve({ jobId, created: true, duplicate: false, position });
      }
      const job = schedule(jobId, payload);
      void job.done.finally(() => settled.add(jobId));
      return Promise.resolve({ jobId, created: true, duplicate: false, position });
    },
    attachTrackingComment: attach,
    acknowledge: (ack: AckPayload) => {
      const running = options.octokitFactory
        .forInstallation(ack.installationId)
        .then((octokit) =>
          acknowledgeJob(ack, octokit, {
            existingComment: (jobId) => Promise.resolve(trackingComments.get(jobId)),
            attachTrackingComment: attach,
            logger: log,
          }),
        )
        .catch((error: unknown) =>
          log.warn({ err: error, jobId: ack.jobId }, 'could not acknowledge the job'),
        )
        .finally(() => acks.delete(running));
      acks.add(running);
      return Promise.resolve();
    },
    cancel: (target: JobTarget, by: string) => {
      const jobs = pending(targetKey(target));
      for (const job of jobs) {
        if (job.controller.signal.aborted) continue;
        job.abort = { kind: 'cancel', by };
        job.controller.abort(new CancelledError(`Cancelled by ${by}`));
      }
      return Promise.resolve(jobs.length);
    },
    ping: () => Promise.resolve(),
    outcome: (jobId) => {
      const job = known.get(jobId);
      return job === undefined ? Promise.reject(new Error(`no inline job ${jobId}`)) : job.done;
    },
    idle: async () => {
      while (tails.size > 0) await Promise.all([...tails.values()]);
    },
    close: async () => {
      for (const { timer, resolve } of coalescing.values()) {
        clearTimeout(timer);
        resolve();
      }
      for (const job of known.values()) {
        if (settled.has(job.jobId) || job.controller.signal.aborted) continue;
        job.abort = { kind: 'shutdown' };
        job.controller.abort(new CancelledError('The process is shutting down'));
      }
      while (tails.size > 0) await Promise.all([...tails.values()]);
      while (acks.size > 0) await Promise.all([...acks]);
    },
  };
}
