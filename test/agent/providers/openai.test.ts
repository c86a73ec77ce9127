import {
  createOpenAIProvider,
  runAgent,
  toOpenAIBody,
  type ModelRequest,
  type Provider,
} from '../../../src/agent/index.js';
import { CancelledError, ModelError, ModelOutputError } from '../../../src/lib/index.js';
import type { TempRepo } from '../../support/git-repo.js';
import { startOpenAIServer, type OpenAIServer } from '../support/openai-server.js';
import { repoWith, text, toolUse, turn } from '../support/harness.js';

let server: OpenAIServer | undefined;
let repo: TempRepo;
const sleeps: number[] = [];

function provider(url: string): Provider {
  return createOpenAIProvider({
    apiKey: 'sk-test',
    model: 'gpt-5',
    baseURL: url,
    retry: {
      sleep: (ms) => {
        sleeps.push(ms);
        return Promise.resolve();
      },
    },
  });
}

const request = (overrides: Partial<ModelRequest> = {}): ModelRequest => ({
  system: 'sys',
  tools: [],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  maxOutputTokens: 100,
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

describe('OpenAI-compatible provider over loopback chat completions', () => {
  it('runs a tool-use round trip and maps tool results to tool messages', async () => {
    server = await startOpenAIServer(
      [
        turn(
          [
            text('Looking.'),
            toolUse('call_1', 'Read', { file_path: 'src/a.ts' }),
            toolUse('call_2', 'Glob', { pattern: '**/*.ts' }),
          ],
          {
            usage: { input_tokens: 1000, output_tokens: 20 },
          },
        ),
        turn([text('It is 42.')], { usage: { input_tokens: 1200, output_tokens: 5 } }),
      ],
      { cachedTokens: 400 },
    );
    const result = await runAgent({
      provider: provider(server.url),
      workdir: repo.dir,
      task: 'answer?',
    });
    expect(result.stopReason).toBe('end_turn');
    expect(result.finalText).toBe('It is 42.');
    expect(result.toolCalls).toBe(2);
    // prompt_tokens includes cached tokens; normalized input excludes them.
    expect(result.usage).toEqual({
      inputTokens: 1400,
      outputTokens: 25,
      cacheReadTokens: 800,
      cacheWriteTokens: 0,
    });
    const body = server.requests[1]?.body as {
      messages: Record<string, unknown>[];
      tools: { function: { name: string } }[];
    };
    expect(body.messages[0]).toMatchObject({ role: 'system' });
    expect(body.messages[2]).toMatchObject({
      role: 'assistant',
      content: 'Looking.',
      tool_calls: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: 'Read', arguments: '{"file_path":"src/a.ts"}' },
        },
        {
          id: 'call_2',
          type: 'function',
          function: { name: 'Glob', arguments: '{"pattern":"**/*.ts"}' },
        },
      ],
    });
    expect(body.messages[3]).toEqual({
      role: 'tool',
      tool_call_id: 'call_1',
      content: '     1\texport const answer = 42;',
    });
    expect(body.messages[4]).toEqual({ role: 'tool', tool_call_id: 'call_2', content: 'src/a.ts' });
    expect(body.tools.map((tool) => tool.function.name)).toContain('Read');
    expect(server.requests[0]?.path).toBe('/v1/chat/completions');
  });

  it('retries a 529 and then succeeds', async () => {
    server = await startOpenAIServer([
      { content: [], error: { status: 529, type: 'overloaded', message: 'busy' } },
      turn([text('ok')]),
    ]);
    const response = await provider(server.url).complete(request());
    expect(response.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(server.requests).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
  });

  it('honours retry-after on 429', async () => {
    server = await startOpenAIServer([
      { content: [], error: { status: 429, type: 'rate_limit', message: 'slow', retry_after: 3 } },
      turn([text('ok')]),
    ]);
    await provider(server.url).complete(request());
    expect(sleeps).toEqual([3000]);
  });

  it('aborts mid-stream', async () => {
    server = await startOpenAIServer([
      turn([text('first'), text('never sent')], { fault: 'stall' }),
    ]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await provider(server.url)
      .complete(request({ signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CancelledError);
  });

  it('reports garbage in the stream as a clear error, and a 401 without retrying', async () => {
    server = await startOpenAIServer([
      turn([text('a'), text('b')], { fault: 'garbage' }),
      { content: [], error: { status: 401, type: 'auth', message: 'bad key' } },
    ]);
    const garbage = await provider(server.url)
      .complete(request())
      .catch((e: unknown) => e);
    expect(garbage).toBeInstanceOf(ModelOutputError);
    const denied = await provider(server.url)
      .complete(request())
      .catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ModelError);
    expect((denied as Error).message).toMatch(/401.*Check OPENAI_API_KEY/);
    expect(server.requests).toHaveLength(2);
  });

  it('answers invalid tool arguments with an is_error tool message', async () => {
    server = await startOpenAIServer([
      turn([toolUse('c1', 'Read', '{"file_path":')]),
      turn([text('sorry')]),
    ]);
    const result = await runAgent({ provider: provider(server.url), workdir: repo.dir, task: 't' });
    expect(result.stopReason).toBe('end_turn');
    const body = server.requests[1]?.body as { messages: Record<string, unknown>[] };
    expect(body.messages[2]).toMatchObject({ tool_calls: [{ function: { arguments: '{}' } }] });
    expect(body.messages[3]).toMatchObject({
      role: 'tool',
      tool_call_id: 'c1',
      content: expect.stringMatching(/^Error: .*not valid JSON/),
    });
  });

  it('maps tool_choice none and user text after tool results', () => {
    const body = toOpenAIBody(
      'm',
      request({
        toolChoice: 'none',
        tools: [{ name: 'Read', description: 'd', inputSchema: { type: 'object' } }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'task' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'Read', input: {} }] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'x', content: 'r' },
              { type: 'text', text: 'wrap up' },
            ],
          },
        ],
      }),
    );
    expect(body.tool_choice).toBe('none');
    const messages = body.messages as Record<string, unknown>[];
    expect(messages.slice(3)).toEqual([
      { role: 'tool', tool_call_id: 'x', content: 'r' },
      { role: 'user', content: 'wrap up' },
    ]);
  });

  it('sends max_tokens to third-party servers and max_completion_tokens to OpenAI', async () => {
    server = await startOpenAIServer([turn([text('ok')])]);
    await provider(server.url).complete(request({ maxOutputTokens: 123 }));
    expect(server.requests[0]?.body).toMatchObject({ max_tokens: 123 });
    expect(server.requests[0]?.body).not.toHaveProperty('max_completion_tokens');
    expect(toOpenAIBody('gpt-5', request({ maxOutputTokens: 9 }))).toMatchObject({
      max_completion_tokens: 9,
    });
  });
});
