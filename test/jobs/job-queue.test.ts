// The BullMQ producer on real Redis: a job and its acknowledgement stored in one step, the position on the target,
// redeliveries as no-ops, and the ack worker skipping an acknowledgement whose job was never stored.
import { Job, Queue } from 'bullmq';
import {
  ACK_QUEUE_NAME,
  createAckWorker,
  createBullQueue,
  redisKeys,
  type AckRequest,
} from '../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { TestOctokit } from '../github/support/github.js';
import { useNock } from '../support/nock.js';
import { useTestRedis } from '../support/redis.js';
import { resolveIssuePayload, reviewPrPayload } from './support/payloads.js';

const ack: AckRequest = {
  deliveryId: 'delivery-ack',
  installationId: 42,
  owner: 'octo-org',
  repo: 'widgets',
  number: 7,
  kind: 'resolve-issue',
  reaction: { type: 'issue-comment', commentId: 1001 },
};

describe('createBullQueue', () => {
  const redis = useTestRedis(import.meta.url);
  useNock();
  let queue: ReturnType<typeof createBullQueue>;
  let acks: Queue;

  beforeAll(() => {
    queue = createBullQueue({
      connection: redis().connection({ forBullmq: false }),
      prefix: redis().prefix,
    });
    acks = new Queue(ACK_QUEUE_NAME, {
      connection: redis().connection(),
      prefix: redisKeys(redis().prefix).bullPrefix,
    });
  });

  afterAll(async () => {
    await acks.close();
    await queue.close();
  });

  it('stores every review as its own job when the debounce window is zero', async () => {
    const coalesce = { key: 'review-octo-org/widgets#31', windowMs: 0 };

    const first = await queue.enqueue('push-a', reviewPrPayload({ number: 31 }), { coalesce });
    const second = await queue.enqueue('push-b', reviewPrPayload({ number: 31 }), { coalesce });

    expect([first.jobId, first.created, second.jobId, second.created]).toEqual([
      'push-a',
      true,
      'push-b',
      true,
    ]);
  });

  it('stores the job and its acknowledgement with the position when the job is new', async () => {
    await queue.enqueue('ahead', resolveIssuePayload({ number: 21 }));

    const stored = await queue.enqueue('asked', resolveIssuePayload({ number: 21 }), {
      acknowledge: { ...ack, number: 21 },
    });
    const ackJob = await Job.fromId(acks, 'ack-asked');

    expect(stored).toEqual({
      jobId: 'asked',
      created: true,
      duplicate: false,
      position: 1,
      acknowledged: true,
    });
    expect(await queue.has('asked')).toBe(true);
    expect(ackJob?.data).toEqual({ ...ack, number: 21, jobId: 'asked', position: 1 });
    expect(await queue.backlog({ owner: 'octo-org', repo: 'widgets', number: 21 })).toBe(2);
  });

  it('treats a redelivery as a no-op: no second place on the target, no second acknowledgement', async () => {
    await queue.enqueue('redelivered', resolveIssuePayload({ number: 22 }), { acknowledge: ack });
    await acks.remove('ack-redelivered');

    const again = await queue.enqueue('redelivered', resolveIssuePayload({ number: 22 }), {
      acknowledge: ack,
    });

    expect(again).toEqual({ jobId: 'redelivered', created: false, duplicate: true, position: 0 });
    expect(await Job.fromId(acks, 'ack-redelivered')).toBeUndefined();
    expect(await queue.backlog({ owner: 'octo-org', repo: 'widgets', number: 22 })).toBe(1);
  });

  it('treats a redelivery of a finished job, no longer on its target, as a no-op too', async () => {
    await queue.enqueue('finished', resolveIssuePayload({ number: 23 }));
    const keys = redisKeys(redis().prefix);
    await redis().client.zrem(keys.targetQueue('octo-org/widgets#23'), 'finished');

    const again = await queue.enqueue('finished', resolveIssuePayload({ number: 23 }), {
      acknowledge: ack,
    });

    expect(again.duplicate).toBe(true);
    expect(await queue.backlog({ owner: 'octo-org', repo: 'widgets', number: 23 })).toBe(0);
    expect(await Job.fromId(acks, 'ack-finished')).toBeUndefined();
  });

  it('leaves the acknowledgement to the caller when none was asked for', async () => {
    const stored = await queue.enqueue('plain', resolveIssuePayload({ number: 24 }));

    expect(stored).toEqual({ jobId: 'plain', created: true, duplicate: false, position: 0 });
    expect(await Job.fromId(acks, 'ack-plain')).toBeUndefined();
  });

  it('posts nothing for an acknowledgement whose job is not stored', async () => {
    await acks.add(
      'acknowledge',
      { ...ack, jobId: 'never-stored', position: 0 },
      { jobId: 'ack-never-stored' },
    );
    const worker = createAckWorker({
      connection: redis().connection(),
      prefix: redis().prefix,
      // The network is shut (nock): posting the tracking comment would fail the ack job.
      octokitFactory: { forInstallation: () => Promise.resolve(new TestOctokit({ auth: 'x' })) },
      logger: createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) }),
      attachTrackingComment: () => Promise.reject(new Error('nothing to attach')),
    });

    const finished = await new Promise<{ result: unknown; failed: boolean }>((resolve) => {
      worker.on('completed', (job, result) => resolve({ result, failed: false }));
      worker.on('failed', () => resolve({ result: undefined, failed: true }));
    });
    await worker.close();

    expect(finished).toEqual({ result: undefined, failed: false });
  });
});
