// The agent loop: model turn → tool calls → results, until the model ends its turn or a stop fires
// (budgets, loop guard, abort). It owns compaction, the wrap-up turn, Task children, transcript and resume.
import { realpathSync } from 'node:fs';
import { CancelledError, describeError, type Logger } from '../lib/index.js';
import { Budget, DEFAULT_LIMITS, type BudgetLimits, type BudgetStop } from './budget.js';
import {
  DEFAULT_COMPACTION,
  stubOldToolResults,
  summaryMessage,
  summaryRequestMessages,
  summarySplit,
  type CompactionSettings,
} from './context.js';
import { loadInstructions, type InstructionReader } from './instructions.js';
import { costUsd, priceFor, type PriceTable } from './pricing.js';
import { buildSystemPrompt, DEFAULT_SYSTEM_PROMPT } from './prompts/system-prompt.js';
import { estimateTokens } from './token-estimate.js';
import {
  ALL_TOOLS,
  createSessionState,
  READ_ONLY_TOOL_NAMES,
  selectTools,
  toolDefinition,
  ToolFailure,
  type SandboxOptions,
  type SessionState,
  type SubagentRequest,
  type SubagentResult,
  type Todo,
  type Tool,
  type ToolContext,
  type ToolName,
} from './tools/index.js';
import {
  createTranscriptWriter,
  readTranscript,
  type Redact,
  type TranscriptWriter,
} from './transcript.js';
import {
  addUsage,
  isInvalidToolInput,
  INVALID_TOOL_INPUT,
  ZERO_USAGE,
  type AssistantMessage,
  type Message,
  type ModelRequest,
  type ModelResponse,
  type Provider,
  type ToolDefinition,
  type ToolResultBlock,
  type ToolUseBlock,
  type Usage,
} from './types.js';
import { changedFiles, dirtyFiles } from './files-changed.js';

export type AgentStopReason = 'end_turn' | BudgetStop | 'loop_guard' | 'refusal' | 'aborted';

export type AgentProgress =
  | { type: 'turn'; agent: string; turn: number; wrapUp: boolean }
  | { type: 'text'; agent: string; text: string }
  | { type: 'tool_call'; agent: string; id: string; name: string; input: unknown }
  | {
      type: 'tool_result';
      agent: string;
      id: string;
      name: string;
      isError: boolean;
      durationMs: number;
    }
  | { type: 'todos'; todos: readonly Todo[] }
  | {
      type: 'compaction';
      agent: string;
      stage: 'stub' | 'summary';
      beforeTokens: number;
      afterTokens: number;
    }
  | { type: 'usage'; usage: Usage; costUsd: number };

export interface SubagentType {
  description: string;
  tools: readonly ToolName[];
  /** Replaces the default sub-agent prompt. */
  systemPrompt?: string;
}

export interface RunAgentOptions {
  provider: Provider;
  /** The worktree the agent works in; every tool is confined to it. */
  workdir: string;
  /** The user's request, the first message. Ignored when resuming a transcript that has one. */
  task: string;
  /** Replaces the default role prompt; the environment and the repository instructions are still appended. */
  systemPrompt?: string;
  /** Tools offered to the model (all by default). */
  tools?: readonly ToolName[];
  /**
   * The caller's own tools for the main agent, after the built-in ones (e.g. the review flow's SubmitReview).
   * A tool that sets `context.session.finished` ends the run once its turn's results are recorded.
   */
  extraTools?: readonly Tool[];
  limits?: Partial<BudgetLimits>;
  /** Turns each Task child may take (default 25); tokens, USD and time come from the parent's pool. */
  subagentMaxTurns?: number;
  /** Task children running at once (default 3). */
  maxParallelSubagents?: number;
  /** Read-only tool calls of one turn running at once (default 8). */
  maxParallelTools?: number;
  subagentTypes?: Readonly<Record<string, SubagentType>>;
  maxOutputTokens?: number;
  compaction?: Partial<CompactionSettings>;
  /** Overrides the provider's context window, e.g. to test compaction. */
  contextWindow?: number;
  prices?: PriceTable;
  instructionsMaxChars?: number;
  /**
   * Where AGENTS.md, CLAUDE.md and .github/claw.md come from; the worktree by default. A review of someone else's
   * change reads them from the base branch, so the change cannot rewrite the rules it is reviewed by.
   */
  readInstructions?: InstructionReader;
  sandbox?: SandboxOptions;
  /** Appends JSONL here; with `resume`, continues the run it holds. */
  transcriptPath?: string;
  resume?: boolean;
  /** Applied to every string written to the transcript (the undercover filter). */
  redact?: Redact;
  signal?: AbortSignal;
  progress?: (event: AgentProgress) => void;
  logger?: Logger;
  clock?: () => number;
}

