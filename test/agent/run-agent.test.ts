import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  createScriptedProvider,
  defineTool,
  runAgent,
  type AgentProgress,
  type ScriptedTurn,
} from '../../src/agent/index.js';
import type { TempRepo } from '../support/git-repo.js';
import {
  lastUserText,
  repoWith,
  routingProvider,
  runScripted,
  scripted,
  text,
  toolUse,
  turn,
  tempDir,
} from './support/harness.js';

let repo: TempRepo;
beforeEach(async () => {
  repo = await repoWith({ 'src/a.ts': 'export const a = 1;\n', 'README.md': '# demo\n' });
});
afterEach(async () => {
  await repo.cleanup();
});

const readTurn = (id: string, file = 'src/a.ts', usage?: ScriptedTurn['usage']) =>
  turn([toolUse(id, 'Read', { file_path: file })], usage !== undefined ? { usage } : {});

describe('runAgent stops', () => {
  it('ends on end_turn with the final text, counts and files changed', async () => {
    const { result } = await runScripted(repo, [
      turn([text('Reading.'), toolUse('t1', 'Read', { file_path: 'src/a.ts' })], {
        usage: { input_tokens: 100, output_tokens: 10 },
      }),
      turn(
        [
          toolUse('t2', 'Edit', {
            file_path: 'src/a.ts',
            old_string: 'a = 1',
            new_string: 'a = 2',
          }),
        ],
        { usage: { input_tokens: 200, output_tokens: 10 } },
      ),
      turn([text('Changed a to 2.')], { usage: { input_tokens: 300, output_tokens: 5 } }),
    ]);
    expect(result).toMatchObject({
      stopReason: 'end_turn',
      turns: 3,
      toolCalls: 2,
      finalText: 'Changed a to 2.',
      filesChanged: ['src/a.ts'],
    });
    expect(result.usage).toEqual({
      inputTokens: 600,
      outputTokens: 25,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    // Unknown models are charged at the documented fallback (3 in / 15 out per million).
    expect(result.costUsd).toBeCloseTo((600 * 3 + 25 * 15) / 1e6, 12);
    expect(await readFile(path.join(repo.dir, 'src/a.ts'), 'utf8')).toBe('export const a = 2;\n');
  });

  it('stops at maxTurns after a wrap-up turn that forbids tools', async () => {
    const provider = scripted([
      readTurn('t1'),
      readTurn('t2', 'README.md'),
      turn([text('Wrapping up: read two files.')]),
      readTurn('t4'),
    ]);
    const requests: string[] = [];
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 't',
      limits: { maxTurns: 3 },
      progress: (event) => event.type === 'turn' && requests.push(`${event.turn}:${event.wrapUp}`),
    });
    expect(result.stopReason).toBe('max_turns');
    expect(result.turns).toBe(3);
    expect(result.finalText).toBe('Wrapping up: read two files.');
    expect(requests).toEqual(['1:false', '2:false', '3:true']);
    expect(provider.calls).toBe(3);
  });

  it('sends tool_choice none and the wrap-up instruction on the last turn, and does not run tools it still asks for', async () => {
    const provider = routingProvider((_request, index) =>
      index < 1 ? readTurn(`t${index}`) : readTurn('late', 'README.md'),
    );
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 't',
      limits: { maxTurns: 2 },
    });
    expect(result.stopReason).toBe('max_turns');
    expect(result.toolCalls).toBe(1);
    const last = provider.requests[1]!;
    expect(last.toolChoice).toBe('none');
    expect(lastUserText(last)).toMatch(/last turn.*Do not call tools/);
    expect(last.tools.length).toBe(provider.requests[0]!.tools.length);
  });

  it('stops on maxTokens, predicting the last turn from the largest one', async () => {
    const usage = { input_tokens: 900, output_tokens: 100 };
    const provider = scripted([
      readTurn('t1', 'src/a.ts', usage),
      turn([text('out of tokens')], { usage }),
      readTurn('t3', 'src/a.ts', usage),
    ]);
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 't',
      limits: { maxTokens: 2500 },
    });
    expect(result.stopReason).toBe('max_tokens');
    expect(result.turns).toBe(2);
    expect(result.usage.inputTokens + result.usage.outputTokens).toBe(2000);
  });

  it('stops at once when one turn blows the token budget', async () => {
    const { result, provider } = await runScripted(
      repo,
      [readTurn('t1', 'src/a.ts', { input_tokens: 10_000, output_tokens: 10 }), readTurn('t2')],
      {
        limits: { maxTokens: 5000 },
      },
    );
    expect(result.stopReason).toBe('max_tokens');
    expect(result.turns).toBe(1);
    expect(provider.calls).toBe(1);
  });

  it('stops on maxCostUsd', async () => {
    // 100 000 input tokens at the fallback $3 per million cost $0.30 a turn.
    const usage = { input_tokens: 100_000, output_tokens: 0 };
    const { result } = await runScripted(
      repo,
      [
        readTurn('t1', 'src/a.ts', usage),
        turn([text('stopping')], { usage }),
        readTurn('t3', 'src/a.ts', usage),
      ],
      {
        limits: { maxCostUsd: 0.75 },
      },
    );
    expect(result.stopReason).toBe('max_cost_usd');
    expect(result.turns).toBe(2);
    expect(result.costUsd).toBeCloseTo(0.6, 10);
  });

  it('stops on the wall clock, using the injected clock', async () => {
    let now = 1_000_000;
    const provider = routingProvider((_request, index) => {
      now += 10 * 60_000;
      return index === 0 ? readTurn('t1') : turn([text('time is up')]);
    });
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 't',
      clock: () => now,
      limits: { maxDurationMs: 25 * 60_000 },
    });
    expect(result.stopReason).toBe('wall_clock');
    expect(result.turns).toBe(2);
    expect(provider.requests[1]?.toolChoice).toBe('none');
  });

  it('stops with loop_guard on the third identical call in a row and does not run it', async () => {
    const progress: AgentProgress[] = [];
    const { result } = await runScripted(
      repo,
      [readTurn('t1'), readTurn('t2'), readTurn('t3'), turn([text('never')])],
      {
        progress: (event) => progress.push(event),
      },
    );
    expect(result.stopReason).toBe('loop_guard');
    expect(result.toolCalls).toBe(2);
    expect(progress.filter((event) => event.type === 'tool_result')).toHaveLength(2);
  });

  it('does not trip the loop guard on the same call with a different input', async () => {
    const { result } = await runScripted(repo, [
      readTurn('t1'),
      readTurn('t2', 'README.md'),
      readTurn('t3'),
      turn([text('done')]),
    ]);
    expect(result.stopReason).toBe('end_turn');
  });

  it('returns aborted when the signal fires during a tool', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 300);
    const { result } = await runScripted(
      repo,
      [turn([toolUse('b', 'Bash', { command: 'sleep 30' })]), turn([text('x')])],
      { signal: controller.signal },
    );
    expect(result.stopReason).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('runAgent tools', () => {
  it('runs read-only calls of one turn in parallel and mutating ones in order', async () => {
    const { result } = await runScripted(repo, [
      turn([
        toolUse('w', 'Write', { file_path: 'new.ts', content: 'one' }),
        toolUse('e', 'Edit', { file_path: 'new.ts', old_string: 'one', new_string: 'two' }),
        toolUse('r', 'Read', { file_path: 'new.ts' }),
      ]),
      turn([text('done')]),
    ]);
    expect(result.stopReason).toBe('end_turn');
    expect(await readFile(path.join(repo.dir, 'new.ts'), 'utf8')).toBe('two');
  });

  it('answers an unknown tool and bad input with is_error results the model can read', async () => {
    const provider = routingProvider((_request, index) =>
      index === 0
        ? turn([
            toolUse('x', 'Delete', { path: 'a' }),
            toolUse('y', 'Read', { path: 'a', extra: 1 }),
          ])
        : turn([text('ok')]),
    );
    await runAgent({ provider, workdir: repo.dir, task: 't' });
    const results = provider.requests[1]!.messages[2]!.content;
    expect(results[0]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/no tool named "Delete".*Available tools: Task, Bash/),
    });
    expect(results[1]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(
        /Invalid input for Read: .*file_path.*unknown field\(s\) path, extra/,
      ),
    });
  });

  it('reports todos through progress and in the result', async () => {
    const todos = [
      { content: 'Fix it', status: 'in_progress', activeForm: 'Fixing it' },
      { content: 'Test it', status: 'pending', activeForm: 'Testing it' },
    ];
    const seen: unknown[] = [];
    const { result } = await runScripted(
      repo,
      [turn([toolUse('t', 'TodoWrite', { todos })]), turn([text('ok')])],
      {
        progress: (event) => event.type === 'todos' && seen.push(event.todos),
      },
    );
    expect(seen).toEqual([todos]);
    expect(result.todos).toEqual(todos);
  });

  it('refuses a todo list with two items in progress and keeps the previous list', async () => {
    const good = [{ content: 'A', status: 'in_progress', activeForm: 'Doing A' }];
    const bad = [
      { content: 'A', status: 'in_progress', activeForm: 'Doing A' },
      { content: 'B', status: 'in_progress', activeForm: 'Doing B' },
    ];
    const provider = routingProvider((_request, index) =>
      index === 0
        ? turn([toolUse('t1', 'TodoWrite', { todos: good })])
        : index === 1
          ? turn([toolUse('t2', 'TodoWrite', { todos: bad })])
          : turn([text('ok')]),
    );
    const result = await runAgent({ provider, workdir: repo.dir, task: 't' });
    expect(provider.requests[2]!.messages[4]!.content[0]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/2 items are in_progress/),
    });
    expect(result.todos).toEqual(good);
  });

  it('keeps running when the progress callback throws', async () => {
    const { result } = await runScripted(repo, [readTurn('t1'), turn([text('fine')])], {
      progress: () => {
        throw new Error('renderer broke');
      },
    });
    expect(result.stopReason).toBe('end_turn');
  });

  it('asks the model to continue when its reply was cut at the output limit', async () => {
    const provider = routingProvider((_request, index) =>
      index === 0
        ? turn([text('half a sen')], { stop_reason: 'max_tokens' })
        : turn([text('tence.')]),
    );
    const result = await runAgent({ provider, workdir: repo.dir, task: 't' });
    expect(result.stopReason).toBe('end_turn');
    expect(lastUserText(provider.requests[1]!)).toMatch(/cut off.*Continue/);
  });
});

