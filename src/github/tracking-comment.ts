// The live tracking comment on the issue or PR where someone asked: created once at ingress ("queued"),
// then edited in place by the worker (running, failed, cancelled, done); never re-posted.
import type { ClawOctokit } from './octokit-factory.js';
import type { RepoRef } from './parse-trigger.js';

export type TrackingState =
  | { status: 'queued'; position?: number | undefined }
  | { status: 'running'; message?: string | undefined }
  | { status: 'failed'; reason: string; nextStep?: string | undefined }
  | { status: 'cancelled'; by?: string | undefined }
  | { status: 'done'; summary: string };

export interface TrackingCommentInput {
  jobId: string;
  kindLabel: string;
  state: TrackingState;
}

/** Every tracking comment carries it; the thread loader leaves such comments out of what the agent reads. */
export const TRACKING_MARKER = 'claw:tracking';

/** The hidden marker that lets Claw find its own comment for a job. */
export function trackingMarker(jobId: string): string {
  return `<!-- ${TRACKING_MARKER} job=${jobId} -->`;
}

export function renderTrackingComment(input: TrackingCommentInput): string {
  const { state } = input;
  let line: string;
  switch (state.status) {
    case 'queued':
      line =
        state.position !== undefined && state.position > 0
          ? `⏳ Queued: ${input.kindLabel}. ${state.position} earlier job${state.position === 1 ? '' : 's'} on this thread run first.`
          : `⏳ Queued: ${input.kindLabel}. It starts as soon as a worker is free.`;
      break;
    case 'running':
      line = `🔧 Working on it: ${input.kindLabel}.${state.message === undefined ? '' : `\n\n${state.message}`}`;
      break;
    case 'failed':
      line = `❌ ${state.reason}${state.nextStep === undefined ? '' : `\n\n${state.nextStep}`}`;
      break;
    case 'cancelled':
      line = `🛑 Cancelled${state.by === undefined ? '' : ` by @${state.by}`}. Mention me again to start over.`;
      break;
    case 'done':
      line = `✅ ${state.summary}`;
      break;
  }
  return `${line}\n\n${trackingMarker(input.jobId)}`;
}

export async function createTrackingComment(
  octokit: ClawOctokit,
  target: RepoRef & { number: number },
  input: TrackingCommentInput,
): Promise<number> {
  const response = await octokit.rest.issues.createComment({
    owner: target.owner,
    repo: target.repo,
    issue_number: target.number,
    body: renderTrackingComment(input),
  });
  return response.data.id;
}

/**
 * The job's tracking comment found on the thread by its hidden marker: after a crash between GitHub creating it and
 * Claw recording its id, a retry reuses it instead of posting a second one.
 */
export async function findTrackingComment(
  octokit: ClawOctokit,
  target: RepoRef & { number: number },
  jobId: string,
): Promise<number | undefined> {
  const marker = trackingMarker(jobId);
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.number,
    per_page: 100,
  })) {
    const found = page.data.find((comment) => (comment.body ?? '').includes(marker));
    if (found !== undefined) return found.id;
  }
  return undefined;
}

export async function updateTrackingComment(
  octokit: ClawOctokit,
  repo: RepoRef,
  commentId: number,
  input: TrackingCommentInput,
): Promise<void> {
  await octokit.rest.issues.updateComment({
    owner: repo.owner,
    repo: repo.repo,
    comment_id: commentId,
    body: renderTrackingComment(input),
  });
}

export async function deleteTrackingComment(
  octokit: ClawOctokit,
  repo: RepoRef,
  commentId: number,
): Promise<void> {
  await octokit.rest.issues.deleteComment({
    owner: repo.owner,
    repo: repo.repo,
    comment_id: commentId,
  });
}
