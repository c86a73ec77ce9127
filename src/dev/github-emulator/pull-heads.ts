// Keeps `refs/pull/<n>/head` in each base repository on its pull request's head branch, as GitHub does,
// copying a fork's commits into the base repository so that diffs, commits and review lines are computed there.
import { branchSha, fetchBranch, resolveRef, updateRef } from './git-backend.js';
import type { EmulatorState, PullRequest, Repo } from './state.js';

export function pullHeadRef(number: number): string {
  return `refs/pull/${number}/head`;
}

export class PullHeads {
  /** One chain per base repository: git cannot update the same ref from two processes at once. */
  private readonly queues = new Map<number, Promise<unknown>>();

  constructor(private readonly state: EmulatorState) {}

  /**
   * Moves `refs/pull/<n>/head` to the head branch's tip and returns it. A closed pull request, or one whose
   * head branch was deleted, keeps the head it had (undefined when it never had one).
   */
  sync(pull: PullRequest): Promise<string | undefined> {
    const base = this.state.repoById(pull.repoId);
    const head = this.state.repoById(pull.pull.headRepoId);
    if (base === undefined || head === undefined) return Promise.resolve(undefined);
    return this.exclusive(base.id, async () => {
      const ref = pullHeadRef(pull.number);
      const current = await resolveRef(base.bareDir, ref);
      if (pull.state === 'closed' && current !== undefined) return current;
      const tip = await branchSha(head.bareDir, pull.pull.headRef);
      if (tip === undefined || tip === current) return current;
      if (head.id !== base.id) await fetchBranch(base.bareDir, head.bareDir, pull.pull.headRef);
      await updateRef(base.bareDir, ref, tip);
      return tip;
    });
  }

  /** Brings every open pull request into `repo`, or out of it (when it is a head repository), up to date. */
  async syncRepo(repo: Repo): Promise<void> {
    const pulls = this.state.pullRequests(
      (p) => p.state === 'open' && (p.repoId === repo.id || p.pull.headRepoId === repo.id),
    );
    await Promise.all(pulls.map((p) => this.sync(p)));
  }

  private exclusive<T>(repoId: number, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(repoId) ?? Promise.resolve();
    const next = previous.then(task, task);
    // The caller sees a failure through `next`; the chain itself carries on with the next task.
    this.queues.set(
      repoId,
      next.catch(() => undefined),
    );
    return next;
  }
}
