import { jest } from '@jest/globals';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { Octokit } from '@octokit/rest';
import { verify } from '@octokit/webhooks-methods';
import type { GitHubEmulator, EmulatedRepo } from '../../src/dev/github-emulator.js';
import { makeTempDir } from '../support/git-repo.js';
import {
  appOctokit,
  gitAs,
  installationOctokit,
  startEmulator,
  TestOctokit,
} from './emulator-fixture.js';

// Real git over real processes on a shared 2-core machine: give each test room.
jest.setTimeout(90_000);

const CLAW_YML = 'trigger_phrase: "@claw"\nbranch_prefix: claw/\n';

describe('GitHub emulator', () => {
  let emulator: GitHubEmulator;
  let repo: EmulatedRepo;
  let clock: number;

  beforeEach(async () => {
    clock = Date.now();
    emulator = await startEmulator({ now: () => clock });
    repo = await emulator.seedRepo({
      owner: 'octo',
      name: 'demo',
      files: {
        'README.md': '# demo\n',
        'src/app.ts': 'export const answer = 41;\nexport const other = 1;\n',
        '.github/claw.yml': CLAW_YML,
      },
    });
  });
  afterEach(async () => emulator.close());

  describe('App authentication', () => {
    it('exchanges an App JWT for an installation token that then reaches the repo', async () => {
      const app = appOctokit(emulator);

      const { data: me } = await app.rest.apps.getAuthenticated();
      const { data: installation } = await app.rest.apps.getRepoInstallation({
        owner: 'octo',
        repo: 'demo',
      });
      const octokit = installationOctokit(emulator, installation.id);
      const { data: got } = await octokit.rest.repos.get({ owner: 'octo', repo: 'demo' });

      expect(me).toMatchObject({ id: 4242, slug: 'claw-test' });
      expect(installation.id).toBe(emulator.installationId(repo));
      expect(got).toMatchObject({ full_name: 'octo/demo', default_branch: 'main' });
      expect(emulator.issuedTokens()).toHaveLength(1);
      expect(emulator.issuedTokens()[0]).toMatch(/^ghs_[A-Za-z0-9]{36}$/);
      expect(emulator.requests().map((r) => [r.operationId, r.status])).toEqual([
        ['apps/get-authenticated', 200],
        ['apps/get-repo-installation', 200],
        ['apps/create-installation-access-token', 201],
        ['repos/get', 200],
      ]);
      expect(emulator.violations()).toEqual([]);
    });

    it('rejects requests without a token, with a JWT from another key, and with an expired token', async () => {
      const anonymous = new TestOctokit({ baseUrl: emulator.apiUrl });
      await expect(anonymous.rest.repos.get({ owner: 'octo', repo: 'demo' })).rejects.toMatchObject(
        { status: 401 },
      );

      const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      const forged = new TestOctokit({
        baseUrl: emulator.apiUrl,
        auth: { appId: 4242, privateKey: otherKey },
      });
      await expect(forged.rest.apps.getAuthenticated()).rejects.toMatchObject({ status: 401 });

      const { data } = await appOctokit(emulator).rest.apps.createInstallationAccessToken({
        installation_id: emulator.installationId(repo),
      });
      const withToken = new Octokit({
        baseUrl: emulator.apiUrl,
        auth: data.token,
        log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
      });
      await expect(
        withToken.rest.repos.get({ owner: 'octo', repo: 'demo' }),
      ).resolves.toMatchObject({ status: 200 });
      clock += 61 * 60_000;
      await expect(withToken.rest.repos.get({ owner: 'octo', repo: 'demo' })).rejects.toMatchObject(
        { status: 401 },
      );
    });

    it('does not let an installation token reach a repository outside its installation', async () => {
      const other = await emulator.seedRepo({
        owner: 'someone',
        name: 'private',
        files: { 'a.txt': 'a\n' },
        private: true,
      });
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      await expect(
        octokit.rest.repos.get({ owner: 'someone', repo: 'private' }),
      ).rejects.toMatchObject({ status: 404 });
      expect(emulator.installationId(other)).not.toBe(emulator.installationId(repo));
    });
  });

  describe('issues and comments', () => {
    it('round-trips a comment: create, update, get, list, react', async () => {
      const issue = emulator.createIssue(repo, {
        title: 'Answer is wrong',
        body: 'It should be 42.',
        user: 'alice',
      });
      emulator.createComment(repo, issue.number, { body: '@claw fix it', user: 'alice' });
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      const { data: created } = await octokit.rest.issues.createComment({
        owner: 'octo',
        repo: 'demo',
        issue_number: issue.number,
        body: 'Working on it…',
      });
      await octokit.rest.issues.updateComment({
        owner: 'octo',
        repo: 'demo',
        comment_id: created.id,
        body: 'Done: #2',
      });
      const { data: fetched } = await octokit.rest.issues.getComment({
        owner: 'octo',
        repo: 'demo',
        comment_id: created.id,
      });
      const listed = await octokit.paginate(octokit.rest.issues.listComments, {
        owner: 'octo',
        repo: 'demo',
        issue_number: issue.number,
        per_page: 1,
      });
      await octokit.rest.reactions.createForIssue({
        owner: 'octo',
        repo: 'demo',
        issue_number: issue.number,
        content: 'eyes',
      });
      const { data: gotIssue } = await octokit.rest.issues.get({
        owner: 'octo',
        repo: 'demo',
        issue_number: issue.number,
      });

      expect(fetched).toMatchObject({
        body: 'Done: #2',
        user: { login: 'claw-test[bot]', type: 'Bot' },
      });
      expect(listed.map((c) => [c.user?.login, c.body])).toEqual([
        ['alice', '@claw fix it'],
        ['claw-test[bot]', 'Done: #2'],
      ]);
      expect(gotIssue).toMatchObject({
        title: 'Answer is wrong',
        comments: 2,
        reactions: { eyes: 1 },
      });
      expect(emulator.comments(repo, issue.number).map((c) => c.body)).toEqual([
        '@claw fix it',
        'Done: #2',
      ]);
      expect(emulator.reactions().map((r) => r.content)).toEqual(['eyes']);
      expect(emulator.violations()).toEqual([]);
    });

    it('adds, lists and removes labels on an issue', async () => {
      const issue = emulator.createIssue(repo, {
        title: 'Labelled',
        user: 'alice',
        labels: ['claw'],
      });
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      await octokit.rest.issues.addLabels({
        owner: 'octo',
        repo: 'demo',
        issue_number: issue.number,
        labels: ['bug'],
      });
      await octokit.rest.issues.removeLabel({
        owner: 'octo',
        repo: 'demo',
        issue_number: issue.number,
        name: 'claw',
      });
      const { data } = await octokit.rest.issues.listLabelsOnIssue({
        owner: 'octo',
        repo: 'demo',
        issue_number: issue.number,
      });

      expect(data.map((label) => label.name)).toEqual(['bug']);
      await expect(
        octokit.rest.issues.removeLabel({
          owner: 'octo',
          repo: 'demo',
          issue_number: issue.number,
          name: 'claw',
        }),
      ).rejects.toMatchObject({ status: 404 });
    });

    it('reports collaborator permission as GitHub maps roles', async () => {
      emulator.setPermission(repo, 'maintainer', 'maintain');
      emulator.setPermission(repo, 'visitor', 'none');
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      const level = async (username: string) =>
        (
          await octokit.rest.repos.getCollaboratorPermissionLevel({
            owner: 'octo',
            repo: 'demo',
            username,
          })
        ).data.permission;

      expect(await level('octo')).toBe('admin');
      expect(await level('maintainer')).toBe('write');
      expect(await level('visitor')).toBe('none');
    });
  });

  describe('contents', () => {
    it('reads .github/claw.yml as base64 JSON and as raw text, and 404s a missing file', async () => {
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      const { data } = await octokit.rest.repos.getContent({
        owner: 'octo',
        repo: 'demo',
        path: '.github/claw.yml',
      });
      const raw = await octokit.request('GET /repos/{owner}/{repo}/contents/{path}', {
        owner: 'octo',
        repo: 'demo',
        path: '.github/claw.yml',
        mediaType: { format: 'raw' },
      });
      const { data: listing } = await octokit.rest.repos.getContent({
        owner: 'octo',
        repo: 'demo',
        path: 'src',
      });

      expect(Array.isArray(data)).toBe(false);
      const file = data as { type: string; encoding: string; content: string; path: string };
      expect(file).toMatchObject({ type: 'file', encoding: 'base64', path: '.github/claw.yml' });
      expect(Buffer.from(file.content, 'base64').toString('utf8')).toBe(CLAW_YML);
      expect(Buffer.from(raw.data as unknown as ArrayBuffer).toString('utf8')).toBe(CLAW_YML);
      expect((listing as { name: string; type: string }[]).map((e) => [e.name, e.type])).toEqual([
        ['app.ts', 'file'],
      ]);
      await expect(
        octokit.rest.repos.getContent({ owner: 'octo', repo: 'demo', path: 'nope.txt' }),
      ).rejects.toMatchObject({ status: 404 });
    });
  });

  describe('git over smart HTTP', () => {
    it('refuses clones without a valid installation token', async () => {
      const dir = await makeTempDir();

      await expect(
        gitAs(dir, ['clone', '--quiet', emulator.cloneUrl(repo), 'anon']),
      ).rejects.toThrow(/Authentication failed|could not read Username|401/);
      await expect(
        gitAs(
          dir,
          ['clone', '--quiet', emulator.cloneUrl(repo), 'forged'],
          'ghs_notarealtoken000000000000000000000',
        ),
      ).rejects.toThrow(/Authentication failed|401|could not read/);
      expect(
        emulator
          .requests()
          .filter((r) => r.operationId === 'git')
          .every((r) => r.status === 401),
      ).toBe(true);
    });

    it('clones and takes a push with the token, and a PR opens from the pushed branch', async () => {
      const { data: token } = await appOctokit(emulator).rest.apps.createInstallationAccessToken({
        installation_id: emulator.installationId(repo),
      });
      const dir = await makeTempDir();
      await gitAs(dir, ['clone', '--quiet', emulator.cloneUrl(repo), 'work'], token.token);
      const work = path.join(dir, 'work');
      await gitAs(work, ['checkout', '--quiet', '-b', 'claw/issue-1-fix-answer']);
      await writeFile(
        path.join(work, 'src/app.ts'),
        'export const answer = 42;\nexport const other = 1;\n',
      );
      await gitAs(work, ['commit', '--quiet', '-am', 'Fix the answer']);
      await gitAs(work, ['push', '--quiet', 'origin', 'claw/issue-1-fix-answer'], token.token);
      const pushed = (await gitAs(work, ['rev-parse', 'HEAD'])).stdout.trim();
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      const { data: pull } = await octokit.rest.pulls.create({
        owner: 'octo',
        repo: 'demo',
        title: 'Fix the answer',
        head: 'claw/issue-1-fix-answer',
        base: 'main',
        body: 'Fixes #1',
        draft: true,
      });
      const { data: found } = await octokit.rest.pulls.list({
        owner: 'octo',
        repo: 'demo',
        head: 'octo:claw/issue-1-fix-answer',
        state: 'open',
      });
      const { data: none } = await octokit.rest.pulls.list({
        owner: 'octo',
        repo: 'demo',
        head: 'octo:other-branch',
      });
      const { data: files } = await octokit.rest.pulls.listFiles({
        owner: 'octo',
        repo: 'demo',
        pull_number: pull.number,
      });
      const { data: commits } = await octokit.rest.pulls.listCommits({
        owner: 'octo',
        repo: 'demo',
        pull_number: pull.number,
      });
      const { data: compare } = await octokit.rest.repos.compareCommitsWithBasehead({
        owner: 'octo',
        repo: 'demo',
        basehead: 'main...claw/issue-1-fix-answer',
      });

      expect(await emulator.branchSha(repo, 'claw/issue-1-fix-answer')).toBe(pushed);
      expect(pull).toMatchObject({
        number: 1,
        draft: true,
        body: 'Fixes #1',
        head: { ref: 'claw/issue-1-fix-answer', sha: pushed },
        base: { ref: 'main' },
        commits: 1,
        additions: 1,
        deletions: 1,
        changed_files: 1,
      });
      expect(found.map((p) => p.number)).toEqual([1]);
      expect(none).toEqual([]);
      expect(files).toEqual([
        expect.objectContaining({
          filename: 'src/app.ts',
          status: 'modified',
          additions: 1,
          deletions: 1,
          patch:
            '@@ -1,2 +1,2 @@\n-export const answer = 41;\n+export const answer = 42;\n export const other = 1;',
        }),
      ]);
      expect(commits.map((c) => [c.sha, c.commit.message])).toEqual([[pushed, 'Fix the answer']]);
      expect(compare).toMatchObject({
        status: 'ahead',
        ahead_by: 1,
        behind_by: 0,
        total_commits: 1,
      });
      await expect(
        octokit.rest.pulls.create({
          owner: 'octo',
          repo: 'demo',
          title: 'again',
          head: 'claw/issue-1-fix-answer',
          base: 'main',
        }),
      ).rejects.toMatchObject({ status: 422 });
      expect(emulator.pullRequests(repo)).toHaveLength(1);
      expect(emulator.violations()).toEqual([]);
    });
  });

  describe('reviews', () => {
    async function openPull(): Promise<number> {
      const { data: token } = await appOctokit(emulator).rest.apps.createInstallationAccessToken({
        installation_id: emulator.installationId(repo),
      });
      const dir = await makeTempDir();
      await gitAs(dir, ['clone', '--quiet', emulator.cloneUrl(repo), 'w'], token.token);
      const work = path.join(dir, 'w');
      await gitAs(work, ['checkout', '--quiet', '-b', 'feature']);
      await mkdir(path.join(work, 'lib'), { recursive: true });
      await writeFile(path.join(work, 'lib/new.ts'), 'line 1\nline 2\nline 3\n');
      await gitAs(work, ['add', '.']);
      await gitAs(work, ['commit', '--quiet', '-m', 'Add lib']);
      await gitAs(work, ['push', '--quiet', 'origin', 'feature'], token.token);
      return (
        await emulator.createPullRequest(repo, { title: 'Add lib', head: 'feature', user: 'alice' })
      ).number;
    }

    it('posts a review with inline comments on diff lines, lists it, and threads replies', async () => {
      const number = await openPull();
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      const { data: review } = await octokit.rest.pulls.createReview({
        owner: 'octo',
        repo: 'demo',
        pull_number: number,
        event: 'COMMENT',
        body: 'Summary',
        comments: [{ path: 'lib/new.ts', line: 2, side: 'RIGHT', body: 'Why?' }],
      });
      const { data: reviews } = await octokit.rest.pulls.listReviews({
        owner: 'octo',
        repo: 'demo',
        pull_number: number,
      });
      const { data: comments } = await octokit.rest.pulls.listReviewComments({
        owner: 'octo',
        repo: 'demo',
        pull_number: number,
      });
      const first = comments[0] as (typeof comments)[number];
      const { data: replied } = await octokit.rest.pulls.createReplyForReviewComment({
        owner: 'octo',
        repo: 'demo',
        pull_number: number,
        comment_id: first.id,
        body: 'Because.',
      });

      expect(review).toMatchObject({
        state: 'COMMENTED',
        body: 'Summary',
        user: { login: 'claw-test[bot]' },
      });
      expect(reviews.map((r) => r.id)).toEqual([review.id]);
      expect(first).toMatchObject({
        path: 'lib/new.ts',
        line: 2,
        side: 'RIGHT',
        body: 'Why?',
        pull_request_review_id: review.id,
      });
      expect(replied).toMatchObject({ in_reply_to_id: first.id, body: 'Because.' });
      expect(emulator.reviewComments(repo, number).map((c) => c.body)).toEqual([
        'Why?',
        'Because.',
      ]);
    });

    it('rejects an inline comment on a line outside the diff, as GitHub does, and posts nothing', async () => {
      const number = await openPull();
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      await expect(
        octokit.rest.pulls.createReview({
          owner: 'octo',
          repo: 'demo',
          pull_number: number,
          event: 'COMMENT',
          body: 'x',
          comments: [{ path: 'README.md', line: 1, body: 'not in the diff' }],
        }),
      ).rejects.toMatchObject({ status: 422 });
      expect(emulator.reviews(repo)).toEqual([]);
      expect(emulator.reviewComments(repo)).toEqual([]);
      // A GitHub-side refusal is not a contract violation: the request itself was well-formed.
      expect(emulator.violations()).toEqual([]);
    });
  });

  describe('OpenAPI contract', () => {
    it('records an invalid body as a violation and answers 422', async () => {
      const issue = emulator.createIssue(repo, { title: 't', user: 'alice' });
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      await expect(
        octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          owner: 'octo',
          repo: 'demo',
          issue_number: issue.number,
          text: 'wrong field',
        } as never),
      ).rejects.toMatchObject({ status: 422 });
      await expect(
        octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/reactions', {
          owner: 'octo',
          repo: 'demo',
          issue_number: issue.number,
          content: 'fire',
        } as never),
      ).rejects.toMatchObject({ status: 422 });

      expect(emulator.violations()).toEqual([
        expect.objectContaining({
          kind: 'invalid-body',
          operationId: 'issues/create-comment',
          message: expect.stringContaining("must have required property 'body'"),
        }),
        expect.objectContaining({
          kind: 'invalid-body',
          operationId: 'reactions/create-for-issue',
          message: expect.stringContaining('must be equal to one of the allowed values'),
        }),
      ]);
      expect(emulator.comments(repo)).toEqual([]);
      expect(() => emulator.assertNoViolations()).toThrow('GitHub API contract violations');
    });

    it('records an unknown route and a bad path parameter as violations', async () => {
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      await expect(
        octokit.request('GET /repos/{owner}/{repo}/not-an-endpoint', {
          owner: 'octo',
          repo: 'demo',
        }),
      ).rejects.toMatchObject({ status: 404 });
      await expect(
        octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}', {
          owner: 'octo',
          repo: 'demo',
          issue_number: 'abc',
        } as never),
      ).rejects.toMatchObject({ status: 422 });

      expect(emulator.violations().map((v) => [v.kind, v.path])).toEqual([
        ['unknown-route', '/repos/octo/demo/not-an-endpoint'],
        ['invalid-params', '/repos/octo/demo/issues/abc'],
      ]);
    });

    it('flags a real GitHub endpoint the emulator does not serve, so gaps are never silent', async () => {
      const octokit = installationOctokit(emulator, emulator.installationId(repo));

      await expect(
        octokit.rest.repos.listReleases({ owner: 'octo', repo: 'demo' }),
      ).rejects.toMatchObject({ status: 501 });

      expect(emulator.violations()).toEqual([
        expect.objectContaining({ kind: 'unimplemented', operationId: 'repos/list-releases' }),
      ]);
    });
  });

  describe('webhooks', () => {
    it('delivers a signed issue_comment.created that verifies with the webhook secret', async () => {
      const received: { headers: IncomingMessage['headers']; body: string }[] = [];
      const receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (c: Buffer) => chunks.push(c));
        request.on('end', () => {
          received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
          response.writeHead(202).end('queued');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
      const issue = emulator.createIssue(repo, { title: 'Answer is wrong', user: 'alice' });

      const { delivery, comment } = await emulator.commentAndDeliver(
        repo,
        issue.number,
        { body: '@claw fix the failing test', user: 'alice' },
        { url },
      );
      await new Promise<void>((resolve) => receiver.close(() => resolve()));

      expect(delivery.status).toBe(202);
      expect(received).toHaveLength(1);
      const [{ headers, body }] = received as [(typeof received)[number]];
      expect(headers['x-github-event']).toBe('issue_comment');
      expect(headers['x-github-delivery']).toBe(delivery.id);
      expect(
        await verify(emulator.app.webhookSecret, body, headers['x-hub-signature-256'] as string),
      ).toBe(true);
      expect(await verify('wrong-secret', body, headers['x-hub-signature-256'] as string)).toBe(
        false,
      );
      const payload = JSON.parse(body) as Record<string, unknown>;
      expect(payload).toMatchObject({
        action: 'created',
        issue: { number: issue.number, title: 'Answer is wrong' },
        comment: { id: comment.id, body: '@claw fix the failing test', user: { login: 'alice' } },
        repository: { full_name: 'octo/demo', default_branch: 'main', owner: { login: 'octo' } },
        installation: { id: emulator.installationId(repo) },
        sender: { login: 'alice', type: 'User' },
      });
      expect(emulator.webhookDeliveries()).toHaveLength(1);
    });
  });
});

