// What a review needs to know of a pull request: its head and base, the files to review (all of them, or only
// what changed since Claw's last reviewed head), the comments Claw already made, and posting the one review.
import { parsePatch, type FileDiff, type FileStatus } from './diff-lines.js';
import type { ClawOctokit } from './octokit-factory.js';
import type { RepoRef } from './parse-trigger.js';

const REVIEW_MARKER = 'claw:review';

/** The hidden marker in a review body that records which head it reviewed. */
export function reviewMarker(headSha: string): string {
  return `<!-- ${REVIEW_MARKER} head=${headSha} -->`;
}

export function reviewedHeadOf(body: string | null | undefined): string | undefined {
  return new RegExp(`<!-- ${REVIEW_MARKER} head=([0-9a-f]{40}) -->`).exec(body ?? '')?.[1];
}

export interface PullRequestInfo {
  number: number;
  title: string;
  body: string;
  author: string;
  draft: boolean;
  state: string;
  url: string;
  headSha: string;
  headRef: string;
  /** `owner/repo` of the head; differs from the base for a fork. */
  headRepo: string | undefined;
  headCloneUrl: string | undefined;
  fromFork: boolean;
  maintainerCanModify: boolean;
  baseRef: string;
  baseSha: string;
}

export async function loadPullRequest(
  octokit: ClawOctokit,
  repo: RepoRef,
  number: number,
): Promise<PullRequestInfo> {
  const { data: pull } = await octokit.rest.pulls.get({
    owner: repo.owner,
    repo: repo.repo,
    pull_number: number,
  });
  const headRepo = pull.head.repo?.full_name;
  return {
    number: pull.number,
    title: pull.title,
    body: pull.body ?? '',
    author: pull.user.login,
    draft: pull.draft === true,
    state: pull.state,
    url: pull.html_url,
    headSha: pull.head.sha,
    headRef: pull.head.ref,
    headRepo,
    headCloneUrl: pull.head.repo?.clone_url,
    fromFork: headRepo?.toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase(),
    maintainerCanModify: pull.maintainer_can_modify,
    baseRef: pull.base.ref,
    baseSha: pull.base.sha,
  };
}

export interface CheckResult {
  name: string;
  conclusion: string;
  summary: string;
}

/**
 * The CI results on a commit that did not pass (failed, timed out, cancelled, needing action), for the agent's
 * context. Best effort: without the `checks: read` permission or on an API error, nothing.
 */
export async function failedChecks(
  octokit: ClawOctokit,
  repo: RepoRef,
  sha: string,
): Promise<CheckResult[]> {
  try {
    const { data } = await octokit.rest.checks.listForRef({
      owner: repo.owner,
      repo: repo.repo,
      ref: sha,
      per_page: 100,
    });
    return data.check_runs
      .filter((run) =>
        ['failure', 'timed_out', 'cancelled', 'action_required'].includes(run.conclusion ?? ''),
      )
      .map((run) => ({
        name: run.name,
        conclusion: run.conclusion ?? 'unknown',
        summary: (run.output.summary ?? run.output.title ?? '').slice(0, 2000),
      }));
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 403 || status === 404) return [];
    throw error;
  }
}

/** The failed checks as a section of the agent's task, or '' when CI has nothing to say. */
export function describeFailedChecks(checks: readonly CheckResult[]): string {
  if (checks.length === 0) return '';
  const lines = checks.map(
    (check) =>
      `- ${check.name}: ${check.conclusion}${check.summary === '' ? '' : `\n  ${check.summary.replace(/\n/g, '\n  ')}`}`,
  );
  return `CI on this head did not pass:\n${lines.join('\n')}`;
}

