import { DEFAULT_REPO_CONFIG, RepoConfig } from '../../src/config/index.js';
import {
  classifyEvent,
  needsWriteAccess,
  parseTrigger,
  type Trigger,
} from '../../src/github/index.js';
import { webhookExample, webhookExamples } from '../support/webhooks.js';

const BOT = 'claw[bot]';
const options = { config: DEFAULT_REPO_CONFIG, botLogin: BOT };
const autoReview = { config: RepoConfig.parse({ review: { auto: true } }), botLogin: BOT };

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function issueComment(body: string, overrides: { onPr?: boolean; user?: Payload } = {}): Payload {
  const payload = webhookExample<Payload>('issue_comment', 'created');
  payload.comment.body = body;
  if (overrides.user !== undefined) {
    payload.comment.user = { ...payload.comment.user, ...overrides.user };
    payload.sender = { ...payload.sender, ...overrides.user };
  }
  if (overrides.onPr === true)
    payload.issue.pull_request = { url: 'https://api.github.com/repos/x/y/pulls/1' };
  else delete payload.issue.pull_request;
  payload.installation = { id: 42 };
  return payload;
}

function withInstallation(payload: Payload): Payload {
  payload.installation = { id: 42 };
  return payload;
}

describe('parseTrigger', () => {
  it('turns a mention on an issue into resolve-issue with the instruction', () => {
    const payload = issueComment('@claw fix the flaky test');

    const trigger = parseTrigger({ name: 'issue_comment', payload }, options);

    expect(trigger).toMatchObject({
      kind: 'resolve-issue',
      source: 'comment',
      instruction: 'fix the flaky test',
      installationId: 42,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      number: payload.issue.number,
      actor: payload.comment.user.login,
      commentId: payload.comment.id,
      reaction: { type: 'issue-comment', commentId: payload.comment.id },
    });
  });

  it.each<[string, string, boolean, Partial<Trigger>]>([
    [
      'a PR comment mention',
      '@claw rename it',
      true,
      { kind: 'address-review', instruction: 'rename it' },
    ],
    ['@claw review on a PR', '@claw review', true, { kind: 'review-pr', reason: 'command' }],
    ['@claw stop on a PR', '@claw stop', true, { kind: 'cancel', reason: 'stop-command' }],
    ['@claw stop on an issue', '@claw stop', false, { kind: 'cancel', reason: 'stop-command' }],
  ])('maps %s', (_name, body, onPr, expected) => {
    expect(
      parseTrigger({ name: 'issue_comment', payload: issueComment(body, { onPr }) }, options),
    ).toMatchObject(expected);
  });

  it.each<[string, Payload, RegExp]>([
    ['no mention', issueComment('looks good'), /does not mention @claw/],
    ['a mention in a quote', issueComment('> @claw fix\n\nno'), /does not mention/],
    ['a mention in code', issueComment('`@claw fix`'), /does not mention/],
    [
      'Claw itself',
      issueComment('@claw fix', { user: { login: 'claw[bot]', type: 'Bot' } }),
      /Claw itself/,
    ],
    [
      'another bot',
      issueComment('@claw fix', { user: { login: 'renovate[bot]', type: 'Bot' } }),
      /not in allowed_bots/,
    ],
    ['@claw review on an issue', issueComment('@claw review'), /not a pull request/],
  ])('ignores %s and says why', (_name, payload, reason) => {
    const decision = classifyEvent({ name: 'issue_comment', payload }, options);

    expect(decision).toEqual({ ignore: expect.stringMatching(reason) });
  });

  it('lets an allow-listed bot trigger', () => {
    const config = RepoConfig.parse({ allowed_bots: ['renovate[bot]'] });
    const payload = issueComment('@claw fix', { user: { login: 'renovate[bot]', type: 'Bot' } });

    expect(parseTrigger({ name: 'issue_comment', payload }, { config, botLogin: BOT })?.kind).toBe(
      'resolve-issue',
    );
  });

  it('asks write access of people but not of an allow-listed bot, whom GitHub knows no permission for', () => {
    const config = RepoConfig.parse({ allowed_bots: ['renovate[bot]'] });
    const fromBot = parseTrigger(
      {
        name: 'issue_comment',
        payload: issueComment('@claw fix', { user: { login: 'Renovate[bot]', type: 'Bot' } }),
      },
      { config, botLogin: BOT },
    )!;
    const fromPerson = parseTrigger(
      { name: 'issue_comment', payload: issueComment('@claw fix') },
      { config, botLogin: BOT },
    )!;

    expect(needsWriteAccess(fromBot, config)).toBe(false);
    expect(needsWriteAccess(fromPerson, config)).toBe(true);
    expect(needsWriteAccess(fromBot)).toBe(true);
  });

  it('uses the configured trigger phrase and label', () => {
    const config = RepoConfig.parse({ trigger_phrase: '@helper', label: 'ai-fix' });
    const labeled = withInstallation(webhookExample<Payload>('issues', 'labeled'));
    labeled.label.name = 'AI-Fix';

    expect(
      parseTrigger(
        { name: 'issue_comment', payload: issueComment('@helper go') },
        { config, botLogin: BOT },
      ),
    ).not.toBeNull();
    expect(
      parseTrigger(
        { name: 'issue_comment', payload: issueComment('@claw go') },
        { config, botLogin: BOT },
      ),
    ).toBeNull();
    expect(
      parseTrigger({ name: 'issues', payload: labeled }, { config, botLogin: BOT }),
    ).toMatchObject({
      kind: 'resolve-issue',
      source: 'labeled',
    });
  });

  it('triggers on an issue opened with a mention, assigned to the bot, or labeled claw', () => {
    const opened = withInstallation(webhookExample<Payload>('issues', 'opened'));
    opened.issue.body = 'Crash on start.\n\n@claw please fix';
    const assigned = withInstallation(webhookExample<Payload>('issues', 'assigned'));
    assigned.assignee = { login: BOT, type: 'Bot' };
    const labeled = withInstallation(webhookExample<Payload>('issues', 'labeled'));
    labeled.label.name = 'claw';

    expect(parseTrigger({ name: 'issues', payload: opened }, options)).toMatchObject({
      kind: 'resolve-issue',
      source: 'issue-body',
      instruction: 'please fix',
      reaction: { type: 'issue' },
    });
    expect(parseTrigger({ name: 'issues', payload: assigned }, options)).toMatchObject({
      source: 'assigned',
    });
    expect(parseTrigger({ name: 'issues', payload: labeled }, options)).toMatchObject({
      source: 'labeled',
    });
  });

  it('reviews pull requests automatically only when auto-review is on, and not drafts', () => {
    const synchronize = withInstallation(webhookExample<Payload>('pull_request', 'synchronize'));
    synchronize.pull_request.draft = false;
    const draft = structuredClone(synchronize);
    draft.pull_request.draft = true;

    expect(classifyEvent({ name: 'pull_request', payload: synchronize }, options)).toEqual({
      ignore: 'auto-review is off in .github/claw.yml',
    });
    expect(parseTrigger({ name: 'pull_request', payload: synchronize }, autoReview)).toMatchObject({
      kind: 'review-pr',
      reason: 'auto',
      headSha: synchronize.pull_request.head.sha,
    });
    expect(parseTrigger({ name: 'pull_request', payload: draft }, autoReview)).toBeNull();
  });

  it('addresses review comments and reviews that mention Claw', () => {
    const comment = withInstallation(
      webhookExample<Payload>('pull_request_review_comment', 'created'),
    );
    comment.comment.body = '@claw use a constant here';
    comment.comment.user.type = 'User';
    const review = withInstallation(webhookExample<Payload>('pull_request_review', 'submitted'));
    review.review.body = 'Mostly fine. @claw address the nits';
    review.review.user.type = 'User';

    expect(
      parseTrigger({ name: 'pull_request_review_comment', payload: comment }, options),
    ).toMatchObject({
      kind: 'address-review',
      source: 'review-comment',
      commentId: comment.comment.id,
      instruction: 'use a constant here',
      reaction: { type: 'review-comment', commentId: comment.comment.id },
    });
    expect(parseTrigger({ name: 'pull_request_review', payload: review }, options)).toMatchObject({
      kind: 'address-review',
      source: 'review',
      commentId: review.review.id,
      instruction: 'address the nits',
    });
  });

  it('cancels on closing an issue or pull request', () => {
    const closedPr = withInstallation(webhookExample<Payload>('pull_request', 'closed'));
    const closedIssue = withInstallation(webhookExample<Payload>('issues', 'opened'));
    closedIssue.action = 'closed';

    expect(parseTrigger({ name: 'pull_request', payload: closedPr }, options)).toMatchObject({
      kind: 'cancel',
      reason: 'closed',
    });
    expect(parseTrigger({ name: 'issues', payload: closedIssue }, options)).toMatchObject({
      kind: 'cancel',
      reason: 'closed',
    });
  });

  it('never throws on any recorded payload of the events it handles', () => {
    const events = [
      'issues',
      'issue_comment',
      'pull_request',
      'pull_request_review',
      'pull_request_review_comment',
      'installation',
    ];
    let decided = 0;
    for (const name of events) {
      for (const payload of webhookExamples(name)) {
        for (const opts of [options, autoReview]) {
          const decision = classifyEvent({ name, payload }, opts);
          expect('trigger' in decision || typeof decision.ignore === 'string').toBe(true);
          decided += 1;
        }
      }
    }
    expect(decided).toBeGreaterThan(100);
  });
});
