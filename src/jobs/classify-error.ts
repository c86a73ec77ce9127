// The one place that decides what an error means: retry with backoff (transient), give up and tell the
// user (permanent), or stop quietly (cancelled). Both runners and every handler go through it.
import { isClawError, describeError, CancelledError } from '../lib/index.js';

export type ErrorKind = 'transient' | 'permanent' | 'cancelled';

export interface ErrorClassification {
  kind: ErrorKind;
  /** What happened, for the tracking comment; never contains secrets (messages come from our own code or status lines). */
  reason: string;
  /** What the user can do about it. */
  nextStep?: string;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

interface ErrorLike {
  name?: string;
  code?: unknown;
  status?: unknown;
  cause?: unknown;
  message?: string;
  response?: { headers?: Record<string, string | undefined> };
}

function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const { code, cause } = error as ErrorLike;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return code;
  return networkCode(cause, depth + 1);
}

export function classifyError(error: unknown): ErrorClassification {
  if (error instanceof CancelledError || (error as ErrorLike | undefined)?.name === 'AbortError') {
    return { kind: 'cancelled', reason: 'The job was cancelled.' };
  }
  if (isClawError(error)) {
    if (error.retryable) return { kind: 'transient', reason: error.message };
    switch (error.code) {
      case 'REPO_CONFIG_INVALID':
        return {
          kind: 'permanent',
          reason: error.message,
          nextStep: 'Fix .github/claw.yml and ask again.',
        };
      case 'PERMISSION_DENIED':
        return {
          kind: 'permanent',
          reason: error.message,
          nextStep:
            'Check that the Claw App is installed on this repository with the permissions in app.yml.',
        };
      case 'NO_HANDLER':
        return {
          kind: 'permanent',
          reason: error.message,
          nextStep: 'Upgrade the Claw workers to a version that supports this job, then ask again.',
        };
      case 'BUDGET_EXCEEDED':
        return {
          kind: 'permanent',
          reason: error.message,
          nextStep:
            'Narrow the request, or raise `budgets` in .github/claw.yml (up to the server limits), then mention me again.',
        };
      case 'GIT_CONFLICT':
        return {
          kind: 'permanent',
          reason: error.message,
          nextStep: 'Resolve the conflict on the branch, then mention me again.',
        };
      case 'CONFIG_INVALID':
        return {
          kind: 'permanent',
          reason: error.message,
          nextStep:
            'The people who run Claw need to fix its server settings (`claw doctor` shows what is missing).',
        };
      case 'SECRET_IN_DIFF':
        // The message already names the file, line and rule, and what to do.
        return { kind: 'permanent', reason: error.message, nextStep: 'Nothing was pushed.' };
      default:
        return { kind: 'permanent', reason: error.message };
    }
  }
  const status = (error as ErrorLike | undefined)?.status;
  if (typeof status === 'number') {
    if (status >= 500 || status === 429 || status === 529 || status === 408) {
      return { kind: 'transient', reason: `GitHub or the model answered HTTP ${status}.` };
    }
    const headers = (error as ErrorLike).response?.headers ?? {};
    if (
      status === 403 &&
      (headers['x-ratelimit-remaining'] === '0' || headers['retry-after'] !== undefined)
    ) {
      return { kind: 'transient', reason: 'The GitHub API rate limit was reached.' };
    }
    if (status === 401 || status === 403) {
      return {
        kind: 'permanent',
        reason: `GitHub refused the request (HTTP ${status}).`,
        nextStep:
          'Check that the Claw App is installed on this repository with the permissions in app.yml.',
      };
    }
    if (status === 404) {
      return {
        kind: 'permanent',
        reason:
          'GitHub answered 404: the issue, pull request or repository is gone or not visible to Claw.',
      };
    }
    return { kind: 'permanent', reason: `GitHub rejected a request (HTTP ${status}).` };
  }
  const code = networkCode(error);
  if (code !== undefined)
    return { kind: 'transient', reason: `A network error occurred (${code}).` };
  if (error instanceof TypeError && error.message === 'fetch failed') {
    return { kind: 'transient', reason: 'A network request failed.' };
  }
  // Unknown errors are bugs more often than blips; retrying them only delays the user's answer.
  return {
    kind: 'permanent',
    reason: `Claw hit an internal error: ${describeError(error).split('\n')[0] ?? 'unknown'}`,
    nextStep: 'Ask again; if it keeps failing, please report it to the people who run Claw.',
  };
}
