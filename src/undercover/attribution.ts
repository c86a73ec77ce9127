// The AI-attribution policy: with `strip`, AI co-author trailers (Claude, Copilot, Cursor, Gemini, …) and
// "Generated with …" footers are removed; human, Renovate and Dependabot trailers always stay.
import type { Span } from './types.js';

const AI_AUTHOR =
  /\b(?:claude|anthropic|copilot|cursor(?:[ -]?agent)?|gemini|openai|chatgpt|gpt-?[0-9][a-z0-9.-]*|codex|devin[- ]ai|devin-ai-integration|aider|windsurf|codeium|tabnine|codewhisperer|amazon q developer|sweep-ai|google-labs-jules|jules@google|codegen-sh|cline|roo ?code|qodo|coderabbit|claw(?:\[bot\]|-bot)?)\b|@(?:anthropic|openai|cursor|cursor\.sh)\.com\b|noreply@anthropic\.com/i;
const KEEP_AUTHOR = /renovate|dependabot/i;
const TRAILER = /^[ \t]*co-authored-by:[ \t]*([^\n]*)$/gim;
const AI_TOOL =
  '(?:claude(?: code)?|anthropic|copilot|github copilot|cursor|gemini(?: code assist)?|chatgpt|openai codex|codex|aider|devin|windsurf|codeium|tabnine|amazon q|jules|cline|roo code|claw)';
const GENERATED = new RegExp(
  `^[ \\t]*(?:[-*>][ \\t]*)?(?:\\p{Extended_Pictographic}\\uFE0F?[ \\t]*)?(?:this (?:pr|pull request|commit|change|code|description) (?:was|is) )?(?:co-)?(?:generated|written|created|authored) (?:with|by|using|via) [^\\n]{0,40}?${AI_TOOL}\\b[^\\n]{0,120}$`,
  'gimu',
);

/** Spans of whole lines (with their line break) that carry AI attribution. */
export function findAttribution(text: string): Span[] {
  if (!/co-authored-by|generated|written|created|authored/i.test(text)) return [];
  const spans: Span[] = [];
  for (const match of text.matchAll(TRAILER)) {
    const author = match[1] ?? '';
    if (KEEP_AUTHOR.test(author) || !AI_AUTHOR.test(author)) continue;
    spans.push(lineSpan(text, match.index, match[0].length));
  }
  for (const match of text.matchAll(GENERATED))
    spans.push(lineSpan(text, match.index, match[0].length));
  return spans;
}

function lineSpan(text: string, start: number, length: number): Span {
  const end = start + length;
  return {
    start,
    end: text[end] === '\n' ? end + 1 : text.slice(end, end + 2) === '\r\n' ? end + 2 : end,
  };
}
