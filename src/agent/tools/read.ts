// `Read {file_path, offset?, limit?}`: a file with cat -n style line numbers, at most 2000 lines per call,
// saying so when it truncates; it records the read so Edit and Write can require it.
import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { resolveInWorktree } from './resolve-path.js';
import { capOutput, defineTool, ToolFailure } from './tool.js';

export const MAX_READ_LINES = 2000;
const MAX_LINE_CHARS = 2000;
const MAX_READ_CHARS = 100_000;
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const SYNC_READ_BYTES = 256 * 1024;

export const ReadInput = z.strictObject({
  file_path: z
    .string()
    .min(1)
    .describe('The file to read: a path inside the repository (relative or absolute).'),
  offset: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('The line number to start at (1-based). Only for large files.'),
  limit: z
    .number()
    .int()
    .positive()
    .optional()
    .describe(`How many lines to read (at most ${MAX_READ_LINES}).`),
});
export type ReadInput = z.infer<typeof ReadInput>;

export const readTool = defineTool<ReadInput>({
  name: 'Read',
  readOnly: true,
  input: ReadInput,
  description: [
    'Reads a file from the repository and returns its lines numbered like `cat -n`.',
    `By default it returns up to ${MAX_READ_LINES} lines from the start; use offset and limit for longer files.`,
    `Lines longer than ${MAX_LINE_CHARS} characters are cut. Read a file before you Edit or overwrite it.`,
  ].join(' '),
  async run(input, context) {
    const target = resolveInWorktree(context.worktree, input.file_path);
    let info: Stats;
    try {
      info = statSync(target.absolute);
    } catch {
      throw new ToolFailure(
        `The file "${target.relative}" does not exist. Use Glob or LS to find the right path.`,
      );
    }
    if (info.isDirectory())
      throw new ToolFailure(`"${target.relative}" is a directory, not a file. Use LS to list it.`);
    if (info.size > MAX_FILE_BYTES)
      throw new ToolFailure(
        `"${target.relative}" is ${info.size} bytes, too large to read. Use Grep to find the part you need.`,
      );
    // Small files are read synchronously: two thread-pool round trips cost more than the read itself.
    const buffer =
      info.size <= SYNC_READ_BYTES
        ? readFileSync(target.absolute)
        : await readFile(target.absolute);
    if (buffer.subarray(0, 8000).includes(0))
      throw new ToolFailure(
        `"${target.relative}" is a binary file (${info.size} bytes); Read only shows text.`,
      );
    context.session.readFiles.set(target.absolute, info.mtimeMs);
    const text = buffer.toString('utf8');
    if (text === '') return `(the file "${target.relative}" is empty)`;
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    const start = (input.offset ?? 1) - 1;
    if (start >= lines.length)
      throw new ToolFailure(
        `"${target.relative}" has ${lines.length} lines; offset ${input.offset ?? 1} is past the end.`,
      );
    const limit = Math.min(input.limit ?? MAX_READ_LINES, MAX_READ_LINES);
    const slice = lines.slice(start, start + limit);
    const body = slice
      .map((line, index) => {
        const shown =
          line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}… [line cut]` : line;
        return `${String(start + index + 1).padStart(6)}\t${shown}`;
      })
      .join('\n');
    const end = start + slice.length;
    const note =
      end < lines.length
        ? `\n\n[Showing lines ${start + 1}-${end} of ${lines.length}. Call Read with offset ${end + 1} to continue.]`
        : '';
    return capOutput(body, MAX_READ_CHARS) + note;
  },
});
