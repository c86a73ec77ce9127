// A loopback server that speaks OpenAI chat completions (streamed), playing scripted turns in the
// Anthropic-shaped transcript format, so the OpenAI-compatible provider is tested over its real wire protocol.
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { estimateTokens, scriptedStopReason, type ScriptedTurn } from '../../../src/agent/index.js';

export interface OpenAIServer {
  /** Base URL including /v1, as the SDK wants it. */
  url: string;
  requests: { path: string; body: Record<string, unknown>; headers: Record<string, unknown> }[];
  stop(): Promise<void>;
}

const FINISH = {
  end_turn: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
  stop_sequence: 'stop',
  refusal: 'content_filter',
} as const;

export async function startOpenAIServer(
  turns: ScriptedTurn[],
  options: { cachedTokens?: number } = {},
): Promise<OpenAIServer> {
  const requests: OpenAIServer['requests'] = [];
  const sockets = new Set<Socket>();
  let next = 0;
  const server = createServer((request, response) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<
        string,
        unknown
      >;
      requests.push({ path: request.url ?? '', body, headers: request.headers });
      const turn = turns[next++];
      if (turn === undefined) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: { message: 'no scripted turn left', type: 'invalid_request_error' },
          }),
        );
        return;
      }
      if (turn.error !== undefined) {
        response.writeHead(turn.error.status, {
          'content-type': 'application/json',
          ...(turn.error.retry_after !== undefined
            ? { 'retry-after': String(turn.error.retry_after) }
            : {}),
        });
        response.end(
          JSON.stringify({ error: { message: turn.error.message, type: turn.error.type } }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const base = {
        id: `chatcmpl-${next}`,
        object: 'chat.completion.chunk',
        created: 1,
        model: body.model,
      };
      const send = (payload: unknown): void => {
        response.write(`data: ${JSON.stringify(payload)}\n\n`);
      };
      send({
        ...base,
        choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      });
      let callIndex = 0;
      for (const [position, block] of turn.content.entries()) {
        if (turn.fault === 'stall' && position === 1) return;
        if (turn.fault === 'garbage' && position === 1) {
          response.end('data: {garbage\n\n');
          return;
        }
        if (block.type === 'text') {
          for (let at = 0; at < block.text.length; at += 10)
            send({
              ...base,
              choices: [
                {
                  index: 0,
                  delta: { content: block.text.slice(at, at + 10) },
                  finish_reason: null,
                },
              ],
            });
        } else {
          const args = typeof block.input === 'string' ? block.input : JSON.stringify(block.input);
          const index = callIndex++;
          send({
            ...base,
            choices: [
              {
                index: 0,
                delta: {
                  tool_calls: [
                    {
                      index,
                      id: block.id,
                      type: 'function',
                      function: { name: block.name, arguments: '' },
                    },
                  ],
                },
                finish_reason: null,
              },
            ],
          });
          for (let at = 0; at < args.length; at += 10)
            send({
              ...base,
              choices: [
                {
                  index: 0,
                  delta: {
                    tool_calls: [{ index, function: { arguments: args.slice(at, at + 10) } }],
                  },
                  finish_reason: null,
                },
              ],
            });
        }
      }
      send({
        ...base,
        choices: [{ index: 0, delta: {}, finish_reason: FINISH[scriptedStopReason(turn)] }],
      });
      const prompt = turn.usage?.input_tokens ?? estimateTokens(JSON.stringify(body));
      send({
        ...base,
        choices: [],
        usage: {
          prompt_tokens: prompt,
          completion_tokens: turn.usage?.output_tokens ?? 10,
          total_tokens: prompt + (turn.usage?.output_tokens ?? 10),
          prompt_tokens_details: { cached_tokens: options.cachedTokens ?? 0 },
        },
      });
      response.end('data: [DONE]\n\n');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
