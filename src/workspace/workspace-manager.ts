// The workspace cache: prepares a job's worktree from the repository's bare mirror (clone once, then fetch),
// serializes mirror changes with a cross-process lock, cleans up after crashes, and evicts least-recently-used mirrors.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../lib/index.js';
import { GitError } from '../lib/index.js';
import { DEFAULT_BRANCH_PREFIX, type BotIdentity } from './branch-name.js';
import {
  cacheLayout,
  mirrorLockPath,
  mirrorPath,
  type CacheLayout,
  type RepositoryRef,
  type WorktreeOwner,
} from './cache-layout.js';
import { withFileLock, isProcessAlive, type LockOptions } from './file-lock.js';
import { GitRunner, type TokenProvider } from './git-runner.js';
import { JobWorkspace, type BeforePush, type CommitMessageFilter } from './job-workspace.js';
import {
  diskUsage,
  ensureMirror,
  fetchMirror,
  listMirrors,
  mirrorExists,
  mirrorLastUsed,
  remoteDefaultBranch,
  REMOTE_REFS,
  touchMirror,
} from './mirror-cache.js';

export const DEFAULT_MAX_CACHE_BYTES = 20 * 1024 ** 3;

export interface WorkspaceManagerOptions {
  /** CLAW_CACHE_DIR. */
  cacheDir: string;
  /** Mirrors above this total size are evicted, least recently used first. */
  maxCacheBytes?: number;
  logger?: Logger;
  lock?: LockOptions;
  now?: () => number;
}

export interface PrepareWorkspaceOptions {
  repository: RepositoryRef;
  /** Used for the owner record and the worktree's folder name. */
  jobId: string;
  /** The installation token, minted fresh for each network command. Omit for unauthenticated remotes. */
  token?: TokenProvider;
  /** The branch the work starts from and the PR targets; the remote's default branch when unset. */
  base?: string;
  /** The branch the job commits to, e.g. from `branchName()`, or an existing PR's head branch. */
  branch: string;
  /** Follow-ups on a pull request: the branch must already exist on the remote. */
  requireExistingBranch?: boolean;
  /** Start from the base even when the branch exists (Claw's own branches are then replaced with a lease). */
  startFresh?: boolean;
  author: BotIdentity;
  /** `.github/claw.yml`'s `branch_prefix`: only branches under it can be Claw's own. */
  branchPrefix?: string;
  beforePush?: BeforePush;
  filterCommitMessage?: CommitMessageFilter;
  signal?: AbortSignal;
}

export interface MirrorUsage {
  mirror: string;
  bytes: number;
  lastUsed: number;
}

export class WorkspaceManager {
  readonly layout: CacheLayout;
  private readonly git: GitRunner;
  private readonly now: () => number;

  constructor(private readonly options: WorkspaceManagerOptions) {
    this.layout = cacheLayout(path.resolve(options.cacheDir));
    this.git = new GitRunner(this.layout.hooks);
    this.now = options.now ?? Date.now;
  }

  /** Creates the cache folders and removes worktrees left behind by processes that died. */
  async init(): Promise<void> {
    await Promise.all(
      [this.layout.mirrors, this.layout.worktrees, this.layout.locks].map((dir) =>
        mkdir(dir, { recursive: true }),
      ),
    );
    await this.git.init();
    const removed = await this.pruneStale();
    if (removed > 0)
      this.options.logger?.info({ removed }, 'removed worktrees left by a stopped worker');
  }

  private lock<T>(mirror: string, task: () => Promise<T>): Promise<T> {
    return withFileLock(mirrorLockPath(this.layout, mirror), task, this.options.lock);
  }

