// Retries a model call on 429, 500-class, 529 and "overloaded" with exponential backoff and jitter,
// honouring `retry-after`; the delay is injectable so tests never sleep.
import { CancelledError, ModelError, RateLimitError } from '../../lib/index.js';

export interface RetryOptions {
  /** Attempts after the first; 0 turns retries off. */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Waits `ms` or rejects when `signal` aborts; tests pass one that resolves at once. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Told about each retry, e.g. to log it. */
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new CancelledError('The model call was cancelled.'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError('The model call was cancelled.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** HTTP statuses worth retrying: rate limits, server errors, Anthropic's 529 overload. */
export function isRetryableStatus(status: number | undefined): boolean {
  return (
    status === 408 || status === 409 || status === 429 || (status !== undefined && status >= 500)
  );
}

/** Reads `retry-after-ms` / `retry-after` (seconds or an HTTP date) from response headers. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (headers === undefined) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  signal: AbortSignal | undefined,
  options: RetryOptions = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? 4;
  const base = options.baseDelayMs ?? 1000;
  const cap = options.maxDelayMs ?? 60_000;
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (signal?.aborted === true)
        throw new CancelledError('The model call was cancelled.', { cause: error });
      const retryable =
        error instanceof ModelError || error instanceof RateLimitError ? error.retryable : false;
      if (!retryable || attempt >= maxRetries) throw error;
      const hinted = error instanceof RateLimitError ? error.retryAfterMs : undefined;
      const backoff = Math.min(cap, base * 2 ** attempt) * (0.75 + Math.random() * 0.5);
      const delay = hinted !== undefined ? Math.min(Math.max(hinted, 0), cap) : backoff;
      options.onRetry?.(attempt + 1, delay, error);
      await sleep(delay, signal);
    }
  }
}
