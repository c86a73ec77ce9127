import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  estimateTokens,
  readTranscript,
  runAgent,
  type AgentProgress,
  type ModelRequest,
  type ScriptedTurn,
} from '../../src/agent/index.js';
import { ModelError } from '../../src/lib/index.js';
import type { TempRepo } from '../support/git-repo.js';
import {
  assertToolPairs,
  lastUserText,
  repoWith,
  routingProvider,
  text,
  toolUse,
  turn,
  tempDir,
} from './support/harness.js';

let repo: TempRepo;
let dir: string;
const TASK = 'Audit every module and list the exports.';
const TODOS = [
  { content: 'Read every module', status: 'in_progress', activeForm: 'Reading every module' },
  { content: 'Write the report', status: 'pending', activeForm: 'Writing the report' },
];

beforeEach(async () => {
  const files: Record<string, string> = {};
  for (let n = 0; n < 40; n++)
    files[`src/module-${n}.ts`] = Array.from(
      { length: 60 },
      (_, line) => `export const value${n}_${line} = ${line}; // padding text`,
    ).join('\n');
  repo = await repoWith(files);
  dir = await tempDir('claw-transcripts-');
});
afterEach(async () => {
  await repo.cleanup();
});

const isSummaryRequest = (request: ModelRequest) =>
  lastUserText(request).includes('Your context is nearly full');

/** The main script: a plan, then one Read per module, then a final answer; summaries answered on demand. */
function longSession(reads: number) {
  let step = 0;
  return routingProvider(
    (request): ScriptedTurn => {
      if (isSummaryRequest(request))
        return turn([
          text(
            '## Goal\nAudit modules.\n## Done so far\nRead several modules.\n## Findings\nEach exports 60 values.\n## Next steps\nRead the rest.',
          ),
        ]);
      const current = step++;
      if (current === 0) return turn([toolUse('plan', 'TodoWrite', { todos: TODOS })]);
      if (current <= reads)
        return turn([
          text(`Module ${current - 1}.`),
          toolUse(`read-${current}`, 'Read', { file_path: `src/module-${(current - 1) % 40}.ts` }),
        ]);
      return turn([text('Every module exports 60 constants.')]);
    },
    { contextWindow: 12_000 },
  );
}

