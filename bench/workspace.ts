// `npm run bench -- workspace [--files N] [--commits N] [--rounds N]`: job start cost of the workspace cache on a
// generated repo (fast-import) served by the GitHub emulator: cold (no mirror) vs warm (mirror, one new upstream commit).
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, lstat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProbotOctokit } from 'probot';
import { startGitHubEmulator, type GitHubEmulator } from '../src/dev/github-emulator.js';
import {
  botIdentity,
  cacheLayout,
  createWorkspaceManager,
  mirrorPath,
  type RepositoryRef,
  type WorkspaceManager,
} from '../src/workspace/index.js';

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index === -1 ? fallback : Number(args[index + 1]);
}

/** Streams a fast-import script into `git fast-import` in `bareDir`. */
async function fastImport(
  bareDir: string,
  write: (out: (chunk: string) => void) => void,
): Promise<void> {
  const child = spawn('git', ['fast-import', '--quiet', '--force'], {
    cwd: bareDir,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  const chunks: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunks.length === 0) return true;
    const ok = child.stdin.write(chunks.join(''));
    chunks.length = 0;
    size = 0;
    return ok;
  };
  const done = new Promise<void>((resolve, reject) =>
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git fast-import exited with ${code}`)),
    ),
  );
  write((chunk) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size > 1 << 20) flush();
  });
  flush();
  child.stdin.end();
  await done;
}

function fileBody(i: number, version: number): string {
  const lines: string[] = [];
  for (let line = 0; line < 12; line++)
    lines.push(
      `export const value_${i}_${line} = ${(i * 7919 + line * 104729 + version) % 1000003}; // v${version}`,
    );
  return `${lines.join('\n')}\n`;
}

const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;

/** A repo of `files` files built over `commits` commits (each adds files; every commit also edits a few). */
async function generateRepo(bareDir: string, files: number, commits: number): Promise<void> {
  const run = spawn('git', ['init', '--quiet', '--bare', '--initial-branch=main', bareDir]);
  await new Promise((resolve) => run.on('close', resolve));
  const perCommit = Math.ceil(files / commits);
  await fastImport(bareDir, (out) => {
    let made = 0;
    for (let c = 0; c < commits; c++) {
      const when = 1_700_000_000 + c * 60;
      out(
        `commit refs/heads/main\nmark :${c + 1}\nauthor Dev <dev@example.com> ${when} +0000\ncommitter Dev <dev@example.com> ${when} +0000\n`,
      );
      out(data(`Commit ${c}`));
      if (c > 0) out(`from :${c}\n`);
      for (let k = 0; k < perCommit && made < files; k++, made++) {
        out(`M 100644 inline src/mod-${made % 200}/file-${made}.ts\n${data(fileBody(made, 0))}`);
      }
      for (let e = 0; e < 3 && made > 10; e++) {
        const target = (c * 31 + e * 977) % made;
        out(
          `M 100644 inline src/mod-${target % 200}/file-${target}.ts\n${data(fileBody(target, c))}`,
        );
      }
    }
  });
}

async function addUpstreamCommit(bareDir: string, n: number): Promise<void> {
  const when = 1_800_000_000 + n;
  await fastImport(bareDir, (out) => {
    out(
      `commit refs/heads/main\nauthor Dev <dev@example.com> ${when} +0000\ncommitter Dev <dev@example.com> ${when} +0000\n${data(`Upstream ${n}`)}from refs/heads/main^0\n`,
    );
    out(`M 100644 inline src/mod-0/file-0.ts\n${data(fileBody(0, 10_000 + n))}`);
  });
}

