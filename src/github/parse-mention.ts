// Finds the trigger phrase in Markdown the way a reader sees it: not inside code blocks, inline code,
// `>` quotes or HTML comments, and only at word boundaries; splits `review`/`stop` commands from free instructions.

export type MentionCommand = 'review' | 'stop' | 'instruction';

export interface Mention {
  command: MentionCommand;
  /** The text after the mention (after the command word for `review`/`stop`), trimmed; may be empty. */
  instruction: string;
}

const blank = (text: string) => text.replace(/[^\n]/g, ' ');

/** Replaces code, quotes and comments with spaces of the same length, so offsets still point into the original. */
export function maskNonProse(markdown: string): string {
  // Most comments hold none of the characters that open code, quotes or comments: nothing to mask.
  if (!/[`~><]/.test(markdown)) return markdown;
  let masked = markdown.replace(/<!--[\s\S]*?(?:-->|$)/g, blank);
  const lines = masked.split('\n');
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence !== undefined) {
      if (
        opener !== null &&
        opener[1]?.[0] === fence[0] &&
        (opener[1]?.length ?? 0) >= fence.length
      ) {
        fence = undefined;
      }
      lines[i] = blank(line);
    } else if (opener !== null) {
      fence = opener[1];
      lines[i] = blank(line);
    } else if (/^ {0,3}>/.test(line)) {
      lines[i] = blank(line);
    }
  }
  masked = lines.join('\n');
  // Inline code: a run of N backticks up to the next run of exactly N backticks.
  return masked.replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, blank);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `claw` or `@claw` → `@claw`: a trigger is always an @-mention, never a bare word. */
export function normalizePhrase(phrase: string): string {
  return phrase.startsWith('@') ? phrase : `@${phrase}`;
}

// Phrases come from repo configs: a few per process, so their patterns are compiled once each.
const mentionPatterns = new Map<string, RegExp>();

function mentionPattern(phrase: string): RegExp {
  let pattern = mentionPatterns.get(phrase);
  if (pattern === undefined) {
    pattern = new RegExp(
      `(?<![\\w@./+-])${escapeRegExp(normalizePhrase(phrase))}(?:\\[bot\\])?(?![\\w-])`,
      'i',
    );
    if (mentionPatterns.size >= 1000) mentionPatterns.clear();
    mentionPatterns.set(phrase, pattern);
  }
  return pattern;
}

/** The first mention of `phrase` in `markdown`, or null when there is none a reader would see. */
export function parseMention(markdown: string | null | undefined, phrase: string): Mention | null {
  if (markdown === null || markdown === undefined || markdown === '') return null;
  // Not global or sticky, so exec() keeps no state between calls.
  const match = mentionPattern(phrase).exec(maskNonProse(markdown));
  if (match === null) return null;
  const after = markdown.slice(match.index + match[0].length).replace(/^[\s,:;.!-]+/, '');
  const command = /^(review|stop)\b[\s,:;.!-]*/i.exec(after);
  if (command !== null) {
    return {
      command: (command[1] ?? '').toLowerCase() as 'review' | 'stop',
      instruction: after.slice(command[0].length).trim(),
    };
  }
  return { command: 'instruction', instruction: after.trim() };
}
