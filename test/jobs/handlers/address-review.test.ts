// address-review against the GitHub emulator: a follow-up in a review thread pushes a commit to the PR branch and
// replies in the thread; a concurrent human push is rebased onto or explained; a fork Claw cannot push to gets
// suggestions and a patch; a fork that allows maintainer edits gets the commit.
import type { ScriptedTurn } from '../../../src/agent/index.js';
import { createAddressReviewHandler, type AddressReviewPayload } from '../../../src/jobs/index.js';
import { GitConflictError } from '../../../src/lib/index.js';
import {
  flowHarness,
  pushAsHuman,
  run,
  scriptedWith,
  useFlowWorld,
  type Harness,
  type Repo,
} from './support/flow-harness.js';

const world = useFlowWorld('address-review');

const CART = [
  'export function total(items, discount) {',
  '  let sum = 0;',
  '  for (const item of items) sum += item.price;',
  '  return sum - discount;',
  '}',
  '',
].join('\n');

function editTurns(title = 'Default the discount to zero'): ScriptedTurn[] {
  return [
    {
      content: [{ type: 'tool_use', id: 'a1', name: 'Read', input: { file_path: 'src/cart.js' } }],
      stop_reason: 'tool_use',
    },
    {
      content: [
        {
          type: 'tool_use',
          id: 'a2',
          name: 'Edit',
          input: {
            file_path: 'src/cart.js',
            old_string: 'sum - discount',
            new_string: 'sum - (discount ?? 0)',
          },
        },
      ],
      stop_reason: 'tool_use',
    },
    {
      content: [{ type: 'text', text: `Title: ${title}\n\nExisting callers pass no discount.` }],
      stop_reason: 'end_turn',
    },
  ];
}

async function arrangePull(h: Harness) {
  await pushAsHuman(h.repo, 'feature', { 'src/cart.js': CART }, 'Add a discount', 'main');
  return world().emulator.createPullRequest(h.repo, {
    title: 'Add a discount',
    head: 'feature',
    user: 'bob',
  });
}

/** A review comment by alice on a diff line, as GitHub would store it. */
async function reviewComment(repo: Repo, pullNumber: number, body: string, commitId: string) {
  const { emulator } = world();
  const now = Date.now();
  const comment = {
    id: emulator.state.id(),
    repoId: repo.id,
    pullNumber,
    reviewId: null,
    path: 'src/cart.js',
    line: 4,
    side: 'RIGHT' as const,
    startLine: null,
    startSide: null,
    commitId,
    diffHunk:
      '@@ -0,0 +1,5 @@\n+export function total(items, discount) {\n+  let sum = 0;\n+  for (const item of items) sum += item.price;\n+  return sum - discount;',
    body,
    user: emulator.state.user('alice'),
    inReplyTo: null,
    createdAt: now - 1000,
    updatedAt: now - 1000,
  };
  emulator.state.reviewComments.push(comment);
  return comment;
}

function payload(
  h: Harness,
  number: number,
  commentId: number,
  instruction: string,
): AddressReviewPayload {
  return {
    kind: 'address-review',
    deliveryId: `delivery-${h.id}`,
    installationId: world().emulator.installationId(h.repo),
    owner: h.repo.owner.login,
    repo: h.repo.name,
    number,
    actor: 'alice',
    source: 'review-comment',
    commentId,
    inReplyToId: commentId,
    instruction,
    enqueuedAt: Date.now(),
  };
}

async function fileOn(repo: Repo, ref: string, file: string): Promise<string> {
  return (await run('git', ['--git-dir', repo.bareDir, 'show', `${ref}:${file}`])).stdout;
}

