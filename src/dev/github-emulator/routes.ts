// The REST operations the emulator serves, keyed by GitHub's operationId; each enforces auth and the
// GitHub behaviour a bot depends on (422 for duplicate PRs, review lines outside the diff, and so on).
import type { GitHubEmulator } from './github-emulator.js';
import type { InstallationToken } from './app-auth.js';
import {
  branchSha,
  commentableLines,
  countRange,
  diffFiles,
  fetchBranch,
  listCommits,
  mergeBase,
  readPath,
  resolveRef,
  type CommitInfo,
  type FileDiff,
} from './git-backend.js';
import {
  iso,
  nodeId,
  serializeComment,
  serializeIssue,
  serializeReaction,
  serializeRepo,
  serializeReview,
  serializeReviewComment,
  serializeUser,
  type Urls,
} from './serialize.js';
import type {
  EmulatorState,
  Issue,
  Permission,
  PullRequest,
  ReactionSubject,
  Repo,
  ReviewComment,
} from './state.js';

export interface RequestContext {
  emulator: GitHubEmulator;
  state: EmulatorState;
  urls: Urls;
  auth:
    | { kind: 'none' }
    | { kind: 'invalid'; message: string }
    | { kind: 'app' }
    | { kind: 'installation'; token: InstallationToken };
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  accept: string;
  now: number;
  issueToken(installationId: number, repositoryIds: number[] | 'all'): InstallationToken;
}

export interface HandlerResult {
  status?: number;
  body?: unknown;
  raw?: Buffer;
  headers?: Record<string, string>;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: unknown[],
  ) {
    super(message);
  }
}

type Handler = (context: RequestContext) => Promise<HandlerResult> | HandlerResult;

function requireApp(context: RequestContext): void {
  if (context.auth.kind === 'invalid') throw new HttpError(401, context.auth.message);
  if (context.auth.kind !== 'app') {
    throw new HttpError(401, 'A JSON web token could not be decoded');
  }
}

function requireRepo(context: RequestContext): Repo {
  const { auth } = context;
  if (auth.kind === 'invalid') throw new HttpError(401, auth.message);
  if (auth.kind === 'none') throw new HttpError(401, 'Requires authentication');
  const repo = context.state.findRepo(context.params.owner ?? '', context.params.repo ?? '');
  if (repo === undefined) throw new HttpError(404, 'Not Found');
  if (auth.kind === 'installation') {
    const { repositoryIds, installationId } = auth.token;
    const reachable =
      repositoryIds === 'all'
        ? context.state.installationFor(repo.id)?.id === installationId
        : repositoryIds.includes(repo.id);
    if (!reachable) throw new HttpError(404, 'Not Found');
  } else {
    throw new HttpError(403, 'Resource not accessible by integration: use an installation token');
  }
  return repo;
}

function actor(context: RequestContext) {
  return context.emulator.app.bot;
}

function intParam(context: RequestContext, name: string): number {
  return Number(context.params[name]);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function paginate<T>(
  context: RequestContext,
  items: T[],
  pathForLinks: string,
): HandlerResult & { body: T[] } {
  const perPage = Math.min(Number(context.query.get('per_page') ?? 30) || 30, 100);
  const page = Math.max(Number(context.query.get('page') ?? 1) || 1, 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (p: number, rel: string) => {
    const query = new URLSearchParams(context.query);
    query.set('page', String(p));
    query.set('per_page', String(perPage));
    return `<${context.urls.api}${pathForLinks}?${query.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
  return { body: slice, ...(links.length === 0 ? {} : { headers: { link: links.join(', ') } }) };
}

function repoPath(repo: Repo): string {
  return `/repos/${repo.owner.login}/${repo.name}`;
}

function findIssue(context: RequestContext, repo: Repo, number: number): Issue {
  const issue = context.state.issue(repo.id, number);
  if (issue === undefined) throw new HttpError(404, 'Not Found');
  return issue;
}

function findPull(context: RequestContext, repo: Repo, number: number): PullRequest {
  const issue = context.state.issue(repo.id, number);
  if (issue?.pull === undefined) throw new HttpError(404, 'Not Found');
  return issue as PullRequest;
}

/** The repository `owner:branch` names: the base itself, or a fork of it (`head_repo` picks one by name). */
function findHeadRepo(
  context: RequestContext,
  repo: Repo,
  owner: string,
  name: string | undefined,
): Repo | undefined {
  return context.state.repos.find(
    (r) =>
      (r.id === repo.id || r.forkOf === repo.id) &&
      r.owner.login.toLowerCase() === owner.toLowerCase() &&
      (name === undefined || r.name.toLowerCase() === name.toLowerCase()),
  );
}

/**
 * One side of `compare/{base}...{head}`: a ref of `repo`, or `owner:branch` (`owner:repo:branch`) of a fork,
 * whose commits are copied into `repo` so that the comparison runs there.
 */
async function resolveCompareSide(
  context: RequestContext,
  repo: Repo,
  spec: string,
): Promise<string | undefined> {
  const parts = spec.split(':');
  if (parts.length === 1) return resolveRef(repo.bareDir, spec);
  const [owner, name, branch] =
    parts.length === 2
      ? [parts[0] ?? '', undefined, parts[1] ?? '']
      : (parts as [string, string, string]);
  const source = findHeadRepo(context, repo, owner, name);
  if (source === undefined) return undefined;
  if (source.id === repo.id) return resolveRef(repo.bareDir, branch);
  const sha = await branchSha(source.bareDir, branch);
  if (sha !== undefined) await fetchBranch(repo.bareDir, source.bareDir, branch);
  return sha;
}

function headRepoOf(context: RequestContext, pull: PullRequest): Repo {
  const head = context.state.repoById(pull.pull.headRepoId);
  if (head === undefined) throw new HttpError(404, 'Not Found');
  return head;
}

function serializeCommit(context: RequestContext, repo: Repo, commit: CommitInfo) {
  const userFor = (email: string) => {
    const match = /^\d+\+(.+)@users\.noreply\.github\.com$/.exec(email);
    const login = match?.[1];
    return login === undefined ? null : serializeUser(context.urls, context.state.user(login));
  };
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', parseInt(commit.sha.slice(0, 8), 16)),
    url: `${context.urls.api}${repoPath(repo)}/commits/${commit.sha}`,
    html_url: `${context.urls.html}/${repo.owner.login}/${repo.name}/commit/${commit.sha}`,
    comments_url: `${context.urls.api}${repoPath(repo)}/commits/${commit.sha}/comments`,
    commit: {
      url: `${context.urls.api}${repoPath(repo)}/git/commits/${commit.sha}`,
      author: { name: commit.authorName, email: commit.authorEmail, date: commit.authorDate },
      committer: {
        name: commit.committerName,
        email: commit.committerEmail,
        date: commit.committerDate,
      },
      message: commit.message,
      tree: { sha: '', url: '' },
      comment_count: 0,
    },
    author: userFor(commit.authorEmail),
    committer: userFor(commit.committerEmail),
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${context.urls.api}${repoPath(repo)}/commits/${sha}`,
    })),
  };
}

