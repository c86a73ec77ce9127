import { execFile } from 'node:child_process';
import { chmod, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  commentableLines,
  hunkAround,
  parseFileDiffs,
  parsePatch,
  suggestionAllowed,
  validateCommentPosition,
  type CommentPosition,
  type FileDiff,
  type PositionCheck,
} from '../../src/github/index.js';
import { createTempRepo, GIT_TEST_ENV, type TempRepo } from '../support/git-repo.js';

const run = promisify(execFile);

const lines = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, index) => from + index);
const numbered = (from: number, to: number): string =>
  lines(from, to)
    .map((n) => `${n}\n`)
    .join('');
const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);

const BASE: Record<string, string> = {
  'multi.txt': numbered(1, 30),
  'gone.txt': 'alpha\nbeta\ngamma\n',
  'old-name.txt': lines(1, 20)
    .map((n) => `line ${n}\n`)
    .join(''),
  'pure-old.txt': 'kept as is\nby the rename\n',
  'nonl.txt': 'x\ny',
  'fixed-eol.txt': 'p\nq',
  'one.txt': 'solo',
  'crlf.txt': 'a\r\nb\r\nc\r\n',
  'img.bin': 'bin\0ary',
  'query.sql': '-- drop me\nselect 1;\n',
  'sp ace.txt': 'hi\n',
  'héllo wörld.txt': 'hi there\n',
  'run.sh': 'echo run\n',
};

const HEAD: Record<string, string> = {
  'multi.txt': numbered(1, 30)
    .replace(/^3$/m, 'three')
    .replace(/^15\n/m, '')
    .replace(/^28$/m, '28\nextra'),
  'added.txt': 'brand\nnew\n',
  'new-name.txt': BASE['old-name.txt']!.replace('line 10\n', 'line ten\n'),
  'pure-new.txt': BASE['pure-old.txt']!,
  'nonl.txt': 'x\nz',
  'fixed-eol.txt': 'p\nq\n',
  'one.txt': 'SOLO',
  'crlf.txt': 'a\r\nB\r\nc\r\nd\r\n',
  'img.bin': 'bin\0ary2',
  'query.sql': '++ add me\nselect 1;\n',
  'sp ace.txt': 'ho\n',
  'héllo wörld.txt': 'ho there\n',
  'empty.txt': '',
};

let repo: TempRepo;
let diff: string;
let files: FileDiff[];

beforeAll(async () => {
  repo = await createTempRepo({ files: BASE });
  await repo.git(['tag', 'base']);
  for (const gone of ['gone.txt', 'old-name.txt', 'pure-old.txt'])
    await rm(path.join(repo.dir, gone));
  await chmod(path.join(repo.dir, 'run.sh'), 0o755);
  await repo.commit('change everything', HEAD);
  // Not repo.git(): it trims the output, and the exact bytes of the diff matter here.
  const { stdout } = await run('git', ['diff', '--no-color', '-M', 'base', 'HEAD'], {
    cwd: repo.dir,
    env: GIT_TEST_ENV,
  });
  diff = stdout;
  files = parseFileDiffs(diff);
});

afterAll(async () => {
  await repo.cleanup();
});

const fileAt = (filePath: string): FileDiff => {
  const file = files.find((candidate) => candidate.path === filePath);
  if (file === undefined) throw new Error(`${filePath} was not parsed`);
  return file;
};

/** The per-file section of git's output from its first `@@`, as pulls.listFiles returns it in `patch`. */
const patchOf = (filePath: string): string => {
  const sections = diff.split(/^(?=diff --git )/m);
  const section = sections[files.findIndex((file) => file.path === filePath)] ?? '';
  return section.slice(section.indexOf('\n@@ ') + 1).replace(/\n$/, '');
};

interface FileCase {
  name: string;
  path: string;
  status: FileDiff['status'];
  previousPath?: string;
  binary?: boolean;
  RIGHT: number[];
  LEFT: number[];
}

