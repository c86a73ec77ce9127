// The app end to end over real HTTP: Probot's server with real signature checks, jobs stored in real Redis
// (BullMQ), GitHub behind nock. Covers acknowledgement, duplicates, the permission gate, invalid config,
// cancellation, coalescing, a bad signature, Redis down and every recorded payload of the handled events.
import { jest } from '@jest/globals';
import { Job, Queue } from 'bullmq';
import nock from 'nock';
import {
  createAckWorker,
  createBullQueue,
  JobPayload,
  QUEUE_NAME,
  redisKeys,
  type JobQueue,
} from '../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { API, TestOctokit } from '../github/support/github.js';
import { useNock } from '../support/nock.js';
import { useTestRedis } from '../support/redis.js';
import { webhookExample, webhookExamples } from '../support/webhooks.js';
import { deliver, startTestWeb, type TestWeb } from './support/web.js';

jest.setTimeout(60_000);

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const REPO = '/repos/octo-org/widgets';
const TOKEN = 'ghs_appTestInstallationToken1234567890';

function commentPayload(
  body: string,
  options: { login?: string; issue?: number; onPr?: boolean } = {},
): Payload {
  const payload = webhookExample<Payload>('issue_comment', 'created');
  payload.repository.owner.login = 'octo-org';
  payload.repository.name = 'widgets';
  payload.installation = { id: 42 };
  payload.issue.number = options.issue ?? 7;
  if (options.onPr === true) payload.issue.pull_request = { url: `${API}${REPO}/pulls/7` };
  else delete payload.issue.pull_request;
  payload.comment.body = body;
  payload.comment.id = 1001;
  payload.comment.user = { ...payload.comment.user, login: options.login ?? 'alice', type: 'User' };
  payload.sender = { ...payload.sender, login: options.login ?? 'alice', type: 'User' };
  return payload;
}

function nockToken(): nock.Scope {
  return nock(API)
    .post('/app/installations/42/access_tokens')
    .optionally()
    .reply(201, { token: TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString() });
}

/** Optional: the app caches a repo's config for 30 s, so only the first test on a repo reads it. */
function nockConfig(yaml: string | undefined, sha = 'c0ffee'): nock.Scope {
  const scope = nock(API).get(`${REPO}/contents/.github%2Fclaw.yml`).optionally();
  return yaml === undefined
    ? scope.reply(404, { message: 'Not Found' })
    : scope.reply(200, {
        type: 'file',
        sha,
        content: Buffer.from(yaml).toString('base64'),
        encoding: 'base64',
      });
}

/** `cached`: the app asked about this login within the last minute and will not ask again. */
function nockPermission(login: string, role: string, cached = false): nock.Scope {
  const scope = nock(API).get(`${REPO}/collaborators/${login}/permission`);
  return (cached ? scope.optionally() : scope).reply(200, { permission: role, role_name: role });
}

