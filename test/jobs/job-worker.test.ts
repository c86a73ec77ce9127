// The BullMQ worker in-process on real Redis, GitHub behind nock: retry then success, unrecoverable failures,
// unknown job kinds, cancellation within 2 s, review coalescing, checkpoints and the tracking comment's states.
import { jest } from '@jest/globals';
import { Job, type Queue } from 'bullmq';
import nock from 'nock';
import {
  createBullQueue,
  createJobWorker,
  redisKeys,
  type HandlerContext,
  type HandlerRegistry,
  type JobQueue,
  type JobWorker,
  type ReviewPrPayload,
} from '../../src/jobs/index.js';
import { createLogger, createLogSink, GitHubApiError } from '../../src/lib/index.js';
import { API, nockInstallationToken, testOctokitFactory } from '../github/support/github.js';
import { useNock } from '../support/nock.js';
import { useTestRedis } from '../support/redis.js';
import { resolveIssuePayload, reviewPrPayload } from './support/payloads.js';

jest.setTimeout(30_000);

const silent = createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) });

async function finished(queue: Queue, jobId: string, timeoutMs = 10_000): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await Job.fromId(queue, jobId);
    const state = await job?.getState();
    // Read the job again: the copy above may predate the move to its final state.
    if (job !== undefined && (state === 'completed' || state === 'failed'))
      return (await Job.fromId(queue, jobId)) ?? job;
    if (Date.now() > deadline)
      throw new Error(`job ${jobId} did not finish (state ${String(state)})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createJobWorker', () => {
  const redis = useTestRedis(import.meta.url);
  useNock();
  let prefix = '';
  let queue: JobQueue & { queue: Queue };
  let worker: JobWorker | undefined;

  const startWorker = (handlers: HandlerRegistry) => {
    worker = createJobWorker({
      connection: redis().connection(),
      prefix,
      handlers,
      octokitFactory: testOctokitFactory(),
      logger: silent,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      targetBusyDelayMs: 30,
      progressCommentIntervalMs: 60_000,
    });
    return worker;
  };

  beforeEach(() => {
    prefix = `${redis().prefix.replace(/}:$/, '')}-${Math.random().toString(16).slice(2, 8)}}`;
    queue = createBullQueue({
      connection: redis().connection({ forBullmq: false }),
      prefix,
      attempts: 3,
      backoffMs: 20,
    });
  });

  afterEach(async () => {
    await worker?.close(1000);
    worker = undefined;
    await queue.close();
  });

  it('retries a transient failure with backoff and then succeeds, editing the tracking comment', async () => {
    const calls: number[] = [];
    startWorker({
      'resolve-issue': (_payload, ctx) => {
        calls.push(ctx.attempt);
        if (ctx.attempt === 1)
          return Promise.reject(new GitHubApiError('GitHub answered 502', 502));
        return Promise.resolve({ summary: 'Opened #12' });
      },
    });
    nockInstallationToken(1);
    const bodies: string[] = [];
    nock(API)
      .patch(
        '/repos/octo-org/widgets/issues/comments/900',
        (body: { body: string }) => bodies.push(body.body) > 0,
      )
      .times(3)
      .reply(200, {});

    await queue.enqueue('retry', resolveIssuePayload({ trackingCommentId: 900 }));
    const job = await finished(queue.queue, 'retry');

    expect(await job.getState()).toBe('completed');
    // The handler's own view of the attempts; BullMQ's attemptsMade may lag the completion by a write.
    expect(calls).toEqual([1, 2]);
    expect(job.returnvalue).toEqual({ summary: 'Opened #12' });
    expect(bodies.map((b) => b.split('\n')[0])).toEqual([
      '🔧 Working on it: resolving this issue.',
      '🔧 Working on it: resolving this issue.',
      '✅ Opened #12',
    ]);
    expect(bodies[2]).toContain('<!-- claw:tracking job=retry -->');
  });

  it('fails a permanent error at once and tells the user what happened', async () => {
    let calls = 0;
    startWorker({
      'resolve-issue': () => {
        calls += 1;
        return Promise.reject(Object.assign(new Error('Not Found'), { status: 404 }));
      },
    });
    nockInstallationToken(1);
    const bodies: string[] = [];
    nock(API)
      .patch(
        '/repos/octo-org/widgets/issues/comments/901',
        (body: { body: string }) => bodies.push(body.body) > 0,
      )
      .times(2)
      .reply(200, {});

    await queue.enqueue('permanent', resolveIssuePayload({ trackingCommentId: 901 }));
    const job = await finished(queue.queue, 'permanent');

    expect(await job.getState()).toBe('failed');
    expect(calls).toBe(1);
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/404/);
    expect(bodies[1]).toMatch(/^❌ GitHub answered 404/);
    expect(bodies[1]).toContain('Mention me again to retry.');
  });

  it('fails a job of a kind no handler is registered for, as unrecoverable, without faking success', async () => {
    startWorker({});

    await queue.enqueue('unknown-kind', resolveIssuePayload());
    const job = await finished(queue.queue, 'unknown-kind');

    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toBe(
      'This Claw deployment has no handler for "resolve-issue" jobs, so nothing was done.',
    );
  });

  it('fails a job whose data does not match the schema (e.g. a token smuggled in) without running it', async () => {
    let ran = false;
    startWorker({
      'resolve-issue': () => {
        ran = true;
        return Promise.resolve({ summary: 'x' });
      },
    });

    await queue.queue.add(
      'resolve-issue',
      { ...resolveIssuePayload(), token: 'ghs_secret' },
      { jobId: 'smuggled' },
    );
    const job = await finished(queue.queue, 'smuggled');

    expect(await job.getState()).toBe('failed');
    expect(ran).toBe(false);
    expect(job.failedReason).toMatch(/not valid for this version of Claw/);
  });

  it('aborts the running job within 2 s of a cancel and cancels the jobs queued behind it', async () => {
    const started: string[] = [];
    let abortedAt = 0;
    startWorker({
      'resolve-issue': async (_payload, ctx: HandlerContext) => {
        started.push(ctx.jobId);
        await new Promise<void>((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            abortedAt = Date.now();
            reject(ctx.signal.reason as Error);
          });
        });
        return { summary: 'never' };
      },
    });
    nockInstallationToken(1);
    const bodies: string[] = [];
    nock(API)
      .patch(
        /\/repos\/octo-org\/widgets\/issues\/comments\/90[23]/,
        (body: { body: string }) => bodies.push(body.body) > 0,
      )
      .times(3)
      .reply(200, {});
    await queue.enqueue('first', resolveIssuePayload({ trackingCommentId: 902 }));
    await queue.enqueue('second', resolveIssuePayload({ trackingCommentId: 903 }));
    for (let i = 0; started.length === 0 && i < 200; i++)
      await new Promise((r) => setTimeout(r, 20));

    const cancelledAt = Date.now();
    const told = await queue.cancel({ owner: 'octo-org', repo: 'widgets', number: 7 }, 'alice');
    const first = await finished(queue.queue, 'first');
    const second = await finished(queue.queue, 'second');

    expect(told).toBe(2);
    expect(abortedAt - cancelledAt).toBeLessThan(2000);
    expect(await first.getState()).toBe('failed');
    expect(first.failedReason).toBe('cancelled by alice');
    expect(first.attemptsMade).toBe(1);
    expect(await second.getState()).toBe('failed');
    expect(started).toEqual(['first']);
    expect(bodies.filter((b) => b.startsWith('🛑 Cancelled by @alice'))).toHaveLength(2);
  });

  it('coalesces pushes within the debounce window into one review of the newest head', async () => {
    const reviewed: (string | undefined)[] = [];
    startWorker({
      'review-pr': (payload: ReviewPrPayload) => {
        reviewed.push(payload.headSha);
        return Promise.resolve({ summary: 'reviewed' });
      },
    });
    const shas = ['a', 'b', 'c'].map((c) => c.repeat(40));
    const coalesce = { key: 'review-octo-org/widgets#9', windowMs: 300 };

    const results = [];
    for (const [i, headSha] of shas.entries()) {
      results.push(await queue.enqueue(`push-${i}`, reviewPrPayload({ headSha }), { coalesce }));
    }
    const last = results.at(-1)!;
    await finished(queue.queue, last.jobId);
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(reviewed).toEqual([shas[2]]);
    expect(await Job.fromId(queue.queue, 'push-0')).toBeUndefined();
  });

  it('gives handlers a checkpoint store in Redis with a TTL, cleared once the job completes', async () => {
    let ttl = -2;
    const keys = redisKeys(prefix);
    startWorker({
      'resolve-issue': async (_payload, ctx) => {
        await ctx.checkpoint.set('step', { done: 3 });
        ttl = await redis().client.pttl(keys.checkpoint(ctx.jobId));
        expect(await ctx.checkpoint.get('step')).toEqual({ done: 3 });
        return { summary: 'ok' };
      },
    });

    await queue.enqueue('checkpointed', resolveIssuePayload());
    const job = await finished(queue.queue, 'checkpointed');

    expect(await job.getState()).toBe('completed');
    expect(ttl).toBeGreaterThan(0);
    expect(await redis().client.exists(keys.checkpoint('checkpointed'))).toBe(0);
  });

  it('puts the final state on a tracking comment that was attached after the job started', async () => {
    startWorker({ 'resolve-issue': () => Promise.resolve({ summary: 'Opened #13' }) });
    nockInstallationToken(1);
    let body = '';
    const patched = nock(API)
      .patch(
        '/repos/octo-org/widgets/issues/comments/950',
        (b: { body: string }) => (body = b.body).length > 0,
      )
      .reply(200, {});

    await queue.enqueue('late-ack', resolveIssuePayload({ awaitTrackingComment: true }));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await queue.attachTrackingComment('late-ack', 950);
    const job = await finished(queue.queue, 'late-ack');

    expect(await job.getState()).toBe('completed');
    expect(patched.isDone()).toBe(true);
    expect(body.split('\n')[0]).toBe('✅ Opened #13');
  });

  it('treats a redelivered job id as a no-op', async () => {
    const first = await queue.enqueue('same', resolveIssuePayload());
    const again = await queue.enqueue('same', resolveIssuePayload());

    expect(first).toEqual({ jobId: 'same', created: true, duplicate: false, position: 0 });
    expect(again).toEqual({ jobId: 'same', created: false, duplicate: true, position: 0 });
    expect(await queue.queue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });
});
