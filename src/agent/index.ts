// The agent: a vendor-agnostic, headless coding agent. It knows nothing about GitHub: give it a worktree,
// a task and a provider, and `runAgent` returns what happened.
export {
  runAgent,
  type AgentResult,
  type AgentStopReason,
  type AgentProgress,
  type RunAgentOptions,
  type SubagentType,
} from './run-agent.js';
export { Budget, DEFAULT_LIMITS, type BudgetLimits, type BudgetStop } from './budget.js';
export { DEFAULT_COMPACTION, type CompactionSettings } from './context.js';
export { loadInstructions, INSTRUCTION_FILES, type InstructionReader } from './instructions.js';
export {
  DEFAULT_PRICES,
  FALLBACK_PRICE,
  ModelPrice,
  PriceTable,
  costUsd,
  parsePriceOverrides,
  priceFor,
} from './pricing.js';
export { DEFAULT_SYSTEM_PROMPT } from './prompts/system-prompt.js';
export { readTranscript, TranscriptEntry, type Redact } from './transcript.js';
export { estimateTokens } from './token-estimate.js';
export { scrubEnv, looksLikeCredential, bubblewrapAvailable } from './sandbox.js';
export {
  createProvider,
  DEFAULT_MODELS,
  type ProviderSettings,
} from './providers/create-provider.js';
export {
  createAnthropicProvider,
  toAnthropicBody,
  type AnthropicProviderOptions,
} from './providers/anthropic.js';
export {
  createOpenAIProvider,
  toOpenAIBody,
  type OpenAIProviderOptions,
} from './providers/openai-compatible.js';
export {
  createScriptedProvider,
  loadScriptedTranscript,
  parseScriptedTranscript,
  scriptedStopReason,
  ScriptedTranscript,
  ScriptedTurn,
  type ScriptedProvider,
} from './providers/scripted.js';
export { withRetry, type RetryOptions } from './providers/retry.js';
export {
  ALL_TOOLS,
  TOOL_NAMES,
  READ_ONLY_TOOL_NAMES,
  formatTodos,
  hasProgram,
  resolveInWorktree,
  runGrep,
  createSessionState,
  defineTool,
  ToolFailure,
  type Tool,
  type ToolOutput,
  type GrepBackend,
  type SandboxOptions,
  type Todo,
  type ToolName,
  type ToolContext,
} from './tools/index.js';
export * from './types.js';