/** Acknowledgements happen after the 2xx; wait for them instead of sleeping a fixed time. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Claw app over HTTP', () => {
  const redis = useTestRedis(import.meta.url);
  useNock();
  let web: TestWeb;
  let queue: Queue;

  let ackWorker: ReturnType<typeof createAckWorker>;
  let attacher: JobQueue;

  beforeAll(async () => {
    web = await startTestWeb({ redisUrl: redis().url, prefix: redis().prefix });
    // What `claw worker` runs next to the job worker: the acknowledgements (👀 + tracking comment).
    attacher = createBullQueue({
      connection: redis().connection({ forBullmq: false }),
      prefix: redis().prefix,
    });
    ackWorker = createAckWorker({
      connection: redis().connection(),
      prefix: redis().prefix,
      octokitFactory: { forInstallation: () => Promise.resolve(new TestOctokit({ auth: TOKEN })) },
      logger: createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) }),
      attachTrackingComment: (jobId, commentId) => attacher.attachTrackingComment(jobId, commentId),
    });
    queue = new Queue(QUEUE_NAME, {
      connection: redis().connection(),
      prefix: redisKeys(redis().prefix).bullPrefix,
    });
  });

  afterAll(async () => {
    await ackWorker.close();
    await attacher.close();
    await queue.close();
    await web.close();
  });

  const jobFor = (deliveryId: string) => Job.fromId(queue, `gh-${deliveryId}`);
  const linesOf = (deliveryId: string) =>
    web.lines.filter((line) => line.deliveryId === deliveryId);

  it('stores a job and answers; a worker then reacts 👀 and posts one queued tracking comment whose id reaches the job', async () => {
    nockToken();
    nockConfig(undefined);
    nockPermission('alice', 'write');
    const reaction = nock(API)
      .post(`${REPO}/issues/comments/1001/reactions`, { content: 'eyes' })
      .reply(201, {});
    let commentBody = '';
    nock(API)
      .post(
        `${REPO}/issues/7/comments`,
        (body: { body: string }) => (commentBody = body.body).length > 0,
      )
      .reply(201, { id: 5001 });

    const delivery = await deliver(
      web,
      'issue_comment',
      commentPayload('@claw fix the flaky test', { issue: 7 }),
    );
    const storedAtAnswer = await jobFor(delivery.id);
    await until(async () => (await jobFor(delivery.id))?.data.trackingCommentId === 5001);
    const job = await jobFor(delivery.id);

    expect(delivery.status).toBe(200);
    expect(storedAtAnswer?.data).toMatchObject({
      kind: 'resolve-issue',
      awaitTrackingComment: true,
    });
    expect(
      await redis().client.get(redisKeys(redis().prefix).trackingComment(`gh-${delivery.id}`)),
    ).toBe('5001');
    expect(reaction.isDone()).toBe(true);
    expect(commentBody).toMatch(/^⏳ Queued: resolving this issue\./);
    expect(commentBody).toContain(`<!-- claw:tracking job=gh-${delivery.id} -->`);
    expect(JobPayload.parse(job?.data)).toMatchObject({
      kind: 'resolve-issue',
      deliveryId: delivery.id,
      installationId: 42,
      owner: 'octo-org',
      repo: 'widgets',
      number: 7,
      actor: 'alice',
      instruction: 'fix the flaky test',
      trackingCommentId: 5001,
    });
    const stored = await Promise.all(
      (await redis().keys()).map((key) => redis().client.dumpBuffer(key)),
    );
    expect(stored.length).toBeGreaterThan(2);
    expect(Buffer.concat(stored.filter((v): v is Buffer => v !== null)).includes(TOKEN)).toBe(
      false,
    );
  });

  it('treats a redelivered webhook as a no-op: one job, one tracking comment', async () => {
    nockToken();
    nockConfig(undefined);
    nockPermission('alice', 'write', true);
    nock(API).post(`${REPO}/issues/comments/1001/reactions`).reply(201, {});
    const comments = nock(API).post(`${REPO}/issues/8/comments`).once().reply(201, { id: 5002 });
    const payload = commentPayload('@claw add a test', { issue: 8 });

    const first = await deliver(web, 'issue_comment', payload);
    await until(() => comments.isDone());
    const again = await deliver(web, 'issue_comment', payload, { id: first.id });

    expect([first.status, again.status]).toEqual([200, 200]);
    expect(comments.isDone()).toBe(true);
    expect(linesOf(first.id).filter((l) => l.msg === 'job stored')).toHaveLength(1);
    expect(
      linesOf(first.id).some((l) => l.msg === 'duplicate delivery: the job is already stored'),
    ).toBe(true);
  });

  it('ignores users below write access and replies politely once per thread', async () => {
    nockToken();
    nockConfig(undefined);
    nockPermission('mallory', 'read');
    let replies = 0;
    let reply = '';
    nock(API)
      .post(`${REPO}/issues/9/comments`, (body: { body: string }) => {
        replies += 1;
        reply = body.body;
        return true;
      })
      .reply(201, { id: 6001 });

    const first = await deliver(
      web,
      'issue_comment',
      commentPayload('@claw delete everything', { login: 'mallory', issue: 9 }),
    );
    const second = await deliver(
      web,
      'issue_comment',
      commentPayload('@claw please', { login: 'mallory', issue: 9 }),
    );

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(replies).toBe(1);
    expect(reply).toMatch(/Only people with write access/);
    expect(await jobFor(first.id)).toBeUndefined();
    expect(await jobFor(second.id)).toBeUndefined();
    expect(linesOf(second.id).find((l) => l.msg === 'event ignored')?.reason).toBe(
      'mallory has less than write access',
    );
  });

  it('reports an invalid .github/claw.yml once, naming the key, and runs nothing', async () => {
    const otherRepo = (payload: Payload) => {
      payload.repository.name = 'gadgets';
      return payload;
    };
    nockToken();
    nock(API)
      .get('/repos/octo-org/gadgets/contents/.github%2Fclaw.yml')
      .twice()
      .reply(200, {
        type: 'file',
        sha: 'bad1',
        content: Buffer.from('review:\n  auto: maybe\n').toString('base64'),
      });
    let notice = '';
    nock(API)
      .post(
        '/repos/octo-org/gadgets/issues/7/comments',
        (body: { body: string }) => (notice = body.body).length > 0,
      )
      .once()
      .reply(201, { id: 7001 });

    const first = await deliver(web, 'issue_comment', otherRepo(commentPayload('@claw fix')));
    const second = await deliver(
      web,
      'issue_comment',
      otherRepo(commentPayload('@claw fix again')),
    );

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(notice).toContain('`review.auto`: must be true or false');
    expect(await jobFor(first.id)).toBeUndefined();
    expect(await jobFor(second.id)).toBeUndefined();
  });

  it('publishes a cancellation for @claw stop and reacts to the comment', async () => {
    const subscriber = redis().connection();
    const messages: string[] = [];
    await subscriber.subscribe(redisKeys(redis().prefix).cancelChannel);
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));
    nockToken();
    nockConfig(undefined);
    nockPermission('alice', 'write', true);
    const reaction = nock(API).post(`${REPO}/issues/comments/1001/reactions`).reply(201, {});

    const delivery = await deliver(
      web,
      'issue_comment',
      commentPayload('@claw stop', { issue: 10 }),
    );
    for (let i = 0; messages.length === 0 && i < 100; i++)
      await new Promise((r) => setTimeout(r, 10));

    expect(delivery.status).toBe(200);
    expect(messages.map((m) => JSON.parse(m) as unknown)).toEqual([
      { target: 'octo-org/widgets#10', by: 'alice' },
    ]);
    expect(reaction.isDone()).toBe(true);
    expect(await jobFor(delivery.id)).toBeUndefined();
  });

  it('coalesces synchronize pushes into one delayed review job for the newest head', async () => {
    nockToken();
    nock(API)
      .get('/repos/octo-org/reviewed/contents/.github%2Fclaw.yml')
      .reply(200, {
        type: 'file',
        sha: 'auto1',
        content: Buffer.from('review:\n  auto: true\n').toString('base64'),
      });
    const push = (sha: string) => {
      const payload = webhookExample<Payload>('pull_request', 'synchronize');
      payload.repository.owner.login = 'octo-org';
      payload.repository.name = 'reviewed';
      payload.installation = { id: 42 };
      payload.number = 21;
      payload.pull_request.number = 21;
      payload.pull_request.draft = false;
      payload.pull_request.head.sha = sha;
      payload.sender = { login: 'alice', type: 'User' };
      return payload;
    };

    const statuses = [];
    for (const c of ['1', '2', '3'])
      statuses.push((await deliver(web, 'pull_request', push(c.repeat(40)))).status);
    const delayed = (await queue.getDelayed()).filter(
      (job) => (job.data as JobPayload).number === 21,
    );

    expect(statuses).toEqual([200, 200, 200]);
    expect(delayed).toHaveLength(1);
    expect(delayed[0]?.data).toMatchObject({
      kind: 'review-pr',
      reason: 'auto',
      headSha: '3'.repeat(40),
    });
  });

  it('rejects a bad signature with 400 and does nothing', async () => {
    const delivery = await deliver(web, 'issue_comment', commentPayload('@claw fix'), {
      secret: 'wrong-secret',
    });

    expect(delivery.status).toBe(400);
    expect(delivery.body).toMatch(/signature does not match/i);
    expect(await jobFor(delivery.id)).toBeUndefined();
  });

  it('serves /healthz and /readyz', async () => {
    const health = await fetch(`${web.url}/healthz`);
    const ready = await fetch(`${web.url}/readyz`);

    expect([health.status, ready.status]).toEqual([200, 200]);
    expect(await ready.json()).toEqual({ status: 'ready', queue: 'redis' });
  });

  it('answers every recorded payload of the handled events with 2xx: a trigger or a logged ignore, never an error', async () => {
    nock(API)
      .persist()
      .post(/\/app\/installations\/\d+\/access_tokens/)
      .reply(201, { token: TOKEN, expires_at: new Date(Date.now() + 3600_000).toISOString() })
      .get(/\/contents\/\.github%2Fclaw\.yml/)
      .reply(200, {
        type: 'file',
        sha: 'auto2',
        content: Buffer.from('review:\n  auto: true\n').toString('base64'),
      })
      .get(/\/collaborators\/[^/]+\/permission/)
      .reply(200, { permission: 'admin', role_name: 'admin' })
      .post(/\/reactions$/)
      .reply(201, {})
      .post(/\/issues\/\d+\/comments$/)
      .reply(201, { id: 9999 });
    const events = [
      'issues',
      'issue_comment',
      'pull_request',
      'pull_request_review',
      'pull_request_review_comment',
      'installation',
      'installation_repositories',
    ];
    const outcomes = new Map<string, string>();

    for (const name of events) {
      for (const [index, payload] of webhookExamples<Payload>(name).entries()) {
        if (payload.installation === undefined) payload.installation = { id: 1000 + index };
        if (typeof payload.comment?.body === 'string') payload.comment.body += ' @claw check this';
        const delivery = await deliver(web, name, payload);
        expect({ name, action: payload.action, status: delivery.status }).toEqual({
          name,
          action: payload.action,
          status: 200,
        });
        const lines = linesOf(delivery.id);
        expect(lines.filter((l) => l.level >= 50)).toEqual([]);
        const decided = lines.find((l) =>
          [
            'job stored',
            'event ignored',
            'cancellation sent',
            'installation changed',
            'duplicate delivery: the job is already stored',
          ].includes(l.msg),
        );
        expect({ name, action: payload.action, decided: decided?.msg }).toEqual({
          name,
          action: payload.action,
          decided: expect.any(String),
        });
        outcomes.set(`${name}.${payload.action}`, decided!.msg);
      }
    }
    nock.cleanAll();

    expect(outcomes.get('issue_comment.created')).toBe('job stored');
    expect(outcomes.get('issues.edited')).toBe('event ignored');
    expect(outcomes.get('pull_request.closed')).toBe('cancellation sent');
    expect(outcomes.get('installation.created')).toBe('installation changed');
    expect(outcomes.size).toBeGreaterThan(40);
  });
});

describe('Claw app when Redis is down', () => {
  useNock();
  let web: TestWeb;

  beforeAll(async () => {
    web = await startTestWeb({ redisUrl: 'redis://127.0.0.1:1', prefix: '{claw-test:down}' });
  });

  afterAll(async () => {
    await web.close();
  });

  it('answers 503 without posting anything, and logs the delivery id for redelivery', async () => {
    nockToken();
    nockConfig(undefined);
    nockPermission('alice', 'write');

    const delivery = await deliver(web, 'issue_comment', commentPayload('@claw fix'));

    expect(delivery.status).toBe(503);
    expect(
      web.lines.some((l) => l.deliveryId === delivery.id && /Redis is unavailable/.test(l.msg)),
    ).toBe(true);
  });

  it('reports not ready on /readyz while /healthz stays up', async () => {
    const health = await fetch(`${web.url}/healthz`);
    const ready = await fetch(`${web.url}/readyz`);

    expect([health.status, ready.status]).toEqual([200, 503]);
  });
});