const fileCases: FileCase[] = [
  {
    name: 'a modification with three hunks',
    path: 'multi.txt',
    status: 'modified',
    RIGHT: [...lines(1, 6), ...lines(12, 17), ...lines(25, 30)],
    LEFT: [...lines(1, 6), ...lines(12, 18), ...lines(26, 30)],
  },
  { name: 'an added file', path: 'added.txt', status: 'added', RIGHT: [1, 2], LEFT: [] },
  { name: 'a deleted file', path: 'gone.txt', status: 'removed', RIGHT: [], LEFT: [1, 2, 3] },
  {
    name: 'a rename with changes',
    path: 'new-name.txt',
    previousPath: 'old-name.txt',
    status: 'renamed',
    RIGHT: lines(7, 13),
    LEFT: lines(7, 13),
  },
  {
    name: 'a pure rename',
    path: 'pure-new.txt',
    previousPath: 'pure-old.txt',
    status: 'renamed',
    RIGHT: [],
    LEFT: [],
  },
  {
    name: 'missing a final newline on both sides',
    path: 'nonl.txt',
    status: 'modified',
    RIGHT: [1, 2],
    LEFT: [1, 2],
  },
  {
    name: 'given the final newline it lacked',
    path: 'fixed-eol.txt',
    status: 'modified',
    RIGHT: [1, 2],
    LEFT: [1, 2],
  },
  {
    name: 'one line long (`@@ -1 +1 @@`)',
    path: 'one.txt',
    status: 'modified',
    RIGHT: [1],
    LEFT: [1],
  },
  {
    name: 'stored with CRLF line endings',
    path: 'crlf.txt',
    status: 'modified',
    RIGHT: [1, 2, 3, 4],
    LEFT: [1, 2, 3],
  },
  { name: 'a binary file', path: 'img.bin', status: 'modified', binary: true, RIGHT: [], LEFT: [] },
  {
    name: 'SQL whose removed `--` and added `++` lines look like headers',
    path: 'query.sql',
    status: 'modified',
    RIGHT: [1, 2],
    LEFT: [1, 2],
  },
  { name: 'named with a space', path: 'sp ace.txt', status: 'modified', RIGHT: [1], LEFT: [1] },
  {
    name: 'named with non-ASCII characters git quotes',
    path: 'héllo wörld.txt',
    status: 'modified',
    RIGHT: [1],
    LEFT: [1],
  },
  { name: 'changed only in mode', path: 'run.sh', status: 'modified', RIGHT: [], LEFT: [] },
  { name: 'added empty', path: 'empty.txt', status: 'added', RIGHT: [], LEFT: [] },
];

