// End to end, the pull request flows with the real `claw web` and `claw worker` processes, the GitHub emulator,
// real Redis and the scripted Anthropic server: automatic reviews (a burst of pushes coalesces into one incremental
// review of the newest head), and a follow-up in a review-comment thread that becomes a bot commit and a reply.
import path from 'node:path';
import { Queue } from 'bullmq';
import type { ScriptedTurn } from '../../src/agent/index.js';
import type { AnthropicServer } from '../../src/dev/index.js';
import { QUEUE_NAME, redisKeys } from '../../src/jobs/index.js';
import {
  bareGit,
  trackingCommentBodies,
  trackingPhase,
  type Repo,
} from './support/adder-scenario.js';
import type { ClawProcess } from './support/claw-process.js';
import { expectNoTokenLeaks, useClawWorld } from './support/claw-world.js';
import { humanClone } from './support/human-clone.js';
import { waitFor } from './support/wait-for.js';

// Pushes less than a second apart are one burst: the web process stores one delayed review job for it.
const DEBOUNCE_SECONDS = '1';
const world = useClawWorld(import.meta.url, {
  webEnv: { CLAW_REVIEW_DEBOUNCE_SECONDS: DEBOUNCE_SECONDS },
});

const CART_BEFORE = [
  'export function total(items) {',
  '  let sum = 0;',
  '  for (const item of items) sum += item.price;',
  '  return sum;',
  '}',
  '',
].join('\n');

const CART = [
  'export function total(items, discount) {',
  '  let sum = 0;',
  '  for (const item of items) sum += item.price;',
  '  return sum - discount;',
  '}',
  '',
].join('\n');

/** src/discount.js as each push of the burst leaves it; the review comments on line 3 of the last one. */
const DISCOUNT_VERSIONS = [
  'export function applyDiscount(sum, percent) {\n  return sum - (sum * percent) / 100;\n}\n',
  'export function applyDiscount(sum, percent) {\n  const rate = percent / 100;\n  return sum - sum * rate;\n}\n',
  '// Takes a percentage off the sum.\nexport function applyDiscount(sum, percent) {\n  const rate = percent / 100;\n  return sum - sum * rate;\n}\n',
];

const REVIEW_SUMMARY = 'Adds a discount to the cart total.';
/** On an added line of the burst's src/discount.js. */
const INLINE = {
  path: 'src/discount.js',
  line: 3,
  side: 'RIGHT',
  body: 'A percentage over 100 makes the total negative; clamp it to 0–100.',
} as const;
/** README.md is in no diff of this pull request. */
const OUTSIDE = {
  path: 'README.md',
  line: 1,
  side: 'RIGHT',
  body: 'The README should say how discounts work.',
} as const;

