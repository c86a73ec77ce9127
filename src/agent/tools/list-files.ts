// Lists the files of the worktree that git would consider (tracked plus untracked, minus .gitignore'd),
// falling back to a plain directory walk outside git; Glob and LS share it.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { execCapture } from './exec-capture.js';

/** Root-relative, forward-slash paths of the files under `relativeDir` ('.' for all). */
export async function listFiles(
  worktree: string,
  relativeDir: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const pathspec = relativeDir === '.' ? [] : ['--', relativeDir];
  try {
    const result = await execCapture(
      'git',
      [
        '-c',
        'core.quotePath=off',
        'ls-files',
        '-z',
        '--cached',
        '--others',
        '--exclude-standard',
        ...pathspec,
      ],
      { cwd: worktree, ...(signal !== undefined ? { signal } : {}) },
    );
    if (result.code === 0)
      return [...new Set(result.stdout.split('\0').filter((file) => file !== ''))];
  } catch {
    // git is missing or this is not a repository: walk the folder instead.
  }
  return walk(worktree, relativeDir === '.' ? '' : relativeDir);
}

async function walk(worktree: string, relativeDir: string): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(path.join(worktree, relativeDir), { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name === '.git') continue;
    const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await walk(worktree, relative)));
    else files.push(relative);
  }
  return files;
}
