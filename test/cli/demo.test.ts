// `claw demo` in-process: the real Claw against the local GitHub emulator and the scripted model server,
// on the real Redis of this machine (and once without it), asserting the story it tells and what it leaves behind.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from '../../src/cli/demo.js';
import { testRedisUrl, useTestRedis } from '../support/redis.js';

interface EditInput {
  file_path: string;
  old_string: string;
  new_string: string;
}

async function transcriptEdit(): Promise<EditInput> {
  const transcript = JSON.parse(await readFile('examples/demo/transcript.json', 'utf8')) as {
    turns: { content: { type: string; name?: string; input?: unknown }[] }[];
  };
  const edit = transcript.turns
    .flatMap((turn) => turn.content)
    .find((block) => block.type === 'tool_use' && block.name === 'Edit');
  return edit?.input as EditInput;
}

/** The index of the first line matching `pattern` at or after `from`, or -1. */
function lineIndex(lines: readonly string[], pattern: RegExp, from = 0): number {
  for (let i = from; i < lines.length; i++) if (pattern.test(lines[i] as string)) return i;
  return -1;
}

describe('claw demo', () => {
  const redis = useTestRedis(import.meta.url);
  let tempRoot: string;

  beforeEach(async () => {
    tempRoot = await mkdtemp(path.join(os.tmpdir(), 'claw-demo-test-'));
  });
  afterEach(async () => {
    await rm(tempRoot, { recursive: true, force: true });
  });

  it('tells the issue → pull request story in order and shows the transcript edit as the diff when Redis answers', async () => {
    const lines: string[] = [];
    const edit = await transcriptEdit();

    const code = await runDemo([], {
      print: (line) => lines.push(...line.split('\n')),
      env: { REDIS_URL: testRedisUrl() },
      tempRoot,
    });

    expect(code).toBe(0);
    const prefix = /under the key prefix (\{claw-demo-[0-9a-f]+\})/.exec(lines.join('\n'))?.[1];
    expect(prefix).toBeDefined();
    const issue = lineIndex(lines, /@alice .* opens issue #1: "The slug of titles/);
    const mention = lineIndex(lines, /@alice comments on #1: "@claw fix the failing test"/, issue);
    const eyes = lineIndex(lines, /claw\[bot\] reacts 👀/, mention);
    const queued = lineIndex(lines, /tracking comment \(queued\)/, mention);
    const working = lineIndex(lines, /edits the tracking comment \(working\)/, queued);
    const checklist = lineIndex(lines, /│ - \[x\] Reproduce the failing test/, working);
    const branch = lineIndex(lines, /pushes the branch claw\/issue-1-the-slug-of-titles/, working);
    const pull = lineIndex(
      lines,
      /opens pull request #2: "Join every word of a slug with a dash"/,
      branch,
    );
    const fixes = lineIndex(lines, /│ Fixes #1$/, pull);
    const done = lineIndex(lines, /edits the tracking comment \(done\)/, fixes);
    const diff = lineIndex(lines, /^The change \(git diff main\.\.\.claw\/issue-1-/, done);
    expect([
      issue,
      mention,
      eyes,
      queued,
      working,
      checklist,
      branch,
      pull,
      fixes,
      done,
      diff,
    ]).not.toContain(-1);
    const shownDiff = lines.slice(diff).join('\n');
    expect(shownDiff).toContain(`+++ b/${edit.file_path}`);
    expect(shownDiff).toContain(`  -${edit.old_string}\n  +${edit.new_string}\n`);
    expect(lines.join('\n')).toMatch(/each one checked against GitHub's published OpenAPI/);
    expect(await redis().client.keys(`${prefix ?? '{none}'}*`)).toEqual([]);
  }, 60_000);

  it('runs the jobs in this process, says so, and leaves only its log behind with --no-redis', async () => {
    const lines: string[] = [];

    const code = await runDemo(['--no-redis'], {
      print: (line) => lines.push(...line.split('\n')),
      env: {},
      tempRoot,
    });

    expect(code).toBe(0);
    expect(lines).toContain(
      '    Jobs run in this process: --no-redis was given (set REDIS_URL to use one).',
    );
    expect(lineIndex(lines, /opens pull request #2/)).toBeGreaterThan(-1);
    const [demoDir, ...others] = await readdir(tempRoot);
    expect(others).toEqual([]);
    expect(await readdir(path.join(tempRoot, demoDir as string))).toEqual(['claw.log']);
    expect(lines.at(-1)).toBe(
      `Claw's log (JSON lines, passed through Undercover): ${path.join(tempRoot, demoDir as string, 'claw.log')}`,
    );
  }, 60_000);

  it('stops, cleans up and exits 130 when it is interrupted mid-run', async () => {
    const lines: string[] = [];
    const controller = new AbortController();

    const code = await runDemo(['--no-redis'], {
      print: (line) => {
        lines.push(...line.split('\n'));
        if (line.includes('tracking comment (queued)')) controller.abort();
      },
      env: {},
      signal: controller.signal,
      tempRoot,
    });

    expect(code).toBe(130);
    expect(lines).toContain('Interrupted: cleaning up.');
    expect(lineIndex(lines, /opens pull request/)).toBe(-1);
    const [demoDir] = await readdir(tempRoot);
    expect(await readdir(path.join(tempRoot, demoDir as string))).toEqual(['claw.log']);
  }, 30_000);

  it('exits 1 with what it saw last when the timeout runs out', async () => {
    const lines: string[] = [];

    const code = await runDemo(['--no-redis', '--timeout', '0.5'], {
      print: (line) => lines.push(...line.split('\n')),
      env: {},
      tempRoot,
    });

    expect(code).toBe(1);
    expect(lineIndex(lines, /^Timed out after 0\.5 s\. Last seen: /)).toBeGreaterThan(-1);
  }, 30_000);

  it('exits 2 with the usage on an unknown option', async () => {
    const lines: string[] = [];

    const code = await runDemo(['--frobnicate'], { print: (line) => lines.push(line), env: {} });

    expect(code).toBe(2);
    expect(lines.join('\n')).toMatch(/Usage: claw demo/);
  });
});
