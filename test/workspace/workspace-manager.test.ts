import { jest } from '@jest/globals';
import { access, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitConflictError } from '../../src/lib/index.js';
import type { BeforePushInput } from '../../src/workspace/index.js';
import { git } from '../support/git-repo.js';
import {
  BOT,
  createManager,
  createUpstream,
  jobOptions,
  removeCaches,
  type Upstream,
} from './helpers.js';

// Real git over real processes on a shared 2-core machine: give each test room.
jest.setTimeout(90_000);
afterEach(() => removeCaches());

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function objectCount(mirror: string): Promise<number> {
  const out = await git(mirror, ['count-objects', '-v']);
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
  return field('count') + field('in-pack');
}

describe('WorkspaceManager', () => {
  let upstream: Upstream;
  beforeEach(async () => {
    const files: Record<string, string> = { 'src/app.ts': 'export const answer = 41;\n' };
    for (let i = 0; i < 40; i++) files[`docs/page-${i}.md`] = `page ${i}\n`.repeat(20);
    upstream = await createUpstream(files);
  });
  afterEach(async () => upstream.cleanup());

  it('clones a mirror on the first job and only fetches new objects on the next', async () => {
    const { manager } = await createManager();

    const first = await manager.prepare(jobOptions(upstream));
    const mirror = mirrorOf(manager, upstream);
    await first.dispose();
    await writeFile(path.join(mirror, 'marker'), 'still the same mirror');
    const before = await objectCount(mirror);
    const newSha = await upstream.pushAsHuman('main', {
      'src/app.ts': 'export const answer = 42;\n',
    });
    const second = await manager.prepare(jobOptions(upstream, { jobId: 'job-2' }));

    expect(await exists(path.join(mirror, 'marker'))).toBe(true);
    expect(second.baseSha).toBe(newSha);
    expect(await readFile(path.join(second.dir, 'src/app.ts'), 'utf8')).toBe(
      'export const answer = 42;\n',
    );
    // One commit touching one file in a folder: commit, root tree, src tree, blob.
    expect((await objectCount(mirror)) - before).toBe(4);
    await second.dispose();
  });

  it('puts each job in its own worktree on the default branch and removes it afterwards', async () => {
    const { manager } = await createManager({ keepWorktreesPerRepo: 0 });

    const workspace = await manager.prepare(jobOptions(upstream));

    expect(workspace.base).toBe('main');
    expect(workspace.baseSha).toBe(await upstream.tip('main'));
    expect(await git(workspace.dir, ['symbolic-ref', '--short', 'HEAD'])).toBe(
      'claw/issue-1-fix-answer',
    );
    expect(await git(workspace.dir, ['rev-parse', 'HEAD'])).toBe(workspace.baseSha);
    const mirror = mirrorOf(manager, upstream);
    expect(await git(mirror, ['worktree', 'list'])).toContain(workspace.dir);

    await workspace.dispose();

    expect(await exists(workspace.dir)).toBe(false);
    expect(await git(mirror, ['worktree', 'list'])).not.toContain(workspace.dir);
    expect(await git(mirror, ['branch', '--list', 'claw/*'])).toBe('');
    expect(await readdir(manager.layout.worktrees)).toEqual([]);
  });

  it('starts from the configured base branch instead of the default', async () => {
    const releaseSha = await upstream.pushAsHuman('release/1.x', { 'CHANGELOG.md': '1.x\n' });
    const { manager } = await createManager();

    const workspace = await manager.prepare(jobOptions(upstream, { base: 'release/1.x' }));

    expect(workspace.baseSha).toBe(releaseSha);
    expect(await exists(path.join(workspace.dir, 'CHANGELOG.md'))).toBe(true);
    await workspace.dispose();
  });

  it('starts from a pull request ref that is not a branch when startRef names one', async () => {
    const headSha = await upstream.pushAsHuman('feature', {
      'src/app.ts': 'export const answer = 42;\n',
    });
    await git(upstream.remote.dir, ['update-ref', 'refs/pull/7/head', headSha]);
    await git(upstream.remote.dir, ['update-ref', '-d', 'refs/heads/feature']);
    const { manager } = await createManager();

    const workspace = await manager.prepare(
      jobOptions(upstream, { branch: 'claw-review/pr-7', startRef: 'refs/pull/7/head' }),
    );

    expect(await git(workspace.dir, ['rev-parse', 'HEAD'])).toBe(headSha);
    expect(await readFile(path.join(workspace.dir, 'src/app.ts'), 'utf8')).toBe(
      'export const answer = 42;\n',
    );
    await workspace.dispose();
    await expect(
      manager.prepare(
        jobOptions(upstream, { jobId: 'job-2', branch: 'x', startRef: 'refs/pull/../../etc' }),
      ),
    ).rejects.toThrow('not a ref Claw fetches');
  });

  it('fails clearly when the base branch does not exist', async () => {
    const { manager } = await createManager();
    await expect(manager.prepare(jobOptions(upstream, { base: 'nope' }))).rejects.toThrow(
      'The base branch "nope" does not exist in octo/demo.',
    );
    expect(await readdir(manager.layout.worktrees)).toEqual([]);
  });

  it('commits as the App bot, applies the message filter, and reports the diff and changed files', async () => {
    const { manager } = await createManager();
    const workspace = await manager.prepare(
      jobOptions(upstream, {
        filterCommitMessage: (message) => message.replace(/\nCo-Authored-By:.*$/m, ''),
      }),
    );
    await writeFile(path.join(workspace.dir, 'src/app.ts'), 'export const answer = 42;\n');
    await writeFile(path.join(workspace.dir, 'src/new.ts'), 'export const added = true;\n');
    await git(workspace.dir, ['mv', 'docs/page-1.md', 'docs/renamed.md']);

    const sha = await workspace.commit(
      'Fix the answer\n\nIt was off by one.\nCo-Authored-By: Someone <a@b.c>',
    );

    expect(sha).toBe(await workspace.head());
    expect(await git(workspace.dir, ['log', '-1', '--format=%an <%ae>|%cn <%ce>'])).toBe(
      `${BOT.name} <${BOT.email}>|${BOT.name} <${BOT.email}>`,
    );
    expect(await git(workspace.dir, ['log', '-1', '--format=%B'])).toBe(
      'Fix the answer\n\nIt was off by one.',
    );
    expect(await workspace.changedFiles()).toEqual([
      {
        path: 'docs/renamed.md',
        previousPath: 'docs/page-1.md',
        status: 'renamed',
        additions: 0,
        deletions: 0,
      },
      { path: 'src/app.ts', status: 'modified', additions: 1, deletions: 1 },
      { path: 'src/new.ts', status: 'added', additions: 1, deletions: 0 },
    ]);
    const diff = await workspace.diff();
    expect(diff).toContain('-export const answer = 41;\n+export const answer = 42;');
    expect(diff).toContain('rename from docs/page-1.md');
    expect(await workspace.commit('nothing left')).toBeUndefined();
    await workspace.dispose();
  });

  it('pushes a new branch through the gate, and a later job reuses it from its remote tip', async () => {
    const { manager } = await createManager();
    const gate: BeforePushInput[] = [];
    const first = await manager.prepare(
      jobOptions(upstream, { beforePush: (input) => void gate.push(input) }),
    );
    await writeFile(path.join(first.dir, 'src/app.ts'), 'export const answer = 42;\n');
    const sha = await first.commit('Fix the answer');

    const result = await first.push();

    expect(result).toEqual({
      pushed: true,
      branch: 'claw/issue-1-fix-answer',
      head: sha,
      rebased: false,
      forced: false,
    });
    expect(gate).toEqual([
      { cwd: first.dir, base: first.baseSha, head: sha, branch: 'claw/issue-1-fix-answer' },
    ]);
    expect(await upstream.tip('claw/issue-1-fix-answer')).toBe(sha);
    expect(await first.push()).toMatchObject({ pushed: false });
    await first.dispose();

    const followUp = await manager.prepare(jobOptions(upstream, { jobId: 'job-2' }));
    expect(followUp.reusedBranch).toBe(true);
    expect(await followUp.head()).toBe(sha);
    await writeFile(path.join(followUp.dir, 'README.md'), 'more\n');
    await followUp.commit('Document it');
    expect(await followUp.changedFiles()).toEqual([
      { path: 'README.md', status: 'added', additions: 1, deletions: 0 },
    ]);
    const second = await followUp.push();
    expect(second).toMatchObject({ pushed: true, forced: false });
    expect(
      await git(upstream.remote.dir, ['rev-list', '--count', `main..claw/issue-1-fix-answer`]),
    ).toBe('2');
    await followUp.dispose();
  });

  it('does not push when the pre-push gate throws', async () => {
    const { manager } = await createManager();
    const workspace = await manager.prepare(
      jobOptions(upstream, {
        beforePush: () => {
          throw new Error('secret in diff: src/app.ts:1 (github-token)');
        },
      }),
    );
    await writeFile(path.join(workspace.dir, 'src/app.ts'), 'export const token = "x";\n');
    await workspace.commit('Leak');

    await expect(workspace.push()).rejects.toThrow('secret in diff');

    expect(await upstream.tip('claw/issue-1-fix-answer')).toBeUndefined();
    await workspace.dispose();
  });

  it('replaces its own branch with a lease when starting fresh', async () => {
    const { manager } = await createManager();
    const first = await manager.prepare(jobOptions(upstream));
    await writeFile(path.join(first.dir, 'src/app.ts'), 'export const answer = 0;\n');
    await first.commit('First attempt');
    await first.push();
    await first.dispose();

    const retry = await manager.prepare(jobOptions(upstream, { jobId: 'job-2', startFresh: true }));
    await writeFile(path.join(retry.dir, 'src/app.ts'), 'export const answer = 42;\n');
    const sha = await retry.commit('Second attempt');
    const result = await retry.push();

    expect(result).toMatchObject({ pushed: true, forced: true, rebased: false });
    expect(await upstream.tip('claw/issue-1-fix-answer')).toBe(sha);
    expect(
      await git(upstream.remote.dir, ['log', '--format=%s', 'main..claw/issue-1-fix-answer']),
    ).toBe('Second attempt');
    await retry.dispose();
  });

  it("never force-pushes a branch that holds someone else's commits", async () => {
    const humanSha = await upstream.pushAsHuman('claw/issue-1-fix-answer', {
      'notes.md': 'human was here\n',
    });
    const { manager } = await createManager();
    const workspace = await manager.prepare(jobOptions(upstream, { startFresh: true }));
    await writeFile(path.join(workspace.dir, 'src/app.ts'), 'export const answer = 42;\n');
    await workspace.commit('Fix the answer');

    const result = await workspace.push();

    expect(result).toMatchObject({ pushed: true, forced: false, rebased: true });
    expect(
      await git(upstream.remote.dir, ['log', '--format=%s', 'main..claw/issue-1-fix-answer']),
    ).toBe('Fix the answer\nhuman change');
    expect(
      await git(upstream.remote.dir, [
        'merge-base',
        '--is-ancestor',
        humanSha,
        'claw/issue-1-fix-answer',
      ]),
    ).toBe('');
    await workspace.dispose();
  });

  it('checks out an existing pull request branch for a follow-up, and refuses one that is gone', async () => {
    const headSha = await upstream.pushAsHuman('feature/login', {
      'login.ts': 'export const login = 1;\n',
    });
    const { manager } = await createManager();

    const workspace = await manager.prepare(
      jobOptions(upstream, { branch: 'feature/login', requireExistingBranch: true }),
    );
    expect(await workspace.head()).toBe(headSha);
    await writeFile(path.join(workspace.dir, 'login.ts'), 'export const login = 2;\n');
    await workspace.commit('Address review');
    expect(await workspace.push()).toMatchObject({ pushed: true, forced: false });
    expect(
      await git(upstream.remote.dir, ['rev-list', '--count', `${headSha}..feature/login`]),
    ).toBe('1');
    await workspace.dispose();

    await expect(
      manager.prepare(
        jobOptions(upstream, {
          jobId: 'job-3',
          branch: 'feature/gone',
          requireExistingBranch: true,
        }),
      ),
    ).rejects.toThrow('The branch "feature/gone" no longer exists in octo/demo.');
  });

  it('rebases onto a concurrent upstream push and retries once', async () => {
    const { manager } = await createManager();
    const gate: BeforePushInput[] = [];
    const workspace = await manager.prepare(
      jobOptions(upstream, {
        branch: 'feature/shared',
        beforePush: (input) => void gate.push(input),
      }),
    );
    const theirs = await upstream.pushAsHuman(
      'feature/shared',
      { 'theirs.txt': 'theirs\n' },
      'their commit',
    );
    await writeFile(path.join(workspace.dir, 'ours.txt'), 'ours\n');
    await workspace.commit('our commit');

    const result = await workspace.push();

    expect(result).toMatchObject({ pushed: true, rebased: true, forced: false });
    expect(await git(upstream.remote.dir, ['log', '--format=%s', 'main..feature/shared'])).toBe(
      'our commit\ntheir commit',
    );
    // The gate saw the rebased head, checked against what the remote then had.
    expect(gate).toHaveLength(2);
    expect(gate[1]).toMatchObject({ base: theirs, head: result.head });
    await workspace.dispose();
  });

  it('raises GitConflictError and pushes nothing when the concurrent push conflicts', async () => {
    const { manager } = await createManager();
    const workspace = await manager.prepare(jobOptions(upstream, { branch: 'feature/shared' }));
    const theirs = await upstream.pushAsHuman('feature/shared', {
      'src/app.ts': 'export const answer = 40;\n',
    });
    await writeFile(path.join(workspace.dir, 'src/app.ts'), 'export const answer = 42;\n');
    await workspace.commit('our fix');

    await expect(workspace.push()).rejects.toBeInstanceOf(GitConflictError);

    expect(await upstream.tip('feature/shared')).toBe(theirs);
    expect(await git(workspace.dir, ['status', '--porcelain'])).toBe('');
    await workspace.dispose();
  });

  it('runs two jobs at once on one repository without corrupting the mirror', async () => {
    const { manager } = await createManager({ keepWorktreesPerRepo: 0 });

    const jobs = await Promise.all(
      [1, 2, 3].map((n) =>
        manager.prepare(jobOptions(upstream, { jobId: `job-${n}`, branch: `claw/issue-${n}-x` })),
      ),
    );
    await Promise.all(
      jobs.map(async (job, i) => {
        await writeFile(path.join(job.dir, `file-${i}.txt`), `${i}\n`);
        await job.commit(`job ${i}`);
        await job.push();
        await job.dispose();
      }),
    );

    const mirror = mirrorOf(manager, upstream);
    await expect(git(mirror, ['fsck', '--strict', '--no-dangling'])).resolves.toBeDefined();
    for (const n of [1, 2, 3])
      expect(await upstream.tip(`claw/issue-${n}-x`)).toMatch(/^[0-9a-f]{40}$/);
    expect(await git(mirror, ['worktree', 'list', '--porcelain'])).not.toContain('worktrees');
  });

  it('recycles a finished worktree for the next job: same folder, nothing of the old job left', async () => {
    const { manager } = await createManager({ keepWorktreesPerRepo: 1 });
    const first = await manager.prepare(jobOptions(upstream));
    await writeFile(path.join(first.dir, '.gitignore'), 'build/\n');
    await mkdir(path.join(first.dir, 'build'), { recursive: true });
    await writeFile(path.join(first.dir, 'build/out.js'), 'ignored output\n');
    await writeFile(path.join(first.dir, 'src/app.ts'), 'uncommitted edit\n');
    await writeFile(path.join(first.dir, 'scratch.txt'), 'untracked\n');
    await first.dispose();
    const newSha = await upstream.pushAsHuman('main', {
      'src/app.ts': 'export const answer = 43;\n',
    });

    const second = await manager.prepare(
      jobOptions(upstream, { jobId: 'job-2', branch: 'claw/issue-2-other' }),
    );

    expect(second.dir).toBe(first.dir);
    expect(await git(second.dir, ['symbolic-ref', '--short', 'HEAD'])).toBe('claw/issue-2-other');
    expect(await git(second.dir, ['rev-parse', 'HEAD'])).toBe(newSha);
    expect(
      await git(second.dir, ['status', '--porcelain', '--ignored', '--untracked-files=all']),
    ).toBe('');
    expect(await readFile(path.join(second.dir, 'src/app.ts'), 'utf8')).toBe(
      'export const answer = 43;\n',
    );
    expect(await exists(path.join(second.dir, 'build'))).toBe(false);
    expect(await git(mirrorOf(manager, upstream), ['branch', '--list', 'claw/issue-1-*'])).toBe('');
    await second.dispose();
  });

  it('discards a parked worktree whose .git was replaced, and starts a fresh one', async () => {
    const { manager } = await createManager({ keepWorktreesPerRepo: 1 });
    const first = await manager.prepare(jobOptions(upstream));
    await first.dispose();
    await rm(path.join(first.dir, '.git'));
    await git(first.dir, ['init', '--quiet']);

    const second = await manager.prepare(jobOptions(upstream, { jobId: 'job-2' }));

    expect(second.dir).not.toBe(first.dir);
    expect(await exists(first.dir)).toBe(false);
    expect(await git(second.dir, ['rev-parse', 'HEAD'])).toBe(second.baseSha);
    await second.dispose();
  });
});

function mirrorOf(manager: { layout: { mirrors: string } }, upstream: Upstream): string {
  const parts = new URL(upstream.ref.cloneUrl).pathname.split('/').filter(Boolean);
  const last = parts.pop() as string;
  return path.join(
    manager.layout.mirrors,
    'local',
    ...parts,
    last.endsWith('.git') ? last : `${last}.git`,
  );
}

describe('WorkspaceManager with a worktree deleted by hand', () => {
  it('prunes git records of the missing worktree and checks the branch out again', async () => {
    const upstream = await createUpstream();
    const { manager } = await createManager({ keepWorktreesPerRepo: 0 });
    const first = await manager.prepare(jobOptions(upstream));
    await rm(first.dir, { recursive: true, force: true });
    await rm(`${first.dir}.json`, { force: true });

    const second = await manager.prepare(jobOptions(upstream, { jobId: 'job-2' }));

    expect(await git(second.dir, ['symbolic-ref', '--short', 'HEAD'])).toBe(
      'claw/issue-1-fix-answer',
    );
    await second.dispose();
    await upstream.cleanup();
  });
});
