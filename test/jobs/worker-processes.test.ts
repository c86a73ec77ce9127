// Real worker processes on real Redis: per-target serialization across two processes, `kill -9` mid-job
// (another worker finishes it exactly once, resuming from the checkpoint), and the SIGTERM drain.
import { Job, type Queue } from 'bullmq';
import { createBullQueue, QUEUE_NAME, redisKeys, type JobQueue } from '../../src/jobs/index.js';
import { useTestRedis } from '../support/redis.js';
import { resolveIssuePayload } from './support/payloads.js';
import {
  readEvents,
  startWorkerProcess,
  stopAll,
  waitForEvents,
  type WorkerEvent,
  type WorkerProcess,
} from './support/worker-process.js';

import { jest } from '@jest/globals';

// Child processes compile TypeScript at start; on a busy shared machine that alone can take many seconds.
jest.setTimeout(120_000);

describe('BullMQ worker processes', () => {
  const redis = useTestRedis(import.meta.url);
  let workers: WorkerProcess[] = [];
  let queue: (JobQueue & { queue: Queue }) | undefined;
  let prefix = '';

  const boot = async (names: string[], extra: Record<string, string> = {}) => {
    workers = names.map((name) => startWorkerProcess(name, { url: redis().url, prefix, extra }));
    await waitForEvents(
      redis().client,
      prefix,
      (events) => events.filter((e) => e.event === 'ready').length === names.length,
      60_000,
    );
  };

  beforeEach(() => {
    prefix = `${redis().prefix.replace(/}:$/, '')}-${Math.random().toString(16).slice(2, 8)}}`;
    queue = createBullQueue({
      connection: redis().connection({ forBullmq: false }),
      prefix,
      attempts: 2,
      backoffMs: 50,
    });
  });

  afterEach(async () => {
    await stopAll(workers);
    workers = [];
    await queue?.close();
  });

  const starts = (events: WorkerEvent[]) => events.filter((e) => e.event === 'start');
  const ends = (events: WorkerEvent[]) => events.filter((e) => e.event === 'end');

  it('runs one job per target at a time across two processes, in order, while other targets run in parallel', async () => {
    await boot(['A', 'B']);
    const sameTarget = ['t1', 't2', 't3'];
    for (const id of sameTarget)
      await queue!.enqueue(id, resolveIssuePayload({ number: 7, instruction: 'sleep:300' }));
    await queue!.enqueue('other', resolveIssuePayload({ number: 8, instruction: 'sleep:300' }));

    const events = await waitForEvents(redis().client, prefix, (e) => ends(e).length === 4);

    const span = (jobId: string) => ({
      start: starts(events).find((e) => e.jobId === jobId)!.at,
      end: ends(events).find((e) => e.jobId === jobId)!.at,
    });
    const spans = sameTarget.map(span);
    expect(spans[0]!.end).toBeLessThanOrEqual(spans[1]!.start);
    expect(spans[1]!.end).toBeLessThanOrEqual(spans[2]!.start);
    const other = span('other');
    expect(other.start).toBeLessThan(spans[0]!.end);
    expect(new Set(starts(events).map((e) => e.worker))).toEqual(new Set(['A', 'B']));
  });

  it('finishes a job exactly once when its worker is killed with -9 mid-job, resuming from the checkpoint', async () => {
    await boot(['A']);
    await queue!.enqueue('crash', resolveIssuePayload({ instruction: 'sleep:1500' }));
    await waitForEvents(redis().client, prefix, (e) => starts(e).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));

    workers[0]!.child.kill('SIGKILL');
    await workers[0]!.exited;
    const survivor = startWorkerProcess('B', { url: redis().url, prefix });
    workers.push(survivor);
    const events = await waitForEvents(redis().client, prefix, (e) => ends(e).length === 1, 45_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const final = await readEvents(redis().client, prefix);
    expect(ends(final)).toHaveLength(1);
    expect(ends(final)[0]!.worker).toBe('B');
    const runs = starts(events);
    expect(runs.map((e) => e.worker)).toEqual(['A', 'B']);
    expect(runs[1]!.resumedFrom).toBeGreaterThan(0);
    const job = await Job.fromId(queue!.queue, 'crash');
    expect(await job?.getState()).toBe('completed');
    expect(job?.returnvalue).toEqual({ summary: 'done by B' });
  });

  it('drains on SIGTERM: finishes the running job, takes no new one, and exits 0', async () => {
    await boot(['A'], { GRACE_MS: '10000' });
    await queue!.enqueue('running', resolveIssuePayload({ number: 1, instruction: 'sleep:800' }));
    await waitForEvents(redis().client, prefix, (e) => starts(e).length === 1);

    workers[0]!.child.kill('SIGTERM');
    await waitForEvents(redis().client, prefix, (e) => e.some((x) => x.event === 'sigterm'));
    await queue!.enqueue('later', resolveIssuePayload({ number: 2, instruction: 'sleep:10' }));
    const exit = await workers[0]!.exited;

    const events = await readEvents(redis().client, prefix);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(ends(events).map((e) => e.jobId)).toEqual(['running']);
    expect(starts(events).map((e) => e.jobId)).toEqual(['running']);
    expect(await (await Job.fromId(queue!.queue, 'later'))?.getState()).toBe('waiting');
    expect(await (await Job.fromId(queue!.queue, 'running'))?.getState()).toBe('completed');
  });

  it('keeps every key under the hash-tagged prefix', async () => {
    await boot(['A']);
    await queue!.enqueue('keys', resolveIssuePayload({ instruction: 'sleep:10' }));
    await waitForEvents(redis().client, prefix, (e) => ends(e).length === 1);

    const keys = await redis().client.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(3);
    for (const key of keys) expect(key.startsWith(prefix)).toBe(true);
    expect(keys).toContain(redisKeys(prefix).job('keys'));
    expect(keys.some((key) => key.startsWith(`${prefix}:${QUEUE_NAME}:`))).toBe(true);
  });
});