/** A text file at a ref (e.g. the base branch's AGENTS.md), or undefined when there is none. */
export async function readFileAt(
  octokit: ClawOctokit,
  repo: RepoRef,
  ref: string,
  filePath: string,
): Promise<string | undefined> {
  try {
    const { data } = await octokit.rest.repos.getContent({
      owner: repo.owner,
      repo: repo.repo,
      path: filePath,
      ref,
    });
    if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) return undefined;
    return Buffer.from(data.content, 'base64').toString('utf8');
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

/** The head SHA of Claw's latest review on the PR, from the marker in its body. */
export async function lastReviewedHead(
  octokit: ClawOctokit,
  repo: RepoRef,
  number: number,
  botLogin: string,
): Promise<string | undefined> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, {
    owner: repo.owner,
    repo: repo.repo,
    pull_number: number,
    per_page: 100,
  });
  let last: string | undefined;
  for (const review of reviews) {
    if (review.user?.login.toLowerCase() !== botLogin.toLowerCase()) continue;
    last = reviewedHeadOf(review.body) ?? last;
  }
  return last;
}

export interface ReviewFile {
  diff: FileDiff;
  additions: number;
  deletions: number;
}

interface ListedFile {
  filename: string;
  previous_filename?: string | undefined;
  status: string;
  additions: number;
  deletions: number;
  patch?: string | undefined;
}

function toReviewFile(file: ListedFile): ReviewFile {
  const status: FileStatus =
    file.status === 'added'
      ? 'added'
      : file.status === 'removed'
        ? 'removed'
        : file.status === 'renamed'
          ? 'renamed'
          : 'modified';
  return {
    diff: parsePatch(file.filename, file.patch ?? '', {
      status,
      ...(file.previous_filename === undefined ? {} : { previousPath: file.previous_filename }),
    }),
    additions: file.additions,
    deletions: file.deletions,
  };
}

/** Every file of the pull request with its patch. */
export async function pullRequestFiles(
  octokit: ClawOctokit,
  repo: RepoRef,
  number: number,
): Promise<ReviewFile[]> {
  const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
    owner: repo.owner,
    repo: repo.repo,
    pull_number: number,
    per_page: 100,
  });
  return files.map(toReviewFile);
}

/**
 * The files changed between two heads (an incremental re-review), or undefined when `since` is no longer an
 * ancestor of `head` (a force push), in which case the whole PR is reviewed again.
 */
export async function filesSince(
  octokit: ClawOctokit,
  repo: RepoRef,
  since: string,
  head: string,
): Promise<ReviewFile[] | undefined> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: repo.owner,
      repo: repo.repo,
      basehead: `${since}...${head}`,
    });
    if (data.status !== 'ahead' && data.status !== 'identical') return undefined;
    return (data.files ?? []).map(toReviewFile);
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}

export interface ExistingComment {
  path: string;
  line: number | undefined;
  body: string;
}

/** The inline comments Claw already left on the PR, so a re-review does not say the same thing twice. */
export async function botReviewComments(
  octokit: ClawOctokit,
  repo: RepoRef,
  number: number,
  botLogin: string,
): Promise<ExistingComment[]> {
  const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, {
    owner: repo.owner,
    repo: repo.repo,
    pull_number: number,
    per_page: 100,
  });
  return comments
    .filter((comment) => comment.user?.login.toLowerCase() === botLogin.toLowerCase())
    .map((comment) => ({
      path: comment.path,
      line: comment.line ?? comment.original_line ?? undefined,
      body: comment.body,
    }));
}

export type ReviewEvent = 'COMMENT' | 'APPROVE' | 'REQUEST_CHANGES';

export interface InlineComment {
  path: string;
  line: number;
  side: 'LEFT' | 'RIGHT';
  start_line?: number;
  start_side?: 'LEFT' | 'RIGHT';
  body: string;
}

export async function postReview(
  octokit: ClawOctokit,
  repo: RepoRef,
  number: number,
  review: { headSha: string; body: string; event: ReviewEvent; comments: InlineComment[] },
): Promise<{ id: number; url: string }> {
  const { data } = await octokit.rest.pulls.createReview({
    owner: repo.owner,
    repo: repo.repo,
    pull_number: number,
    commit_id: review.headSha,
    body: review.body,
    event: review.event,
    comments: review.comments,
  });
  return { id: data.id, url: data.html_url };
}
