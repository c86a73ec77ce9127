import { webhookEventNames, webhookExample, webhookExamples } from './webhooks.js';

describe('webhook examples loader', () => {
  it('returns recorded payloads of one event and action', () => {
    const payloads = webhookExamples<{ action: string; comment: { body: string } }>(
      'issue_comment',
      'created',
    );

    expect(payloads.length).toBeGreaterThan(0);
    for (const payload of payloads) expect(payload.action).toBe('created');
    expect(typeof payloads[0]?.comment.body).toBe('string');
  });

  it('returns copies that are safe to mutate', () => {
    const first = webhookExample<{ action: string }>('issues', 'opened');
    first.action = 'changed';

    expect(webhookExample<{ action: string }>('issues', 'opened').action).toBe('opened');
  });

  it('knows the events Claw handles', () => {
    expect(webhookEventNames()).toEqual(
      expect.arrayContaining([
        'issues',
        'issue_comment',
        'pull_request',
        'pull_request_review',
        'pull_request_review_comment',
        'installation',
      ]),
    );
  });

  it('fails clearly for an unknown event or action', () => {
    expect(() => webhookExamples('no_such_event')).toThrow('has no event "no_such_event"');
    expect(() => webhookExamples('issues', 'exploded')).toThrow('with action "exploded"');
  });
});
