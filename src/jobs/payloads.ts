// Job payloads: what travels through Redis. Ids and words only, never tokens: a worker mints its own
// installation token. Strict schemas, parsed again in the worker because jobs outlive deploys.
import { z } from 'zod';
import type { Trigger } from '../github/index.js';

const Login = z.string().min(1).max(100);
const Id = z.number().int().positive();

const PayloadBase = {
  deliveryId: z.string().min(1).max(100),
  installationId: Id,
  owner: Login,
  repo: z.string().min(1).max(100),
  /** The issue or pull request number. */
  number: Id,
  actor: z.string().max(100),
  trackingCommentId: Id.optional(),
  /** The web process is posting the tracking comment after the 2xx; its id arrives via JobQueue.attachTrackingComment. */
  awaitTrackingComment: z.boolean().optional(),
  enqueuedAt: z.number().int().nonnegative(),
};

export const ResolveIssuePayload = z
  .object({
    ...PayloadBase,
    kind: z.literal('resolve-issue'),
    source: z.enum(['comment', 'issue-body', 'assigned', 'labeled']),
    instruction: z.string().max(65_536),
    commentId: Id.optional(),
  })
  .strict();
export type ResolveIssuePayload = z.infer<typeof ResolveIssuePayload>;

export const ReviewPrPayload = z
  .object({
    ...PayloadBase,
    kind: z.literal('review-pr'),
    reason: z.enum(['auto', 'command']),
    headSha: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .optional(),
    instruction: z.string().max(65_536),
  })
  .strict();
export type ReviewPrPayload = z.infer<typeof ReviewPrPayload>;

export const AddressReviewPayload = z
  .object({
    ...PayloadBase,
    kind: z.literal('address-review'),
    source: z.enum(['issue-comment', 'review-comment', 'review']),
    commentId: Id,
    inReplyToId: Id.optional(),
    instruction: z.string().max(65_536),
  })
  .strict();
export type AddressReviewPayload = z.infer<typeof AddressReviewPayload>;

export const JobPayload = z.discriminatedUnion('kind', [
  ResolveIssuePayload,
  ReviewPrPayload,
  AddressReviewPayload,
]);
export type JobPayload = z.infer<typeof JobPayload>;
export type JobKind = JobPayload['kind'];
export const JOB_KINDS: readonly JobKind[] = ['resolve-issue', 'review-pr', 'address-review'];

export interface JobTarget {
  owner: string;
  repo: string;
  number: number;
}

/** `owner/repo#12`, lower-cased: jobs with the same key never run at the same time. */
export function targetKey(target: JobTarget): string {
  return `${target.owner}/${target.repo}#${target.number}`.toLowerCase();
}

/** The job a trigger asks for; cancel triggers are not jobs (see JobQueue.cancel). */
export function payloadFromTrigger(
  trigger: Exclude<Trigger, { kind: 'cancel' }>,
  deliveryId: string,
  enqueuedAt: number,
  tracking: { trackingCommentId?: number; awaitTrackingComment?: boolean } = {},
): JobPayload {
  const base = {
    deliveryId,
    installationId: trigger.installationId,
    owner: trigger.owner,
    repo: trigger.repo,
    number: trigger.number,
    actor: trigger.actor,
    enqueuedAt,
    ...(tracking.trackingCommentId === undefined
      ? {}
      : { trackingCommentId: tracking.trackingCommentId }),
    ...(tracking.awaitTrackingComment === true ? { awaitTrackingComment: true } : {}),
  };
  switch (trigger.kind) {
    case 'resolve-issue':
      return {
        ...base,
        kind: 'resolve-issue',
        source: trigger.source,
        instruction: trigger.instruction,
        ...(trigger.commentId === undefined ? {} : { commentId: trigger.commentId }),
      };
    case 'review-pr':
      return {
        ...base,
        kind: 'review-pr',
        reason: trigger.reason,
        instruction: trigger.instruction,
        ...(trigger.headSha === undefined ? {} : { headSha: trigger.headSha }),
      };
    case 'address-review':
      return {
        ...base,
        kind: 'address-review',
        source: trigger.source,
        commentId: trigger.commentId,
        instruction: trigger.instruction,
        ...(trigger.inReplyToId === undefined ? {} : { inReplyToId: trigger.inReplyToId }),
      };
  }
}

/** BullMQ forbids `:` and all-digit ids; GitHub delivery ids are UUIDs, but redeliveries must map the same way. */
export function jobIdFromDelivery(deliveryId: string): string {
  return `gh-${deliveryId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

export const KIND_LABELS: Record<JobKind, string> = {
  'resolve-issue': 'resolving this issue',
  'review-pr': 'reviewing this pull request',
  'address-review': 'addressing this comment',
};