/** Every review conversation reads the cart, then submits the same two comments. */
function reviewScript(): ScriptedTurn[] {
  return [
    {
      content: [
        { type: 'text', text: 'Let me read the cart first.' },
        { type: 'tool_use', id: 'toolu_rv1', name: 'Read', input: { file_path: 'src/cart.js' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 900, output_tokens: 30 },
    },
    {
      content: [
        {
          type: 'tool_use',
          id: 'toolu_rv2',
          name: 'SubmitReview',
          input: { summary: REVIEW_SUMMARY, verdict: 'comment', comments: [INLINE, OUTSIDE] },
        },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 1000, output_tokens: 90 },
    },
  ];
}

const FOLLOW_UP_TITLE = 'Default the discount to zero';

function followUpScript(): ScriptedTurn[] {
  return [
    {
      content: [
        { type: 'tool_use', id: 'toolu_fu1', name: 'Read', input: { file_path: 'src/cart.js' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 900, output_tokens: 20 },
    },
    {
      content: [
        {
          type: 'tool_use',
          id: 'toolu_fu2',
          name: 'Edit',
          input: {
            file_path: 'src/cart.js',
            old_string: 'sum - discount',
            new_string: 'sum - (discount ?? 0)',
          },
        },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 1000, output_tokens: 40 },
    },
    {
      content: [
        {
          type: 'text',
          text: `Title: ${FOLLOW_UP_TITLE}\n\nExisting callers pass no discount.`,
        },
      ],
      stop_reason: 'end_turn',
      usage: { input_tokens: 1100, output_tokens: 30 },
    },
  ];
}

function createReviewRequests(repo: Repo, pullNumber: number) {
  return world()
    .emulator.requests()
    .filter(
      (request) =>
        request.operationId === 'pulls/create-review' &&
        request.path === `/repos/${repo.owner.login}/${repo.name}/pulls/${pullNumber}/reviews`,
    );
}

/** What a worker logged about its jobs of one kind: every start and completion, with the job id. */
function jobLog(worker: ClawProcess, kind: string, msg: 'job started' | 'job completed') {
  return worker
    .logLines()
    .filter((line) => line.kind === kind && line.msg === msg)
    .map((line) => line.jobId);
}

function failedAttempts(worker: ClawProcess) {
  return worker.logLines().filter((line) => line.msg === 'job attempt failed');
}

function requestLog(): string {
  return world()
    .emulator.requests()
    .map((r) => `  ${r.method} ${r.path} ${r.status}`)
    .join('\n');
}

/** Waits until the pull request has `count` reviews; fails early, with the logs, when a job attempt failed. */
async function waitForReviews(repo: Repo, pullNumber: number, count: number, worker: ClawProcess) {
  const { emulator, logsOf } = world();
  return waitFor(
    () => {
      if (failedAttempts(worker).length > 0)
        throw new Error(`a review job failed:\n${logsOf([worker])}`);
      const reviews = emulator.reviews(repo, pullNumber);
      return reviews.length >= count ? reviews : undefined;
    },
    {
      timeoutMs: 20_000,
      what: `${count} review(s) on #${pullNumber}`,
      detail: () => `GitHub requests:\n${requestLog()}\n${logsOf([worker])}`,
    },
  );
}

/** Resolves once no job is waiting, delayed or running, so no further review can still arrive. */
async function waitForIdleQueue(worker: ClawProcess): Promise<void> {
  const { redis, prefix, logsOf } = world();
  const queue = new Queue(QUEUE_NAME, {
    connection: redis.connection({ forBullmq: true }),
    prefix: redisKeys(prefix).bullPrefix,
  });
  try {
    await waitFor(
      async () => {
        const counts = await queue.getJobCounts('waiting', 'delayed', 'active', 'prioritized');
        return Object.values(counts).every((n) => n === 0);
      },
      { timeoutMs: 10_000, what: 'the job queue to be idle', detail: () => logsOf([worker]) },
    );
  } finally {
    await queue.close();
  }
}

/** The text of the first user message of a request to the model: the task the handler gave the agent. */
function taskOf(model: AnthropicServer, index: number): string {
  const body = model.requests[index]?.body as
    { messages?: { content: string | { type: string; text?: string }[] }[] } | undefined;
  const content = body?.messages?.[0]?.content;
  if (typeof content === 'string') return content;
  return (content ?? []).map((block) => block.text ?? '').join('\n');
}

function otherNotes(...comments: { path: string; line: number; body: string }[]): string {
  return `### Other notes\n\n${comments.map((c) => `- \`${c.path}:${c.line}\`: ${c.body}`).join('\n')}\n\n`;
}

describe('pull request flows, end to end', () => {
  it('coalesces a burst of three pushes into one incremental review of the newest head, with the inline comment on its line and the other under "Other notes"', async () => {
    const { emulator, tmp, startModel, startWorker } = world();
    const model = await startModel(reviewScript());
    const cacheDir = path.join(tmp, 'cache-review');
    const worker = await startWorker(model, cacheDir, 'worker-review');
    const repo = await emulator.seedRepo({
      owner: 'octo',
      name: 'cart-review',
      files: {
        'README.md': '# cart\n',
        '.github/claw.yml': 'review:\n  auto: true\n',
        'src/cart.js': CART_BEFORE,
      },
    });
    const human = await humanClone(repo, path.join(tmp, 'human-review'), 'feature', 'main');
    const openedHead = await human.push({ 'src/cart.js': CART }, 'Add a discount');
    const pull = await emulator.createPullRequest(repo, {
      title: 'Add a discount',
      head: 'feature',
      user: 'bob',
    });

    // The opened PR gets its own (full) review; the burst starts once it is posted, so what the burst leads to
    // does not depend on how the debounce window and that first job happen to overlap.
    const opened = await emulator.deliverPullRequest(repo, pull.number, 'opened', 'bob');
    const [first] = await waitForReviews(repo, pull.number, 1, worker);
    const heads: string[] = [];
    const synchronized = [];
    for (const [index, content] of DISCOUNT_VERSIONS.entries()) {
      heads.push(await human.push({ 'src/discount.js': content }, `Discount, take ${index + 1}`));
      synchronized.push(await emulator.deliverPullRequest(repo, pull.number, 'synchronize', 'bob'));
    }
    const newest = heads.at(-1)!;
    const [, second] = await waitForReviews(repo, pull.number, 2, worker);
    await waitForIdleQueue(worker);

    expect([opened, ...synchronized].map((delivery) => delivery.status)).toEqual([
      200, 200, 200, 200,
    ]);
    // Each synchronize delivery carried the head it announced.
    expect(
      synchronized.map(
        (delivery) =>
          (delivery.payload as { pull_request: { head: { sha: string } } }).pull_request.head.sha,
      ),
    ).toEqual(heads);
    // Two review jobs ran in all: the opened one, and one for the whole burst, the job of its last delivery.
    expect(jobLog(worker, 'review-pr', 'job started')).toEqual([
      `gh-${opened.id}`,
      `gh-${synchronized[2]!.id}`,
    ]);
    expect(jobLog(worker, 'review-pr', 'job completed')).toEqual([
      `gh-${opened.id}`,
      `gh-${synchronized[2]!.id}`,
    ]);
    expect(failedAttempts(worker)).toEqual([]);

    // One pulls.createReview per review, each on the head it reviewed, the inline comment inside it.
    const posts = createReviewRequests(repo, pull.number);
    expect(posts.map((request) => request.status)).toEqual([200, 200]);
    expect(posts.map((request) => (request.body as { commit_id?: string }).commit_id)).toEqual([
      openedHead,
      newest,
    ]);
    expect(
      emulator
        .requests()
        .filter(
          (request) =>
            request.operationId === 'pulls/create-review-comment' &&
            request.path.startsWith(`/repos/${repo.owner.login}/${repo.name}/`),
        ),
    ).toEqual([]);
    const reviews = emulator.reviews(repo, pull.number);
    expect(reviews).toHaveLength(2);
    expect(reviews.map((review) => [review.user.login, review.state])).toEqual([
      ['claw[bot]', 'COMMENTED'],
      ['claw[bot]', 'COMMENTED'],
    ]);

    // The full review of the opened PR: the burst's file did not exist yet, so both comments are notes.
    expect(first!.commitId).toBe(openedHead);
    expect(first!.body.startsWith(`${REVIEW_SUMMARY}\n\n${otherNotes(INLINE, OUTSIDE)}`)).toBe(
      true,
    );
    expect(first!.body.endsWith(`<!-- claw:review head=${openedHead} -->`)).toBe(true);

    // The burst's review: incremental since the first one, of the newest head only.
    expect(second!.commitId).toBe(newest);
    expect(second!.body).toMatch(
      new RegExp(
        `^_Incremental review: only the commits since ${openedHead.slice(0, 7)} \\(the last head I reviewed\\)\\._\\n\\n`,
      ),
    );
    expect(second!.body).toContain(`${REVIEW_SUMMARY}\n\n${otherNotes(OUTSIDE)}`);
    expect(second!.body).not.toContain(`${INLINE.path}:${INLINE.line}`);
    expect(second!.body.endsWith(`<!-- claw:review head=${newest} -->`)).toBe(true);
    for (const older of heads.slice(0, 2)) expect(second!.body).not.toContain(older);
    const inline = emulator.reviewComments(repo, pull.number);
    expect(inline).toEqual([
      expect.objectContaining({
        reviewId: second!.id,
        path: INLINE.path,
        line: INLINE.line,
        side: 'RIGHT',
        body: INLINE.body,
        commitId: newest,
        inReplyTo: null,
        user: expect.objectContaining({ login: 'claw[bot]' }),
      }),
    ]);

    // Two conversations of two turns; the second agent saw only the burst's diff, as of the newest head.
    expect(model.requests.map((request) => request.turn)).toEqual([0, 1, 0, 1]);
    const fullTask = taskOf(model, 0);
    expect(fullTask).toContain('The whole pull request is under review.');
    expect(fullTask).toContain('### src/cart.js (modified)');
    const incrementalTask = taskOf(model, 2);
    expect(incrementalTask).toContain(
      `This is a re-review: the diff below holds only the commits pushed since the last review (${openedHead.slice(0, 7)}).`,
    );
    expect(incrementalTask).toContain('### src/discount.js (added)');
    expect(incrementalTask).toContain('3\t+   const rate = percent / 100;');
    expect(incrementalTask).toContain('1\t+ // Takes a percentage off the sum.');
    expect(incrementalTask).not.toContain('### src/cart.js');
    await expectNoTokenLeaks(world(), [worker], [model], cacheDir);
    emulator.assertNoViolations();
  }, 45_000);

  it('pushes a bot commit with exactly the scripted edit and replies in the thread when a writer asks in a review comment', async () => {
    const { emulator, tmp, startModel, startWorker, logsOf } = world();
    const model = await startModel(followUpScript());
    const cacheDir = path.join(tmp, 'cache-follow-up');
    const worker = await startWorker(model, cacheDir, 'worker-follow-up');
    const repo = await emulator.seedRepo({
      owner: 'octo',
      name: 'cart-follow-up',
      files: { 'README.md': '# cart\n' },
    });
    emulator.setPermission(repo, 'alice', 'write');
    const human = await humanClone(repo, path.join(tmp, 'human-follow-up'), 'feature', 'main');
    const before = await human.push({ 'src/cart.js': CART }, 'Add a discount');
    const pull = await emulator.createPullRequest(repo, {
      title: 'Add a discount',
      head: 'feature',
      user: 'bob',
    });
    // alice's review comment on the `return` line, stored as GitHub would have it.
    const now = Date.now();
    const comment = {
      id: emulator.state.id(),
      repoId: repo.id,
      pullNumber: pull.number,
      reviewId: null,
      path: 'src/cart.js',
      line: 4,
      side: 'RIGHT' as const,
      startLine: null,
      startSide: null,
      commitId: before,
      diffHunk:
        '@@ -0,0 +1,5 @@\n+export function total(items, discount) {\n+  let sum = 0;\n+  for (const item of items) sum += item.price;\n+  return sum - discount;',
      body: '@claw default the discount to 0',
      user: emulator.state.user('alice'),
      inReplyTo: null,
      createdAt: now - 1000,
      updatedAt: now - 1000,
    };
    emulator.state.reviewComments.push(comment);

    const delivery = await emulator.deliver('pull_request_review_comment', {
      action: 'created',
      comment: emulator.reviewCommentPayload(repo, comment),
      pull_request: await emulator.pullRequestPayload(repo, pull),
      ...emulator.eventContext(repo, 'alice'),
    });
    const final = await waitFor(
      () => {
        const body = trackingCommentBodies(emulator, repo, pull.number).comments[0]?.body;
        const phase = body === undefined ? undefined : trackingPhase(body);
        if (phase === 'failed') throw new Error(`the job failed: ${body}\n${logsOf([worker])}`);
        return phase === 'done' ? body : undefined;
      },
      {
        timeoutMs: 20_000,
        what: 'the tracking comment to say done',
        detail: () => `GitHub requests:\n${requestLog()}\n${logsOf([worker])}`,
      },
    );

    expect(delivery.status).toBe(200);
    // One new commit by the App's bot on the PR branch, on top of the previous head, holding the edit alone.
    const after = (await emulator.branchSha(repo, 'feature'))!;
    expect(after).toMatch(/^[0-9a-f]{40}$/);
    expect(after).not.toBe(before);
    expect((await bareGit(repo, ['rev-parse', `${after}^`])).trim()).toBe(before);
    expect((await bareGit(repo, ['rev-list', '--count', `${before}..${after}`])).trim()).toBe('1');
    expect((await bareGit(repo, ['diff', '--name-only', before, after])).trim()).toBe(
      'src/cart.js',
    );
    const changedLines = (await bareGit(repo, ['diff', before, after]))
      .split('\n')
      .filter((line) => /^[-+](?![-+]{2} )/.test(line));
    expect(changedLines).toEqual(['-  return sum - discount;', '+  return sum - (discount ?? 0);']);
    const bot = `claw[bot] <${emulator.app.bot.id}+claw[bot]@users.noreply.github.com>`;
    expect(
      (await bareGit(repo, ['log', '-1', '--format=%an <%ae>%n%cn <%ce>', after])).trim(),
    ).toBe(`${bot}\n${bot}`);
    expect((await bareGit(repo, ['log', '-1', '--format=%B', after])).trim()).toBe(
      `${FOLLOW_UP_TITLE}\n\nRequested by @alice on #${pull.number}.`,
    );

    // The answer is a reply in alice's thread, with the commit's link; nothing else was posted as a review.
    const thread = emulator.reviewComments(repo, pull.number);
    expect(thread.map((c) => c.id)).toEqual([comment.id, expect.any(Number)]);
    const reply = thread[1]!;
    expect(reply.inReplyTo).toBe(comment.id);
    expect(reply.user.login).toBe('claw[bot]');
    expect(reply.path).toBe('src/cart.js');
    expect(reply.body).toMatch(
      new RegExp(
        `^Pushed \\[\`${after.slice(0, 7)}\`\\]\\(${emulator.url.replaceAll('.', '\\.')}/octo/cart-follow-up/pull/${pull.number}/commits/${after}\\) to \`feature\`: ${FOLLOW_UP_TITLE}\\n\\nExisting callers pass no discount\\.`,
      ),
    );
    expect(createReviewRequests(repo, pull.number)).toEqual([]);
    expect(emulator.reactions()).toContainEqual(
      expect.objectContaining({
        content: 'eyes',
        subject: { type: 'review_comment', id: comment.id },
        user: expect.objectContaining({ login: 'claw[bot]' }),
      }),
    );
    expect(final.startsWith('✅ ')).toBe(true);
    expect(trackingCommentBodies(emulator, repo, pull.number).posts).toBe(1);

    // The agent was told about the thread and the instruction, and played the whole script.
    expect(model.requests.map((request) => request.turn)).toEqual([0, 1, 2]);
    const task = taskOf(model, 0);
    expect(task).toContain('review-comment thread on `src/cart.js` line 4');
    expect(task).toContain('<comment author="alice">\n@claw default the discount to 0\n</comment>');
    expect(jobLog(worker, 'address-review', 'job completed')).toEqual([`gh-${delivery.id}`]);
    expect(failedAttempts(worker)).toEqual([]);
    emulator.assertNoViolations();
    await expectNoTokenLeaks(world(), [worker], [model], cacheDir);
  }, 35_000);
});
