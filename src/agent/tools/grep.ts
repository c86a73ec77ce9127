// `Grep {pattern, path?, glob?, type?, output_mode?, -i?, -n?, -A?, -B?, -C?, head_limit?, multiline?}`:
// ripgrep when installed, `git grep` otherwise (a JS scan for multiline); results are normalized so both agree.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { z } from 'zod';
import { execCapture, hasProgram } from './exec-capture.js';
import { listFiles } from './list-files.js';
import { resolveInWorktree } from './resolve-path.js';
import { capOutput, defineTool, ToolFailure, type ToolContext } from './tool.js';

const MAX_OUTPUT_CHARS = 40_000;

/** File types by name, as globs, so `type` filters identically under rg and git grep. */
export const GREP_TYPES: Readonly<Record<string, readonly string[]>> = {
  js: ['*.js', '*.jsx', '*.mjs', '*.cjs'],
  ts: ['*.ts', '*.tsx', '*.mts', '*.cts'],
  py: ['*.py', '*.pyi'],
  go: ['*.go'],
  rust: ['*.rs'],
  java: ['*.java'],
  kotlin: ['*.kt', '*.kts'],
  c: ['*.c', '*.h'],
  cpp: ['*.cpp', '*.cc', '*.cxx', '*.hpp', '*.hh', '*.hxx', '*.h'],
  cs: ['*.cs'],
  rb: ['*.rb'],
  php: ['*.php'],
  swift: ['*.swift'],
  sh: ['*.sh', '*.bash'],
  md: ['*.md', '*.markdown'],
  json: ['*.json'],
  yaml: ['*.yml', '*.yaml'],
  toml: ['*.toml'],
  html: ['*.html', '*.htm'],
  css: ['*.css', '*.scss', '*.sass', '*.less'],
  sql: ['*.sql'],
};

export const GrepInput = z.strictObject({
  pattern: z
    .string()
    .min(1)
    .describe('A regular expression (ripgrep syntax), e.g. "function\\s+\\w+".'),
  path: z
    .string()
    .optional()
    .describe('A file or folder to search; the repository root when omitted.'),
  glob: z
    .string()
    .optional()
    .describe('Only files matching this glob, e.g. "*.ts" or "src/**/*.{ts,tsx}".'),
  type: z
    .string()
    .optional()
    .describe(`Only files of this type: ${Object.keys(GREP_TYPES).join(', ')}.`),
  output_mode: z
    .enum(['content', 'files_with_matches', 'count'])
    .optional()
    .describe(
      '"content" shows matching lines, "files_with_matches" (default) lists files, "count" counts per file.',
    ),
  '-i': z.boolean().optional().describe('Case-insensitive.'),
  '-n': z.boolean().optional().describe('Line numbers in content mode (default true).'),
  '-A': z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Lines of context after each match (content mode).'),
  '-B': z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Lines of context before each match (content mode).'),
  '-C': z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Lines of context around each match (content mode).'),
  head_limit: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('Only the first N lines or entries of the result.'),
  multiline: z.boolean().optional().describe('Let . match newlines and patterns span lines.'),
});
export type GrepInput = z.infer<typeof GrepInput>;

export type GrepBackend = 'rg' | 'git' | 'js';

interface LineRecord {
  line: number;
  match: boolean;
  text: string;
}

/** What any backend produces before formatting: per file, the matching and context lines, or a count. */
interface GrepFindings {
  files: Map<string, LineRecord[]>;
  counts: Map<string, number>;
}

interface Query {
  input: GrepInput;
  mode: NonNullable<GrepInput['output_mode']>;
  /** Root-relative file or folder, '.' for everything. */
  target: string;
  targetIsFile: boolean;
  globs: string[];
  before: number;
  after: number;
}

function expandBraces(glob: string): string[] {
  const match = /\{([^{}]*)\}/.exec(glob);
  if (match === null) return [glob];
  const [whole, inner = ''] = match;
  return inner
    .split(',')
    .flatMap((option) =>
      expandBraces(glob.slice(0, match.index) + option + glob.slice(match.index + whole.length)),
    );
}

