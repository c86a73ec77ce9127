// The in-process runner (Action, CLI, `claw start` without Redis): same contract as the BullMQ worker.
import {
  createInlineRunner,
  type HandlerContext,
  type HandlerRegistry,
  type InlineRunner,
} from '../../src/jobs/index.js';
import { createLogger, createLogSink, TransientError } from '../../src/lib/index.js';
import { resolveIssuePayload, reviewPrPayload } from './support/payloads.js';

const silent = createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) });
const noGitHub = { forInstallation: () => Promise.reject(new Error('no GitHub in this test')) };

function runner(handlers: HandlerRegistry, attempts = 3): InlineRunner {
  return createInlineRunner({
    handlers,
    octokitFactory: noGitHub,
    logger: silent,
    attempts,
    backoffMs: 5,
  });
}

describe('createInlineRunner', () => {
  it('runs jobs on one target one at a time, in order, and other targets alongside', async () => {
    const log: string[] = [];
    const inline = runner({
      'resolve-issue': async (payload, ctx) => {
        log.push(`start ${ctx.jobId}`);
        await ctx.clock.sleep(payload.number === 7 ? 30 : 5);
        log.push(`end ${ctx.jobId}`);
        return { summary: 'ok' };
      },
    });

    await inline.enqueue('a', resolveIssuePayload({ number: 7 }));
    await inline.enqueue('b', resolveIssuePayload({ number: 7 }));
    await inline.enqueue('c', resolveIssuePayload({ number: 8 }));
    await inline.idle();

    expect(log.indexOf('end a')).toBeLessThan(log.indexOf('start b'));
    expect(log.indexOf('start c')).toBeLessThan(log.indexOf('end a'));
  });

  it('retries transient failures and fails permanent ones once', async () => {
    const attempts: Record<string, number[]> = { flaky: [], broken: [] };
    const inline = runner({
      'resolve-issue': (payload, ctx) => {
        attempts[payload.instruction]!.push(ctx.attempt);
        if (payload.instruction === 'flaky' && ctx.attempt < 3)
          return Promise.reject(new TransientError('blip'));
        if (payload.instruction === 'broken')
          return Promise.reject(Object.assign(new Error('gone'), { status: 404 }));
        return Promise.resolve({ summary: 'fixed' });
      },
    });

    await inline.enqueue('flaky', resolveIssuePayload({ instruction: 'flaky' }));
    await inline.enqueue('broken', resolveIssuePayload({ instruction: 'broken', number: 9 }));

    expect(await inline.outcome('flaky')).toMatchObject({
      status: 'completed',
      result: { summary: 'fixed' },
    });
    expect(await inline.outcome('broken')).toMatchObject({
      status: 'failed',
      final: true,
      classification: { kind: 'permanent' },
    });
    expect(attempts).toEqual({ flaky: [1, 2, 3], broken: [1] });
  });

  it('fails a job without a handler instead of faking success', async () => {
    const inline = runner({});

    await inline.enqueue('nobody', resolveIssuePayload());

    expect(await inline.outcome('nobody')).toMatchObject({
      status: 'failed',
      final: true,
      classification: {
        kind: 'permanent',
        reason: expect.stringContaining('no handler for "resolve-issue"'),
      },
    });
  });

  it('cancels the running job through its signal and the queued ones before they start', async () => {
    const started: string[] = [];
    const inline = runner({
      'resolve-issue': async (_payload, ctx: HandlerContext) => {
        started.push(ctx.jobId);
        await ctx.clock.sleep(60_000, ctx.signal);
        return { summary: 'never' };
      },
    });
    await inline.enqueue('running', resolveIssuePayload());
    await inline.enqueue('queued', resolveIssuePayload());
    while (started.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    const told = await inline.cancel({ owner: 'octo-org', repo: 'widgets', number: 7 }, 'bob');

    expect(told).toBe(2);
    expect(await inline.outcome('running')).toEqual({ status: 'cancelled', by: 'bob' });
    expect(await inline.outcome('queued')).toEqual({ status: 'cancelled', by: 'bob' });
    expect(started).toEqual(['running']);
  });

  it('drops a redelivered job id and coalesces reviews to the newest head', async () => {
    const heads: (string | undefined)[] = [];
    const inline = runner({
      'review-pr': (payload) => {
        heads.push(payload.headSha);
        return Promise.resolve({ summary: 'reviewed' });
      },
    });
    const coalesce = { key: 'review-octo-org/widgets#9', windowMs: 30 };

    const first = await inline.enqueue('p1', reviewPrPayload({ headSha: 'a'.repeat(40) }), {
      coalesce,
    });
    const second = await inline.enqueue('p2', reviewPrPayload({ headSha: 'b'.repeat(40) }), {
      coalesce,
    });
    const duplicate = await inline.enqueue('p1', reviewPrPayload({ headSha: 'c'.repeat(40) }));
    await inline.idle();

    expect([first.created, second.created, duplicate.created]).toEqual([true, false, false]);
    expect(second.jobId).toBe('p1');
    expect(heads).toEqual(['b'.repeat(40)]);
  });
});
