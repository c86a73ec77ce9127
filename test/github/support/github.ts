// GitHub test plumbing: an App private key generated once per run, an Octokit class without retry/throttle
// delays, and the nock for minting installation tokens.
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import {
  createClawOctokit,
  createOctokitFactory,
  type OctokitFactory,
} from '../../../src/github/index.js';

export const API = 'https://api.github.com';
export const INSTALLATION_ID = 42;

let key: string | undefined;

/** A real RSA key, so Octokit signs real App JWTs. */
export function testPrivateKey(): string {
  key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
    type: 'pkcs1',
    format: 'pem',
  }) as string;
  return key;
}

export const TestOctokit = createClawOctokit({ disableRetryAndThrottle: true });

export function testOctokitFactory(): OctokitFactory {
  return createOctokitFactory({ appId: 1, privateKey: testPrivateKey(), Octokit: TestOctokit });
}

/** Answers installation-token requests; `times` of them. */
export function nockInstallationToken(times = 1, installationId = INSTALLATION_ID): nock.Scope {
  return nock(API)
    .post(`/app/installations/${installationId}/access_tokens`)
    .times(times)
    .reply(201, {
      token: 'ghs_testinstallationtoken000000000000000',
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      permissions: { issues: 'write', contents: 'write', pull_requests: 'write' },
      repository_selection: 'all',
    });
}
