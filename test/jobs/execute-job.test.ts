// executeJob's tracking-comment edits: a late acknowledgement does not hold back the progress that follows it.
import { createMemoryCheckpointStore, executeJob, systemClock } from '../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { resolveIssuePayload } from './support/payloads.js';

const logger = createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) });

describe('executeJob', () => {
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
});