describe('address-review handler', () => {
  it('pushes a commit to the PR branch and replies in the review thread with its link', async () => {
    const h = await flowHarness(world(), {
      files: { 'README.md': '# cart\n' },
      turns: editTurns(),
    });
    const pull = await arrangePull(h);
    const before = (await world().emulator.branchSha(h.repo, 'feature'))!;
    const comment = await reviewComment(
      h.repo,
      pull.number,
      '@claw default the discount to 0',
      before,
    );
    let task = '';
    h.deps.createProvider = () => {
      const provider = scriptedWith(editTurns());
      return {
        ...provider,
        complete: (request) => {
          const first = request.messages[0]?.content[0];
          if (task === '' && first?.type === 'text') task = first.text;
          return provider.complete(request);
        },
      };
    };

    const result = await createAddressReviewHandler(h.deps)(
      payload(h, pull.number, comment.id, 'default the discount to 0'),
      h.ctx,
    );

    const { emulator } = world();
    const after = (await emulator.branchSha(h.repo, 'feature'))!;
    expect(after).not.toBe(before);
    expect(
      (await run('git', ['--git-dir', h.repo.bareDir, 'rev-parse', `${after}^`])).stdout.trim(),
    ).toBe(before);
    expect(await fileOn(h.repo, 'feature', 'src/cart.js')).toContain(
      'return sum - (discount ?? 0);',
    );
    const replies = emulator
      .reviewComments(h.repo, pull.number)
      .filter((c) => c.inReplyTo === comment.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.body).toMatch(
      new RegExp(
        `^Pushed \\[\`${after.slice(0, 7)}\`\\]\\(\\S+/pull/${pull.number}/commits/${after}\\) to \`feature\`: Default the discount to zero\\n\\nExisting callers pass no discount\\.`,
      ),
    );
    expect(task).toContain('review-comment thread on `src/cart.js` line 4');
    expect(task).toContain('<comment author="alice">\n@claw default the discount to 0\n</comment>');
    expect(task).toContain('4\t+   return sum - discount;');
    expect(result.summary).toMatch(/^Pushed [0-9a-f]{7} to `feature` and replied: /);
  });

  it('rebases onto a human push that landed during the run and says so', async () => {
    const h = await flowHarness(world(), { files: { 'README.md': '# cart\n' } });
    const pull = await arrangePull(h);
    const before = (await world().emulator.branchSha(h.repo, 'feature'))!;
    const comment = await reviewComment(h.repo, pull.number, '@claw fix it', before);
    let human = '';
    h.deps.createProvider = () =>
      scriptedWith(editTurns(), async (index) => {
        if (index === 2)
          human = await pushAsHuman(
            h.repo,
            'feature',
            { 'docs/discount.md': 'Discounts.\n' },
            'Document it',
          );
      });

    await createAddressReviewHandler(h.deps)(payload(h, pull.number, comment.id, 'fix it'), h.ctx);

    const after = (await world().emulator.branchSha(h.repo, 'feature'))!;
    expect(
      (await run('git', ['--git-dir', h.repo.bareDir, 'rev-parse', `${after}^`])).stdout.trim(),
    ).toBe(human);
    expect(await fileOn(h.repo, 'feature', 'src/cart.js')).toContain('(discount ?? 0)');
    expect(await fileOn(h.repo, 'feature', 'docs/discount.md')).toBe('Discounts.\n');
    const reply = world()
      .emulator.reviewComments(h.repo, pull.number)
      .find((c) => c.inReplyTo === comment.id);
    expect(reply?.body).toContain('(rebased onto a push that landed meanwhile)');
  });

  it('pushes nothing and explains in the thread when a human push conflicts with the change', async () => {
    const h = await flowHarness(world(), { files: { 'README.md': '# cart\n' } });
    const pull = await arrangePull(h);
    const before = (await world().emulator.branchSha(h.repo, 'feature'))!;
    const comment = await reviewComment(h.repo, pull.number, '@claw fix it', before);
    let human = '';
    h.deps.createProvider = () =>
      scriptedWith(editTurns(), async (index) => {
        if (index === 2)
          human = await pushAsHuman(
            h.repo,
            'feature',
            { 'src/cart.js': CART.replace('sum - discount', 'sum - Math.max(discount, 0)') },
            'Clamp the discount',
          );
      });

    const outcome = createAddressReviewHandler(h.deps)(
      payload(h, pull.number, comment.id, 'fix it'),
      h.ctx,
    );

    await expect(outcome).rejects.toBeInstanceOf(GitConflictError);
    expect(await world().emulator.branchSha(h.repo, 'feature')).toBe(human);
    const reply = world()
      .emulator.reviewComments(h.repo, pull.number)
      .find((c) => c.inReplyTo === comment.id);
    expect(reply?.body).toMatch(
      /^I made the change but did not push it: Someone pushed to feature while Claw worked/,
    );
  });

  it('posts the change as suggestions and a patch when the fork does not allow maintainer edits', async () => {
    const { emulator } = world();
    const h = await flowHarness(world(), {
      files: { 'README.md': '# cart\n' },
      turns: editTurns(),
    });
    const fork = await emulator.fork(h.repo, { owner: 'bob' });
    await pushAsHuman(fork, 'feature', { 'src/cart.js': CART }, 'Add a discount', 'main');
    const pull = await emulator.createForkPullRequest(h.repo, fork, {
      head: 'feature',
      title: 'Add a discount',
      user: 'bob',
      maintainerCanModify: false,
    });
    const forkTip = await emulator.branchSha(fork, 'feature');
    const comment = await reviewComment(h.repo, pull.number, '@claw fix it', forkTip!);

    const result = await createAddressReviewHandler(h.deps)(
      payload(h, pull.number, comment.id, 'fix it'),
      h.ctx,
    );

    expect(await emulator.branchSha(fork, 'feature')).toBe(forkTip);
    const suggestion = emulator
      .reviewComments(h.repo, pull.number)
      .find((c) => c.body.startsWith('```suggestion'));
    expect(suggestion).toMatchObject({ path: 'src/cart.js', line: 4, side: 'RIGHT' });
    expect(suggestion?.body).toBe('```suggestion\n  return sum - (discount ?? 0);\n```');
    const reply = emulator
      .reviewComments(h.repo, pull.number)
      .find((c) => c.inReplyTo === comment.id);
    expect(reply?.body).toMatch(
      /^I can't push to `bob\/repo-\d+` \(maintainer edits are off for this pull request\)/,
    );
    expect(reply?.body).toContain('<details><summary>The full patch (for `git apply`)</summary>');
    expect(reply?.body).toContain('+  return sum - (discount ?? 0);');
    expect(result.summary).toMatch(/^Suggested the change \(1 suggestion\)/);
  });

  it('pushes to the fork branch when the fork allows maintainer edits', async () => {
    const { emulator } = world();
    const h = await flowHarness(world(), {
      files: { 'README.md': '# cart\n' },
      turns: editTurns(),
    });
    const fork = await emulator.fork(h.repo, { owner: 'carol' });
    await pushAsHuman(fork, 'feature', { 'src/cart.js': CART }, 'Add a discount', 'main');
    const pull = await emulator.createForkPullRequest(h.repo, fork, {
      head: 'feature',
      title: 'Add a discount',
      user: 'carol',
    });
    const forkTip = await emulator.branchSha(fork, 'feature');
    const comment = await reviewComment(h.repo, pull.number, '@claw fix it', forkTip!);

    await createAddressReviewHandler(h.deps)(payload(h, pull.number, comment.id, 'fix it'), h.ctx);

    expect(await emulator.branchSha(fork, 'feature')).not.toBe(forkTip);
    expect(await fileOn(fork, 'feature', 'src/cart.js')).toContain('(discount ?? 0)');
    expect(await emulator.pullHeadSha(h.repo, pull.number)).toBe(
      await emulator.branchSha(fork, 'feature'),
    );
  });

  it('replies with what it found and pushes nothing when no change is needed', async () => {
    const h = await flowHarness(world(), {
      files: { 'README.md': '# cart\n' },
      turns: [
        {
          content: [
            {
              type: 'text',
              text: 'No change: callers always pass a discount (checked checkout.js).',
            },
          ],
          stop_reason: 'end_turn',
        },
      ],
    });
    const pull = await arrangePull(h);
    const before = await world().emulator.branchSha(h.repo, 'feature');
    const comment = await reviewComment(h.repo, pull.number, '@claw is this safe?', before!);

    const result = await createAddressReviewHandler(h.deps)(
      payload(h, pull.number, comment.id, 'is this safe?'),
      h.ctx,
    );

    expect(await world().emulator.branchSha(h.repo, 'feature')).toBe(before);
    const reply = world()
      .emulator.reviewComments(h.repo, pull.number)
      .find((c) => c.inReplyTo === comment.id);
    expect(reply?.body).toMatch(/^No change made\.\n\nNo change: callers always pass a discount/);
    expect(result.summary).toMatch(/^No change made; replied in the thread/);
  });
});