describe('compaction', () => {
  it('stubs old tool results, then summarizes, never exceeding the window or splitting tool pairs, keeping the todo list', async () => {
    const provider = longSession(150);
    const events: AgentProgress[] = [];
    const transcript = path.join(dir, 'long.jsonl');
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
      limits: { maxTurns: 500 },
      progress: (event) => events.push(event),
    });

    expect(result.stopReason).toBe('end_turn');
    expect(result.finalText).toBe('Every module exports 60 constants.');
    const stages = events.flatMap((event) => (event.type === 'compaction' ? [event.stage] : []));
    expect(stages).toContain('stub');
    expect(stages).toContain('summary');
    expect(stages.indexOf('stub')).toBeLessThan(stages.indexOf('summary'));
    for (const request of provider.requests) {
      expect(estimateTokens(request)).toBeLessThanOrEqual(12_000);
      assertToolPairs(request.messages);
    }
    const summaryRequests = provider.requests.filter(isSummaryRequest);
    expect(summaryRequests.every((request) => request.toolChoice === 'none')).toBe(true);
    const afterSummary = provider.requests[provider.requests.indexOf(summaryRequests[0]!) + 1]!;
    const head = afterSummary.messages[0]!.content[0];
    expect(head?.type === 'text' && head.text).toMatch(
      /^Audit every module and list the exports\.\n\n<context-summary>/,
    );
    expect(head?.type === 'text' && head.text).toContain(
      '## Todo list\n[~] Read every module\n[ ] Write the report',
    );
    expect(afterSummary.messages[1]!.role).toBe('assistant');
    const stubbed = provider.requests.some((request) =>
      request.messages.some((message) =>
        message.content.some(
          (block) =>
            block.type === 'tool_result' && block.content.startsWith('[Earlier output of Read'),
        ),
      ),
    );
    expect(stubbed).toBe(true);
    expect(result.todos).toEqual(TODOS);
  });

  it('stubs even the newest results when a few huge ones alone overflow the window', async () => {
    await repo.write({ 'big.txt': `${'x'.repeat(150)}\n`.repeat(250) });
    let step = 0;
    const provider = routingProvider(
      (request) => {
        if (isSummaryRequest(request)) return turn([text('## Goal\nRead big.txt.')]);
        const current = step++;
        return current < 3
          ? turn([toolUse(`big-${current}`, 'Read', { file_path: 'big.txt', offset: current + 1 })])
          : turn([text('done')]);
      },
      { contextWindow: 12_000 },
    );
    const result = await runAgent({ provider, workdir: repo.dir, task: TASK });
    expect(result.stopReason).toBe('end_turn');
    for (const sent of provider.requests) expect(estimateTokens(sent)).toBeLessThanOrEqual(12_000);
    for (const sent of provider.requests) assertToolPairs(sent.messages);
  });

  it('resumes from a transcript cut after a summary with the compacted history', async () => {
    const transcript = path.join(dir, 'cut.jsonl');
    await runAgent({
      provider: longSession(150),
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
      limits: { maxTurns: 500 },
    });
    const lines = (await readFile(transcript, 'utf8')).trim().split('\n');
    const summaryAt = lines.findIndex(
      (line) => line.includes('"kind":"compaction"') && line.includes('"stage":"summary"'),
    );
    expect(summaryAt).toBeGreaterThan(0);
    await writeFile(transcript, `${lines.slice(0, summaryAt + 1).join('\n')}\n`);

    const provider = routingProvider(() => turn([text('Finished after the restart.')]), {
      contextWindow: 12_000,
    });
    const result = await runAgent({
      provider,
      workdir: repo.dir,
      task: 'ignored on resume',
      transcriptPath: transcript,
      resume: true,
    });
    expect(result.resumed).toBe(true);
    const head = provider.requests[0]!.messages[0]!.content[0];
    expect(head?.type === 'text' && head.text).toContain('<context-summary>');
    expect(head?.type === 'text' && head.text).toContain(TASK);
    assertToolPairs(provider.requests[0]!.messages);
  });
});

