// A loopback HTTP server that speaks the Anthropic Messages API (JSON and SSE streaming with input_json_delta)
// and plays scripted turns in the DESIGN.md transcript format; used by tests, the end-to-end suite and the demo.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  estimateTokens,
  scriptedStopReason,
  ScriptedTranscript,
  type AssistantBlock,
  type ScriptedTurn,
} from '../agent/index.js';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, byte for byte (the cache benchmark compares consecutive bodies). */
  raw: string;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  /** The index of the scripted turn that answered it, or -1. */
  turn: number;
}

export interface AnthropicServerOptions {
  /** The turns to play, in order; a ScriptedTranscript object or its `turns`. */
  script: ScriptedTranscript | readonly ScriptedTurn[];
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** When set, requests must carry it (`x-api-key` or `Authorization: Bearer`), else they get a 401 like the real API. */
  apiKey?: string;
  /** Characters per streamed text or JSON delta (default 12), so clients see real incremental input. */
  chunkSize?: number;
  /** The model name reported in responses (default: the one requested). */
  model?: string;
  /**
   * How a request finds its turn. `sequential` (the default): the i-th request gets turn i. `by-history`: the turn
   * whose index is the number of assistant messages in the request, so an agent that restarts (a worker killed
   * mid-job) replays the script from its first turn.
   */
  pick?: TurnPick;
}

export type TurnPick = 'sequential' | 'by-history';

export interface AnthropicServer {
  /** The base URL to give the SDK as `baseURL`, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Turns not played yet (by-history: turns no conversation has reached). */
  remaining(): number;
  stop(): Promise<void>;
}

