// Turns what the review agent submitted into one GitHub review: inline comments only where the diff has the
// line, suggestion blocks only where GitHub can apply them, everything else under "Other notes" in the summary.
import type { ReviewConfig } from '../../config/index.js';
import {
  reviewMarker,
  suggestionAllowed,
  validateCommentPosition,
  type ExistingComment,
  type FileDiff,
  type InlineComment,
  type ReviewEvent,
} from '../../github/index.js';
import { positionOf, type ReviewCommentInput, type SubmittedReview } from './submit-review-tool.js';

export interface ReviewScope {
  /** Set for a re-review: only the commits since this head were reviewed. */
  since?: string | undefined;
  /** Files left out because the diff was over the size limit. */
  skippedForSize: readonly string[];
  /** Files left out by `review.paths` / `review.ignore`. */
  filtered: number;
}

export interface BuiltReview {
  body: string;
  event: ReviewEvent;
  comments: InlineComment[];
  /** Comments that became "Other notes". */
  folded: number;
  /** Comments left out because Claw already said the same on that line. */
  repeated: number;
}

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

function fence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(longest + 1);
}

function commentBody(comment: ReviewCommentInput, files: ReadonlyMap<string, FileDiff>): string {
  if (comment.suggestion === undefined) return comment.body;
  const replacement = comment.suggestion.replace(/\n$/, '');
  const ticks = fence(replacement);
  if (suggestionAllowed(files, positionOf(comment)))
    return `${comment.body}\n\n${ticks}suggestion\n${replacement}\n${ticks}`;
  return `${comment.body}\n\nSuggested change:\n${ticks}\n${replacement}\n${ticks}`;
}

export function reviewEvent(
  verdict: SubmittedReview['verdict'],
  config: ReviewConfig,
  ownPullRequest: boolean,
): ReviewEvent {
  // GitHub refuses an approval or change request on one's own pull request.
  if (ownPullRequest) return 'COMMENT';
  if (verdict === 'approve' && config.verdicts.includes('approve')) return 'APPROVE';
  if (verdict === 'request_changes' && config.verdicts.includes('request_changes'))
    return 'REQUEST_CHANGES';
  return 'COMMENT';
}

export function buildReview(input: {
  submitted: SubmittedReview;
  files: ReadonlyMap<string, FileDiff>;
  existing: readonly ExistingComment[];
  config: ReviewConfig;
  scope: ReviewScope;
  headSha: string;
  ownPullRequest: boolean;
  footer: string;
}): BuiltReview {
  const { submitted, files } = input;
  const said = new Set(
    input.existing.map(
      (comment) => `${comment.path}:${comment.line ?? ''}:${normalize(comment.body)}`,
    ),
  );
  const comments: InlineComment[] = [];
  const otherNotes: string[] = [];
  let repeated = 0;
  for (const comment of submitted.comments) {
    const check = validateCommentPosition(files, positionOf(comment));
    if (!check.ok) {
      otherNotes.push(
        `- \`${comment.path}:${comment.line}\`: ${comment.body.replace(/\n+/g, ' ')}`,
      );
      continue;
    }
    const body = commentBody(comment, files);
    const key = `${comment.path}:${comment.line}:${normalize(body)}`;
    if (said.has(key) || said.has(`${comment.path}:${comment.line}:${normalize(comment.body)}`)) {
      repeated += 1;
      continue;
    }
    said.add(key);
    comments.push({
      path: comment.path,
      line: comment.line,
      side: check.side,
      ...(check.startLine === undefined
        ? {}
        : { start_line: check.startLine, start_side: check.side }),
      body,
    });
  }

  const sections: string[] = [];
  if (input.scope.since !== undefined)
    sections.push(
      `_Incremental review: only the commits since ${input.scope.since.slice(0, 7)} (the last head I reviewed)._`,
    );
  sections.push(submitted.summary.trim());
  if (otherNotes.length > 0) sections.push(`### Other notes\n\n${otherNotes.join('\n')}`);
  if (input.scope.skippedForSize.length > 0) {
    const shown = input.scope.skippedForSize.slice(0, 20).map((file) => `\`${file}\``);
    if (input.scope.skippedForSize.length > 20)
      shown.push(`and ${input.scope.skippedForSize.length - 20} more`);
    sections.push(
      `> [!NOTE]\n> This pull request is larger than the review limit (\`review.max_diff_lines\` is ${input.config.max_diff_lines}), so I reviewed the most important files and skipped: ${shown.join(', ')}.`,
    );
  }
  sections.push(`<sub>${input.footer}</sub>\n${reviewMarker(input.headSha)}`);
  return {
    body: sections.join('\n\n'),
    event: reviewEvent(submitted.verdict, input.config, input.ownPullRequest),
    comments,
    folded: otherNotes.length,
    repeated,
  };
}
