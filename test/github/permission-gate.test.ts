import nock from 'nock';
import {
  createPermissionGate,
  createRepoConfigLoader,
  InvalidRepoConfigFile,
  renderTrackingComment,
} from '../../src/github/index.js';
import { useNock } from '../support/nock.js';
import { API, TestOctokit } from './support/github.js';

const repo = { owner: 'octo-org', repo: 'widgets' };

describe('createPermissionGate', () => {
  useNock();
  const octokit = new TestOctokit({ auth: 'test' });

  it.each([
    ['admin', true],
    ['maintain', true],
    ['write', true],
    ['triage', false],
    ['read', false],
  ])('grants %s: %s', async (role, allowed) => {
    nock(API)
      .get(`/repos/octo-org/widgets/collaborators/${role}-user/permission`)
      .reply(200, { permission: role === 'maintain' ? 'write' : role, role_name: role });

    expect(await createPermissionGate().canWrite(octokit, repo, `${role}-user`)).toBe(allowed);
  });

  it('treats a 404 (not a collaborator) as no access', async () => {
    nock(API)
      .get('/repos/octo-org/widgets/collaborators/stranger/permission')
      .reply(404, { message: 'Not Found' });

    expect(await createPermissionGate().level(octokit, repo, 'stranger')).toBe('none');
  });

  it('caches answers briefly, then asks again', async () => {
    let now = 0;
    const gate = createPermissionGate({ ttlMs: 1000, now: () => now });
    const scope = nock(API)
      .get('/repos/octo-org/widgets/collaborators/alice/permission')
      .twice()
      .reply(200, { permission: 'write', role_name: 'write' });

    await gate.canWrite(octokit, repo, 'alice');
    now = 999;
    await gate.canWrite(octokit, repo, 'Alice');
    expect(scope.pendingMocks()).toHaveLength(1);
    now = 1001;
    await gate.canWrite(octokit, repo, 'alice');

    expect(scope.isDone()).toBe(true);
  });

  it('passes other errors on (a GitHub outage is not a refusal)', async () => {
    nock(API).get('/repos/octo-org/widgets/collaborators/alice/permission').reply(502, {});

    await expect(createPermissionGate().canWrite(octokit, repo, 'alice')).rejects.toMatchObject({
      status: 502,
    });
  });
});

describe('createRepoConfigLoader', () => {
  useNock();
  const octokit = new TestOctokit({ auth: 'test' });

  it('uses the defaults when the file is missing and parses it when present', async () => {
    nock(API).get('/repos/octo-org/widgets/contents/.github%2Fclaw.yml').reply(404, {});
    nock(API)
      .get('/repos/octo-org/other/contents/.github%2Fclaw.yml')
      .reply(200, {
        type: 'file',
        sha: 'abc',
        content: Buffer.from('label: fix-me\n').toString('base64'),
      });
    const load = createRepoConfigLoader({ ttlMs: 0 });

    expect((await load(octokit, repo)).config.label).toBe('claw');
    expect(await load(octokit, { owner: 'octo-org', repo: 'other' })).toMatchObject({
      sha: 'abc',
      config: { label: 'fix-me' },
    });
  });

  it('reports an invalid file with its version and the bad key', async () => {
    nock(API)
      .get('/repos/octo-org/widgets/contents/.github%2Fclaw.yml')
      .reply(200, {
        type: 'file',
        sha: 'bad',
        content: Buffer.from('trigger_phrase: "hey you"\n').toString('base64'),
      });

    const error = await createRepoConfigLoader()(octokit, repo).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidRepoConfigFile);
    expect((error as InvalidRepoConfigFile).sha).toBe('bad');
    expect((error as InvalidRepoConfigFile).message).toMatch(
      /trigger_phrase: must be a mention such as @claw/,
    );
  });
});

describe('renderTrackingComment', () => {
  it.each([
    [
      { status: 'queued' as const, position: 0 },
      '⏳ Queued: resolving this issue. It starts as soon as a worker is free.',
    ],
    [
      { status: 'queued' as const, position: 2 },
      '⏳ Queued: resolving this issue. 2 earlier jobs on this thread run first.',
    ],
    [
      { status: 'cancelled' as const, by: 'bob' },
      '🛑 Cancelled by @bob. Mention me again to start over.',
    ],
    [
      { status: 'failed' as const, reason: 'It broke.', nextStep: 'Try again.' },
      '❌ It broke.\n\nTry again.',
    ],
  ])('renders %j with the job marker', (state, text) => {
    expect(renderTrackingComment({ jobId: 'gh-1', kindLabel: 'resolving this issue', state })).toBe(
      `${text}\n\n<!-- claw:tracking job=gh-1 -->`,
    );
  });
});