describe('parseFileDiffs', () => {
  it('returns one file per `diff --git` section when given a real multi-file git diff', () => {
    const sections = diff.split('\n').filter((row) => row.startsWith('diff --git ')).length;

    const paths = files.map((file) => file.path);

    expect(files).toHaveLength(sections);
    expect(new Set(paths)).toEqual(new Set(fileCases.map((fileCase) => fileCase.path)));
  });

  it.each(fileCases)('reads the status and paths of $path when it is $name', (fileCase) => {
    const file = fileAt(fileCase.path);

    expect({ status: file.status, previousPath: file.previousPath, binary: file.binary }).toEqual({
      status: fileCase.status,
      previousPath: fileCase.previousPath,
      binary: fileCase.binary ?? false,
    });
  });

  it('numbers old and new lines separately when a hunk removes and adds lines', () => {
    const second = fileAt('multi.txt').hunks[1];

    expect(second).toMatchObject({
      oldStart: 12,
      oldLines: 7,
      newStart: 12,
      newLines: 6,
      header: '@@ -12,7 +12,6 @@',
    });
    expect(second?.lines.slice(2, 5)).toEqual([
      { kind: 'context', oldLine: 14, newLine: 14, text: '14' },
      { kind: 'del', oldLine: 15, text: '15' },
      { kind: 'context', oldLine: 16, newLine: 15, text: '16' },
    ]);
  });

  it('keeps the section text in the header when git finds a function line', () => {
    expect(fileAt('new-name.txt').hunks[0]?.header).toBe('@@ -7,7 +7,7 @@ line 6');
  });

  it('counts one line when the header omits the counts', () => {
    expect(fileAt('one.txt').hunks[0]).toMatchObject({
      oldStart: 1,
      oldLines: 1,
      newStart: 1,
      newLines: 1,
    });
  });

  it('marks the lines git flags with `\\ No newline at end of file` when either side lacks one', () => {
    const nonl = fileAt('nonl.txt').hunks[0]?.lines;
    const fixed = fileAt('fixed-eol.txt').hunks[0]?.lines;

    expect(nonl).toEqual([
      { kind: 'context', oldLine: 1, newLine: 1, text: 'x' },
      { kind: 'del', oldLine: 2, text: 'y', missingNewline: true },
      { kind: 'add', newLine: 2, text: 'z', missingNewline: true },
    ]);
    expect(fixed?.slice(1)).toEqual([
      { kind: 'del', oldLine: 2, text: 'q', missingNewline: true },
      { kind: 'add', newLine: 2, text: 'q' },
    ]);
  });

  it('reads `--- x` and `+++ x` rows as hunk lines when the counts say the hunk is still open', () => {
    expect(fileAt('query.sql').hunks[0]?.lines).toEqual([
      { kind: 'del', oldLine: 1, text: '-- drop me' },
      { kind: 'add', newLine: 1, text: '++ add me' },
      { kind: 'context', oldLine: 2, newLine: 2, text: 'select 1;' },
    ]);
  });

  it('drops the carriage return from the text when the content has CRLF line endings', () => {
    expect(fileAt('crlf.txt').hunks[0]?.lines.map((line) => line.text)).toEqual([
      'a',
      'b',
      'B',
      'c',
      'd',
    ]);
  });

  it('finds the same lines when the whole diff was converted to CRLF', () => {
    const crlfFiles = parseFileDiffs(diff.replace(/\n/g, '\r\n'));

    expect(crlfFiles.map((file) => [file.path, commentableLines(file)])).toEqual(
      files.map((file) => [file.path, commentableLines(file)]),
    );
  });

  it('returns no files when the diff is empty', () => {
    expect(parseFileDiffs('')).toEqual([]);
  });

  it('reads plain `diff -u` output when it has no `diff --git` lines', () => {
    const plain =
      '--- a.txt\t2026-01-01\n+++ a.txt\t2026-01-02\n@@ -1,2 +1,2 @@\n-old\n+new\n same\n';

    const [file] = parseFileDiffs(plain);

    expect(file?.path).toBe('a.txt');
    expect(file && commentableLines(file)).toEqual({
      RIGHT: new Set([1, 2]),
      LEFT: new Set([1, 2]),
    });
  });

  it('skips the base85 body when the diff carries a `GIT binary patch`', () => {
    const binary = [
      'diff --git a/logo.png b/logo.png',
      'new file mode 100644',
      'index 0000000..1111111',
      'GIT binary patch',
      'literal 4',
      'LcmZ?wbN~PV0000',
      '',
      'literal 0',
      'HcmV?d00001',
      '',
      'diff --git a/b.txt b/b.txt',
      '--- a/b.txt',
      '+++ b/b.txt',
      '@@ -1 +1 @@',
      '-b',
      '+B',
    ].join('\n');

    const parsed = parseFileDiffs(binary);

    expect(parsed.map((file) => [file.path, file.status, file.binary, file.hunks.length])).toEqual([
      ['logo.png', 'added', true, 0],
      ['b.txt', 'modified', false, 1],
    ]);
  });
});

describe('commentableLines', () => {
  it.each(fileCases)(
    'lists exactly the diff lines of each side when the file is $name',
    (fileCase) => {
      const commentable = commentableLines(fileAt(fileCase.path));

      expect({ RIGHT: sorted(commentable.RIGHT), LEFT: sorted(commentable.LEFT) }).toEqual({
        RIGHT: fileCase.RIGHT,
        LEFT: fileCase.LEFT,
      });
    },
  );
});

describe('parsePatch', () => {
  const withHunks = fileCases.filter(
    (fileCase) => fileCase.RIGHT.length + fileCase.LEFT.length > 0,
  );

  it.each(withHunks)('gives the same hunks as the full diff when the file is $name', (fileCase) => {
    const full = fileAt(fileCase.path);
    const options =
      fileCase.previousPath === undefined ? {} : { previousPath: fileCase.previousPath };

    const file = parsePatch(fileCase.path, patchOf(fileCase.path), {
      status: full.status,
      ...options,
    });

    expect(file).toEqual(full);
  });

  it.each([
    ['added', 'added.txt'],
    ['removed', 'gone.txt'],
    ['modified', 'multi.txt'],
  ] as const)('infers %s when the patch of %s comes without a status', (status, filePath) => {
    expect(parsePatch(filePath, patchOf(filePath)).status).toBe(status);
  });

  it('keeps a trailing empty context line when a web form trimmed its space', () => {
    const file = parsePatch('a.txt', '@@ -1,3 +1,3 @@\n-a\n+A\n\n end');

    expect(commentableLines(file)).toEqual({ RIGHT: new Set([1, 2, 3]), LEFT: new Set([1, 2, 3]) });
  });
});

