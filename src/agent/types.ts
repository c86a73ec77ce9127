// The normalized model conversation every provider speaks: Anthropic-shaped content blocks, usage and stop reasons.
// Providers translate to and from their wire formats; the loop, tools and transcript only ever see these types.
import { z } from 'zod';

export const TextBlock = z.object({ type: z.literal('text'), text: z.string() });
export type TextBlock = z.infer<typeof TextBlock>;

export const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});
export type ToolUseBlock = z.infer<typeof ToolUseBlock>;

export const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.string(),
  is_error: z.boolean().optional(),
});
export type ToolResultBlock = z.infer<typeof ToolResultBlock>;

export const AssistantBlock = z.discriminatedUnion('type', [TextBlock, ToolUseBlock]);
export type AssistantBlock = z.infer<typeof AssistantBlock>;

export const UserBlock = z.discriminatedUnion('type', [TextBlock, ToolResultBlock]);
export type UserBlock = z.infer<typeof UserBlock>;

export const Message = z.discriminatedUnion('role', [
  z.object({ role: z.literal('user'), content: z.array(UserBlock) }),
  z.object({ role: z.literal('assistant'), content: z.array(AssistantBlock) }),
]);
export type Message = z.infer<typeof Message>;
export type UserMessage = Extract<Message, { role: 'user' }>;
export type AssistantMessage = Extract<Message, { role: 'assistant' }>;

export const Usage = z.object({
  inputTokens: z.number().nonnegative(),
  outputTokens: z.number().nonnegative(),
  cacheReadTokens: z.number().nonnegative(),
  cacheWriteTokens: z.number().nonnegative(),
});
export type Usage = z.infer<typeof Usage>;

export const ZERO_USAGE: Usage = Object.freeze({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
});

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

export function totalTokens(usage: Usage): number {
  return usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

/** Why the model stopped this turn (normalized from each provider's vocabulary). */
export type ModelStopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'refusal';

/** A tool as the model sees it: a name, what it does, and a JSON Schema of its input. */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ModelRequest {
  /** The static system prompt; kept byte-identical across turns so prompt caching hits. */
  system: string;
  tools: readonly ToolDefinition[];
  messages: readonly Message[];
  /** `none` forbids tool calls (the wrap-up and summary turns) without changing the tools prefix. */
  toolChoice?: 'auto' | 'none';
  maxOutputTokens: number;
  signal?: AbortSignal;
}

export interface ModelResponse {
  content: AssistantBlock[];
  stopReason: ModelStopReason;
  usage: Usage;
  /** The model that answered, as the provider reports it. */
  model: string;
}

/** One model API. Implementations retry transient failures themselves and honour `signal`. */
export interface Provider {
  readonly name: string;
  readonly model: string;
  /** Tokens the model can take in one request; compaction keeps requests under a share of it. */
  readonly contextWindow: number;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

/** Set on a tool_use whose streamed input was not valid JSON; the loop answers it with an is_error result. */
export const INVALID_TOOL_INPUT = '__claw_invalid_tool_input__';

export interface InvalidToolInput {
  [INVALID_TOOL_INPUT]: string;
}

export function isInvalidToolInput(input: unknown): input is InvalidToolInput {
  return typeof input === 'object' && input !== null && INVALID_TOOL_INPUT in input;
}
