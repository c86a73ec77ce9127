// The emulator's in-memory world: users, repositories, installations, issues and pull requests with their
// comments, reviews and reactions. Numbers and ids are handed out the way GitHub does (shared issue/PR numbers).

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

export interface User {
  login: string;
  id: number;
  type: 'User' | 'Bot' | 'Organization';
}

export interface Repo {
  id: number;
  owner: User;
  name: string;
  private: boolean;
  defaultBranch: string;
  bareDir: string;
  permissions: Map<string, Permission>;
  /** The parent's id when this repository is a fork. */
  forkOf?: number;
}

export interface Installation {
  id: number;
  account: User;
  /** Repository ids the installation may reach. */
  repositoryIds: number[];
}

export interface Issue {
  repoId: number;
  number: number;
  title: string;
  body: string | null;
  user: User;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  assignees: string[];
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  /** Set for pull requests, which are issues too. */
  pull?: PullFields;
}

export interface PullFields {
  /** The repository the head branch lives in: the base repository, or a fork of it. */
  headRepoId: number;
  headRef: string;
  baseRef: string;
  draft: boolean;
  maintainerCanModify: boolean;
  merged: boolean;
}

export type PullRequest = Issue & { pull: PullFields };

export interface IssueComment {
  id: number;
  repoId: number;
  issueNumber: number;
  body: string;
  user: User;
  createdAt: number;
  updatedAt: number;
}

export type ReactionSubject =
  | { type: 'issue'; repoId: number; number: number }
  | { type: 'issue_comment' | 'review_comment'; id: number };

export interface Reaction {
  id: number;
  subject: ReactionSubject;
  content: string;
  user: User;
  createdAt: number;
}

export interface Review {
  id: number;
  repoId: number;
  pullNumber: number;
  user: User;
  body: string;
  state: 'COMMENTED' | 'APPROVED' | 'CHANGES_REQUESTED' | 'PENDING';
  commitId: string;
  submittedAt: number | null;
}

/** A CI result on a commit, as the Checks API lists it. */
export interface CheckRun {
  id: number;
  repoId: number;
  headSha: string;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion:
    | 'success'
    | 'failure'
    | 'neutral'
    | 'cancelled'
    | 'skipped'
    | 'timed_out'
    | 'action_required'
    | null;
  title: string | null;
  summary: string | null;
}

export interface ReviewComment {
  id: number;
  repoId: number;
  pullNumber: number;
  reviewId: number | null;
  path: string;
  line: number | null;
  side: 'LEFT' | 'RIGHT';
  startLine: number | null;
  startSide: 'LEFT' | 'RIGHT' | null;
  commitId: string;
  diffHunk: string;
  body: string;
  user: User;
  inReplyTo: number | null;
  createdAt: number;
  updatedAt: number;
}

export class EmulatorState {
  private nextId = 1000;
  readonly users = new Map<string, User>();
  readonly repos: Repo[] = [];
  readonly installations: Installation[] = [];
  readonly issues: Issue[] = [];
  readonly comments: IssueComment[] = [];
  readonly reactions: Reaction[] = [];
  readonly reviews: Review[] = [];
  readonly reviewComments: ReviewComment[] = [];
  readonly checkRuns: CheckRun[] = [];

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  user(login: string, type: User['type'] = login.endsWith('[bot]') ? 'Bot' : 'User'): User {
    let found = this.users.get(login.toLowerCase());
    if (found === undefined) {
      found = { login, id: this.id(), type };
      this.users.set(login.toLowerCase(), found);
    }
    return found;
  }

  findRepo(owner: string, name: string): Repo | undefined {
    return this.repos.find(
      (r) =>
        r.owner.login.toLowerCase() === owner.toLowerCase() &&
        r.name.toLowerCase() === name.toLowerCase(),
    );
  }

  repoById(id: number): Repo | undefined {
    return this.repos.find((r) => r.id === id);
  }

  nextNumber(repoId: number): number {
    return (
      this.issues
        .filter((i) => i.repoId === repoId)
        .reduce((max, i) => Math.max(max, i.number), 0) + 1
    );
  }

  issue(repoId: number, number: number): Issue | undefined {
    return this.issues.find((i) => i.repoId === repoId && i.number === number);
  }

  pullRequests(filter: (issue: PullRequest) => boolean = () => true): PullRequest[] {
    return this.issues.filter(
      (i): i is PullRequest => i.pull !== undefined && filter(i as PullRequest),
    );
  }

  installationFor(repoId: number): Installation | undefined {
    return this.installations.find((i) => i.repositoryIds.includes(repoId));
  }
}
