import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../../src/cli/run.js';
import { startAnthropicServer } from '../../src/dev/index.js';
import type { TempRepo } from '../support/git-repo.js';
import { repoWith, text, toolUse, turn, tempDir } from './support/harness.js';

const fixture = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../fixtures/llm/fix-greeting.json',
);

let repo: TempRepo;
let out: string[];
let err: string[];
const io = (env: NodeJS.ProcessEnv = {}) => ({
  env: { PATH: process.env.PATH, ...env },
  stdout: (line: string) => out.push(line),
  stderr: (line: string) => err.push(line),
});

beforeEach(async () => {
  out = [];
  err = [];
  repo = await repoWith({ 'src/greet.ts': 'export const greet = () => "Helo";\n' });
});
afterEach(async () => {
  await repo.cleanup();
});

describe('claw run', () => {
  it('runs a scripted session, leaves the change uncommitted and prints one JSON result', async () => {
    const head = await repo.head();
    const code = await runCommand(
      [
        '--repo',
        repo.dir,
        '--task',
        'Fix the greeting',
        '--provider',
        `scripted:${fixture}`,
        '--json',
      ],
      io(),
    );
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const result = JSON.parse(out[0]!) as Record<string, unknown>;
    expect(result).toMatchObject({
      stopReason: 'end_turn',
      turns: 3,
      toolCalls: 4,
      filesChanged: ['src/greet.ts'],
    });
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining(['usage', 'costUsd', 'finalText', 'todos']),
    );
    expect(await readFile(path.join(repo.dir, 'src/greet.ts'), 'utf8')).toContain('"Hello"');
    expect(await repo.head()).toBe(head);
    expect(await repo.git(['status', '--porcelain'])).toBe('M src/greet.ts');
  });

  it('prints a human summary without --json', async () => {
    await runCommand(
      ['--repo', repo.dir, '--task', 'Fix', '--provider', `scripted:${fixture}`],
      io(),
    );
    expect(out.join('\n')).toMatch(/^Stopped: end_turn after 3 turns and 4 tool calls/);
    expect(out.join('\n')).toContain('Files changed: src/greet.ts');
    expect(out.join('\n')).toContain('[x] Fix the greeting');
  });

  it('exits 3 when a budget stops the agent', async () => {
    const code = await runCommand(
      [
        '--repo',
        repo.dir,
        '--task',
        'Fix',
        '--provider',
        `scripted:${fixture}`,
        '--max-turns',
        '1',
        '--json',
      ],
      io(),
    );
    expect(code).toBe(3);
    expect((JSON.parse(out[0]!) as { stopReason: string }).stopReason).toBe('max_turns');
  });

  it.each([
    [['--task', 'x', '--provider', 'scripted:x.json'], /--repo DIR is required/],
    [['--repo', '.', '--task', 'x', '--provider', 'gemini'], /Unknown provider "gemini"/],
    [['--repo', '.', '--task', 'x', '--provider', 'anthropic'], /needs ANTHROPIC_API_KEY/],
    [['--repo', '.', '--task', 'x', '--provider', 'openai'], /needs OPENAI_API_KEY/],
    [
      ['--repo', '.', '--task', 'x', '--provider', 'scripted:/nonexistent.json'],
      /Cannot read the scripted transcript/,
    ],
    [['--repo', '.', '--task', 'x', '--max-turns', 'many'], /--max-turns must be a whole number/],
    [['--repo', '.', '--task', 'x', '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 with a one-line reason for %j', async (args, reason) => {
    const code = await runCommand(
      args.map((arg) => (arg === '.' ? repo.dir : arg)),
      io(),
    );
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(reason);
    expect(err[0]).not.toContain('\n');
  });

  it('exits 2 when DIR is not a git repository', async () => {
    const plain = await tempDir('claw-plain-');
    const code = await runCommand(
      ['--repo', plain, '--task', 'x', '--provider', `scripted:${fixture}`],
      io(),
    );
    expect(code).toBe(2);
    expect(err[0]).toMatch(/is not a git repository/);
  });

  it('exits 2 on an invalid CLAW_MODEL_PRICES', async () => {
    const code = await runCommand(
      ['--repo', repo.dir, '--task', 'x', '--provider', `scripted:${fixture}`],
      io({ CLAW_MODEL_PRICES: '[1]' }),
    );
    expect(code).toBe(2);
    expect(err[0]).toMatch(/CLAW_MODEL_PRICES/);
  });

  it('talks to an Anthropic endpoint from the environment and prices with CLAW_MODEL_PRICES', async () => {
    const server = await startAnthropicServer({
      script: [
        turn([toolUse('t1', 'Read', { file_path: 'src/greet.ts' })], {
          usage: { input_tokens: 1_000_000, output_tokens: 0 },
        }),
        turn([text('It greets.')], { usage: { input_tokens: 0, output_tokens: 1_000_000 } }),
      ],
      apiKey: 'sk-ant-cli',
    });
    try {
      const code = await runCommand(
        ['--repo', repo.dir, '--task', 'What does it do?', '--json', '--max-cost-usd', '100'],
        io({
          ANTHROPIC_API_KEY: 'sk-ant-cli',
          ANTHROPIC_BASE_URL: server.url,
          CLAW_MODEL: 'house-model',
          CLAW_MODEL_PRICES: JSON.stringify({ 'house-model': { input: 1, output: 2 } }),
        }),
      );
      expect(code).toBe(0);
      const result = JSON.parse(out[0]!) as { costUsd: number; model: string; finalText: string };
      expect(result).toMatchObject({ model: 'house-model', finalText: 'It greets.' });
      expect(result.costUsd).toBeCloseTo(3, 10);
      expect((server.requests[0]?.body as { model: string }).model).toBe('house-model');
    } finally {
      await server.stop();
    }
  });

  it('writes a transcript and resumes from it', async () => {
    const transcript = path.join(await tempDir('claw-cli-'), 'run.jsonl');
    await runCommand(
      [
        '--repo',
        repo.dir,
        '--task',
        'Fix',
        '--provider',
        `scripted:${fixture}`,
        '--transcript',
        transcript,
        '--max-turns',
        '2',
      ],
      io(),
    );
    // A crash before the run finished: the transcript has no end line.
    const lines = (await readFile(transcript, 'utf8')).trim().split('\n');
    await writeFile(
      transcript,
      `${lines.filter((line) => !line.startsWith('{"kind":"end"')).join('\n')}\n`,
    );
    const resumeScript = path.join(path.dirname(transcript), 'rest.json');
    await writeFile(
      resumeScript,
      JSON.stringify({ turns: [{ content: [{ type: 'text', text: 'Resumed and done.' }] }] }),
    );
    out = [];
    const code = await runCommand(
      [
        '--repo',
        repo.dir,
        '--provider',
        `scripted:${resumeScript}`,
        '--transcript',
        transcript,
        '--resume',
        '--json',
      ],
      io(),
    );
    expect(code).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({
      resumed: true,
      finalText: 'Resumed and done.',
      turns: 3,
    });
  });
});

describe('claw run redaction', () => {
  it('keeps process secrets and deny terms out of the transcript', async () => {
    const dir = await tempDir('claw-cli-');
    const transcript = path.join(dir, 'run.jsonl');
    const script = path.join(dir, 'script.json');
    const password = 'pg-canary-Vq8rT2mZx41';
    await repo.commit('config', { 'config.txt': `db=${password}\n` });
    await writeFile(
      script,
      JSON.stringify({
        turns: [
          turn([text('Reading the config.'), toolUse('t1', 'Read', { file_path: 'config.txt' })], {
            stop_reason: 'tool_use',
          }),
          turn([text('Done; this was for Project Nebula.')]),
        ],
      }),
    );

    const code = await runCommand(
      [
        '--repo',
        repo.dir,
        '--task',
        'Check the config',
        '--provider',
        `scripted:${script}`,
        '--transcript',
        transcript,
      ],
      io({
        CLAW_SECRET_ENV: 'DB_PASSWORD',
        DB_PASSWORD: password,
        CLAW_REDACT_TERMS: 'Project Nebula',
      }),
    );

    const written = await readFile(transcript, 'utf8');
    expect(code).toBe(0);
    expect(written).toContain('Reading the config.');
    expect(written).not.toContain(password);
    expect(written).not.toMatch(/nebula/i);
    expect(written).toContain('[REDACTED:known-secret]');
  });
});