type PositionCase = [title: string, comment: CommentPosition, expected: PositionCheck];

const positionCases: PositionCase[] = [
  [
    'accepts RIGHT 3 when it is an added line',
    { path: 'multi.txt', line: 3 },
    { ok: true, side: 'RIGHT' },
  ],
  [
    'accepts RIGHT 5 when it is a context line',
    { path: 'multi.txt', line: 5, side: 'RIGHT' },
    { ok: true, side: 'RIGHT' },
  ],
  [
    'rejects RIGHT 9 when it lies between hunks',
    { path: 'multi.txt', line: 9 },
    {
      ok: false,
      reason:
        'multi.txt:9 is not in the diff on the RIGHT side (RIGHT lines in the diff: 1-6, 12-17, 25-30)',
    },
  ],
  [
    'accepts LEFT 15 when it is a removed line',
    { path: 'multi.txt', line: 15, side: 'LEFT' },
    { ok: true, side: 'LEFT' },
  ],
  [
    'rejects LEFT 25 when only the new file has a line 25 in the diff',
    { path: 'multi.txt', line: 25, side: 'LEFT' },
    {
      ok: false,
      reason:
        'multi.txt:25 is not in the diff on the LEFT side (LEFT lines in the diff: 1-6, 12-18, 26-30)',
    },
  ],
  [
    'accepts a range when both ends are in one hunk',
    { path: 'multi.txt', start_line: 12, line: 17 },
    { ok: true, side: 'RIGHT', startLine: 12 },
  ],
  [
    'accepts a LEFT range when both ends are in one hunk',
    { path: 'multi.txt', start_line: 14, line: 18, side: 'LEFT', start_side: 'LEFT' },
    { ok: true, side: 'LEFT', startLine: 14 },
  ],
  [
    'rejects a range when it spans two hunks',
    { path: 'multi.txt', start_line: 5, line: 13 },
    {
      ok: false,
      reason:
        'the range spans more than one hunk: multi.txt:5 and multi.txt:13 are in different hunks',
    },
  ],
  [
    'rejects a range when its start is outside the diff',
    { path: 'multi.txt', start_line: 9, line: 12 },
    {
      ok: false,
      reason:
        'multi.txt:9 is not in the diff on the RIGHT side (RIGHT lines in the diff: 1-6, 12-17, 25-30)',
    },
  ],
  [
    'rejects a range when start_line comes after line',
    { path: 'multi.txt', start_line: 6, line: 2 },
    { ok: false, reason: 'start_line must be before line (got 6 and 2)' },
  ],
  [
    'treats the comment as single-line when start_line equals line',
    { path: 'multi.txt', start_line: 4, line: 4 },
    { ok: true, side: 'RIGHT' },
  ],
  [
    'rejects a range when its ends are on different sides',
    { path: 'multi.txt', start_line: 2, start_side: 'LEFT', line: 4, side: 'RIGHT' },
    { ok: false, reason: 'start_side must match side: a range cannot span both sides of the diff' },
  ],
  [
    'rejects a line when it is not a positive integer',
    { path: 'multi.txt', line: 0 },
    { ok: false, reason: 'line must be a positive integer, got 0' },
  ],
  [
    'rejects a file when it is not in the diff',
    { path: 'src/unknown.ts', line: 1 },
    { ok: false, reason: 'src/unknown.ts: the file is not in the diff' },
  ],
  [
    'accepts RIGHT 2 when the file was added',
    { path: 'added.txt', line: 2 },
    { ok: true, side: 'RIGHT' },
  ],
  [
    'rejects LEFT 1 when the file was added',
    { path: 'added.txt', line: 1, side: 'LEFT' },
    {
      ok: false,
      reason:
        'added.txt:1 is not in the diff: the file has no LEFT-side lines (the file was added, so use side RIGHT)',
    },
  ],
  [
    'accepts LEFT 2 when the file was deleted',
    { path: 'gone.txt', line: 2, side: 'LEFT' },
    { ok: true, side: 'LEFT' },
  ],
  [
    'rejects RIGHT 2 when the file was deleted',
    { path: 'gone.txt', line: 2 },
    {
      ok: false,
      reason:
        'gone.txt:2 is not in the diff: the file has no RIGHT-side lines (the file was removed, so use side LEFT)',
    },
  ],
  [
    'accepts the new path when the file was renamed with changes',
    { path: 'new-name.txt', line: 10 },
    { ok: true, side: 'RIGHT' },
  ],
  [
    'rejects the old path when the file was renamed',
    { path: 'old-name.txt', line: 10 },
    { ok: false, reason: 'old-name.txt: the file is not in the diff' },
  ],
  [
    'rejects any line when the rename changed no lines',
    { path: 'pure-new.txt', line: 1 },
    { ok: false, reason: 'pure-new.txt has no changed lines in the diff to comment on' },
  ],
  [
    'rejects any line when the file is binary',
    { path: 'img.bin', line: 1 },
    { ok: false, reason: 'img.bin is a binary file, so it has no lines to comment on' },
  ],
  [
    'accepts the last line when it has no newline at end of file',
    { path: 'nonl.txt', start_line: 1, line: 2 },
    { ok: true, side: 'RIGHT', startLine: 1 },
  ],
  [
    'accepts the added line 4 when the content has CRLF endings',
    { path: 'crlf.txt', line: 4 },
    { ok: true, side: 'RIGHT' },
  ],
  [
    'rejects LEFT 4 when the CRLF file gained that line',
    { path: 'crlf.txt', line: 4, side: 'LEFT' },
    {
      ok: false,
      reason: 'crlf.txt:4 is not in the diff on the LEFT side (LEFT lines in the diff: 1-3)',
    },
  ],
  [
    'accepts a decoded name when git quoted it',
    { path: 'héllo wörld.txt', line: 1 },
    { ok: true, side: 'RIGHT' },
  ],
];

