// Shared arrangements for the workspace tests: an upstream repo with a bare remote, a manager on a temp cache dir.
import { rm } from 'node:fs/promises';
import {
  createBareRemote,
  createTempRepo,
  git,
  makeTempDir,
  type BareRemote,
  type TempRepo,
} from '../support/git-repo.js';
import {
  botIdentity,
  createWorkspaceManager,
  type PrepareWorkspaceOptions,
  type RepositoryRef,
  type WorkspaceManager,
  type WorkspaceManagerOptions,
} from '../../src/workspace/index.js';

export const BOT = botIdentity({ slug: 'claw-test', userId: 4242 });

export interface Upstream {
  repo: TempRepo;
  remote: BareRemote;
  ref: RepositoryRef;
  /** Commits in a fresh clone of the remote (as another person) and pushes to `branch`. */
  pushAsHuman(branch: string, files: Record<string, string>, message?: string): Promise<string>;
  tip(branch: string): Promise<string | undefined>;
  cleanup(): Promise<void>;
}

export async function createUpstream(
  files: Record<string, string> = {
    'README.md': '# demo\n',
    'src/app.ts': 'export const answer = 41;\n',
  },
): Promise<Upstream> {
  const repo = await createTempRepo({ files });
  const remote = await createBareRemote(repo);
  const ref: RepositoryRef = { owner: 'octo', repo: 'demo', cloneUrl: remote.url };
  return {
    repo,
    remote,
    ref,
    async pushAsHuman(branch, changes, message = 'human change') {
      const scratch = await makeTempDir('claw-human-');
      await git(scratch, ['clone', '--quiet', remote.url, '.']);
      const exists = (await git(scratch, ['ls-remote', 'origin', `refs/heads/${branch}`])) !== '';
      await git(scratch, [
        'checkout',
        '--quiet',
        '-B',
        branch,
        exists ? `origin/${branch}` : 'HEAD',
      ]);
      const human = await createTempRepoAt(scratch);
      await human.commit(message, changes);
      await git(scratch, ['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      const sha = await git(scratch, ['rev-parse', 'HEAD']);
      await rm(scratch, { recursive: true, force: true });
      return sha;
    },
    async tip(branch) {
      const out = await git(remote.dir, [
        'rev-parse',
        '--verify',
        '--quiet',
        `refs/heads/${branch}`,
      ]).catch(() => '');
      return out === '' ? undefined : out;
    },
    async cleanup() {
      await repo.cleanup();
      await remote.cleanup();
    },
  };
}

async function createTempRepoAt(dir: string) {
  const { writeFile, mkdir } = await import('node:fs/promises');
  const path = await import('node:path');
  return {
    async commit(message: string, files: Record<string, string>) {
      for (const [file, content] of Object.entries(files)) {
        await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
        await writeFile(path.join(dir, file), content);
      }
      await git(dir, ['add', '--all']);
      await git(dir, ['commit', '--quiet', '-m', message]);
    },
  };
}

const createdCaches: string[] = [];

/** Removes every cache dir createManager made (call in afterEach). */
export async function removeCaches(): Promise<void> {
  await Promise.all(
    createdCaches.splice(0).map((dir) => rm(dir, { recursive: true, force: true })),
  );
}

export async function createManager(
  options: Partial<WorkspaceManagerOptions> = {},
): Promise<{ manager: WorkspaceManager; cacheDir: string }> {
  const cacheDir = options.cacheDir ?? (await makeTempDir('claw-cache-'));
  createdCaches.push(cacheDir);
  const manager = await createWorkspaceManager({ cacheDir, ...options });
  return { manager, cacheDir };
}

export function jobOptions(
  upstream: Upstream,
  overrides: Partial<PrepareWorkspaceOptions> = {},
): PrepareWorkspaceOptions {
  return {
    repository: upstream.ref,
    jobId: 'job-1',
    branch: 'claw/issue-1-fix-answer',
    author: BOT,
    ...overrides,
  };
}
