// Polling for the end-to-end suite, where the system under test runs in other processes: wait until a value
// shows up, and fail with what was seen instead of a bare timeout. Also a free loopback port.
import { createServer } from 'node:net';

export interface WaitOptions {
  timeoutMs: number;
  /** What is awaited, for the failure message. */
  what: string;
  /** More context for the failure message (logs, recorded requests). */
  detail?: () => string;
  /** Give up at once, e.g. when the process that should produce the value has died. */
  stopIf?: () => boolean;
  intervalMs?: number;
}

/** Polls `probe` until it returns something other than undefined/false. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    const stopped = options.stopIf?.() === true;
    if (stopped || Date.now() > deadline) {
      const why = stopped ? 'gave up' : `timed out after ${options.timeoutMs} ms`;
      throw new Error(
        `${why} waiting for ${options.what}${options.detail === undefined ? '' : `\n${options.detail()}`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `url` answers 200 (a server in another process is up). */
export function waitForHttp(url: string, options: Omit<WaitOptions, 'what'>): Promise<true> {
  return waitFor(
    async () => {
      try {
        const response = await fetch(url);
        await response.body?.cancel();
        return response.status === 200;
      } catch {
        return false;
      }
    },
    { ...options, what: `${url} to answer 200` },
  );
}
