// The end-to-end scenario: a tiny repository whose test fails because add() subtracts, the scripted model turns
// that fix it, and read-backs of what reached GitHub (the branch in the emulator's bare repo, the tracking comment's
// every body as the emulator received it).
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ScriptedTurn } from '../../../src/agent/index.js';
import type { GitHubEmulator } from '../../../src/dev/index.js';

const run = promisify(execFile);
export type Repo = Awaited<ReturnType<GitHubEmulator['seedRepo']>>;

export const BUGGY_ADD = 'export function add(a, b) {\n  return a - b;\n}\n';
export const FIXED_ADD = 'export function add(a, b) {\n  return a + b;\n}\n';

export const ADDER_FILES: Record<string, string> = {
  'package.json': `${JSON.stringify({ name: 'adder', type: 'module', scripts: { test: 'node test.js' } }, null, 2)}\n`,
  'src/add.js': BUGGY_ADD,
  'test.js': [
    "import { add } from './src/add.js';",
    'const sum = add(2, 2);',
    'if (sum !== 4) {',
    '  console.error(`FAIL: add(2, 2) should be 4, got ${sum}`);',
    '  process.exit(1);',
    '}',
    "console.log('PASS: add(2, 2) is 4');",
    '',
  ].join('\n'),
  'README.md': '# adder\n\nRun `npm test`.\n',
};

export const PR_TITLE = 'Make add() add';
export const PR_SUMMARY =
  '`add()` subtracted its arguments; it now adds them. `node test.js` passes.';

const plan = (fix: 'in_progress' | 'completed') => ({
  todos: [
    { content: 'Find the bug', status: 'completed', activeForm: 'Finding the bug' },
    { content: 'Fix add()', status: fix, activeForm: 'Fixing add()' },
  ],
});

/** The index of the turn that runs the test; it streams slowly (see `slowTurnMs`). */
export const SLOW_TURN = 2;

/**
 * Read, plan, edit, run the test, answer. The test-running turn is slow: the tracking comment is edited at most
 * every 5 s, so the plan shows up only if the job lasts that long, and the crash test kills the worker during it.
 */
export function fixTheTestScript(slowTurnMs: number): ScriptedTurn[] {
  // Ten SSE events with chunkSize 400 (see the server's streamTurn); the delay follows each.
  const perEvent = Math.ceil(slowTurnMs / 10);
  return [
    {
      content: [
        { type: 'text', text: 'Let me look at the code and plan.' },
        { type: 'tool_use', id: 'toolu_plan1', name: 'TodoWrite', input: plan('in_progress') },
        { type: 'tool_use', id: 'toolu_read1', name: 'Read', input: { file_path: 'src/add.js' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 1200, output_tokens: 80 },
    },
    {
      content: [
        {
          type: 'tool_use',
          id: 'toolu_edit1',
          name: 'Edit',
          input: { file_path: 'src/add.js', old_string: 'a - b', new_string: 'a + b' },
        },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 1400, output_tokens: 40 },
    },
    {
      content: [
        { type: 'tool_use', id: 'toolu_test1', name: 'Bash', input: { command: 'node test.js' } },
        { type: 'tool_use', id: 'toolu_plan2', name: 'TodoWrite', input: plan('completed') },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 1500, output_tokens: 40 },
      delay_ms: perEvent,
    },
    {
      content: [{ type: 'text', text: `Title: ${PR_TITLE}\n\n${PR_SUMMARY}` }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 1600, output_tokens: 60 },
    },
  ];
}

export async function arrangeIssue(emulator: GitHubEmulator, name: string) {
  const repo = await emulator.seedRepo({ owner: 'octo', name, files: ADDER_FILES });
  const issue = emulator.createIssue(repo, {
    title: 'add() is broken',
    body: '`npm test` fails: add(2, 2) returns 0.',
    user: 'alice',
  });
  emulator.setPermission(repo, 'alice', 'write');
  return { repo, issue };
}

/** git on the emulator's bare repository (what a clone would see). */
export async function bareGit(repo: Repo, args: string[]): Promise<string> {
  const { stdout } = await run('git', ['--git-dir', repo.bareDir, ...args], {
    env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' },
  });
  return stdout;
}

/** Checks a revision out into a temp dir and runs the repository's test there; returns its exit code. */
export async function runRepoTest(repo: Repo, revision: string): Promise<number> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claw-e2e-check-'));
  try {
    await run('sh', [
      '-c',
      `git --git-dir "$1" archive "$2" | tar -x -C "$3"`,
      'sh',
      repo.bareDir,
      revision,
      dir,
    ]);
    await run(process.execPath, ['test.js'], { cwd: dir });
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Every body the tracking comment had, in order, from the emulator's request log: the POST that created it
 * (recognised by the marker), then each PATCH of that comment id.
 */
export function trackingCommentBodies(emulator: GitHubEmulator, repo: Repo, issueNumber: number) {
  const base = `/repos/${repo.owner.login}/${repo.name}`;
  const tracking = emulator
    .comments(repo, issueNumber)
    .filter((comment) => comment.body.includes('claw:tracking'));
  const bodyOf = (body: unknown) =>
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { body?: unknown }).body === 'string'
      ? (body as { body: string }).body
      : undefined;
  const created = emulator
    .requests()
    .filter(
      (request) =>
        request.method === 'POST' &&
        request.path === `${base}/issues/${issueNumber}/comments` &&
        bodyOf(request.body)?.includes('claw:tracking') === true,
    );
  const edits = tracking.flatMap((comment) =>
    emulator
      .requests()
      .filter(
        (request) =>
          request.method === 'PATCH' && request.path === `${base}/issues/comments/${comment.id}`,
      ),
  );
  return {
    /** The tracking comments on the issue now (there should be one). */
    comments: tracking,
    posts: created.length,
    bodies: [...created, ...edits].flatMap((request) => bodyOf(request.body) ?? []),
    statuses: [...created, ...edits].map((request) => request.status),
  };
}

export type TrackingPhase = 'queued' | 'working' | 'done' | 'failed' | 'other';

export function trackingPhase(body: string): TrackingPhase {
  if (body.startsWith('⏳ Queued')) return 'queued';
  if (body.startsWith('🔧 Working on it')) return 'working';
  if (body.startsWith('✅ ')) return 'done';
  if (body.startsWith('❌ ')) return 'failed';
  return 'other';
}
