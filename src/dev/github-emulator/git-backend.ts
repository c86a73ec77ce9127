// The emulator's repositories: real bare git repos, served over smart HTTP by `git http-backend` (CGI),
// and read with git plumbing to answer contents, compare, pull request files and commits.
import { execFile, spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A clean environment: the host's git config and GIT_* variables never change what the emulator serves. */
function gitEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'GitHub Emulator',
    GIT_AUTHOR_EMAIL: 'emulator@example.invalid',
    GIT_COMMITTER_NAME: 'GitHub Emulator',
    GIT_COMMITTER_EMAIL: 'emulator@example.invalid',
    ...extra,
  };
}

export async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd, env: gitEnv(), maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

export async function tryGit(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return await git(cwd, args);
  } catch {
    return undefined;
  }
}

export interface SeedSource {
  /** A folder to import: a git repository (bare or not) keeps its history (all branches), a plain folder becomes one commit. */
  from?: string;
  /** Files for a one-commit repository. */
  files?: Record<string, string>;
  defaultBranch: string;
}

/** Creates the bare repository at `bareDir` from a folder or a set of files. */
export async function createBareRepo(bareDir: string, source: SeedSource): Promise<void> {
  await rm(bareDir, { recursive: true, force: true });
  const isRepo =
    source.from !== undefined &&
    ((await stat(path.join(source.from, '.git')).catch(() => undefined)) !== undefined ||
      (await stat(path.join(source.from, 'objects')).catch(() => undefined)) !== undefined);
  if (source.from !== undefined && isRepo) {
    await run('git', ['clone', '--quiet', '--bare', '--no-local', source.from, bareDir], {
      env: gitEnv(),
    });
    // A bare clone keeps every branch as refs/heads; the origin remote it recorded is not needed.
    await git(bareDir, ['remote', 'remove', 'origin']).catch(() => undefined);
  } else {
    const work = await mkdtemp(path.join(os.tmpdir(), 'claw-emulator-seed-'));
    try {
      await git(work, ['init', '--quiet', `--initial-branch=${source.defaultBranch}`]);
      if (source.from !== undefined) await cp(source.from, work, { recursive: true });
      if (source.files !== undefined) {
        const { mkdir, writeFile } = await import('node:fs/promises');
        for (const [file, content] of Object.entries(source.files)) {
          await mkdir(path.dirname(path.join(work, file)), { recursive: true });
          await writeFile(path.join(work, file), content);
        }
      }
      await git(work, ['add', '--all']);
      await git(work, ['commit', '--quiet', '--allow-empty', '-m', 'Initial commit']);
      await run('git', ['clone', '--quiet', '--bare', '--no-local', work, bareDir], {
        env: gitEnv(),
      });
      await git(bareDir, ['remote', 'remove', 'origin']).catch(() => undefined);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }
  await git(bareDir, ['symbolic-ref', 'HEAD', `refs/heads/${source.defaultBranch}`]);
  await git(bareDir, ['config', 'http.receivepack', 'true']);
  // As on GitHub, refs/pull/* is the server's: clients can fetch it but a push to it is refused.
  await git(bareDir, ['config', 'receive.hideRefs', 'refs/pull']);
}

/** Copies a branch's commits from another repository into `bareDir` without creating a ref there. */
export async function fetchBranch(bareDir: string, fromDir: string, branch: string): Promise<void> {
  await git(bareDir, [
    'fetch',
    '--quiet',
    '--no-tags',
    '--no-write-fetch-head',
    fromDir,
    `refs/heads/${branch}`,
  ]);
}

export async function updateRef(bareDir: string, ref: string, sha: string): Promise<void> {
  await git(bareDir, ['update-ref', ref, sha]);
}

export interface RefUpdate {
  oldSha: string;
  newSha: string;
  ref: string;
}

/** The ref updates a receive-pack request asks for: the pkt-lines before the first flush. */
export function parseRefUpdates(body: Buffer): RefUpdate[] {
  const updates: RefUpdate[] = [];
  let offset = 0;
  while (offset + 4 <= body.length) {
    const length = parseInt(body.subarray(offset, offset + 4).toString('ascii'), 16);
    if (Number.isNaN(length) || length === 0) break;
    const line = body
      .subarray(offset + 4, offset + length)
      .toString('utf8')
      .split('\0')[0] as string;
    offset += length;
    const match = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) (\S+)\n?$/.exec(line);
    if (match !== null)
      updates.push({
        oldSha: match[1] as string,
        newSha: match[2] as string,
        ref: match[3] as string,
      });
  }
  return updates;
}

