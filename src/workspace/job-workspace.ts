// One job's worktree: commit as the App's bot, the diff and changed files for the PR body, and the push with its
// rules (pre-push gate first, --force-with-lease only on Claw's own branches, fetch + rebase + one retry).
import { GitConflictError, GitError, TransientError, describeError } from '../lib/index.js';
import type { BotIdentity } from './branch-name.js';
import { hasClawPrefix } from './branch-name.js';
import type { RepositoryRef } from './cache-layout.js';
import type { GitRunner, TokenProvider } from './git-runner.js';
import { authOptions, fetchBranch, REMOTE_REFS } from './mirror-cache.js';

export interface BeforePushInput {
  /** The worktree. */
  cwd: string;
  /** The commit the remote already has: what is new is `base..head`. */
  base: string;
  head: string;
  branch: string;
}
/** The pre-push gate (undercover's diff guard); throwing stops the push. */
export type BeforePush = (input: BeforePushInput) => void | Promise<void>;
/** Rewrites a commit message before it is recorded (undercover's redaction and attribution policy). */
export type CommitMessageFilter = (message: string) => string | Promise<string>;

export type FileChangeStatus = 'added' | 'modified' | 'removed' | 'renamed' | 'copied' | 'changed';

export interface ChangedFile {
  path: string;
  previousPath?: string;
  status: FileChangeStatus;
  /** Undefined for binary files. */
  additions?: number;
  deletions?: number;
}

export type DiffRange = 'job' | 'base';

export interface PushResult {
  pushed: boolean;
  branch: string;
  head: string;
  /** The remote moved under us and our commits were rebased onto it before the retry. */
  rebased: boolean;
  forced: boolean;
}

export interface JobWorkspaceState {
  git: GitRunner;
  repository: RepositoryRef;
  mirror: string;
  dir: string;
  branch: string;
  base: string;
  baseSha: string;
  /** Where this job's own commits start. */
  startSha: string;
  /** The branch's tip on the remote when the job started, undefined when it did not exist. */
  remoteTip: string | undefined;
  author: BotIdentity;
  branchPrefix: string;
  token?: TokenProvider;
  signal?: AbortSignal;
  beforePush?: BeforePush;
  filterCommitMessage?: CommitMessageFilter;
  /** Runs a task under the mirror's lock: fetches and ref updates never race another job's fetch. */
  lockMirror: <T>(task: () => Promise<T>) => Promise<T>;
  dispose: () => Promise<void>;
}

const REJECTED = /\s\[rejected\]|\(stale info\)|\(fetch first\)|\(non-fast-forward\)/i;
const UNREACHABLE =
  /could not resolve host|connection (refused|reset|timed out)|timed out|returned error: 5\d\d|early eof|remote end hung up/i;

export class JobWorkspace {
  private remoteTip: string | undefined;
  private startSha: string;
  private disposed = false;

  constructor(private readonly state: JobWorkspaceState) {
    this.remoteTip = state.remoteTip;
    this.startSha = state.startSha;
  }

  /** The worktree: the agent's cwd. */
  get dir(): string {
    return this.state.dir;
  }
  get branch(): string {
    return this.state.branch;
  }
  get base(): string {
    return this.state.base;
  }
  get baseSha(): string {
    return this.state.baseSha;
  }
  /** Whether the branch already existed on the remote when the job started (a follow-up). */
  get reusedBranch(): boolean {
    return this.state.remoteTip !== undefined && this.startSha === this.state.remoteTip;
  }

  private git(args: readonly string[], config?: readonly string[]): Promise<string> {
    return this.state.git.run(this.state.dir, args, {
      ...(config === undefined ? {} : { config }),
      ...(this.state.signal === undefined ? {} : { signal: this.state.signal }),
    });
  }

  private remote() {
    return authOptions({
      cloneUrl: this.state.repository.cloneUrl,
      ...(this.state.token === undefined ? {} : { token: this.state.token }),
      ...(this.state.signal === undefined ? {} : { signal: this.state.signal }),
    });
  }

  async head(): Promise<string> {
    return (await this.git(['rev-parse', 'HEAD'])).trim();
  }

