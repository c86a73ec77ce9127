import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ALL_TOOLS, resolveInWorktree, type ToolContext } from '../../../src/agent/index.js';
import type { TempRepo } from '../../support/git-repo.js';
import { repoWith, toolContext, tempDir } from '../support/harness.js';

const tool = (name: string) => {
  const found = ALL_TOOLS.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(name);
  return found;
};
async function call(name: string, input: unknown, context: ToolContext): Promise<string> {
  const t = tool(name);
  const output = await t.run(t.input.parse(input), context);
  return typeof output === 'string' ? output : output.content;
}

let repo: TempRepo;
let context: ToolContext;
let outside: string;

beforeEach(async () => {
  repo = await repoWith({
    'src/a.ts': 'export const a = 1;\nexport const b = 2;\nexport const a2 = 1;\n',
    'src/dup.ts': 'x = 1;\nx = 1;\n',
    'README.md': '# demo\n',
    '.gitignore': 'dist/\n',
  });
  await repo.write({ 'dist/out.js': 'ignored', 'notes.txt': 'untracked but not ignored' });
  outside = await tempDir('claw-outside-');
  await writeFile(path.join(outside, 'secret.txt'), 'TOP SECRET');
  context = toolContext(repo);
});

afterEach(async () => {
  await repo.cleanup();
});

describe('resolveInWorktree', () => {
  it('accepts relative and absolute paths inside the worktree', () => {
    expect(resolveInWorktree(context.worktree, 'src/a.ts').relative).toBe('src/a.ts');
    expect(
      resolveInWorktree(context.worktree, path.join(context.worktree, 'src/a.ts')).relative,
    ).toBe('src/a.ts');
    expect(resolveInWorktree(context.worktree, 'src/new/deep.ts').relative).toBe('src/new/deep.ts');
  });

  it('refuses ../, absolute paths outside and symlinks pointing out', async () => {
    await symlink(outside, path.join(repo.dir, 'escape'));
    await symlink(path.join(outside, 'nowhere.txt'), path.join(repo.dir, 'dangling'));
    for (const input of [
      '../x',
      'src/../../x',
      '/etc/passwd',
      outside,
      'escape/secret.txt',
      'escape',
      'dangling',
      'escape/new.txt',
    ])
      expect(() => resolveInWorktree(context.worktree, input)).toThrow(/outside the repository/);
  });

  it('accepts a symlink that stays inside', async () => {
    await symlink(path.join(repo.dir, 'src'), path.join(repo.dir, 'alias'));
    expect(resolveInWorktree(context.worktree, 'alias/a.ts').relative).toBe('src/a.ts');
  });
});

describe('path escapes through every file tool', () => {
  it('refuses Read, Write, Edit, Glob, Grep and LS outside the worktree and writes nothing there', async () => {
    await symlink(outside, path.join(repo.dir, 'escape'));
    const attempts: [string, unknown][] = [
      ['Read', { file_path: '../secret.txt' }],
      ['Read', { file_path: path.join(outside, 'secret.txt') }],
      ['Read', { file_path: 'escape/secret.txt' }],
      ['Write', { file_path: 'escape/planted.txt', content: 'x' }],
      ['Write', { file_path: '../planted.txt', content: 'x' }],
      ['Edit', { file_path: 'escape/secret.txt', old_string: 'TOP', new_string: 'NOT' }],
      ['Glob', { pattern: '*', path: '..' }],
      ['Grep', { pattern: 'SECRET', path: 'escape' }],
      ['LS', { path: '/' }],
    ];
    for (const [name, input] of attempts)
      await expect(call(name, input, context)).rejects.toThrow(/outside the repository/);
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('TOP SECRET');
    await expect(readFile(path.join(outside, 'planted.txt'), 'utf8')).rejects.toThrow();
  });
});

describe('Read', () => {
  it('numbers lines like cat -n and records the read', async () => {
    const output = await call('Read', { file_path: 'src/a.ts' }, context);
    expect(output).toBe(
      '     1\texport const a = 1;\n     2\texport const b = 2;\n     3\texport const a2 = 1;',
    );
    expect(context.session.readFiles.has(path.join(context.worktree, 'src/a.ts'))).toBe(true);
  });

  it('honours offset and limit and says how to continue', async () => {
    const output = await call('Read', { file_path: 'src/a.ts', offset: 2, limit: 1 }, context);
    expect(output).toContain('     2\texport const b = 2;');
    expect(output).not.toContain('const a = 1');
    expect(output).toContain('Showing lines 2-2 of 3. Call Read with offset 3 to continue.');
  });

  it('stops at 2000 lines and says it truncated', async () => {
    await repo.write({
      'big.txt': Array.from({ length: 2500 }, (_, i) => `line ${i + 1}`).join('\n'),
    });
    const output = await call('Read', { file_path: 'big.txt' }, context);
    expect(output).toContain('  2000\tline 2000');
    expect(output).not.toContain('line 2001');
    expect(output).toContain('Showing lines 1-2000 of 2500');
  });

  it('explains a missing file, a directory and a binary file', async () => {
    await writeFile(path.join(repo.dir, 'bin.dat'), Buffer.from([0, 1, 2, 0]));
    await expect(call('Read', { file_path: 'nope.ts' }, context)).rejects.toThrow(/does not exist/);
    await expect(call('Read', { file_path: 'src' }, context)).rejects.toThrow(/is a directory/);
    await expect(call('Read', { file_path: 'bin.dat' }, context)).rejects.toThrow(/binary file/);
  });
});

