// Keeps a conversation under the model's context window: first old tool results become short stubs,
// then older turns are replaced by a model-written summary in a fixed template. A tool_use never loses its tool_result.
import { formatTodos, type Todo } from './tools/index.js';
import type { Message, ToolResultBlock, UserMessage } from './types.js';

export interface CompactionSettings {
  /** Share of the context window above which compaction starts (0-1). */
  threshold: number;
  /** Tool results of the newest this-many assistant turns stay intact when stubbing. */
  keepRecentTurns: number;
  /** Messages at the end kept verbatim by a summary, at most this share of the window. */
  keepShare: number;
}

export const DEFAULT_COMPACTION: CompactionSettings = {
  threshold: 0.7,
  keepRecentTurns: 3,
  keepShare: 0.25,
};

const STUB_MIN_CHARS = 300;

export function isStub(content: string): boolean {
  return content.startsWith('[Earlier output of ');
}

/** Replaces tool results older than the newest `keepRecentTurns` assistant turns with one-line stubs. */
export function stubOldToolResults(
  messages: readonly Message[],
  keepRecentTurns: number,
): { messages: Message[]; stubbed: number } {
  const names = new Map<string, string>();
  for (const message of messages)
    if (message.role === 'assistant')
      for (const block of message.content)
        if (block.type === 'tool_use') names.set(block.id, block.name);
  const assistantIndexes = messages.flatMap((message, index) =>
    message.role === 'assistant' ? [index] : [],
  );
  const cutoff =
    keepRecentTurns <= 0
      ? messages.length
      : (assistantIndexes[assistantIndexes.length - keepRecentTurns] ?? 0);
  let stubbed = 0;
  const result = messages.map((message, index): Message => {
    if (message.role !== 'user' || index >= cutoff) return message;
    let changed = false;
    const content = message.content.map((block) => {
      if (
        block.type !== 'tool_result' ||
        block.content.length < STUB_MIN_CHARS ||
        isStub(block.content)
      )
        return block;
      changed = true;
      stubbed++;
      const stub: ToolResultBlock = {
        ...block,
        content: `[Earlier output of ${names.get(block.tool_use_id) ?? 'a tool'} (${block.content.length} characters) was removed to save context. Call the tool again if you need it.]`,
      };
      return stub;
    });
    return changed ? { role: 'user', content } : message;
  });
  return { messages: result, stubbed };
}

/**
 * Where the kept tail starts: an assistant message (so its tool_use and the tool_result after it stay together),
 * as early as fits in `keepTokens`, but never the first message. Returns undefined when nothing can be summarized.
 */
export function summarySplit(
  messages: readonly Message[],
  keepTokens: number,
  estimate: (value: unknown) => number,
): number | undefined {
  let split: number | undefined;
  let kept = 0;
  for (let index = messages.length - 1; index >= 2; index--) {
    kept += estimate(messages[index]);
    if (messages[index]?.role === 'assistant') {
      if (kept > keepTokens && split !== undefined) break;
      split = index;
    }
  }
  return split;
}

export const SUMMARY_TEMPLATE = `Your context is nearly full, so the conversation so far will be replaced by a summary you write now. Do not call tools. Write it in exactly this template, in at most 600 words, with concrete file paths, names and facts (the earlier turns will be gone):

## Goal
(the task, in one or two sentences)
## Done so far
(what you changed and checked, file by file)
## Findings
(facts about the code you will still need: paths, functions, commands, test results)
## Next steps
(what remains, in order)`;

export function summaryRequestMessages(history: readonly Message[]): Message[] {
  const copy = history.map((message) => structuredClone(message));
  const last = copy[copy.length - 1];
  const instruction = { type: 'text' as const, text: SUMMARY_TEMPLATE };
  if (last?.role === 'user') last.content = [...last.content, instruction];
  else copy.push({ role: 'user', content: [instruction] });
  return copy;
}

/** The first message after a summary: the task verbatim, the model's summary, and the todo list from state. */
export function summaryMessage(task: string, summary: string, todos: readonly Todo[]): UserMessage {
  return {
    role: 'user',
    content: [
      {
        type: 'text',
        text: `${task}\n\n<context-summary>\nEarlier turns of this session were summarized to save context.\n\n${summary.trim()}\n## Todo list\n${formatTodos(todos)}\n</context-summary>\n\nContinue the task from here.`,
      },
    ],
  };
}
