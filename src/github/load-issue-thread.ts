// Reads what the agent may know of an issue: title, body and the comments written before the trigger, all
// sanitized (hidden text removed), without comments edited after the trigger and without Claw's own tracking comments.
import type { ClawOctokit } from './octokit-factory.js';
import type { RepoRef } from './parse-trigger.js';
import { commentsBeforeTrigger, sanitizeIssueText } from './sanitize-issue-text.js';
import { TRACKING_MARKER } from './tracking-comment.js';

export interface ThreadComment {
  author: string;
  body: string;
  createdAt: string;
}

export interface IssueThread {
  number: number;
  title: string;
  body: string;
  author: string;
  url: string;
  state: string;
  isPullRequest: boolean;
  comments: ThreadComment[];
  /** Comments left out because they were edited after the trigger. */
  droppedEdited: number;
}

export interface LoadIssueThreadOptions {
  /** The comment that triggered the job: its creation time is the cut-off. */
  triggerCommentId?: number | undefined;
  /** The cut-off when no comment triggered the job (label, assignment, issue body). */
  triggeredAt: Date;
  /** At most this many comments (the newest) reach the model. */
  maxComments?: number;
}

export async function loadIssueThread(
  octokit: ClawOctokit,
  repo: RepoRef,
  issueNumber: number,
  options: LoadIssueThreadOptions,
): Promise<IssueThread> {
  const { data: issue } = await octokit.rest.issues.get({
    owner: repo.owner,
    repo: repo.repo,
    issue_number: issueNumber,
  });
  let cutOff = options.triggeredAt;
  if (options.triggerCommentId !== undefined) {
    const { data: trigger } = await octokit.rest.issues.getComment({
      owner: repo.owner,
      repo: repo.repo,
      comment_id: options.triggerCommentId,
    });
    cutOff = new Date(trigger.created_at);
  }
  const all = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: repo.owner,
    repo: repo.repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const timed = all
    .filter((comment) => !(comment.body ?? '').includes(TRACKING_MARKER))
    .map((comment) => ({
      author: comment.user?.login ?? 'ghost',
      body: comment.body ?? '',
      created_at: comment.created_at,
      updated_at: comment.updated_at,
    }));
  const before = timed.filter((comment) => new Date(comment.created_at) <= cutOff);
  const kept = commentsBeforeTrigger(before, cutOff);
  const maxComments = options.maxComments ?? 50;
  return {
    number: issue.number,
    title: sanitizeIssueText(issue.title),
    body: sanitizeIssueText(issue.body ?? ''),
    author: issue.user?.login ?? 'ghost',
    url: issue.html_url,
    state: issue.state,
    isPullRequest: issue.pull_request !== undefined && issue.pull_request !== null,
    comments: kept
      .filter((comment) => comment.body !== '')
      .slice(-maxComments)
      .map((comment) => ({
        author: comment.author,
        body: comment.body,
        createdAt: comment.created_at,
      })),
    droppedEdited: before.length - kept.length,
  };
}