  /** Uncommitted changes, untracked files included. */
  async hasUncommittedChanges(): Promise<boolean> {
    return (await this.git(['status', '--porcelain', '--untracked-files=all'])).trim() !== '';
  }

  /**
   * Stages everything and commits it as the bot; returns the new SHA, or undefined when nothing changed.
   * The message goes through the commit-message filter first.
   */
  async commit(message: string): Promise<string | undefined> {
    await this.git(['add', '--all']);
    const staged = await this.git(['diff', '--cached', '--name-only']);
    if (staged.trim() === '') return undefined;
    const filtered =
      this.state.filterCommitMessage === undefined
        ? message
        : await this.state.filterCommitMessage(message);
    if (filtered.trim() === '')
      throw new GitError('The commit message is empty after filtering; nothing was committed.');
    const { name, email } = this.state.author;
    await this.git(
      ['commit', '--quiet', '--no-verify', '--cleanup=whitespace', '-m', filtered],
      [`user.name=${name}`, `user.email=${email}`],
    );
    return this.head();
  }

  private async rangeStart(range: DiffRange): Promise<string> {
    if (range === 'job') return this.startSha;
    return (await this.git(['merge-base', this.state.baseSha, 'HEAD'])).trim();
  }

  /**
   * The unified diff of committed changes: this job's (`job`) or the whole branch against its base (`base`);
   * `context` lines around each change (git's default 3; 0 gives exact replaced ranges, e.g. for suggestions).
   */
  async diff(range: DiffRange = 'job', options: { context?: number } = {}): Promise<string> {
    const from = await this.rangeStart(range);
    const context = options.context === undefined ? [] : [`--unified=${options.context}`];
    return this.git([
      'diff',
      '--no-color',
      '--no-ext-diff',
      '--no-textconv',
      '-M',
      ...context,
      from,
      'HEAD',
    ]);
  }

  async changedFiles(range: DiffRange = 'job'): Promise<ChangedFile[]> {
    const from = await this.rangeStart(range);
    const statuses = await this.git([
      'diff',
      '--no-color',
      '--name-status',
      '-M',
      '-z',
      from,
      'HEAD',
    ]);
    const counts = await this.git(['diff', '--no-color', '--numstat', '-M', '-z', from, 'HEAD']);
    return mergeChanges(parseNameStatus(statuses), parseNumstat(counts));
  }

  /** Commits authored by someone other than the bot between the base and `tip`: a branch with any is not Claw's. */
  private async hasForeignCommits(tip: string): Promise<boolean> {
    const authors = await this.git(['log', '--format=%ae', `${this.state.baseSha}..${tip}`]);
    return authors
      .split('\n')
      .map((line) => line.trim())
      .some((line) => line !== '' && line !== this.state.author.email);
  }

  /** Claw may force (with lease) only a branch under its prefix whose commits are all its own. */
  private async ownsBranch(): Promise<boolean> {
    if (!hasClawPrefix(this.state.branch, this.state.branchPrefix)) return false;
    if (this.remoteTip === undefined) return true;
    return !(await this.hasForeignCommits(this.remoteTip));
  }

