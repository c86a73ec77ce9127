// Where the workspace keeps things under the cache dir: one bare mirror per repository, one worktree per job,
// lock files, and the owner records that let a restarted worker find worktrees left by a crashed one.
import os from 'node:os';
import path from 'node:path';
import { GitError } from '../lib/index.js';

export interface RepositoryRef {
  owner: string;
  repo: string;
  /** The clone URL without credentials, e.g. `https://github.com/octo/hello.git`. */
  cloneUrl: string;
}

export interface CacheLayout {
  root: string;
  mirrors: string;
  worktrees: string;
  locks: string;
  hooks: string;
}

export function cacheLayout(root: string): CacheLayout {
  return {
    root,
    mirrors: path.join(root, 'mirrors'),
    worktrees: path.join(root, 'worktrees'),
    locks: path.join(root, 'locks'),
    hooks: path.join(root, 'empty-hooks'),
  };
}

/** `$XDG_CACHE_HOME/claw`, else `~/.cache/claw`: the documented default of CLAW_CACHE_DIR. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return path.join(
    xdg !== undefined && xdg !== '' ? xdg : path.join(os.homedir(), '.cache'),
    'claw',
  );
}

const SAFE = /[^A-Za-z0-9._-]/g;

/** The mirror's identity: host (with port) and path of the clone URL, made safe as folder names. */
export function mirrorKey(cloneUrl: string): string[] {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch (error) {
    throw new GitError(`Not a clone URL: ${JSON.stringify(cloneUrl)}`, { cause: error });
  }
  if (url.username !== '' || url.password !== '') {
    throw new GitError(
      'Clone URLs must not carry credentials; the token is passed per git command.',
    );
  }
  const host = (url.host === '' ? 'local' : url.host).replace(SAFE, '_');
  const parts = url.pathname
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter((part) => part !== '')
    .map((part) => part.replace(SAFE, '_').replace(/^\.+/, '_'));
  if (parts.length === 0) throw new GitError(`Clone URL has no repository path: ${cloneUrl}`);
  return [host, ...parts];
}

export function mirrorPath(layout: CacheLayout, cloneUrl: string): string {
  const key = mirrorKey(cloneUrl);
  const last = key.pop() as string;
  return path.join(layout.mirrors, ...key, `${last}.git`);
}

export function mirrorLockPath(layout: CacheLayout, mirror: string): string {
  return path.join(
    layout.locks,
    `${path.relative(layout.mirrors, mirror).split(path.sep).join('__')}.lock`,
  );
}

/** The scheme://host[:port] the per-command auth header is scoped to. */
export function authOrigin(cloneUrl: string): string {
  return new URL(cloneUrl).origin;
}

/** Written next to each worktree: who owns it, so a restart can tell a live job from a crashed one. */
export interface WorktreeOwner {
  pid: number;
  /** The owner's start time (processStartTicks): a pid reused after a restart is not the owner. */
  started?: number | undefined;
  host: string;
  jobId: string;
  mirror: string;
  branch: string;
  createdAt: number;
  /** A finished job's worktree, cleaned and kept for the next job on the same repository. */
  parked?: boolean;
}
