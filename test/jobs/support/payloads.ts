// Job payloads for tests: valid by default, one field at a time overridden.
import type {
  AddressReviewPayload,
  ResolveIssuePayload,
  ReviewPrPayload,
} from '../../../src/jobs/index.js';

let counter = 0;

export function resolveIssuePayload(
  overrides: Partial<ResolveIssuePayload> = {},
): ResolveIssuePayload {
  counter += 1;
  return {
    kind: 'resolve-issue',
    deliveryId: `delivery-${counter}`,
    installationId: 42,
    owner: 'octo-org',
    repo: 'widgets',
    number: 7,
    actor: 'alice',
    source: 'comment',
    instruction: 'fix it',
    enqueuedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function reviewPrPayload(overrides: Partial<ReviewPrPayload> = {}): ReviewPrPayload {
  counter += 1;
  return {
    kind: 'review-pr',
    deliveryId: `delivery-${counter}`,
    installationId: 42,
    owner: 'octo-org',
    repo: 'widgets',
    number: 9,
    actor: 'alice',
    reason: 'auto',
    instruction: '',
    enqueuedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function addressReviewPayload(
  overrides: Partial<AddressReviewPayload> = {},
): AddressReviewPayload {
  counter += 1;
  return {
    kind: 'address-review',
    deliveryId: `delivery-${counter}`,
    installationId: 42,
    owner: 'octo-org',
    repo: 'widgets',
    number: 9,
    actor: 'alice',
    source: 'issue-comment',
    commentId: 555,
    instruction: 'rename it',
    enqueuedAt: 1_700_000_000_000,
    ...overrides,
  };
}
