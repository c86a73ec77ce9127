// End to end: `@claw fix the failing test` on an issue becomes one pull request. The real `claw web` and
// `claw worker` processes run against the GitHub emulator (signed webhooks, App auth, git over smart HTTP), real
// Redis and the scripted Anthropic server; a second run kills the worker mid-job and lets BullMQ requeue it.
import { readdir, readFile, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  startAnthropicServer,
  startGitHubEmulator,
  type AnthropicServer,
  type GitHubEmulator,
} from '../../src/dev/index.js';
import { redisKeys } from '../../src/jobs/index.js';
import { connectTestRedis, type TestRedis } from '../support/redis.js';
import {
  arrangeIssue,
  bareGit,
  FIXED_ADD,
  fixTheTestScript,
  PR_SUMMARY,
  PR_TITLE,
  runRepoTest,
  SLOW_TURN,
  trackingCommentBodies,
  trackingPhase,
  type Repo,
} from './support/adder-scenario.js';
import { spawnClaw, type ClawProcess } from './support/claw-process.js';
import { freePort, waitFor, waitForHttp } from './support/wait-for.js';

const MODEL_KEY = 'e2e-dummy-anthropic-key';
// Over the 5 s between progress edits of the tracking comment, so the plan is shown while the job runs.
const SLOW_TURN_MS = 6_000;

let redis: TestRedis;
let prefix: string;
let tmp: string;
let emulator: GitHubEmulator;
let web: ClawProcess;
const processes: ClawProcess[] = [];
const models: AnthropicServer[] = [];

function clawEnv(extra: Record<string, string>): Record<string, string> {
  return {
    HOME: tmp,
    APP_ID: String(emulator.app.id),
    PRIVATE_KEY: emulator.app.privateKey,
    WEBHOOK_SECRET: emulator.app.webhookSecret,
    GHE_HOST: emulator.gheHost,
    GHE_PROTOCOL: 'http',
    REDIS_URL: redis.url,
    CLAW_REDIS_PREFIX: prefix,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CLAW_REVIEW_DEBOUNCE_SECONDS: '1',
    CLAW_SHUTDOWN_GRACE_SECONDS: '1',
    CLAW_JOB_BACKOFF_SECONDS: '1',
    ...extra,
  };
}

async function startWorker(model: AnthropicServer, cacheDir: string, name: string) {
  const worker = spawnClaw(
    'worker',
    clawEnv({
      PORT: String(await freePort()),
      ANTHROPIC_API_KEY: MODEL_KEY,
      ANTHROPIC_BASE_URL: model.url,
      CLAW_CACHE_DIR: cacheDir,
    }),
    name,
  );
  processes.push(worker);
  await worker.waitForLog((line) => line.msg === 'worker started');
  return worker;
}

async function startModel(): Promise<AnthropicServer> {
  const model = await startAnthropicServer({
    script: fixTheTestScript(SLOW_TURN_MS),
    pick: 'by-history',
    apiKey: MODEL_KEY,
    chunkSize: 400,
  });
  models.push(model);
  return model;
}

/** Waits for the tracking comment's final state; fails early, with the logs, if the job failed. */
async function waitForFinalComment(
  repo: Repo,
  issueNumber: number,
  workers: ClawProcess[],
  timeoutMs: number,
): Promise<string> {
  return waitFor(
    () => {
      const body = trackingCommentBodies(emulator, repo, issueNumber).comments[0]?.body;
      const phase = body === undefined ? undefined : trackingPhase(body);
      if (phase === 'failed') throw new Error(`the job failed: ${body}\n${logsOf(workers)}`);
      return phase === 'done' ? body : undefined;
    },
    {
      timeoutMs,
      what: 'the tracking comment to say done',
      detail: () =>
        `comments on #${issueNumber}: ${JSON.stringify(emulator.comments(repo, issueNumber).map((c) => c.body))}\n` +
        `GitHub requests:\n${emulator
          .requests()
          .map((r) => `  ${r.method} ${r.path} ${r.status}`)
          .join('\n')}\n${logsOf(workers)}`,
    },
  );
}