describe('validateCommentPosition', () => {
  it.each(positionCases)('%s', (_title, comment, expected) => {
    expect(validateCommentPosition(files, comment)).toEqual(expected);
  });

  it('gives the same answers when the files come as a Map keyed by path', () => {
    const byPath = new Map(files.map((file) => [file.path, file]));

    const results = positionCases.map(([, comment]) => validateCommentPosition(byPath, comment));

    expect(results).toEqual(positionCases.map(([, , expected]) => expected));
  });
});

describe('suggestionAllowed', () => {
  it.each([
    [
      'allows',
      'a RIGHT range is inside one hunk',
      { path: 'multi.txt', start_line: 2, line: 4 },
      true,
    ],
    ['allows', 'it is a single added line', { path: 'multi.txt', line: 28 }, true],
    ['allows', 'it covers a whole added file', { path: 'added.txt', start_line: 1, line: 2 }, true],
    ['allows', 'the last line has no final newline', { path: 'one.txt', line: 1 }, true],
    ['refuses', 'the range spans two hunks', { path: 'multi.txt', start_line: 5, line: 13 }, false],
    [
      'refuses',
      'the comment is on the LEFT side',
      { path: 'multi.txt', line: 15, side: 'LEFT' },
      false,
    ],
    ['refuses', 'the line is outside the diff', { path: 'multi.txt', line: 9 }, false],
    ['refuses', 'the file was deleted', { path: 'gone.txt', line: 1 }, false],
    ['refuses', 'the file is binary', { path: 'img.bin', line: 1 }, false],
    ['refuses', 'the file is not in the diff', { path: 'src/unknown.ts', line: 1 }, false],
  ] as const)('%s a suggestion when %s', (_verb, _when, comment, expected) => {
    expect(suggestionAllowed(files, comment)).toBe(expected);
  });
});

describe('hunkAround', () => {
  const gitHunk = (filePath: string, index: number): string => {
    const hunks = patchOf(filePath).split(/^(?=@@ )/m);
    return (hunks[index] ?? '').replace(/\n$/, '');
  };

  it('returns git’s own hunk text when the line is in the second hunk', () => {
    expect(hunkAround(fileAt('multi.txt'), 13, 'RIGHT')).toBe(gitHunk('multi.txt', 1));
  });

  it('finds the hunk by old line number when the side is LEFT', () => {
    expect(hunkAround(fileAt('multi.txt'), 18, 'LEFT')).toBe(gitHunk('multi.txt', 1));
  });

  it('keeps the no-newline markers when the hunk has them', () => {
    expect(hunkAround(fileAt('nonl.txt'), 2)).toBe(gitHunk('nonl.txt', 0));
  });

  it('returns undefined when the line is outside every hunk', () => {
    expect(hunkAround(fileAt('multi.txt'), 9, 'RIGHT')).toBeUndefined();
  });
});
