// The review agent's last tool: SubmitReview records the summary, the verdict and the inline comments and ends the
// run. Positions are checked against the diff here, so the model hears at once which lines it cannot comment on.
import { z } from 'zod';
import { defineTool, type Tool } from '../../agent/index.js';
import {
  validateCommentPosition,
  type CommentPosition,
  type FileDiff,
} from '../../github/index.js';

export const ReviewCommentInput = z
  .object({
    path: z.string().min(1).describe('File path relative to the repository root, as in the diff.'),
    line: z
      .number()
      .int()
      .positive()
      .describe(
        'The line the comment is on (the last line of a range): new-file numbering for side RIGHT.',
      ),
    side: z
      .enum(['RIGHT', 'LEFT'])
      .default('RIGHT')
      .describe(
        'RIGHT for added or unchanged lines (new file), LEFT for removed lines (old file).',
      ),
    start_line: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('The first line of a multi-line comment, in the same hunk as `line`.'),
    body: z.string().min(1).describe('The comment: the problem, why it matters, and the fix.'),
    suggestion: z
      .string()
      .optional()
      .describe(
        'Replacement text for lines start_line..line (or line) on the RIGHT side, without fences; becomes a suggestion the author can apply.',
      ),
  })
  .strict();
export type ReviewCommentInput = z.infer<typeof ReviewCommentInput>;

export const SubmitReviewInput = z
  .object({
    summary: z
      .string()
      .min(1)
      .describe(
        'The review summary in Markdown: what the change does, and the most important findings first.',
      ),
    verdict: z.enum(['comment', 'approve', 'request_changes']),
    comments: z.array(ReviewCommentInput).max(50).default([]),
  })
  .strict();
export type SubmitReviewInput = z.infer<typeof SubmitReviewInput>;

/** Where a comment sits, in the shape the diff checks take. */
export function positionOf(comment: ReviewCommentInput): CommentPosition {
  return {
    path: comment.path,
    line: comment.line,
    side: comment.side,
    ...(comment.start_line === undefined ? {} : { start_line: comment.start_line }),
  };
}

export interface SubmittedReview {
  summary: string;
  verdict: SubmitReviewInput['verdict'];
  comments: ReviewCommentInput[];
}

/** The tool plus where its submission lands; `submitted()` is undefined until the model called it. */
export function createSubmitReviewTool(files: ReadonlyMap<string, FileDiff>): {
  tool: Tool;
  submitted(): SubmittedReview | undefined;
} {
  let review: SubmittedReview | undefined;
  const tool = defineTool<SubmitReviewInput>({
    name: 'SubmitReview',
    description:
      'Submits your review and ends the run. Call it exactly once, when you have finished reviewing. Inline comments must be on lines of the diff: RIGHT side for added and context lines, LEFT for removed lines; a comment elsewhere is moved into the summary under "Other notes".',
    readOnly: false,
    input: SubmitReviewInput as z.ZodType<SubmitReviewInput>,
    run: (input, context) => {
      review = { summary: input.summary, verdict: input.verdict, comments: input.comments };
      context.session.finished = true;
      const outside = input.comments.filter(
        (comment) => !validateCommentPosition(files, positionOf(comment)).ok,
      ).length;
      return Promise.resolve(
        `Review submitted with ${input.comments.length - outside} inline comment(s)` +
          (outside > 0
            ? ` and ${outside} moved to "Other notes" because their lines are not in the diff.`
            : '.'),
      );
    },
  });
  return { tool: tool as Tool, submitted: () => review };
}
