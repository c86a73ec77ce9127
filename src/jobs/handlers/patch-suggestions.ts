// For a pull request Claw cannot push to: turns its change (a zero-context diff against the PR head) into
// suggestion comments where GitHub can apply them, and says which parts only the full patch carries.
import {
  parseFileDiffs,
  suggestionAllowed,
  type FileDiff,
  type InlineComment,
} from '../../github/index.js';

export interface PatchSuggestions {
  comments: InlineComment[];
  /** `path` or `path:line` of the changes no suggestion could carry. */
  leftover: string[];
}

function fenceFor(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return '`'.repeat(longest + 1);
}

/** `change` must be `git diff --unified=0 <PR head> <Claw's commit>`. */
export function patchSuggestions(
  change: string,
  pullFiles: ReadonlyMap<string, FileDiff>,
): PatchSuggestions {
  const comments: InlineComment[] = [];
  const leftover: string[] = [];
  for (const file of parseFileDiffs(change)) {
    if (file.status !== 'modified' || file.binary) {
      leftover.push(file.path);
      continue;
    }
    for (const hunk of file.hunks) {
      if (hunk.oldLines === 0) {
        leftover.push(`${file.path}:${hunk.oldStart}`);
        continue;
      }
      const start = hunk.oldStart;
      const end = hunk.oldStart + hunk.oldLines - 1;
      const position = {
        path: file.path,
        line: end,
        side: 'RIGHT' as const,
        ...(start < end ? { start_line: start } : {}),
      };
      if (!suggestionAllowed(pullFiles, position)) {
        leftover.push(`${file.path}:${start}`);
        continue;
      }
      const replacement = hunk.lines
        .filter((line) => line.kind === 'add')
        .map((line) => line.text)
        .join('\n');
      const ticks = fenceFor(replacement);
      comments.push({
        ...position,
        ...(start < end ? { start_side: 'RIGHT' as const } : {}),
        body: `${ticks}suggestion\n${replacement}\n${ticks}`,
      });
    }
  }
  return { comments, leftover };
}
