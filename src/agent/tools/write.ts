// `Write {file_path, content}`: creates or overwrites a file inside the worktree; overwriting needs a Read
// first in this session, as in Claude Code, so the model never clobbers content it has not seen.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { resolveInWorktree } from './resolve-path.js';
import { defineTool, ToolFailure } from './tool.js';

export const WriteInput = z.strictObject({
  file_path: z.string().min(1).describe('The file to write: a path inside the repository.'),
  content: z.string().describe('The full content of the file.'),
});
export type WriteInput = z.infer<typeof WriteInput>;

export const writeTool = defineTool<WriteInput>({
  name: 'Write',
  readOnly: false,
  input: WriteInput,
  description:
    'Writes a file, replacing it if it exists. Folders are created as needed. To change part of an existing file prefer Edit; to overwrite one, Read it first.',
  async run(input, context) {
    const target = resolveInWorktree(context.worktree, input.file_path);
    const existing = await stat(target.absolute).catch(() => undefined);
    if (existing?.isDirectory()) throw new ToolFailure(`"${target.relative}" is a directory.`);
    if (existing !== undefined) {
      const readAt = context.session.readFiles.get(target.absolute);
      if (readAt === undefined)
        throw new ToolFailure(
          `"${target.relative}" exists and you have not read it. Read it first, then write it.`,
        );
      if (existing.mtimeMs > readAt)
        throw new ToolFailure(
          `"${target.relative}" changed since you read it. Read it again before writing it.`,
        );
    }
    await mkdir(path.dirname(target.absolute), { recursive: true });
    await writeFile(target.absolute, input.content);
    const after = await stat(target.absolute);
    context.session.readFiles.set(target.absolute, after.mtimeMs);
    context.session.changedFiles.add(target.relative);
    const lines = input.content === '' ? 0 : input.content.split('\n').length;
    return `${existing === undefined ? 'Created' : 'Overwrote'} ${target.relative} (${lines} lines).`;
  },
});
