// Which files a run changed: git's view of the worktree (so Bash edits count), minus what was already
// dirty before the run unless a tool touched it; the tools' own record when this is not a git checkout.
import { execCapture } from './tools/exec-capture.js';

/** Paths git reports as modified, added, deleted or untracked (root-relative). */
export async function dirtyFiles(worktree: string): Promise<Set<string> | undefined> {
  try {
    const result = await execCapture(
      'git',
      ['-c', 'core.quotePath=off', 'status', '--porcelain=v1', '-z', '--untracked-files=all'],
      {
        cwd: worktree,
      },
    );
    if (result.code !== 0) return undefined;
    const files = new Set<string>();
    const parts = result.stdout.split('\0');
    for (let index = 0; index < parts.length; index++) {
      const entry = parts[index] ?? '';
      if (entry.length < 4) continue;
      files.add(entry.slice(3));
      // A rename or copy is followed by its source path.
      if (entry[0] === 'R' || entry[0] === 'C') index++;
    }
    return files;
  } catch {
    return undefined;
  }
}

export async function changedFiles(
  worktree: string,
  baseline: Set<string> | undefined,
  touched: ReadonlySet<string>,
): Promise<string[]> {
  const now = await dirtyFiles(worktree);
  if (now === undefined || baseline === undefined) return [...touched].sort();
  return [...now].filter((file) => !baseline.has(file) || touched.has(file)).sort();
}
