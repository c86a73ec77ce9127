// The BullMQ worker: per-target serialization, cancellation over Redis pub/sub, checkpoints with a TTL,
// stall recovery after a crash (BullMQ requeues a job whose lock lapsed) and a SIGTERM drain with a grace period.
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { OctokitFactory } from '../github/index.js';
import { CancelledError, type Logger } from '../lib/index.js';
import { createRedisCheckpointStore } from './checkpoint-store.js';
import { executeJob, type AbortKind, type JobOutcomeListener } from './execute-job.js';
import { systemClock, type Clock, type HandlerRegistry } from './handler.js';
import type { CancelMessage } from './job-queue.js';
import { JobPayload, targetKey } from './payloads.js';
import { QUEUE_NAME, redisKeys } from './redis-keys.js';
import { createTargetLocks } from './target-lock.js';

export interface JobWorkerOptions {
  /** A BullMQ-ready connection (`maxRetriesPerRequest: null`); the worker duplicates it for blocking and pub/sub. */
  connection: Redis;
  prefix: string;
  handlers: HandlerRegistry;
  octokitFactory: OctokitFactory;
  logger: Logger;
  concurrency?: number;
  /** BullMQ job lock; a crashed worker's job is requeued once it lapses and the stall check runs. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How long a job waits before asking again when another job holds its target. */
  targetBusyDelayMs?: number;
  checkpointTtlMs?: number;
  progressCommentIntervalMs?: number;
  trackingCommentWaitMs?: number;
  clock?: Clock;
  /** Told how each attempt ended (metrics). */
  onOutcome?: JobOutcomeListener;
}

export interface JobWorker {
  readonly worker: Worker;
  /** Ids of the jobs running in this process. */
  running(): string[];
  /** Stops taking jobs and waits for the running ones; past `graceMs` they are told to stop and go back to the queue. */
  close(graceMs?: number): Promise<void>;
}

interface ActiveJob {
  target: string;
  controller: AbortController;
  abort?: { kind: AbortKind; by?: string | undefined };
}

