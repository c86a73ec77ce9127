// `Edit {file_path, old_string, new_string, replace_all?}`: an exact string replacement. A missing or
// ambiguous old_string, or a file not read first, is an error the model can act on.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { resolveInWorktree } from './resolve-path.js';
import { defineTool, ToolFailure } from './tool.js';

const SYNC_IO_BYTES = 256 * 1024;

export const EditInput = z.strictObject({
  file_path: z.string().min(1).describe('The file to change: a path inside the repository.'),
  old_string: z.string().min(1).describe('The exact text to replace, including indentation.'),
  new_string: z.string().describe('The text to put in its place (must differ from old_string).'),
  replace_all: z.boolean().optional().describe('Replace every occurrence instead of exactly one.'),
});
export type EditInput = z.infer<typeof EditInput>;

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length))
    count++;
  return count;
}

export const editTool = defineTool<EditInput>({
  name: 'Edit',
  readOnly: false,
  input: EditInput,
  description:
    'Replaces exact text in a file. Read the file first. old_string must match exactly once (add surrounding lines to make it unique) unless replace_all is true.',
  async run(input, context) {
    const target = resolveInWorktree(context.worktree, input.file_path);
    const info = statSync(target.absolute, { throwIfNoEntry: false });
    if (info === undefined)
      throw new ToolFailure(
        `The file "${target.relative}" does not exist. To create it, use Write.`,
      );
    if (info.isDirectory()) throw new ToolFailure(`"${target.relative}" is a directory.`);
    const readAt = context.session.readFiles.get(target.absolute);
    if (readAt === undefined)
      throw new ToolFailure(
        `You have not read "${target.relative}" in this session. Read it first, then edit it.`,
      );
    if (info.mtimeMs > readAt)
      throw new ToolFailure(
        `"${target.relative}" changed since you read it. Read it again, then edit it.`,
      );
    if (input.old_string === input.new_string)
      throw new ToolFailure('old_string and new_string are the same; there is nothing to change.');
    // Source files are small: synchronous I/O avoids four thread-pool round trips per edit.
    const small = info.size <= SYNC_IO_BYTES;
    const text = small
      ? readFileSync(target.absolute, 'utf8')
      : await readFile(target.absolute, 'utf8');
    const count = countOccurrences(text, input.old_string);
    if (count === 0)
      throw new ToolFailure(
        `old_string was not found in "${target.relative}". It must match exactly, including whitespace; Read the file again and copy the text.`,
      );
    if (count > 1 && input.replace_all !== true)
      throw new ToolFailure(
        `old_string occurs ${count} times in "${target.relative}". Include more surrounding lines to make it unique, or set replace_all to true.`,
      );
    const updated =
      input.replace_all === true
        ? text.split(input.old_string).join(input.new_string)
        : text.replace(input.old_string, () => input.new_string);
    if (small) writeFileSync(target.absolute, updated);
    else await writeFile(target.absolute, updated);
    const after = statSync(target.absolute);
    context.session.readFiles.set(target.absolute, after.mtimeMs);
    context.session.changedFiles.add(target.relative);
    return `Edited ${target.relative}: replaced ${input.replace_all === true ? count : 1} occurrence${count > 1 && input.replace_all === true ? 's' : ''}.`;
  },
});
