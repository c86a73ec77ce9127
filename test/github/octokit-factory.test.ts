import nock from 'nock';
import {
  createClawOctokit,
  createOctokitFactory,
  githubBaseUrl,
  type OctokitHook,
} from '../../src/github/index.js';
import { useNock } from '../support/nock.js';
import { nockInstallationToken, testPrivateKey } from './support/github.js';

describe('githubBaseUrl', () => {
  it('points at GHES when GHE_HOST is set and at github.com otherwise', () => {
    expect(githubBaseUrl({ GHE_HOST: 'github.example.com', GHE_PROTOCOL: 'https' })).toBe(
      'https://github.example.com/api/v3',
    );
    expect(githubBaseUrl({ GHE_HOST: '127.0.0.1:8080', GHE_PROTOCOL: 'http' })).toBe(
      'http://127.0.0.1:8080/api/v3',
    );
    expect(githubBaseUrl({})).toBeUndefined();
  });
});

describe('createOctokitFactory', () => {
  useNock();

  it('applies every request hook to each client it mints, and talks to GHES', async () => {
    const seen: string[] = [];
    const hook: OctokitHook = (octokit) => {
      octokit.hook.before('request', (options) => {
        seen.push(`${options.method} ${options.url}`);
        // Endpoint parameters are still top-level here; `body` is the comment text.
        if (options.method === 'POST' && typeof options.body === 'string')
          options.body = '[redacted]';
      });
    };
    const factory = createOctokitFactory({
      appId: 1,
      privateKey: testPrivateKey(),
      baseUrl: 'http://ghes.test/api/v3',
      Octokit: createClawOctokit({ hooks: [hook], disableRetryAndThrottle: true }),
    });
    nock('http://ghes.test/api/v3')
      .post('/app/installations/42/access_tokens')
      .reply(201, { token: 'ghs_x', expires_at: new Date(Date.now() + 3600_000).toISOString() });
    const comment = nock('http://ghes.test/api/v3')
      .post('/repos/o/r/issues/1/comments', { body: '[redacted]' })
      .reply(201, { id: 1 });

    const octokit = await factory.forInstallation(42);
    await octokit.rest.issues.createComment({
      owner: 'o',
      repo: 'r',
      issue_number: 1,
      body: 'ghp_secret',
    });

    expect(comment.isDone()).toBe(true);
    expect(seen).toContain('POST /repos/{owner}/{repo}/issues/{issue_number}/comments');
  });

  it('mints a fresh installation token per client and keeps it out of the client options', async () => {
    nockInstallationToken(1);
    nock('https://api.github.com')
      .get('/repos/o/r')
      .matchHeader('authorization', 'token ghs_testinstallationtoken000000000000000')
      .reply(200, {});
    const factory = createOctokitFactory({
      appId: 1,
      privateKey: testPrivateKey(),
      Octokit: createClawOctokit({ disableRetryAndThrottle: true }),
    });

    const octokit = await factory.forInstallation(42);
    await octokit.rest.repos.get({ owner: 'o', repo: 'r' });

    expect(JSON.stringify(octokit.request.endpoint.DEFAULTS)).not.toContain('ghs_');
  });
});
