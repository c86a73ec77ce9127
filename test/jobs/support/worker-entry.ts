// A real `claw worker`-like process for the multi-process tests (run with `node --import tsx`): the production
// createJobWorker with short lock and stall intervals, and test handlers that report to a Redis list.
// The instruction says what to do: `sleep:MS` (in 25 ms steps, checkpointing each step), `fail-once`, `fail`.
import { Redis } from 'ioredis';
import {
  createJobWorker,
  type HandlerContext,
  type HandlerRegistry,
  type JobPayload,
} from '../../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../../src/lib/index.js';

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = process.env.TEST_PREFIX ?? '{claw-test}';
const name = process.env.WORKER_NAME ?? `worker-${process.pid}`;
const events = `${prefix.replace(/:+$/, '')}:test-events`;

const redis = new Redis(url, { maxRetriesPerRequest: null });
const reporter = new Redis(url);

async function report(
  event: string,
  jobId: string,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await reporter.rpush(
    events,
    JSON.stringify({ worker: name, pid: process.pid, event, jobId, at: Date.now(), ...extra }),
  );
}

async function testHandler(payload: JobPayload, ctx: HandlerContext) {
  const resumedFrom = (await ctx.checkpoint.get<number>('step')) ?? 0;
  await report('start', ctx.jobId, { attempt: ctx.attempt, resumedFrom, number: payload.number });
  const [verb, arg] = payload.instruction.split(':');
  if (verb === 'sleep') {
    const steps = Math.ceil(Number(arg) / 25);
    for (let step = resumedFrom; step < steps; step++) {
      await ctx.clock.sleep(25, ctx.signal);
      await ctx.checkpoint.set('step', step + 1);
    }
  }
  await report('end', ctx.jobId, { number: payload.number });
  return { summary: `done by ${name}` };
}

const handlers: HandlerRegistry = {
  'resolve-issue': testHandler,
  'review-pr': testHandler,
  'address-review': testHandler,
};

const logger = createLogger({ level: 'warn', sink: createLogSink(process.stderr), base: { name } });
const worker = createJobWorker({
  connection: redis,
  prefix,
  handlers,
  octokitFactory: { forInstallation: () => Promise.reject(new Error('no GitHub in this test')) },
  logger,
  concurrency: Number(process.env.CONCURRENCY ?? 2),
  lockDurationMs: Number(process.env.LOCK_MS ?? 1000),
  stalledIntervalMs: Number(process.env.STALL_MS ?? 500),
  targetBusyDelayMs: 50,
});

await worker.worker.waitUntilReady();
await report('ready', '');

process.on('SIGTERM', () => {
  void (async () => {
    await report('sigterm', '', { running: worker.running() });
    await worker.close(Number(process.env.GRACE_MS ?? 10_000));
    await report('exit', '');
    await Promise.all([redis.quit(), reporter.quit()]);
    process.exit(0);
  })();
});
