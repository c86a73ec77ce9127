// A person's clone of an emulator repository, taken straight from its bare directory: commits as "Human" and
// pushes there, the way a contributor's push reaches GitHub (the emulator picks it up on its next read).
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Repo } from './adder-scenario.js';

const run = promisify(execFile);

const HUMAN_ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: '/nonexistent',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Human',
  GIT_AUTHOR_EMAIL: 'human@example.com',
  GIT_COMMITTER_NAME: 'Human',
  GIT_COMMITTER_EMAIL: 'human@example.com',
};

export interface HumanClone {
  /** Writes `files`, commits them and pushes the branch; returns the new commit. */
  push(files: Record<string, string>, message: string): Promise<string>;
}

/** Clones `repo` into `dir` (which must not exist) on a new `branch` made from `from`. */
export async function humanClone(
  repo: Repo,
  dir: string,
  branch: string,
  from: string,
): Promise<HumanClone> {
  const git = async (args: string[]) =>
    (await run('git', args, { cwd: dir, env: HUMAN_ENV })).stdout.trim();
  await run('git', ['clone', '--quiet', '--branch', from, repo.bareDir, dir], { env: HUMAN_ENV });
  await git(['checkout', '--quiet', '-b', branch]);
  return {
    push: async (files, message) => {
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), content);
      }
      await git(['add', '--all']);
      await git(['commit', '--quiet', '-m', message]);
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      return git(['rev-parse', 'HEAD']);
    },
  };
}
