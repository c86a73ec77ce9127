// Which lines of a pull request diff GitHub accepts inline review comments on: parses unified diffs
// (`git diff`, GitHub's `.diff`, the per-file `patch` of pulls.listFiles) and checks comment positions.

export type DiffSide = 'LEFT' | 'RIGHT';
export type FileStatus = 'added' | 'removed' | 'modified' | 'renamed';

export interface DiffLine {
  kind: 'add' | 'del' | 'context';
  /** The line number in the old file; set for `del` and `context`. */
  oldLine?: number;
  /** The line number in the new file; set for `add` and `context`. */
  newLine?: number;
  /** The line without its `+`/`-`/` ` marker and without a trailing CR. */
  text: string;
  /** The diff marked this line with `\ No newline at end of file`. */
  missingNewline?: boolean;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The whole `@@ -a,b +c,d @@ section` line. */
  header: string;
  lines: DiffLine[];
}

export interface FileDiff {
  /** The new path; the old path for a removed file. */
  path: string;
  /** The old path of a renamed (or copied) file. */
  previousPath?: string;
  status: FileStatus;
  binary: boolean;
  hunks: Hunk[];
}

export interface CommentPosition {
  path: string;
  line: number;
  side?: DiffSide;
  start_line?: number;
  start_side?: DiffSide;
}

export type PositionCheck =
  { ok: true; side: DiffSide; startLine?: number } | { ok: false; reason: string };

type FileSet = readonly FileDiff[] | ReadonlyMap<string, FileDiff>;

interface FileDraft {
  oldPath: string | undefined;
  newPath: string | undefined;
  added: boolean;
  removed: boolean;
  renamed: boolean;
  copied: boolean;
  binary: boolean;
  hunks: Hunk[];
}

interface HunkReader {
  hunks: Hunk[];
  cursor: HunkCursor | undefined;
}

interface HunkCursor {
  hunk: Hunk;
  oldNext: number;
  newNext: number;
  oldLeft: number;
  newLeft: number;
}

// Anchored, with only digit runs and one trailing `.*`: no backtracking blow-up on long lines.
const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;
const DEV_NULL = '/dev/null';
const C_ESCAPES: Record<string, number> = {
  a: 7,
  b: 8,
  t: 9,
  n: 10,
  v: 11,
  f: 12,
  r: 13,
  '"': 34,
  '\\': 92,
};

/** Parses a multi-file unified diff (`git diff`, `git show`, GitHub's `.diff` media type). */
export function parseFileDiffs(unifiedDiff: string): FileDiff[] {
  const rows = unifiedDiff.split('\n');
  const files: FileDiff[] = [];
  let draft: FileDraft | undefined;
  let reader: HunkReader = { hunks: [], cursor: undefined };
  let skippingBinaryPatch = false;
  const start = (paths: { oldPath: string | undefined; newPath: string | undefined }) => {
    if (draft !== undefined) files.push(toFileDiff(draft));
    draft = newDraft(paths);
    reader = { hunks: draft.hunks, cursor: undefined };
    skippingBinaryPatch = false;
  };
  for (let index = 0; index < rows.length; index++) {
    const row = stripCr(rows[index] ?? '');
    if (row.startsWith('diff --git ')) {
      start(parseDiffGitPaths(row.slice('diff --git '.length)));
      continue;
    }
    if (draft !== undefined && !skippingBinaryPatch && readHunkRow(reader, row)) continue;
    // Plain `diff -u` output has no `diff --git` line: a `---`/`+++` pair outside a header starts a file.
    if (
      row.startsWith('--- ') &&
      (rows[index + 1] ?? '').startsWith('+++ ') &&
      (draft === undefined || draft.hunks.length > 0 || skippingBinaryPatch)
    ) {
      start({ oldPath: undefined, newPath: undefined });
    }
    if (draft !== undefined && !skippingBinaryPatch && draft.hunks.length === 0)
      skippingBinaryPatch = readHeaderLine(draft, row);
  }
  if (draft !== undefined) files.push(toFileDiff(draft));
  return files;
}

/** Parses the `patch` field of one file from pulls.listFiles: hunks only, no file headers. */
export function parsePatch(
  path: string,
  patch: string,
  options: { status?: FileStatus; previousPath?: string } = {},
): FileDiff {
  const draft = newDraft({ oldPath: options.previousPath ?? path, newPath: path });
  const reader: HunkReader = { hunks: draft.hunks, cursor: undefined };
  for (const row of patch.split('\n')) readHunkRow(reader, stripCr(row));
  const file = toFileDiff(draft);
  file.status = options.status ?? inferStatus(file.hunks);
  if (file.status === 'renamed' && options.previousPath !== undefined)
    file.previousPath = options.previousPath;
  return file;
}

