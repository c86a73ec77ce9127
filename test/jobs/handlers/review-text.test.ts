// Building the one GitHub review from what the agent submitted, and choosing the files a review covers.
import { ReviewConfig } from '../../../src/config/index.js';
import { parsePatch, reviewedHeadOf, type ReviewFile } from '../../../src/github/index.js';
import {
  buildReview,
  renderNumberedDiff,
  reviewEvent,
  selectReviewFiles,
  type SubmittedReview,
} from '../../../src/jobs/index.js';

const PATCH = [
  '@@ -1,4 +1,5 @@',
  ' export function total(items) {',
  '-  let sum = 1;',
  '+  let sum = 0;',
  '+  // start from zero',
  '   for (const item of items) sum += item.price;',
  '   return sum;',
  '@@ -20,3 +21,3 @@ export function tax(amount) {',
  '   const rate = 0.2;',
  '-  return amount * rate',
  '+  return amount * rate;',
  ' }',
].join('\n');

const files = new Map([['src/cart.js', parsePatch('src/cart.js', PATCH)]]);
const config = ReviewConfig.parse({});
const HEAD = 'a'.repeat(40);

function build(
  submitted: SubmittedReview,
  overrides: Partial<Parameters<typeof buildReview>[0]> = {},
) {
  return buildReview({
    submitted,
    files,
    existing: [],
    config,
    scope: { skippedForSize: [], filtered: 0 },
    headSha: HEAD,
    ownPullRequest: false,
    footer: 'Reviewed aaaaaaa · 3s · 1,000 tokens · $0.0100',
    ...overrides,
  });
}

describe('buildReview', () => {
  it('keeps comments on diff lines inline and folds the others into Other notes with path:line', () => {
    const review = build({
      summary: 'Fixes the off-by-one in total().',
      verdict: 'comment',
      comments: [
        { path: 'src/cart.js', line: 2, side: 'RIGHT', body: 'Good catch, but add a test.' },
        { path: 'src/cart.js', line: 2, side: 'LEFT', body: 'This was the bug.' },
        {
          path: 'src/cart.js',
          line: 12,
          side: 'RIGHT',
          body: 'Unrelated: `discount` can be negative.',
        },
        { path: 'src/other.js', line: 1, side: 'RIGHT', body: 'Not in the PR.' },
      ],
    });

    expect(review.comments).toEqual([
      { path: 'src/cart.js', line: 2, side: 'RIGHT', body: 'Good catch, but add a test.' },
      { path: 'src/cart.js', line: 2, side: 'LEFT', body: 'This was the bug.' },
    ]);
    expect(review.folded).toBe(2);
    expect(review.body).toContain(
      '### Other notes\n\n- `src/cart.js:12`: Unrelated: `discount` can be negative.\n- `src/other.js:1`: Not in the PR.',
    );
    expect(reviewedHeadOf(review.body)).toBe(HEAD);
    expect(review.event).toBe('COMMENT');
  });

  it('writes a suggestion block only where GitHub can apply it', () => {
    const review = build({
      summary: 'Two small fixes.',
      verdict: 'comment',
      comments: [
        {
          path: 'src/cart.js',
          line: 23,
          side: 'RIGHT',
          body: 'Missing semicolon kept?',
          suggestion: '  return amount * rate;',
        },
        {
          path: 'src/cart.js',
          start_line: 2,
          line: 3,
          side: 'RIGHT',
          body: 'Drop the comment.',
          suggestion: '  let sum = 0;\n',
        },
        {
          path: 'src/cart.js',
          start_line: 3,
          line: 22,
          side: 'RIGHT',
          body: 'Across hunks.',
          suggestion: 'x',
        },
      ],
    });

    expect(review.comments[0]?.body).toBe(
      'Missing semicolon kept?\n\n```suggestion\n  return amount * rate;\n```',
    );
    expect(review.comments[1]).toEqual({
      path: 'src/cart.js',
      start_line: 2,
      start_side: 'RIGHT',
      line: 3,
      side: 'RIGHT',
      body: 'Drop the comment.\n\n```suggestion\n  let sum = 0;\n```',
    });
    expect(review.comments).toHaveLength(2);
    expect(review.body).toContain('- `src/cart.js:22`: Across hunks.');
  });

  it('uses a longer fence when the suggestion itself holds backticks', () => {
    const review = build({
      summary: 's',
      verdict: 'comment',
      comments: [
        { path: 'src/cart.js', line: 3, side: 'RIGHT', body: 'b', suggestion: '  // ```js' },
      ],
    });

    expect(review.comments[0]?.body).toBe('b\n\n````suggestion\n  // ```js\n````');
  });

  it('leaves out a comment Claw already made on that line and says the review is incremental', () => {
    const review = build(
      {
        summary: 'Re-review.',
        verdict: 'comment',
        comments: [
          { path: 'src/cart.js', line: 2, side: 'RIGHT', body: 'Add a  test.' },
          { path: 'src/cart.js', line: 3, side: 'RIGHT', body: 'Add a test.' },
        ],
      },
      {
        existing: [{ path: 'src/cart.js', line: 2, body: 'add a test.' }],
        scope: { since: 'b'.repeat(40), skippedForSize: [], filtered: 0 },
      },
    );

    expect(review.comments.map((comment) => comment.line)).toEqual([3]);
    expect(review.repeated).toBe(1);
    expect(review.body).toMatch(/^_Incremental review: only the commits since bbbbbbb/);
  });

  it('says which files were skipped when the PR is over the size limit', () => {
    const review = build(
      { summary: 'Big.', verdict: 'comment', comments: [] },
      { scope: { skippedForSize: ['docs/a.md', 'test/a.test.js'], filtered: 0 } },
    );

    expect(review.body).toContain('larger than the review limit (`review.max_diff_lines` is 3000)');
    expect(review.body).toContain('skipped: `docs/a.md`, `test/a.test.js`.');
  });
});

