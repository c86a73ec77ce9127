// The handler interface every runner calls: `(payload, ctx) → Promise<Result>`. Handlers never see BullMQ;
// ctx carries the logger, the AbortSignal, progress(), Octokit, the clock and a checkpoint store.
import type { ClawOctokit, OctokitFactory } from '../github/index.js';
import type { Logger } from '../lib/index.js';
import type { JobKind, JobPayload } from './payloads.js';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export interface ProgressUpdate {
  message: string;
  /** 0..100 when the handler can tell. */
  percent?: number;
}

/** Per-job key/value state that survives a crash, so a re-run resumes instead of starting over. */
export interface CheckpointStore {
  get<T = unknown>(name: string): Promise<T | undefined>;
  set(name: string, value: unknown): Promise<void>;
  clear(): Promise<void>;
}

export interface HandlerContext {
  jobId: string;
  /** 1 on the first run, 2 on the first retry, and so on. */
  attempt: number;
  /** The payload's installation, for labels (metrics); every runner sets it. */
  installationId?: number;
  logger: Logger;
  /** Aborts on cancellation (`@claw stop`, close) and on shutdown past the grace period. */
  signal: AbortSignal;
  progress(update: ProgressUpdate): Promise<void>;
  /** An Octokit client for the payload's installation, with a freshly minted token. */
  octokit(): Promise<ClawOctokit>;
  octokitFactory: OctokitFactory;
  clock: Clock;
  checkpoint: CheckpointStore;
}

export interface HandlerResult {
  /** One line for the tracking comment and the logs, e.g. "Opened #42". */
  summary: string;
  url?: string;
  [detail: string]: unknown;
}

export type JobHandler<K extends JobKind = JobKind> = (
  payload: Extract<JobPayload, { kind: K }>,
  ctx: HandlerContext,
) => Promise<HandlerResult>;

/** The handlers a runner knows; a job whose kind is missing fails as unrecoverable, never as a fake success. */
export type HandlerRegistry = { [K in JobKind]?: JobHandler<K> };