describe('Write', () => {
  it('creates files and folders and records the change', async () => {
    const output = await call(
      'Write',
      { file_path: 'lib/new/file.ts', content: 'one\ntwo' },
      context,
    );
    expect(output).toBe('Created lib/new/file.ts (2 lines).');
    expect(await readFile(path.join(repo.dir, 'lib/new/file.ts'), 'utf8')).toBe('one\ntwo');
    expect([...context.session.changedFiles]).toEqual(['lib/new/file.ts']);
  });

  it('refuses to overwrite a file it has not read, then overwrites after Read', async () => {
    await expect(
      call('Write', { file_path: 'README.md', content: 'gone' }, context),
    ).rejects.toThrow(/have not read it/);
    expect(await readFile(path.join(repo.dir, 'README.md'), 'utf8')).toBe('# demo\n');
    await call('Read', { file_path: 'README.md' }, context);
    await call('Write', { file_path: 'README.md', content: 'new' }, context);
    expect(await readFile(path.join(repo.dir, 'README.md'), 'utf8')).toBe('new');
  });
});

describe('Edit', () => {
  it('refuses to edit a file not read first', async () => {
    await expect(
      call('Edit', { file_path: 'src/a.ts', old_string: 'b = 2', new_string: 'b = 3' }, context),
    ).rejects.toThrow(/have not read "src\/a.ts"/);
  });

  it('replaces a unique match exactly', async () => {
    await call('Read', { file_path: 'src/a.ts' }, context);
    const output = await call(
      'Edit',
      { file_path: 'src/a.ts', old_string: 'b = 2', new_string: 'b = 3' },
      context,
    );
    expect(output).toBe('Edited src/a.ts: replaced 1 occurrence.');
    expect(await readFile(path.join(repo.dir, 'src/a.ts'), 'utf8')).toBe(
      'export const a = 1;\nexport const b = 3;\nexport const a2 = 1;\n',
    );
  });

  it('reports a non-unique old_string with the count, and replace_all replaces each', async () => {
    await call('Read', { file_path: 'src/dup.ts' }, context);
    await expect(
      call(
        'Edit',
        { file_path: 'src/dup.ts', old_string: 'x = 1;', new_string: 'y = 2;' },
        context,
      ),
    ).rejects.toThrow(/occurs 2 times.*replace_all/);
    expect(await readFile(path.join(repo.dir, 'src/dup.ts'), 'utf8')).toBe('x = 1;\nx = 1;\n');
    await call(
      'Edit',
      { file_path: 'src/dup.ts', old_string: 'x = 1;', new_string: 'y = 2;', replace_all: true },
      context,
    );
    expect(await readFile(path.join(repo.dir, 'src/dup.ts'), 'utf8')).toBe('y = 2;\ny = 2;\n');
  });

  it('reports a missing old_string and a file changed since it was read', async () => {
    await call('Read', { file_path: 'src/a.ts' }, context);
    await expect(
      call('Edit', { file_path: 'src/a.ts', old_string: 'nothing', new_string: 'x' }, context),
    ).rejects.toThrow(/was not found/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(path.join(repo.dir, 'src/a.ts'), 'changed behind its back\n');
    await expect(
      call('Edit', { file_path: 'src/a.ts', old_string: 'changed', new_string: 'x' }, context),
    ).rejects.toThrow(/changed since you read it/);
  });

  it('treats $ patterns in new_string literally', async () => {
    await call('Read', { file_path: 'src/a.ts' }, context);
    await call(
      'Edit',
      { file_path: 'src/a.ts', old_string: 'b = 2', new_string: "b = '$&$1'" },
      context,
    );
    expect(await readFile(path.join(repo.dir, 'src/a.ts'), 'utf8')).toContain("b = '$&$1'");
  });
});

describe('Glob', () => {
  it('matches patterns, skips .gitignore, includes untracked files, newest first', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(path.join(repo.dir, 'src/dup.ts'), 'touched\n');
    const output = await call('Glob', { pattern: '**/*.ts' }, context);
    expect(output.split('\n')).toEqual(['src/dup.ts', 'src/a.ts']);
    expect(await call('Glob', { pattern: '**/*' }, context)).not.toContain('dist/out.js');
    expect(await call('Glob', { pattern: '*.txt' }, context)).toBe('notes.txt');
  });

  it('searches under path and reports no match or a missing folder', async () => {
    expect(await call('Glob', { pattern: '*.ts', path: 'src' }, context)).toContain('src/a.ts');
    expect(await call('Glob', { pattern: '*.py' }, context)).toMatch(/No files match/);
    await expect(call('Glob', { pattern: '*', path: 'missing' }, context)).rejects.toThrow(
      /does not exist/,
    );
  });
});

describe('LS', () => {
  it('draws the tree without ignored files and honours ignore', async () => {
    await mkdir(path.join(repo.dir, 'src/inner'), { recursive: true });
    await writeFile(path.join(repo.dir, 'src/inner/c.ts'), '');
    const output = await call('LS', { path: '.' }, context);
    expect(output).toBe(
      [
        './',
        '  - src/',
        '    - inner/',
        '      - c.ts',
        '    - a.ts',
        '    - dup.ts',
        '  - .gitignore',
        '  - README.md',
        '  - notes.txt',
      ].join('\n'),
    );
    const filtered = await call('LS', { path: 'src', ignore: ['inner', '*.ts'] }, context);
    expect(filtered).toMatch(/is empty/);
  });

  it('explains a file or a missing folder', async () => {
    await expect(call('LS', { path: 'README.md' }, context)).rejects.toThrow(/is a file/);
    await expect(call('LS', { path: 'nope' }, context)).rejects.toThrow(/does not exist/);
  });
});
