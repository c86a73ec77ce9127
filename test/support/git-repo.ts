// Real git repositories in temp dirs for tests: a working repo with commits, and a bare remote reachable over file://.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** An environment that ignores the machine's git config and fixes the identity and dates, so tests are repeatable. */
export const GIT_TEST_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

export async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, {
    cwd,
    env: GIT_TEST_ENV,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

export interface TempRepo {
  dir: string;
  git(args: string[]): Promise<string>;
  /** Writes files (creating folders) without committing. */
  write(files: Record<string, string>): Promise<void>;
  /** Writes the files, stages everything and commits; returns the new commit SHA. */
  commit(message: string, files?: Record<string, string>): Promise<string>;
  head(): Promise<string>;
  cleanup(): Promise<void>;
}

export interface BareRemote {
  dir: string;
  /** A file:// URL git can clone and push to. */
  url: string;
  cleanup(): Promise<void>;
}

export async function makeTempDir(prefix = 'claw-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function createTempRepo(
  options: { files?: Record<string, string>; branch?: string; message?: string } = {},
): Promise<TempRepo> {
  const dir = await makeTempDir('claw-repo-');
  await git(dir, ['init', '--quiet', `--initial-branch=${options.branch ?? 'main'}`]);
  const repo: TempRepo = {
    dir,
    git: (args) => git(dir, args),
    write: async (files) => {
      for (const [file, content] of Object.entries(files)) {
        const target = path.join(dir, file);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, content);
      }
    },
    commit: async (message, files = {}) => {
      await repo.write(files);
      await git(dir, ['add', '--all']);
      await git(dir, ['commit', '--quiet', '--allow-empty', '-m', message]);
      return repo.head();
    },
    head: () => git(dir, ['rev-parse', 'HEAD']),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  if (options.files !== undefined)
    await repo.commit(options.message ?? 'initial commit', options.files);
  return repo;
}

/** A bare repository; when `from` is given, all its branches are pushed to it. */
export async function createBareRemote(from?: TempRepo): Promise<BareRemote> {
  const dir = await makeTempDir('claw-remote-');
  await git(dir, ['init', '--quiet', '--bare']);
  if (from !== undefined) {
    await from.git(['push', '--quiet', dir, '--all']);
    const branch = await from.git(['symbolic-ref', '--short', 'HEAD']);
    await git(dir, ['symbolic-ref', 'HEAD', `refs/heads/${branch}`]);
  }
  return {
    dir,
    url: pathToFileURL(dir).href,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
