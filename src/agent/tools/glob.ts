// `Glob {pattern, path?}`: files matching a glob pattern, respecting .gitignore, newest first.
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { listFiles } from './list-files.js';
import { resolveInWorktree } from './resolve-path.js';
import { defineTool, ToolFailure } from './tool.js';

const MAX_RESULTS = 100;

export const GlobInput = z.strictObject({
  pattern: z.string().min(1).describe('A glob such as "**/*.ts" or "src/**/*.test.ts".'),
  path: z
    .string()
    .optional()
    .describe('The folder to search in; the repository root when omitted.'),
});
export type GlobInput = z.infer<typeof GlobInput>;

export const globTool = defineTool<GlobInput>({
  name: 'Glob',
  readOnly: true,
  input: GlobInput,
  description: `Finds files by glob pattern (e.g. "**/*.ts"), skipping what .gitignore ignores. Returns paths relative to the repository root, most recently modified first, at most ${MAX_RESULTS}.`,
  async run(input, context) {
    const base = resolveInWorktree(context.worktree, input.path ?? '.');
    const baseStat = statSync(base.absolute, { throwIfNoEntry: false });
    if (baseStat === undefined)
      throw new ToolFailure(`The folder "${base.relative}" does not exist.`);
    if (!baseStat.isDirectory())
      throw new ToolFailure(`"${base.relative}" is a file, not a folder.`);
    const pattern = input.pattern.replace(/^\.\//, '');
    let matcher: (file: string) => boolean;
    try {
      matcher = picomatch(pattern, { dot: true });
    } catch (error) {
      throw new ToolFailure(
        `The pattern "${input.pattern}" is not a valid glob: ${(error as Error).message}`,
      );
    }
    // List only under the pattern's literal leading folders (src/** → src), so git does not walk the whole tree.
    const literal: string[] = [];
    for (const segment of pattern.split('/').slice(0, -1)) {
      if (/[*?[\]{}()!+@]/.test(segment)) break;
      literal.push(segment);
    }
    const scope =
      [base.relative === '.' ? '' : base.relative, ...literal]
        .filter((part) => part !== '')
        .join('/') || '.';
    const files = await listFiles(context.worktree, scope, context.signal);
    const prefix = base.relative === '.' ? '' : `${base.relative}/`;
    const matched = files.filter((file) => matcher(file.slice(prefix.length)));
    const withTimes = await Promise.all(
      matched.map(async (file) => {
        const info = await stat(path.join(context.worktree, file)).catch(() => undefined);
        return info?.isFile() === true ? { file, mtime: info.mtimeMs } : undefined;
      }),
    );
    const present = withTimes.filter((entry) => entry !== undefined);
    present.sort((a, b) => b.mtime - a.mtime || a.file.localeCompare(b.file));
    if (present.length === 0) return `No files match "${input.pattern}" in ${base.relative}.`;
    const shown = present.slice(0, MAX_RESULTS).map((entry) => entry.file);
    const more =
      present.length > MAX_RESULTS
        ? `\n[${present.length - MAX_RESULTS} more files match; narrow the pattern or the path to see them.]`
        : '';
    return shown.join('\n') + more;
  },
});
