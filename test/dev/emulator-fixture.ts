// Starts an emulator and gives tests Probot's real Octokit (App-authenticated and installation-authenticated) against it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ProbotOctokit } from 'probot';
import {
  startGitHubEmulator,
  type GitHubEmulator,
  type GitHubEmulatorOptions,
} from '../../src/dev/github-emulator.js';

const run = promisify(execFile);

// The function form turns throttling and retries off without Probot's 1 s delay per POST.
export const TestOctokit = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
  ...options,
  retry: { enabled: false },
  throttle: { enabled: false },
}));
export type TestOctokit = InstanceType<typeof TestOctokit>;

export async function startEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  return startGitHubEmulator({ appId: 4242, appSlug: 'claw-test', ...options });
}

export function appOctokit(emulator: GitHubEmulator): TestOctokit {
  return new TestOctokit({
    baseUrl: emulator.apiUrl,
    auth: { appId: emulator.app.id, privateKey: emulator.app.privateKey },
  });
}

export function installationOctokit(emulator: GitHubEmulator, installationId: number): TestOctokit {
  return new TestOctokit({
    baseUrl: emulator.apiUrl,
    auth: { appId: emulator.app.id, privateKey: emulator.app.privateKey, installationId },
  });
}

/** git with no ambient config, and (when given) the token as GitHub expects it over HTTP. */
export async function gitAs(
  cwd: string,
  args: string[],
  token?: string,
): Promise<{ stdout: string; stderr: string }> {
  const header =
    token === undefined
      ? []
      : [
          '-c',
          `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`,
        ];
  return run('git', [...header, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH,
      HOME: '/nonexistent',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
    },
  });
}