function buildGlobs(input: GrepInput): string[] {
  const globs: string[] = [];
  if (input.glob !== undefined)
    for (const part of input.glob.split(/[\s,]+(?![^{]*\})/).filter((piece) => piece !== ''))
      globs.push(...expandBraces(part));
  if (input.type !== undefined) {
    const types = GREP_TYPES[input.type];
    if (types === undefined)
      throw new ToolFailure(
        `Unknown type "${input.type}". Known types: ${Object.keys(GREP_TYPES).join(', ')}. Or use glob.`,
      );
    globs.push(...types);
  }
  return globs;
}

function rgArgs(query: Query): string[] {
  const { input } = query;
  const args = [
    '--null',
    '--no-heading',
    '--with-filename',
    '--line-number',
    '--color',
    'never',
    '--hidden',
    '--no-messages',
  ];
  args.push('--glob', '!.git');
  if (input['-i'] === true) args.push('--ignore-case');
  if (input.multiline === true) args.push('--multiline', '--multiline-dotall');
  if (query.mode === 'files_with_matches') args.push('--files-with-matches');
  else if (query.mode === 'count') args.push('--count');
  else {
    if (query.before > 0) args.push('--before-context', String(query.before));
    if (query.after > 0) args.push('--after-context', String(query.after));
  }
  if (!query.targetIsFile) for (const glob of query.globs) args.push('--glob', glob);
  args.push('--regexp', input.pattern);
  if (query.target !== '.') args.push('--', query.target);
  return args;
}

function gitPathspecs(query: Query): string[] {
  if (query.targetIsFile) return [query.target];
  const prefix = query.target === '.' ? '' : `${query.target}/`;
  const include = query.globs.filter((glob) => !glob.startsWith('!'));
  const exclude = query.globs.filter((glob) => glob.startsWith('!')).map((glob) => glob.slice(1));
  const spec = (glob: string): string =>
    `${prefix}${glob.includes('/') ? glob.replace(/^\//, '') : `**/${glob}`}`;
  const specs =
    include.length > 0
      ? include.map((glob) => `:(glob)${spec(glob)}`)
      : query.target === '.'
        ? []
        : [query.target];
  return [...specs, ...exclude.map((glob) => `:(exclude,glob)${spec(glob)}`)];
}

function gitArgs(query: Query, dialect: '-P' | '-E'): string[] {
  const { input } = query;
  const args = [
    '-c',
    'core.quotePath=off',
    'grep',
    '-z',
    '-I',
    '--untracked',
    '--no-color',
    dialect,
  ];
  if (input['-i'] === true) args.push('-i');
  if (query.mode === 'files_with_matches') args.push('-l');
  else if (query.mode === 'count') args.push('-c');
  else {
    args.push('-n', '--column');
    if (query.before > 0) args.push('-B', String(query.before));
    if (query.after > 0) args.push('-A', String(query.after));
  }
  args.push('-e', input.pattern, '--', ...gitPathspecs(query));
  return args;
}

function emptyFindings(): GrepFindings {
  return { files: new Map(), counts: new Map() };
}

function addLine(findings: GrepFindings, file: string, record: LineRecord): void {
  const lines = findings.files.get(file) ?? [];
  lines.push(record);
  findings.files.set(file, lines);
}

function parseRg(stdout: string, mode: Query['mode']): GrepFindings {
  const findings = emptyFindings();
  if (mode === 'files_with_matches') {
    for (const file of stdout.split('\0')) {
      const name = file.replace(/^\n/, '');
      if (name !== '') findings.files.set(name, []);
    }
    return findings;
  }
  for (const line of stdout.split('\n')) {
    const nul = line.indexOf('\0');
    if (nul === -1) continue;
    const file = line.slice(0, nul);
    const rest = line.slice(nul + 1);
    if (mode === 'count') {
      findings.counts.set(file, Number(rest));
      continue;
    }
    const parsed = /^(\d+)([:-])/.exec(rest);
    if (parsed === null) continue;
    addLine(findings, file, {
      line: Number(parsed[1]),
      match: parsed[2] === ':',
      text: rest.slice(parsed[0].length),
    });
  }
  return findings;
}

