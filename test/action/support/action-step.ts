// Runs the committed Action bundle the way the runner does: `node action/dist/index.js` with GITHUB_* and one
// INPUT_* per action.yml input (its default unless given), an event file, and GITHUB_OUTPUT / GITHUB_STEP_SUMMARY.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { GitHubEmulator } from '../../../src/dev/index.js';
import { appOctokit } from '../../dev/emulator-fixture.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const BUNDLE = path.join(ROOT, 'action', 'dist', 'index.js');

export type Repo = Awaited<ReturnType<GitHubEmulator['seedRepo']>>;

export interface StepResult {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  runnerTemp: string;
}

interface ActionManifest {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
}

export async function actionManifest(): Promise<ActionManifest> {
  return parseYaml(await readFile(path.join(ROOT, 'action.yml'), 'utf8')) as ActionManifest;
}

/** An installation token, as actions/create-github-app-token would hand the step. */
export async function mintInstallationToken(emulator: GitHubEmulator, repo: Repo): Promise<string> {
  const { data } = await appOctokit(emulator).rest.apps.createInstallationAccessToken({
    installation_id: emulator.installationId(repo),
  });
  return data.token;
}

/** Reads `$GITHUB_OUTPUT` in the `name<<DELIMITER` … `DELIMITER` form (and plain `name=value` lines). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc !== null) {
      const [, name, delimiter] = heredoc;
      const end = lines.indexOf(delimiter!, index + 1);
      if (end === -1) throw new Error(`output ${name} has no closing delimiter`);
      outputs[name!] = lines.slice(index + 1, end).join('\n');
      index = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

export interface StepOptions {
  emulator: GitHubEmulator;
  repo: Repo;
  tmp: string;
  eventName: string;
  event: Record<string, unknown>;
  token: string;
  inputs?: Record<string, string>;
  actor?: string;
  env?: Record<string, string>;
}

let runs = 0;

export async function runActionStep(options: StepOptions): Promise<StepResult> {
  runs += 1;
  const dir = await mkdtemp(path.join(options.tmp, `step-${runs}-`));
  const runnerTemp = path.join(dir, 'runner-temp');
  const workspace = path.join(dir, 'workspace');
  await mkdir(runnerTemp);
  await mkdir(workspace);
  const eventPath = path.join(dir, 'event.json');
  const outputFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary.md');
  await writeFile(eventPath, JSON.stringify(options.event));
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');

  const manifest = await actionManifest();
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(manifest.inputs)) {
    const given = options.inputs?.[name];
    const fallback = spec.default ?? '';
    inputs[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] =
      given ?? (fallback === '${{ github.token }}' ? options.token : fallback);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: `${options.repo.owner.login}/${options.repo.name}`,
    GITHUB_API_URL: options.emulator.apiUrl,
    GITHUB_SERVER_URL: options.emulator.url,
    GITHUB_WORKSPACE: workspace,
    GITHUB_RUN_ID: String(1000 + runs),
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: options.actor ?? 'alice',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runnerTemp,
    ...inputs,
    ...options.env,
  };
  const child = spawn(process.execPath, [BUNDLE], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    runnerTemp,
  };
}
