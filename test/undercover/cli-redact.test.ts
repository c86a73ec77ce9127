// `claw redact`: output, JSON findings, policy files, exit codes 0/1/2, and the pre-commit use on a real
// staged diff through the real CLI entry point.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runRedact, type RedactIo } from '../../src/cli/redact.js';
import { createTempRepo } from '../support/git-repo.js';
import { TokenFactory } from '../fixtures/undercover/tokens.js';

const t = new TokenFactory(11);
const pat = t.github('ghp_');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function io(files: Record<string, string>, stdin = '', env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: RedactIo = {
    readStdin: () => Promise.resolve(stdin),
    readFile: (file) =>
      file in files
        ? Promise.resolve(files[file]!)
        : Promise.reject(Object.assign(new Error('missing'), { code: 'ENOENT' })),
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    env,
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

describe('claw redact', () => {
  it('prints clean text unchanged and exits 0', async () => {
    const run = io({}, 'nothing here\n');
    expect(await runRedact([], run.io)).toBe(0);
    expect(run.out()).toBe('nothing here\n');
  });

  it('prints the redacted text and exits 1 when something is found', async () => {
    const run = io({ 'notes.txt': `token ${pat}\n` });
    expect(await runRedact(['notes.txt'], run.io)).toBe(1);
    expect(run.out()).toBe('token [REDACTED:github-pat]\n');
  });

  it('prints findings and text as JSON with --json', async () => {
    const run = io({}, `a\n  ${pat}\n`);
    expect(await runRedact(['--json', '-'], run.io)).toBe(1);
    expect(JSON.parse(run.out())).toEqual({
      findings: [{ rule: 'github-pat', line: 2, column: 3, length: 40 }],
      text: 'a\n  [REDACTED:github-pat]\n',
    });
  });

  it('applies a policy file and the environment', async () => {
    const run = io(
      { 'policy.yml': 'terms: [Falcon]\nattribution: strip\nsecrets_env: [DEPLOY_KEY]\n' },
      'Falcon ships with deploy-key-abc-123\n\nCo-authored-by: Claude <noreply@anthropic.com>\n',
      { DEPLOY_KEY: 'deploy-key-abc-123', CLAW_REDACT_TERMS: 'Hummingbird' },
    );
    expect(await runRedact(['--policy', 'policy.yml'], run.io)).toBe(1);
    expect(run.out()).toBe('[REDACTED:deny-term] ships with [REDACTED:known-secret]\n');
  });

  it('lists findings of a staged diff with --diff', async () => {
    const diff = `--- a/x.env\n+++ b/x.env\n@@ -0,0 +1,1 @@\n+TOKEN=${pat}\n`;
    const run = io({}, diff);
    expect(await runRedact(['--diff'], run.io)).toBe(1);
    expect(run.out()).toBe('x.env:1:7: github-pat\n');
  });

  it.each([
    [['--nope'], /unknown option --nope/],
    [['a.txt', 'b.txt'], /only one input file/],
    [['--policy'], /--policy needs a file name/],
    [['missing.txt'], /cannot read missing.txt: ENOENT/],
    [['--policy', 'bad.yml', '-'], /policy bad.yml: .*unknown keys whatever/s],
  ])('exits 2 on a usage error (%j)', async (args, message) => {
    const run = io({ 'bad.yml': 'whatever: 1\n' });
    expect(await runRedact(args, run.io)).toBe(2);
    expect(run.err()).toMatch(message);
  });

  it('works as a pre-commit check on a real staged diff', async () => {
    const repo = await createTempRepo({ files: { 'README.md': '# x\n' } });
    try {
      await repo.write({ 'src/config.ts': `export const token = '${pat}';\n` });
      await repo.git(['add', '--all']);
      const diff = await repo.git(['diff', '--cached', '--no-color', '--unified=0']);
      const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          ['--import', 'tsx', path.join(root, 'src/cli.ts'), 'redact', '--diff', '-'],
          { cwd: root, env: { PATH: process.env.PATH } },
          (error, stdout) => resolve({ code: error ? Number(error.code) : 0, stdout }),
        );
        child.stdin?.end(`${diff}\n`);
      });
      expect(result).toEqual({ code: 1, stdout: 'src/config.ts:1:23: github-pat\n' });
    } finally {
      await repo.cleanup();
    }
  });
});
