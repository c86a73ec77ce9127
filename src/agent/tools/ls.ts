// `LS {path, ignore?}`: the tree under a folder (what .gitignore keeps), capped with a visible marker.
import { stat } from 'node:fs/promises';
import picomatch from 'picomatch';
import { z } from 'zod';
import { listFiles } from './list-files.js';
import { resolveInWorktree } from './resolve-path.js';
import { defineTool, ToolFailure } from './tool.js';

const MAX_ENTRIES = 1000;

export const LSInput = z.strictObject({
  path: z.string().describe('The folder to list: a path inside the repository ("." for the root).'),
  ignore: z.array(z.string()).optional().describe('Glob patterns of names or paths to leave out.'),
});
export type LSInput = z.infer<typeof LSInput>;

interface Node {
  dirs: Map<string, Node>;
  files: string[];
}

export const lsTool = defineTool<LSInput>({
  name: 'LS',
  readOnly: true,
  input: LSInput,
  description: `Lists the files and folders under a path as a tree (skipping what .gitignore ignores), at most ${MAX_ENTRIES} entries. Prefer Glob and Grep when you know what you are looking for.`,
  async run(input, context) {
    const base = resolveInWorktree(context.worktree, input.path);
    const info = await stat(base.absolute).catch(() => undefined);
    if (info === undefined) throw new ToolFailure(`The folder "${base.relative}" does not exist.`);
    if (!info.isDirectory())
      throw new ToolFailure(`"${base.relative}" is a file; use Read to see it.`);
    const ignore = (input.ignore ?? []).map((pattern) => picomatch(pattern, { dot: true }));
    const prefix = base.relative === '.' ? '' : `${base.relative}/`;
    const root: Node = { dirs: new Map(), files: [] };
    for (const file of await listFiles(context.worktree, base.relative, context.signal)) {
      const parts = file.slice(prefix.length).split('/');
      const skipped = parts.some((_, index) => {
        const partial = parts.slice(0, index + 1).join('/');
        const name = parts[index] ?? '';
        return ignore.some((match) => match(name) || match(partial));
      });
      if (skipped) continue;
      let node = root;
      for (const dir of parts.slice(0, -1)) {
        let child = node.dirs.get(dir);
        if (child === undefined) {
          child = { dirs: new Map(), files: [] };
          node.dirs.set(dir, child);
        }
        node = child;
      }
      node.files.push(parts.at(-1) ?? '');
    }
    const lines: string[] = [`${base.relative === '.' ? '.' : base.relative}/`];
    let total = 0;
    const render = (node: Node, indent: string): void => {
      for (const [name, child] of [...node.dirs.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        total++;
        if (lines.length <= MAX_ENTRIES) lines.push(`${indent}- ${name}/`);
        render(child, `${indent}  `);
      }
      for (const name of [...node.files].sort()) {
        total++;
        if (lines.length <= MAX_ENTRIES) lines.push(`${indent}- ${name}`);
      }
    };
    render(root, '  ');
    if (total === 0) return `${base.relative} is empty (or everything in it is ignored).`;
    if (total > MAX_ENTRIES)
      lines.push(`[${total - MAX_ENTRIES} more entries not shown; list a subfolder or use Glob.]`);
    return lines.join('\n');
  },
});
