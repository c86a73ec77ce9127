import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  ALL_TOOLS,
  bubblewrapAvailable,
  scrubEnv,
  type ToolContext,
} from '../../../src/agent/index.js';
import { createLogger, createLogSink } from '../../../src/lib/index.js';
import type { TempRepo } from '../../support/git-repo.js';
import { repoWith, toolContext, tempDir } from '../support/harness.js';

const run = promisify(execFile);
const bash = ALL_TOOLS.find((tool) => tool.name === 'Bash');
if (bash === undefined) throw new Error('no Bash tool');

async function callBash(input: Record<string, unknown>, context: ToolContext) {
  const output = await bash!.run(bash!.input.parse(input), context);
  return typeof output === 'string'
    ? { content: output, isError: false }
    : { content: output.content, isError: output.isError === true };
}

async function processesWith(marker: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid,args']);
  return stdout.split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo'));
}

let repo: TempRepo;
beforeEach(async () => {
  repo = await repoWith({ 'a.txt': 'hello\n' });
});
afterEach(async () => {
  await repo.cleanup();
});

describe.each([
  ['unsandboxed', 'off' as const],
  ['under bubblewrap', 'auto' as const],
])('Bash %s', (_label, bubblewrap) => {
  const context = (extra: Partial<ToolContext> = {}) =>
    toolContext(repo, { sandbox: { bubblewrap }, ...extra });

  it('runs in the worktree and returns the output', async () => {
    const result = await callBash({ command: 'pwd && cat a.txt' }, context());
    expect(result.content).toBe(`${context().worktree}\nhello`);
    expect(result.isError).toBe(false);
  });

  it('reports a non-zero exit as an error with the code', async () => {
    const result = await callBash({ command: 'echo oops >&2; exit 7' }, context());
    expect(result).toEqual({ content: 'oops\n\n[exit code 7]', isError: true });
  });

  it('kills the whole process group on timeout and leaves no stray process', async () => {
    const marker = `claw-stray-${Date.now()}-${bubblewrap}`;
    const started = Date.now();
    const result = await callBash(
      { command: `(sleep 300 # ${marker}\n) & sleep 300 # ${marker}`, timeout: 500 },
      context(),
    );
    expect(result.isError).toBe(true);
    expect(result.content).toContain('timed out after 0.5 s and was killed');
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await processesWith(marker)).toEqual([]);
  });

  it('kills the process group when the run is aborted', async () => {
    const controller = new AbortController();
    const marker = `claw-abort-${Date.now()}-${bubblewrap}`;
    setTimeout(() => controller.abort(), 300);
    const result = await callBash(
      { command: `sleep 300 # ${marker}` },
      context({ signal: controller.signal }),
    );
    expect(result.content).toContain('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await processesWith(marker)).toEqual([]);
  });

  it('caps output at 30 000 characters with a visible marker, keeping head and tail', async () => {
    const result = await callBash(
      { command: 'echo START; head -c 100000 /dev/zero | tr "\\0" x; echo; echo END' },
      context(),
    );
    expect(result.content.length).toBeLessThanOrEqual(30_100);
    expect(result.content.startsWith('START')).toBe(true);
    expect(result.content.endsWith('END')).toBe(true);
    expect(result.content).toMatch(/\[\.\.\. \d+ characters of output truncated \.\.\.\]/);
  });

  it('hides the secret environment', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      ANTHROPIC_API_KEY: 'sk-ant-api03-canary',
      GITHUB_TOKEN: 'ghs_canarycanarycanarycanary1234',
      WEBHOOK_SECRET: 'canary-webhook',
      MY_SERVICE_SECRET: 'canary-service',
      HARMLESS_LOOKING: 'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      LANG: 'C.UTF-8',
    });
    try {
      const result = await callBash(
        { command: 'env' },
        context({
          sandbox: { bubblewrap, envAllowlist: ['HARMLESS_LOOKING', 'MY_SERVICE_SECRET'] },
        }),
      );
      expect(result.content).not.toMatch(/canary|ANTHROPIC_API_KEY|GITHUB_TOKEN|_SECRET|ghp_/);
      expect(result.content).toContain('LANG=C.UTF-8');
      expect(result.content).toContain('GIT_TERMINAL_PROMPT=0');
    } finally {
      process.env = saved;
    }
  });
});