describe('reviewEvent', () => {
  it.each<[SubmittedReview['verdict'], string[], boolean, string]>([
    ['approve', ['comment'], false, 'COMMENT'],
    ['approve', ['comment', 'approve'], false, 'APPROVE'],
    ['request_changes', ['comment', 'request_changes'], false, 'REQUEST_CHANGES'],
    ['request_changes', ['comment', 'approve'], false, 'COMMENT'],
    ['approve', ['comment', 'approve'], true, 'COMMENT'],
  ])('maps %s with verdicts %j (own PR: %s) to %s', (verdict, verdicts, own, event) => {
    expect(reviewEvent(verdict, ReviewConfig.parse({ verdicts }), own)).toBe(event);
  });
});

describe('renderNumberedDiff', () => {
  it('numbers added and context lines by the new file and removed lines by the old one', () => {
    expect(renderNumberedDiff(files.get('src/cart.js')!).split('\n').slice(0, 5)).toEqual([
      '@@ -1,4 +1,5 @@',
      '1\t  export function total(items) {',
      'L2\t-   let sum = 1;',
      '2\t+   let sum = 0;',
      '3\t+   // start from zero',
    ]);
  });
});

describe('selectReviewFiles', () => {
  const file = (path: string, additions: number): ReviewFile => ({
    diff: parsePatch(path, `@@ -0,0 +1,${additions} @@\n${'+x\n'.repeat(additions)}`, {
      status: 'added',
    }),
    additions,
    deletions: 0,
  });

  it('applies review.paths and review.ignore', () => {
    const selected = selectReviewFiles(
      [file('src/a.ts', 1), file('src/b.lock', 1), file('docs/c.md', 1)],
      ReviewConfig.parse({ paths: ['src/**'], ignore: ['**/*.lock'] }),
    );

    expect(selected.files.map((f) => f.diff.path)).toEqual(['src/a.ts']);
    expect(selected.filtered).toBe(2);
  });

  it('reviews source before tests and docs, biggest first, within max_diff_lines', () => {
    const selected = selectReviewFiles(
      [
        file('docs/guide.md', 50),
        file('src/small.ts', 10),
        file('src/big.ts', 60),
        file('test/big.test.ts', 30),
      ],
      ReviewConfig.parse({ max_diff_lines: 100, ignore: [] }),
    );

    expect(selected.files.map((f) => f.diff.path)).toEqual([
      'src/big.ts',
      'src/small.ts',
      'test/big.test.ts',
    ]);
    expect(selected.skippedForSize).toEqual(['docs/guide.md']);
  });
});
