import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  createAnthropicProvider,
  runAgent,
  toAnthropicBody,
  type ModelRequest,
  type Provider,
  type ScriptedTurn,
} from '../../../src/agent/index.js';
import { startAnthropicServer, type AnthropicServer } from '../../../src/dev/index.js';
import { CancelledError, ModelError, ModelOutputError } from '../../../src/lib/index.js';
import type { TempRepo } from '../../support/git-repo.js';
import { repoWith, tempDir, text, toolUse, turn } from '../support/harness.js';

let server: AnthropicServer | undefined;
let repo: TempRepo;
const sleeps: number[] = [];

function provider(url: string, extra: { model?: string } = {}): Provider {
  return createAnthropicProvider({
    apiKey: 'sk-ant-test-key',
    model: extra.model ?? 'claude-sonnet-4-6',
    baseURL: url,
    retry: {
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    },
  });
}

async function serve(turns: ScriptedTurn[]): Promise<AnthropicServer> {
  server = await startAnthropicServer({ script: turns, apiKey: 'sk-ant-test-key', chunkSize: 5 });
  return server;
}

const request = (overrides: Partial<ModelRequest> = {}): ModelRequest => ({
  system: 'system prompt',
  tools: [
    {
      name: 'Read',
      description: 'reads',
      inputSchema: { type: 'object', properties: { file_path: { type: 'string' } } },
    },
  ],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  maxOutputTokens: 1000,
  ...overrides,
});

beforeEach(async () => {
  sleeps.length = 0;
  repo = await repoWith({ 'src/a.ts': 'export const answer = 42;\n' });
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
  await repo.cleanup();
});