describe('Task sub-agents', () => {
  it('runs several Task children in parallel, bounded, read-only, drawing from the parent budget', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const provider = routingProvider(async (request) => {
      const child = request.system.includes('research sub-agent');
      if (!child) {
        const hasResults = request.messages.length > 1;
        return hasResults
          ? turn([text('All four reports are in.')], {
              usage: { input_tokens: 10, output_tokens: 1 },
            })
          : turn(
              [1, 2, 3, 4].map((n) =>
                toolUse(`task${n}`, 'Task', { description: `look ${n}`, prompt: `Question ${n}` }),
              ),
              { usage: { input_tokens: 10, output_tokens: 1 } },
            );
      }
      const question =
        request.messages[0]!.content[0]!.type === 'text'
          ? (request.messages[0]!.content[0] as { text: string }).text
          : '';
      if (request.messages.length === 1) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 100));
        inFlight--;
        return turn([toolUse(`w-${question}`, 'Write', { file_path: 'x.txt', content: 'x' })], {
          usage: { input_tokens: 100, output_tokens: 1 },
        });
      }
      return turn([text(`Answer to ${question}`)], {
        usage: { input_tokens: 100, output_tokens: 1 },
      });
    });
    const tools = provider.requests;
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 'research',
      maxParallelSubagents: 2,
    });

    expect(result.stopReason).toBe('end_turn');
    expect(maxInFlight).toBe(2);
    const childTools = tools
      .find((request) => request.system.includes('research sub-agent'))!
      .tools.map((tool) => tool.name);
    expect(childTools).toEqual(['Glob', 'Grep', 'LS', 'Read']);
    const last = tools.at(-1)!;
    const reports = last.messages[2]!.content.map((block) =>
      block.type === 'tool_result' ? block.content : '',
    );
    expect(reports).toEqual([
      'Answer to Question 1',
      'Answer to Question 2',
      'Answer to Question 3',
      'Answer to Question 4',
    ]);
    // Each child's Write was refused, and nothing was written.
    await expect(readFile(path.join(repo.dir, 'x.txt'))).rejects.toThrow();
    // 2 parent turns of 11 tokens and 4 children × 2 turns of 101 tokens, all in the one budget.
    expect(result.usage.inputTokens + result.usage.outputTokens).toBe(2 * 11 + 8 * 101);
  });

  it('runs Task children of a mutating sub-agent type one at a time, with their tools', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const provider = routingProvider(async (request) => {
      if (!request.system.includes('You edit files.'))
        return request.messages.length > 1
          ? turn([text('both edits done')])
          : turn([
              toolUse('e1', 'Task', {
                description: 'edit',
                prompt: 'first',
                subagent_type: 'editor',
              }),
              toolUse('e2', 'Task', {
                description: 'edit',
                prompt: 'second',
                subagent_type: 'editor',
              }),
            ]);
      const prompt = (request.messages[0]!.content[0] as { text: string }).text;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight--;
      if (request.messages.length === 1)
        return turn([
          toolUse(`w-${prompt}`, 'Write', { file_path: `${prompt}.txt`, content: prompt }),
        ]);
      return turn([text(`wrote ${prompt}`)]);
    });
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 't',
      subagentTypes: {
        editor: { description: 'edits', tools: ['Read', 'Write'], systemPrompt: 'You edit files.' },
      },
    });
    expect(result.stopReason).toBe('end_turn');
    expect(maxInFlight).toBe(1);
    expect(await readFile(path.join(repo.dir, 'first.txt'), 'utf8')).toBe('first');
    expect(await readFile(path.join(repo.dir, 'second.txt'), 'utf8')).toBe('second');
    expect(result.filesChanged).toEqual(['first.txt', 'second.txt']);
  });

  it('refuses an unknown subagent_type in plain words', async () => {
    const provider = routingProvider((request) =>
      request.messages.length > 1
        ? turn([text('ok')])
        : turn([toolUse('t', 'Task', { description: 'd', prompt: 'p', subagent_type: 'wizard' })]),
    );
    await runAgent({ provider, workdir: repo.dir, task: 't' });
    expect(provider.requests[1]!.messages[2]!.content[0]).toMatchObject({
      is_error: true,
      content: 'Unknown subagent_type "wizard". Available: general-purpose.',
    });
  });

  it('stops children when the shared budget runs out', async () => {
    const provider = routingProvider((request) => {
      if (!request.system.includes('research sub-agent'))
        return request.messages.length > 1
          ? turn([text('done')])
          : turn([toolUse('t', 'Task', { description: 'd', prompt: 'p' })], {
              usage: { input_tokens: 10, output_tokens: 0 },
            });
      return readTurn(
        `r${request.messages.length}`,
        request.messages.length % 4 === 1 ? 'src/a.ts' : 'README.md',
        { input_tokens: 1000, output_tokens: 0 },
      );
    });
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 't',
      limits: { maxTokens: 5000 },
    });
    const childCalls = provider.requests.filter((request) =>
      request.system.includes('research sub-agent'),
    ).length;
    expect(childCalls).toBeLessThanOrEqual(5);
    expect(result.stopReason).toBe('max_tokens');
  });
});

