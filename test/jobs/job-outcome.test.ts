// executeJob's outcome listener (what claw_jobs_total counts): one event per attempt, with the kind, a final or
// retrying failure told apart, and an unreadable payload counted as kind "unknown".
import {
  createMemoryCheckpointStore,
  executeJob,
  type ExecuteJobOptions,
  type JobOutcomeEvent,
} from '../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { resolveIssuePayload } from './support/payloads.js';

const logger = createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) });

function run(
  overrides: Partial<ExecuteJobOptions>,
  events: JobOutcomeEvent[],
  now: () => number,
): Promise<unknown> {
  return executeJob({
    jobId: 'job-1',
    rawPayload: resolveIssuePayload(),
    attempt: 1,
    isLastAttempt: true,
    handlers: {},
    octokitFactory: { forInstallation: () => Promise.reject(new Error('no GitHub here')) },
    logger,
    signal: new AbortController().signal,
    abortInfo: () => undefined,
    clock: { now, sleep: () => Promise.resolve() },
    checkpoint: createMemoryCheckpointStore(),
    onOutcome: (event) => events.push(event),
    ...overrides,
  });
}

describe('executeJob onOutcome', () => {
  it('reports a completed attempt with its kind and how long it took', async () => {
    const events: JobOutcomeEvent[] = [];
    let clock = 1000;

    await run(
      {
        handlers: {
          'resolve-issue': () => {
            clock += 2500;
            return Promise.resolve({ summary: 'Opened #2' });
          },
        },
      },
      events,
      () => clock,
    );

    expect(events).toEqual([{ kind: 'resolve-issue', outcome: 'completed', durationMs: 2500 }]);
  });

  it('tells a transient failure that will be retried from a final one', async () => {
    const events: JobOutcomeEvent[] = [];
    const flaky = () => Promise.reject(Object.assign(new Error('Bad gateway'), { status: 502 }));

    await run({ handlers: { 'resolve-issue': flaky }, isLastAttempt: false }, events, () => 0);
    await run({ handlers: { 'resolve-issue': flaky }, isLastAttempt: true }, events, () => 0);

    expect(events.map((event) => event.outcome)).toEqual(['retrying', 'failed']);
  });

  it('counts a payload it cannot read as kind unknown, and survives a listener that throws', async () => {
    const events: JobOutcomeEvent[] = [];

    const outcome = await run({ rawPayload: { kind: 'toString' } }, events, () => 0);
    const again = await run(
      {
        onOutcome: () => {
          throw new Error('listener bug');
        },
      },
      [],
      () => 0,
    );

    expect(events).toEqual([{ kind: 'unknown', outcome: 'failed', durationMs: 0 }]);
    expect(outcome).toMatchObject({ status: 'failed', final: true });
    expect(again).toMatchObject({ status: 'failed' });
  });
});
