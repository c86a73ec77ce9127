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

  it('reuses the comment an attempt that crashed had posted but not recorded, found by its marker', async () => {
    nock(API).post('/repos/octo-org/widgets/issues/comments/1001/reactions').reply(201, {});
    nock(API)
      .get('/repos/octo-org/widgets/issues/7/comments')
      .query(true)
      .reply(200, [
        { id: 90, body: 'A human comment.' },
        { id: 91, body: '⏳ Queued: resolving this issue.\n\n<!-- claw:tracking job=gh-1 -->' },
      ]);
    const attached: [string, number][] = [];

    const id = await acknowledgeJob(ack, octokit, {
      existingComment: () => Promise.resolve(undefined),
      mayHavePosted: true,
      attachTrackingComment: (jobId, commentId) =>
        Promise.resolve(void attached.push([jobId, commentId])),
      logger,
    });

    expect(id).toBe(91);
    expect(attached).toEqual([['gh-1', 91]]);
  });

  it('posts no queued comment when the job already finished', async () => {
    nock(API).post('/repos/octo-org/widgets/issues/comments/1001/reactions').reply(201, {});

    const id = await acknowledgeJob(ack, octokit, {
      existingComment: () => Promise.resolve(undefined),
      jobFinished: () => Promise.resolve(true),
      attachTrackingComment: () => Promise.reject(new Error('must not attach')),
      logger,
    });

    expect(id).toBeUndefined();
  });
});