function logsOf(workers: ClawProcess[]): string {
  return [web, ...workers].map((p) => `--- ${p.name}\n${p.output()}`).join('\n');
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** No installation token in the processes' output, the model's requests or anything under the cache dir. */
async function expectNoTokenLeaks(
  workers: ClawProcess[],
  model: AnthropicServer,
  cacheDir: string,
): Promise<void> {
  const tokens = emulator.issuedTokens();
  expect(tokens.length).toBeGreaterThan(0);
  const places: [string, string][] = [
    ...[web, ...workers].map((p): [string, string] => [`${p.name} output`, p.output()]),
    ['model requests', model.requests.map((request) => request.raw).join('\n')],
  ];
  for (const file of await filesUnder(cacheDir)) {
    if ((await stat(file)).size < 4 * 1024 * 1024)
      places.push([file, await readFile(file, 'latin1')]);
  }
  const leaks = places.flatMap(([where, text]) =>
    tokens.filter((token) => text.includes(token)).map(() => where),
  );
  expect(leaks).toEqual([]);
}

/** The branch holds exactly the scripted edit, in one bot commit on top of main, and the repo's test passes. */
async function expectBranchHoldsTheFix(repo: Repo, branch: string): Promise<void> {
  expect(await emulator.branchSha(repo, branch)).toMatch(/^[0-9a-f]{40}$/);
  expect(await bareGit(repo, ['show', `${branch}:src/add.js`])).toBe(FIXED_ADD);
  expect((await bareGit(repo, ['diff', '--name-only', `main..${branch}`])).trim()).toBe(
    'src/add.js',
  );
  const changedLines = (await bareGit(repo, ['diff', `main..${branch}`]))
    .split('\n')
    .filter((line) => /^[-+](?![-+]{2} )/.test(line));
  expect(changedLines).toEqual(['-  return a - b;', '+  return a + b;']);
  expect((await bareGit(repo, ['log', '--format=%an <%ae>', `main..${branch}`])).trim()).toBe(
    `claw[bot] <${emulator.app.bot.id}+claw[bot]@users.noreply.github.com>`,
  );
  expect(await runRepoTest(repo, 'main')).toBe(1);
  expect(await runRepoTest(repo, branch)).toBe(0);
}

function expectTrackingHistory(repo: Repo, issueNumber: number, pullNumber: number): string[] {
  const tracking = trackingCommentBodies(emulator, repo, issueNumber);
  expect(tracking.comments).toHaveLength(1);
  expect(tracking.posts).toBe(1);
  expect(tracking.statuses.every((status) => status >= 200 && status < 300)).toBe(true);
  const phases = tracking.bodies.map(trackingPhase);
  expect(phases[0]).toBe('queued');
  expect(phases.at(-1)).toBe('done');
  expect(phases).not.toContain('failed');
  expect(phases).not.toContain('other');
  // queued → working → done, never back.
  const order = ['queued', 'working', 'done'];
  const ranks = phases.map((phase) => order.indexOf(phase));
  expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  const withPlan = tracking.bodies.filter(
    (body) =>
      trackingPhase(body) === 'working' &&
      body.includes('- [x] Find the bug') &&
      body.includes('- [ ] **Fix add()**'),
  );
  expect(withPlan.length).toBeGreaterThan(0);
  const final = tracking.bodies.at(-1) ?? '';
  expect(final).toContain(
    `Opened pull request #${pullNumber}: ${emulator.url}/${repo.owner.login}/${repo.name}/pull/${pullNumber}`,
  );
  expect(tracking.comments[0]?.body).toBe(final);
  return tracking.bodies;
}

beforeAll(async () => {
  redis = await connectTestRedis(import.meta.url);
  prefix = redis.prefix.replace(/:+$/, '');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'claw-e2e-'));
  const port = await freePort();
  emulator = await startGitHubEmulator({
    appSlug: 'claw',
    webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
  });
  web = spawnClaw('web', clawEnv({ PORT: String(port) }));
  processes.push(web);
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, {
    timeoutMs: 20_000,
    detail: () => web.output(),
    stopIf: () => web.child.exitCode !== null,
  });
}, 30_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await Promise.all(models.map((model) => model.stop()));
  await emulator?.close();
  await redis?.cleanup();
  if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
}, 20_000);

// Each test brings its own workers (and model); one left running would take the next test's job.
afterEach(async () => {
  await Promise.all(processes.filter((p) => p !== web).map((p) => p.stop()));
  emulator.assertNoViolations();
}, 15_000);