function parseGit(stdout: string, mode: Query['mode']): GrepFindings {
  const findings = emptyFindings();
  if (mode === 'files_with_matches') {
    for (const file of stdout.split('\0'))
      if (file !== '') findings.files.set(file.replace(/^\n/, ''), []);
    return findings;
  }
  for (const line of stdout.split('\n')) {
    const parts = line.split('\0');
    if (mode === 'count') {
      if (parts.length === 2) findings.counts.set(parts[0] ?? '', Number(parts[1]));
      continue;
    }
    // With --column a match carries path, line, column, text; a context line only path, line, text.
    if (parts.length === 4)
      addLine(findings, parts[0] ?? '', {
        line: Number(parts[1]),
        match: true,
        text: parts[3] ?? '',
      });
    else if (parts.length === 3)
      addLine(findings, parts[0] ?? '', {
        line: Number(parts[1]),
        match: false,
        text: parts[2] ?? '',
      });
  }
  return findings;
}

async function scanWithJs(query: Query, context: ToolContext): Promise<GrepFindings> {
  const findings = emptyFindings();
  let regex: RegExp;
  try {
    regex = new RegExp(
      query.input.pattern,
      `g${query.input['-i'] === true ? 'i' : ''}${query.input.multiline === true ? 'ms' : 'm'}`,
    );
  } catch (error) {
    throw new ToolFailure(
      `The pattern is not a valid regular expression: ${(error as Error).message}`,
    );
  }
  const include = query.globs
    .filter((glob) => !glob.startsWith('!'))
    .map((glob) => picomatch(glob, { dot: true, matchBase: !glob.includes('/') }));
  const exclude = query.globs
    .filter((glob) => glob.startsWith('!'))
    .map((glob) => picomatch(glob.slice(1), { dot: true, matchBase: !glob.includes('/') }));
  const candidates = query.targetIsFile
    ? [query.target]
    : await listFiles(context.worktree, query.target, context.signal);
  const prefix = query.target === '.' || query.targetIsFile ? '' : `${query.target}/`;
  for (const file of candidates) {
    const local = file.slice(prefix.length);
    if (!query.targetIsFile && include.length > 0 && !include.some((match) => match(local)))
      continue;
    if (!query.targetIsFile && exclude.some((match) => match(local))) continue;
    const buffer = await readFile(path.join(context.worktree, file)).catch(() => undefined);
    if (buffer === undefined || buffer.subarray(0, 8000).includes(0)) continue;
    const text = buffer.toString('utf8');
    const starts = [0];
    for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1))
      starts.push(at + 1);
    const lineOf = (offset: number): number => {
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if ((starts[mid] ?? 0) <= offset) low = mid;
        else high = mid - 1;
      }
      return low + 1;
    };
    const matched = new Set<number>();
    regex.lastIndex = 0;
    for (let found = regex.exec(text); found !== null; found = regex.exec(text)) {
      const first = lineOf(found.index);
      const last = lineOf(found.index + Math.max(0, found[0].length - 1));
      for (let line = first; line <= last; line++) matched.add(line);
      if (found[0].length === 0) regex.lastIndex++;
    }
    if (matched.size === 0) continue;
    const lineCount = text.endsWith('\n') ? starts.length - 1 : starts.length;
    matched.forEach((line) => line > lineCount && matched.delete(line));
    if (query.mode === 'files_with_matches') findings.files.set(file, []);
    else if (query.mode === 'count') findings.counts.set(file, matched.size);
    else {
      const lines = text.split('\n');
      const shown = new Set<number>();
      for (const line of matched)
        for (let at = line - query.before; at <= line + query.after; at++)
          if (at >= 1 && at <= lineCount) shown.add(at);
      for (const line of [...shown].sort((a, b) => a - b))
        addLine(findings, file, { line, match: matched.has(line), text: lines[line - 1] ?? '' });
    }
  }
  return findings;
}

