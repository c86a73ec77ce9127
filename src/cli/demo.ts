// `claw demo` (what `npm run demo` runs): the whole issue → pull request loop on this machine, with no credentials.
// A local GitHub emulator and a scripted model server stand in for GitHub and the model; Claw itself runs for real.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, writeSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Redis } from 'ioredis';
import { parseScriptedTranscript } from '../agent/index.js';
import { parseEnv } from '../config/index.js';
// Types only: the dev doubles (and their devDependencies) load on demand, so other commands never pay for them.
import type * as Dev from '../dev/index.js';
import type { AnthropicServer, EmulatedRepo, GitHubEmulator } from '../dev/index.js';
import { TRACKING_MARKER } from '../github/index.js';
import { createLogSink, describeError } from '../lib/index.js';
import { createProcessRedaction } from './process-redaction.js';
import { start } from './start.js';

export const DEMO_USAGE = 'claw demo [--timeout SECONDS] [--no-redis]';

export interface DemoIO {
  /** One line of the story; cli.ts passes console.log. */
  print(line: string): void;
  /** Where REDIS_URL is read from; nothing else of it reaches Claw. */
  env: NodeJS.ProcessEnv;
  /** Aborts the demo (SIGINT): everything is cleaned up and the exit code is 130. */
  signal?: AbortSignal;
  /** How often the emulator's state is read (default 200 ms). */
  pollMs?: number;
  /** Where the demo's folder (log file included) is made; the OS temp dir by default. */
  tempRoot?: string;
}

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const OWNER = 'octo';
const REPO = 'slugger';
const USER = 'alice';
const ISSUE_TITLE = 'The slug of titles with spaces is wrong';
const ISSUE_BODY =
  "`slugify('Hello big world')` returns `hello-bigworld` instead of `hello-big-world`, and `npm test` fails.";
const MENTION = '@claw fix the failing test';

const run = promisify(execFile);

/** examples/demo/, next to src/ in a checkout and next to dist/ in the npm package. */
function examplesDir(): string {
  return fileURLToPath(new URL('../../examples/demo/', import.meta.url));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A connected client when a Redis answers PING at `url` within a second, else undefined. */
async function probeRedis(url: string): Promise<Redis | undefined> {
  let redis: Redis;
  try {
    redis = new Redis(url, {
      lazyConnect: true,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
  } catch {
    return undefined;
  }
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    if ((await redis.ping()) === 'PONG') return redis;
  } catch {
    // Nothing answered: the demo runs its jobs in-process.
  }
  redis.disconnect();
  return undefined;
}

async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** git on the emulator's bare repository, with none of this machine's git config. */
async function bareGit(repo: EmulatedRepo, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', repo.bareDir, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: os.tmpdir(),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function indent(text: string, prefix: string): string[] {
  return text.split('\n').map((line) => (line.trim() === '' ? prefix.trimEnd() : prefix + line));
}

function trackingText(body: string): string {
  return body.replace(new RegExp(`\\s*<!-- ${TRACKING_MARKER}[^>]*-->\\s*`, 'g'), '').trim();
}

function trackingStatus(text: string): 'queued' | 'working' | 'done' | 'failed' | 'cancelled' {
  if (text.startsWith('⏳')) return 'queued';
  if (text.startsWith('✅')) return 'done';
  if (text.startsWith('❌')) return 'failed';
  if (text.startsWith('🛑')) return 'cancelled';
  return 'working';
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

interface DemoArgs {
  timeoutMs: number;
  redis: boolean;
}

function parseDemoArgs(args: string[]): DemoArgs | string {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: { timeout: { type: 'string' }, 'no-redis': { type: 'boolean' } },
    }));
  } catch (error) {
    return typeof error === 'object' && error !== null && 'message' in error
      ? String(error.message)
      : describeError(error);
  }
  const seconds = values.timeout === undefined ? 120 : Number(values.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0)
    return `--timeout must be a number of seconds greater than 0 (got "${values.timeout}")`;
  return { timeoutMs: seconds * 1000, redis: values['no-redis'] !== true };
}

/** What the story has shown so far, so each poll prints only what is new. */
interface Seen {
  reaction: boolean;
  tracking: string | undefined;
  status: ReturnType<typeof trackingStatus> | undefined;
  branch: { name: string; sha: string } | undefined;
  pull: { number: number; base: string; head: string } | undefined;
}

