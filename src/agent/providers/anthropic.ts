// The Anthropic Messages API provider: streamed responses assembled into normalized blocks, prompt-caching
// breakpoints on the system prompt, the tools and the newest message, usage with cache tokens, and retries.
import Anthropic, { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { CancelledError, ModelError, ModelOutputError, RateLimitError } from '../../lib/index.js';
import { priceFor, type PriceTable } from '../pricing.js';
import {
  INVALID_TOOL_INPUT,
  type AssistantBlock,
  type Message,
  type ModelRequest,
  type ModelResponse,
  type ModelStopReason,
  type Provider,
  type Usage,
} from '../types.js';
import { isRetryableStatus, retryAfterMs, withRetry, type RetryOptions } from './retry.js';

export interface AnthropicProviderOptions {
  apiKey: string;
  model: string;
  baseURL?: string;
  /** Overrides the context window the price table knows for the model. */
  contextWindow?: number;
  prices?: PriceTable;
  retry?: RetryOptions;
  /** Per-request timeout of the HTTP call, in ms. */
  timeoutMs?: number;
}

type WireBlock = Record<string, unknown>;
const EPHEMERAL = { type: 'ephemeral' } as const;

/** Builds the exact request body; exported so tests and the cache benchmark can check byte stability. */
export function toAnthropicBody(model: string, request: ModelRequest): Record<string, unknown> {
  const tools = request.tools.map((tool, index) => ({
    name: tool.name,
    description: tool.description,
    input_schema: tool.inputSchema,
    ...(index === request.tools.length - 1 ? { cache_control: EPHEMERAL } : {}),
  }));
  const messages = request.messages.map((message, index) => {
    const last = index === request.messages.length - 1;
    const content: WireBlock[] = message.content.map((block) => toWireBlock(block));
    if (last && content.length > 0) {
      content[content.length - 1] = { ...content[content.length - 1], cache_control: EPHEMERAL };
    }
    return { role: message.role, content };
  });
  return {
    model,
    max_tokens: request.maxOutputTokens,
    system: [{ type: 'text', text: request.system, cache_control: EPHEMERAL }],
    ...(tools.length > 0 ? { tools } : {}),
    ...(tools.length > 0 && request.toolChoice === 'none' ? { tool_choice: { type: 'none' } } : {}),
    messages,
  };
}

function toWireBlock(block: Message['content'][number]): WireBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      // A tool_use whose streamed input was broken is replayed with an empty object: the API only takes objects.
      return {
        type: 'tool_use',
        id: block.id,
        name: block.name,
        input:
          typeof block.input === 'object' &&
          block.input !== null &&
          !(INVALID_TOOL_INPUT in block.input)
            ? block.input
            : {},
      };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: block.tool_use_id,
        content: block.content,
        ...(block.is_error === true ? { is_error: true } : {}),
      };
  }
}

function mapStopReason(reason: unknown): ModelStopReason {
  switch (reason) {
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
    case 'refusal':
      return reason;
    case 'model_context_window_exceeded':
      return 'max_tokens';
    default:
      return 'end_turn';
  }
}

/** Turns SDK errors into Claw's: cancellations, retryable overloads and rate limits, and permanent failures. */
export function mapProviderError(error: unknown, provider: string, signal?: AbortSignal): Error {
  if (signal?.aborted === true || error instanceof APIUserAbortError)
    return new CancelledError('The model call was cancelled.', { cause: error });
  if (error instanceof APIConnectionError)
    return new ModelError(`Could not reach the ${provider} API: ${error.message}`, undefined, {
      cause: error,
      retryable: true,
    });
  if (error instanceof APIError) {
    const status = error.status;
    const type = error.type ?? '';
    const overloaded = status === 529 || type === 'overloaded_error' || type === 'api_error';
    const detail = error.apiMessage ?? error.message;
    if (
      status === 429 ||
      (status !== undefined &&
        isRetryableStatus(status) &&
        error.headers?.get('retry-after') != null)
    )
      return new RateLimitError(
        `The ${provider} API is rate limiting (${status}): ${detail}`,
        retryAfterMs(error.headers),
        { cause: error },
      );
    if (overloaded || isRetryableStatus(status))
      return new ModelError(
        `The ${provider} API is overloaded or failing (${status ?? type}): ${detail}`,
        status,
        {
          cause: error,
          retryable: true,
        },
      );
    const hint =
      status === 401 || status === 403
        ? ' Check ANTHROPIC_API_KEY.'
        : status === 404
          ? ' Check the model name.'
          : '';
    return new ModelError(
      `The ${provider} API refused the request (${status ?? type}): ${detail}.${hint}`,
      status,
      {
        cause: error,
        retryable: false,
      },
    );
  }
  if (error instanceof SyntaxError)
    return new ModelOutputError(
      `The ${provider} API sent a response that is not valid JSON: ${error.message}`,
      {
        cause: error,
      },
    );
  return error instanceof Error
    ? error
    : new ModelError(String(error), undefined, { retryable: false });
}

