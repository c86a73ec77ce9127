// A flow handler's world for tests: the GitHub emulator (real Octokit, real git over smart HTTP), a workspace cache,
// a scripted model, and a HandlerContext that records progress.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  createScriptedProvider,
  DEFAULT_LIMITS,
  type BudgetLimits,
  type Provider,
  type ScriptedTurn,
} from '../../../../src/agent/index.js';
import type { GitHubEmulator } from '../../../../src/dev/github-emulator.js';
import {
  createMemoryCheckpointStore,
  systemClock,
  type CheckpointStore,
  type FlowDeps,
  type HandlerContext,
} from '../../../../src/jobs/index.js';
import { createLogger, createLogSink } from '../../../../src/lib/index.js';
import { createWorkspaceManager } from '../../../../src/workspace/index.js';
import { installationOctokit, startEmulator } from '../../../dev/emulator-fixture.js';

export const run = promisify(execFile);
export type Repo = Awaited<ReturnType<GitHubEmulator['seedRepo']>>;

export interface FlowWorld {
  emulator: GitHubEmulator;
  tmp: string;
  next(): number;
}

/** Starts one emulator and a temp dir for the test file, and checks the API contract after each test. */
export function useFlowWorld(label: string): () => FlowWorld {
  let world: FlowWorld | undefined;
  let counter = 0;
  beforeAll(async () => {
    world = {
      emulator: await startEmulator(),
      tmp: await mkdtemp(path.join(os.tmpdir(), `claw-${label}-`)),
      next: () => (counter += 1),
    };
  });
  afterAll(async () => {
    await world?.emulator.close();
    if (world !== undefined) await rm(world.tmp, { recursive: true, force: true });
  });
  afterEach(() => world?.emulator.assertNoViolations());
  return () => {
    if (world === undefined) throw new Error('useFlowWorld: called outside a test');
    return world;
  };
}

export interface Harness {
  repo: Repo;
  deps: FlowDeps;
  ctx: HandlerContext;
  progress: string[];
  id: number;
}

/** A scripted provider that also reports each call, e.g. to act between turns. */
export function scriptedWith(
  turns: ScriptedTurn[],
  onCall?: (index: number) => void | Promise<void>,
): Provider {
  const provider = createScriptedProvider({ turns });
  let index = 0;
  return {
    name: provider.name,
    model: provider.model,
    contextWindow: provider.contextWindow,
    complete: async (request) => {
      await onCall?.(index++);
      return provider.complete(request);
    },
  };
}

export async function flowHarness(
  world: FlowWorld,
  options: {
    turns?: ScriptedTurn[] | (() => ScriptedTurn[]);
    repo?: Repo;
    files?: Record<string, string>;
    checkpoint?: CheckpointStore;
    limits?: Partial<BudgetLimits>;
  },
): Promise<Harness> {
  const id = world.next();
  const { emulator } = world;
  const repo =
    options.repo ??
    (await emulator.seedRepo({ owner: 'octo', name: `repo-${id}`, files: options.files ?? {} }));
  const workspaces = await createWorkspaceManager({
    cacheDir: path.join(world.tmp, `cache-${id}`),
  });
  const progress: string[] = [];
  const turns = options.turns ?? [];
  const deps: FlowDeps = {
    workspaces,
    createProvider: () =>
      createScriptedProvider({ turns: typeof turns === 'function' ? turns() : turns }),
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    redactionPolicy: {},
    transcriptDir: path.join(world.tmp, `transcripts-${id}`),
    sandbox: { bubblewrap: 'off' },
  };
  const octokit = installationOctokit(emulator, emulator.installationId(repo));
  const ctx: HandlerContext = {
    jobId: `job-${id}`,
    attempt: 1,
    logger: createLogger({ level: 'silent', sink: createLogSink({ write: () => undefined }) }),
    signal: new AbortController().signal,
    progress: (update) => {
      progress.push(update.message);
      return Promise.resolve();
    },
    octokit: () => Promise.resolve(octokit as never),
    octokitFactory: { forInstallation: () => Promise.resolve(octokit as never) },
    clock: systemClock,
    checkpoint: options.checkpoint ?? createMemoryCheckpointStore(),
  };
  return { repo, deps, ctx, progress, id };
}

/** Commits files as a human straight into the emulator's bare repository, on `branch` (created from `from`). */
export async function pushAsHuman(
  repo: Repo,
  branch: string,
  files: Record<string, string>,
  message: string,
  from = branch,
  options: { force?: boolean } = {},
): Promise<string> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claw-human-'));
  const env = {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'Human',
    GIT_AUTHOR_EMAIL: 'human@example.com',
    GIT_COMMITTER_NAME: 'Human',
    GIT_COMMITTER_EMAIL: 'human@example.com',
  };
  try {
    await run('git', ['clone', '--quiet', '--branch', from, repo.bareDir, dir], { env });
    if (from !== branch) await run('git', ['checkout', '--quiet', '-b', branch], { cwd: dir, env });
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), content);
    }
    await run('git', ['add', '--all'], { cwd: dir, env });
    await run('git', ['commit', '--quiet', '-m', message], { cwd: dir, env });
    await run(
      'git',
      [
        'push',
        '--quiet',
        ...(options.force === true ? ['--force'] : []),
        'origin',
        `HEAD:refs/heads/${branch}`,
      ],
      { cwd: dir, env },
    );
    return (await run('git', ['rev-parse', 'HEAD'], { cwd: dir, env })).stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