/** The line numbers GitHub accepts a comment on, per side: new-file numbers on RIGHT, old-file numbers on LEFT. */
export function commentableLines(file: FileDiff): { RIGHT: Set<number>; LEFT: Set<number> } {
  const RIGHT = new Set<number>();
  const LEFT = new Set<number>();
  for (const hunk of file.hunks) {
    for (const line of hunk.lines) {
      if (line.newLine !== undefined) RIGHT.add(line.newLine);
      if (line.oldLine !== undefined) LEFT.add(line.oldLine);
    }
  }
  return { RIGHT, LEFT };
}

/** Checks a review comment against the diff before it goes to pulls.createReview. */
export function validateCommentPosition(files: FileSet, comment: CommentPosition): PositionCheck {
  const side = comment.side ?? 'RIGHT';
  const { path, line } = comment;
  if (!isLineNumber(line)) return fail(`line must be a positive integer, got ${String(line)}`);
  const startLine = comment.start_line;
  if (startLine !== undefined && !isLineNumber(startLine))
    return fail(`start_line must be a positive integer, got ${String(startLine)}`);
  const file = findFile(files, path);
  if (file === undefined) return fail(`${path}: the file is not in the diff`);
  if (file.binary) return fail(`${path} is a binary file, so it has no lines to comment on`);
  if (file.hunks.length === 0)
    return fail(`${path} has no changed lines in the diff to comment on`);
  if (startLine !== undefined && (comment.start_side ?? side) !== side)
    return fail('start_side must match side: a range cannot span both sides of the diff');
  if (startLine !== undefined && startLine > line)
    return fail(`start_line must be before line (got ${startLine} and ${line})`);
  const endHunk = hunkIndexAt(file, line, side);
  if (endHunk === undefined) return fail(notInDiff(file, line, side));
  // GitHub rejects start_line equal to line; the same comment is simply a single-line one.
  if (startLine === undefined || startLine === line) return { ok: true, side };
  const startHunk = hunkIndexAt(file, startLine, side);
  if (startHunk === undefined) return fail(notInDiff(file, startLine, side));
  if (startHunk !== endHunk)
    return fail(
      `the range spans more than one hunk: ${path}:${startLine} and ${path}:${line} are in different hunks`,
    );
  return { ok: true, side, startLine };
}

/** Whether a ```suggestion may replace the comment's lines: RIGHT side, the whole range inside one hunk. */
export function suggestionAllowed(files: FileSet, comment: CommentPosition): boolean {
  const check = validateCommentPosition(files, comment);
  // A hunk's lines on one side are contiguous, so both ends in one hunk means every line between is too.
  return check.ok && check.side === 'RIGHT';
}

/** The text of the hunk (with its `@@` header) that holds `line` on `side`, to show as context. */
export function hunkAround(
  file: FileDiff,
  line: number,
  side: DiffSide = 'RIGHT',
): string | undefined {
  const index = hunkIndexAt(file, line, side);
  const hunk = index === undefined ? undefined : file.hunks[index];
  if (hunk === undefined) return undefined;
  const marker = { add: '+', del: '-', context: ' ' } as const;
  const rows = [hunk.header];
  for (const diffLine of hunk.lines) {
    rows.push(marker[diffLine.kind] + diffLine.text);
    if (diffLine.missingNewline === true) rows.push('\\ No newline at end of file');
  }
  return rows.join('\n');
}

function stripCr(row: string): string {
  return row.endsWith('\r') ? row.slice(0, -1) : row;
}

function newDraft(paths: { oldPath: string | undefined; newPath: string | undefined }): FileDraft {
  return {
    ...paths,
    added: false,
    removed: false,
    renamed: false,
    copied: false,
    binary: false,
    hunks: [],
  };
}

function openHunk(header: string): HunkCursor | undefined {
  const match = HUNK_HEADER.exec(header);
  if (match === null) return undefined;
  const hunk: Hunk = {
    oldStart: Number(match[1]),
    oldLines: match[2] === undefined ? 1 : Number(match[2]),
    newStart: Number(match[3]),
    newLines: match[4] === undefined ? 1 : Number(match[4]),
    header,
    lines: [],
  };
  return {
    hunk,
    oldNext: hunk.oldStart,
    newNext: hunk.newStart,
    oldLeft: hunk.oldLines,
    newLeft: hunk.newLines,
  };
}

function hunkOpen(cursor: HunkCursor): boolean {
  return cursor.oldLeft > 0 || cursor.newLeft > 0;
}

