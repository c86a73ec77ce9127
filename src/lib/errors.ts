// Error classes with literal codes, so the worker's classifier can decide: retry, give up, or tell the user.
// Each passes `{ cause }` on; messages say what happened and, where a person can act, what to do.

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'REPO_CONFIG_INVALID'
  | 'PERMISSION_DENIED'
  | 'TRANSIENT'
  | 'RATE_LIMITED'
  | 'GITHUB_API'
  | 'GIT'
  | 'GIT_CONFLICT'
  | 'MODEL'
  | 'MODEL_OUTPUT_INVALID'
  | 'TOOL_INPUT_INVALID'
  | 'PATH_OUTSIDE_WORKTREE'
  | 'BUDGET_EXCEEDED'
  | 'CANCELLED'
  | 'SECRET_IN_DIFF'
  | 'REDIS_UNAVAILABLE'
  | 'NO_HANDLER'
  | 'USAGE'
  | 'TRANSCRIPT_INVALID';

export interface ClawErrorOptions {
  cause?: unknown;
}

export abstract class ClawError extends Error {
  abstract readonly code: ErrorCode;
  /** True when the same call may succeed if retried later. */
  readonly retryable: boolean = false;

  constructor(message: string, options: ClawErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** One readable problem of a configuration source, e.g. `REDIS_URL: must be a redis:// URL`. */
export interface ConfigProblem {
  key: string;
  message: string;
}

/** The server environment failed validation at boot. */
export class ConfigError extends ClawError {
  readonly code = 'CONFIG_INVALID' as const;
  constructor(
    readonly problems: readonly ConfigProblem[],
    options: ClawErrorOptions = {},
  ) {
    super(
      ['Invalid environment:', ...problems.map((p) => `  ${p.key}: ${p.message}`)].join('\n'),
      options,
    );
  }
}

/** `.github/claw.yml` is not valid; the user is told which key and what form it expects. */
export class RepoConfigError extends ClawError {
  readonly code = 'REPO_CONFIG_INVALID' as const;
  constructor(
    readonly problems: readonly ConfigProblem[],
    options: ClawErrorOptions = {},
  ) {
    super(
      ['Invalid .github/claw.yml:', ...problems.map((p) => `  ${p.key}: ${p.message}`)].join('\n'),
      options,
    );
  }
}

export class PermissionError extends ClawError {
  readonly code = 'PERMISSION_DENIED' as const;
}

/** A failure that should succeed on retry: network errors, 5xx, overload. */
export class TransientError extends ClawError {
  readonly code = 'TRANSIENT' as const;
  override readonly retryable = true;
}

export class RateLimitError extends ClawError {
  readonly code = 'RATE_LIMITED' as const;
  override readonly retryable = true;
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
    options: ClawErrorOptions = {},
  ) {
    super(message, options);
  }
}

export class GitHubApiError extends ClawError {
  readonly code = 'GITHUB_API' as const;
  override readonly retryable: boolean;
  constructor(
    message: string,
    readonly status: number,
    options: ClawErrorOptions = {},
  ) {
    super(message, options);
    this.retryable = status >= 500 || status === 429;
  }
}

export class GitError extends ClawError {
  readonly code = 'GIT' as const;
}

export class GitConflictError extends ClawError {
  readonly code = 'GIT_CONFLICT' as const;
}

export class ModelError extends ClawError {
  readonly code = 'MODEL' as const;
  override readonly retryable: boolean;
  constructor(
    message: string,
    readonly status: number | undefined,
    options: ClawErrorOptions & { retryable?: boolean } = {},
  ) {
    super(message, options);
    this.retryable = options.retryable ?? (status === undefined || status >= 500 || status === 429);
  }
}

/** The model answered with something that is not a usable response (garbage, broken JSON). */
export class ModelOutputError extends ClawError {
  readonly code = 'MODEL_OUTPUT_INVALID' as const;
}

/** A tool was called with input that fails its schema; the message goes back to the model. */
export class ToolInputError extends ClawError {
  readonly code = 'TOOL_INPUT_INVALID' as const;
}

export class PathOutsideWorktreeError extends ClawError {
  readonly code = 'PATH_OUTSIDE_WORKTREE' as const;
}

export class BudgetExceededError extends ClawError {
  readonly code = 'BUDGET_EXCEEDED' as const;
}

export class CancelledError extends ClawError {
  readonly code = 'CANCELLED' as const;
}

/** Where the push gate found something; it never holds the matched value. */
export interface SecretLocation {
  where: 'diff' | 'commit-message' | 'branch-name';
  rule: string;
  /** File path in the new tree (diff only). */
  file?: string;
  /** Commit SHA (commit messages only). */
  commit?: string;
  line: number;
  column: number;
}

/** The push gate found a credential in the outgoing diff; the push did not happen. */
export class SecretInDiffError extends ClawError {
  readonly code = 'SECRET_IN_DIFF' as const;
  constructor(
    message: string,
    readonly locations: readonly SecretLocation[] = [],
    options: ClawErrorOptions = {},
  ) {
    super(message, options);
  }
}

export class RedisUnavailableError extends ClawError {
  readonly code = 'REDIS_UNAVAILABLE' as const;
  override readonly retryable = true;
}

export class NoHandlerError extends ClawError {
  readonly code = 'NO_HANDLER' as const;
}

export class UsageError extends ClawError {
  readonly code = 'USAGE' as const;
}

/** A transcript file cannot be read back (a run cannot resume from it). */
export class TranscriptError extends ClawError {
  readonly code = 'TRANSCRIPT_INVALID' as const;
}

export function isClawError(error: unknown): error is ClawError {
  return error instanceof ClawError;
}

/** A one-line description of any thrown value, for logs and user-facing messages. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
