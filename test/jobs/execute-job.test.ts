// executeJob's tracking-comment edits: a late acknowledgement does not hold back the progress that follows it.
import { createMemoryCheckpointStore, executeJob, systemClock } from '../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import nock from 'nock';
import { API, TestOctokit } from '../github/support/github.js';
import { useNock } from '../support/nock.js';
import { resolveIssuePayload } from './support/payloads.js';

const logger = createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) });

describe('executeJob', () => {
  useNock();

  it('shows the first progress at once when the tracking comment appeared after the job started', async () => {
    const edits: string[] = [];
    const octokit = {
      rest: {
        issues: {
          updateComment: (request: { body: string }) => {
            edits.push(request.body);
            return Promise.resolve({ data: {} });
          },
        },
      },
    };
    let posted = false;
    const outcome = await executeJob({
      jobId: 'job-1',
      rawPayload: { ...resolveIssuePayload(), awaitTrackingComment: true },
      attempt: 1,
      isLastAttempt: true,
      handlers: {
        'resolve-issue': async (_payload, ctx) => {
          posted = true; // The acknowledgement lands while the job runs.
          await ctx.progress({ message: 'Reading the issue' });
          await ctx.progress({ message: 'Editing src/a.ts' });
          return { summary: 'Opened #2' };
        },
      },
      octokitFactory: { forInstallation: () => Promise.resolve(octokit as never) },
      logger,
      signal: new AbortController().signal,
      abortInfo: () => undefined,
      clock: systemClock,
      checkpoint: createMemoryCheckpointStore(),
      progressCommentIntervalMs: 60_000,
      lookupTrackingComment: () => Promise.resolve(posted ? 77 : undefined),
    });

    expect(outcome.status).toBe('completed');
    expect(edits.map((body) => body.split('\n')[0])).toEqual([
      '🔧 Working on it: resolving this issue.',
      '✅ Opened #2',
    ]);
    expect(edits[0]).toContain('Reading the issue');
  });

  it('tells the outcome on a new comment when no acknowledgement ever recorded one', async () => {
    nock(API)
      .get('/repos/octo-org/widgets/issues/7/comments')
      .query(true)
      .reply(200, [{ id: 90, body: 'A human comment.' }]);
    let body = '';
    nock(API)
      .post(
        '/repos/octo-org/widgets/issues/7/comments',
        (b: { body: string }) => (body = b.body) !== '',
      )
      .reply(201, { id: 92 });

    const outcome = await executeJob({
      jobId: 'gh-7',
      rawPayload: {
        ...resolveIssuePayload({ owner: 'octo-org', repo: 'widgets', number: 7 }),
        awaitTrackingComment: true,
      },
      attempt: 1,
      isLastAttempt: true,
      handlers: { 'resolve-issue': () => Promise.resolve({ summary: 'Opened #8' }) },
      octokitFactory: {
        forInstallation: () => Promise.resolve(new TestOctokit({ auth: 'test' }) as never),
      },
      logger,
      signal: new AbortController().signal,
      abortInfo: () => undefined,
      clock: systemClock,
      checkpoint: createMemoryCheckpointStore(),
      trackingCommentWaitMs: 0,
      lookupTrackingComment: () => Promise.resolve(undefined),
    });

    expect(outcome.status).toBe('completed');
    expect(body).toMatch(/^✅ Opened #8\n\n<!-- claw:tracking job=gh-7 -->$/);
  });
});
