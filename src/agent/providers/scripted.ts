// The `scripted:FILE` provider and the scripted transcript format of DESIGN.md: turn i answers the i-th call,
// whatever the request says. Tests, the demo and the loopback model servers share this format.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CancelledError, ModelError, RateLimitError, UsageError } from '../../lib/index.js';
import { estimateTokens } from '../token-estimate.js';
import { AssistantBlock, type ModelRequest, type ModelResponse, type Provider } from '../types.js';
import { withRetry, type RetryOptions } from './retry.js';

export const ScriptedUsage = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cache_read_input_tokens: z.number().int().nonnegative().optional(),
  cache_creation_input_tokens: z.number().int().nonnegative().optional(),
});
export type ScriptedUsage = z.infer<typeof ScriptedUsage>;

/** An HTTP failure to play instead of a response (the loopback servers send it; the provider throws it). */
export const ScriptedError = z.object({
  status: z.number().int().min(400).max(599),
  type: z.string().default('api_error'),
  message: z.string().default('scripted failure'),
  retry_after: z.number().nonnegative().optional(),
});
export type ScriptedError = z.infer<typeof ScriptedError>;

export const ScriptedTurn = z.object({
  content: z.array(AssistantBlock).default([]),
  stop_reason: z
    .enum(['end_turn', 'tool_use', 'max_tokens', 'stop_sequence', 'refusal'])
    .optional(),
  usage: ScriptedUsage.optional(),
  error: ScriptedError.optional(),
  /** Loopback servers only: how to misbehave while streaming this turn. */
  fault: z.enum(['stall', 'garbage', 'truncate', 'overloaded']).optional(),
  /** Loopback servers only: pause between streamed events, in ms. */
  delay_ms: z.number().int().nonnegative().optional(),
});
export type ScriptedTurn = z.infer<typeof ScriptedTurn>;

export const ScriptedTranscript = z.object({ turns: z.array(ScriptedTurn).min(1) });
export type ScriptedTranscript = z.infer<typeof ScriptedTranscript>;

/** Parses a scripted transcript, naming the first bad field. */
export function parseScriptedTranscript(
  text: string,
  source = 'scripted transcript',
): ScriptedTranscript {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const parsed = ScriptedTranscript.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${source}: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? 'is invalid'}`,
    );
  }
  return parsed.data;
}

export function loadScriptedTranscript(file: string): ScriptedTranscript {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `Cannot read the scripted transcript ${file}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parseScriptedTranscript(text, file);
}

/** The stop reason a scripted turn implies when it does not say. */
export function scriptedStopReason(turn: ScriptedTurn): NonNullable<ScriptedTurn['stop_reason']> {
  return (
    turn.stop_reason ??
    (turn.content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn')
  );
}

export interface ScriptedProviderOptions {
  model?: string;
  contextWindow?: number;
  retry?: RetryOptions;
  /** Sees every request, e.g. for the cache and compaction benchmarks. */
  onRequest?: (request: ModelRequest, index: number) => void;
}

export interface ScriptedProvider extends Provider {
  /** How many turns were played. */
  readonly calls: number;
}

export function createScriptedProvider(
  transcript: ScriptedTranscript,
  options: ScriptedProviderOptions = {},
): ScriptedProvider {
  let next = 0;
  const provider = {
    name: 'scripted',
    model: options.model ?? 'scripted',
    contextWindow: options.contextWindow ?? 200_000,
    get calls() {
      return next;
    },
    complete: (request: ModelRequest) =>
      withRetry(
        async (): Promise<ModelResponse> => {
          if (request.signal?.aborted === true)
            throw new CancelledError('The model call was cancelled.');
          const index = next++;
          options.onRequest?.(request, index);
          const turn = transcript.turns[index];
          if (turn === undefined)
            throw new ModelError(
              `The scripted transcript has ${transcript.turns.length} turns and the agent asked for turn ${index + 1}.`,
              undefined,
              { retryable: false },
            );
          if (turn.error !== undefined) {
            const message = `scripted ${turn.error.status} ${turn.error.type}: ${turn.error.message}`;
            if (turn.error.status === 429 || turn.error.retry_after !== undefined)
              throw new RateLimitError(message, (turn.error.retry_after ?? 0) * 1000);
            throw new ModelError(message, turn.error.status, {
              retryable: turn.error.status >= 500 || turn.error.type === 'overloaded_error',
            });
          }
          const usage = turn.usage;
          return {
            content: structuredClone(turn.content),
            stopReason: scriptedStopReason(turn),
            model: provider.model,
            usage: {
              inputTokens: usage?.input_tokens ?? estimateTokens(request),
              outputTokens: usage?.output_tokens ?? estimateTokens(turn.content),
              cacheReadTokens: usage?.cache_read_input_tokens ?? 0,
              cacheWriteTokens: usage?.cache_creation_input_tokens ?? 0,
            },
          };
        },
        request.signal,
        options.retry,
      ),
  };
  return provider;
}
