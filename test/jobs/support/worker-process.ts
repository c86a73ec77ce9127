// Starts test/jobs/support/worker-entry.ts as a real child process and reads the events its handlers report.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

export interface WorkerEvent {
  worker: string;
  pid: number;
  event: 'ready' | 'start' | 'end' | 'sigterm' | 'exit';
  jobId: string;
  at: number;
  attempt?: number;
  resumedFrom?: number;
  number?: number;
  running?: string[];
}

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function startWorkerProcess(
  name: string,
  env: { url: string; prefix: string; extra?: Record<string, string> },
): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'worker-entry.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: env.url,
      TEST_PREFIX: env.prefix,
      WORKER_NAME: name,
      ...env.extra,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { name, child, exited, stderr: () => stderr };
}

export function eventsKey(prefix: string): string {
  return `${prefix.replace(/:+$/, '')}:test-events`;
}

export async function readEvents(redis: Redis, prefix: string): Promise<WorkerEvent[]> {
  return (await redis.lrange(eventsKey(prefix), 0, -1)).map(
    (line) => JSON.parse(line) as WorkerEvent,
  );
}

/** Polls the event list until `predicate` holds; fails with the events seen so far. */
export async function waitForEvents(
  redis: Redis,
  prefix: string,
  predicate: (events: WorkerEvent[]) => boolean,
  timeoutMs = 15_000,
): Promise<WorkerEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = await readEvents(redis, prefix);
    if (predicate(events)) return events;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for worker events; saw:\n${events.map((e) => JSON.stringify(e)).join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function stopAll(workers: WorkerProcess[]): Promise<void> {
  for (const worker of workers) {
    if (worker.child.exitCode === null && worker.child.signalCode === null)
      worker.child.kill('SIGKILL');
  }
  await Promise.all(workers.map((worker) => worker.exited));
}