export interface AgentResult {
  stopReason: AgentStopReason;
  turns: number;
  toolCalls: number;
  usage: Usage;
  costUsd: number;
  filesChanged: string[];
  finalText: string;
  todos: Todo[];
  durationMs: number;
  model: string;
  /** Set when the run continued a transcript. */
  resumed: boolean;
}

const LOOP_GUARD_REPEATS = 3;
const DEFAULT_SUBAGENT_TYPES: Readonly<Record<string, SubagentType>> = {
  'general-purpose': {
    description: 'Researches a question in the repository with read-only tools and reports back.',
    tools: READ_ONLY_TOOL_NAMES,
  },
};

const SUBAGENT_PROMPT = `You are a research sub-agent of Claw working in a checkout of a git repository. Another agent gave you the task below. Use your tools to investigate it thoroughly, then reply (without calling tools) with a concise, self-contained report: the facts found, with file paths and line numbers, and direct answers to what was asked. You cannot change files.`;

const WRAP_UP_TEXT =
  '[This is your last turn: the run has reached its budget. Do not call tools. Reply with a summary of what you changed, what you verified, and what remains unfinished.]';

/** Everything one loop (the main agent or a Task child) needs. */
interface LoopConfig {
  agent: string;
  /** Sub-agent kinds, to tell whether a Task call may mutate (then it runs alone). */
  subagentTypes?: Readonly<Record<string, SubagentType>>;
  provider: Provider;
  system: string;
  tools: Tool[];
  definitions: ToolDefinition[];
  maxTurns: number;
  budget: Budget;
  session: SessionState;
  toolContext: ToolContext;
  transcript: TranscriptWriter;
  compaction: CompactionSettings;
  contextWindow: number;
  maxOutputTokens: number;
  maxParallelTools: number;
  prices: PriceTable;
  task: string;
  signal: AbortSignal;
  emit: (event: AgentProgress) => void;
  logger?: Logger | undefined;
}

interface LoopState {
  messages: Message[];
  turns: number;
  toolCalls: number;
  usage: Usage;
  costUsd: number;
  finalText: string;
  /** Calibrates the chars/4 estimate against the provider's real count of the previous request. */
  tokenRatio: number;
}

interface LoopOutcome {
  stopReason: AgentStopReason;
}

function stableKey(call: ToolUseBlock): string {
  const sort = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sort);
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(
        Object.keys(value)
          .sort()
          .map((key) => [key, sort((value as Record<string, unknown>)[key])]),
      );
    return value;
  };
  return `${call.name}\0${JSON.stringify(sort(call.input))}`;
}

function textOf(message: AssistantMessage): string {
  return message.content
    .flatMap((block) => (block.type === 'text' ? [block.text] : []))
    .join('\n')
    .trim();
}

