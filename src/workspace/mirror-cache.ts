// The bare mirror of one repository: created on the first job, fetched incrementally afterwards, sized and
// stamped with its last use so the manager can evict the least recently used ones.
import { lstat, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GitError } from '../lib/index.js';
import { authOrigin } from './cache-layout.js';
import type { GitRunner, TokenProvider } from './git-runner.js';

const LAST_USED_FILE = 'claw-last-used';
/** Remote branches live under refs/remotes/origin, so a fetch never collides with a branch a worktree has out. */
export const REMOTE_REFS = 'refs/remotes/origin';

export interface MirrorFetchOptions {
  cloneUrl: string;
  token?: TokenProvider;
  signal?: AbortSignal;
}

export async function mirrorExists(mirror: string): Promise<boolean> {
  try {
    return (
      (await stat(path.join(mirror, 'HEAD'))).isFile() &&
      (await stat(path.join(mirror, 'objects'))).isDirectory()
    );
  } catch {
    return false;
  }
}

/** Creates the bare mirror if needed (a half-made one from a crash is started over). Returns true when created. */
export async function ensureMirror(git: GitRunner, mirror: string): Promise<boolean> {
  if (await mirrorExists(mirror)) return false;
  await rm(mirror, { recursive: true, force: true });
  await mkdir(mirror, { recursive: true });
  await git.run(mirror, ['init', '--bare', '--quiet']);
  // No remote is configured: the URL is given per fetch, so .git/config never holds a URL or a credential.
  await git.run(mirror, ['config', 'core.logAllRefUpdates', 'false']);
  return true;
}

/** Brings every remote branch up to date; git negotiates, so only new objects travel. */
export async function fetchMirror(
  git: GitRunner,
  mirror: string,
  options: MirrorFetchOptions,
): Promise<void> {
  await git.run(
    mirror,
    [
      'fetch',
      '--quiet',
      '--prune',
      '--no-tags',
      '--no-write-fetch-head',
      options.cloneUrl,
      `+refs/heads/*:${REMOTE_REFS}/*`,
    ],
    authOptions(options),
  );
}

/** Fetches one branch only (the retry after a rejected push). Returns its tip, or undefined when it is gone. */
export async function fetchBranch(
  git: GitRunner,
  mirror: string,
  branch: string,
  options: MirrorFetchOptions,
): Promise<string | undefined> {
  const listed = await git.run(
    mirror,
    ['ls-remote', options.cloneUrl, `refs/heads/${branch}`],
    authOptions(options),
  );
  const tip = listed.split('\t')[0]?.trim();
  if (tip === undefined || tip === '') {
    await git.run(mirror, ['update-ref', '-d', `${REMOTE_REFS}/${branch}`]);
    return undefined;
  }
  await git.run(
    mirror,
    [
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      options.cloneUrl,
      `+refs/heads/${branch}:${REMOTE_REFS}/${branch}`,
    ],
    authOptions(options),
  );
  return tip;
}

/** Where a fetched non-branch ref (e.g. `refs/pull/12/head`) is kept in the mirror. */
export const FETCHED_REFS = 'refs/claw/fetched';

/**
 * Fetches one ref that is not a branch, such as a pull request's `refs/pull/<n>/head` (which also covers PRs from
 * forks), into the mirror; returns its commit.
 */
export async function fetchRef(
  git: GitRunner,
  mirror: string,
  ref: string,
  options: MirrorFetchOptions,
): Promise<string> {
  if (!/^refs\/[A-Za-z0-9._/-]+$/.test(ref) || ref.includes('..'))
    throw new GitError(`not a ref Claw fetches: "${ref}"`);
  const local = `${FETCHED_REFS}/${ref.slice('refs/'.length)}`;
  await git.run(
    mirror,
    [
      'fetch',
      '--quiet',
      '--no-tags',
      '--no-write-fetch-head',
      options.cloneUrl,
      `+${ref}:${local}`,
    ],
    authOptions(options),
  );
  return (await git.run(mirror, ['rev-parse', '--verify', `${local}^{commit}`])).trim();
}

/** The remote's default branch, asked of the remote itself (one small round trip). */
export async function remoteDefaultBranch(
  git: GitRunner,
  mirror: string,
  options: MirrorFetchOptions,
): Promise<string> {
  const listed = await git.run(
    mirror,
    ['ls-remote', '--symref', options.cloneUrl, 'HEAD'],
    authOptions(options),
  );
  const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(listed);
  if (match?.[1] === undefined) {
    throw new GitError(
      `Could not tell the default branch of ${options.cloneUrl}: is the repository empty?`,
    );
  }
  return match[1];
}

export function authOptions(options: MirrorFetchOptions) {
  return {
    authOrigin: authOrigin(options.cloneUrl),
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

export async function touchMirror(mirror: string, now: number): Promise<void> {
  await writeFile(path.join(mirror, LAST_USED_FILE), String(now));
}

export async function mirrorLastUsed(mirror: string): Promise<number> {
  try {
    const stamped = Number(await readFile(path.join(mirror, LAST_USED_FILE), 'utf8'));
    if (Number.isFinite(stamped)) return stamped;
  } catch {
    // Never stamped (or stamped by an older version): fall back to the folder's own time.
  }
  return (await stat(mirror)).mtimeMs;
}

/** Bytes on disk (allocated blocks, not apparent size) under `dir`. */
export async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      const info = await lstat(full).catch(() => undefined);
      if (info === undefined) continue;
      total += info.blocks * 512;
      if (entry.isDirectory()) pending.push(full);
    }
  }
  return total;
}

/** Every mirror under `mirrorsRoot` (folders ending in .git that hold a HEAD). */
export async function listMirrors(mirrorsRoot: string): Promise<string[]> {
  const found: string[] = [];
  const pending = [mirrorsRoot];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    const entries = await readdir(current, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const full = path.join(current, entry.name);
      if (entry.name.endsWith('.git')) found.push(full);
      else pending.push(full);
    }
  }
  return found.sort();
}