describe('instructions and transcript', () => {
  it('loads AGENTS.md, CLAUDE.md and .github/claw.md into a byte-stable system prompt, capped', async () => {
    await repo.write({
      'AGENTS.md': 'Use tabs.',
      'CLAUDE.md': 'Run npm test.',
      '.github/claw.md': 'x'.repeat(5000),
    });
    const provider = routingProvider((_request, index) =>
      index === 0 ? readTurn('t1') : turn([text('ok')]),
    );
    await runAgent({ provider, workdir: repo.dir, task: 't', instructionsMaxChars: 1000 });
    const [first, second] = provider.requests;
    expect(first!.system).toContain('Use tabs.');
    expect(first!.system).toContain('Run npm test.');
    expect(first!.system).toContain('repository instructions cut at 1000 characters');
    expect(first!.system).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    expect(second!.system).toBe(first!.system);
    expect(JSON.stringify(second!.tools)).toBe(JSON.stringify(first!.tools));
  });

  it('skips an instructions file that is a symlink out of the worktree', async () => {
    const outside = await tempDir('claw-outside-');
    await writeFile(path.join(outside, 'secret.md'), 'SERVER SECRET');
    await symlink(path.join(outside, 'secret.md'), path.join(repo.dir, 'CLAUDE.md'));
    const provider = routingProvider(() => turn([text('ok')]));
    await runAgent({ provider, workdir: repo.dir, task: 't' });
    expect(provider.requests[0]!.system).not.toContain('SERVER SECRET');
  });

  it('writes every request and response to the transcript, redacted', async () => {
    await repo.write({ 'config.txt': 'token=SECRET-CANARY-123\n' });
    const transcript = path.join(await tempDir('claw-transcript-'), 'run.jsonl');
    await runScripted(
      repo,
      [
        turn([toolUse('t1', 'Read', { file_path: 'config.txt' })]),
        turn([text('The token is SECRET-CANARY-123.')]),
      ],
      {
        transcriptPath: transcript,
        redact: (value) => value.replaceAll('SECRET-CANARY-123', '[REDACTED]'),
      },
    );
    const content = await readFile(transcript, 'utf8');
    expect(content).not.toContain('SECRET-CANARY-123');
    expect(content).toContain('[REDACTED]');
    const kinds = content
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { kind: string }).kind);
    expect(kinds.filter((kind) => kind === 'request')).toHaveLength(2);
    expect(kinds.filter((kind) => kind === 'response')).toHaveLength(2);
    expect(kinds[0]).toBe('start');
    expect(kinds.at(-1)).toBe('end');
  });
});