export async function resolveRef(bareDir: string, ref: string): Promise<string | undefined> {
  const out = await tryGit(bareDir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return out?.trim() || undefined;
}

export async function branchSha(bareDir: string, branch: string): Promise<string | undefined> {
  return resolveRef(bareDir, `refs/heads/${branch}`);
}

export type TreeEntry = {
  type: 'file' | 'dir' | 'symlink' | 'submodule';
  name: string;
  path: string;
  sha: string;
  size: number;
};

/** A file's bytes or a folder's entries at `ref`; undefined when the path does not exist there. */
export async function readPath(
  bareDir: string,
  ref: string,
  file: string,
): Promise<
  { kind: 'file'; sha: string; content: Buffer } | { kind: 'dir'; entries: TreeEntry[] } | undefined
> {
  const clean = file.replace(/^\/+|\/+$/g, '');
  const spec = clean === '' ? `${ref}^{tree}` : `${ref}:${clean}`;
  const type = (await tryGit(bareDir, ['cat-file', '-t', spec]))?.trim();
  if (type === 'blob') {
    const sha = (await git(bareDir, ['rev-parse', spec])).trim();
    const { stdout } = await run('git', ['cat-file', 'blob', sha], {
      cwd: bareDir,
      env: gitEnv(),
      encoding: 'buffer',
      maxBuffer: 256 * 1024 * 1024,
    });
    return { kind: 'file', sha, content: stdout };
  }
  if (type !== 'tree') return undefined;
  const listing = await git(bareDir, ['ls-tree', '-l', '-z', spec]);
  const entries = listing
    .split('\0')
    .filter((line) => line !== '')
    .map((line): TreeEntry => {
      const [meta, name] = line.split('\t') as [string, string];
      const [mode, kind, sha, size] = meta.split(/\s+/) as [string, string, string, string];
      const type =
        kind === 'tree'
          ? 'dir'
          : kind === 'commit'
            ? 'submodule'
            : mode === '120000'
              ? 'symlink'
              : 'file';
      return {
        type,
        name,
        path: clean === '' ? name : `${clean}/${name}`,
        sha,
        size: size === '-' ? 0 : Number(size),
      };
    });
  return { kind: 'dir', entries };
}

export interface CommitInfo {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorDate: string;
  committerName: string;
  committerEmail: string;
  committerDate: string;
  message: string;
}

/** Commits in `range` (e.g. `base..head`), oldest first as GitHub lists them. */
export async function listCommits(bareDir: string, range: string): Promise<CommitInfo[]> {
  const out = await git(bareDir, [
    'log',
    '--reverse',
    '-z',
    '--format=%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%B',
    range,
  ]);
  return out
    .split('\0')
    .filter((entry) => entry.trim() !== '')
    .map((entry) => {
      const [
        sha,
        parents,
        authorName,
        authorEmail,
        authorDate,
        committerName,
        committerEmail,
        committerDate,
        message,
      ] = entry.split('\x1f') as string[];
      return {
        sha: sha as string,
        parents: (parents as string).split(' ').filter(Boolean),
        authorName: authorName as string,
        authorEmail: authorEmail as string,
        authorDate: authorDate as string,
        committerName: committerName as string,
        committerEmail: committerEmail as string,
        committerDate: committerDate as string,
        message: (message as string).replace(/\n+$/, ''),
      };
    });
}

export interface FileDiff {
  filename: string;
  previous_filename?: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed';
  additions: number;
  deletions: number;
  changes: number;
  sha: string;
  patch?: string;
}

/** Per-file changes between two commits, shaped like GitHub's PR files and compare `files`. */
export async function diffFiles(bareDir: string, from: string, to: string): Promise<FileDiff[]> {
  const base = ['diff', '--no-color', '--no-ext-diff', '-M'];
  const [raw, numstat, patch] = await Promise.all([
    git(bareDir, [...base, '--raw', '-z', from, to]),
    git(bareDir, [...base, '--numstat', '-z', from, to]),
    git(bareDir, [...base, '-p', from, to]),
  ]);
  const files = parseRaw(raw);
  const counts = parseNumstat(numstat);
  const sections = patch
    .split(/^(?=diff --git )/m)
    .filter((section) => section.startsWith('diff --git '));
  files.forEach((file, index) => {
    const count = counts.get(file.filename);
    if (count !== undefined) {
      file.additions = count.additions;
      file.deletions = count.deletions;
      file.changes = count.additions + count.deletions;
    }
    const section = sections[index];
    const hunk = section?.indexOf('\n@@') ?? -1;
    if (section !== undefined && hunk !== -1)
      file.patch = section.slice(hunk + 1).replace(/\n$/, '');
  });
  return files;
}

function parseRaw(raw: string): FileDiff[] {
  const fields = raw.split('\0');
  const files: FileDiff[] = [];
  let i = 0;
  while (i < fields.length && (fields[i] as string).startsWith(':')) {
    const meta = (fields[i++] as string).split(' ');
    const code = (meta[4] ?? '')[0];
    const sha = code === 'D' ? (meta[2] as string) : (meta[3] as string);
    if (code === 'R' || code === 'C') {
      const previous = fields[i++] as string;
      const filename = fields[i++] as string;
      files.push({
        filename,
        previous_filename: previous,
        status: code === 'R' ? 'renamed' : 'copied',
        additions: 0,
        deletions: 0,
        changes: 0,
        sha,
      });
    } else {
      const filename = fields[i++] as string;
      const status =
        code === 'A' ? 'added' : code === 'D' ? 'removed' : code === 'M' ? 'modified' : 'changed';
      files.push({ filename, status, additions: 0, deletions: 0, changes: 0, sha });
    }
  }
  return files;
}

function parseNumstat(output: string): Map<string, { additions: number; deletions: number }> {
  const counts = new Map<string, { additions: number; deletions: number }>();
  const fields = output.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const match = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(fields[i] as string);
    if (match === null) continue;
    let file = match[3] as string;
    if (file === '') {
      i += 2;
      file = fields[i] as string;
    }
    counts.set(file, {
      additions: match[1] === '-' ? 0 : Number(match[1]),
      deletions: match[2] === '-' ? 0 : Number(match[2]),
    });
  }
  return counts;
}

