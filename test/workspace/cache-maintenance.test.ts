import { jest } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  createWorkspaceManager,
  processStartTicks,
  withFileLock,
} from '../../src/workspace/index.js';
import { git, makeTempDir } from '../support/git-repo.js';
import {
  createManager,
  createUpstream,
  jobOptions,
  removeCaches,
  type Upstream,
} from './helpers.js';

// Real git over real processes on a shared 2-core machine: give each test room.
jest.setTimeout(90_000);
afterEach(() => removeCaches());

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** The id of a process that has exited, so no live process has it (pids are not reused this fast). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  const pid = child.pid as number;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}

describe('workspace cache maintenance', () => {
  let upstreams: Upstream[] = [];
  afterEach(async () => {
    await Promise.all(upstreams.map((u) => u.cleanup()));
    upstreams = [];
  });

  it('removes worktrees left by a crashed worker when a manager starts', async () => {
    const upstream = await createUpstream();
    upstreams.push(upstream);
    const { manager, cacheDir } = await createManager();
    const crashed = await manager.prepare(jobOptions(upstream));
    await writeFile(path.join(crashed.dir, 'half-done.txt'), 'agent output\n');
    // Pretend the worker died: its owner record now names a process that no longer exists.
    const record = `${crashed.dir}.json`;
    const owner = JSON.parse(await (await import('node:fs/promises')).readFile(record, 'utf8')) as {
      pid: number;
    };
    owner.pid = await deadPid();
    await writeFile(record, JSON.stringify(owner));
    const live = await manager.prepare(
      jobOptions(upstream, { jobId: 'live', branch: 'claw/issue-2-y' }),
    );

    await createWorkspaceManager({ cacheDir });

    expect(await exists(crashed.dir)).toBe(false);
    expect(await exists(record)).toBe(false);
    expect(await exists(live.dir)).toBe(true);
    const mirror = (await manager.usage())[0]?.mirror as string;
    const listed = await git(mirror, ['worktree', 'list']);
    expect(listed).not.toContain(crashed.dir);
    expect(listed).toContain(live.dir);
    // The crashed job's branch can be checked out again by the retry.
    const retry = await manager.prepare(jobOptions(upstream, { jobId: 'retry' }));
    expect(await git(retry.dir, ['symbolic-ref', '--short', 'HEAD'])).toBe(
      'claw/issue-1-fix-answer',
    );
    await retry.dispose();
    await live.dispose();
  });

  it('evicts the least recently used mirrors above the size bound, but never one in use', async () => {
    for (let i = 0; i < 3; i++)
      upstreams.push(await createUpstream({ 'data.txt': `${i}\n`.repeat(5000) }));
    let clock = 1_000;
    const { manager } = await createManager({ maxCacheBytes: 1, now: () => (clock += 1000) });

    const a = await manager.prepare(jobOptions(upstreams[0] as Upstream, { jobId: 'a' }));
    const b = await manager.prepare(jobOptions(upstreams[1] as Upstream, { jobId: 'b' }));
    await b.dispose();
    const c = await manager.prepare(jobOptions(upstreams[2] as Upstream, { jobId: 'c' }));

    const left = (await manager.usage()).map((entry) => entry.mirror);
    // a is older than b but has a live worktree; b is evicted; c is the one in use.
    expect(left).toHaveLength(2);
    expect(left.some((m) => m.includes(path.basename((upstreams[0] as Upstream).remote.dir)))).toBe(
      true,
    );
    expect(left.some((m) => m.includes(path.basename((upstreams[2] as Upstream).remote.dir)))).toBe(
      true,
    );
    await a.dispose();
    await c.dispose();

    const evicted = await manager.evict();
    expect(evicted).toHaveLength(2);
    expect(await manager.usage()).toEqual([]);
    // The worktrees parked for those mirrors went with them.
    expect(await readdir(manager.layout.worktrees)).toEqual([]);
  });

  it('keeps mirrors while the cache is within its bound', async () => {
    upstreams.push(await createUpstream());
    const { manager } = await createManager({ maxCacheBytes: 1024 ** 3 });
    const job = await manager.prepare(jobOptions(upstreams[0] as Upstream));
    await job.dispose();

    expect(await manager.evict()).toEqual([]);
    expect(await manager.usage()).toHaveLength(1);
  });

  it('serializes mirror access across processes', async () => {
    const upstream = await createUpstream();
    upstreams.push(upstream);
    const cacheDir = await makeTempDir('claw-cache-');
    const script = path.join(here, 'run-job.ts');
    const tsx = path.join(here, '../../node_modules/.bin/tsx');

    const results = await Promise.all(
      [1, 2].map((n) =>
        run(tsx, [script, cacheDir, upstream.ref.cloneUrl, `claw/issue-${n}-proc`], {
          env: { ...process.env, NODE_OPTIONS: '' },
        }),
      ),
    );

    for (const [i, result] of results.entries())
      expect(result.stdout.trim()).toMatch(
        new RegExp(`^pushed claw/issue-${i + 1}-proc [0-9a-f]{40}$`),
      );
    for (const n of [1, 2])
      expect(await upstream.tip(`claw/issue-${n}-proc`)).toMatch(/^[0-9a-f]{40}$/);
    const { manager } = await createManager({ cacheDir });
    const mirror = (await manager.usage())[0]?.mirror as string;
    await expect(git(mirror, ['fsck', '--strict', '--no-dangling'])).resolves.toBeDefined();
    // What is left is at most the one worktree kept for the next job, marked as parked.
    const records = (await readdir(manager.layout.worktrees)).filter((name) =>
      name.endsWith('.json'),
    );
    expect(records.length).toBeLessThanOrEqual(1);
    for (const record of records) {
      const owner = JSON.parse(
        await readFile(path.join(manager.layout.worktrees, record), 'utf8'),
      ) as { parked?: boolean };
      expect(owner.parked).toBe(true);
    }
  });
});

