// The acknowledgement of a stored job, 👀 on what asked plus the "queued" tracking comment, run after the webhook
// was answered: by workers (an `acks` BullMQ queue) or in-process by the inline runner. The web process makes no
// GitHub writes on the hot path, so GitHub latency and Octokit's write throttling never hold a webhook.
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import {
  addReaction,
  createTrackingComment,
  findTrackingComment,
  type ClawOctokit,
  type OctokitFactory,
} from '../github/index.js';
import type { Logger } from '../lib/index.js';
import { JOB_KINDS, KIND_LABELS, type JobKind } from './payloads.js';
import { redisKeys } from './redis-keys.js';

export const ACK_QUEUE_NAME = 'acks';

export const AckPayload = z
  .object({
    jobId: z.string().min(1).max(200),
    deliveryId: z.string().min(1).max(100),
    installationId: z.number().int().positive(),
    owner: z.string().min(1).max(100),
    repo: z.string().min(1).max(100),
    number: z.number().int().positive(),
    kind: z.enum(JOB_KINDS as [JobKind, ...JobKind[]]),
    /** Jobs ahead of this one on its target when it was stored. */
    position: z.number().int().nonnegative(),
    reaction: z.discriminatedUnion('type', [
      z.object({ type: z.literal('issue-comment'), commentId: z.number().int().positive() }),
      z.object({ type: z.literal('review-comment'), commentId: z.number().int().positive() }),
      z.object({ type: z.literal('issue') }),
      z.object({ type: z.literal('none') }),
    ]),
  })
  .strict();
export type AckPayload = z.infer<typeof AckPayload>;

export interface AcknowledgeDeps {
  /** The tracking comment already recorded for the job (an earlier attempt posted it). */
  existingComment(jobId: string): Promise<number | undefined>;
  /** An earlier attempt may have posted the comment without recording it (it crashed): look on the thread. */
  mayHavePosted?: boolean;
  /** The job already ended (this acknowledgement ran late): a "queued" comment would only mislead. */
  jobFinished?(jobId: string): Promise<boolean>;
  attachTrackingComment(jobId: string, commentId: number): Promise<void>;
  logger: Logger;
}

/** Adds 👀 (best effort, first attempt only) and posts the tracking comment once; throws when the comment fails. */
export async function acknowledgeJob(
  ack: AckPayload,
  octokit: ClawOctokit,
  deps: AcknowledgeDeps,
  firstAttempt = true,
): Promise<number | undefined> {
  const log = deps.logger.child({ jobId: ack.jobId, deliveryId: ack.deliveryId });
  const target = { owner: ack.owner, repo: ack.repo, number: ack.number, reaction: ack.reaction };
  const reacting = firstAttempt
    ? addReaction(octokit, target).catch((error: unknown) => {
        log.warn({ err: error }, 'could not add the 👀 reaction');
        return false;
      })
    : Promise.resolve(false);
  let existing = await deps.existingComment(ack.jobId);
  if (existing === undefined && deps.mayHavePosted === true) {
    existing = await findTrackingComment(octokit, target, ack.jobId);
    if (existing !== undefined) await deps.attachTrackingComment(ack.jobId, existing);
  }
  if (existing !== undefined) {
    await reacting;
    return existing;
  }
  if ((await deps.jobFinished?.(ack.jobId)) === true) {
    await reacting;
    log.info('the job finished before its acknowledgement ran; no queued comment is posted');
    return undefined;
  }
  const [, commentId] = await Promise.all([
    reacting,
    createTrackingComment(octokit, target, {
      jobId: ack.jobId,
      kindLabel: KIND_LABELS[ack.kind],
      state: { status: 'queued', position: ack.position },
    }),
  ]);
  await deps.attachTrackingComment(ack.jobId, commentId);
  return commentId;
}

export interface AckWorkerOptions {
  /** A BullMQ-ready connection (`maxRetriesPerRequest: null`). */
  connection: Redis;
  prefix: string;
  octokitFactory: OctokitFactory;
  logger: Logger;
  concurrency?: number;
  /** False: wait for `worker.run()` (benchmarks start it on cue). */
  autorun?: boolean;
  attachTrackingComment(jobId: string, commentId: number): Promise<void>;
}

/** The worker side of the `acks` queue; `claw worker` and `claw start` run one next to the job worker. */
export function createAckWorker(options: AckWorkerOptions): Worker {
  const keys = redisKeys(options.prefix);
  const log = options.logger.child({ component: 'ack-worker' });
  const worker = new Worker(
    ACK_QUEUE_NAME,
    async (job: Job) => {
      const ack = AckPayload.parse(job.data);
      // The web process sends a job and its acknowledgement together; when storing the job failed (the delivery
      // got a 503), there is nothing to announce.
      if ((await options.connection.exists(keys.job(ack.jobId))) === 0) {
        log.info({ jobId: ack.jobId }, 'acknowledgement skipped: its job is not stored');
        return undefined;
      }
      const octokit = await options.octokitFactory.forInstallation(ack.installationId);
      return acknowledgeJob(
        ack,
        octokit,
        {
          existingComment: async (jobId) => {
            const stored = await options.connection.get(keys.trackingComment(jobId));
            return stored === null ? undefined : Number(stored);
          },
          attachTrackingComment: options.attachTrackingComment,
          mayHavePosted: job.attemptsMade > 0 || job.stalledCounter > 0,
          jobFinished: async (jobId) =>
            (await options.connection.hget(keys.job(jobId), 'finishedOn')) !== null,
          logger: log,
        },
        job.attemptsMade === 0,
      );
    },
    {
      connection: options.connection,
      prefix: keys.bullPrefix,
      concurrency: options.concurrency ?? 8,
      autorun: options.autorun ?? true,
    },
  );
  worker.on('error', (error) => log.error({ err: error }, 'ack worker error'));
  worker.on('failed', (job, error) =>
    log.warn({ jobId: job?.id, reason: error.message }, 'acknowledgement attempt failed'),
  );
  return worker;
}
