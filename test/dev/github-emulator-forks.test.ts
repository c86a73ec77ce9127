import { jest } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GitHubEmulator, EmulatedRepo } from '../../src/dev/github-emulator.js';
import { makeTempDir } from '../support/git-repo.js';
import {
  appOctokit,
  gitAs,
  installationOctokit,
  startEmulator,
  type TestOctokit,
} from './emulator-fixture.js';

// Real git over real processes on a shared 2-core machine: give each test room.
jest.setTimeout(90_000);

describe('GitHub emulator: pull request refs and forks', () => {
  let emulator: GitHubEmulator;
  let repo: EmulatedRepo;
  let octokit: TestOctokit;
  let token: string;

  beforeEach(async () => {
    emulator = await startEmulator();
    repo = await emulator.seedRepo({
      owner: 'octo',
      name: 'demo',
      files: { 'src/app.ts': 'export const answer = 41;\nexport const other = 1;\n' },
    });
    octokit = installationOctokit(emulator, emulator.installationId(repo));
    token = (
      await appOctokit(emulator).rest.apps.createInstallationAccessToken({
        installation_id: emulator.installationId(repo),
      })
    ).data.token;
  });
  afterEach(async () => {
    emulator.assertNoViolations();
    await emulator.close();
  });

  /** Commits files on `branch` of a bare repository by pushing to its directory, as a test helper might. */
  async function commitDirectly(
    target: EmulatedRepo,
    branch: string,
    files: Record<string, string>,
    message: string,
  ): Promise<string> {
    const dir = await makeTempDir();
    await gitAs(dir, ['clone', '--quiet', target.bareDir, 'w']);
    const work = path.join(dir, 'w');
    await gitAs(work, ['checkout', '--quiet', '-B', branch, `origin/${branch}`]).catch(() =>
      gitAs(work, ['checkout', '--quiet', '-b', branch]),
    );
    for (const [file, content] of Object.entries(files)) {
      await writeFile(path.join(work, file), content);
    }
    await gitAs(work, ['add', '--all']);
    await gitAs(work, ['commit', '--quiet', '-m', message]);
    await gitAs(work, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
    return (await gitAs(work, ['rev-parse', 'HEAD'])).stdout.trim();
  }

  /** Fetches `refs/pull/<n>/head` through the base repository's clone URL with the installation token. */
  async function fetchPullHead(number: number): Promise<string> {
    const dir = await makeTempDir();
    await gitAs(dir, ['init', '--quiet', '--bare', 'probe.git']);
    const probe = path.join(dir, 'probe.git');
    await gitAs(
      probe,
      ['fetch', '--quiet', emulator.cloneUrl(repo), `+refs/pull/${number}/head:refs/x`],
      token,
    );
    return (await gitAs(probe, ['rev-parse', 'refs/x'])).stdout.trim();
  }

  async function forkWithBranch(owner = 'alice') {
    const fork = await emulator.fork(repo, { owner });
    const headSha = await commitDirectly(
      fork,
      'feature',
      {
        'src/app.ts': 'export const answer = 42;\nexport const other = 1;\n',
        'src/new.ts': 'line 1\nline 2\nline 3\n',
      },
      'Fix the answer',
    );
    return { fork, headSha };
  }

  describe('refs/pull/<n>/head', () => {
    it('points at the head commit and follows pushes over smart HTTP and into the bare directory', async () => {
      const dir = await makeTempDir();
      await gitAs(dir, ['clone', '--quiet', emulator.cloneUrl(repo), 'w'], token);
      const work = path.join(dir, 'w');
      await gitAs(work, ['checkout', '--quiet', '-b', 'feature']);
      await writeFile(path.join(work, 'a.txt'), 'one\n');
      await gitAs(work, ['add', '.']);
      await gitAs(work, ['commit', '--quiet', '-m', 'one']);
      await gitAs(work, ['push', '--quiet', 'origin', 'feature'], token);
      const first = (await gitAs(work, ['rev-parse', 'HEAD'])).stdout.trim();
      const { data: pull } = await octokit.rest.pulls.create({
        owner: 'octo',
        repo: 'demo',
        title: 'One',
        head: 'feature',
        base: 'main',
      });

      const atOpen = await fetchPullHead(pull.number);
      await writeFile(path.join(work, 'a.txt'), 'two\n');
      await gitAs(work, ['commit', '--quiet', '-am', 'two']);
      await gitAs(work, ['push', '--quiet', 'origin', 'feature'], token);
      const second = (await gitAs(work, ['rev-parse', 'HEAD'])).stdout.trim();
      const afterHttpPush = await emulator.pullHeadSha(repo, pull.number);
      const third = await commitDirectly(repo, 'feature', { 'a.txt': 'three\n' }, 'three');
      const afterDirectPush = await fetchPullHead(pull.number);
      const { data: got } = await octokit.rest.pulls.get({
        owner: 'octo',
        repo: 'demo',
        pull_number: pull.number,
      });

      expect(atOpen).toBe(first);
      expect(afterHttpPush).toBe(second);
      expect(afterDirectPush).toBe(third);
      expect(got.head.sha).toBe(third);
    });

    it('refuses a client push to refs/pull/*, as GitHub does', async () => {
      const { fork, headSha } = await forkWithBranch();
      const pull = await emulator.createForkPullRequest(repo, fork, {
        head: 'feature',
        title: 'Fix',
        user: 'alice',
      });
      const dir = await makeTempDir();
      await gitAs(dir, ['clone', '--quiet', emulator.cloneUrl(repo), 'w'], token);
      const work = path.join(dir, 'w');

      await expect(
        gitAs(work, ['push', 'origin', `HEAD:refs/pull/${pull.number}/head`], token),
      ).rejects.toThrow(/hidden ref|rejected/);
      expect(await emulator.pullHeadSha(repo, pull.number)).toBe(headSha);
    });
  });

  describe('pull requests from forks', () => {
    it('shows the fork as head.repo in pulls.get, pulls.list and the webhook payload', async () => {
      const { fork, headSha } = await forkWithBranch();
      const pull = await emulator.createForkPullRequest(repo, fork, {
        head: 'feature',
        title: 'Fix the answer',
        body: 'Fixes it',
        user: 'alice',
        maintainerCanModify: false,
      });

      const { data: got } = await octokit.rest.pulls.get({
        owner: 'octo',
        repo: 'demo',
        pull_number: pull.number,
      });
      const { data: listed } = await octokit.rest.pulls.list({
        owner: 'octo',
        repo: 'demo',
        head: 'alice:feature',
      });
      const { data: sameName } = await octokit.rest.pulls.list({
        owner: 'octo',
        repo: 'demo',
        head: 'octo:feature',
      });
      const payload = await emulator.pullRequestPayload(repo, pull);

      const shape = {
        number: pull.number,
        user: { login: 'alice' },
        maintainer_can_modify: false,
        commits: 1,
        changed_files: 2,
        head: {
          label: 'alice:feature',
          ref: 'feature',
          sha: headSha,
          user: { login: 'alice' },
          repo: {
            full_name: 'alice/demo',
            fork: true,
            owner: { login: 'alice' },
            clone_url: emulator.cloneUrl(fork),
          },
        },
        base: {
          label: 'octo:main',
          ref: 'main',
          sha: await emulator.branchSha(repo, 'main'),
          repo: { full_name: 'octo/demo', fork: false, clone_url: emulator.cloneUrl(repo) },
        },
      };
      expect(got).toMatchObject(shape);
      expect(payload).toMatchObject(shape);
      expect(listed.map((p) => p.number)).toEqual([pull.number]);
      expect(sameName).toEqual([]);
      expect(emulator.issuePayload(repo, pull)).toMatchObject({
        number: pull.number,
        pull_request: { url: `${emulator.apiUrl}/repos/octo/demo/pulls/${pull.number}` },
      });
      expect(await emulator.pullHeadSha(repo, pull.number)).toBe(headSha);
    });

    it('serves files with patch (paged), commits, the diff and compare for a fork pull request', async () => {
      const { fork, headSha } = await forkWithBranch();
      const pull = await emulator.createForkPullRequest(repo, fork, {
        head: 'feature',
        title: 'Fix',
        user: 'alice',
      });
      const params = { owner: 'octo', repo: 'demo', pull_number: pull.number };

      const { data: firstPage, headers } = await octokit.rest.pulls.listFiles({
        ...params,
        per_page: 1,
      });
      const files = await octokit.paginate(octokit.rest.pulls.listFiles, {
        ...params,
        per_page: 1,
      });
      const { data: commits } = await octokit.rest.pulls.listCommits(params);
      const diff = await octokit.rest.pulls.get({ ...params, mediaType: { format: 'diff' } });
      const { data: compare } = await octokit.rest.repos.compareCommitsWithBasehead({
        owner: 'octo',
        repo: 'demo',
        basehead: `main...${headSha}`,
      });
      const { data: crossRepo } = await octokit.rest.repos.compareCommitsWithBasehead({
        owner: 'octo',
        repo: 'demo',
        basehead: 'main...alice:feature',
      });

      expect(firstPage).toHaveLength(1);
      expect(headers.link).toContain('rel="next"');
      expect(files.map((f) => [f.filename, f.status, f.patch])).toEqual([
        [
          'src/app.ts',
          'modified',
          '@@ -1,2 +1,2 @@\n-export const answer = 41;\n+export const answer = 42;\n export const other = 1;',
        ],
        ['src/new.ts', 'added', '@@ -0,0 +1,3 @@\n+line 1\n+line 2\n+line 3'],
      ]);
      expect(commits.map((c) => [c.sha, c.commit.message])).toEqual([[headSha, 'Fix the answer']]);
      expect(String(diff.data)).toContain('+export const answer = 42;');
      expect(compare).toMatchObject({ status: 'ahead', ahead_by: 1, total_commits: 1 });
      expect(compare.files?.map((f) => [f.filename, f.patch !== undefined])).toEqual([
        ['src/app.ts', true],
        ['src/new.ts', true],
      ]);
      expect(crossRepo).toMatchObject({ status: 'ahead', ahead_by: 1 });
      expect(crossRepo.commits.map((c) => c.sha)).toEqual([headSha]);
    });

    it('posts a review on a fork pull request diff line, then reads it back and threads a reply', async () => {
      const { fork, headSha } = await forkWithBranch();
      const pull = await emulator.createForkPullRequest(repo, fork, {
        head: 'feature',
        title: 'Fix',
        user: 'alice',
      });
      const params = { owner: 'octo', repo: 'demo', pull_number: pull.number };

      const { data: review } = await octokit.rest.pulls.createReview({
        ...params,
        commit_id: headSha,
        event: 'REQUEST_CHANGES',
        body: 'Two things',
        comments: [
          {
            path: 'src/new.ts',
            line: 3,
            side: 'RIGHT',
            start_line: 2,
            start_side: 'RIGHT',
            body: 'Range',
          },
          { path: 'src/app.ts', line: 1, side: 'LEFT', body: 'Old line' },
        ],
      });
      const { data: gotReview } = await octokit.rest.pulls.getReview({
        ...params,
        review_id: review.id,
      });
      const { data: comments } = await octokit.rest.pulls.listReviewComments(params);
      const first = comments[0] as (typeof comments)[number];
      const { data: gotComment } = await octokit.rest.pulls.getReviewComment({
        owner: 'octo',
        repo: 'demo',
        comment_id: first.id,
      });
      const { data: replied } = await octokit.rest.pulls.createReplyForReviewComment({
        ...params,
        comment_id: first.id,
        body: 'Fixed.',
      });

      expect(gotReview).toMatchObject({
        id: review.id,
        state: 'CHANGES_REQUESTED',
        commit_id: headSha,
        body: 'Two things',
      });
      expect(comments.map((c) => [c.path, c.start_line, c.line, c.side, c.commit_id])).toEqual([
        ['src/new.ts', 2, 3, 'RIGHT', headSha],
        ['src/app.ts', null, 1, 'LEFT', headSha],
      ]);
      expect(gotComment).toMatchObject({ id: first.id, pull_request_review_id: review.id });
      expect(replied).toMatchObject({ in_reply_to_id: first.id, body: 'Fixed.' });
      await expect(
        octokit.rest.pulls.getReview({ ...params, review_id: review.id + 999 }),
      ).rejects.toMatchObject({ status: 404 });
      await expect(
        octokit.rest.pulls.createReview({
          ...params,
          commit_id: headSha,
          event: 'COMMENT',
          comments: [{ path: 'src/app.ts', line: 9, body: 'not in the diff' }],
        }),
      ).rejects.toMatchObject({ status: 422 });
      expect(emulator.reviews(repo, pull.number)).toHaveLength(1);
    });

    it('opens a pull request from `forkowner:branch` through pulls.create', async () => {
      const { fork, headSha } = await forkWithBranch();

      const { data: created } = await octokit.rest.pulls.create({
        owner: 'octo',
        repo: 'demo',
        title: 'From the fork',
        head: 'alice:feature',
        base: 'main',
        maintainer_can_modify: true,
      });
      const duplicate = octokit.rest.pulls.create({
        owner: 'octo',
        repo: 'demo',
        title: 'Again',
        head: 'alice:feature',
        base: 'main',
      });
      const unknownOwner = octokit.rest.pulls.create({
        owner: 'octo',
        repo: 'demo',
        title: 'Nobody',
        head: 'mallory:feature',
        base: 'main',
      });

      expect(created).toMatchObject({
        head: { label: 'alice:feature', sha: headSha, repo: { full_name: 'alice/demo' } },
        maintainer_can_modify: true,
        commits: 1,
      });
      await expect(duplicate).rejects.toMatchObject({ status: 422 });
      await expect(unknownOwner).rejects.toMatchObject({ status: 422 });
      expect(await emulator.pullHeadSha(repo, created.number)).toBe(headSha);
      expect(emulator.pullRequests(repo)[0]?.pull?.headRepoId).toBe(fork.id);
    });
  });

  describe('maintainer pushes to a fork', () => {
    async function cloneFork(fork: EmulatedRepo): Promise<string> {
      const dir = await makeTempDir();
      await gitAs(dir, ['clone', '--quiet', emulator.cloneUrl(fork), 'w'], token);
      const work = path.join(dir, 'w');
      await gitAs(work, ['checkout', '--quiet', 'feature']);
      await writeFile(path.join(work, 'src/new.ts'), 'line 1\nline 2 fixed\nline 3\n');
      await gitAs(work, ['commit', '--quiet', '-am', 'Fix line 2']);
      return work;
    }

    it('accepts a push to the head branch with the base installation token, and the PR head follows', async () => {
      const { fork } = await forkWithBranch();
      const pull = await emulator.createForkPullRequest(repo, fork, {
        head: 'feature',
        title: 'Fix',
        user: 'alice',
        maintainerCanModify: true,
      });
      const work = await cloneFork(fork);
      const pushed = (await gitAs(work, ['rev-parse', 'HEAD'])).stdout.trim();

      await gitAs(work, ['push', '--quiet', 'origin', 'feature'], token);
      const refAfterPush = await emulator.pullHeadSha(repo, pull.number);
      const fetched = await fetchPullHead(pull.number);
      const { data: got } = await octokit.rest.pulls.get({
        owner: 'octo',
        repo: 'demo',
        pull_number: pull.number,
      });

      expect(await emulator.branchSha(fork, 'feature')).toBe(pushed);
      expect(refAfterPush).toBe(pushed);
      expect(fetched).toBe(pushed);
      expect(got).toMatchObject({ head: { sha: pushed }, commits: 2 });
    });

    it('rejects, with the same token, a push to another branch of the fork', async () => {
      const { fork, headSha } = await forkWithBranch();
      await emulator.createForkPullRequest(repo, fork, {
        head: 'feature',
        title: 'Fix',
        user: 'alice',
      });
      const work = await cloneFork(fork);

      await expect(
        gitAs(work, ['push', '--quiet', 'origin', 'HEAD:refs/heads/other'], token),
      ).rejects.toThrow(/403/);
      await expect(
        gitAs(work, ['push', '--quiet', 'origin', 'HEAD:feature', 'HEAD:main'], token),
      ).rejects.toThrow(/403/);
      await expect(gitAs(work, ['push', '--quiet', 'origin', ':feature'], token)).rejects.toThrow(
        /403/,
      );

      expect(await emulator.branchSha(fork, 'other')).toBeUndefined();
      expect(await emulator.branchSha(fork, 'feature')).toBe(headSha);
    });

    it('rejects the push when the PR does not allow edits by maintainers, or is closed', async () => {
      const { fork, headSha } = await forkWithBranch();
      const pull = await emulator.createForkPullRequest(repo, fork, {
        head: 'feature',
        title: 'Fix',
        user: 'alice',
        maintainerCanModify: false,
      });
      const work = await cloneFork(fork);

      const denied = gitAs(work, ['push', '--quiet', 'origin', 'feature'], token);
      await expect(denied).rejects.toThrow(/403/);
      pull.pull.maintainerCanModify = true;
      pull.state = 'closed';
      const closed = gitAs(work, ['push', '--quiet', 'origin', 'feature'], token);
      await expect(closed).rejects.toThrow(/403/);

      expect(await emulator.branchSha(fork, 'feature')).toBe(headSha);
      expect(
        emulator
          .requests()
          .filter((r) => r.operationId === 'git' && r.path === '/alice/demo.git/info/refs')
          .map((r) => [r.query, r.status]),
      ).toEqual(
        expect.arrayContaining([
          ['?service=git-upload-pack', 200],
          ['?service=git-receive-pack', 403],
        ]),
      );
    });

    it('refuses a fork with no pull request into the installation, even for reads', async () => {
      const { fork } = await forkWithBranch();
      const dir = await makeTempDir();

      await expect(
        gitAs(dir, ['clone', '--quiet', emulator.cloneUrl(fork), 'w'], token),
      ).rejects.toThrow(/401|Authentication failed|could not read Username/);
      expect(
        emulator
          .requests()
          .filter((r) => r.operationId === 'git' && r.path.startsWith('/alice/demo.git'))
          .map((r) => r.status),
      ).toEqual([401]);
    });
  });
});
