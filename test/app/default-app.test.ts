// The default export (what `probot run` loads): jobs run in-process through the shipped handlers, and a job that
// cannot run (here: no model configured) fails visibly on its tracking comment instead of pretending to succeed.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nock from 'nock';
import { Probot } from 'probot';
import app from '../../src/app.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { API, TestOctokit, testPrivateKey } from '../github/support/github.js';
import { useNock } from '../support/nock.js';
import { webhookExample } from '../support/webhooks.js';

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'claw-default-app-'));

describe('default app export', () => {
  useNock();
  beforeAll(() => {
    process.env.CLAW_CACHE_DIR = cacheDir;
    delete process.env.ANTHROPIC_API_KEY;
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    delete process.env.CLAW_PROVIDER;
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('acknowledges, runs the job in-process and reports on the issue that no model is configured', async () => {
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
    nock(API).get('/repos/octo-org/widgets/contents/.github%2Fclaw.yml').times(2).reply(404, {});
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
      /^❌ Invalid environment:\n {2}ANTHROPIC_API_KEY: is not set \(nor OPENAI_API_KEY or OPENAI_BASE_URL\), so this Claw deployment has no model/,
    );
  });
});