function serializeFile(context: RequestContext, repo: Repo, head: string, file: FileDiff) {
  const blob = `${context.urls.html}/${repo.owner.login}/${repo.name}/blob/${head}/${file.filename}`;
  return {
    ...file,
    blob_url: blob,
    raw_url: blob.replace('/blob/', '/raw/'),
    contents_url: `${context.urls.api}${repoPath(repo)}/contents/${file.filename}?ref=${head}`,
  };
}

/** The head (refs/pull/<n>/head, brought up to date first) and base tips, both commits of the base repository. */
async function pullShas(context: RequestContext, repo: Repo, issue: PullRequest) {
  const head = (await context.emulator.pullHeads.sync(issue)) ?? '0'.repeat(40);
  const base = (await branchSha(repo.bareDir, issue.pull.baseRef)) ?? '0'.repeat(40);
  return { head, base };
}

async function serializePull(context: RequestContext, repo: Repo, issue: PullRequest) {
  const { head, base } = await pullShas(context, repo, issue);
  const headRepo = headRepoOf(context, issue);
  const full = `${repo.owner.login}/${repo.name}`;
  const url = `${context.urls.api}/repos/${full}/pulls/${issue.number}`;
  const forkPoint = await mergeBase(repo.bareDir, base, head);
  const files = forkPoint === undefined ? [] : await diffFiles(repo.bareDir, forkPoint, head);
  const commits =
    forkPoint === undefined ? 0 : await countRange(repo.bareDir, `${forkPoint}..${head}`);
  const repoJson = serializeRepo(context.urls, repo);
  return {
    url,
    id: issue.number * 1_000_033 + repo.id,
    node_id: nodeId('PullRequest', issue.number * 1_000_033 + repo.id),
    html_url: `${context.urls.html}/${full}/pull/${issue.number}`,
    diff_url: `${context.urls.html}/${full}/pull/${issue.number}.diff`,
    patch_url: `${context.urls.html}/${full}/pull/${issue.number}.patch`,
    issue_url: `${context.urls.api}/repos/${full}/issues/${issue.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    comments_url: `${context.urls.api}/repos/${full}/issues/${issue.number}/comments`,
    statuses_url: `${context.urls.api}/repos/${full}/statuses/${head}`,
    number: issue.number,
    state: issue.state,
    locked: false,
    title: issue.title,
    user: serializeUser(context.urls, issue.user),
    body: issue.body,
    labels: [],
    milestone: null,
    created_at: iso(issue.createdAt),
    updated_at: iso(issue.updatedAt),
    closed_at: iso(issue.closedAt),
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    head: {
      label: `${headRepo.owner.login}:${issue.pull.headRef}`,
      ref: issue.pull.headRef,
      sha: head,
      user: serializeUser(context.urls, headRepo.owner),
      repo: headRepo.id === repo.id ? repoJson : serializeRepo(context.urls, headRepo),
    },
    base: {
      label: `${repo.owner.login}:${issue.pull.baseRef}`,
      ref: issue.pull.baseRef,
      sha: base,
      user: serializeUser(context.urls, repo.owner),
      repo: repoJson,
    },
    _links: {
      self: { href: url },
      html: { href: `${context.urls.html}/${full}/pull/${issue.number}` },
      issue: { href: `${context.urls.api}/repos/${full}/issues/${issue.number}` },
      comments: { href: `${context.urls.api}/repos/${full}/issues/${issue.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${context.urls.api}/repos/${full}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${context.urls.api}/repos/${full}/statuses/${head}` },
    },
    author_association: 'NONE',
    auto_merge: null,
    draft: issue.pull.draft,
    merged: issue.pull.merged,
    mergeable: true,
    rebaseable: true,
    mergeable_state: 'clean',
    merged_by: null,
    comments: context.state.comments.filter(
      (c) => c.repoId === repo.id && c.issueNumber === issue.number,
    ).length,
    review_comments: context.state.reviewComments.filter(
      (c) => c.repoId === repo.id && c.pullNumber === issue.number,
    ).length,
    maintainer_can_modify: issue.pull.maintainerCanModify,
    commits,
    additions: files.reduce((sum, f) => sum + f.additions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
    changed_files: files.length,
  };
}

const validation = (message: string, errors: unknown[] = []) => new HttpError(422, message, errors);

function addReaction(context: RequestContext, subject: ReactionSubject): HandlerResult {
  const content = str(context.body.content) as string;
  const user = actor(context);
  const existing = context.state.reactions.find(
    (r) =>
      JSON.stringify(r.subject) === JSON.stringify(subject) &&
      r.user.id === user.id &&
      r.content === content,
  );
  if (existing !== undefined)
    return { status: 200, body: serializeReaction(context.urls, existing) };
  const reaction = { id: context.state.id(), subject, content, user, createdAt: context.now };
  context.state.reactions.push(reaction);
  return { status: 201, body: serializeReaction(context.urls, reaction) };
}

function listReactions(
  context: RequestContext,
  subject: ReactionSubject,
  path: string,
): HandlerResult {
  const content = context.query.get('content');
  const reactions = context.state.reactions.filter(
    (r) =>
      JSON.stringify(r.subject) === JSON.stringify(subject) &&
      (content === null || r.content === content),
  );
  return paginate(
    context,
    reactions.map((r) => serializeReaction(context.urls, r)),
    path,
  );
}

async function createReviewComment(
  context: RequestContext,
  repo: Repo,
  pull: PullRequest,
  input: {
    path: string;
    line?: number;
    side?: string;
    start_line?: number;
    start_side?: string;
    body: string;
    commit_id?: string;
  },
  reviewId: number | null,
): Promise<ReviewComment> {
  const { head, base } = await pullShas(context, repo, pull);
  const commitId = input.commit_id ?? head;
  if ((await resolveRef(repo.bareDir, commitId)) === undefined)
    throw validation('Validation Failed', [
      { resource: 'PullRequestReviewComment', code: 'invalid', field: 'commit_id' },
    ]);
  const forkPoint = (await mergeBase(repo.bareDir, base, commitId)) ?? base;
  const file = (await diffFiles(repo.bareDir, forkPoint, commitId)).find(
    (f) => f.filename === input.path,
  );
  const side = input.side === 'LEFT' ? 'LEFT' : 'RIGHT';
  const line = input.line;
  if (file === undefined || line === undefined || !commentableLines(file.patch)[side].has(line)) {
    throw validation('Unprocessable Entity', [
      'Pull request review thread line must be part of the diff',
    ]);
  }
  if (input.start_line !== undefined) {
    const startSide = input.start_side === 'LEFT' ? 'LEFT' : side;
    if (!commentableLines(file.patch)[startSide].has(input.start_line) || input.start_line > line) {
      throw validation('Unprocessable Entity', [
        'Pull request review thread start line must be part of the same hunk as the line.',
      ]);
    }
  }
  const comment: ReviewComment = {
    id: context.state.id(),
    repoId: repo.id,
    pullNumber: pull.number,
    reviewId,
    path: input.path,
    line,
    side,
    startLine: input.start_line ?? null,
    startSide: input.start_line === undefined ? null : input.start_side === 'LEFT' ? 'LEFT' : side,
    commitId,
    diffHunk: file.patch ?? '',
    body: input.body,
    user: actor(context),
    inReplyTo: null,
    createdAt: context.now,
    updatedAt: context.now,
  };
  context.state.reviewComments.push(comment);
  return comment;
}

function reply(
  context: RequestContext,
  repo: Repo,
  pullNumber: number,
  parentId: number,
  body: string,
): ReviewComment {
  const parent = context.state.reviewComments.find(
    (c) => c.id === parentId && c.repoId === repo.id && c.pullNumber === pullNumber,
  );
  if (parent === undefined) throw new HttpError(404, 'Not Found');
  // GitHub threads a reply to a reply onto the thread's first comment.
  const root = parent.inReplyTo ?? parent.id;
  const comment: ReviewComment = {
    ...parent,
    id: context.state.id(),
    reviewId: null,
    body,
    user: actor(context),
    inReplyTo: root,
    createdAt: context.now,
    updatedAt: context.now,
  };
  context.state.reviewComments.push(comment);
  return comment;
}

const PERMISSION_VIEW: Record<Permission, string> = {
  admin: 'admin',
  maintain: 'write',
  write: 'write',
  triage: 'read',
  read: 'read',
  none: 'none',
};

export const handlers: Record<string, Handler> = {
  'apps/get-authenticated': (context) => {
    requireApp(context);
    const { app } = context.emulator;
    return {
      body: {
        id: app.id,
        slug: app.slug,
        node_id: nodeId('App', app.id),
        name: app.slug,
        owner: serializeUser(context.urls, context.state.user('emulator-owner')),
        description: 'Claw (emulated)',
        external_url: context.urls.html,
        html_url: `${context.urls.html}/apps/${app.slug}`,
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
        permissions: {
          contents: 'write',
          issues: 'write',
          pull_requests: 'write',
          metadata: 'read',
        },
        events: [
          'issues',
          'issue_comment',
          'pull_request',
          'pull_request_review',
          'pull_request_review_comment',
        ],
        installations_count: context.state.installations.length,
      },
    };
  },
  'apps/list-installations': (context) => {
    requireApp(context);
    return paginate(
      context,
      context.state.installations.map((i) => ({
        id: i.id,
        account: serializeUser(context.urls, i.account),
        app_id: context.emulator.app.id,
        target_type: i.account.type,
        repository_selection: 'selected',
        permissions: {},
        events: [],
      })),
      '/app/installations',
    );
  },
  'apps/get-repo-installation': (context) => {
    requireApp(context);
    const repo = context.state.findRepo(context.params.owner ?? '', context.params.repo ?? '');
    const installation = repo === undefined ? undefined : context.state.installationFor(repo.id);
    if (installation === undefined) throw new HttpError(404, 'Not Found');
    return {
      body: {
        id: installation.id,
        account: serializeUser(context.urls, installation.account),
        app_id: context.emulator.app.id,
        app_slug: context.emulator.app.slug,
        target_id: installation.account.id,
        target_type: installation.account.type,
        repository_selection: 'selected',
        access_tokens_url: `${context.urls.api}/app/installations/${installation.id}/access_tokens`,
        repositories_url: `${context.urls.api}/installation/repositories`,
        html_url: `${context.urls.html}/settings/installations/${installation.id}`,
        permissions: {
          contents: 'write',
          issues: 'write',
          pull_requests: 'write',
          metadata: 'read',
        },
        events: [],
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
        single_file_name: null,
      },
    };
  },
  'apps/create-installation-access-token': (context) => {
    requireApp(context);
    const installation = context.state.installations.find(
      (i) => i.id === intParam(context, 'installation_id'),
    );
    if (installation === undefined) throw new HttpError(404, 'Not Found');
    const names = Array.isArray(context.body.repositories)
      ? (context.body.repositories as string[])
      : undefined;
    const ids = Array.isArray(context.body.repository_ids)
      ? (context.body.repository_ids as number[])
      : undefined;
    let repositoryIds: number[] = installation.repositoryIds;
    if (names !== undefined || ids !== undefined) {
      repositoryIds = installation.repositoryIds.filter((id) => {
        const repo = context.state.repoById(id);
        return (ids?.includes(id) ?? false) || (names?.includes(repo?.name ?? '') ?? false);
      });
      if (repositoryIds.length === 0)
        throw validation(
          'There is at least one repository that does not exist or is not accessible to the parent installation.',
        );
    }
    const token = context.issueToken(installation.id, repositoryIds);
    return {
      status: 201,
      body: {
        token: token.token,
        expires_at: new Date(token.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        permissions: {
          contents: 'write',
          issues: 'write',
          pull_requests: 'write',
          metadata: 'read',
        },
        repository_selection: 'selected',
      },
    };
  },
  'users/get-by-username': (context) => {
    if (context.auth.kind === 'invalid') throw new HttpError(401, context.auth.message);
    const user = context.state.users.get((context.params.username ?? '').toLowerCase());
    if (user === undefined) throw new HttpError(404, 'Not Found');
    return {
      body: {
        ...serializeUser(context.urls, user),
        name: user.login,
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
      },
    };
  },
  'repos/get': (context) => {
    const repo = requireRepo(context);
    return {
      body: {
        ...serializeRepo(context.urls, repo),
        permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
      },
    };
  },
  'repos/get-content': async (context) => {
    const repo = requireRepo(context);
    const ref = context.query.get('ref') ?? repo.defaultBranch;
    const file = context.params.path ?? '';
    const found = await readPath(repo.bareDir, ref, file);
    if (found === undefined) throw new HttpError(404, 'Not Found');
    const full = `${repo.owner.login}/${repo.name}`;
    const entry = (type: string, entryPath: string, sha: string, size: number) => ({
      type,
      name: entryPath.split('/').pop() ?? entryPath,
      path: entryPath,
      sha,
      size,
      url: `${context.urls.api}/repos/${full}/contents/${entryPath}?ref=${ref}`,
      html_url: `${context.urls.html}/${full}/blob/${ref}/${entryPath}`,
      git_url: `${context.urls.api}/repos/${full}/git/${type === 'dir' ? 'trees' : 'blobs'}/${sha}`,
      download_url: type === 'file' ? `${context.urls.html}/${full}/raw/${ref}/${entryPath}` : null,
      _links: {
        self: `${context.urls.api}/repos/${full}/contents/${entryPath}?ref=${ref}`,
        git: '',
        html: '',
      },
    });
    if (found.kind === 'file') {
      if (/\.raw/.test(context.accept))
        return { raw: found.content, headers: { 'content-type': 'text/plain; charset=utf-8' } };
      const base64 = found.content.toString('base64').replace(/(.{60})/g, '$1\n');
      return {
        body: {
          ...entry('file', file, found.sha, found.content.length),
          encoding: 'base64',
          content: base64,
        },
      };
    }
    return { body: found.entries.map((e) => entry(e.type, e.path, e.sha, e.size)) };
  },
  'checks/list-for-ref': (context) => {
    const repo = requireRepo(context);
    const ref = context.params.ref ?? '';
    const runs = context.state.checkRuns
      .filter((run) => run.repoId === repo.id && run.headSha === ref)
      .map((run) => ({
        id: run.id,
        head_sha: run.headSha,
        node_id: Buffer.from(`CheckRun:${run.id}`).toString('base64'),
        external_id: null,
        url: `${context.urls.api}${repoPath(repo)}/check-runs/${run.id}`,
        html_url: `${context.urls.html}/${repo.owner.login}/${repo.name}/runs/${run.id}`,
        details_url: null,
        status: run.status,
        conclusion: run.conclusion,
        started_at: null,
        completed_at: null,
        output: {
          title: run.title,
          summary: run.summary,
          text: null,
          annotations_count: 0,
          annotations_url: '',
        },
        name: run.name,
        check_suite: null,
        app: null,
        pull_requests: [],
      }));
    return { body: { total_count: runs.length, check_runs: runs } };
  },
  'repos/get-branch': async (context) => {
    const repo = requireRepo(context);
    const sha = await branchSha(repo.bareDir, context.params.branch ?? '');
    if (sha === undefined) throw new HttpError(404, 'Branch not found');
    const [commit] = await listCommits(repo.bareDir, `${sha}^!`);
    return {
      body: {
        name: context.params.branch,
        commit: commit === undefined ? { sha } : serializeCommit(context, repo, commit),
        protected: false,
        _links: { self: '', html: '' },
      },
    };
  },
  'git/get-ref': async (context) => {
    const repo = requireRepo(context);
    const ref = `refs/${context.params.ref ?? ''}`;
    const sha = await resolveRef(repo.bareDir, ref);
    if (sha === undefined) throw new HttpError(404, 'Not Found');
    return {
      body: {
        ref,
        node_id: nodeId('Ref', 1),
        url: `${context.urls.api}${repoPath(repo)}/git/${ref}`,
        object: {
          sha,
          type: 'commit',
          url: `${context.urls.api}${repoPath(repo)}/git/commits/${sha}`,
        },
      },
    };
  },
  'repos/get-collaborator-permission-level': (context) => {
    const repo = requireRepo(context);
    const username = context.params.username ?? '';
    const user = context.state.users.get(username.toLowerCase());
    if (user === undefined) throw new HttpError(404, 'Not Found');
    const permission =
      repo.permissions.get(username.toLowerCase()) ?? (repo.private ? 'none' : 'read');
    return {
      body: {
        permission: PERMISSION_VIEW[permission],
        role_name: permission,
        user: serializeUser(context.urls, user),
      },
    };
  },
  'repos/compare-commits-with-basehead': async (context) => {
    const repo = requireRepo(context);
    const [baseRef, headRef] = (context.params.basehead ?? '').split('...');
    if (baseRef === undefined || headRef === undefined) throw new HttpError(404, 'Not Found');
    const base = await resolveCompareSide(context, repo, baseRef);
    const head = await resolveCompareSide(context, repo, headRef);
    if (base === undefined || head === undefined) throw new HttpError(404, 'Not Found');
    const forkPoint = (await mergeBase(repo.bareDir, base, head)) ?? base;
    const ahead = await countRange(repo.bareDir, `${forkPoint}..${head}`);
    const behind = await countRange(repo.bareDir, `${forkPoint}..${base}`);
    const commits = await listCommits(repo.bareDir, `${forkPoint}..${head}`);
    const files = await diffFiles(repo.bareDir, forkPoint, head);
    const [baseCommit] = await listCommits(repo.bareDir, `${base}^!`);
    const [forkCommit] = await listCommits(repo.bareDir, `${forkPoint}^!`);
    const status =
      ahead === 0 && behind === 0
        ? 'identical'
        : behind === 0
          ? 'ahead'
          : ahead === 0
            ? 'behind'
            : 'diverged';
    const full = `${repo.owner.login}/${repo.name}`;
    return {
      body: {
        url: `${context.urls.api}/repos/${full}/compare/${baseRef}...${headRef}`,
        html_url: `${context.urls.html}/${full}/compare/${baseRef}...${headRef}`,
        permalink_url: `${context.urls.html}/${full}/compare/${base}...${head}`,
        diff_url: `${context.urls.html}/${full}/compare/${baseRef}...${headRef}.diff`,
        patch_url: `${context.urls.html}/${full}/compare/${baseRef}...${headRef}.patch`,
        base_commit: baseCommit === undefined ? null : serializeCommit(context, repo, baseCommit),
        merge_base_commit:
          forkCommit === undefined ? null : serializeCommit(context, repo, forkCommit),
        status,
        ahead_by: ahead,
        behind_by: behind,
        total_commits: ahead,
        commits: commits.map((c) => serializeCommit(context, repo, c)),
        files: files.map((f) => serializeFile(context, repo, head, f)),
      },
    };
  },
  'issues/get': (context) => {
    const repo = requireRepo(context);
    return {
      body: serializeIssue(
        context.urls,
        context.state,
        repo,
        findIssue(context, repo, intParam(context, 'issue_number')),
      ),
    };
  },
  'issues/create': (context) => {
    const repo = requireRepo(context);
    const title = str(context.body.title);
    if (title === undefined || title === '') throw validation('title is missing');
    const body = str(context.body.body);
    const issue = context.emulator.createIssue(repo, {
      title,
      user: actor(context).login,
      ...(body === undefined ? {} : { body }),
    });
    return { status: 201, body: serializeIssue(context.urls, context.state, repo, issue) };
  },
  'issues/update': (context) => {
    const repo = requireRepo(context);
    const issue = findIssue(context, repo, intParam(context, 'issue_number'));
    const { body } = context;
    if (typeof body.title === 'string') issue.title = body.title;
    if ('body' in body) issue.body = str(body.body) ?? null;
    if (body.state === 'open' || body.state === 'closed') {
      issue.state = body.state;
      issue.closedAt = body.state === 'closed' ? context.now : null;
      issue.stateReason = body.state === 'closed' ? (str(body.state_reason) ?? 'completed') : null;
    }
    if (Array.isArray(body.labels))
      issue.labels = body.labels.map((l) =>
        typeof l === 'string' ? l : String((l as { name?: string }).name),
      );
    if (Array.isArray(body.assignees)) issue.assignees = body.assignees as string[];
    issue.updatedAt = context.now;
    return { body: serializeIssue(context.urls, context.state, repo, issue) };
  },
  'issues/list-comments': (context) => {
    const repo = requireRepo(context);
    const issue = findIssue(context, repo, intParam(context, 'issue_number'));
    const since = context.query.get('since');
    const comments = context.state.comments.filter(
      (c) =>
        c.repoId === repo.id &&
        c.issueNumber === issue.number &&
        (since === null || c.updatedAt >= Date.parse(since)),
    );
    return paginate(
      context,
      comments.map((c) => serializeComment(context.urls, context.state, repo, c)),
      `${repoPath(repo)}/issues/${issue.number}/comments`,
    );
  },
  'issues/create-comment': (context) => {
    const repo = requireRepo(context);
    const issue = findIssue(context, repo, intParam(context, 'issue_number'));
    const comment = context.emulator.createComment(repo, issue.number, {
      body: str(context.body.body) as string,
      user: actor(context).login,
    });
    issue.updatedAt = context.now;
    return { status: 201, body: serializeComment(context.urls, context.state, repo, comment) };
  },
  'issues/get-comment': (context) => {
    const repo = requireRepo(context);
    const comment = context.state.comments.find(
      (c) => c.repoId === repo.id && c.id === intParam(context, 'comment_id'),
    );
    if (comment === undefined) throw new HttpError(404, 'Not Found');
    return { body: serializeComment(context.urls, context.state, repo, comment) };
  },
  'issues/update-comment': (context) => {
    const repo = requireRepo(context);
    const comment = context.state.comments.find(
      (c) => c.repoId === repo.id && c.id === intParam(context, 'comment_id'),
    );
    if (comment === undefined) throw new HttpError(404, 'Not Found');
    if (comment.user.id !== actor(context).id)
      throw new HttpError(403, 'Resource not accessible by integration');
    comment.body = str(context.body.body) as string;
    comment.updatedAt = context.now;
    return { body: serializeComment(context.urls, context.state, repo, comment) };
  },
  'issues/delete-comment': (context) => {
    const repo = requireRepo(context);
    const index = context.state.comments.findIndex(
      (c) => c.repoId === repo.id && c.id === intParam(context, 'comment_id'),
    );
    if (index === -1) throw new HttpError(404, 'Not Found');
    context.state.comments.splice(index, 1);
    return { status: 204 };
  },
  'issues/list-labels-on-issue': (context) => {
    const repo = requireRepo(context);
    const issue = findIssue(context, repo, intParam(context, 'issue_number'));
    const labels = serializeIssue(context.urls, context.state, repo, issue).labels;
    return paginate(context, labels, `${repoPath(repo)}/issues/${issue.number}/labels`);
  },
  'issues/add-labels': (context) => {
    const repo = requireRepo(context);
    const issue = findIssue(context, repo, intParam(context, 'issue_number'));
    const given = Array.isArray(context.body.labels) ? (context.body.labels as unknown[]) : [];
    for (const label of given) {
      const name = typeof label === 'string' ? label : String((label as { name?: string }).name);
      if (!issue.labels.includes(name)) issue.labels.push(name);
    }
    issue.updatedAt = context.now;
    return { body: serializeIssue(context.urls, context.state, repo, issue).labels };
  },
  'issues/remove-label': (context) => {
    const repo = requireRepo(context);
    const issue = findIssue(context, repo, intParam(context, 'issue_number'));
    const name = context.params.name ?? '';
    if (!issue.labels.includes(name)) throw new HttpError(404, 'Label does not exist');
    issue.labels = issue.labels.filter((label) => label !== name);
    issue.updatedAt = context.now;
    return { body: serializeIssue(context.urls, context.state, repo, issue).labels };
  },
  'reactions/create-for-issue': (context) => {
    const repo = requireRepo(context);
    const issue = findIssue(context, repo, intParam(context, 'issue_number'));
    return addReaction(context, { type: 'issue', repoId: repo.id, number: issue.number });
  },
  'reactions/list-for-issue': (context) => {
    const repo = requireRepo(context);
    const issue = findIssue(context, repo, intParam(context, 'issue_number'));
    return listReactions(
      context,
      { type: 'issue', repoId: repo.id, number: issue.number },
      `${repoPath(repo)}/issues/${issue.number}/reactions`,
    );
  },
  'reactions/create-for-issue-comment': (context) => {
    const repo = requireRepo(context);
    const id = intParam(context, 'comment_id');
    if (!context.state.comments.some((c) => c.repoId === repo.id && c.id === id))
      throw new HttpError(404, 'Not Found');
    return addReaction(context, { type: 'issue_comment', id });
  },
  'reactions/list-for-issue-comment': (context) => {
    const repo = requireRepo(context);
    const id = intParam(context, 'comment_id');
    return listReactions(
      context,
      { type: 'issue_comment', id },
      `${repoPath(repo)}/issues/comments/${id}/reactions`,
    );
  },
  'reactions/create-for-pull-request-review-comment': (context) => {
    const repo = requireRepo(context);
    const id = intParam(context, 'comment_id');
    if (!context.state.reviewComments.some((c) => c.repoId === repo.id && c.id === id))
      throw new HttpError(404, 'Not Found');
    return addReaction(context, { type: 'review_comment', id });
  },
  'pulls/list': async (context) => {
    const repo = requireRepo(context);
    const state = context.query.get('state') ?? 'open';
    const head = context.query.get('head');
    const base = context.query.get('base');
    const pulls = context.state.pullRequests((i) => {
      if (i.repoId !== repo.id) return false;
      if (state !== 'all' && i.state !== state) return false;
      if (base !== null && i.pull.baseRef !== base) return false;
      if (head !== null) {
        const [owner, ref] = head.includes(':') ? head.split(':', 2) : [repo.owner.login, head];
        const headOwner = context.state.repoById(i.pull.headRepoId)?.owner.login ?? '';
        if (owner?.toLowerCase() !== headOwner.toLowerCase() || ref !== i.pull.headRef)
          return false;
      }
      return true;
    });
    const page = paginate(
      context,
      pulls.sort((a, b) => b.number - a.number),
      `${repoPath(repo)}/pulls`,
    );
    return {
      ...page,
      body: await Promise.all(page.body.map((p) => serializePull(context, repo, p))),
    };
  },
  'pulls/create': async (context) => {
    const repo = requireRepo(context);
    const { body } = context;
    const rawHead = str(body.head) ?? '';
    const colon = rawHead.indexOf(':');
    const headOwner = colon === -1 ? repo.owner.login : rawHead.slice(0, colon);
    const headRef = colon === -1 ? rawHead : rawHead.slice(colon + 1);
    const headRepo = findHeadRepo(context, repo, headOwner, str(body.head_repo));
    const baseRef = str(body.base) ?? '';
    const headSha = headRepo === undefined ? undefined : await branchSha(headRepo.bareDir, headRef);
    const baseSha = await branchSha(repo.bareDir, baseRef);
    if (headRepo === undefined || headSha === undefined)
      throw validation('Validation Failed', [
        { resource: 'PullRequest', field: 'head', code: 'invalid' },
      ]);
    if (baseSha === undefined)
      throw validation('Validation Failed', [
        { resource: 'PullRequest', field: 'base', code: 'invalid' },
      ]);
    const existing = context.state.pullRequests(
      (i) =>
        i.repoId === repo.id &&
        i.pull.headRepoId === headRepo.id &&
        i.pull.headRef === headRef &&
        i.pull.baseRef === baseRef &&
        i.state === 'open',
    );
    if (existing.length > 0)
      throw validation('Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${headRepo.owner.login}:${headRef}.`,
        },
      ]);
    // A fork's commits are compared in the base repository, where refs/pull/<n>/head will keep them.
    if (headRepo.id !== repo.id) await fetchBranch(repo.bareDir, headRepo.bareDir, headRef);
    const forkPoint = await mergeBase(repo.bareDir, baseSha, headSha);
    if (
      forkPoint === undefined ||
      (await countRange(repo.bareDir, `${forkPoint}..${headSha}`)) === 0
    ) {
      throw validation('Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `No commits between ${baseRef} and ${headRef}`,
        },
      ]);
    }
    let title = str(body.title);
    if (title === undefined && typeof body.issue === 'number')
      title = context.state.issue(repo.id, body.issue)?.title;
    if (title === undefined)
      throw validation('Validation Failed', [
        { resource: 'PullRequest', field: 'title', code: 'missing_field' },
      ]);
    const issue = context.emulator.createIssue(repo, {
      title,
      user: actor(context).login,
      ...(str(body.body) === undefined ? {} : { body: str(body.body) as string }),
    });
    issue.pull = {
      headRepoId: headRepo.id,
      headRef,
      baseRef,
      draft: body.draft === true,
      maintainerCanModify: body.maintainer_can_modify !== false,
      merged: false,
    };
    return { status: 201, body: await serializePull(context, repo, issue as PullRequest) };
  },
  'pulls/get': async (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    if (/\.diff/.test(context.accept)) {
      const { head, base } = await pullShas(context, repo, pull);
      const forkPoint = (await mergeBase(repo.bareDir, base, head)) ?? base;
      const files = await diffFiles(repo.bareDir, forkPoint, head);
      return {
        raw: Buffer.from(
          files
            .map(
              (f) =>
                `diff --git a/${f.previous_filename ?? f.filename} b/${f.filename}\n--- a/${f.previous_filename ?? f.filename}\n+++ b/${f.filename}\n${f.patch ?? ''}\n`,
            )
            .join(''),
        ),
        headers: { 'content-type': 'text/plain; charset=utf-8' },
      };
    }
    return { body: await serializePull(context, repo, pull) };
  },
  'pulls/update': async (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const { body } = context;
    if (typeof body.title === 'string') pull.title = body.title;
    if ('body' in body) pull.body = str(body.body) ?? null;
    if (typeof body.base === 'string') {
      if ((await branchSha(repo.bareDir, body.base)) === undefined)
        throw validation('Validation Failed', [
          { resource: 'PullRequest', field: 'base', code: 'invalid' },
        ]);
      pull.pull.baseRef = body.base;
    }
    if (body.state === 'open' || body.state === 'closed') {
      pull.state = body.state;
      pull.closedAt = body.state === 'closed' ? context.now : null;
    }
    if (typeof body.maintainer_can_modify === 'boolean')
      pull.pull.maintainerCanModify = body.maintainer_can_modify;
    pull.updatedAt = context.now;
    return { body: await serializePull(context, repo, pull) };
  },
  'pulls/list-files': async (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const { head, base } = await pullShas(context, repo, pull);
    const forkPoint = (await mergeBase(repo.bareDir, base, head)) ?? base;
    const files = await diffFiles(repo.bareDir, forkPoint, head);
    return paginate(
      context,
      files.map((f) => serializeFile(context, repo, head, f)),
      `${repoPath(repo)}/pulls/${pull.number}/files`,
    );
  },
  'pulls/list-commits': async (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const { head, base } = await pullShas(context, repo, pull);
    const forkPoint = (await mergeBase(repo.bareDir, base, head)) ?? base;
    const commits = await listCommits(repo.bareDir, `${forkPoint}..${head}`);
    return paginate(
      context,
      commits.map((c) => serializeCommit(context, repo, c)),
      `${repoPath(repo)}/pulls/${pull.number}/commits`,
    );
  },
  'pulls/list-reviews': (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const reviews = context.state.reviews.filter(
      (r) => r.repoId === repo.id && r.pullNumber === pull.number,
    );
    return paginate(
      context,
      reviews.map((r) => serializeReview(context.urls, repo, r)),
      `${repoPath(repo)}/pulls/${pull.number}/reviews`,
    );
  },
  'pulls/get-review': (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const review = context.state.reviews.find(
      (r) =>
        r.repoId === repo.id &&
        r.pullNumber === pull.number &&
        r.id === intParam(context, 'review_id'),
    );
    if (review === undefined) throw new HttpError(404, 'Not Found');
    return { body: serializeReview(context.urls, repo, review) };
  },
  'pulls/create-review': async (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const { body } = context;
    const event = str(body.event);
    const text = str(body.body) ?? '';
    if (
      (event === 'REQUEST_CHANGES' || event === 'COMMENT') &&
      text === '' &&
      !Array.isArray(body.comments)
    ) {
      throw validation('Unprocessable Entity', [
        `Review Can not ${event === 'COMMENT' ? 'comment' : 'request changes'} without a body.`,
      ]);
    }
    if (event === 'APPROVE' || event === 'REQUEST_CHANGES') {
      if (pull.user.id === actor(context).id)
        throw validation('Unprocessable Entity', [
          `Review Can not ${event === 'APPROVE' ? 'approve' : 'request changes on'} your own pull request`,
        ]);
    }
    const { head } = await pullShas(context, repo, pull);
    const reviewId = context.state.id();
    const comments = (Array.isArray(body.comments) ? body.comments : []) as {
      path: string;
      line?: number;
      side?: string;
      start_line?: number;
      start_side?: string;
      body: string;
      position?: number;
    }[];
    const created: ReviewComment[] = [];
    try {
      for (const comment of comments) {
        if (comment.position !== undefined && comment.line === undefined)
          throw validation('Unprocessable Entity', [
            'The emulator supports line/side review comments; position is deprecated',
          ]);
        created.push(
          await createReviewComment(
            context,
            repo,
            pull,
            { ...comment, commit_id: str(body.commit_id) ?? head },
            reviewId,
          ),
        );
      }
    } catch (error) {
      // GitHub creates a review atomically: one bad comment and nothing is posted.
      for (const c of created)
        context.state.reviewComments.splice(context.state.reviewComments.indexOf(c), 1);
      throw error;
    }
    const state =
      event === 'APPROVE'
        ? 'APPROVED'
        : event === 'REQUEST_CHANGES'
          ? 'CHANGES_REQUESTED'
          : event === 'COMMENT'
            ? 'COMMENTED'
            : 'PENDING';
    const review = {
      id: reviewId,
      repoId: repo.id,
      pullNumber: pull.number,
      user: actor(context),
      body: text,
      state,
      commitId: str(body.commit_id) ?? head,
      submittedAt: state === 'PENDING' ? null : context.now,
    } as const;
    context.state.reviews.push({ ...review });
    return { body: serializeReview(context.urls, repo, review) };
  },
  'pulls/list-review-comments': (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const comments = context.state.reviewComments.filter(
      (c) => c.repoId === repo.id && c.pullNumber === pull.number,
    );
    return paginate(
      context,
      comments.map((c) => serializeReviewComment(context.urls, context.state, repo, c)),
      `${repoPath(repo)}/pulls/${pull.number}/comments`,
    );
  },
  'pulls/get-review-comment': (context) => {
    const repo = requireRepo(context);
    const comment = context.state.reviewComments.find(
      (c) => c.repoId === repo.id && c.id === intParam(context, 'comment_id'),
    );
    if (comment === undefined) throw new HttpError(404, 'Not Found');
    return { body: serializeReviewComment(context.urls, context.state, repo, comment) };
  },
  'pulls/create-review-comment': async (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const { body } = context;
    if (typeof body.in_reply_to === 'number') {
      const comment = reply(context, repo, pull.number, body.in_reply_to, str(body.body) as string);
      return {
        status: 201,
        body: serializeReviewComment(context.urls, context.state, repo, comment),
      };
    }
    const input = body as {
      path: string;
      line?: number;
      side?: string;
      start_line?: number;
      start_side?: string;
      body: string;
      commit_id?: string;
    };
    const comment = await createReviewComment(context, repo, pull, input, context.state.id());
    return {
      status: 201,
      body: serializeReviewComment(context.urls, context.state, repo, comment),
    };
  },
  'pulls/create-reply-for-review-comment': (context) => {
    const repo = requireRepo(context);
    const pull = findPull(context, repo, intParam(context, 'pull_number'));
    const comment = reply(
      context,
      repo,
      pull.number,
      intParam(context, 'comment_id'),
      str(context.body.body) as string,
    );
    return {
      status: 201,
      body: serializeReviewComment(context.urls, context.state, repo, comment),
    };
  },
};