async function diskUsage(target: string): Promise<number> {
  let total = 0;
  const info = await lstat(target);
  total += info.blocks * 512;
  if (!info.isDirectory()) return total;
  for (const entry of await readdir(target)) total += await diskUsage(path.join(target, entry));
  return total;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export async function bench(args: string[]): Promise<void> {
  const files = option(args, 'files', 20_000);
  const commits = option(args, 'commits', 2_000);
  const rounds = option(args, 'rounds', 3);
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'claw-bench-workspace-'));
  let emulator: GitHubEmulator | undefined;
  try {
    // --source DIR reuses (or creates once) the generated repo across runs; generation is not what is measured.
    const reuse = args.indexOf('--source');
    const source = reuse === -1 ? path.join(scratch, 'source.git') : (args[reuse + 1] as string);
    if ((await lstat(source).catch(() => undefined)) === undefined) {
      const started = performance.now();
      await generateRepo(source, files, commits);
      console.log(
        `generated ${files} files / ${commits} commits with git fast-import in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }

    emulator = await startGitHubEmulator({ appSlug: 'claw-bench' });
    const repo = await emulator.seedRepo({ owner: 'bench', name: 'big', from: source });
    const Octokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      throttle: { enabled: false },
      retry: { enabled: false },
    }));
    const app = new Octokit({
      baseUrl: emulator.apiUrl,
      auth: { appId: emulator.app.id, privateKey: emulator.app.privateKey },
    });
    const { data: token } = await app.rest.apps.createInstallationAccessToken({
      installation_id: emulator.installationId(repo),
    });
    const repository: RepositoryRef = {
      owner: 'bench',
      repo: 'big',
      cloneUrl: emulator.cloneUrl(repo),
    };
    const author = botIdentity({ slug: 'claw-bench', userId: 1 });
    // A worker builds its manager once at boot; only prepare() is a job's start.
    const managers = new Map<string, Promise<WorkspaceManager>>();
    const managerFor = (cacheDir: string, keepWorktreesPerRepo: number) => {
      let manager = managers.get(cacheDir);
      if (manager === undefined)
        managers.set(
          cacheDir,
          (manager = createWorkspaceManager({ cacheDir, keepWorktreesPerRepo })),
        );
      return manager;
    };
    const job = async (cacheDir: string, n: number, keep = 1) => {
      const manager = await managerFor(cacheDir, keep);
      const started = performance.now();
      const workspace = await manager.prepare({
        repository,
        jobId: `bench-${n}`,
        branch: `claw/issue-${n}-bench`,
        author,
        token: () => token.token,
        base: 'main',
      });
      return Object.assign(workspace, { startMs: performance.now() - started });
    };

    const cold: number[] = [];
    const warm: number[] = [];
    const warmFresh: number[] = [];
    const warmCache = path.join(scratch, 'warm-cache');
    const freshCache = path.join(scratch, 'warm-no-parking');
    await job(warmCache, 0).then((w) => w.dispose());
    await job(freshCache, 0, 0).then((w) => w.dispose());
    for (let round = 0; round < rounds; round++) {
      const coldCache = path.join(scratch, `cold-${round}`);
      const c = await job(coldCache, 1);
      cold.push(c.startMs);
      await c.dispose();
      await rm(coldCache, { recursive: true, force: true });

      await addUpstreamCommit(repo.bareDir, round);
      const w = await job(warmCache, 2);
      warm.push(w.startMs);
      await w.dispose();
      const f = await job(freshCache, 2, 0);
      warmFresh.push(f.startMs);
      await f.dispose();
    }

    const mirrorDir = mirrorPath(cacheLayout(warmCache), repository.cloneUrl);
    const mirrorBytes = await diskUsage(mirrorDir);
    const concurrent = await Promise.all([3, 4, 5].map((n) => job(warmCache, n)));
    const perJob = await Promise.all(concurrent.map((w) => diskUsage(w.dir)));
    const adminBytes = (await diskUsage(mirrorDir)) - mirrorBytes;
    await Promise.all(concurrent.map((w) => w.dispose()));

    const seconds = (values: number[]) =>
      `${(median(values) / 1000).toFixed(2)} s  [${values.map((v) => (v / 1000).toFixed(2)).join(', ')}]`;
    console.log(`repo: ${files} files, ${commits} commits; ${rounds} rounds, medians`);
    console.log(`cold job start (clone into an empty cache + new worktree): ${seconds(cold)}`);
    console.log(`warm job start (fetch 1 new commit + recycled worktree):  ${seconds(warm)}`);
    console.log(
      `warm job start without a parked worktree (fetch + new worktree): ${seconds(warmFresh)}`,
    );
    console.log(
      `warm / cold = ${(median(warm) / median(cold)).toFixed(3)} (target <= 0.15); without parking ${(median(warmFresh) / median(cold)).toFixed(3)}`,
    );
    console.log(
      `mirror on disk: ${mib(mirrorBytes)}; each extra concurrent job: ${mib(median(perJob))} checkout + ${mib(adminBytes / concurrent.length)} in the mirror (index, refs); objects are shared`,
    );
  } finally {
    await emulator?.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
