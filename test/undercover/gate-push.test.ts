// The push gate on real repositories with a bare remote: a token in a commit message, an added line or the
// branch name stops the push and never reaches the remote; clean pushes go through.
import { SecretInDiffError } from '../../src/lib/index.js';
import {
  createRedactor,
  FindingCounter,
  gatePush,
  prepareCommitMessage,
} from '../../src/undercover/index.js';
import {
  createBareRemote,
  createTempRepo,
  git,
  type BareRemote,
  type TempRepo,
} from '../support/git-repo.js';
import { TokenFactory } from '../fixtures/undercover/tokens.js';

const t = new TokenFactory(2718);
const installationToken = t.github('ghs_');
const redactor = createRedactor({
  denyTerms: ['Project Falcon'],
  attribution: 'strip',
}).withSecrets([installationToken]);

let repo: TempRepo;
let remote: BareRemote;
let base: string;

beforeEach(async () => {
  repo = await createTempRepo({
    files: { 'README.md': '# app\n', 'src/a.ts': 'export const a = 1;\n' },
  });
  remote = await createBareRemote(repo);
  base = await repo.head();
  await repo.git(['checkout', '--quiet', '-b', 'claw/issue-1-fix']);
});

afterEach(async () => {
  await repo.cleanup();
  await remote.cleanup();
});

/** What the workspace does: gate, then push only if the gate passed. */
async function gatedPush(branch = 'claw/issue-1-fix') {
  const result = await gatePush({ cwd: repo.dir, base, branch, redactor });
  await repo.git(['push', '--quiet', remote.dir, `HEAD:refs/heads/${branch}`]);
  return result;
}

async function remoteContains(needle: string): Promise<boolean> {
  const refs = await git(remote.dir, ['for-each-ref', '--format=%(refname)']);
  const log = refs === '' ? '' : await git(remote.dir, ['log', '--all', '-p', '--format=%B']);
  return log.includes(needle);
}

async function blocked(): Promise<SecretInDiffError> {
  try {
    await gatedPush();
  } catch (error) {
    if (error instanceof SecretInDiffError) return error;
    throw error;
  }
  throw new Error('the push was not blocked');
}