describe('Bash sandbox', () => {
  it('under bubblewrap, only the worktree is writable and there is no network', async () => {
    if (!(await bubblewrapAvailable()))
      throw new Error('bubblewrap is installed on this machine but cannot build a sandbox');
    const outside = await tempDir('claw-bwrap-');
    const context = toolContext(repo, { sandbox: { bubblewrap: 'auto' } });
    const write = await callBash(
      { command: `echo ok > inside.txt && echo bad > ${outside}/planted.txt` },
      context,
    );
    expect(write.isError).toBe(true);
    expect(await readFile(path.join(repo.dir, 'inside.txt'), 'utf8')).toBe('ok\n');
    await expect(readFile(path.join(outside, 'planted.txt'))).rejects.toThrow();
    const server = createServer((socket) => socket.end('pong\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const probe = `exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`;
    try {
      const offline = await callBash({ command: probe }, context);
      expect(offline.isError).toBe(true);
      expect(offline.content).not.toContain('pong');
      const online = await callBash(
        { command: probe },
        toolContext(repo, { sandbox: { bubblewrap: 'auto', network: true } }),
      );
      expect(online.content).toBe('pong');
    } finally {
      server.close();
    }
  });

  it('under bubblewrap, hides the cache and key files but keeps the linked worktree and its repository', async () => {
    if (!(await bubblewrapAvailable()))
      throw new Error('bubblewrap is installed on this machine but cannot build a sandbox');
    const cache = await tempDir('claw-bwrap-cache-');
    await run('git', [
      '-C',
      repo.dir,
      'worktree',
      'add',
      '--quiet',
      path.join(cache, 'worktrees', 'job-1'),
    ]);
    await mkdir(path.join(cache, 'transcripts'), { recursive: true });
    await writeFile(
      path.join(cache, 'transcripts', 'other-job.jsonl'),
      'another job said hunter2\n',
    );
    const keyFile = path.join(await tempDir('claw-bwrap-key-'), 'app.pem');
    await writeFile(keyFile, 'PRIVATE KEY MATERIAL\n');
    const worktree = path.join(cache, 'worktrees', 'job-1');
    const context = {
      ...toolContext(repo, { sandbox: { bubblewrap: 'auto', hiddenPaths: [cache, keyFile] } }),
      worktree,
    };

    const peek = await callBash(
      { command: `cat ${cache}/transcripts/other-job.jsonl; cat ${keyFile}` },
      context,
    );
    const listing = await callBash({ command: `ls ${cache}` }, context);
    const inside = await callBash(
      { command: 'echo edited > inside.txt && git status --porcelain' },
      context,
    );

    expect(peek.content).not.toContain('hunter2');
    expect(peek.content).not.toContain('PRIVATE KEY MATERIAL');
    expect(listing.content.trim()).toBe('worktrees');
    expect(inside.isError).not.toBe(true);
    expect(inside.content).toContain('?? inside.txt');
    expect(await readFile(path.join(worktree, 'inside.txt'), 'utf8')).toBe('edited\n');
  });

  it('warns once per run when it runs unsandboxed', async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      sink: createLogSink({ write: (line: string) => lines.push(line) }),
    });
    const context = toolContext(repo, { sandbox: { bubblewrap: 'off' }, logger });
    await callBash({ command: 'true' }, context);
    await callBash({ command: 'true' }, context);
    expect(lines.filter((line) => line.includes('Bash runs unsandboxed'))).toHaveLength(1);
  });

  it('scrubEnv drops credentials by name and by value, even when allow-listed', () => {
    const env = scrubEnv(
      {
        PATH: '/bin',
        NPM_TOKEN: 'x',
        DB_URL: 'postgres://u:p@h/db',
        NODE_ENV: 'test',
        AWS: 'AKIAABCDEFGHIJKLMNOP',
      },
      { envAllowlist: ['NPM_TOKEN', 'DB_URL', 'NODE_ENV', 'AWS'] },
    );
    expect(env.PATH).toBe('/bin');
    expect(env.NODE_ENV).toBe('test');
    expect(env).not.toHaveProperty('NPM_TOKEN');
    expect(env).not.toHaveProperty('DB_URL');
    expect(env).not.toHaveProperty('AWS');
  });
});