/** Consumes a row that belongs to the hunks: a body line of the open hunk, a `\\` marker or an `@@` header. */
function readHunkRow(reader: HunkReader, row: string): boolean {
  // The marker follows the line it is about, inside or after the hunk, and is never a line itself.
  if (row.startsWith('\\')) {
    const previous = reader.hunks.at(-1)?.lines.at(-1);
    if (previous !== undefined) previous.missingNewline = true;
    return true;
  }
  if (reader.cursor !== undefined && hunkOpen(reader.cursor)) {
    if (readHunkLine(reader.cursor, row)) return true;
    // A hunk shorter than its header claims (a truncated diff): read the row as something else.
    reader.cursor = undefined;
  }
  if (!row.startsWith('@@ ')) return false;
  reader.cursor = openHunk(row);
  if (reader.cursor !== undefined) reader.hunks.push(reader.cursor.hunk);
  return true;
}

/**
 * Reads one body row of an open hunk; false when the row cannot belong to it. The header's counts
 * decide where the hunk ends, so a removed `-- x` line (`--- x`) is never taken for a file header.
 */
function readHunkLine(cursor: HunkCursor, row: string): boolean {
  const marker = row[0];
  if (marker === '+' && cursor.newLeft > 0) {
    cursor.hunk.lines.push({ kind: 'add', newLine: cursor.newNext++, text: row.slice(1) });
    cursor.newLeft--;
  } else if (marker === '-' && cursor.oldLeft > 0) {
    cursor.hunk.lines.push({ kind: 'del', oldLine: cursor.oldNext++, text: row.slice(1) });
    cursor.oldLeft--;
  } else if ((marker === ' ' || marker === undefined) && cursor.oldLeft > 0 && cursor.newLeft > 0) {
    // An empty row is a context line whose trailing space an editor or a web form trimmed.
    const line: DiffLine = {
      kind: 'context',
      oldLine: cursor.oldNext++,
      newLine: cursor.newNext++,
      text: row.slice(1),
    };
    cursor.hunk.lines.push(line);
    cursor.oldLeft--;
    cursor.newLeft--;
  } else {
    return false;
  }
  return true;
}

/** Applies one extended header line to the file; returns true when a `GIT binary patch` body follows. */
function readHeaderLine(draft: FileDraft, row: string): boolean {
  if (row.startsWith('--- ')) {
    const oldPath = headerPath(row.slice(4), 'a/');
    if (oldPath === undefined) draft.added = true;
    else draft.oldPath = oldPath;
  } else if (row.startsWith('+++ ')) {
    const newPath = headerPath(row.slice(4), 'b/');
    if (newPath === undefined) draft.removed = true;
    else draft.newPath = newPath;
  } else if (row.startsWith('new file mode')) {
    draft.added = true;
  } else if (row.startsWith('deleted file mode')) {
    draft.removed = true;
  } else if (row.startsWith('rename from ') || row.startsWith('copy from ')) {
    draft.oldPath = unquote(row.slice(row.indexOf(' from ') + 6));
    if (row.startsWith('rename')) draft.renamed = true;
    else draft.copied = true;
  } else if (row.startsWith('rename to ') || row.startsWith('copy to ')) {
    draft.newPath = unquote(row.slice(row.indexOf(' to ') + 4));
  } else if (row.startsWith('Binary files ')) {
    draft.binary = true;
    if (row.startsWith(`Binary files ${DEV_NULL} and `)) draft.added = true;
    if (row.endsWith(` and ${DEV_NULL} differ`)) draft.removed = true;
  } else if (row === 'GIT binary patch') {
    draft.binary = true;
    return true;
  }
  return false;
}

function toFileDiff(draft: FileDraft): FileDiff {
  const oldPath = draft.oldPath ?? draft.newPath ?? '';
  const newPath = draft.newPath ?? oldPath;
  let status: FileStatus = 'modified';
  if (draft.added || draft.copied) status = 'added';
  else if (draft.removed) status = 'removed';
  else if (draft.renamed) status = 'renamed';
  const file: FileDiff = {
    path: status === 'removed' ? oldPath : newPath,
    status,
    binary: draft.binary,
    hunks: draft.hunks,
  };
  if ((draft.renamed || draft.copied) && oldPath !== newPath) file.previousPath = oldPath;
  return file;
}

function inferStatus(hunks: readonly Hunk[]): FileStatus {
  const only = hunks.length === 1 ? hunks[0] : undefined;
  if (only?.oldStart === 0 && only.oldLines === 0) return 'added';
  if (only?.newStart === 0 && only.newLines === 0) return 'removed';
  return 'modified';
}