function lastSeen(seen: Seen): string {
  if (seen.pull !== undefined) return `pull request #${seen.pull.number} opened`;
  if (seen.branch !== undefined) return `branch ${seen.branch.name} pushed, no pull request yet`;
  if (seen.tracking !== undefined)
    return `the tracking comment says:\n${indent(seen.tracking, '    ').join('\n')}`;
  if (seen.reaction) return 'the 👀 reaction, but no tracking comment';
  return 'nothing from Claw (no reaction, no comment)';
}

interface Cleanup {
  name: string;
  run(): Promise<unknown>;
}

/** Everything the story needs once the doubles and Claw are up. */
interface Stage {
  emulator: GitHubEmulator;
  repo: EmulatedRepo;
  print(line: string): void;
  /** Prints a line of the story with the time since the demo started. */
  event(text: string): void;
}

interface SetUpOptions {
  dev: typeof Dev;
  args: DemoArgs;
  env: NodeJS.ProcessEnv;
  workDir: string;
  writeLog(line: string): void;
  cleanups: Cleanup[];
  print(line: string): void;
}

async function setUp(options: SetUpOptions): Promise<Omit<Stage, 'print' | 'event'>> {
  const { dev, print, cleanups } = options;
  const examples = examplesDir();
  const redisUrl = options.env.REDIS_URL?.trim() || DEFAULT_REDIS_URL;
  const redis = options.args.redis ? await probeRedis(redisUrl) : undefined;
  const prefix = `{claw-demo-${randomBytes(4).toString('hex')}}`;
  if (redis !== undefined) {
    cleanups.push({
      name: 'Redis keys',
      run: async () => {
        await deleteKeys(redis, prefix);
        await redis.quit().catch(() => redis.disconnect());
      },
    });
  }

  const port = await freePort();
  const webhookUrl = `http://127.0.0.1:${port}/api/github/webhooks`;
  const emulator = await dev.startGitHubEmulator({ appSlug: 'claw', webhookUrl });
  cleanups.push({ name: 'GitHub emulator', run: () => emulator.close() });
  const repo = await emulator.seedRepo({
    owner: OWNER,
    name: REPO,
    from: path.join(examples, 'sample-repo'),
  });
  print(
    `  ✓ A local GitHub emulator at ${emulator.url}, with the App "claw" installed on ${OWNER}/${REPO}`,
  );
  print(
    '    (seeded from examples/demo/sample-repo: src/slugify.js has a bug, and its test fails)',
  );

  const transcriptFile = path.join(examples, 'transcript.json');
  const transcript = parseScriptedTranscript(
    await readFile(transcriptFile, 'utf8'),
    transcriptFile,
  );
  const modelKey = `claw-demo-key-${randomBytes(6).toString('hex')}`;
  const model: AnthropicServer = await dev.startAnthropicServer({
    script: transcript,
    apiKey: modelKey,
  });
  cleanups.push({ name: 'model server', run: () => model.stop() });
  print(
    `  ✓ A scripted model at ${model.url}, speaking the Anthropic API and playing examples/demo/transcript.json (${transcript.turns.length} turns)`,
  );

  const cacheDir = path.join(options.workDir, 'cache');
  await mkdir(cacheDir, { recursive: true });
  cleanups.push({ name: 'cache', run: () => rm(cacheDir, { recursive: true, force: true }) });
  const rawEnv: NodeJS.ProcessEnv = {
    APP_ID: String(emulator.app.id),
    PRIVATE_KEY: emulator.app.privateKey,
    WEBHOOK_SECRET: emulator.app.webhookSecret,
    GHE_HOST: emulator.gheHost,
    GHE_PROTOCOL: 'http',
    HOST: '127.0.0.1',
    PORT: String(port),
    ANTHROPIC_API_KEY: modelKey,
    ANTHROPIC_BASE_URL: model.url,
    CLAW_CACHE_DIR: cacheDir,
    // A retry would replay a script that has been played already: fail at once and say why.
    CLAW_JOB_ATTEMPTS: '1',
    CLAW_SHUTDOWN_GRACE_SECONDS: '1',
    LOG_LEVEL: 'debug',
    ...(redis === undefined ? {} : { REDIS_URL: redisUrl, CLAW_REDIS_PREFIX: prefix }),
  };
  const env = parseEnv(rawEnv);
  const { logger, octokitHooks } = await createProcessRedaction({
    env,
    rawEnv,
    name: 'demo',
    sink: createLogSink({ write: options.writeLog }),
  });
  const claw = await start({ env, logger, rawEnv, octokitHooks });
  cleanups.push({ name: 'Claw', run: () => claw.close() });
  print(`  ✓ Claw (\`claw start\`) listening at ${webhookUrl}`);
  print(
    redis === undefined
      ? `    Jobs run in this process: ${options.args.redis ? `no Redis answered at ${hostOf(redisUrl)}` : '--no-redis was given'} (set REDIS_URL to use one).`
      : `    Jobs go through BullMQ on the Redis at ${hostOf(redisUrl)}, under the key prefix ${prefix}.`,
  );
  return { emulator, repo };
}

