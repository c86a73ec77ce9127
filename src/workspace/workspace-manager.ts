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
import { withFileLock, isProcessAlive, processStartTicks, type LockOptions } from './file-lock.js';
import { GitRunner, type GitCommandObserver, type TokenProvider } from './git-runner.js';
import { JobWorkspace, type BeforePush, type CommitMessageFilter } from './job-workspace.js';
import {
  diskUsage,
  ensureMirror,
  fetchMirror,
  fetchRef,
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
  /**
   * Finished worktrees kept per repository and recycled by the next job (cleaned, then checked out anew), so a warm
   * start rewrites only the files that changed instead of the whole tree. 0 removes every worktree at once.
   */
  keepWorktreesPerRepo?: number;
  logger?: Logger;
  lock?: LockOptions;
  now?: () => number;
  /** Told about every git command the cache and its worktrees run (metrics). */
  onGitCommand?: GitCommandObserver;
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
  /**
   * Start from this remote ref instead, e.g. `refs/pull/12/head` to review a pull request (forks included); `branch`
   * is then only the worktree's local name. Such a workspace is for reading: it has nothing to push.
   */
  startRef?: string;
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
    this.git = new GitRunner(this.layout.hooks, options.onGitCommand);
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
    const owner: WorktreeOwner = {
      pid: process.pid,
      started: processStartTicks(),
      host: os.hostname(),
      jobId: options.jobId,
      mirror,
      branch: options.branch,
      createdAt: this.now(),
    };

    // Under the lock: everything that changes the mirror's refs or its set of worktrees.
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
      const tips = await this.remoteTips(mirror, [base, options.branch]);
      const baseSha = tips.get(base);
      if (baseSha === undefined) {
        throw new GitError(
          `The base branch "${base}" does not exist in ${options.repository.owner}/${options.repository.repo}.`,
        );
      }
      const remoteTip = tips.get(options.branch);
      if (options.requireExistingBranch === true && remoteTip === undefined) {
        throw new GitError(
          `The branch "${options.branch}" no longer exists in ${options.repository.owner}/${options.repository.repo}.`,
        );
      }
      const startSha =
        options.startRef !== undefined
          ? await fetchRef(this.git, mirror, options.startRef, remote)
          : remoteTip !== undefined && options.startFresh !== true
            ? remoteTip
            : baseSha;
      const parked = await this.claimParked(mirror);
      const dir = parked ?? path.join(this.layout.worktrees, this.worktreeName(options.jobId));
      // The record goes first, so a crash from here on still leaves something for the clean-up to find.
      await writeFile(`${dir}.json`, JSON.stringify(owner));
      return { base, baseSha, remoteTip, startSha, dir, recycled: parked !== undefined };
    });

    // Outside the lock: the checkout is the slow part, and git locks a worktree while it creates it.
    let { dir } = prepared;
    const addOnce = () =>
      this.git.run(mirror, [
        'worktree',
        'add',
        '--quiet',
        '-B',
        options.branch,
        dir,
        prepared.startSha,
      ]);
    // A worktree deleted by hand still holds its branch in git's records until pruned: prune, then try again.
    const add = () =>
      addOnce().catch(async () => {
        await this.lock(mirror, () => this.git.run(mirror, ['worktree', 'prune']));
        await rm(dir, { recursive: true, force: true });
        return addOnce();
      });
    try {
      if (!prepared.recycled) await add();
      else {
        try {
          await this.recycle(mirror, dir, options.branch, prepared.startSha);
        } catch (error) {
          this.options.logger?.warn(
            { err: error, dir },
            'could not reuse a parked worktree; creating a new one',
          );
          const discarded = dir;
          await this.lock(mirror, () => this.removeWorktree(mirror, discarded, ''));
          dir = path.join(this.layout.worktrees, this.worktreeName(options.jobId));
          await writeFile(`${dir}.json`, JSON.stringify(owner));
          await add();
        }
      }
    } catch (error) {
      await this.lock(mirror, () => this.removeWorktree(mirror, dir, options.branch)).catch(
        () => undefined,
      );
      throw error;
    }

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
      lockMirror: (task) => this.lock(mirror, task),
      dispose: () => this.release(mirror, dir, options.branch),
    });
    await this.evict({ keep: [mirror] }).catch((error: unknown) => {
      this.options.logger?.warn({ err: error }, 'mirror eviction failed');
    });
    return workspace;
  }

  private worktreeName(jobId: string): string {
    return `${jobId.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-${randomBytes(4).toString('hex')}`;
  }

  /** Under the lock: takes one parked worktree of this mirror, if any. */
  private async claimParked(mirror: string): Promise<string | undefined> {
    for (const { dir, owner } of await this.worktreeRecords()) {
      if (owner?.parked === true && owner.mirror === mirror) return dir;
    }
    return undefined;
  }

  /** Puts a parked worktree on the job's branch: every file the commit does not have, tracked or not, goes. */
  private async recycle(
    mirror: string,
    dir: string,
    branch: string,
    startSha: string,
  ): Promise<void> {
    const expected = `gitdir: ${path.join(mirror, 'worktrees', path.basename(dir))}`;
    // A job could have replaced .git; then git would act on a repository of its making.
    const gitFile = (await readFile(path.join(dir, '.git'), 'utf8').catch(() => '')).trim();
    if (gitFile !== expected)
      throw new GitError(`parked worktree ${dir} was tampered with; it is discarded`);
    // Parking already removed untracked and ignored files; the forced checkout restores every tracked one.
    await this.git.run(dir, ['checkout', '--quiet', '--force', '-B', branch, startSha]);
  }

  /** The job is over: park its worktree (cleaned) for the next job, or remove it. */
  private async release(mirror: string, dir: string, branch: string): Promise<void> {
    const keep = this.options.keepWorktreesPerRepo ?? 1;
    if (keep > 0 && (await mirrorExists(mirror))) {
      try {
        await this.git.run(dir, ['checkout', '--quiet', '--force', '--detach']);
        await this.git.run(dir, ['clean', '-ffdxq']);
        const parked = await this.lock(mirror, async () => {
          const records = await this.worktreeRecords();
          const already = records.filter(
            (r) => r.owner?.parked === true && r.owner.mirror === mirror,
          ).length;
          if (already >= keep) return false;
          await this.git.run(mirror, ['branch', '-D', '--quiet', branch]).catch(() => undefined);
          const record: WorktreeOwner = {
            pid: 0,
            host: os.hostname(),
            jobId: '',
            mirror,
            branch: '',
            createdAt: this.now(),
            parked: true,
          };
          await writeFile(`${dir}.json`, JSON.stringify(record));
          return true;
        });
        if (parked) return;
      } catch (error) {
        this.options.logger?.warn({ err: error, dir }, 'could not park a worktree; removing it');
      }
    }
    await this.lock(mirror, () => this.removeWorktree(mirror, dir, branch));
  }

  /** The fetched tips of these remote branches (one git call); a missing branch is absent from the map. */
  private async remoteTips(mirror: string, branches: string[]): Promise<Map<string, string>> {
    const listed = await this.git.run(mirror, [
      'for-each-ref',
      '--format=%(objectname) %(refname)',
      ...branches.map((branch) => `${REMOTE_REFS}/${branch}`),
    ]);
    const tips = new Map<string, string>();
    for (const line of listed.split('\n')) {
      const [sha, ref] = line.trim().split(' ');
      if (sha !== undefined && ref !== undefined) tips.set(ref.slice(REMOTE_REFS.length + 1), sha);
    }
    return tips;
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

  /** Every worktree folder and record under the cache, paired up. */
  private async worktreeRecords(): Promise<{ dir: string; owner: WorktreeOwner | undefined }[]> {
    const entries = await readdir(this.layout.worktrees, { withFileTypes: true }).catch(() => []);
    const dirs = new Set<string>();
    for (const entry of entries) {
      if (entry.isDirectory()) dirs.add(path.join(this.layout.worktrees, entry.name));
      else if (entry.name.endsWith('.json'))
        dirs.add(path.join(this.layout.worktrees, entry.name.replace(/\.json$/, '')));
    }
    const records: { dir: string; owner: WorktreeOwner | undefined }[] = [];
    for (const dir of [...dirs].sort())
      records.push({ dir, owner: await readOwner(`${dir}.json`) });
    return records;
  }

  /** Worktrees whose owner process is gone (same host), with no record at all, or parked for a vanished mirror. */
  private async staleWorktrees(
    mirror?: string,
  ): Promise<{ dir: string; owner: WorktreeOwner | undefined }[]> {
    const stale: { dir: string; owner: WorktreeOwner | undefined }[] = [];
    for (const record of await this.worktreeRecords()) {
      const { owner } = record;
      if (owner === undefined) {
        stale.push(record);
        continue;
      }
      if (mirror !== undefined && owner.mirror !== mirror) continue;
      if (owner.parked === true) {
        if (!(await mirrorExists(owner.mirror))) stale.push(record);
        continue;
      }
      if (owner.host === os.hostname() && !isProcessAlive(owner.pid, owner.started))
        stale.push(record);
    }
    return stale;
  }

  /** Under the mirror's lock: drop this mirror's worktrees from dead jobs and git's records of missing ones. */
  private async pruneMirror(mirror: string): Promise<void> {
    let removed = 0;
    for (const { dir, owner } of await this.staleWorktrees(mirror)) {
      if (owner === undefined) continue;
      await this.removeWorktree(mirror, dir, owner.branch);
      removed += 1;
    }
    // removeWorktree prunes as it goes; a full prune of git's records runs at start-up (pruneStale).
    if (removed > 0)
      this.options.logger?.info({ mirror, removed }, 'removed worktrees of dead jobs');
  }

  /** Removes every worktree a dead process left, and prunes git's worktree records. Returns how many it removed. */
  async pruneStale(): Promise<number> {
    const stale = await this.staleWorktrees();
    for (const { dir, owner } of stale) {
      if (owner === undefined) {
        await rm(dir, { recursive: true, force: true });
        await rm(`${dir}.json`, { force: true });
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

  /** Each mirror's bytes on disk, its parked worktrees included (they go with it on eviction). */
  async usage(): Promise<MirrorUsage[]> {
    const mirrors = await listMirrors(this.layout.mirrors);
    const records = await this.worktreeRecords();
    return Promise.all(
      mirrors.map(async (mirror) => {
        let bytes = await diskUsage(mirror);
        for (const { dir, owner } of records) {
          if (owner?.parked === true && owner.mirror === mirror) bytes += await diskUsage(dir);
        }
        return { mirror, bytes, lastUsed: await mirrorLastUsed(mirror) };
      }),
    );
  }

  private async inUse(mirror: string): Promise<boolean> {
    const entries = await readdir(this.layout.worktrees).catch(() => [] as string[]);
    for (const entry of entries) {
      if (!entry.endsWith('.json')) continue;
      const owner = await readOwner(path.join(this.layout.worktrees, entry));
      if (owner?.mirror !== mirror || owner.parked === true) continue;
      if (owner.host !== os.hostname() || isProcessAlive(owner.pid, owner.started)) return true;
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
        for (const { dir, owner } of await this.worktreeRecords()) {
          if (owner?.parked === true && owner.mirror === entry.mirror) {
            await rm(dir, { recursive: true, force: true });
            await rm(`${dir}.json`, { force: true });
          }
        }
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