describe('caller tools', () => {
  const submit = (received: unknown[]) =>
    defineTool<{ verdict: string }>({
      name: 'Submit',
      description: 'Submits the result and ends the run.',
      readOnly: false,
      input: z.object({ verdict: z.string() }).strict(),
      run: (input, context) => {
        received.push(input);
        context.session.finished = true;
        return Promise.resolve('Submitted.');
      },
    });

  it('offers an extra tool after the built-in ones and ends the run when it marks the session finished', async () => {
    const received: unknown[] = [];
    const toolNames: string[][] = [];
    const provider = createScriptedProvider(
      {
        turns: [turn([toolUse('s1', 'Submit', { verdict: 'ok' })]), turn([text('never reached')])],
      },
      { onRequest: (request) => toolNames.push(request.tools.map((tool) => tool.name)) },
    );

    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 'Review.',
      tools: ['Read'],
      extraTools: [submit(received)],
    });

    expect(received).toEqual([{ verdict: 'ok' }]);
    expect(result.stopReason).toBe('end_turn');
    expect(result.turns).toBe(1);
    expect(toolNames).toEqual([['Read', 'Submit']]);
  });

  it('sends invalid input for an extra tool back to the model and keeps going', async () => {
    const received: unknown[] = [];
    const { result } = await runScripted(
      repo,
      [
        turn([toolUse('s1', 'Submit', { verdict: 3 })]),
        turn([toolUse('s2', 'Submit', { verdict: 'ok' })]),
      ],
      { extraTools: [submit(received)] },
    );

    expect(received).toEqual([{ verdict: 'ok' }]);
    expect(result.turns).toBe(2);
  });

  it('refuses an extra tool that shadows a built-in one', async () => {
    const shadow = defineTool({ ...submit([]), name: 'Read' });

    await expect(
      runAgent({ provider: scripted([]), workdir: repo.dir, task: 'x', extraTools: [shadow] }),
    ).rejects.toThrow('Two tools are named "Read"');
  });
});