describe('Anthropic provider over the loopback Messages API', () => {
  it('runs a tool-use round trip with streamed input_json_delta and sends the tool result back', async () => {
    const s = await serve([
      turn([text('Reading.'), toolUse('toolu_1', 'Read', { file_path: 'src/a.ts' })], {
        usage: {
          input_tokens: 900,
          output_tokens: 30,
          cache_creation_input_tokens: 800,
          cache_read_input_tokens: 0,
        },
      }),
      turn([text('The answer is 42.')], {
        usage: { input_tokens: 50, output_tokens: 8, cache_read_input_tokens: 800 },
      }),
    ]);
    const result = await runAgent({
      provider: provider(s.url),
      workdir: repo.dir,
      task: 'What is the answer?',
    });

    expect(result.stopReason).toBe('end_turn');
    expect(result.finalText).toBe('The answer is 42.');
    expect(result.usage).toEqual({
      inputTokens: 950,
      outputTokens: 38,
      cacheReadTokens: 800,
      cacheWriteTokens: 800,
    });
    // claude-sonnet-4-6 list prices: 3 in, 15 out, 0.30 cache read, 3.75 cache write per million.
    expect(result.costUsd).toBeCloseTo((950 * 3 + 38 * 15 + 800 * 0.3 + 800 * 3.75) / 1e6, 10);
    const second = s.requests[1]?.body as {
      messages: { role: string; content: Record<string, unknown>[] }[];
    };
    const toolMessage = second.messages[2];
    expect(toolMessage?.role).toBe('user');
    expect(toolMessage?.content[0]).toMatchObject({
      type: 'tool_result',
      tool_use_id: 'toolu_1',
      content: '     1\texport const answer = 42;',
    });
    expect(second.messages[1]?.content[1]).toEqual({
      type: 'tool_use',
      id: 'toolu_1',
      name: 'Read',
      input: { file_path: 'src/a.ts' },
    });
    const headers = s.requests[0]?.headers ?? {};
    expect(headers['x-api-key'] ?? headers.authorization).toMatch(/sk-ant-test-key/);
  });

  it('puts cache_control on the system prompt, the last tool and the newest message only', async () => {
    const s = await serve([turn([toolUse('t1', 'LS', { path: '.' })]), turn([text('done')])]);
    await runAgent({ provider: provider(s.url), workdir: repo.dir, task: 'list' });
    for (const recorded of s.requests) {
      const body = recorded.body as {
        system: Record<string, unknown>[];
        tools: Record<string, unknown>[];
        messages: { content: Record<string, unknown>[] }[];
        stream: boolean;
      };
      expect(body.stream).toBe(true);
      expect(body.system[0]?.cache_control).toEqual({ type: 'ephemeral' });
      expect(body.tools.map((tool) => tool.cache_control !== undefined)).toEqual(
        body.tools.map((_, i) => i === body.tools.length - 1),
      );
      const marked = body.messages
        .flatMap((message) => message.content)
        .filter((block) => block.cache_control !== undefined);
      expect(marked).toHaveLength(1);
      expect(body.messages.at(-1)?.content.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    }
    // The second request starts with the first one's system and tools, byte for byte.
    const [first, second] = s.requests.map((r) => r.raw);
    const prefix = first!.slice(0, first!.indexOf('"messages"'));
    expect(second!.startsWith(prefix)).toBe(true);
  });

  it('retries a 529 and succeeds, honouring retry-after', async () => {
    const s = await serve([
      {
        content: [],
        error: { status: 529, type: 'overloaded_error', message: 'Overloaded', retry_after: 2 },
      },
      { content: [], error: { status: 500, type: 'api_error', message: 'Internal' } },
      turn([text('ok')]),
    ]);
    const response = await provider(s.url).complete(request());
    expect(response.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(s.requests).toHaveLength(3);
    expect(sleeps[0]).toBe(2000);
    expect(sleeps).toHaveLength(2);
  });

  it('retries 429 and an overloaded error sent mid-stream', async () => {
    const s = await serve([
      {
        content: [],
        error: { status: 429, type: 'rate_limit_error', message: 'slow down', retry_after: 1 },
      },
      turn([text('partial text that never finishes')], { fault: 'overloaded' }),
      turn([text('fine')]),
    ]);
    const response = await provider(s.url).complete(request());
    expect(response.content).toEqual([{ type: 'text', text: 'fine' }]);
    expect(s.requests).toHaveLength(3);
  });

  it('does not retry a 400 and says what went wrong', async () => {
    const s = await serve([
      {
        content: [],
        error: { status: 400, type: 'invalid_request_error', message: 'messages: bad' },
      },
    ]);
    const error = await provider(s.url)
      .complete(request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).retryable).toBe(false);
    expect((error as Error).message).toContain('messages: bad');
    expect(s.requests).toHaveLength(1);
  });

  it('gives up after the retries with a retryable error the job layer can requeue', async () => {
    const overloaded = {
      content: [],
      error: { status: 529, type: 'overloaded_error', message: 'Overloaded' },
    };
    const s = await serve([overloaded, overloaded, overloaded, overloaded, overloaded]);
    const error = await provider(s.url)
      .complete(request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).retryable).toBe(true);
    expect(s.requests).toHaveLength(5);
  });

  it('aborts mid-stream when the signal fires', async () => {
    const s = await serve([
      turn([text('I am thinking about this for a long time'), text('more')], { fault: 'stall' }),
    ]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const error = await provider(s.url)
      .complete(request({ signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sleeps).toEqual([]);
  });

  it('stops the run with stopReason aborted when cancelled mid-stream', async () => {
    const s = await serve([turn([text('thinking'), text('more')], { fault: 'stall' })]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const transcript = path.join(await tempDir('claw-transcript-'), 'run.jsonl');
    const result = await runAgent({
      provider: provider(s.url),
      workdir: repo.dir,
      task: 't',
      signal: controller.signal,
      transcriptPath: transcript,
    });
    expect(result.stopReason).toBe('aborted');
    expect(await readFile(transcript, 'utf8')).toContain('"kind":"end"');
  });

  it('turns a garbage stream into a clear ModelOutputError', async () => {
    const s = await serve([turn([text('hello'), text('world')], { fault: 'garbage' })]);
    const error = await provider(s.url)
      .complete(request())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelOutputError);
    expect((error as Error).message).toMatch(/not valid JSON/);
  });

  it('answers broken tool input JSON with an is_error result instead of crashing', async () => {
    const s = await serve([
      turn([toolUse('t1', 'Read', '{"file_path": "src/a.ts"')]),
      turn([toolUse('t2', 'Read', { file_path: 42 })]),
      turn([text('giving up')]),
    ]);
    const result = await runAgent({ provider: provider(s.url), workdir: repo.dir, task: 't' });
    expect(result.stopReason).toBe('end_turn');
    const second = s.requests[1]?.body as { messages: { content: Record<string, unknown>[] }[] };
    expect(second.messages[1]?.content[0]).toMatchObject({ type: 'tool_use', id: 't1', input: {} });
    expect(second.messages[2]?.content[0]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/not valid JSON/),
    });
    const third = s.requests[2]?.body as { messages: { content: Record<string, unknown>[] }[] };
    expect(third.messages[4]?.content[0]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/Invalid input for Read: file_path: .*string/),
    });
  });

  it('treats a stream cut before message_stop as a retryable incomplete response', async () => {
    const s = await serve([
      turn([text('abc'), text('def')], { fault: 'truncate' }),
      turn([text('whole')]),
    ]);
    const response = await provider(s.url).complete(request());
    expect(response.content).toEqual([{ type: 'text', text: 'whole' }]);
  });

  it('sends tool_choice none for a request that forbids tools', () => {
    const body = toAnthropicBody('m', request({ toolChoice: 'none' }));
    expect(body.tool_choice).toEqual({ type: 'none' });
    expect(toAnthropicBody('m', request()).tool_choice).toBeUndefined();
  });
});
