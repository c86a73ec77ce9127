// The conversation a follow-up on a pull request answers: a review-comment thread (with path, line and diff hunk),
// a review's body, or the PR conversation; and the reply Claw leaves in that same place.
import { loadIssueThread, type ThreadComment } from './load-issue-thread.js';
import type { ClawOctokit } from './octokit-factory.js';
import type { RepoRef } from './parse-trigger.js';
import { sanitizeIssueText } from './sanitize-issue-text.js';

export type FollowUpSource = 'issue-comment' | 'review-comment' | 'review';

export interface ReviewThread {
  source: FollowUpSource;
  /** For review comments: where the thread is anchored. */
  path?: string | undefined;
  line?: number | undefined;
  diffHunk?: string | undefined;
  /** Oldest first, sanitized, up to the trigger. */
  comments: ThreadComment[];
  /** Where a reply goes: the thread's first comment (review comments) or the PR conversation. */
  replyTo: { type: 'review-comment'; commentId: number } | { type: 'conversation' };
}

export async function loadReviewThread(
  octokit: ClawOctokit,
  repo: RepoRef,
  pullNumber: number,
  trigger: {
    source: FollowUpSource;
    commentId: number;
    inReplyToId?: number | undefined;
    triggeredAt: Date;
  },
): Promise<ReviewThread> {
  if (trigger.source === 'review-comment') {
    const { data: comment } = await octokit.rest.pulls.getReviewComment({
      owner: repo.owner,
      repo: repo.repo,
      comment_id: trigger.commentId,
    });
    const rootId = trigger.inReplyToId ?? comment.in_reply_to_id ?? comment.id;
    const all = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
      owner: repo.owner,
      repo: repo.repo,
      pull_number: pullNumber,
      per_page: 100,
    });
    const cutOff = new Date(comment.created_at).getTime();
    const thread = all
      .filter((c) => c.id === rootId || c.in_reply_to_id === rootId)
      .filter(
        (c) =>
          new Date(c.created_at).getTime() <= cutOff && new Date(c.updated_at).getTime() <= cutOff,
      )
      .sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime());
    const root = all.find((c) => c.id === rootId) ?? comment;
    return {
      source: 'review-comment',
      path: root.path,
      line: root.line ?? root.original_line ?? undefined,
      diffHunk: root.diff_hunk,
      comments: (thread.length > 0 ? thread : [comment]).map((c) => ({
        author: c.user?.login ?? 'ghost',
        body: sanitizeIssueText(c.body),
        createdAt: c.created_at,
      })),
      replyTo: { type: 'review-comment', commentId: rootId },
    };
  }
  if (trigger.source === 'review') {
    const { data: review } = await octokit.rest.pulls.getReview({
      owner: repo.owner,
      repo: repo.repo,
      pull_number: pullNumber,
      review_id: trigger.commentId,
    });
    return {
      source: 'review',
      comments: [
        {
          author: review.user?.login ?? 'ghost',
          body: sanitizeIssueText(review.body ?? ''),
          createdAt: review.submitted_at ?? trigger.triggeredAt.toISOString(),
        },
      ],
      replyTo: { type: 'conversation' },
    };
  }
  const conversation = await loadIssueThread(octokit, repo, pullNumber, {
    triggerCommentId: trigger.commentId,
    triggeredAt: trigger.triggeredAt,
    maxComments: 20,
  });
  return {
    source: 'issue-comment',
    comments: conversation.comments,
    replyTo: { type: 'conversation' },
  };
}

/** Replies where the user asked: in the review-comment thread, else on the PR conversation. */
export async function replyInThread(
  octokit: ClawOctokit,
  repo: RepoRef,
  pullNumber: number,
  thread: Pick<ReviewThread, 'replyTo'>,
  body: string,
): Promise<{ id: number; url: string }> {
  if (thread.replyTo.type === 'review-comment') {
    const { data } = await octokit.rest.pulls.createReplyForReviewComment({
      owner: repo.owner,
      repo: repo.repo,
      pull_number: pullNumber,
      comment_id: thread.replyTo.commentId,
      body,
    });
    return { id: data.id, url: data.html_url };
  }
  const { data } = await octokit.rest.issues.createComment({
    owner: repo.owner,
    repo: repo.repo,
    issue_number: pullNumber,
    body,
  });
  return { id: data.id, url: data.html_url };
}
