// End to end: `@claw fix the failing test` on an issue becomes one pull request. The real `claw web` and
// `claw worker` processes run against the GitHub emulator (signed webhooks, App auth, git over smart HTTP), real
// Redis and the scripted Anthropic server; a second run kills the worker mid-job and lets BullMQ requeue it.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AnthropicServer } from '../../src/dev/index.js';
import { redisKeys } from '../../src/jobs/index.js';
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
import type { ClawProcess } from './support/claw-process.js';
import { expectNoTokenLeaks, useClawWorld } from './support/claw-world.js';
import { waitFor } from './support/wait-for.js';

// Over the 5 s between progress edits of the tracking comment, so the plan is shown while the job runs.
const SLOW_TURN_MS = 6_000;
// The job lock and stall-check interval (CLAW_JOB_LOCK_SECONDS) of every worker here: a dead worker's job is
// requeued within about two intervals instead of a minute. Every test's workers get it, not only the crash test's:
// BullMQ throttles stall checks queue-wide with a key that lasts the interval of the worker that set it, so a
// worker left on the 30 s default would hold off the next test's checks for up to 30 s.
const LOCK_ENV = { CLAW_JOB_LOCK_SECONDS: '2' };

const world = useClawWorld(import.meta.url);

function startModel(): Promise<AnthropicServer> {
  return world().startModel(fixTheTestScript(SLOW_TURN_MS));
}

/** Waits for the tracking comment's final state; fails early, with the logs, if the job failed. */
async function waitForFinalComment(
  repo: Repo,
  issueNumber: number,
  workers: ClawProcess[],
  timeoutMs: number,
): Promise<string> {
  const { emulator, logsOf } = world();
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

/** The branch holds exactly the scripted edit, in one bot commit on top of main, and the repo's test passes. */
async function expectBranchHoldsTheFix(repo: Repo, branch: string): Promise<void> {
  const { emulator } = world();
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
  const { emulator } = world();
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

describe('issue to pull request, end to end', () => {
  it('turns "@claw fix the failing test" into one pull request with the scripted fix when web and worker run as processes', async () => {
    const { emulator, tmp, startWorker } = world();
    const model = await startModel();
    const cacheDir = path.join(tmp, 'cache-happy');
    const worker = await startWorker(model, cacheDir, 'worker', LOCK_ENV);
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
    await expectNoTokenLeaks(world(), [worker], [model], cacheDir);
    emulator.assertNoViolations();
  }, 45_000);

  it('still opens exactly one pull request when the worker is killed with SIGKILL mid-job and a new worker takes over', async () => {
    const { emulator, tmp, redis, prefix, startWorker, logsOf } = world();
    const model = await startModel();
    const cacheDir = path.join(tmp, 'cache-crash');
    const first = await startWorker(model, cacheDir, 'worker-killed', LOCK_ENV);
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

    // The dead worker's job lock lapses after CLAW_JOB_LOCK_SECONDS; BullMQ's stall check (every
    // CLAW_JOB_LOCK_SECONDS) needs two passes to requeue the job, so the new worker takes over within seconds.
    const second = await startWorker(model, cacheDir, 'worker-restarted', LOCK_ENV);
    await waitForFinalComment(repo, issue.number, [first, second], 25_000);

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
    await expectNoTokenLeaks(world(), [first, second], [model], cacheDir);
    emulator.assertNoViolations();
  }, 50_000);
});