const QUOTE = '             │ ';

/** One look at the emulator: prints what is new since the last look, in the order it happens on GitHub. */
async function observe(
  stage: Stage,
  seen: Seen,
  issueNumber: number,
  commentId: number,
): Promise<void> {
  const { emulator, repo, event, print } = stage;
  const bot = emulator.app.bot.login;
  if (
    !seen.reaction &&
    emulator
      .reactions()
      .some(
        (reaction) =>
          reaction.subject.type === 'issue_comment' &&
          reaction.subject.id === commentId &&
          reaction.content === 'eyes',
      )
  ) {
    seen.reaction = true;
    event(`${bot} reacts 👀 to the comment`);
  }
  const trackingBody = emulator
    .comments(repo, issueNumber)
    .find((comment) => comment.user.login === bot && comment.body.includes(TRACKING_MARKER))?.body;
  const tracking = trackingBody === undefined ? undefined : trackingText(trackingBody);
  const showTracking = (text: string) => {
    if (text === seen.tracking) return;
    const status = trackingStatus(text);
    event(
      `${bot} ${seen.tracking === undefined ? 'posts its' : 'edits the'} tracking comment (${status}):`,
    );
    for (const line of indent(text, QUOTE)) print(line);
    seen.tracking = text;
    seen.status = status;
  };
  const final = tracking !== undefined && !['queued', 'working'].includes(trackingStatus(tracking));
  if (tracking !== undefined && !final) showTracking(tracking);
  if (seen.branch === undefined) {
    const refs = await bareGit(repo, [
      'for-each-ref',
      '--format=%(refname:short) %(objectname)',
      'refs/heads/claw/',
    ]);
    const [name, sha] = refs.trim().split('\n')[0]?.split(' ') ?? [];
    if (name !== undefined && name !== '' && sha !== undefined) {
      seen.branch = { name, sha };
      const commit = (await bareGit(repo, ['log', '-1', '--format=%an: %s', sha])).trim();
      event(`${bot} pushes the branch ${name} (${sha.slice(0, 7)}, by ${commit})`);
    }
  }
  const pull = emulator.pullRequests(repo)[0];
  if (pull?.pull !== undefined && seen.pull === undefined) {
    seen.pull = { number: pull.number, base: pull.pull.baseRef, head: pull.pull.headRef };
    event(`${bot} opens pull request #${pull.number}: "${pull.title}"`);
    print(
      `${' '.repeat(QUOTE.length - 2)}${emulator.url}/${OWNER}/${REPO}/pull/${pull.number} (${pull.pull.headRef} → ${pull.pull.baseRef})`,
    );
    for (const line of indent((pull.body ?? '').replace(/<\/?sub>/g, '').trim(), QUOTE))
      print(line);
  }
  // Claw edits the comment to "done" after it opened the pull request; the story keeps that order.
  if (tracking !== undefined && final) showTracking(tracking);
}

async function showChange(
  stage: Stage,
  pull: NonNullable<Seen['pull']>,
  startedAt: number,
): Promise<void> {
  const { emulator, repo, print } = stage;
  print('');
  print(`The change (git diff ${pull.base}...${pull.head})`);
  const diff = await bareGit(repo, ['diff', '--no-color', `${pull.base}...${pull.head}`]);
  for (const line of diff.trimEnd().split('\n')) print(`  ${line}`);
  print('');
  const calls = emulator.requests().filter((request) => request.operationId !== 'git').length;
  const violations = emulator.violations();
  print(
    violations.length === 0
      ? `Claw made ${calls} GitHub API calls, each one checked against GitHub's published OpenAPI description.`
      : `Claw made ${calls} GitHub API calls; ${violations.length} did not match GitHub's OpenAPI description:\n${violations.map((v) => `  ${v.method} ${v.path}: ${v.message}`).join('\n')}`,
  );
  print("The tokens and the cost are the transcript's scripted figures: no model was called.");
  print(
    `Done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s. To run Claw on your own repositories, see README.md.`,
  );
}

