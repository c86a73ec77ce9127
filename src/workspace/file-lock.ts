// A lock file shared by every process on the machine (O_EXCL create), with an in-process queue in front
// so jobs in one worker wait without polling. A lock whose owner process died is broken, never waited on forever.
import { readFileSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { GitError } from '../lib/index.js';

export interface LockOptions {
  /** Give up after this long; the message names the lock file so an operator can look. */
  timeoutMs?: number;
  /** A lock held longer than this by a process on another host is treated as abandoned. */
  staleMs?: number;
  /** Injected for tests. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Owner {
  pid: number;
  host: string;
  token: string;
  at: number;
  /** The owner's start time (see processStartTicks), so a reused pid after a restart is not taken for it. */
  started?: number | undefined;
}

const inProcess = new Map<string, Promise<void>>();
const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * When a process started, in clock ticks since boot (/proc/<pid>/stat, field 22); undefined off Linux. A restarted
 * container keeps its hostname and often hands its worker the same pid, so a pid alone cannot tell a dead owner.
 */
export function processStartTicks(pid: number = process.pid): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    // No procfs here (or the process is gone): the pid check alone decides.
    return undefined;
  }
}

/**
 * Whether a process with this id is alive on this host (EPERM means alive but someone else's) and, when `started`
 * is known, is the same process that recorded it rather than a later one that got the pid.
 */
export function isProcessAlive(pid: number, started?: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (started === undefined) return true;
  const current = processStartTicks(pid);
  return current === undefined || current === started;
}

/** Runs `task` while holding the lock at `file`; the lock is released even when the task throws. */
export async function withFileLock<T>(
  file: string,
  task: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const previous = inProcess.get(file) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((resolve) => (done = resolve));
  const chained = previous.then(() => mine);
  inProcess.set(file, chained);
  try {
    await previous;
    const release = await acquire(file, options);
    try {
      return await task();
    } finally {
      await release();
    }
  } finally {
    done();
    if (inProcess.get(file) === chained) inProcess.delete(file);
  }
}

async function acquire(file: string, options: LockOptions): Promise<() => Promise<void>> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 10 * 60_000;
  const staleMs = options.staleMs ?? 60 * 60_000;
  const owner: Owner = {
    pid: process.pid,
    host: os.hostname(),
    token: randomUUID(),
    at: now(),
    started: processStartTicks(),
  };
  await mkdir(path.dirname(file), { recursive: true });
  const started = now();
  let wait = 10;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      try {
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      return () => releaseIfOurs(file, owner.token);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    await breakIfAbandoned(file, now(), staleMs);
    if (now() - started > timeoutMs) {
      throw new GitError(
        `Timed out after ${Math.round(timeoutMs / 1000)} s waiting for the repository lock ${file}; ` +
          'another job holds it. If no claw process is running, delete the file.',
      );
    }
    await sleep(wait);
    wait = Math.min(wait * 2, 250);
  }
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Owner;
  } catch {
    // Missing, or caught between create and write: treat as held and look again on the next round.
    return undefined;
  }
}

function isAbandoned(owner: Owner, now: number, staleMs: number): boolean {
  if (owner.host === os.hostname()) return !isProcessAlive(owner.pid, owner.started);
  return now - owner.at > staleMs;
}

async function breakIfAbandoned(file: string, now: number, staleMs: number): Promise<void> {
  const owner = await readOwner(file);
  if (owner === undefined || !isAbandoned(owner, now, staleMs)) return;
  // Move it aside first, then check we moved the abandoned lock and not a fresh one taken meanwhile.
  const aside = `${file}.breaking-${randomUUID()}`;
  try {
    await rename(file, aside);
  } catch {
    return;
  }
  const moved = await readOwner(aside);
  if (moved !== undefined && moved.token !== owner.token) {
    // We took someone's live lock: put it back unless yet another one exists (then theirs stays lost, the
    // holder notices on release because the token differs, and the repo operations are idempotent).
    await link(aside, file).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

async function releaseIfOurs(file: string, token: string): Promise<void> {
  const owner = await readOwner(file);
  if (owner?.token === token) await unlink(file).catch(() => undefined);
}