/** Lines a review comment may target: RIGHT are new-file lines in the hunks, LEFT are old-file lines. */
export function commentableLines(patch: string | undefined): {
  LEFT: Set<number>;
  RIGHT: Set<number>;
} {
  const lines = { LEFT: new Set<number>(), RIGHT: new Set<number>() };
  if (patch === undefined) return lines;
  let left = 0;
  let right = 0;
  for (const line of patch.split('\n')) {
    const hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (hunk !== null) {
      left = Number(hunk[1]);
      right = Number(hunk[2]);
      continue;
    }
    if (line.startsWith('+')) lines.RIGHT.add(right++);
    else if (line.startsWith('-')) lines.LEFT.add(left++);
    else if (line.startsWith(' ') || line === '') {
      lines.LEFT.add(left++);
      lines.RIGHT.add(right++);
    }
  }
  return lines;
}

export async function mergeBase(
  bareDir: string,
  a: string,
  b: string,
): Promise<string | undefined> {
  return (await tryGit(bareDir, ['merge-base', a, b]))?.trim() || undefined;
}

export async function countRange(bareDir: string, range: string): Promise<number> {
  return Number((await git(bareDir, ['rev-list', '--count', range])).trim());
}

export interface ServeGitOptions {
  /** The request body when the caller has already read it (to check a push's refs). */
  body?: Buffer;
  /** Runs after git is done and before the response ends, so a client sees its effects when its command returns. */
  beforeEnd?: () => Promise<void>;
}

/**
 * Serves one smart-HTTP request with `git http-backend`. `pathInfo` is `/<owner>/<repo>.git/...` under `projectRoot`.
 * Pushes are allowed (http.receivepack), because the caller has already checked the installation token.
 */
export function serveGitHttp(
  request: IncomingMessage,
  response: ServerResponse,
  projectRoot: string,
  pathInfo: string,
  query: string,
  remoteUser: string,
  options: ServeGitOptions = {},
): void {
  const contentLength =
    options.body === undefined ? request.headers['content-length'] : String(options.body.length);
  const env = gitEnv({
    GIT_PROJECT_ROOT: projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    REQUEST_METHOD: request.method ?? 'GET',
    CONTENT_TYPE: request.headers['content-type'] ?? '',
    REMOTE_USER: remoteUser,
    REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
    ...(contentLength === undefined ? {} : { CONTENT_LENGTH: contentLength }),
    ...(request.headers['content-encoding'] === undefined
      ? {}
      : { HTTP_CONTENT_ENCODING: request.headers['content-encoding'] }),
    ...(request.headers['git-protocol'] === undefined
      ? {}
      : { GIT_PROTOCOL: String(request.headers['git-protocol']) }),
  });
  const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  if (options.body === undefined) request.pipe(child.stdin);
  else child.stdin.end(options.body);
  let headerBuffer = Buffer.alloc(0);
  let headersDone = false;
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      response.write(chunk);
      return;
    }
    headerBuffer = Buffer.concat([headerBuffer, chunk]);
    const end = headerBuffer.indexOf('\r\n\r\n');
    const altEnd = headerBuffer.indexOf('\n\n');
    const cut =
      end !== -1 ? { at: end, len: 4 } : altEnd !== -1 ? { at: altEnd, len: 2 } : undefined;
    if (cut === undefined) return;
    headersDone = true;
    let status = 200;
    for (const line of headerBuffer.subarray(0, cut.at).toString().split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else response.setHeader(name, value);
    }
    response.statusCode = status;
    response.write(headerBuffer.subarray(cut.at + cut.len));
  });
  child.on('close', (code) => {
    if (!headersDone) {
      response.statusCode = 500;
      response.end(`git http-backend failed (${code ?? 'signal'}): ${stderr}`);
      return;
    }
    const end = () => response.end();
    // git has answered; a failed follow-up must not turn the client's completed command into an error.
    if (options.beforeEnd === undefined) end();
    else void options.beforeEnd().then(end, end);
  });
  child.on('error', (error) => {
    if (!response.headersSent) response.statusCode = 500;
    response.end(String(error));
  });
}