/** Opens the issue, mentions Claw, and follows what happens until the pull request is there. */
async function tellStory(
  stage: Stage,
  args: DemoArgs,
  io: DemoIO,
  startedAt: number,
): Promise<number> {
  const { emulator, repo, event, print } = stage;
  print('The story');
  emulator.setPermission(repo, USER, 'write');
  const issue = emulator.createIssue(repo, { title: ISSUE_TITLE, body: ISSUE_BODY, user: USER });
  event(`@${USER} (who has write access) opens issue #${issue.number}: "${issue.title}"`);
  const { comment, delivery } = await emulator.commentAndDeliver(repo, issue.number, {
    body: MENTION,
    user: USER,
  });
  event(`@${USER} comments on #${issue.number}: "${comment.body}"`);
  event(
    `GitHub sends the signed issue_comment webhook to Claw, which answers HTTP ${delivery.status}`,
  );
  if (delivery.status < 200 || delivery.status >= 300) {
    print(`\nClaw did not accept the webhook: ${delivery.responseBody.slice(0, 300)}`);
    return 1;
  }
  const seen: Seen = {
    reaction: false,
    tracking: undefined,
    status: undefined,
    branch: undefined,
    pull: undefined,
  };
  const deadline = startedAt + args.timeoutMs;
  for (;;) {
    if (io.signal?.aborted) {
      print('\nInterrupted: cleaning up.');
      return 130;
    }
    await observe(stage, seen, issue.number, comment.id);
    if (seen.status === 'done' && seen.pull !== undefined) {
      await showChange(stage, seen.pull, startedAt);
      return 0;
    }
    if (seen.status === 'done') {
      print('\nThe job finished without opening a pull request.');
      return 1;
    }
    if (seen.status === 'failed' || seen.status === 'cancelled') {
      print(`\nThe job did not finish: the tracking comment says it ${seen.status}.`);
      return 1;
    }
    if (Date.now() >= deadline) {
      print(`\nTimed out after ${args.timeoutMs / 1000} s. Last seen: ${lastSeen(seen)}`);
      return 1;
    }
    await sleep(io.pollMs ?? 200, io.signal);
  }
}

export async function runDemo(args: string[], io: DemoIO): Promise<number> {
  const parsed = parseDemoArgs(args);
  if (typeof parsed === 'string') {
    io.print(`claw demo: ${parsed}\nUsage: ${DEMO_USAGE}`);
    return 2;
  }
  const { print } = io;
  const examples = examplesDir();
  if (
    !existsSync(path.join(examples, 'sample-repo')) ||
    !existsSync(path.join(examples, 'transcript.json'))
  ) {
    print(`claw demo: the demo files are missing (looked in ${examples}).`);
    return 1;
  }
  let dev: typeof Dev;
  try {
    dev = await import('../dev/index.js');
  } catch (error) {
    print(
      `claw demo needs Claw's development dependencies (@octokit/openapi, ajv, ajv-formats) for its local GitHub emulator.\nRun it from a clone of the repository after \`npm install\` (${describeError(error).split('\n')[0] ?? ''}).`,
    );
    return 1;
  }

  const startedAt = Date.now();
  const workDir = await mkdtemp(path.join(io.tempRoot ?? os.tmpdir(), 'claw-demo-'));
  const logPath = path.join(workDir, 'claw.log');
  const logFd = openSync(logPath, 'a');
  let logOpen = true;
  const cleanups: Cleanup[] = [];
  let code = 1;
  try {
    print(
      'Claw demo: an issue becomes a pull request, on this machine, with no GitHub and no model key.',
    );
    print('');
    print('Setting up');
    const world = await setUp({
      dev,
      args: parsed,
      env: io.env,
      workDir,
      writeLog: (line) => {
        if (logOpen) writeSync(logFd, line);
      },
      cleanups,
      print,
    });
    print('');
    const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1).padStart(5)}s`;
    const stage: Stage = { ...world, print, event: (text) => print(`  [${elapsed()}] ${text}`) };
    code = await tellStory(stage, parsed, io, startedAt);
  } catch (error) {
    print(`\nThe demo failed: ${describeError(error).split('\n')[0] ?? ''}`);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup.run();
      } catch (error) {
        print(
          `  (could not stop the ${cleanup.name}: ${describeError(error).split('\n')[0] ?? ''})`,
        );
      }
    }
    logOpen = false;
    closeSync(logFd);
  }
  print(`Claw's log (JSON lines, passed through Undercover): ${logPath}`);
  if (code !== 0 && code !== 130)
    print(
      'It shows what Claw was doing. Everything the demo started has been stopped and removed.',
    );
  return code;
}
