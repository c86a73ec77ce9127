import { runGrep, type GrepBackend, type ToolContext } from '../../../src/agent/index.js';
import type { TempRepo } from '../../support/git-repo.js';
import { repoWith, toolContext } from '../support/harness.js';

let repo: TempRepo;
let context: ToolContext;

beforeAll(async () => {
  repo = await repoWith({
    'src/app.ts':
      'import { helper } from "./util";\n\nexport function main() {\n  return helper(1);\n}\n',
    'src/util.ts': 'export function helper(n: number) {\n  // TODO: validate\n  return n + 1;\n}\n',
    'src/view.tsx': 'export const View = () => <div>Helper</div>;\n',
    'lib/tool.py': 'def helper():\n    return 1\n',
    'docs/guide.md': '# Guide\nCall helper() twice.\nThen call helper() again.\n',
    'weird name-1-x.txt': 'helper with a dash path\n',
    '.gitignore': 'build/\n',
  });
  await repo.write({
    'build/out.ts': 'export function helper() {}\n',
    'scratch.ts': 'const helper = 2;\n',
  });
  context = toolContext(repo);
});

afterAll(async () => {
  await repo.cleanup();
});

const backends: GrepBackend[] = ['rg', 'git', 'js'];
const queries = [
  { pattern: 'helper' },
  { pattern: 'helper', output_mode: 'content' as const },
  { pattern: 'HELPER', '-i': true, output_mode: 'content' as const, '-n': false },
  { pattern: 'helper', output_mode: 'count' as const },
  { pattern: 'helper', glob: '*.ts', output_mode: 'content' as const },
  { pattern: 'helper', glob: '*.{ts,tsx}' },
  { pattern: 'helper', type: 'py', output_mode: 'content' as const },
  { pattern: 'helper', path: 'src', output_mode: 'content' as const, '-C': 1 },
  { pattern: 'TODO', output_mode: 'content' as const, '-B': 1, '-A': 2 },
  { pattern: 'helper\\(\\d\\)', output_mode: 'content' as const },
  { pattern: 'helper', output_mode: 'content' as const, head_limit: 2 },
  { pattern: 'helper', path: 'docs/guide.md', output_mode: 'content' as const },
  { pattern: 'nothing-matches-this' },
];

describe('Grep', () => {
  it.each(queries)(
    'gives the same result with rg, git grep and the JS scan for %j',
    async (query) => {
      const [rg, ...others] = await Promise.all(
        backends.map((backend) => runGrep(query, context, backend)),
      );
      for (const other of others) expect(other).toBe(rg);
    },
  );

  it('lists files with matches, sorted, skipping .gitignore but including untracked files', async () => {
    const output = await runGrep({ pattern: 'helper' }, context, 'rg');
    expect(output).toBe(
      [
        'Found 6 files',
        'docs/guide.md',
        'lib/tool.py',
        'scratch.ts',
        'src/app.ts',
        'src/util.ts',
        'weird name-1-x.txt',
      ].join('\n'),
    );
  });

  it('shows content with line numbers and context separators', async () => {
    const output = await runGrep(
      { pattern: 'TODO', output_mode: 'content', '-B': 1, '-A': 1 },
      context,
      'git',
    );
    expect(output).toBe(
      [
        'src/util.ts-1-export function helper(n: number) {',
        'src/util.ts:2:  // TODO: validate',
        'src/util.ts-3-  return n + 1;',
      ].join('\n'),
    );
  });

  it('counts matching lines per file', async () => {
    const output = await runGrep(
      { pattern: 'helper', output_mode: 'count', path: 'docs' },
      context,
      'rg',
    );
    expect(output).toBe('docs/guide.md:2\n\nFound 2 matching lines in 1 file.');
  });

  it('matches across lines with multiline', async () => {
    const query = {
      pattern: 'function main\\(\\) \\{\\s+return',
      multiline: true,
      output_mode: 'content' as const,
    };
    const rg = await runGrep(query, context, 'rg');
    expect(rg).toBe('src/app.ts:3:export function main() {\nsrc/app.ts:4:  return helper(1);');
    expect(await runGrep(query, context, 'git')).toBe(rg);
  });

  it('explains a bad regular expression and an unknown type', async () => {
    await expect(runGrep({ pattern: '(unclosed' }, context, 'rg')).rejects.toThrow(
      /Check the regular expression/,
    );
    await expect(runGrep({ pattern: '(unclosed' }, context, 'git')).rejects.toThrow(
      /Check the regular expression/,
    );
    await expect(runGrep({ pattern: 'x', type: 'cobol' }, context, 'rg')).rejects.toThrow(
      /Unknown type "cobol"/,
    );
  });
});
