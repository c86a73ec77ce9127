// What the runner tells a step about its run: the event (name and payload file), the repository, the API address
// (GitHub Enterprise Server included), the temp dir, and where outputs and the summary go.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../lib/index.js';

export interface ActionContext {
  eventName: string;
  event: Record<string, unknown>;
  owner: string;
  repo: string;
  apiUrl: string;
  serverUrl: string;
  workspace: string | undefined;
  runnerTemp: string;
  actor: string;
  runId: string;
  runAttempt: string;
  outputFile: string | undefined;
  summaryFile: string | undefined;
  debug: boolean;
}

export function readActionContext(env: NodeJS.ProcessEnv): ActionContext {
  const problems: { key: string; message: string }[] = [];
  const need = (key: string): string => {
    const value = env[key];
    if (value === undefined || value === '') {
      problems.push({ key, message: 'is not set; is this running as a GitHub Actions step?' });
      return '';
    }
    return value;
  };
  const eventName = need('GITHUB_EVENT_NAME');
  const eventPath = need('GITHUB_EVENT_PATH');
  const repository = need('GITHUB_REPOSITORY');
  const [owner = '', repo = ''] = repository.split('/');
  if (repository !== '' && (owner === '' || repo === ''))
    problems.push({ key: 'GITHUB_REPOSITORY', message: `must be owner/name, got "${repository}"` });
  let event: Record<string, unknown> = {};
  if (eventPath !== '') {
    try {
      event = JSON.parse(readFileSync(eventPath, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      problems.push({
        key: 'GITHUB_EVENT_PATH',
        message: `cannot read the event file ${eventPath}: ${(error as Error).message}`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    eventName,
    event,
    owner,
    repo,
    apiUrl: (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, ''),
    serverUrl: serverUrl.replace(/\/+$/, ''),
    workspace: env.GITHUB_WORKSPACE,
    runnerTemp: env.RUNNER_TEMP ?? os.tmpdir(),
    actor: env.GITHUB_ACTOR ?? '',
    runId: env.GITHUB_RUN_ID ?? String(Date.now()),
    runAttempt: env.GITHUB_RUN_ATTEMPT ?? '1',
    outputFile: env.GITHUB_OUTPUT,
    summaryFile: env.GITHUB_STEP_SUMMARY,
    debug: env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true',
  };
}

/** `https://github.com/o/r/actions/runs/123`: where the summary links back to. */
export function runUrl(context: ActionContext): string {
  return `${context.serverUrl}/${context.owner}/${context.repo}/actions/runs/${context.runId}`;
}

export function actionCacheDir(context: ActionContext): string {
  return path.join(context.runnerTemp, 'claw');
}