/** The number of assistant messages in a Messages API body: how many turns this conversation has had. */
function assistantTurnsIn(body: unknown): number {
  const messages = (body as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return 0;
  return messages.filter(
    (message: unknown) =>
      typeof message === 'object' &&
      message !== null &&
      (message as { role?: unknown }).role === 'assistant',
  ).length;
}

function chunks(text: string, size: number): string[] {
  if (text === '') return [''];
  const parts: string[] = [];
  for (let at = 0; at < text.length; at += size) parts.push(text.slice(at, at + size));
  return parts;
}

function usageOf(turn: ScriptedTurn, body: unknown): Record<string, number> {
  return {
    input_tokens: turn.usage?.input_tokens ?? estimateTokens(JSON.stringify(body ?? '')),
    output_tokens: turn.usage?.output_tokens ?? estimateTokens(turn.content),
    cache_read_input_tokens: turn.usage?.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: turn.usage?.cache_creation_input_tokens ?? 0,
  };
}

function messageId(index: number): string {
  return `msg_scripted_${String(index + 1).padStart(4, '0')}`;
}

function sendJson(
  response: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_${Date.now()}`,
    ...headers,
  });
  response.end(JSON.stringify(payload));
}

function sendError(
  response: ServerResponse,
  status: number,
  type: string,
  message: string,
  retryAfter?: number,
): void {
  sendJson(
    response,
    status,
    { type: 'error', error: { type, message } },
    retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {},
  );
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/** The SSE event sequence of one turn, as the real API sends it. */
function streamEvents(
  turn: ScriptedTurn,
  index: number,
  model: string,
  body: unknown,
  chunkSize: number,
): [string, unknown][] {
  const usage = usageOf(turn, body);
  const events: [string, unknown][] = [
    [
      'message_start',
      {
        type: 'message_start',
        message: {
          id: messageId(index),
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
    ],
    ['ping', { type: 'ping' }],
  ];
  turn.content.forEach((block: AssistantBlock, blockIndex) => {
    if (block.type === 'text') {
      events.push([
        'content_block_start',
        {
          type: 'content_block_start',
          index: blockIndex,
          content_block: { type: 'text', text: '' },
        },
      ]);
      for (const piece of chunks(block.text, chunkSize))
        events.push([
          'content_block_delta',
          {
            type: 'content_block_delta',
            index: blockIndex,
            delta: { type: 'text_delta', text: piece },
          },
        ]);
    } else {
      events.push([
        'content_block_start',
        {
          type: 'content_block_start',
          index: blockIndex,
          content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
        },
      ]);
      // A string input is sent verbatim: scripts use it to play a model that emits broken JSON.
      const json =
        typeof block.input === 'string' ? block.input : JSON.stringify(block.input ?? {});
      for (const piece of chunks(json, chunkSize))
        events.push([
          'content_block_delta',
          {
            type: 'content_block_delta',
            index: blockIndex,
            delta: { type: 'input_json_delta', partial_json: piece },
          },
        ]);
    }
    events.push(['content_block_stop', { type: 'content_block_stop', index: blockIndex }]);
  });
  events.push([
    'message_delta',
    {
      type: 'message_delta',
      delta: { stop_reason: scriptedStopReason(turn), stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    },
  ]);
  events.push(['message_stop', { type: 'message_stop' }]);
  return events;
}

async function streamTurn(
  response: ServerResponse,
  turn: ScriptedTurn,
  index: number,
  model: string,
  body: unknown,
  chunkSize: number,
): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const events = streamEvents(turn, index, model, body, chunkSize);
  // Faults strike after the first content event, i.e. mid-stream.
  const faultAt = Math.min(events.length - 2, 3);
  for (const [position, [name, data]] of events.entries()) {
    if (response.destroyed) return;
    if (position === faultAt && turn.fault !== undefined) {
      switch (turn.fault) {
        case 'stall':
          return; // Keep the connection open and send nothing more; the client must abort.
        case 'garbage':
          response.write(`event: content_block_delta\ndata: {this is not json\n\n`);
          response.end();
          return;
        case 'truncate':
          response.end();
          return;
        case 'overloaded':
          response.write(
            `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`,
          );
          response.end();
          return;
      }
    }
    response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
    await delay(turn.delay_ms ?? 0);
  }
  response.end();
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    request.on('data', (chunk: Buffer) => parts.push(chunk));
    request.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startAnthropicServer(
  options: AnthropicServerOptions,
): Promise<AnthropicServer> {
  const turns = 'turns' in options.script ? options.script.turns : options.script;
  const parsedTurns = ScriptedTranscript.parse({ turns }).turns;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const chunkSize = options.chunkSize ?? 12;
  const byHistory = options.pick === 'by-history';
  let next = 0;
  const played = new Set<number>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = await readBody(request);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      body = undefined;
    }
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const record: RecordedRequest = {
      method: request.method ?? 'GET',
      path,
      headers: request.headers,
      raw,
      body,
      turn: -1,
    };
    requests.push(record);
    if (request.method !== 'POST' || path.replace(/\/+$/, '') !== '/v1/messages') {
      sendError(
        response,
        404,
        'not_found_error',
        `No route for ${request.method ?? ''} ${path}; this server only serves POST /v1/messages.`,
      );
      return;
    }
    const presented =
      request.headers['x-api-key'] ?? request.headers.authorization?.replace(/^Bearer\s+/i, '');
    if (options.apiKey !== undefined && presented !== options.apiKey) {
      sendError(response, 401, 'authentication_error', 'invalid x-api-key');
      return;
    }
    if (body === undefined || typeof body !== 'object') {
      sendError(response, 400, 'invalid_request_error', 'The body must be a JSON object.');
      return;
    }
    const index = byHistory ? assistantTurnsIn(body) : next;
    const turn = parsedTurns[index];
    if (turn === undefined) {
      sendError(
        response,
        400,
        'invalid_request_error',
        byHistory
          ? `The script has ${parsedTurns.length} turns and a conversation with ${index} assistant messages asked for another.`
          : `The script has ${parsedTurns.length} turns and request ${index + 1} asked for another.`,
      );
      return;
    }
    next++;
    played.add(index);
    record.turn = index;
    if (turn.error !== undefined) {
      sendError(
        response,
        turn.error.status,
        turn.error.type,
        turn.error.message,
        turn.error.retry_after,
      );
      return;
    }
    const requested = (body as { model?: unknown; stream?: unknown }).model;
    const model = options.model ?? (typeof requested === 'string' ? requested : 'claude-scripted');
    if ((body as { stream?: unknown }).stream === true) {
      await streamTurn(response, turn, index, model, body, chunkSize);
      return;
    }
    sendJson(response, 200, {
      id: messageId(index),
      type: 'message',
      role: 'assistant',
      model,
      content: turn.content,
      stop_reason: scriptedStopReason(turn),
      stop_sequence: null,
      usage: usageOf(turn, body),
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent)
        sendError(
          response,
          500,
          'api_error',
          error instanceof Error ? error.message : String(error),
        );
      else response.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    requests,
    remaining: () => parsedTurns.length - (byHistory ? played.size : next),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
