import { startAnthropicServer, type AnthropicServer } from '../../src/dev/index.js';

interface SseData {
  delta?: { type?: string; partial_json?: string; stop_reason?: string };
}

let server: AnthropicServer;
afterEach(async () => {
  await server.stop();
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('startAnthropicServer', () => {
  it('answers non-streaming requests with a Messages API message and records them', async () => {
    server = await startAnthropicServer({
      script: {
        turns: [
          {
            content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'a' } }],
            usage: { input_tokens: 5, output_tokens: 2 },
          },
        ],
      },
    });
    const response = await post(server.url, { model: 'claude-x', messages: [], max_tokens: 10 });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      type: 'message',
      model: 'claude-x',
      stop_reason: 'tool_use',
      content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'a' } }],
      usage: { input_tokens: 5, output_tokens: 2 },
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/messages',
      turn: 0,
      body: { model: 'claude-x' },
    });
    expect(server.remaining()).toBe(0);
  });

  it('streams SSE with input_json_delta pieces that join into the tool input', async () => {
    server = await startAnthropicServer({
      script: [
        {
          content: [
            { type: 'text', text: 'Hi there' },
            { type: 'tool_use', id: 't1', name: 'Grep', input: { pattern: 'needle', path: 'src' } },
          ],
        },
      ],
      chunkSize: 4,
    });
    const response = await post(server.url, { model: 'm', stream: true, messages: [] });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text())
      .trim()
      .split('\n\n')
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        return {
          event: eventLine!.slice('event: '.length),
          data: JSON.parse(dataLine!.slice('data: '.length)) as SseData,
        };
      });
    expect(events.map((event) => event.event)).toEqual(
      expect.arrayContaining([
        'message_start',
        'content_block_start',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]),
    );
    const json = events
      .filter((event) => event.data.delta?.type === 'input_json_delta')
      .map((event) => event.data.delta?.partial_json ?? '');
    expect(json.length).toBeGreaterThan(3);
    expect(JSON.parse(json.join(''))).toEqual({ pattern: 'needle', path: 'src' });
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('plays scripted errors with retry-after, refuses a wrong key, and says when the script ran out', async () => {
    server = await startAnthropicServer({
      script: [
        {
          content: [],
          error: { status: 529, type: 'overloaded_error', message: 'Overloaded', retry_after: 1 },
        },
      ],
      apiKey: 'right',
    });
    const denied = await post(server.url, {}, { 'x-api-key': 'wrong' });
    expect(denied.status).toBe(401);
    const overloaded = await post(server.url, {}, { 'x-api-key': 'right' });
    expect(overloaded.status).toBe(529);
    expect(overloaded.headers.get('retry-after')).toBe('1');
    expect(await overloaded.json()).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const exhausted = await post(server.url, {}, { authorization: 'Bearer right' });
    expect(exhausted.status).toBe(400);
    expect(((await exhausted.json()) as { error: { message: string } }).error.message).toMatch(
      /script has 1 turns/,
    );
    const missing = await fetch(`${server.url}/v1/models`);
    expect(missing.status).toBe(404);
  });
  it('answers by conversation length with pick by-history, so a restarted agent replays from the first turn', async () => {
    const turn = (text: string) => ({
      content: [{ type: 'text' as const, text }],
      stop_reason: 'end_turn' as const,
    });
    server = await startAnthropicServer({
      script: [turn('first'), turn('second'), turn('third')],
      pick: 'by-history',
    });
    const user = { role: 'user', content: 'go' };
    const assistant = { role: 'assistant', content: [{ type: 'text', text: 'ok' }] };
    const textOf = async (messages: unknown[]) => {
      const response = await post(server.url, { model: 'm', max_tokens: 10, messages });
      return ((await response.json()) as { content: { text: string }[] }).content[0]?.text;
    };

    const first = await textOf([user]);
    const second = await textOf([user, assistant, user]);
    const restarted = await textOf([user]);
    const remainingBeforeThird = server.remaining();
    const third = await textOf([user, assistant, user, assistant, user]);
    const beyond = await post(server.url, {
      model: 'm',
      messages: [user, assistant, user, assistant, user, assistant, user],
    });

    expect([first, second, restarted, third]).toEqual(['first', 'second', 'first', 'third']);
    expect(server.requests.map((request) => request.turn)).toEqual([0, 1, 0, 2, -1]);
    expect(remainingBeforeThird).toBe(1);
    expect(server.remaining()).toBe(0);
    expect(beyond.status).toBe(400);
    expect(((await beyond.json()) as { error: { message: string } }).error.message).toMatch(
      /script has 3 turns and a conversation with 3 assistant messages/,
    );
  });

  it('keeps the sequential pick by default, whatever the conversation holds', async () => {
    server = await startAnthropicServer({
      script: [
        { content: [{ type: 'text', text: 'one' }] },
        { content: [{ type: 'text', text: 'two' }] },
      ],
    });
    const messages = [{ role: 'user', content: 'go' }];

    await post(server.url, { model: 'm', messages });
    await post(server.url, { model: 'm', messages });

    expect(server.requests.map((request) => request.turn)).toEqual([0, 1]);
    expect(server.remaining()).toBe(0);
  });
});