describe('pull request webhooks', () => {
  it('delivers pull_request.opened with the real head commit, signed', async () => {
    const emulator = await startEmulator();
    const repo = await emulator.seedRepo({
      owner: 'octo',
      name: 'demo',
      files: { 'a.txt': 'a\n' },
    });
    const { data: token } = await appOctokit(emulator).rest.apps.createInstallationAccessToken({
      installation_id: emulator.installationId(repo),
    });
    const dir = await makeTempDir();
    await gitAs(dir, ['clone', '--quiet', emulator.cloneUrl(repo), 'w'], token.token);
    const work = path.join(dir, 'w');
    await gitAs(work, ['checkout', '--quiet', '-b', 'feature']);
    await writeFile(path.join(work, 'a.txt'), 'b\n');
    await gitAs(work, ['commit', '--quiet', '-am', 'Change a']);
    await gitAs(work, ['push', '--quiet', 'origin', 'feature'], token.token);
    const pull = await emulator.createPullRequest(repo, {
      title: 'Change a',
      head: 'feature',
      user: 'alice',
    });
    const bodies: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push(body);
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

    const delivery = await emulator.deliverPullRequest(repo, pull.number, 'opened', 'alice', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
    });
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    await emulator.close();

    expect(delivery.status).toBe(200);
    const payload = JSON.parse(bodies[0] as string) as Record<string, unknown>;
    expect(payload).toMatchObject({
      action: 'opened',
      number: pull.number,
      pull_request: {
        number: pull.number,
        head: { ref: 'feature', sha: (await gitAs(work, ['rev-parse', 'HEAD'])).stdout.trim() },
        base: { ref: 'main' },
      },
      installation: { id: expect.any(Number) },
    });
  });
});