  /** Mirror fetched, worktree created on the job's branch; dispose() the result when the job ends. */
  async prepare(options: PrepareWorkspaceOptions): Promise<JobWorkspace> {
    const mirror = mirrorPath(this.layout, options.repository.cloneUrl);
    const remote = {
      cloneUrl: options.repository.cloneUrl,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const name = `${options.jobId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
    const dir = path.join(this.layout.worktrees, name);
    const ownerFile = `${dir}.json`;

    const prepared = await this.lock(mirror, async () => {
      const created = await ensureMirror(this.git, mirror);
      const started = this.now();
      await fetchMirror(this.git, mirror, remote);
      this.options.logger?.debug(
        { mirror, created, ms: this.now() - started },
        created ? 'cloned mirror' : 'fetched mirror',
      );
      await touchMirror(mirror, this.now());
      await this.pruneMirror(mirror);

      const base = options.base ?? (await remoteDefaultBranch(this.git, mirror, remote));
      const baseSha = await this.resolve(mirror, `${REMOTE_REFS}/${base}`);
      if (baseSha === undefined) {
        throw new GitError(
          `The base branch "${base}" does not exist in ${options.repository.owner}/${options.repository.repo}.`,
        );
      }
      const remoteTip = await this.resolve(mirror, `${REMOTE_REFS}/${options.branch}`);
      if (options.requireExistingBranch === true && remoteTip === undefined) {
        throw new GitError(
          `The branch "${options.branch}" no longer exists in ${options.repository.owner}/${options.repository.repo}.`,
        );
      }
      const startSha = remoteTip !== undefined && options.startFresh !== true ? remoteTip : baseSha;

      const owner: WorktreeOwner = {
        pid: process.pid,
        host: os.hostname(),
        jobId: options.jobId,
        mirror,
        branch: options.branch,
        createdAt: this.now(),
      };
      // The record goes first, so a crash right after `worktree add` still leaves something to clean up.
      await writeFile(ownerFile, JSON.stringify(owner));
      await this.git.run(mirror, [
        'worktree',
        'add',
        '--quiet',
        '-B',
        options.branch,
        dir,
        startSha,
      ]);
      return { base, baseSha, remoteTip, startSha };
    });

    const workspace = new JobWorkspace({
      git: this.git,
      repository: options.repository,
      mirror,
      dir,
      branch: options.branch,
      base: prepared.base,
      baseSha: prepared.baseSha,
      startSha: prepared.startSha,
      remoteTip: prepared.remoteTip,
      author: options.author,
      branchPrefix: options.branchPrefix ?? DEFAULT_BRANCH_PREFIX,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.beforePush === undefined ? {} : { beforePush: options.beforePush }),
      ...(options.filterCommitMessage === undefined
        ? {}
        : { filterCommitMessage: options.filterCommitMessage }),
      dispose: () => this.lock(mirror, () => this.removeWorktree(mirror, dir, options.branch)),
    });
    await this.evict({ keep: [mirror] }).catch((error: unknown) => {
      this.options.logger?.warn({ err: error }, 'mirror eviction failed');
    });
    return workspace;
  }

  private async resolve(mirror: string, ref: string): Promise<string | undefined> {
    const sha = await this.git
      .run(mirror, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
      .catch(() => '');
    return sha.trim() === '' ? undefined : sha.trim();
  }

  private async removeWorktree(mirror: string, dir: string, branch: string): Promise<void> {
    if (await mirrorExists(mirror)) {
      await this.git
        .run(mirror, ['worktree', 'remove', '--force', '--force', dir])
        .catch(() => undefined);
      await this.git.run(mirror, ['worktree', 'prune']);
      const stillOut = (await this.git.run(mirror, ['worktree', 'list', '--porcelain'])).includes(
        `branch refs/heads/${branch}\n`,
      );
      if (!stillOut)
        await this.git.run(mirror, ['branch', '-D', '--quiet', branch]).catch(() => undefined);
    }
    await rm(dir, { recursive: true, force: true });
    await rm(`${dir}.json`, { force: true });
  }

  /** Worktrees whose owner process is gone (same host) or that have no owner record at all. */
  private async staleWorktrees(
    mirror?: string,
  ): Promise<{ dir: string; owner: WorktreeOwner | undefined }[]> {
    const entries = await readdir(this.layout.worktrees, { withFileTypes: true }).catch(() => []);
    const stale: { dir: string; owner: WorktreeOwner | undefined }[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(this.layout.worktrees, entry.name);
      const owner = await readOwner(`${dir}.json`);
      if (mirror !== undefined && owner !== undefined && owner.mirror !== mirror) continue;
      if (owner === undefined || (owner.host === os.hostname() && !isProcessAlive(owner.pid))) {
        stale.push({ dir, owner });
      }
    }
    // Records whose worktree folder never got created.
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
      const dir = path.join(this.layout.worktrees, entry.name.replace(/\.json$/, ''));
      if (
        entries.some(
          (other) => other.isDirectory() && path.join(this.layout.worktrees, other.name) === dir,
        )
      )
        continue;
      const owner = await readOwner(`${dir}.json`);
      if (
        owner !== undefined &&
        (mirror === undefined || owner.mirror === mirror) &&
        !isProcessAlive(owner.pid)
      ) {
        stale.push({ dir, owner });
      }
    }
    return stale;
  }

  /** Under the mirror's lock: drop this mirror's worktrees from dead jobs and git's records of missing ones. */
  private async pruneMirror(mirror: string): Promise<void> {
    for (const { dir, owner } of await this.staleWorktrees(mirror)) {
      if (owner !== undefined) await this.removeWorktree(mirror, dir, owner.branch);
    }
    await this.git.run(mirror, ['worktree', 'prune']);
  }

  /** Removes every worktree a dead process left, and prunes git's worktree records. Returns how many it removed. */
  async pruneStale(): Promise<number> {
    const stale = await this.staleWorktrees();
    for (const { dir, owner } of stale) {
      if (owner === undefined) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      await this.lock(owner.mirror, () => this.removeWorktree(owner.mirror, dir, owner.branch));
    }
    for (const mirror of await listMirrors(this.layout.mirrors)) {
      if (await mirrorExists(mirror))
        await this.lock(mirror, () => this.git.run(mirror, ['worktree', 'prune']));
    }
    return stale.length;
  }

  async usage(): Promise<MirrorUsage[]> {
    const mirrors = await listMirrors(this.layout.mirrors);
    return Promise.all(
      mirrors.map(async (mirror) => ({
        mirror,
        bytes: await diskUsage(mirror),
        lastUsed: await mirrorLastUsed(mirror),
      })),
    );
  }

  private async inUse(mirror: string): Promise<boolean> {
    const entries = await readdir(this.layout.worktrees).catch(() => [] as string[]);
    for (const entry of entries) {
      if (!entry.endsWith('.json')) continue;
      const owner = await readOwner(path.join(this.layout.worktrees, entry));
      if (owner?.mirror === mirror && (owner.host !== os.hostname() || isProcessAlive(owner.pid)))
        return true;
    }
    return false;
  }

  /** Deletes least-recently-used mirrors until the total is within the bound; mirrors with live worktrees stay. */
  async evict(options: { keep?: readonly string[] } = {}): Promise<string[]> {
    const bound = this.options.maxCacheBytes ?? DEFAULT_MAX_CACHE_BYTES;
    const usage = (await this.usage()).sort((a, b) => a.lastUsed - b.lastUsed);
    let total = usage.reduce((sum, entry) => sum + entry.bytes, 0);
    const evicted: string[] = [];
    for (const entry of usage) {
      if (total <= bound) break;
      if (options.keep?.includes(entry.mirror)) continue;
      const removed = await this.lock(entry.mirror, async () => {
        if (await this.inUse(entry.mirror)) return false;
        await rm(entry.mirror, { recursive: true, force: true });
        return true;
      });
      if (!removed) continue;
      total -= entry.bytes;
      evicted.push(entry.mirror);
      this.options.logger?.info(
        { mirror: entry.mirror, bytes: entry.bytes },
        'evicted least recently used mirror',
      );
    }
    return evicted;
  }
}

async function readOwner(file: string): Promise<WorktreeOwner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as WorktreeOwner;
  } catch {
    // No record (or a torn one): the caller treats the worktree as ownerless.
    return undefined;
  }
}

/** Builds the manager and runs its start-up clean-up (stale worktrees of crashed workers). */
export async function createWorkspaceManager(
  options: WorkspaceManagerOptions,
): Promise<WorkspaceManager> {
  const manager = new WorkspaceManager(options);
  await manager.init();
  return manager;
}