function inputProblem(tool: Tool, input: unknown): string | undefined {
  if (isInvalidToolInput(input))
    return `Your call to ${tool.name} could not be run: ${input[INVALID_TOOL_INPUT]}. Send the input again as a JSON object.`;
  const parsed = tool.input.safeParse(input);
  if (parsed.success) return undefined;
  const problems = parsed.error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'input';
    if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.join(', ')}`;
    return `${where}: ${issue.message}`;
  });
  return `Invalid input for ${tool.name}: ${problems.join('; ')}. Fix the input and call it again.`;
}

async function runTool(call: ToolUseBlock, config: LoopConfig): Promise<ToolResultBlock> {
  const started = Date.now();
  const tool = config.tools.find((candidate) => candidate.name === call.name);
  let result: ToolResultBlock;
  if (tool === undefined) {
    result = {
      type: 'tool_result',
      tool_use_id: call.id,
      content: `There is no tool named "${call.name}". Available tools: ${config.tools.map((t) => t.name).join(', ')}.`,
      is_error: true,
    };
  } else {
    const problem = inputProblem(tool, call.input);
    if (problem !== undefined)
      result = { type: 'tool_result', tool_use_id: call.id, content: problem, is_error: true };
    else {
      try {
        const output = await tool.run(tool.input.parse(call.input), config.toolContext);
        const content = typeof output === 'string' ? output : output.content;
        const isError = typeof output === 'string' ? false : output.isError === true;
        result = {
          type: 'tool_result',
          tool_use_id: call.id,
          content,
          ...(isError ? { is_error: true } : {}),
        };
      } catch (error) {
        // Expected failures carry their own advice; anything else is still data for the model, not a crash.
        const message =
          error instanceof ToolFailure ||
          (error as { code?: unknown }).code === 'PATH_OUTSIDE_WORKTREE'
            ? describeError(error)
            : `${call.name} failed: ${describeError(error)}`;
        if (!(error instanceof ToolFailure))
          config.logger?.debug({ err: error, tool: call.name }, 'tool failed');
        result = { type: 'tool_result', tool_use_id: call.id, content: message, is_error: true };
      }
    }
  }
  config.emit({
    type: 'tool_result',
    agent: config.agent,
    id: call.id,
    name: call.name,
    isError: result.is_error === true,
    durationMs: Date.now() - started,
  });
  return result;
}

async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let index = next++; index < items.length; index = next++)
      results[index] = await fn(items[index] as T);
  });
  await Promise.all(workers);
  return results;
}

/** Whether a call may run alongside others: read-only tools, and Task children whose tools are all read-only. */
function isReadOnlyCall(call: ToolUseBlock, config: LoopConfig): boolean {
  const tool = config.tools.find((candidate) => candidate.name === call.name);
  // Unknown tools and broken input only produce an error result, which is safe to run in parallel.
  if (tool === undefined) return true;
  if (tool.name !== 'Task' || config.subagentTypes === undefined) return tool.readOnly;
  const requested = (call.input as { subagent_type?: unknown } | null)?.subagent_type;
  const type = config.subagentTypes[typeof requested === 'string' ? requested : 'general-purpose'];
  return type === undefined || type.tools.every((name) => READ_ONLY_TOOL_NAMES.includes(name));
}

/** Runs a turn's calls: consecutive read-only calls together, mutating ones alone and in order. */
async function executeCalls(
  calls: readonly ToolUseBlock[],
  config: LoopConfig,
): Promise<ToolResultBlock[]> {
  const results: ToolResultBlock[] = [];
  let index = 0;
  while (index < calls.length) {
    const call = calls[index] as ToolUseBlock;
    if (!isReadOnlyCall(call, config)) {
      results.push(await runTool(call, config));
      index++;
      continue;
    }
    const batch: ToolUseBlock[] = [];
    while (index < calls.length) {
      const next = calls[index] as ToolUseBlock;
      if (!isReadOnlyCall(next, config)) break;
      batch.push(next);
      index++;
    }
    results.push(
      ...(await mapBounded(batch, config.maxParallelTools, (item) => runTool(item, config))),
    );
  }
  return results;
}

function pushMessage(state: LoopState, config: LoopConfig, message: Message): void {
  state.messages.push(message);
  config.transcript.append({ kind: 'message', agent: config.agent, message });
}

function requestFor(
  config: LoopConfig,
  messages: Message[],
  toolChoice: 'auto' | 'none',
): ModelRequest {
  return {
    system: config.system,
    tools: config.definitions,
    messages,
    toolChoice,
    maxOutputTokens: config.maxOutputTokens,
    signal: config.signal,
  };
}

async function callModel(
  config: LoopConfig,
  state: LoopState,
  request: ModelRequest,
  purpose: 'turn' | 'wrap_up' | 'summary',
): Promise<ModelResponse> {
  const estimated = estimateTokens(request);
  config.transcript.append({
    kind: 'request',
    agent: config.agent,
    turn: state.turns + 1,
    messageCount: request.messages.length,
    toolChoice: request.toolChoice ?? 'auto',
    estimatedTokens: estimated,
    purpose,
  });
  const started = config.budget.now();
  const response = await config.provider.complete(request);
  const durationMs = config.budget.now() - started;
  const cost = costUsd(
    response.usage,
    priceFor(response.model || config.provider.model, config.prices),
  );
  config.budget.charge(response.usage, cost, durationMs);
  state.usage = addUsage(state.usage, response.usage);
  state.costUsd += cost;
  const actualInput =
    response.usage.inputTokens + response.usage.cacheReadTokens + response.usage.cacheWriteTokens;
  if (actualInput > 0 && estimated > 0)
    state.tokenRatio = Math.min(3, Math.max(0.5, actualInput / estimated));
  config.transcript.append({
    kind: 'response',
    agent: config.agent,
    turn: state.turns + 1,
    purpose,
    model: response.model || config.provider.model,
    stopReason: response.stopReason,
    usage: response.usage,
    costUsd: cost,
    durationMs,
    toolCalls: response.content.filter((block) => block.type === 'tool_use').length,
  });
  config.emit({ type: 'usage', usage: response.usage, costUsd: cost });
  return response;
}

function requestTokens(config: LoopConfig, state: LoopState, messages: Message[]): number {
  return Math.ceil(estimateTokens(requestFor(config, messages, 'auto')) * state.tokenRatio);
}

/** Brings the history under the compaction threshold: stubs first, then a summary of older turns. */
async function compactIfNeeded(config: LoopConfig, state: LoopState): Promise<void> {
  await compactHistory(config, state);
  // Last resort, when a few huge recent results alone overflow: stub those too, newest turn last.
  for (const keep of [1, 0]) {
    if (requestTokens(config, state, state.messages) <= 0.95 * config.contextWindow) return;
    const stubbed = stubOldToolResults(state.messages, keep);
    if (stubbed.stubbed === 0) continue;
    state.messages = stubbed.messages;
    config.transcript.append({
      kind: 'compaction',
      agent: config.agent,
      stage: 'stub',
      messages: state.messages,
    });
  }
}

async function compactHistory(config: LoopConfig, state: LoopState): Promise<void> {
  const limit = config.compaction.threshold * config.contextWindow;
  const before = requestTokens(config, state, state.messages);
  if (before <= limit) return;
  const stubbed = stubOldToolResults(state.messages, config.compaction.keepRecentTurns);
  if (stubbed.stubbed > 0) {
    state.messages = stubbed.messages;
    config.transcript.append({
      kind: 'compaction',
      agent: config.agent,
      stage: 'stub',
      messages: state.messages,
    });
    const after = requestTokens(config, state, state.messages);
    config.emit({
      type: 'compaction',
      agent: config.agent,
      stage: 'stub',
      beforeTokens: before,
      afterTokens: after,
    });
    if (after <= limit) return;
  }
  const keepTokens = config.compaction.keepShare * config.contextWindow;
  const split = summarySplit(state.messages, keepTokens, (value) =>
    Math.ceil(estimateTokens(value) * state.tokenRatio),
  );
  if (split === undefined) return;
  let toSummarize = state.messages.slice(0, split);
  // The summary request itself must fit: stub everything in it if needed.
  if (requestTokens(config, state, toSummarize) > 0.9 * config.contextWindow)
    toSummarize = stubOldToolResults(toSummarize, 0).messages;
  const response = await callModel(
    config,
    state,
    requestFor(config, summaryRequestMessages(toSummarize), 'none'),
    'summary',
  );
  const summary = textOf({ role: 'assistant', content: response.content });
  const head = summaryMessage(
    config.task,
    summary === '' ? '(the model returned no summary)' : summary,
    config.session.todos,
  );
  state.messages = [head, ...state.messages.slice(split)];
  config.transcript.append({
    kind: 'compaction',
    agent: config.agent,
    stage: 'summary',
    messages: state.messages,
  });
  config.emit({
    type: 'compaction',
    agent: config.agent,
    stage: 'summary',
    beforeTokens: before,
    afterTokens: requestTokens(config, state, state.messages),
  });
}

function withUserText(messages: Message[], text: string): Message[] {
  const copy = [...messages];
  const last = copy[copy.length - 1];
  if (last?.role === 'user')
    copy[copy.length - 1] = { role: 'user', content: [...last.content, { type: 'text', text }] };
  else copy.push({ role: 'user', content: [{ type: 'text', text }] });
  return copy;
}

async function loop(config: LoopConfig, state: LoopState): Promise<LoopOutcome> {
  let lastKey: string | undefined;
  let repeats = 0;
  for (;;) {
    if (config.signal.aborted) return { stopReason: 'aborted' };
    const exhausted = config.budget.exhausted();
    if (exhausted !== undefined) return { stopReason: exhausted };
    const turn = state.turns + 1;
    const lastReason = config.budget.lastTurnReason(turn, config.maxTurns);
    await compactIfNeeded(config, state);
    const wrapUp = lastReason !== undefined;
    config.emit({ type: 'turn', agent: config.agent, turn, wrapUp });
    const messages = wrapUp ? withUserText(state.messages, WRAP_UP_TEXT) : state.messages;
    const response = await callModel(
      config,
      state,
      requestFor(config, messages, wrapUp ? 'none' : 'auto'),
      wrapUp ? 'wrap_up' : 'turn',
    );
    state.turns = turn;
    if (wrapUp) state.messages = messages;
    const assistant: AssistantMessage = { role: 'assistant', content: response.content };
    pushMessage(state, config, assistant);
    const text = textOf(assistant);
    if (text !== '') {
      state.finalText = text;
      config.emit({ type: 'text', agent: config.agent, text });
    }
    const calls = response.content.filter(
      (block): block is ToolUseBlock => block.type === 'tool_use',
    );
    if (wrapUp) {
      if (calls.length > 0)
        pushMessage(state, config, {
          role: 'user',
          content: calls.map((call) => ({
            type: 'tool_result',
            tool_use_id: call.id,
            content: 'Not run: the budget is used up.',
            is_error: true,
          })),
        });
      return { stopReason: lastReason };
    }
    if (calls.length === 0) {
      if (response.stopReason === 'refusal') return { stopReason: 'refusal' };
      if (response.stopReason === 'max_tokens') {
        pushMessage(state, config, {
          role: 'user',
          content: [
            {
              type: 'text',
              text: '[Your reply was cut off at the output limit. Continue exactly where you stopped.]',
            },
          ],
        });
        continue;
      }
      return { stopReason: 'end_turn' };
    }
    // Loop guard: the same call with the same input three times in a row is not run again.
    const allowed: ToolUseBlock[] = [];
    let guarded = false;
    for (const call of calls) {
      const key = stableKey(call);
      repeats = key === lastKey ? repeats + 1 : 1;
      lastKey = key;
      if (repeats >= LOOP_GUARD_REPEATS) {
        guarded = true;
        break;
      }
      allowed.push(call);
    }
    for (const call of allowed)
      config.emit({
        type: 'tool_call',
        agent: config.agent,
        id: call.id,
        name: call.name,
        input: call.input,
      });
    const results = await executeCalls(allowed, config);
    state.toolCalls += allowed.length;
    const notRun = calls.slice(allowed.length).map((call): ToolResultBlock => ({
      type: 'tool_result',
      tool_use_id: call.id,
      content: `Not run: ${call.name} was called with the same input ${LOOP_GUARD_REPEATS} times in a row, so the run was stopped.`,
      is_error: true,
    }));
    pushMessage(state, config, { role: 'user', content: [...results, ...notRun] });
    if (guarded) return { stopReason: 'loop_guard' };
    if (config.signal.aborted) return { stopReason: 'aborted' };
    if (config.session.finished) return { stopReason: 'end_turn' };
  }
}

function newState(): LoopState {
  return {
    messages: [],
    turns: 0,
    toolCalls: 0,
    usage: { ...ZERO_USAGE },
    costUsd: 0,
    finalText: '',
    tokenRatio: 1,
  };
}

interface Restored {
  state: LoopState;
  task: string;
  todos: Todo[];
  elapsedMs: number;
  budgetUsage: Usage;
  budgetCost: number;
  lastPurpose: 'turn' | 'wrap_up' | 'summary' | undefined;
  ended?: Record<string, unknown>;
}

/** Rebuilds the main loop's state from a transcript: history (compactions applied), counters and todos. */
function restore(file: string): Restored | undefined {
  const entries = readTranscript(file);
  const start = entries.find((entry) => entry.kind === 'start');
  if (start === undefined) return undefined;
  const state = newState();
  let todos: Todo[] = [];
  let budgetUsage: Usage = { ...ZERO_USAGE };
  let budgetCost = 0;
  let elapsedMs = 0;
  let ended: Record<string, unknown> | undefined;
  let lastPurpose: Restored['lastPurpose'];
  for (const entry of entries) {
    switch (entry.kind) {
      case 'message':
        if (entry.agent === 'main') state.messages.push(entry.message);
        break;
      case 'compaction':
        if (entry.agent === 'main') state.messages = entry.messages;
        break;
      case 'request':
        // The wrap-up instruction is appended to the last message of that request only; replay it.
        if (entry.agent === 'main' && entry.purpose === 'wrap_up')
          state.messages = withUserText(state.messages, WRAP_UP_TEXT);
        break;
      case 'response':
        budgetUsage = addUsage(budgetUsage, entry.usage);
        budgetCost += entry.costUsd;
        elapsedMs += entry.durationMs;
        state.usage = addUsage(state.usage, entry.usage);
        state.costUsd += entry.costUsd;
        if (entry.agent === 'main' && entry.purpose !== 'summary') state.turns = entry.turn;
        if (entry.agent === 'main') state.toolCalls += entry.toolCalls;
        if (entry.agent === 'main') lastPurpose = entry.purpose;
        break;
      case 'todos':
        todos = entry.todos;
        break;
      case 'end':
        ended = entry.result;
        break;
      default:
        break;
    }
  }
  const last = state.messages[state.messages.length - 1];
  if (last?.role === 'assistant') {
    const pending = last.content.filter(
      (block): block is ToolUseBlock => block.type === 'tool_use',
    );
    state.finalText = textOf(last);
    if (pending.length > 0)
      state.messages.push({
        role: 'user',
        content: pending.map((call) => ({
          type: 'tool_result',
          tool_use_id: call.id,
          content:
            'This call was interrupted by a restart and its effect is unknown. Check the state and repeat it if needed.',
          is_error: true,
        })),
      });
  }
  return {
    state,
    task: start.task,
    todos,
    elapsedMs,
    budgetUsage,
    budgetCost,
    lastPurpose,
    ...(ended !== undefined ? { ended } : {}),
  };
}

/**
 * A restored run whose last message is the model's final answer had already ended (the crash hit before the
 * end line): it must not call the model again with a history that ends on an assistant turn.
 */
function finishedBeforeCrash(
  state: LoopState,
  restored: Restored,
  budget: Budget,
  maxTurns: number,
): AgentStopReason | undefined {
  const last = state.messages[state.messages.length - 1];
  if (last?.role !== 'assistant' || last.content.some((block) => block.type === 'tool_use'))
    return undefined;
  if (restored.lastPurpose === 'wrap_up')
    return budget.exhausted() ?? budget.lastTurnReason(state.turns, maxTurns) ?? 'max_turns';
  return 'end_turn';
}

function safeEmitter(
  progress: RunAgentOptions['progress'],
  logger: Logger | undefined,
): (event: AgentProgress) => void {
  return (event) => {
    if (progress === undefined) return;
    try {
      progress(event);
    } catch (error) {
      logger?.warn({ err: error }, 'the progress callback threw; the run goes on');
    }
  };
}

/** Runs the agent on `workdir` until it is done or a stop fires, and reports what happened. */
export async function runAgent(options: RunAgentOptions): Promise<AgentResult> {
  const clock = options.clock ?? Date.now;
  const startedAt = clock();
  const worktree = realpathSync(options.workdir);
  const limits: BudgetLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const emit = safeEmitter(options.progress, options.logger);
  const restored =
    options.resume === true && options.transcriptPath !== undefined
      ? restore(options.transcriptPath)
      : undefined;
  if (restored?.ended !== undefined) return restored.ended as unknown as AgentResult;
  const transcript = createTranscriptWriter(options.transcriptPath, options.redact);
  const task = restored?.task ?? options.task;
  const baseline = await dirtyFiles(worktree);
  const instructions = await loadInstructions(
    worktree,
    options.instructionsMaxChars,
    options.readInstructions,
  );
  const system = buildSystemPrompt({
    base: options.systemPrompt ?? DEFAULT_SYSTEM_PROMPT,
    worktree,
    instructions: instructions.text,
  });
  const budget = new Budget(limits, clock, {
    ...(restored !== undefined ? { usage: restored.budgetUsage } : {}),
    costUsd: restored?.budgetCost ?? 0,
    elapsedMs: restored?.elapsedMs ?? 0,
  });
  const internal = new AbortController();
  const onAbort = (): void => internal.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) internal.abort();
  // Tools are cancelled at the deadline (and on abort); the loop then stops with `wall_clock`.
  const toolAbort = new AbortController();
  internal.signal.addEventListener('abort', () => toolAbort.abort(), { once: true });
  const deadlineTimer = setTimeout(
    () => toolAbort.abort(),
    Math.max(0, budget.deadline() - clock()),
  );

  const session = createSessionState();
  session.todos = restored?.todos ?? [];
  const tools = [
    ...selectTools(options.tools ?? ALL_TOOLS.map((tool) => tool.name)),
    ...(options.extraTools ?? []),
  ];
  const duplicate = tools.find(
    (tool, index) => tools.findIndex((t) => t.name === tool.name) !== index,
  );
  if (duplicate !== undefined) throw new Error(`Two tools are named "${duplicate.name}"`);
  const subagentTypes = { ...DEFAULT_SUBAGENT_TYPES, ...options.subagentTypes };
  const compaction = { ...DEFAULT_COMPACTION, ...options.compaction };
  const contextWindow = options.contextWindow ?? options.provider.contextWindow;
  const prices = options.prices ?? {};
  const maxOutputTokens = Math.min(
    options.maxOutputTokens ?? 16_384,
    Math.floor(contextWindow / 4),
  );
  let childCount = 0;
  let runningChildren = 0;
  const waiting: (() => void)[] = [];
  const maxChildren = options.maxParallelSubagents ?? 3;

  const runSubagent = async (request: SubagentRequest): Promise<SubagentResult> => {
    const type = subagentTypes[request.subagentType];
    if (type === undefined)
      throw new ToolFailure(
        `Unknown subagent_type "${request.subagentType}". Available: ${Object.keys(subagentTypes).join(', ')}.`,
      );
    while (runningChildren >= maxChildren)
      await new Promise<void>((resolve) => waiting.push(resolve));
    runningChildren++;
    try {
      const agent = `task-${++childCount}`;
      const childTools = selectTools(type.tools.filter((name) => name !== 'Task'));
      const childSession = createSessionState();
      const childState = newState();
      const childConfig: LoopConfig = {
        agent,
        provider: options.provider,
        system: buildSystemPrompt({
          base: type.systemPrompt ?? SUBAGENT_PROMPT,
          worktree,
          instructions: instructions.text,
        }),
        tools: childTools,
        definitions: childTools.map(toolDefinition),
        maxTurns: options.subagentMaxTurns ?? 25,
        budget,
        session: childSession,
        toolContext: {
          worktree,
          signal: toolAbort.signal,
          session: childSession,
          sandbox: options.sandbox ?? {},
          logger: options.logger,
        },
        transcript,
        compaction,
        contextWindow,
        maxOutputTokens,
        maxParallelTools: options.maxParallelTools ?? 8,
        prices,
        task: request.prompt,
        signal: internal.signal,
        emit,
        logger: options.logger,
      };
      pushMessage(childState, childConfig, {
        role: 'user',
        content: [{ type: 'text', text: request.prompt }],
      });
      let stopReason: string;
      try {
        stopReason = (await loop(childConfig, childState)).stopReason;
      } catch (error) {
        if (error instanceof CancelledError) stopReason = 'aborted';
        else throw error;
      }
      return {
        text: childState.finalText,
        stopReason,
        turns: childState.turns,
        toolCalls: childState.toolCalls,
        usage: childState.usage,
      };
    } finally {
      runningChildren--;
      waiting.shift()?.();
    }
  };

  const toolContext: ToolContext = {
    worktree,
    signal: toolAbort.signal,
    session,
    sandbox: options.sandbox ?? {},
    logger: options.logger,
    onTodos: (todos) => {
      transcript.append({ kind: 'todos', todos: [...todos] });
      emit({ type: 'todos', todos });
    },
    runSubagent,
  };
  const config: LoopConfig = {
    agent: 'main',
    subagentTypes,
    provider: options.provider,
    system,
    tools,
    definitions: tools.map(toolDefinition),
    maxTurns: limits.maxTurns,
    budget,
    session,
    toolContext,
    transcript,
    compaction,
    contextWindow,
    maxOutputTokens,
    maxParallelTools: options.maxParallelTools ?? 8,
    prices,
    task,
    signal: internal.signal,
    emit,
    logger: options.logger,
  };
  const state = restored?.state ?? newState();
  if (restored === undefined) {
    transcript.append({
      kind: 'start',
      version: 1,
      time: new Date(startedAt).toISOString(),
      provider: options.provider.name,
      model: options.provider.model,
      task,
      worktree,
    });
    pushMessage(state, config, { role: 'user', content: [{ type: 'text', text: task }] });
  } else if (restored.state.messages.length > 0) {
    // The interrupted-call results were synthesized on restore; record them so the transcript stays whole.
    const last = state.messages[state.messages.length - 1];
    if (
      last?.role === 'user' &&
      last.content.some(
        (block) =>
          block.type === 'tool_result' && block.content.startsWith('This call was interrupted'),
      )
    )
      transcript.append({ kind: 'message', agent: 'main', message: last });
  }

  let stopReason: AgentStopReason;
  try {
    const finished =
      restored === undefined
        ? undefined
        : finishedBeforeCrash(state, restored, budget, limits.maxTurns);
    stopReason = finished ?? (await loop(config, state)).stopReason;
  } catch (error) {
    if (error instanceof CancelledError || internal.signal.aborted) stopReason = 'aborted';
    else {
      transcript.append({ kind: 'error', agent: 'main', message: describeError(error) });
      throw error;
    }
  } finally {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (internal.signal.aborted) stopReason = 'aborted';
  const result: AgentResult = {
    stopReason,
    turns: state.turns,
    toolCalls: state.toolCalls,
    // The whole run's spend: the main loop, its summaries and every Task child.
    usage: budget.usage,
    costUsd: budget.costUsd,
    filesChanged: await changedFiles(worktree, baseline, session.changedFiles),
    finalText: state.finalText,
    todos: session.todos,
    durationMs: clock() - startedAt + (restored?.elapsedMs ?? 0),
    model: options.provider.model,
    resumed: restored !== undefined,
  };
  transcript.append({ kind: 'end', result: result as unknown as Record<string, unknown> });
  return result;
}