describe('resume', () => {
  const script = (failAt: number) => {
    const turns: ScriptedTurn[] = [
      turn([toolUse('plan', 'TodoWrite', { todos: TODOS })], {
        usage: { input_tokens: 100, output_tokens: 10 },
      }),
      turn([toolUse('r1', 'Read', { file_path: 'src/module-1.ts' })], {
        usage: { input_tokens: 200, output_tokens: 10 },
      }),
      turn([text('Done.')], { usage: { input_tokens: 300, output_tokens: 10 } }),
    ];
    return routingProvider((_request, index) => {
      if (index === failAt) throw new ModelError('the worker died', 401, { retryable: false });
      return turns[index]!;
    });
  };

  it('continues a crashed run from its transcript with the same history, counters and todos', async () => {
    const transcript = path.join(dir, 'crash.jsonl');
    const full = script(-1);
    await runAgent({ provider: full, workdir: repo.dir, task: TASK });
    await expect(
      runAgent({ provider: script(2), workdir: repo.dir, task: TASK, transcriptPath: transcript }),
    ).rejects.toThrow('the worker died');

    const resumed = routingProvider(() =>
      turn([text('Done.')], { usage: { input_tokens: 300, output_tokens: 10 } }),
    );
    const result = await runAgent({
      provider: resumed,
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
      resume: true,
    });

    expect(resumed.requests[0]!.messages).toEqual(full.requests[2]!.messages);
    expect(result).toMatchObject({
      stopReason: 'end_turn',
      turns: 3,
      toolCalls: 2,
      resumed: true,
      finalText: 'Done.',
      todos: TODOS,
    });
    expect(result.usage).toEqual({
      inputTokens: 600,
      outputTokens: 30,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    const kinds = readTranscript(transcript).map((entry) => entry.kind);
    expect(kinds.filter((kind) => kind === 'start')).toHaveLength(1);
    expect(kinds.at(-1)).toBe('end');
  });

  it('answers a tool call cut off by the crash with an interrupted is_error result', async () => {
    const transcript = path.join(dir, 'torn.jsonl');
    await runAgent({
      provider: script(-1),
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
    });
    const lines = (await readFile(transcript, 'utf8')).trim().split('\n');
    const readCall = lines.findIndex(
      (line) => line.includes('"kind":"message"') && line.includes('"id":"r1"'),
    );
    // Keep the assistant turn that asked for Read, lose its result, and leave a torn half line as a crash would.
    await writeFile(transcript, `${lines.slice(0, readCall + 1).join('\n')}\n{"kind":"mess`);

    const resumed = routingProvider(() => turn([text('Recovered.')]));
    const result = await runAgent({
      provider: resumed,
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
      resume: true,
    });
    const last = resumed.requests[0]!.messages.at(-1)!;
    expect(last.content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'r1',
      is_error: true,
      content: expect.stringMatching(/interrupted by a restart/),
    });
    expect(result.stopReason).toBe('end_turn');
    assertToolPairs(resumed.requests[0]!.messages);
  });

  it('returns the recorded result of a finished run without calling the model again', async () => {
    const transcript = path.join(dir, 'done.jsonl');
    const first = await runAgent({
      provider: script(-1),
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
    });
    const again = routingProvider(() => {
      throw new Error('must not be called');
    });
    const result = await runAgent({
      provider: again,
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
      resume: true,
    });
    expect(result).toEqual(first);
    expect(again.requests).toHaveLength(0);
  });

  it('does not call the model again when the crash came after its final answer', async () => {
    const transcript = path.join(dir, 'late.jsonl');
    await runAgent({
      provider: script(-1),
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
    });
    const lines = (await readFile(transcript, 'utf8')).trim().split('\n');
    await writeFile(
      transcript,
      `${lines.filter((line) => !line.startsWith('{"kind":"end"')).join('\n')}\n`,
    );
    const again = routingProvider(() => {
      throw new Error('must not be called');
    });
    const result = await runAgent({
      provider: again,
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
      resume: true,
    });
    expect(result).toMatchObject({
      stopReason: 'end_turn',
      finalText: 'Done.',
      turns: 3,
      resumed: true,
    });
    expect(again.requests).toHaveLength(0);
  });

  it('replays the wrap-up instruction when it resumes after a wrap-up turn', async () => {
    const transcript = path.join(dir, 'wrap.jsonl');
    const first = routingProvider((_request, index) =>
      turn([toolUse(`r${index}`, 'Read', { file_path: `src/module-${index}.ts` })]),
    );
    await runAgent({
      provider: first,
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
      limits: { maxTurns: 2 },
    });
    const lines = (await readFile(transcript, 'utf8')).trim().split('\n');
    await writeFile(
      transcript,
      `${lines.filter((line) => !line.startsWith('{"kind":"end"')).join('\n')}\n`,
    );
    const resumed = routingProvider(() => turn([text('Summary after restart.')]));
    await runAgent({
      provider: resumed,
      workdir: repo.dir,
      task: TASK,
      transcriptPath: transcript,
      resume: true,
      limits: { maxTurns: 5 },
    });
    const sentBefore = first.requests[1]!.messages;
    expect(resumed.requests[0]!.messages.slice(0, sentBefore.length)).toEqual(sentBefore);
    assertToolPairs(resumed.requests[0]!.messages);
  });
});
