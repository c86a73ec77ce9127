import {
  ClawError,
  ConfigError,
  GitHubApiError,
  ModelError,
  RateLimitError,
  TransientError,
  describeError,
  isClawError,
} from '../../src/lib/index.js';

describe('errors', () => {
  it('carry a literal code, the class name and the cause', () => {
    const cause = new Error('socket hang up');
    const error = new TransientError('GitHub did not answer', { cause });

    expect(error.code).toBe('TRANSIENT');
    expect(error.name).toBe('TransientError');
    expect(error.cause).toBe(cause);
    expect(error).toBeInstanceOf(ClawError);
    expect(isClawError(error)).toBe(true);
    expect(isClawError(cause)).toBe(false);
  });

  it('mark retryable failures by status', () => {
    expect(new GitHubApiError('boom', 502).retryable).toBe(true);
    expect(new GitHubApiError('rate', 429).retryable).toBe(true);
    expect(new GitHubApiError('nope', 404).retryable).toBe(false);
    expect(new ModelError('overloaded', 529).retryable).toBe(true);
    expect(new ModelError('bad request', 400).retryable).toBe(false);
    expect(new RateLimitError('slow down', 30_000).retryAfterMs).toBe(30_000);
  });

  it('list config problems one per line', () => {
    const error = new ConfigError([
      { key: 'A', message: 'is wrong' },
      { key: 'B', message: 'is missing' },
    ]);

    expect(error.message).toBe('Invalid environment:\n  A: is wrong\n  B: is missing');
  });

  it('describe any thrown value in one line', () => {
    expect(describeError(new Error('x'))).toBe('x');
    expect(describeError('plain')).toBe('plain');
    expect(describeError({ status: 500 })).toBe('{"status":500}');
  });
});
