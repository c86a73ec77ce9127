import nock from 'nock';
import { acknowledgeJob, type AckPayload } from '../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { API, TestOctokit } from '../github/support/github.js';
import { useNock } from '../support/nock.js';

const logger = createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) });
const ack: AckPayload = {
  jobId: 'gh-1',
  deliveryId: '1',
  installationId: 42,
  owner: 'octo-org',
  repo: 'widgets',
  number: 7,
  kind: 'resolve-issue',
  position: 1,
  reaction: { type: 'issue-comment', commentId: 1001 },
};

describe('acknowledgeJob', () => {
  useNock();
  const octokit = new TestOctokit({ auth: 'test' });

  it('reacts, posts the queued comment with the position and records its id', async () => {
    nock(API)
      .post('/repos/octo-org/widgets/issues/comments/1001/reactions', { content: 'eyes' })
      .reply(201, {});
    let body = '';
    nock(API)
      .post(
        '/repos/octo-org/widgets/issues/7/comments',
        (b: { body: string }) => (body = b.body).length > 0,
      )
      .reply(201, { id: 88 });
    const attached: [string, number][] = [];

    const id = await acknowledgeJob(ack, octokit, {
      existingComment: () => Promise.resolve(undefined),
      attachTrackingComment: (jobId, commentId) =>
        Promise.resolve(void attached.push([jobId, commentId])),
      logger,
    });

    expect(id).toBe(88);
    expect(attached).toEqual([['gh-1', 88]]);
    expect(body.split('\n')[0]).toBe(
      '⏳ Queued: resolving this issue. 1 earlier job on this thread run first.',
    );
  });

  it('still posts the comment when the reaction fails, and never posts a second one on a retry', async () => {
    nock(API)
      .post('/repos/octo-org/widgets/issues/comments/1001/reactions')
      .reply(403, { message: 'nope' });
    nock(API).post('/repos/octo-org/widgets/issues/7/comments').once().reply(201, { id: 89 });
    let recorded: number | undefined;
    const deps = {
      existingComment: () => Promise.resolve(recorded),
      attachTrackingComment: (_jobId: string, commentId: number) =>
        Promise.resolve(void (recorded = commentId)),
      logger,
    };

    const first = await acknowledgeJob(ack, octokit, deps, true);
    const retry = await acknowledgeJob(ack, octokit, deps, false);

    expect([first, retry]).toEqual([89, 89]);
  });
});