  /**
   * Pushes HEAD to the branch. The gate runs before every attempt; on a rejected push (someone pushed meanwhile)
   * it fetches, rebases this job's commits onto the new tip and tries once more. A rebase conflict raises
   * GitConflictError; nothing is force-pushed over someone else's work.
   */
  async push(): Promise<PushResult> {
    let rebased = false;
    for (let attempt = 0; ; attempt += 1) {
      const head = await this.head();
      if (head === this.remoteTip)
        return { pushed: false, branch: this.branch, head, rebased, forced: false };
      const base =
        this.remoteTip ?? (await this.git(['merge-base', this.state.baseSha, head])).trim();
      if (this.state.beforePush !== undefined) {
        await this.state.beforePush({ cwd: this.dir, base, head, branch: this.branch });
      }
      const owned = await this.ownsBranch();
      const ref = `refs/heads/${this.branch}`;
      const args = ['push', '--no-verify', '--no-progress'];
      if (owned) args.push(`--force-with-lease=${ref}:${this.remoteTip ?? ''}`);
      args.push(this.state.repository.cloneUrl, `${head}:${ref}`);
      const forced =
        owned && this.remoteTip !== undefined && !(await this.isAncestor(this.remoteTip, head));
      try {
        await this.state.git.run(this.dir, args, this.remote());
      } catch (error) {
        const message = describeError(error);
        if (UNREACHABLE.test(message))
          throw new TransientError(`Pushing ${this.branch} failed: ${message}`, { cause: error });
        if (!REJECTED.test(message)) throw error;
        if (attempt > 0) {
          throw new GitConflictError(
            `The branch ${this.branch} moved again while Claw was pushing; nothing was force-pushed. Re-run the job.`,
            { cause: error },
          );
        }
        await this.rebaseOntoRemote();
        rebased = true;
        continue;
      }
      await this.state.lockMirror(() =>
        this.git(['update-ref', `${REMOTE_REFS}/${this.branch}`, head]),
      );
      this.remoteTip = head;
      return { pushed: true, branch: this.branch, head, rebased, forced };
    }
  }

  private async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const base = (await this.git(['merge-base', ancestor, descendant]).catch(() => '')).trim();
    return base === ancestor;
  }

  private async rebaseOntoRemote(): Promise<void> {
    const tip = await this.state.lockMirror(() =>
      fetchBranch(this.state.git, this.state.mirror, this.branch, {
        cloneUrl: this.state.repository.cloneUrl,
        ...(this.state.token === undefined ? {} : { token: this.state.token }),
        ...(this.state.signal === undefined ? {} : { signal: this.state.signal }),
      }),
    );
    if (tip === undefined) {
      // The branch was deleted meanwhile: push as new.
      this.remoteTip = undefined;
      return;
    }
    const { name, email } = this.state.author;
    try {
      await this.git(
        ['rebase', '--quiet', '--no-autosquash', '--onto', tip, this.startSha],
        [`user.name=${name}`, `user.email=${email}`],
      );
    } catch (error) {
      await this.git(['rebase', '--abort']).catch(() => undefined);
      throw new GitConflictError(
        `Someone pushed to ${this.branch} while Claw worked, and Claw's changes conflict with theirs; ` +
          'nothing was pushed. Resolve it on the branch, or ask Claw again.',
        { cause: error },
      );
    }
    this.startSha = tip;
    this.remoteTip = tip;
  }

  /** Removes the worktree (idempotent). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.state.dispose();
  }
}

function parseNameStatus(output: string): ChangedFile[] {
  const fields = output.split('\0').filter((field) => field !== '');
  const files: ChangedFile[] = [];
  for (let i = 0; i < fields.length;) {
    const code = fields[i++] as string;
    const letter = code[0];
    if (letter === 'R' || letter === 'C') {
      const previousPath = fields[i++] as string;
      const current = fields[i++] as string;
      files.push({ path: current, previousPath, status: letter === 'R' ? 'renamed' : 'copied' });
    } else {
      const file = fields[i++] as string;
      const status: FileChangeStatus =
        letter === 'A'
          ? 'added'
          : letter === 'D'
            ? 'removed'
            : letter === 'M'
              ? 'modified'
              : 'changed';
      files.push({ path: file, status });
    }
  }
  return files;
}

function parseNumstat(output: string): Map<string, { additions?: number; deletions?: number }> {
  const counts = new Map<string, { additions?: number; deletions?: number }>();
  const fields = output.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (field === '') continue;
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(field);
    if (match === null) continue;
    let file = match[3] as string;
    // A rename is "adds\tdels\t" followed by the old and the new path as separate fields.
    if (file === '') {
      i += 2;
      file = fields[i] as string;
    }
    counts.set(
      file,
      match[1] === '-' ? {} : { additions: Number(match[1]), deletions: Number(match[2]) },
    );
  }
  return counts;
}

function mergeChanges(
  files: ChangedFile[],
  counts: Map<string, { additions?: number; deletions?: number }>,
): ChangedFile[] {
  return files.map((file) => ({ ...file, ...counts.get(file.path) }));
}