/** The path in a `---`/`+++` line, without its prefix; undefined for /dev/null. */
function headerPath(field: string, prefix: string): string | undefined {
  // Git appends a tab to names that contain a space (and traditional diffs put a timestamp after one).
  const name = field.startsWith('"') ? unquote(field) : (field.split('\t', 1)[0] ?? '');
  if (name === DEV_NULL) return undefined;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** Both paths of `diff --git a/x b/y`; only a fallback, since rename, copy and ---/+++ lines name them unambiguously. */
function parseDiffGitPaths(rest: string): {
  oldPath: string | undefined;
  newPath: string | undefined;
} {
  const strip = (name: string, prefix: string) =>
    name.startsWith(prefix) ? name.slice(prefix.length) : name;
  if (rest.startsWith('"')) {
    const end = closingQuote(rest, 0);
    const first = unquote(rest.slice(0, end + 1));
    const second = unquote(rest.slice(end + 2));
    return { oldPath: strip(first, 'a/'), newPath: strip(second, 'b/') };
  }
  // Without a rename both names are the same, so the line splits at its middle even when names hold spaces.
  const half = (rest.length - 1) / 2;
  const first = rest.slice(0, half);
  const second = rest.slice(half + 1);
  if (Number.isInteger(half) && first.slice(2) === second.slice(2)) {
    return { oldPath: strip(first, 'a/'), newPath: strip(second, 'b/') };
  }
  const split = rest.lastIndexOf(' b/');
  if (split === -1) return { oldPath: undefined, newPath: undefined };
  return {
    oldPath: strip(rest.slice(0, split), 'a/'),
    newPath: unquote(rest.slice(split + 1)).slice(2),
  };
}

function closingQuote(text: string, open: number): number {
  for (let index = open + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === '"') return index;
  }
  return text.length;
}

/** Decodes git's C-style quoting (`"h\303\251llo.txt"`), used for names with non-ASCII or control characters. */
function unquote(field: string): string {
  if (!field.startsWith('"')) return field;
  const bytes: number[] = [];
  const end = closingQuote(field, 0);
  for (let index = 1; index < end; index++) {
    const codePoint = field.codePointAt(index) ?? 0;
    if (codePoint !== 0x5c) {
      // Names are ASCII when git quotes them with core.quotePath on; keep raw code points when it is off.
      bytes.push(...Buffer.from(String.fromCodePoint(codePoint), 'utf8'));
      if (codePoint > 0xffff) index++;
      continue;
    }
    const next = field[index + 1] ?? '';
    const octal = field.slice(index + 1, index + 4);
    if (/^[0-7]{3}$/.test(octal)) {
      bytes.push(parseInt(octal, 8));
      index += 3;
    } else {
      bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
      index += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function isLineNumber(line: number): boolean {
  return Number.isInteger(line) && line > 0;
}

function fail(reason: string): PositionCheck {
  return { ok: false, reason };
}

function findFile(files: FileSet, path: string): FileDiff | undefined {
  if (files instanceof Map) return files.get(path);
  return (files as readonly FileDiff[]).find((file) => file.path === path);
}

function lineOn(line: DiffLine, side: DiffSide): number | undefined {
  return side === 'RIGHT' ? line.newLine : line.oldLine;
}

function hunkIndexAt(file: FileDiff, line: number, side: DiffSide): number | undefined {
  const index = file.hunks.findIndex((hunk) =>
    hunk.lines.some((diffLine) => lineOn(diffLine, side) === line),
  );
  return index === -1 ? undefined : index;
}

/** The lines of one side a hunk covers, as `first-last`; contiguous because every old or new line of a hunk is listed. */
function spanOf(hunk: Hunk, side: DiffSide): string | undefined {
  const numbers = hunk.lines.map((line) => lineOn(line, side)).filter((n) => n !== undefined);
  const first = numbers[0];
  const last = numbers.at(-1);
  if (first === undefined || last === undefined) return undefined;
  return first === last ? String(first) : `${first}-${last}`;
}

function notInDiff(file: FileDiff, line: number, side: DiffSide): string {
  const spans = file.hunks.map((hunk) => spanOf(hunk, side)).filter((span) => span !== undefined);
  if (spans.length === 0) {
    const hint = {
      added: ' (the file was added, so use side RIGHT)',
      removed: ' (the file was removed, so use side LEFT)',
    };
    const why = file.status === 'added' || file.status === 'removed' ? hint[file.status] : '';
    return `${file.path}:${line} is not in the diff: the file has no ${side}-side lines${why}`;
  }
  const shown = spans.length > 10 ? [...spans.slice(0, 10), '…'] : spans;
  return `${file.path}:${line} is not in the diff on the ${side} side (${side} lines in the diff: ${shown.join(', ')})`;
}
