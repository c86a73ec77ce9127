// Cleans issue and comment text before it reaches the model: hidden HTML comments, invisible and bidi characters,
// and text hidden in image alt attributes and link titles are removed; comments edited after the trigger are dropped.

// Format characters (zero-width, bidi controls, tag characters used for "ASCII smuggling", soft hyphen…) render as
// nothing, so a human reviewer cannot see instructions written with them. ZWJ inside emoji is kept.
const INVISIBLE = /\p{Cf}|[\u{FE00}-\u{FE0E}\u{E0100}-\u{E01EF}\u3164\uFFA0\u115F\u1160]/gu;
const EMOJI_ZWJ = /(\p{Extended_Pictographic}\uFE0F?)\u200D(?=\p{Extended_Pictographic})/gu;
const ZWJ_PLACEHOLDER = '\u0000zwj\u0000';

function stripInvisible(text: string): string {
  return text
    .replace(EMOJI_ZWJ, `$1${ZWJ_PLACEHOLDER}`)
    .replace(INVISIBLE, '')
    .replaceAll(ZWJ_PLACEHOLDER, '\u200D');
}

function stripHtmlComments(text: string): string {
  // An unterminated comment hides the rest of the text on GitHub, so it is dropped to the end.
  return text.replace(/<!--[\s\S]*?(?:-->|$)/g, '');
}

function stripHiddenMarkdown(text: string): string {
  return (
    text
      // ![alt](url "title") and ![alt][ref]: alt text and titles are not shown in the rendered issue.
      // Whitespace runs are matched by one quantifier each, so a failed match cannot backtrack quadratically.
      .replace(
        /!\[[^[\]\n]*\]\([ \t]*(<[^<>\n]*>|[^()[\]\s<>]*)[ \t]*(?:(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\))[ \t]*)?\)/g,
        '![]($1)',
      )
      .replace(/!\[[^[\]\n]*\]\[([^[\]\n]*)\]/g, '![][$1]')
      // [text](url "title"): the title only shows on hover.
      .replace(
        /(?<!!)\[([^[\]\n]*)\]\([ \t]*(<[^<>\n]*>|[^()[\]\s<>]*)[ \t]*(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\))[ \t]*\)/g,
        '[$1]($2)',
      )
      // <img alt="…" title="…">
      .replace(/<img\b[^<>]*>/gi, (tag) =>
        tag.replace(/\s(?:alt|title|aria-label)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)/gi, ''),
      )
  );
}

/** The text a human sees when GitHub renders it, minus anything hidden from them. */
export function sanitizeIssueText(markdown: string): string {
  const visible = stripHiddenMarkdown(stripHtmlComments(stripInvisible(markdown.normalize('NFC'))));
  // trimEnd per line rather than /[ \t]+$/gm, which is quadratic on a long run of spaces before text.
  return visible
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

export interface TimedComment {
  body: string;
  created_at: string;
  updated_at: string;
}

/**
 * The comments the agent may read: written before the trigger and not edited after it, so nobody can change
 * the instructions after a maintainer asked Claw to act on them.
 */
export function commentsBeforeTrigger<T extends TimedComment>(
  comments: readonly T[],
  triggeredAt: string | Date,
): T[] {
  const limit = new Date(triggeredAt).getTime();
  return comments
    .filter(
      (comment) =>
        new Date(comment.created_at).getTime() <= limit &&
        new Date(comment.updated_at).getTime() <= limit,
    )
    .map((comment) => ({ ...comment, body: sanitizeIssueText(comment.body) }));
}
