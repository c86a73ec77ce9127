// Canaries through a real @octokit/rest client: a real-format token and the process's own installation token
// (plain and base64) planted in a comment, a PR, a review comment and a branch name never reach the wire.
import { Octokit } from '@octokit/rest';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import {
  createRedactor,
  FindingCounter,
  installRedactionHook,
} from '../../src/undercover/index.js';
import { useNock } from '../support/nock.js';
import { TokenFactory } from '../fixtures/undercover/tokens.js';

useNock();

const t = new TokenFactory(314);
const installationToken = t.github('ghs_');
const plantedPat = t.github('ghp_');
const canaries = [installationToken, Buffer.from(installationToken).toString('base64'), plantedPat];

function client() {
  const base = createRedactor({ denyTerms: ['Project Falcon'], attribution: 'strip' });
  const redactor = base.withSecrets([installationToken]);
  const counter = new FindingCounter();
  const warnings: unknown[] = [];
  const octokit = new Octokit({ auth: installationToken, baseUrl: 'https://api.github.com' });
  installRedactionHook(octokit, redactor, {
    logger: { warn: (meta: unknown) => warnings.push(meta) } as never,
    onFinding: counter.record,
  });
  return { octokit, counter, warnings };
}

/** Captures the JSON body of each matching request. */
function capture(method: 'post' | 'patch', path: string, reply: object = {}) {
  const bodies: string[] = [];
  const scope = nock('https://api.github.com');
  const match = (body: unknown) => {
    bodies.push(JSON.stringify(body));
    return true;
  };
  const interceptor = method === 'post' ? scope.post(path, match) : scope.patch(path, match);
  interceptor.reply(method === 'post' ? 201 : 200, reply);
  return bodies;
}

function expectNoCanary(serialized: string) {
  for (const canary of canaries) expect(serialized).not.toContain(canary);
}

const plant = `Here is ${plantedPat} and ${installationToken} and ${canaries[1]!} for Project Falcon.\n\nCo-Authored-By: Claude <noreply@anthropic.com>`;

