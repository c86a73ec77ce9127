import { classifyError } from '../../src/jobs/index.js';
import {
  BudgetExceededError,
  CancelledError,
  ConfigError,
  GitConflictError,
  GitHubApiError,
  ModelError,
  NoHandlerError,
  RepoConfigError,
  TransientError,
} from '../../src/lib/index.js';

describe('classifyError', () => {
  it.each<[string, unknown, string]>([
    [
      'a network reset',
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      'transient',
    ],
    [
      'a network error in the cause chain',
      new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }),
      'transient',
    ],
    ['GitHub 502', Object.assign(new Error('Bad Gateway'), { status: 502 }), 'transient'],
    ['GitHub 429', Object.assign(new Error('Too Many'), { status: 429 }), 'transient'],
    [
      'a primary rate limit 403',
      Object.assign(new Error('limit'), {
        status: 403,
        response: { headers: { 'x-ratelimit-remaining': '0' } },
      }),
      'transient',
    ],
    ['model overloaded (529)', new ModelError('Overloaded', 529), 'transient'],
    ['a TransientError', new TransientError('later'), 'transient'],
    ['GitHubApiError 503', new GitHubApiError('down', 503), 'transient'],
    [
      'GitHub 403 without rate limit',
      Object.assign(new Error('Forbidden'), { status: 403, response: { headers: {} } }),
      'permanent',
    ],
    ['GitHub 404', Object.assign(new Error('Not Found'), { status: 404 }), 'permanent'],
    ['GitHub 422', Object.assign(new Error('Validation Failed'), { status: 422 }), 'permanent'],
    [
      'a bad repo config',
      new RepoConfigError([{ key: 'review.auto', message: 'must be true or false' }]),
      'permanent',
    ],
    ['no handler', new NoHandlerError('no handler'), 'permanent'],
    ['model 400', new ModelError('bad request', 400), 'permanent'],
    ['an unknown bug', new Error('undefined is not a function'), 'permanent'],
    ['a cancellation', new CancelledError('stop'), 'cancelled'],
  ])('classifies %s', (_name, error, kind) => {
    expect(classifyError(error).kind).toBe(kind);
  });

  it('tells the user what to do about a permanent failure', () => {
    const classification = classifyError(
      Object.assign(new Error('Forbidden'), { status: 403, response: { headers: {} } }),
    );

    expect(classification.reason).toBe('GitHub refused the request (HTTP 403).');
    expect(classification.nextStep).toMatch(/installed on this repository/);
  });

  it.each<[string, Error, RegExp]>([
    [
      'a budget stop',
      new BudgetExceededError('The agent stopped.'),
      /raise `budgets` in \.github\/claw\.yml/,
    ],
    ['a git conflict', new GitConflictError('Conflict.'), /Resolve the conflict on the branch/],
    [
      'a missing server setting',
      new ConfigError([{ key: 'ANTHROPIC_API_KEY', message: 'is not set' }]),
      /claw doctor/,
    ],
  ])('gives a next step for %s', (_name, error, nextStep) => {
    const classification = classifyError(error);

    expect(classification).toMatchObject({ kind: 'permanent', reason: error.message });
    expect(classification.nextStep).toMatch(nextStep);
  });
});