describe('issue to pull request, end to end', () => {
  it('turns "@claw fix the failing test" into one pull request with the scripted fix when web and worker run as processes', async () => {
    const model = await startModel();
    const cacheDir = path.join(tmp, 'cache-happy');
    const worker = await startWorker(model, cacheDir, 'worker');
    const { repo, issue } = await arrangeIssue(emulator, 'adder');

    const { comment, delivery } = await emulator.commentAndDeliver(repo, issue.number, {
      body: '@claw fix the failing test',
      user: 'alice',
    });
    const final = await waitForFinalComment(repo, issue.number, [worker], 40_000);

    expect(delivery.status).toBe(200);
    const pulls = emulator.pullRequests(repo);
    expect(pulls).toHaveLength(1);
    const pull = pulls[0]!;
    const branch = pull.pull?.headRef ?? '';
    expect(branch).toBe(`claw/issue-${issue.number}-add-is-broken`);
    expect(pull.pull?.baseRef).toBe('main');
    expect(pull.title).toBe(PR_TITLE);
    expect(pull.body).toContain(`Fixes #${issue.number}`);
    expect(pull.body).toContain(PR_SUMMARY);
    expect(pull.user.login).toBe('claw[bot]');
    await expectBranchHoldsTheFix(repo, branch);
    expect(final).toContain(`pull/${pull.number}`);
    expectTrackingHistory(repo, issue.number, pull.number);
    expect(emulator.reactions()).toContainEqual(
      expect.objectContaining({
        content: 'eyes',
        subject: { type: 'issue_comment', id: comment.id },
      }),
    );
    // The model really ran the repo's test in the worktree: the Bash result it got back says so.
    expect(model.requests.map((request) => request.turn)).toEqual([0, 1, 2, 3]);
    expect(model.requests.at(-1)?.raw).toContain('PASS: add(2, 2) is 4');
    await expectNoTokenLeaks([worker], model, cacheDir);
    emulator.assertNoViolations();
  }, 45_000);

  it('still opens exactly one pull request when the worker is killed with SIGKILL mid-job and a new worker takes over', async () => {
    const model = await startModel();
    const cacheDir = path.join(tmp, 'cache-crash');
    const first = await startWorker(model, cacheDir, 'worker-killed');
    const { repo, issue } = await arrangeIssue(emulator, 'adder-crash');
    const { delivery } = await emulator.commentAndDeliver(repo, issue.number, {
      body: '@claw fix the failing test',
      user: 'alice',
    });
    const jobId = `gh-${delivery.id}`;

    // Kill once the acknowledgement is complete (tracking comment posted and recorded for the job), the edit is
    // made and the model is streaming the next turn. A crash inside the acknowledgement is a separate problem.
    await waitFor(
      async () =>
        model.requests.some((request) => request.turn === SLOW_TURN) &&
        (await redis.client.exists(redisKeys(prefix).trackingComment(jobId))) === 1,
      {
        timeoutMs: 20_000,
        what: 'the tracking comment to be recorded and the worker to ask the model for the slow turn',
        detail: () => logsOf([first]),
      },
    );
    const worktrees = path.join(cacheDir, 'worktrees');
    const edited = await Promise.all(
      (await readdir(worktrees, { withFileTypes: true }))
        .filter((entry) => entry.isDirectory())
        .map((entry) => readFile(path.join(worktrees, entry.name, 'src/add.js'), 'utf8')),
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(edited).toEqual([FIXED_ADD]);
    expect(emulator.pullRequests(repo)).toHaveLength(0);
    const branch = `claw/issue-${issue.number}-add-is-broken`;
    expect(await emulator.branchSha(repo, branch)).toBeUndefined();

    // The dead worker's job lock lapses after 30 s (lockDuration, not settable from the env); BullMQ needs two
    // stall checks to requeue it. Clearing the throttle key the dead worker's last check left lets the new
    // worker's first check run at once, so recovery takes one stalled interval (30 s) instead of up to two.
    await redis.client.del(`${prefix}:jobs:stalled-check`);
    const second = await startWorker(model, cacheDir, 'worker-restarted');
    await waitForFinalComment(repo, issue.number, [first, second], 60_000);

    const pulls = emulator.pullRequests(repo);
    expect(pulls).toHaveLength(1);
    const pull = pulls[0]!;
    expect(pull.pull?.headRef).toBe(branch);
    expect(pull.body).toContain(`Fixes #${issue.number}`);
    await expectBranchHoldsTheFix(repo, branch);
    expect((await bareGit(repo, ['rev-list', '--count', `main..${branch}`])).trim()).toBe('1');
    expect(second.logLines().map((line) => line.msg)).toContain(
      'job stalled (its worker died or hung); requeued',
    );
    // Turns 0–2 before the kill; the restarted agent began the conversation again and played the whole script.
    expect(model.requests.map((request) => request.turn)).toEqual([0, 1, 2, 0, 1, 2, 3]);
    expectTrackingHistory(repo, issue.number, pull.number);
    await expectNoTokenLeaks([first, second], model, cacheDir);
    emulator.assertNoViolations();
  }, 85_000);
});