describe('seeding', () => {
  it('turns a plain folder into a one-commit repository', async () => {
    const emulator = await startEmulator();
    const source = await makeTempDir();
    await mkdir(path.join(source, 'src'), { recursive: true });
    await writeFile(path.join(source, 'src/index.ts'), 'export {};\n');

    const repo = await emulator.seedRepo({ owner: 'octo', name: 'plain', from: source });
    const octokit = installationOctokit(emulator, emulator.installationId(repo));
    const { data } = await octokit.rest.repos.getContent({
      owner: 'octo',
      repo: 'plain',
      path: 'src/index.ts',
    });
    const { data: branch } = await octokit.rest.repos.getBranch({
      owner: 'octo',
      repo: 'plain',
      branch: 'main',
    });

    expect(Buffer.from((data as { content: string }).content, 'base64').toString()).toBe(
      'export {};\n',
    );
    expect(branch.commit.sha).toBe(await emulator.branchSha(repo, 'main'));
    expect(emulator.violations()).toEqual([]);
    await emulator.close();
  });

  it('imports a folder that is a git repository with its history', async () => {
    const emulator = await startEmulator();
    const source = await makeTempDir();
    await gitAs(source, ['init', '--quiet', '--initial-branch=trunk']);
    await writeFile(path.join(source, 'a.txt'), 'one\n');
    await gitAs(source, ['add', '.']);
    await gitAs(source, ['commit', '--quiet', '-m', 'first']);
    await writeFile(path.join(source, 'a.txt'), 'two\n');
    await gitAs(source, ['commit', '--quiet', '-am', 'second']);

    const repo = await emulator.seedRepo({
      owner: 'octo',
      name: 'history',
      from: source,
      defaultBranch: 'trunk',
    });
    const octokit = installationOctokit(emulator, emulator.installationId(repo));
    const { data } = await octokit.rest.repos.getContent({
      owner: 'octo',
      repo: 'history',
      path: 'a.txt',
    });

    expect(Buffer.from((data as { content: string }).content, 'base64').toString()).toBe('two\n');
    expect(await readFile(path.join(source, 'a.txt'), 'utf8')).toBe('two\n');
    await emulator.close();
  });
});
