// The producer side used by the web process: store a job (idempotent by jobId, optionally coalesced),
// report a target's backlog, and cancel a target's work. Implemented on BullMQ here and in-process by the inline runner.
import { Job, Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisUnavailableError, describeError } from '../lib/index.js';
import { targetKey, type JobPayload, type JobTarget } from './payloads.js';
import { QUEUE_NAME, redisKeys } from './redis-keys.js';
import { ACK_QUEUE_NAME, type AckPayload } from './acknowledge.js';
import { createTargetLocks } from './target-lock.js';

/** An acknowledgement to store with a new job; the queue fills in `jobId` and `position`. */
export type AckRequest = Omit<AckPayload, 'jobId' | 'position'>;

export interface EnqueueOptions {
  /** Debounce: jobs with the same key within the window collapse into one delayed job carrying the newest payload. */
  coalesce?: { key: string; windowMs: number };
  /**
   * Store the job's acknowledgement with it when the job is new. A queue that does not (the inline runner, or a
   * coalesced job) leaves `EnqueueResult.acknowledged` unset, and the caller calls `acknowledge` itself.
   */
  acknowledge?: AckRequest;
}

export interface EnqueueResult {
  /** The stored job: `jobId`, or the existing job a coalesced request joined. */
  jobId: string;
  /** False when the job already existed (a redelivery) or the request joined a coalesced job. */
  created: boolean;
  /** The job id was already stored: a redelivered webhook. */
  duplicate: boolean;
  /** Jobs ahead of this one on its target. */
  position: number;
  /** The acknowledgement asked for with `EnqueueOptions.acknowledge` was stored with the job. */
  acknowledged?: boolean;
}

export interface JobQueue {
  /** False for the inline runner: its jobs die with the process. */
  readonly durable: boolean;
  has(jobId: string): Promise<boolean>;
  /** Jobs queued or running on the target (the new job's position in line). */
  backlog(target: JobTarget): Promise<number>;
  enqueue(jobId: string, payload: JobPayload, options?: EnqueueOptions): Promise<EnqueueResult>;
  /** Schedules the 👀 + tracking comment of a stored job, off the webhook's hot path. */
  acknowledge(ack: AckPayload): Promise<void>;
  /** Records the tracking comment posted after the job was stored, so the worker edits it. */
  attachTrackingComment(jobId: string, commentId: number): Promise<void>;
  /** Aborts the running job on the target and every queued one; returns how many jobs were told. */
  cancel(target: JobTarget, by: string): Promise<number>;
  /** Rejects when the backing store does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RetentionOptions {
  completedAgeSeconds: number;
  completedCount: number;
  failedAgeSeconds: number;
  failedCount: number;
}

export const DEFAULT_RETENTION: RetentionOptions = {
  completedAgeSeconds: 7 * 24 * 3600,
  completedCount: 1000,
  failedAgeSeconds: 30 * 24 * 3600,
  failedCount: 5000,
};

export interface BullQueueOptions {
  /** A connection that fails fast (`enableOfflineQueue: false`), so a Redis outage becomes a 503, not a hang. */
  connection: Redis;
  prefix: string;
  attempts?: number;
  backoffMs?: number;
  retention?: RetentionOptions;
  /** How long a cancel marker waits for a queued job to start. */
  cancelMarkerTtlMs?: number;
  pingTimeoutMs?: number;
}

export const TRACKING_COMMENT_TTL_MS = 30 * 24 * 3600_000;

export interface CancelMessage {
  target: string;
  by: string;
}

// KEYS: job hash, target FIFO, sequence. ARGV: jobId. -1 when the job is already stored (a redelivery); otherwise
// puts the job at the back of its target's FIFO (once) and returns how many jobs are ahead of it.
// The FIFO entry goes in before the job itself: the job is stored in the very next step, and a head whose job
// does not exist (yet, or any more) only costs target-lock's ACQUIRE a ZREM, after which the job re-enrolls itself.
const ENROLL_NEW = `
if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
end
return redis.call('ZRANK', KEYS[2], ARGV[1])
`;
const ENROLL_NEW_COMMAND = 'clawEnrollNew';

type EnrollingRedis = Redis & {
  [ENROLL_NEW_COMMAND](
    jobKey: string,
    fifo: string,
    sequence: string,
    jobId: string,
  ): Promise<number>;
};

/** EVALSHA instead of sending the script each time; defined once per connection. */
function withEnrollNew(redis: Redis): EnrollingRedis {
  if (!(ENROLL_NEW_COMMAND in redis))
    redis.defineCommand(ENROLL_NEW_COMMAND, { numberOfKeys: 3, lua: ENROLL_NEW });
  return redis as EnrollingRedis;
}

function ackJobOptions(jobId: string): JobsOptions {
  return {
    jobId: `ack-${jobId}`,
    attempts: 3,
    backoff: { type: 'exponential', delay: 2000 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
  };
}

function unavailable(error: unknown): RedisUnavailableError {
  return new RedisUnavailableError(`Redis is unavailable: ${describeError(error)}`, {
    cause: error,
  });
}

async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw unavailable(error);
  }
}

