// The one path resolver every tool uses: a path the model names must stay inside the worktree,
// after `..`, absolute paths and symlinks (including dangling ones and symlinked parents) are followed.
import { lstatSync, realpathSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { PathOutsideWorktreeError } from '../../lib/index.js';

export interface ResolvedPath {
  /** The absolute, symlink-free path. */
  absolute: string;
  /** Relative to the worktree, with forward slashes; '.' for the root. */
  relative: string;
}

function inside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function refuse(input: string): PathOutsideWorktreeError {
  return new PathOutsideWorktreeError(
    `The path "${input}" is outside the repository. Use a path inside it, relative to the repository root.`,
  );
}

/** Follows symlinks as far as the path exists; the non-existing tail is appended as written. */
function realpathOfExisting(target: string, depth = 0): string {
  if (depth > 40) throw new Error('too many levels of symbolic links');
  try {
    return realpathSync.native(target);
  } catch {
    let stat;
    try {
      stat = lstatSync(target);
    } catch {
      const parent = path.dirname(target);
      if (parent === target) return target;
      return path.join(realpathOfExisting(parent, depth), path.basename(target));
    }
    if (stat.isSymbolicLink()) {
      // A dangling link: resolve where it would point, so writing through it cannot escape.
      const link = readlinkSync(target);
      return realpathOfExisting(path.resolve(path.dirname(target), link), depth + 1);
    }
    throw new Error(`cannot resolve ${target}`);
  }
}

/**
 * Resolves `input` (relative to the worktree, or absolute inside it) and refuses anything outside.
 * `worktree` must already be a real path.
 */
export function resolveInWorktree(worktree: string, input: string): ResolvedPath {
  if (input.includes('\0')) throw refuse(input);
  const lexical = path.resolve(worktree, input === '' ? '.' : input);
  if (!inside(worktree, lexical)) throw refuse(input);
  let real: string;
  try {
    real = realpathOfExisting(lexical);
  } catch {
    throw refuse(input);
  }
  if (!inside(worktree, real)) throw refuse(input);
  const relative = path.relative(worktree, real).split(path.sep).join('/') || '.';
  return { absolute: real, relative };
}