export function createJobWorker(options: JobWorkerOptions): JobWorker {
  const keys = redisKeys(options.prefix);
  const redis = options.connection;
  const lockDurationMs = options.lockDurationMs ?? 30_000;
  const locks = createTargetLocks(redis, keys, lockDurationMs);
  const clock = options.clock ?? systemClock;
  const busyDelayMs = options.targetBusyDelayMs ?? 1000;
  const checkpointTtlMs = options.checkpointTtlMs ?? 7 * 24 * 3600_000;
  const log = options.logger.child({ component: 'worker' });
  const active = new Map<string, ActiveJob>();

  const abort = (jobId: string, kind: AbortKind, by?: string) => {
    const entry = active.get(jobId);
    if (entry === undefined || entry.controller.signal.aborted) return;
    entry.abort = { kind, by };
    entry.controller.abort(
      new CancelledError(
        kind === 'cancel' ? `Cancelled by ${by ?? 'a request'}` : 'The worker is shutting down',
      ),
    );
  };

  const subscriber = redis.duplicate();
  subscriber.on('error', (error) => log.warn({ err: error }, 'cancel subscriber connection error'));
  subscriber.on('message', (_channel: string, raw: string) => {
    let message: CancelMessage;
    try {
      message = JSON.parse(raw) as CancelMessage;
    } catch (error) {
      log.warn({ err: error }, 'ignored an unreadable cancel message');
      return;
    }
    for (const [jobId, entry] of active) {
      if (entry.target === message.target) abort(jobId, 'cancel', message.by);
    }
  });
  const subscribed = subscriber.subscribe(keys.cancelChannel);

  const process = async (job: Job, token?: string): Promise<unknown> => {
    const jobId = job.id ?? '';
    const parsed = JobPayload.safeParse(job.data);
    const target = parsed.success ? targetKey(parsed.data) : undefined;
    if (target !== undefined && !(await locks.acquire(target, jobId))) {
      log.debug({ jobId, target }, 'target busy; job waits');
      await job.moveToDelayed(Date.now() + busyDelayMs, token);
      throw new DelayedError();
    }
    const entry: ActiveJob = { target: target ?? '', controller: new AbortController() };
    active.set(jobId, entry);
    const refresher =
      target === undefined
        ? undefined
        : setInterval(
            () => {
              locks
                .refresh(target, jobId)
                .catch((error: unknown) =>
                  log.warn({ err: error, jobId }, 'target lock refresh failed'),
                );
            },
            Math.max(100, Math.floor(lockDurationMs / 3)),
          );
    let outcome;
    try {
      const cancelledBy = await redis.get(keys.cancelMarker(jobId));
      if (cancelledBy !== null) abort(jobId, 'cancel', cancelledBy);
      const attempt = job.attemptsMade + 1;
      outcome = await executeJob({
        jobId,
        rawPayload: job.data,
        attempt,
        isLastAttempt: attempt >= (job.opts.attempts ?? 1),
        handlers: options.handlers,
        octokitFactory: options.octokitFactory,
        logger: log,
        signal: entry.controller.signal,
        abortInfo: () => entry.abort,
        clock,
        checkpoint: createRedisCheckpointStore(redis, keys.checkpoint(jobId), checkpointTtlMs),
        onProgress: (update) => job.updateProgress({ ...update }),
        lookupTrackingComment: async () => {
          const stored = await redis.get(keys.trackingComment(jobId));
          return stored === null ? undefined : Number(stored);
        },
        ...(options.onOutcome === undefined ? {} : { onOutcome: options.onOutcome }),
        ...(options.trackingCommentWaitMs === undefined
          ? {}
          : { trackingCommentWaitMs: options.trackingCommentWaitMs }),
        ...(options.progressCommentIntervalMs === undefined
          ? {}
          : { progressCommentIntervalMs: options.progressCommentIntervalMs }),
      });
    } finally {
      clearInterval(refresher);
      active.delete(jobId);
    }
    const finished =
      outcome.status !== 'interrupted' && (outcome.status !== 'failed' || outcome.final);
    if (target !== undefined) await locks.release(target, jobId, finished);
    switch (outcome.status) {
      case 'completed':
        return outcome.result;
      case 'cancelled':
        throw new UnrecoverableError(
          `cancelled${outcome.by === undefined ? '' : ` by ${outcome.by}`}`,
        );
      case 'interrupted':
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      case 'failed':
        if (outcome.classification.kind === 'permanent')
          throw new UnrecoverableError(outcome.classification.reason);
        throw new Error(outcome.classification.reason, { cause: outcome.error });
    }
  };

  const worker = new Worker(QUEUE_NAME, process, {
    connection: redis,
    prefix: keys.bullPrefix,
    concurrency: options.concurrency ?? 2,
    lockDuration: lockDurationMs,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: 1,
  });
  worker.on('error', (error) => log.error({ err: error }, 'worker error'));
  worker.on('failed', (job, error) => {
    if (error instanceof DelayedError || error.name === 'DelayedError') return;
    log.warn(
      { jobId: job?.id, reason: error.message, attemptsMade: job?.attemptsMade },
      'job attempt failed',
    );
  });
  worker.on('stalled', (jobId) =>
    log.warn({ jobId }, 'job stalled (its worker died or hung); requeued'),
  );

  let closing: Promise<void> | undefined;
  return {
    worker,
    running: () => [...active.keys()],
    close: (graceMs = 60_000) =>
      (closing ??= (async () => {
        log.info({ running: active.size, graceMs }, 'worker draining: no new jobs');
        const timer = setTimeout(() => {
          log.warn({ running: [...active.keys()] }, 'grace period over; interrupting running jobs');
          for (const jobId of active.keys()) abort(jobId, 'shutdown');
        }, graceMs);
        const force = setTimeout(() => {
          log.error(
            'jobs ignored the interruption; closing by force (they will be requeued as stalled)',
          );
          worker
            .close(true)
            .catch((error: unknown) => log.error({ err: error }, 'forced close failed'));
        }, graceMs + 10_000);
        try {
          await worker.close();
        } finally {
          clearTimeout(timer);
          clearTimeout(force);
          await subscribed.catch(() => undefined);
          await subscriber.quit().catch(() => subscriber.disconnect());
        }
        log.info('worker stopped');
      })()),
  };
}