describe('gatePush', () => {
  it('blocks an added line carrying a real-format token, naming file, line and rule only', async () => {
    const pat = t.github('ghp_');
    await repo.commit('feat: add client', {
      'src/client.ts': `// setup\nexport const token = '${pat}';\n`,
    });
    const warnings: unknown[] = [];
    const error = await gatePush({
      cwd: repo.dir,
      base,
      branch: 'claw/issue-1-fix',
      redactor,
      logger: { warn: (meta: unknown) => warnings.push(meta) } as never,
    }).then(
      () => undefined,
      (caught: unknown) => caught as SecretInDiffError,
    );
    if (error === undefined) throw new Error('the push was not blocked');
    expect(warnings).toEqual([
      { where: 'diff', file: 'src/client.ts', rule: 'github-pat', line: 2, column: 23 },
    ]);
    expect(error.code).toBe('SECRET_IN_DIFF');
    expect(error.message).toContain('src/client.ts line 2 (github-pat)');
    expect(error.message).not.toContain(pat);
    expect(error.locations).toEqual([
      { where: 'diff', file: 'src/client.ts', rule: 'github-pat', line: 2, column: 23 },
    ]);
    expect(await remoteContains(pat)).toBe(false);
    expect(await git(remote.dir, ['branch', '--list', 'claw/*'])).toBe('');
  });

  it.each([
    ['plain', installationToken],
    ['base64', Buffer.from(`x-access-token:${installationToken}`).toString('base64')],
  ])('blocks the installation token (%s) in an added line', async (_form, planted) => {
    await repo.commit('chore: config', { 'config/ci.env': `AUTH=${planted}\n` });
    const error = await blocked();
    expect(error.message).toContain('config/ci.env line 1 (known-secret)');
    expect(await remoteContains(planted)).toBe(false);
  });

  it('blocks a token in a commit message', async () => {
    const pat = t.github('ghp_');
    await repo.commit(`fix: rotate\n\nold token was ${pat}`, {
      'src/a.ts': 'export const a = 2;\n',
    });
    const error = await blocked();
    expect(error.locations[0]).toMatchObject({
      where: 'commit-message',
      rule: 'github-pat',
      line: 3,
    });
    expect(error.message).toMatch(/the message of commit [0-9a-f]{12}, line 3 \(github-pat\)/);
    expect(await remoteContains(pat)).toBe(false);
  });

  it('blocks a branch name carrying the installation token', async () => {
    await repo.commit('fix: a', { 'src/a.ts': 'export const a = 3;\n' });
    await expect(
      gatePush({ cwd: repo.dir, base, branch: `claw/${installationToken}`, redactor }),
    ).rejects.toThrow(/the branch name \(known-secret\)/);
  });

  it('lets a clean branch through and reports generic findings as warnings', async () => {
    const counter = new FindingCounter();
    await repo.commit('feat: settings', {
      'src/settings.ts': `export const settings = { password: "${t.alnum(6)}!${t.alnum(8)}" };\n`,
    });
    const result = await gatePush({
      cwd: repo.dir,
      base,
      branch: 'claw/issue-1-fix',
      redactor,
      onFinding: counter.record,
    });
    expect(result.warnings).toEqual([
      expect.objectContaining({
        where: 'diff',
        file: 'src/settings.ts',
        rule: 'generic-password',
        line: 1,
      }),
    ]);
    expect(result.commitsScanned).toBe(1);
    expect(counter.snapshot()).toEqual([{ exit: 'push', rule: 'generic-password', count: 1 }]);
    await repo.git(['push', '--quiet', remote.dir, 'HEAD:refs/heads/claw/issue-1-fix']);
    expect(await git(remote.dir, ['rev-parse', 'refs/heads/claw/issue-1-fix'])).toBe(
      await repo.head(),
    );
  });

  it('passes a commit message rewritten by prepareCommitMessage', async () => {
    const prepared = prepareCommitMessage(
      'feat: Project Falcon launch\n\nDetails.\n\n🤖 Generated with [Claude Code](https://claude.com/claude-code)\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n',
      redactor,
    );
    expect(prepared.message).toBe('feat: [REDACTED:deny-term] launch\n\nDetails.\n');
    expect(prepared.rules).toEqual(['deny-term', 'ai-attribution']);
    await repo.commit(prepared.message, { 'src/a.ts': 'export const a = 4;\n' });
    await gatedPush();
    const published = await git(remote.dir, [
      'log',
      '-1',
      '--format=%B',
      'refs/heads/claw/issue-1-fix',
    ]);
    expect(published).not.toContain('Falcon');
    expect(published).not.toContain('Co-Authored-By');
  });

  it('scans the whole history when there is no base', async () => {
    const pat = t.github('ghp_');
    const fresh = await createTempRepo({ files: { '.env': `GH=${pat}\n` } });
    try {
      await expect(
        gatePush({ cwd: fresh.dir, base: undefined, branch: 'main', redactor }),
      ).rejects.toThrow(/\.env line 1 \(github-pat\)/);
    } finally {
      await fresh.cleanup();
    }
  });

  it('blocks a deny term in an added line, naming the file and line', async () => {
    await repo.commit('docs: notes', {
      'NOTES.md': 'intro\nShips with project falcon next week\n',
    });
    const error = await blocked();
    expect(error.locations).toEqual([
      expect.objectContaining({ where: 'diff', file: 'NOTES.md', rule: 'deny-term', line: 2 }),
    ]);
    expect(error.message).not.toMatch(/falcon/i);
  });

  it('blocks a deny term left in a commit message that skipped prepareCommitMessage', async () => {
    await repo.commit('feat: Project Falcon', { 'src/a.ts': 'export const a = 5;\n' });
    const error = await blocked();
    expect(error.locations[0]).toMatchObject({ where: 'commit-message', rule: 'deny-term' });
  });
});