export function createBullQueue(
  options: BullQueueOptions,
): JobQueue & { queue: Queue; ackQueue: Queue } {
  const keys = redisKeys(options.prefix);
  const redis = options.connection;
  const retention = options.retention ?? DEFAULT_RETENTION;
  const locks = createTargetLocks(redis, keys, 60_000);
  const queue = new Queue(QUEUE_NAME, { connection: redis, prefix: keys.bullPrefix });
  queue.on('error', () => undefined);
  const ackQueue = new Queue(ACK_QUEUE_NAME, { connection: redis, prefix: keys.bullPrefix });
  ackQueue.on('error', () => undefined);
  const enrolling = withEnrollNew(redis);
  const jobOptions: JobsOptions = {
    attempts: options.attempts ?? 3,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 10_000 },
    removeOnComplete: { age: retention.completedAgeSeconds, count: retention.completedCount },
    removeOnFail: { age: retention.failedAgeSeconds, count: retention.failedCount },
  };
  const pingTimeoutMs = options.pingTimeoutMs ?? 1000;

  return {
    durable: true,
    queue,
    ackQueue,
    acknowledge: (ack) =>
      orUnavailable(async () => {
        await ackQueue.add('acknowledge', ack, ackJobOptions(ack.jobId));
      }),
    has: (jobId) => orUnavailable(async () => (await redis.exists(keys.job(jobId))) === 1),
    backlog: (target) => orUnavailable(() => locks.count(targetKey(target))),
    enqueue: (jobId, payload, enqueueOptions = {}) =>
      orUnavailable(async () => {
        // A zero window means no debounce: BullMQ would read a zero TTL as "never expires" and swallow every push
        // that lands while the review runs.
        const coalesce =
          enqueueOptions.coalesce !== undefined && enqueueOptions.coalesce.windowMs > 0
            ? enqueueOptions.coalesce
            : undefined;
        if (coalesce === undefined) {
          // Two round trips: the duplicate check with the position, then the job and its acknowledgement together.
          const position = await enrolling[ENROLL_NEW_COMMAND](
            keys.job(jobId),
            keys.targetQueue(targetKey(payload)),
            keys.sequence,
            jobId,
          );
          if (position < 0) return { jobId, created: false, duplicate: true, position: 0 };
          const ack = enqueueOptions.acknowledge;
          // Sent together, the job first on the same connection, so Redis stores the job before its acknowledgement;
          // the ack worker skips an acknowledgement whose job is not stored.
          const [stored, acknowledged] = await Promise.allSettled([
            queue.add(payload.kind, payload, { ...jobOptions, jobId }),
            ack === undefined
              ? Promise.resolve(false)
              : ackQueue
                  .add('acknowledge', { ...ack, jobId, position }, ackJobOptions(jobId))
                  .then(() => true),
          ]);
          if (stored.status === 'rejected') throw stored.reason;
          return {
            jobId,
            created: true,
            duplicate: false,
            position,
            // A failed acknowledgement is not the job's failure: the job will run, and the caller retries the ack.
            ...(ack === undefined
              ? {}
              : { acknowledged: acknowledged.status === 'fulfilled' && acknowledged.value }),
          };
        }
        if ((await redis.exists(keys.job(jobId))) === 1)
          return { jobId, created: false, duplicate: true, position: 0 };
        const job = await queue.add(payload.kind, payload, {
          ...jobOptions,
          jobId,
          delay: coalesce.windowMs,
          deduplication: { id: coalesce.key, ttl: coalesce.windowMs, extend: true, replace: true },
        });
        const storedId = job.id ?? jobId;
        const position = await locks.enroll(targetKey(payload), storedId);
        return { jobId: storedId, created: storedId === jobId, duplicate: false, position };
      }),
    attachTrackingComment: (jobId, commentId) =>
      orUnavailable(async () => {
        await redis.set(
          keys.trackingComment(jobId),
          String(commentId),
          'PX',
          TRACKING_COMMENT_TTL_MS,
        );
        // Retries and dashboards read job.data; a running attempt reads the key above.
        const job = await Job.fromId(queue, jobId);
        if (job !== undefined)
          await job.updateData({ ...(job.data as JobPayload), trackingCommentId: commentId });
      }),
    cancel: (target, by) =>
      orUnavailable(async () => {
        const key = targetKey(target);
        const jobIds = await locks.jobIds(key);
        const markerTtl = options.cancelMarkerTtlMs ?? 3600_000;
        const pipeline = redis.multi();
        for (const jobId of jobIds) pipeline.set(keys.cancelMarker(jobId), by, 'PX', markerTtl);
        const message: CancelMessage = { target: key, by };
        pipeline.publish(keys.cancelChannel, JSON.stringify(message));
        await pipeline.exec();
        return jobIds.length;
      }),
    ping: async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          redis.ping(),
          new Promise((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no PING answer within ${pingTimeoutMs} ms`)),
              pingTimeoutMs,
            );
          }),
        ]);
      } catch (error) {
        throw unavailable(error);
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      await Promise.all([queue.close(), ackQueue.close()]);
    },
  };
}