interface PartialBlock {
  type: 'text' | 'tool_use';
  text: string;
  id: string;
  name: string;
  json: string;
}

/** Assembles a stream of Messages API events into one normalized response; exported for the scripted tests. */
export async function assembleAnthropicStream(
  events: AsyncIterable<unknown>,
  signal?: AbortSignal,
): Promise<ModelResponse> {
  const blocks = new Map<number, PartialBlock>();
  const usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  let stopReason: ModelStopReason = 'end_turn';
  let model = '';
  let stopped = false;
  for await (const raw of events) {
    const event = raw as Record<string, unknown> & { type?: unknown };
    switch (event.type) {
      case 'message_start': {
        const message = (event.message ?? {}) as {
          model?: string;
          usage?: Record<string, number | null>;
        };
        model = message.model ?? '';
        readUsage(usage, message.usage);
        break;
      }
      case 'content_block_start': {
        const block = (event.content_block ?? {}) as {
          type?: string;
          text?: string;
          id?: string;
          name?: string;
        };
        const index = Number(event.index);
        if (block.type === 'text' || block.type === 'tool_use')
          blocks.set(index, {
            type: block.type,
            text: block.text ?? '',
            id: block.id ?? '',
            name: block.name ?? '',
            json: '',
          });
        break;
      }
      case 'content_block_delta': {
        const block = blocks.get(Number(event.index));
        const delta = (event.delta ?? {}) as {
          type?: string;
          text?: string;
          partial_json?: string;
        };
        if (block === undefined) break;
        if (delta.type === 'text_delta') block.text += delta.text ?? '';
        else if (delta.type === 'input_json_delta') block.json += delta.partial_json ?? '';
        break;
      }
      case 'message_delta': {
        const delta = (event.delta ?? {}) as { stop_reason?: unknown };
        stopReason = mapStopReason(delta.stop_reason);
        readUsage(usage, event.usage as Record<string, number | null> | undefined);
        break;
      }
      case 'message_stop':
        stopped = true;
        break;
      default:
        break;
    }
  }
  if (signal?.aborted === true) throw new CancelledError('The model call was cancelled.');
  if (!stopped)
    throw new ModelError(
      'The model stream ended before message_stop; the response is incomplete.',
      undefined,
      {
        retryable: true,
      },
    );
  const content: AssistantBlock[] = [...blocks.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, block]) => finishBlock(block));
  return { content, stopReason, usage, model };
}

function finishBlock(block: PartialBlock): AssistantBlock {
  if (block.type === 'text') return { type: 'text', text: block.text };
  return { type: 'tool_use', id: block.id, name: block.name, input: parseToolInput(block.json) };
}

/** Parses streamed tool input; broken JSON becomes a marker the loop answers with an is_error result. */
export function parseToolInput(json: string): unknown {
  if (json.trim() === '') return {};
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    return {
      [INVALID_TOOL_INPUT]: `the input was not valid JSON (${(error as Error).message}); received: ${json.slice(0, 200)}`,
    };
  }
}

function readUsage(usage: Usage, raw: Record<string, number | null> | undefined): void {
  if (raw === undefined) return;
  // message_delta repeats cumulative counts; taking the latest non-null value of each is correct for both events.
  if (typeof raw.input_tokens === 'number') usage.inputTokens = raw.input_tokens;
  if (typeof raw.output_tokens === 'number') usage.outputTokens = raw.output_tokens;
  if (typeof raw.cache_read_input_tokens === 'number')
    usage.cacheReadTokens = raw.cache_read_input_tokens;
  if (typeof raw.cache_creation_input_tokens === 'number')
    usage.cacheWriteTokens = raw.cache_creation_input_tokens;
}

export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  const client = new Anthropic({
    apiKey: options.apiKey,
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    // Retries are ours (one policy for every provider, honouring retry-after); the SDK must not double them.
    maxRetries: 0,
    timeout: options.timeoutMs ?? 10 * 60_000,
    logLevel: 'off',
  });
  const contextWindow =
    options.contextWindow ?? priceFor(options.model, options.prices).contextWindow ?? 200_000;
  return {
    name: 'anthropic',
    model: options.model,
    contextWindow,
    complete: (request) =>
      withRetry(
        async () => {
          try {
            const body = toAnthropicBody(
              options.model,
              request,
            ) as unknown as Anthropic.MessageCreateParamsStreaming;
            const stream = await client.messages.create(
              { ...body, stream: true },
              request.signal !== undefined ? { signal: request.signal } : {},
            );
            return await assembleAnthropicStream(stream, request.signal);
          } catch (error) {
            throw mapProviderError(error, 'Anthropic', request.signal);
          }
        },
        request.signal,
        options.retry,
      ),
  };
}
