// The OpenAI-compatible chat completions provider (OpenAI, vLLM, Ollama, OpenRouter, LiteLLM): normalized blocks
// mapped to messages with tool_calls and back, streamed, with cached-token usage and the same retry policy.
import OpenAI, {
  APIConnectionError as OpenAIConnectionError,
  APIError as OpenAIAPIError,
  APIUserAbortError as OpenAIUserAbortError,
} from 'openai';
import { CancelledError, ModelError, ModelOutputError, RateLimitError } from '../../lib/index.js';
import { priceFor, type PriceTable } from '../pricing.js';
import {
  INVALID_TOOL_INPUT,
  type AssistantBlock,
  type ModelRequest,
  type ModelResponse,
  type ModelStopReason,
  type Provider,
  type Usage,
} from '../types.js';
import { parseToolInput } from './anthropic.js';
import { isRetryableStatus, retryAfterMs, withRetry, type RetryOptions } from './retry.js';

export interface OpenAIProviderOptions {
  /** Local servers such as Ollama ignore it; the SDK still wants a value. */
  apiKey?: string;
  model: string;
  /** Must include `/v1`, e.g. http://127.0.0.1:11434/v1. */
  baseURL?: string;
  contextWindow?: number;
  prices?: PriceTable;
  retry?: RetryOptions;
  timeoutMs?: number;
  /**
   * Send `max_tokens` instead of `max_completion_tokens`. Defaults to true for any base URL that is not
   * OpenAI's, since older vLLM and Ollama servers only read `max_tokens`.
   */
  legacyMaxTokens?: boolean;
}

type ChatMessage = Record<string, unknown>;

/** The chat completions body for a normalized request; exported for tests. */
export function toOpenAIBody(
  model: string,
  request: ModelRequest,
  options: { legacyMaxTokens?: boolean } = {},
): Record<string, unknown> {
  const messages: ChatMessage[] = [{ role: 'system', content: request.system }];
  for (const message of request.messages) {
    if (message.role === 'assistant') {
      const text = message.content
        .flatMap((block) => (block.type === 'text' ? [block.text] : []))
        .join('\n');
      const calls = message.content.flatMap((block) =>
        block.type === 'tool_use'
          ? [
              {
                id: block.id,
                type: 'function',
                function: {
                  name: block.name,
                  arguments:
                    typeof block.input === 'object' &&
                    block.input !== null &&
                    !(INVALID_TOOL_INPUT in block.input)
                      ? JSON.stringify(block.input)
                      : '{}',
                },
              },
            ]
          : [],
      );
      messages.push({
        role: 'assistant',
        content: text === '' ? null : text,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      });
      continue;
    }
    // Tool results become `tool` messages, which must directly follow the assistant turn; text goes after them.
    const texts: string[] = [];
    for (const block of message.content) {
      if (block.type === 'tool_result')
        messages.push({
          role: 'tool',
          tool_call_id: block.tool_use_id,
          content: block.is_error === true ? `Error: ${block.content}` : block.content,
        });
      else texts.push(block.text);
    }
    if (texts.length > 0) messages.push({ role: 'user', content: texts.join('\n\n') });
  }
  const tools = request.tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
  }));
  return {
    model,
    messages,
    ...(tools.length > 0
      ? { tools, tool_choice: request.toolChoice === 'none' ? 'none' : 'auto' }
      : {}),
    // OpenAI's reasoning models reject max_tokens; some compatible servers only know it.
    ...(options.legacyMaxTokens === true
      ? { max_tokens: request.maxOutputTokens }
      : { max_completion_tokens: request.maxOutputTokens }),
    stream: true,
    stream_options: { include_usage: true },
  };
}

function mapFinishReason(reason: unknown, hasToolCalls: boolean): ModelStopReason {
  if (reason === 'tool_calls' || reason === 'function_call') return 'tool_use';
  if (reason === 'length') return 'max_tokens';
  if (reason === 'content_filter') return 'refusal';
  // Some servers (older vLLM, Ollama) answer tool calls with finish_reason "stop".
  return hasToolCalls ? 'tool_use' : 'end_turn';
}

