// Pull requests Claw opens for an issue: find the open one for a branch, and open or update it so that a
// re-run (after a crash, or a follow-up trigger) never leaves a second PR behind.
import type { ClawOctokit } from './octokit-factory.js';
import type { RepoRef } from './parse-trigger.js';

export interface PullRequestRef {
  number: number;
  url: string;
  headRef: string;
  draft: boolean;
}

export interface UpsertPullRequestInput {
  head: string;
  base: string;
  title: string;
  body: string;
  draft: boolean;
}

export interface UpsertPullRequestResult extends PullRequestRef {
  created: boolean;
}

interface PullLike {
  number: number;
  html_url: string;
  draft?: boolean | undefined;
  head: { ref: string; repo?: { full_name?: string } | null };
}

function toRef(pull: PullLike): PullRequestRef {
  return {
    number: pull.number,
    url: pull.html_url,
    headRef: pull.head.ref,
    draft: pull.draft === true,
  };
}

/** The open PR whose head is `branch` in this repository (not a fork's branch of the same name). */
export async function findOpenPullRequest(
  octokit: ClawOctokit,
  repo: RepoRef,
  branch: string,
): Promise<PullRequestRef | undefined> {
  const response = await octokit.rest.pulls.list({
    owner: repo.owner,
    repo: repo.repo,
    state: 'open',
    head: `${repo.owner}:${branch}`,
    per_page: 10,
  });
  const pull = response.data.find((candidate) => candidate.head.ref === branch);
  return pull === undefined ? undefined : toRef(pull);
}

/**
 * Claw's open PR for an issue, found by branch prefix (`claw/issue-12-`), so a follow-up reuses the branch even
 * when the issue was renamed since. Only branches of this repository count.
 */
export async function findIssuePullRequest(
  octokit: ClawOctokit,
  repo: RepoRef,
  branchStem: string,
): Promise<PullRequestRef | undefined> {
  const fullName = `${repo.owner}/${repo.repo}`.toLowerCase();
  for await (const page of octokit.paginate.iterator(octokit.rest.pulls.list, {
    owner: repo.owner,
    repo: repo.repo,
    state: 'open',
    sort: 'updated',
    direction: 'desc',
    per_page: 100,
  })) {
    const pull = page.data.find(
      (candidate) =>
        (candidate.head.ref === branchStem || candidate.head.ref.startsWith(`${branchStem}-`)) &&
        candidate.head.repo?.full_name.toLowerCase() === fullName,
    );
    if (pull !== undefined) return toRef(pull);
  }
  return undefined;
}

function isAlreadyExists(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  const message = String((error as { message?: unknown }).message ?? '');
  return status === 422 && /already exists/i.test(message);
}

/** Updates the open PR from `head`, or opens one; a PR created concurrently is found and updated instead. */
export async function upsertPullRequest(
  octokit: ClawOctokit,
  repo: RepoRef,
  input: UpsertPullRequestInput,
): Promise<UpsertPullRequestResult> {
  const update = async (existing: PullRequestRef): Promise<UpsertPullRequestResult> => {
    const response = await octokit.rest.pulls.update({
      owner: repo.owner,
      repo: repo.repo,
      pull_number: existing.number,
      title: input.title,
      body: input.body,
    });
    return { ...toRef(response.data), created: false };
  };
  const existing = await findOpenPullRequest(octokit, repo, input.head);
  if (existing !== undefined) return update(existing);
  try {
    const response = await octokit.rest.pulls.create({
      owner: repo.owner,
      repo: repo.repo,
      head: input.head,
      base: input.base,
      title: input.title,
      body: input.body,
      draft: input.draft,
      maintainer_can_modify: true,
    });
    return { ...toRef(response.data), created: true };
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
    const raced = await findOpenPullRequest(octokit, repo, input.head);
    if (raced === undefined) throw error;
    return update(raced);
  }
}