describe('installRedactionHook', () => {
  it('redacts an issue comment body before it is sent', async () => {
    const { octokit, counter, warnings } = client();
    const bodies = capture('post', '/repos/acme/app/issues/7/comments', { id: 1 });
    await octokit.rest.issues.createComment({
      owner: 'acme',
      repo: 'app',
      issue_number: 7,
      body: plant,
    });
    expect(bodies).toHaveLength(1);
    expectNoCanary(bodies[0]!);
    expect(bodies[0]).not.toContain('Project Falcon');
    expect(bodies[0]).not.toContain('Co-Authored-By');
    expect(JSON.parse(bodies[0]!)).toEqual({
      body: 'Here is [REDACTED:github-pat] and [REDACTED:known-secret] and [REDACTED:known-secret] for [REDACTED:deny-term].',
    });
    expect(counter.snapshot()).toEqual(
      expect.arrayContaining([
        { exit: 'github-api', rule: 'known-secret', count: 2 },
        { exit: 'github-api', rule: 'github-pat', count: 1 },
      ]),
    );
    expect(warnings).toContainEqual(
      expect.objectContaining({
        rule: 'github-pat',
        location: 'body',
        route: 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      }),
    );
    expectNoCanary(JSON.stringify(warnings));
  });

  it('redacts the PR title, body and head branch', async () => {
    const { octokit } = client();
    const bodies = capture('post', '/repos/acme/app/pulls', { number: 3 });
    await octokit.rest.pulls.create({
      owner: 'acme',
      repo: 'app',
      title: `Fix ${plantedPat}`,
      body: plant,
      head: `claw/issue-1-${installationToken}`,
      base: 'main',
    });
    expectNoCanary(bodies[0]!);
    const sent = JSON.parse(bodies[0]!) as { head: string; base: string; title: string };
    expect(sent.head).toBe('claw/issue-1-REDACTED-known-secret');
    expect(sent.base).toBe('main');
    expect(sent.title).toBe('Fix [REDACTED:github-pat]');
  });

  it('redacts review summaries and inline review comments', async () => {
    const { octokit } = client();
    const reviews = capture('post', '/repos/acme/app/pulls/3/reviews', { id: 9 });
    const single = capture('post', '/repos/acme/app/pulls/3/comments', { id: 10 });
    await octokit.rest.pulls.createReview({
      owner: 'acme',
      repo: 'app',
      pull_number: 3,
      event: 'COMMENT',
      body: plant,
      comments: [{ path: 'src/a.ts', line: 4, body: `use ${plantedPat}` }],
    });
    await octokit.rest.pulls.createReviewComment({
      owner: 'acme',
      repo: 'app',
      pull_number: 3,
      commit_id: 'a'.repeat(40),
      path: 'src/a.ts',
      line: 4,
      body: `suggestion: ${Buffer.from(installationToken).toString('base64')}`,
    });
    expectNoCanary(reviews[0]!);
    expectNoCanary(single[0]!);
    const review = JSON.parse(reviews[0]!) as { comments: { path: string; body: string }[] };
    expect(review.comments[0]).toEqual({
      path: 'src/a.ts',
      line: 4,
      body: 'use [REDACTED:github-pat]',
    });
  });

  it('redacts a ref created through the git data API and leaves routing fields alone', async () => {
    const { octokit } = client();
    const bodies = capture('post', '/repos/acme/app/git/refs', { ref: 'x' });
    await octokit.rest.git.createRef({
      owner: 'acme',
      repo: 'app',
      ref: `refs/heads/${plantedPat}`,
      sha: 'b'.repeat(40),
    });
    expect(JSON.parse(bodies[0]!)).toEqual({
      ref: 'refs/heads/REDACTED-github-pat',
      sha: 'b'.repeat(40),
    });
  });

  it('redacts file contents sent base64-encoded', async () => {
    const { octokit } = client();
    const bodies = capture('post', '/repos/acme/app/issues/8/comments', {});
    nock('https://api.github.com')
      .put('/repos/acme/app/contents/notes.md', (body: { content: string; message: string }) => {
        const decoded = Buffer.from(body.content, 'base64').toString('utf8');
        bodies.push(decoded + body.message);
        return true;
      })
      .reply(201, {});
    await octokit.rest.repos.createOrUpdateFileContents({
      owner: 'acme',
      repo: 'app',
      path: 'notes.md',
      message: `add notes ${plantedPat}`,
      content: Buffer.from(`token ${installationToken}\n`).toString('base64'),
    });
    expect(bodies[0]).toBe('token [REDACTED:known-secret]\nadd notes [REDACTED:github-pat]');
    nock.cleanAll();
  });

  it("works on Probot's Octokit (retry and throttle plugins included)", async () => {
    const ClawOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
      ...options,
      retry: { enabled: false },
      throttle: { enabled: false },
    }));
    const octokit = new ClawOctokit({ auth: { token: installationToken } });
    installRedactionHook(octokit, createRedactor({}).withSecrets([installationToken]));
    const bodies = capture('post', '/repos/acme/app/issues/9/comments', { id: 2 });
    await octokit.rest.issues.createComment({
      owner: 'acme',
      repo: 'app',
      issue_number: 9,
      body: `t=${installationToken}`,
    });
    expect(JSON.parse(bodies[0]!)).toEqual({ body: 't=[REDACTED:known-secret]' });
  });

  it('does not touch read requests', async () => {
    const { octokit, counter } = client();
    nock('https://api.github.com')
      .get('/repos/acme/app/issues')
      .query({ labels: 'Project Falcon' })
      .reply(200, []);
    await octokit.rest.issues.listForRepo({ owner: 'acme', repo: 'app', labels: 'Project Falcon' });
    expect(counter.total()).toBe(0);
  });
});