function mapOpenAIError(error: unknown, signal?: AbortSignal): Error {
  if (signal?.aborted === true || error instanceof OpenAIUserAbortError)
    return new CancelledError('The model call was cancelled.', { cause: error });
  if (error instanceof OpenAIConnectionError)
    return new ModelError(
      `Could not reach the OpenAI-compatible API: ${error.message}`,
      undefined,
      {
        cause: error,
        retryable: true,
      },
    );
  if (error instanceof OpenAIAPIError) {
    const status = error.status;
    if (status === 429)
      return new RateLimitError(
        `The OpenAI-compatible API is rate limiting (429): ${error.message}`,
        retryAfterMs(error.headers),
        {
          cause: error,
        },
      );
    const hint =
      status === 401 || status === 403
        ? ' Check OPENAI_API_KEY.'
        : status === 404
          ? ' Check the model name and OPENAI_BASE_URL (it must include /v1).'
          : '';
    return new ModelError(
      `The OpenAI-compatible API failed (${status ?? 'stream error'}): ${error.message}.${hint}`,
      status,
      {
        cause: error,
        retryable: status === undefined || isRetryableStatus(status),
      },
    );
  }
  if (error instanceof SyntaxError)
    return new ModelOutputError(
      `The OpenAI-compatible API sent a chunk that is not valid JSON: ${error.message}`,
      { cause: error },
    );
  return error instanceof Error
    ? error
    : new ModelError(String(error), undefined, { retryable: false });
}

interface ChunkChoice {
  delta?: {
    content?: string | null;
    tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[];
  };
  finish_reason?: string | null;
}

interface Chunk {
  model?: string;
  choices?: ChunkChoice[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
  } | null;
}

/** Folds streamed chat completion chunks into one normalized response. */
export async function assembleOpenAIStream(
  chunks: AsyncIterable<unknown>,
  signal?: AbortSignal,
): Promise<ModelResponse> {
  let text = '';
  const calls = new Map<number, { id: string; name: string; args: string }>();
  let finish: string | null | undefined;
  let model = '';
  const usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  let sawChunk = false;
  for await (const raw of chunks) {
    const chunk = raw as Chunk;
    if (
      typeof chunk !== 'object' ||
      chunk === null ||
      (!Array.isArray(chunk.choices) && chunk.usage == null)
    )
      throw new ModelOutputError(
        'The OpenAI-compatible API streamed a chunk without choices or usage.',
      );
    sawChunk = true;
    model = chunk.model ?? model;
    for (const choice of chunk.choices ?? []) {
      text += choice.delta?.content ?? '';
      for (const call of choice.delta?.tool_calls ?? []) {
        const entry = calls.get(call.index) ?? { id: '', name: '', args: '' };
        if (call.id !== undefined && call.id !== '') entry.id = call.id;
        entry.name += call.function?.name ?? '';
        entry.args += call.function?.arguments ?? '';
        calls.set(call.index, entry);
      }
      if (choice.finish_reason != null) finish = choice.finish_reason;
    }
    if (chunk.usage != null) {
      const cached = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      usage.inputTokens = Math.max(0, (chunk.usage.prompt_tokens ?? 0) - cached);
      usage.cacheReadTokens = cached;
      usage.outputTokens = chunk.usage.completion_tokens ?? 0;
    }
  }
  if (signal?.aborted === true) throw new CancelledError('The model call was cancelled.');
  if (!sawChunk || finish === undefined)
    throw new ModelError(
      'The model stream ended before a finish_reason; the response is incomplete.',
      undefined,
      {
        retryable: true,
      },
    );
  const content: AssistantBlock[] = [];
  if (text !== '') content.push({ type: 'text', text });
  for (const [index, call] of [...calls.entries()].sort(([a], [b]) => a - b))
    content.push({
      type: 'tool_use',
      id: call.id === '' ? `call_${index}` : call.id,
      name: call.name,
      input: parseToolInput(call.args),
    });
  return { content, stopReason: mapFinishReason(finish, calls.size > 0), usage, model };
}

/** A base URL that is not OpenAI's own API (vLLM, Ollama, LiteLLM, …). */
function isThirdPartyServer(baseURL: string | undefined): boolean {
  if (baseURL === undefined) return false;
  try {
    return !new URL(baseURL).hostname.endsWith('openai.com');
  } catch {
    return true;
  }
}

export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  const client = new OpenAI({
    apiKey: options.apiKey ?? 'unused',
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs ?? 10 * 60_000,
    logLevel: 'off',
  });
  const legacyMaxTokens = options.legacyMaxTokens ?? isThirdPartyServer(options.baseURL);
  const contextWindow =
    options.contextWindow ?? priceFor(options.model, options.prices).contextWindow ?? 128_000;
  return {
    name: 'openai',
    model: options.model,
    contextWindow,
    complete: (request) =>
      withRetry(
        async () => {
          try {
            const body = toOpenAIBody(options.model, request, {
              legacyMaxTokens,
            }) as unknown as OpenAI.ChatCompletionCreateParamsStreaming;
            const stream = await client.chat.completions.create(
              body,
              request.signal !== undefined ? { signal: request.signal } : {},
            );
            return await assembleOpenAIStream(stream, request.signal);
          } catch (error) {
            throw mapOpenAIError(error, request.signal);
          }
        },
        request.signal,
        options.retry,
      ),
  };
}