describe('withFileLock', () => {
  it('runs holders one at a time', async () => {
    const file = path.join(await makeTempDir(), 'x.lock');
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(file, async () => {
        events.push(`${name}+`);
        await new Promise((resolve) => setImmediate(resolve));
        events.push(`${name}-`);
      });

    await Promise.all([hold('a'), hold('b'), hold('c')]);

    expect(events).toEqual(['a+', 'a-', 'b+', 'b-', 'c+', 'c-']);
    expect(await exists(file)).toBe(false);
  });

  it('excludes holders in other processes', async () => {
    const dir = await makeTempDir();
    const log = path.join(dir, 'log.txt');
    await writeFile(log, '');
    const tsx = path.join(here, '../../node_modules/.bin/tsx');
    const script = path.join(here, 'lock-holder.ts');

    await Promise.all(
      ['a', 'b'].map((name) =>
        run(tsx, [script, path.join(dir, 'x.lock'), log, name], {
          env: { ...process.env, NODE_OPTIONS: '' },
        }),
      ),
    );

    const events = (await readFile(log, 'utf8')).trim().split('\n');
    expect(events).toHaveLength(12);
    // Every entry is followed by the same holder's exit: no two processes were inside at once.
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i]?.endsWith('+')).toBe(true);
      expect(events[i + 1]).toBe(`${events[i]?.slice(0, -1)}-`);
    }
  });

  it('breaks a lock whose owner process died', async () => {
    const dir = await makeTempDir();
    const file = path.join(dir, 'x.lock');
    await mkdir(dir, { recursive: true });
    await writeFile(
      file,
      JSON.stringify({ pid: await deadPid(), host: os.hostname(), token: 'old', at: 0 }),
    );

    const result = await withFileLock(file, () => Promise.resolve('ran'), { timeoutMs: 5_000 });

    expect(result).toBe('ran');
  });

  it('breaks a lock whose pid now belongs to a later process, as after a container restart', async () => {
    const file = path.join(await makeTempDir(), 'x.lock');
    const started = processStartTicks(process.ppid);
    expect(started).toBeGreaterThan(0);
    // The parent is alive, but it is not the process that took the lock: that one started earlier.
    await writeFile(
      file,
      JSON.stringify({
        pid: process.ppid,
        host: os.hostname(),
        token: 'old',
        at: 0,
        started: started! - 1,
      }),
    );

    const result = await withFileLock(file, () => Promise.resolve('ran'), { timeoutMs: 5_000 });

    expect(result).toBe('ran');
  });

  it('times out with the lock file named when a live process holds it', async () => {
    const file = path.join(await makeTempDir(), 'x.lock');
    await writeFile(
      file,
      JSON.stringify({
        pid: process.ppid,
        host: os.hostname(),
        token: 'other',
        at: 0,
        started: processStartTicks(process.ppid),
      }),
    );
    let now = 0;

    await expect(
      withFileLock(file, () => Promise.resolve('never'), {
        timeoutMs: 1_000,
        now: () => (now += 300),
        sleep: () => Promise.resolve(),
      }),
    ).rejects.toThrow(`waiting for the repository lock ${file}`);
    expect(await exists(file)).toBe(true);
  });
});