function format(findings: GrepFindings, query: Query): string {
  const limit = query.input.head_limit;
  const cut = (entries: string[]): string[] =>
    limit === undefined ? entries : entries.slice(0, limit);
  if (query.mode === 'files_with_matches') {
    const files = [...findings.files.keys()].sort();
    if (files.length === 0) return 'No files found.';
    const shown = cut(files);
    return `Found ${files.length} file${files.length === 1 ? '' : 's'}${shown.length < files.length ? ` (showing ${shown.length})` : ''}\n${shown.join('\n')}`;
  }
  if (query.mode === 'count') {
    const files = [...findings.counts.keys()].sort();
    if (files.length === 0) return 'No matches found.';
    const total = files.reduce((sum, file) => sum + (findings.counts.get(file) ?? 0), 0);
    return `${cut(files.map((file) => `${file}:${findings.counts.get(file) ?? 0}`)).join('\n')}\n\nFound ${total} matching line${total === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}.`;
  }
  const numbers = query.input['-n'] !== false;
  const out: string[] = [];
  for (const file of [...findings.files.keys()].sort()) {
    const byLine = new Map<number, LineRecord>();
    for (const record of findings.files.get(file) ?? []) {
      const seen = byLine.get(record.line);
      byLine.set(
        record.line,
        seen === undefined ? record : { ...record, match: seen.match || record.match },
      );
    }
    let previous: number | undefined;
    for (const record of [...byLine.values()].sort((a, b) => a.line - b.line)) {
      if (
        out.length > 0 &&
        (previous === undefined || record.line !== previous + 1) &&
        (query.before > 0 || query.after > 0)
      )
        out.push('--');
      const sep = record.match ? ':' : '-';
      out.push(
        numbers ? `${file}${sep}${record.line}${sep}${record.text}` : `${file}${sep}${record.text}`,
      );
      previous = record.line;
    }
  }
  if (out.length === 0) return 'No matches found.';
  const shown = cut(out);
  const note =
    shown.length < out.length
      ? `\n[${out.length - shown.length} more lines; raise head_limit or narrow the search.]`
      : '';
  return capOutput(shown.join('\n'), MAX_OUTPUT_CHARS) + note;
}

/** Picks the backend: rg when installed, git grep otherwise; multiline without rg needs the JS scan. */
export async function chooseGrepBackend(
  multiline: boolean,
  preferred?: GrepBackend,
): Promise<GrepBackend> {
  if (preferred !== undefined) return preferred === 'git' && multiline ? 'js' : preferred;
  if (await hasProgram('rg')) return 'rg';
  return multiline ? 'js' : 'git';
}

/** Runs a Grep query with a given backend; exported so tests and the benchmark can compare backends. */
export async function runGrep(
  input: GrepInput,
  context: ToolContext,
  backend?: GrepBackend,
): Promise<string> {
  const target = resolveInWorktree(context.worktree, input.path ?? '.');
  const info = await stat(target.absolute).catch(() => undefined);
  if (info === undefined) throw new ToolFailure(`The path "${target.relative}" does not exist.`);
  const contextLines = input['-C'] ?? 0;
  const query: Query = {
    input,
    mode: input.output_mode ?? 'files_with_matches',
    target: target.relative,
    targetIsFile: info.isFile(),
    globs: buildGlobs(input),
    before: input['-B'] ?? contextLines,
    after: input['-A'] ?? contextLines,
  };
  const chosen = await chooseGrepBackend(input.multiline === true, backend);
  const options = { cwd: context.worktree, signal: context.signal };
  let findings: GrepFindings;
  if (chosen === 'rg') {
    const result = await execCapture('rg', rgArgs(query), options);
    if (result.code === 2 && result.stdout === '')
      throw new ToolFailure(
        `Grep failed: ${result.stderr.trim() || 'ripgrep exited with an error'}. Check the regular expression.`,
      );
    findings = parseRg(result.stdout, query.mode);
  } else if (chosen === 'git') {
    let result = await execCapture('git', gitArgs(query, '-P'), options);
    if (result.code !== 0 && /perl|pcre/i.test(result.stderr))
      result = await execCapture('git', gitArgs(query, '-E'), options);
    if (result.code !== 0 && /not a git repository/i.test(result.stderr))
      findings = await scanWithJs(query, context);
    else if (result.code !== 0 && result.code !== 1)
      throw new ToolFailure(
        `Grep failed: ${result.stderr.trim() || 'git grep exited with an error'}. Check the regular expression.`,
      );
    else findings = parseGit(result.stdout, query.mode);
  } else findings = await scanWithJs(query, context);
  return format(findings, query);
}

export const grepTool = defineTool<GrepInput>({
  name: 'Grep',
  readOnly: true,
  input: GrepInput,
  description:
    'Searches file contents with a regular expression (ripgrep syntax), skipping what .gitignore ignores. output_mode "files_with_matches" (default) lists files, "content" shows matching lines (with -A/-B/-C context and -n line numbers), "count" counts per file. Filter with glob or type; limit with head_limit.',
  run: (input, context) => runGrep(input, context),
});
