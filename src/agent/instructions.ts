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

/** Reads one instruction file; undefined when it is missing. */
export type InstructionReader = (name: string) => Promise<string | undefined>;

export async function loadInstructions(
  worktree: string,
  maxChars: number = DEFAULT_INSTRUCTIONS_MAX_CHARS,
  read?: InstructionReader,
): Promise<LoadedInstructions> {
  const parts: string[] = [];
  const files: string[] = [];
  const fromWorktree: InstructionReader = async (name) => {
    try {
      return await readFile(resolveInWorktree(worktree, name).absolute, 'utf8');
    } catch {
      // Missing, unreadable, or a symlink out of the worktree: no instructions from it.
      return undefined;
    }
  };
  for (const name of INSTRUCTION_FILES) {
    const content = await (read ?? fromWorktree)(name);
    if (content === undefined) continue;
    if (content.trim() === '') continue;
    files.push(name);
    parts.push(`<instructions file="${name}">\n${content.trim()}\n</instructions>`);
  }
  const joined = parts.join('\n\n');
  if (joined.length <= maxChars) return { text: joined, files, truncated: false };
  const marker = `\n[... repository instructions cut at ${maxChars} characters ...]`;
  return { text: joined.slice(0, maxChars - marker.length) + marker, files, truncated: true };
}
