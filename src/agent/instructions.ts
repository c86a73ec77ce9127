// Loads the repository's own instructions for agents (AGENTS.md, CLAUDE.md, .github/claw.md) into the
// system prompt, through the path resolver (a symlink pointing out is skipped) and under a size cap.
import { readFile } from 'node:fs/promises';
import { resolveInWorktree } from './tools/index.js';

export const INSTRUCTION_FILES = ['AGENTS.md', 'CLAUDE.md', '.github/claw.md'] as const;
export const DEFAULT_INSTRUCTIONS_MAX_CHARS = 32_000;

export interface LoadedInstructions {
  text: string;
  files: string[];
  truncated: boolean;
}

export async function loadInstructions(
  worktree: string,
  maxChars: number = DEFAULT_INSTRUCTIONS_MAX_CHARS,
): Promise<LoadedInstructions> {
  const parts: string[] = [];
  const files: string[] = [];
  for (const name of INSTRUCTION_FILES) {
    let content: string;
    try {
      const resolved = resolveInWorktree(worktree, name);
      content = await readFile(resolved.absolute, 'utf8');
    } catch {
      continue;
    }
    if (content.trim() === '') continue;
    files.push(name);
    parts.push(`<instructions file="${name}">\n${content.trim()}\n</instructions>`);
  }
  const joined = parts.join('\n\n');
  if (joined.length <= maxChars) return { text: joined, files, truncated: false };
  const marker = `\n[... repository instructions cut at ${maxChars} characters ...]`;
  return { text: joined.slice(0, maxChars - marker.length) + marker, files, truncated: true };
}
