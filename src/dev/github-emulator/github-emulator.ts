// A local GitHub for tests and the demo: REST under /api/v3 (reached by the real Octokit through GHE_HOST),
// App auth, real git repos over smart HTTP, signed webhooks, and every request checked against GitHub's OpenAPI.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import {
  credentialFrom,
  newInstallationToken,
  publicKeyFrom,
  verifyAppJwt,
  type InstallationToken,
} from './app-auth.js';
import {
  branchSha,
  createBareRepo,
  parseRefUpdates,
  resolveRef,
  serveGitHttp,
} from './git-backend.js';
import {
  loadOpenApiContract,
  type ContractProblem,
  type OpenApiContract,
  type OpenApiDescription,
} from './openapi-contract.js';
import { PullHeads, pullHeadRef } from './pull-heads.js';
import { handlers, HttpError, type RequestContext } from './routes.js';
import {
  serializeComment,
  serializeIssue,
  serializeRepo,
  serializeReviewComment,
  serializeUser,
  type Urls,
} from './serialize.js';
import {
  EmulatorState,
  type Issue,
  type IssueComment,
  type Permission,
  type PullRequest,
  type CheckRun,
  type Repo,
  type ReviewComment,
  type User,
} from './state.js';
import { deliverWebhook, type WebhookDelivery } from './webhooks.js';

export interface GitHubEmulatorOptions {
  appId?: number;
  appSlug?: string;
  /** PEM; a fresh RSA key pair is made when omitted (read it back from `emulator.app.privateKey`). */
  privateKey?: string;
  webhookSecret?: string;
  /** Where webhooks go by default (the bot's /api/github/webhooks). */
  webhookUrl?: string;
  /** Which OpenAPI description requests are held to. */
  description?: OpenApiDescription;
  host?: string;
  port?: number;
  /** Installation token lifetime (GitHub: one hour). */
  tokenTtlMs?: number;
  now?: () => number;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  operationId: string | undefined;
  status: number;
  body: unknown;
}

export interface ContractViolation {
  method: string;
  path: string;
  kind: ContractProblem['kind'] | 'unimplemented';
  message: string;
  operationId?: string;
}

export interface SeedRepoOptions {
  owner: string;
  name: string;
  /** A folder: a git repository keeps its history, a plain folder becomes one commit. */
  from?: string;
  files?: Record<string, string>;
  defaultBranch?: string;
  private?: boolean;
  /** Install the App on it (default true). */
  install?: boolean;
}

export interface ForkOptions {
  /** The account the fork belongs to (a person, usually the PR author). */
  owner: string;
  /** Default: the parent's name. */
  name?: string;
  private?: boolean;
}

export interface ForkPullRequestInput {
  /** The branch in the fork. */
  head: string;
  /** The branch in the base repository (default: its default branch). */
  base?: string;
  title: string;
  body?: string;
  user: string;
  /** "Allow edits by maintainers" (default true): lets the base repository's App push to `head`. */
  maintainerCanModify?: boolean;
  draft?: boolean;
}

export interface AppInfo {
  id: number;
  slug: string;
  privateKey: string;
  webhookSecret: string;
  bot: User;
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  return JSON.parse(raw);
}

async function readBody(request: IncomingMessage): Promise<string> {
  return (await readRawBody(request)).toString('utf8');
}

export class GitHubEmulator {
  readonly state = new EmulatorState();
  /** Keeps refs/pull/<n>/head current; routes and git serving call it before they read. */
  readonly pullHeads = new PullHeads(this.state);
  readonly app: AppInfo;
  private readonly publicKey: KeyObject;
  private readonly tokens = new Map<string, InstallationToken>();
  private readonly requestLog: RequestRecord[] = [];
  private readonly contractViolations: ContractViolation[] = [];
  private readonly deliveries: WebhookDelivery[] = [];
  private server: Server | undefined;
  private contract: OpenApiContract | undefined;
  private gitRoot = '';
  private baseUrl = '';
  readonly now: () => number;

