import { jest } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { GitError } from '../../src/lib/index.js';
import { basicAuthHeader, type JobWorkspace } from '../../src/workspace/index.js';
import type { EmulatedRepo, GitHubEmulator } from '../../src/dev/github-emulator.js';
import { appOctokit, startEmulator } from '../dev/emulator-fixture.js';
import { BOT, createManager, removeCaches } from './helpers.js';

// Real git over real processes on a shared 2-core machine: give each test room.
jest.setTimeout(90_000);
afterEach(() => removeCaches());

const run = promisify(execFile);

/** Every file under `dir` whose bytes contain any of `needles` (binary files included). */
async function filesContaining(dir: string, needles: string[]): Promise<string[]> {
  const hits: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = await readFile(file);
    if (needles.some((needle) => bytes.includes(needle))) hits.push(file);
  }
  return hits;
}

describe('workspace auth over smart HTTP', () => {
  let emulator: GitHubEmulator;
  let repo: EmulatedRepo;
  let token: string;

  beforeEach(async () => {
    emulator = await startEmulator();
    repo = await emulator.seedRepo({
      owner: 'octo',
      name: 'demo',
      files: { 'src/app.ts': 'export const answer = 41;\n' },
    });
    const { data } = await appOctokit(emulator).rest.apps.createInstallationAccessToken({
      installation_id: emulator.installationId(repo),
    });
    token = data.token;
  });
  afterEach(async () => {
    emulator.assertNoViolations();
    await emulator.close();
  });

  const repository = () => ({ owner: 'octo', repo: 'demo', cloneUrl: emulator.cloneUrl(repo) });

  it('clones, fetches and pushes with the token, and the token is nowhere on disk or in the agent env', async () => {
    const { manager, cacheDir } = await createManager();
    let minted = 0;
    const workspace: JobWorkspace = await manager.prepare({
      repository: repository(),
      jobId: 'job-auth',
      branch: 'claw/issue-1-fix',
      author: BOT,
      token: () => {
        minted += 1;
        return token;
      },
    });
    await writeFile(path.join(workspace.dir, 'src/app.ts'), 'export const answer = 42;\n');
    const sha = await workspace.commit('Fix the answer');
    const pushed = await workspace.push();
    // What a tool the agent runs in the worktree would see.
    const { stdout: agentEnv } = await run('env', [], { cwd: workspace.dir, env: process.env });
    const { stdout: worktreeConfig } = await run('git', ['config', '--list', '--show-origin'], {
      cwd: workspace.dir,
    });

    expect(pushed).toMatchObject({ pushed: true, head: sha });
    expect(await emulator.branchSha(repo, 'claw/issue-1-fix')).toBe(sha);
    expect(minted).toBeGreaterThanOrEqual(2); // fetch and push each asked for a fresh token
    const needles = [token, basicAuthHeader(token).split(' ').pop() as string];
    expect(await filesContaining(workspace.dir, needles)).toEqual([]);
    expect(await filesContaining(cacheDir, needles)).toEqual([]);
    expect(needles.some((n) => agentEnv.includes(n))).toBe(false);
    expect(
      Object.values(process.env).some((v) => v !== undefined && needles.some((n) => v.includes(n))),
    ).toBe(false);
    expect(worktreeConfig).not.toMatch(/extraheader|x-access-token|ghs_/i);
    expect(await readFile(path.join(workspace.dir, '.git'), 'utf8')).toMatch(/^gitdir: /);
    await workspace.dispose();
  });

  it('fails to fetch without a token, and a failure with a bad token never echoes it', async () => {
    const { manager } = await createManager();

    await expect(
      manager.prepare({
        repository: repository(),
        jobId: 'anon',
        branch: 'claw/issue-2-x',
        author: BOT,
      }),
    ).rejects.toBeInstanceOf(GitError);
    const bad = 'ghs_badbadbadbadbadbadbadbadbadbadbadbad';
    const failure = await manager
      .prepare({
        repository: repository(),
        jobId: 'bad',
        branch: 'claw/issue-2-x',
        author: BOT,
        token: () => bad,
      })
      .then(
        () => undefined,
        (error: unknown) => error as Error,
      );

    expect(failure).toBeInstanceOf(GitError);
    expect(failure?.message).not.toContain(bad);
    expect(failure?.message).not.toContain(Buffer.from(`x-access-token:${bad}`).toString('base64'));
    expect(
      emulator
        .requests()
        .filter((r) => r.operationId === 'git')
        .map((r) => r.status),
    ).toContain(401);
  });

  it('rejects a clone URL that carries credentials', async () => {
    const { manager } = await createManager();
    const url = new URL(emulator.cloneUrl(repo));
    url.username = 'x-access-token';
    url.password = token;

    await expect(
      manager.prepare({
        repository: { owner: 'octo', repo: 'demo', cloneUrl: url.href },
        jobId: 'u',
        branch: 'claw/issue-3-x',
        author: BOT,
      }),
    ).rejects.toThrow('Clone URLs must not carry credentials');
  });
});
