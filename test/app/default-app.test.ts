// The default export (what `probot run` loads): jobs run in-process, and with no handler registered for a kind
// the job fails visibly on its tracking comment instead of pretending to succeed.
import { randomUUID } from 'node:crypto';
import nock from 'nock';
import { Probot } from 'probot';
import app from '../../src/app.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { API, TestOctokit, testPrivateKey } from '../github/support/github.js';
import { useNock } from '../support/nock.js';
import { webhookExample } from '../support/webhooks.js';

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('default app export', () => {
  useNock();

  it('acknowledges, runs the job in-process and reports that no handler exists for it', async () => {
    const probot = new Probot({
      appId: 1,
      privateKey: testPrivateKey(),
      Octokit: TestOctokit,
      log: createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) }),
    });
    nock(API).get('/app').reply(200, { slug: 'claw' });
    nock(API)
      .post('/app/installations/42/access_tokens')
      .reply(201, { token: 'ghs_x', expires_at: new Date(Date.now() + 3600_000).toISOString() });
    nock(API).get('/repos/octo-org/widgets/contents/.github%2Fclaw.yml').reply(404, {});
    nock(API)
      .get('/repos/octo-org/widgets/collaborators/alice/permission')
      .reply(200, { permission: 'admin', role_name: 'admin' });
    nock(API).post('/repos/octo-org/widgets/issues/comments/1001/reactions').reply(201, {});
    nock(API).post('/repos/octo-org/widgets/issues/7/comments').reply(201, { id: 77 });
    let failure = '';
    const patched = nock(API)
      .patch(
        '/repos/octo-org/widgets/issues/comments/77',
        (body: { body: string }) => (failure = body.body).length > 0,
      )
      .reply(200, {});
    const payload = webhookExample<Payload>('issue_comment', 'created');
    payload.repository.owner.login = 'octo-org';
    payload.repository.name = 'widgets';
    payload.installation = { id: 42 };
    payload.issue.number = 7;
    delete payload.issue.pull_request;
    payload.comment = {
      ...payload.comment,
      id: 1001,
      body: '@claw fix it',
      user: { login: 'alice', type: 'User' },
    };
    payload.sender = { login: 'alice', type: 'User' };

    await app(probot);
    await probot.receive({ id: randomUUID(), name: 'issue_comment', payload } as never);
    for (let i = 0; !patched.isDone() && i < 200; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));

    expect(patched.isDone()).toBe(true);
    expect(failure).toMatch(
      /^❌ This Claw deployment has no handler for "resolve-issue" jobs, so nothing was done\./,
    );
  });
});