  constructor(private readonly options: GitHubEmulatorOptions = {}) {
    this.now = options.now ?? Date.now;
    const privateKey =
      options.privateKey ??
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
    this.publicKey = publicKeyFrom(privateKey);
    const slug = options.appSlug ?? 'claw';
    this.app = {
      id: options.appId ?? 1,
      slug,
      privateKey,
      webhookSecret: options.webhookSecret ?? randomBytes(16).toString('hex'),
      bot: this.state.user(`${slug}[bot]`, 'Bot'),
    };
  }

  async start(): Promise<this> {
    this.contract = await loadOpenApiContract(this.options.description ?? 'api.github.com');
    this.gitRoot = await mkdtemp(path.join(os.tmpdir(), 'claw-emulator-git-'));
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent)
          this.json(response, 500, { message: `emulator error: ${String(error)}` });
        else response.end();
      });
    });
    await new Promise<void>((resolve) =>
      this.server?.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve),
    );
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://${this.options.host ?? '127.0.0.1'}:${address.port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (this.gitRoot !== '') await rm(this.gitRoot, { recursive: true, force: true });
  }

  /** `http://127.0.0.1:PORT`: web and git URLs. */
  get url(): string {
    return this.baseUrl;
  }
  /** The Octokit `baseUrl`. */
  get apiUrl(): string {
    return `${this.baseUrl}/api/v3`;
  }
  /** The value for GHE_HOST (with GHE_PROTOCOL=http). */
  get gheHost(): string {
    return new URL(this.baseUrl).host;
  }
  private get urls(): Urls {
    return { api: this.apiUrl, html: this.baseUrl };
  }

  // ---- test helpers: arrange ---------------------------------------------------------------------------------

  async seedRepo(options: SeedRepoOptions): Promise<Repo> {
    const owner = this.state.user(options.owner, 'User');
    const bareDir = path.join(this.gitRoot, options.owner, `${options.name}.git`);
    const defaultBranch = options.defaultBranch ?? 'main';
    await createBareRepo(bareDir, {
      ...(options.from === undefined ? {} : { from: options.from }),
      ...(options.files === undefined ? {} : { files: options.files }),
      defaultBranch,
    });
    const repo: Repo = {
      id: this.state.id(),
      owner,
      name: options.name,
      private: options.private ?? false,
      defaultBranch,
      bareDir,
      permissions: new Map([[owner.login.toLowerCase(), 'admin']]),
    };
    this.state.repos.push(repo);
    if (options.install !== false) this.install(owner.login, [repo]);
    return repo;
  }

  /** Installs the App on an account for the given repositories; returns the installation id. */
  install(account: string, repos: Repo[]): number {
    const user = this.state.user(account);
    let installation = this.state.installations.find((i) => i.account.id === user.id);
    if (installation === undefined) {
      installation = { id: this.state.id(), account: user, repositoryIds: [] };
      this.state.installations.push(installation);
    }
    for (const repo of repos)
      if (!installation.repositoryIds.includes(repo.id)) installation.repositoryIds.push(repo.id);
    return installation.id;
  }

  installationId(repo: Repo): number {
    const installation = this.state.installationFor(repo.id);
    if (installation === undefined)
      throw new Error(`the App is not installed on ${repo.owner.login}/${repo.name}`);
    return installation.id;
  }

  /** The clone URL (`http://127.0.0.1:PORT/owner/repo.git`): needs `x-access-token:<installation token>`. */
  cloneUrl(repo: Repo): string {
    return `${this.baseUrl}/${repo.owner.login}/${repo.name}.git`;
  }

  setPermission(repo: Repo, login: string, permission: Permission): void {
    this.state.user(login);
    repo.permissions.set(login.toLowerCase(), permission);
  }

  createIssue(
    repo: Repo,
    input: { title: string; body?: string; user: string; labels?: string[] },
  ): Issue {
    const now = this.now();
    const issue: Issue = {
      repoId: repo.id,
      number: this.state.nextNumber(repo.id),
      title: input.title,
      body: input.body ?? null,
      user: this.state.user(input.user),
      state: 'open',
      stateReason: null,
      labels: input.labels ?? [],
      assignees: [],
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    };
    this.state.issues.push(issue);
    return issue;
  }

  createComment(
    repo: Repo,
    issueNumber: number,
    input: { body: string; user: string },
  ): IssueComment {
    const now = this.now();
    const comment: IssueComment = {
      id: this.state.id(),
      repoId: repo.id,
      issueNumber,
      body: input.body,
      user: this.state.user(input.user),
      createdAt: now,
      updatedAt: now,
    };
    this.state.comments.push(comment);
    return comment;
  }

  /** Opens a pull request from a branch that exists in the repo (as a person would). */
  async createPullRequest(
    repo: Repo,
    input: {
      title: string;
      head: string;
      base?: string;
      body?: string;
      user: string;
      draft?: boolean;
    },
  ): Promise<Issue> {
    if ((await branchSha(repo.bareDir, input.head)) === undefined)
      throw new Error(`no branch ${input.head} in ${repo.name}`);
    const issue = this.createIssue(repo, {
      title: input.title,
      user: input.user,
      ...(input.body === undefined ? {} : { body: input.body }),
    });
    issue.pull = {
      headRepoId: repo.id,
      headRef: input.head,
      baseRef: input.base ?? repo.defaultBranch,
      draft: input.draft ?? false,
      maintainerCanModify: true,
      merged: false,
    };
    await this.pullHeads.sync(issue as PullRequest);
    return issue;
  }

  /**
   * Forks `parent` as a bare clone (every branch, shared history) owned by `options.owner`. The App is not
   * installed on it, as with a contributor's fork.
   */
  async fork(parent: Repo, options: ForkOptions): Promise<Repo> {
    const fork = await this.seedRepo({
      owner: options.owner,
      name: options.name ?? parent.name,
      from: parent.bareDir,
      defaultBranch: parent.defaultBranch,
      private: options.private ?? parent.private,
      install: false,
    });
    fork.forkOf = parent.id;
    return fork;
  }

  /**
   * Opens a pull request from `fork`'s branch `input.head` into `base`, as the fork's owner would. `fork` is
   * usually made by `fork()`; any seeded repository works (it is then recorded as a fork of `base`).
   */
  async createForkPullRequest(
    base: Repo,
    fork: Repo,
    input: ForkPullRequestInput,
  ): Promise<PullRequest> {
    if (fork.id === base.id)
      throw new Error('a fork pull request needs a head repository of its own');
    if ((await branchSha(fork.bareDir, input.head)) === undefined)
      throw new Error(`no branch ${input.head} in ${fork.owner.login}/${fork.name}`);
    fork.forkOf ??= base.id;
    const issue = this.createIssue(base, {
      title: input.title,
      user: input.user,
      ...(input.body === undefined ? {} : { body: input.body }),
    }) as PullRequest;
    issue.pull = {
      headRepoId: fork.id,
      headRef: input.head,
      baseRef: input.base ?? base.defaultBranch,
      draft: input.draft ?? false,
      maintainerCanModify: input.maintainerCanModify ?? true,
      merged: false,
    };
    await this.pullHeads.sync(issue);
    return issue;
  }

  /** Records a CI result on a commit (what the Checks API lists for it). */
  addCheckRun(
    repo: Repo,
    headSha: string,
    input: {
      name: string;
      conclusion: CheckRun['conclusion'];
      status?: CheckRun['status'];
      title?: string;
      summary?: string;
    },
  ): CheckRun {
    const run: CheckRun = {
      id: this.state.id(),
      repoId: repo.id,
      headSha,
      name: input.name,
      status: input.status ?? 'completed',
      conclusion: input.conclusion,
      title: input.title ?? null,
      summary: input.summary ?? null,
    };
    this.state.checkRuns.push(run);
    return run;
  }

  // ---- test helpers: assert ----------------------------------------------------------------------------------

  requests(): readonly RequestRecord[] {
    return this.requestLog;
  }
  violations(): readonly ContractViolation[] {
    return this.contractViolations;
  }
  /** Throws with every violation listed; call in afterEach so a test that broke the contract fails. */
  assertNoViolations(): void {
    if (this.contractViolations.length === 0) return;
    throw new Error(
      `GitHub API contract violations:\n${this.contractViolations.map((v) => `  ${v.method} ${v.path}: [${v.kind}] ${v.message}`).join('\n')}`,
    );
  }
  webhookDeliveries(): readonly WebhookDelivery[] {
    return this.deliveries;
  }
  /** Every installation token issued so far (for leak checks). */
  issuedTokens(): string[] {
    return [...this.tokens.keys()];
  }
  comments(repo: Repo, issueNumber?: number): IssueComment[] {
    return this.state.comments.filter(
      (c) => c.repoId === repo.id && (issueNumber === undefined || c.issueNumber === issueNumber),
    );
  }
  pullRequests(repo: Repo): Issue[] {
    return this.state.issues.filter((i) => i.repoId === repo.id && i.pull !== undefined);
  }
  issues(repo: Repo): Issue[] {
    return this.state.issues.filter((i) => i.repoId === repo.id && i.pull === undefined);
  }
  reviews(repo: Repo, pullNumber?: number) {
    return this.state.reviews.filter(
      (r) => r.repoId === repo.id && (pullNumber === undefined || r.pullNumber === pullNumber),
    );
  }
  reviewComments(repo: Repo, pullNumber?: number): ReviewComment[] {
    return this.state.reviewComments.filter(
      (c) => c.repoId === repo.id && (pullNumber === undefined || c.pullNumber === pullNumber),
    );
  }
  reactions() {
    return this.state.reactions;
  }
  /** A branch's tip in the real repository. */
  branchSha(repo: Repo, branch: string): Promise<string | undefined> {
    return branchSha(repo.bareDir, branch);
  }
  /** Where `refs/pull/<n>/head` points in the base repository right now (not refreshed first). */
  pullHeadSha(repo: Repo, number: number): Promise<string | undefined> {
    return resolveRef(repo.bareDir, pullHeadRef(number));
  }

  // ---- webhooks ----------------------------------------------------------------------------------------------

  /** The `repository`, `installation` and `sender` every event payload carries. */
  eventContext(repo: Repo, sender: string) {
    return {
      repository: serializeRepo(this.urls, repo),
      organization: undefined,
      installation: {
        id: this.installationId(repo),
        node_id: Buffer.from(`Installation:${this.installationId(repo)}`).toString('base64'),
      },
      sender: serializeUser(this.urls, this.state.user(sender)),
    };
  }

  issuePayload(repo: Repo, issue: Issue) {
    return serializeIssue(this.urls, this.state, repo, issue);
  }
  commentPayload(repo: Repo, comment: IssueComment) {
    return serializeComment(this.urls, this.state, repo, comment);
  }
  async pullRequestPayload(repo: Repo, issue: Issue) {
    const handler = handlers['pulls/get'] as NonNullable<(typeof handlers)[string]>;
    const context = this.syntheticContext(repo, { pull_number: String(issue.number) });
    return (await handler(context)).body as Record<string, unknown>;
  }
  reviewCommentPayload(repo: Repo, comment: ReviewComment) {
    return serializeReviewComment(this.urls, this.state, repo, comment);
  }

  /** Signs and POSTs one webhook, as GitHub does. */
  async deliver(
    event: string,
    payload: Record<string, unknown>,
    options: { url?: string; installationId?: number } = {},
  ): Promise<WebhookDelivery> {
    const url = options.url ?? this.options.webhookUrl;
    if (url === undefined)
      throw new Error('no webhook URL: pass one to deliver() or set webhookUrl');
    const delivery = await deliverWebhook({
      url,
      secret: this.app.webhookSecret,
      event,
      payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>,
      hookId: 1,
      installationTargetId: this.app.id,
    });
    this.deliveries.push(delivery);
    return delivery;
  }

  /** A person comments on an issue or PR: the comment is stored and `issue_comment.created` delivered. */
  async commentAndDeliver(
    repo: Repo,
    issueNumber: number,
    input: { body: string; user: string },
    options: { url?: string } = {},
  ) {
    const issue = this.state.issue(repo.id, issueNumber);
    if (issue === undefined) throw new Error(`no issue #${issueNumber}`);
    const comment = this.createComment(repo, issueNumber, input);
    const delivery = await this.deliver(
      'issue_comment',
      {
        action: 'created',
        issue: this.issuePayload(repo, issue),
        comment: this.commentPayload(repo, comment),
        ...this.eventContext(repo, input.user),
      },
      options,
    );
    return { comment, delivery };
  }

  /** Delivers `pull_request.<action>` (opened, synchronize, ready_for_review…) for a stored pull request. */
  async deliverPullRequest(
    repo: Repo,
    number: number,
    action: string,
    sender: string,
    options: { url?: string } = {},
  ): Promise<WebhookDelivery> {
    const issue = this.state.issue(repo.id, number);
    if (issue?.pull === undefined) throw new Error(`no pull request #${number}`);
    const pullRequest = await this.pullRequestPayload(repo, issue);
    return this.deliver(
      'pull_request',
      { action, number, pull_request: pullRequest, ...this.eventContext(repo, sender) },
      options,
    );
  }

  // ---- request handling --------------------------------------------------------------------------------------

  private json(
    response: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'x-github-media-type': 'github.v3; format=json',
      // auth-app reads the server clock from here to correct JWT times, as with GitHub.
      date: new Date(this.now()).toUTCString(),
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
      ...headers,
    });
    response.end(text);
  }

  private tokenFor(value: string): InstallationToken | undefined {
    const token = this.tokens.get(value);
    if (token === undefined || token.expiresAt <= this.now()) return undefined;
    return token;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const method = request.method ?? 'GET';
    if (!url.pathname.startsWith('/api/v3/') && /\.git(\/|$)/.test(url.pathname)) {
      await this.handleGit(request, response, url);
      return;
    }
    if (!url.pathname.startsWith('/api/v3')) {
      this.json(response, 404, { message: 'Not Found' });
      return;
    }
    const apiPath = url.pathname.slice('/api/v3'.length) || '/';
    const raw = await readBody(request);
    let body: unknown;
    try {
      body = parseJson(raw);
    } catch {
      this.record(method, apiPath, url, undefined, 400, raw);
      this.violation({
        method,
        path: apiPath,
        kind: 'invalid-body',
        message: 'the body is not valid JSON',
      });
      this.json(response, 400, { message: 'Problems parsing JSON' });
      return;
    }
    const contract = this.contract as OpenApiContract;
    const checked = contract.check(method, apiPath, url.searchParams, body);
    if (!checked.ok) {
      const status = checked.problem.kind === 'unknown-route' ? 404 : 422;
      this.violation({
        method,
        path: apiPath,
        kind: checked.problem.kind,
        message: checked.problem.message,
        ...(checked.operation === undefined ? {} : { operationId: checked.operation.operationId }),
      });
      this.record(method, apiPath, url, checked.operation?.operationId, status, body);
      this.json(response, status, {
        message: status === 404 ? 'Not Found' : `Invalid request.\n\n${checked.problem.message}`,
        documentation_url: 'https://docs.github.com/rest',
      });
      return;
    }
    const { operation } = checked;
    const handler = handlers[operation.operationId];
    if (handler === undefined) {
      this.violation({
        method,
        path: apiPath,
        kind: 'unimplemented',
        message: `the emulator does not implement ${operation.operationId}`,
        operationId: operation.operationId,
      });
      this.record(method, apiPath, url, operation.operationId, 501, body);
      this.json(response, 501, {
        message: `Not implemented by the emulator: ${operation.operationId}`,
      });
      return;
    }
    let status: number;
    try {
      const context = this.context(request, operation.params, url.searchParams, body);
      const result = await handler(context);
      status = result.status ?? 200;
      if (result.raw !== undefined) {
        response.writeHead(status, {
          'content-type': 'application/octet-stream',
          ...result.headers,
        });
        response.end(result.raw);
      } else {
        this.json(response, status, result.body, result.headers);
      }
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      status = error.status;
      this.json(response, error.status, {
        message: error.message,
        ...(error.errors === undefined ? {} : { errors: error.errors }),
        documentation_url: 'https://docs.github.com/rest',
      });
    }
    this.record(method, apiPath, url, operation.operationId, status, body);
  }

  private record(
    method: string,
    apiPath: string,
    url: URL,
    operationId: string | undefined,
    status: number,
    body: unknown,
  ): void {
    this.requestLog.push({ method, path: apiPath, query: url.search, operationId, status, body });
  }

  private violation(violation: ContractViolation): void {
    this.contractViolations.push(violation);
  }

  private context(
    request: IncomingMessage,
    params: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
  ): RequestContext {
    const credential = credentialFrom(request.headers.authorization);
    let auth: RequestContext['auth'] = { kind: 'none' };
    if (credential !== undefined) {
      if (credential.value.split('.').length === 3) {
        const check = verifyAppJwt(credential.value, this.publicKey, this.app.id, this.now());
        auth = check.ok ? { kind: 'app' } : { kind: 'invalid', message: check.message };
      } else {
        const token = this.tokenFor(credential.value);
        auth =
          token === undefined
            ? { kind: 'invalid', message: 'Bad credentials' }
            : { kind: 'installation', token };
      }
    }
    return this.buildContext(auth, params, query, body, request.headers.accept ?? '');
  }

  private syntheticContext(repo: Repo, params: Record<string, string>): RequestContext {
    const token: InstallationToken = {
      token: '',
      installationId: this.installationId(repo),
      expiresAt: Infinity,
      repositoryIds: 'all',
    };
    return this.buildContext(
      { kind: 'installation', token },
      { owner: repo.owner.login, repo: repo.name, ...params },
      new URLSearchParams(),
      undefined,
      '',
    );
  }

  private buildContext(
    auth: RequestContext['auth'],
    params: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
    accept: string,
  ): RequestContext {
    return {
      emulator: this,
      state: this.state,
      urls: this.urls,
      auth,
      params,
      query,
      body: (body ?? {}) as Record<string, unknown>,
      accept,
      now: this.now(),
      issueToken: (installationId, repositoryIds) => {
        const token: InstallationToken = {
          token: newInstallationToken(),
          installationId,
          expiresAt: this.now() + (this.options.tokenTtlMs ?? 3_600_000),
          repositoryIds,
        };
        this.tokens.set(token.token, token);
        return token;
      },
    };
  }

  private async handleGit(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const match = /^\/([^/]+)\/([^/]+?)\.git(\/.*)?$/.exec(url.pathname);
    const repo =
      match === null ? undefined : this.state.findRepo(match[1] as string, match[2] as string);
    const credential = credentialFrom(request.headers.authorization);
    const token = credential === undefined ? undefined : this.tokenFor(credential.value);
    const service = match?.[3] ?? '';
    const push =
      service === '/git-receive-pack' || url.searchParams.get('service') === 'git-receive-pack';
    const access =
      repo === undefined || token === undefined ? 'none' : this.gitAccess(repo, token, push);
    if (repo === undefined || token === undefined || access === 'none' || access === 'forbidden') {
      this.denyGit(request, response, url, access === 'forbidden' ? 403 : 401, repo);
      return;
    }
    let body: Buffer | undefined;
    if (access === 'maintainer' && service === '/git-receive-pack') {
      body = await readRawBody(request);
      const commands = request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
      const editable = this.maintainerBranches(repo, token);
      const updates = parseRefUpdates(commands);
      // A maintainer may update the PR's head branch, nothing else: no other branch, no tag, no deletion.
      const allowed =
        updates.length > 0 && updates.every((u) => editable.has(u.ref) && !/^0+$/.test(u.newSha));
      if (!allowed) {
        this.denyGit(request, response, url, 403, repo);
        return;
      }
    }
    // Reads see current refs/pull/<n>/head, even after a push that went straight to a bare directory.
    if (!push) await this.pullHeads.syncRepo(repo);
    this.logGit(request, url, 200);
    const pathInfo = `/${repo.owner.login}/${repo.name}.git${service}`;
    serveGitHttp(
      request,
      response,
      this.gitRoot,
      pathInfo,
      url.searchParams.toString(),
      'x-access-token',
      {
        ...(body === undefined ? {} : { body }),
        ...(service === '/git-receive-pack'
          ? { beforeEnd: () => this.pullHeads.syncRepo(repo) }
          : {}),
      },
    );
  }

  /**
   * What a token may do over git: everything on its installation's repositories; on a fork with a pull request
   * into one of them, read it (if public) and, while an open PR allows edits by maintainers, push its head branch.
   */
  private gitAccess(
    repo: Repo,
    token: InstallationToken,
    push: boolean,
  ): 'full' | 'read' | 'maintainer' | 'forbidden' | 'none' {
    if (covers(token, repo.id)) return 'full';
    const fromRepo = this.state.pullRequests(
      (p) => p.pull.headRepoId === repo.id && p.repoId !== repo.id && covers(token, p.repoId),
    );
    if (fromRepo.length === 0) return 'none';
    const editable = this.maintainerBranches(repo, token).size > 0;
    if (push) return editable ? 'maintainer' : 'forbidden';
    return !repo.private || editable ? 'read' : 'forbidden';
  }

  /** The head refs (`refs/heads/…`) of open PRs from `fork` that let the token's installation push. */
  private maintainerBranches(fork: Repo, token: InstallationToken): Set<string> {
    return new Set(
      this.state
        .pullRequests(
          (p) =>
            p.pull.headRepoId === fork.id &&
            p.repoId !== fork.id &&
            p.state === 'open' &&
            p.pull.maintainerCanModify &&
            covers(token, p.repoId),
        )
        .map((p) => `refs/heads/${p.pull.headRef}`),
    );
  }

  private logGit(request: IncomingMessage, url: URL, status: number): void {
    this.requestLog.push({
      method: request.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      operationId: 'git',
      status,
      body: undefined,
    });
  }

  private denyGit(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    status: 401 | 403,
    repo: Repo | undefined,
  ): void {
    this.logGit(request, url, status);
    request.resume();
    if (status === 403) {
      const name = repo === undefined ? '' : `${repo.owner.login}/${repo.name}`;
      response.writeHead(403, { 'content-type': 'text/plain' });
      response.end(`Permission to ${name}.git denied to ${this.app.bot.login}.\n`);
      return;
    }
    response.writeHead(401, {
      'www-authenticate': 'Basic realm="GitHub"',
      'content-type': 'text/plain',
    });
    response.end(
      'Invalid username or token. Password authentication is not supported for Git operations.\n',
    );
  }
}

function covers(token: InstallationToken, repoId: number): boolean {
  return token.repositoryIds === 'all' || token.repositoryIds.includes(repoId);
}

async function readRawBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Starts an emulator on loopback; `close()` it when done. */
export async function startGitHubEmulator(
  options: GitHubEmulatorOptions = {},
): Promise<GitHubEmulator> {
  return new GitHubEmulator(options).start();
}
