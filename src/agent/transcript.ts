// The JSONL transcript of a run: every request and response, tool results, compactions and todos, one
// object per line, with the caller's redaction applied to every string. `readTranscript` rebuilds a run to resume it.
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { TranscriptError } from '../lib/index.js';
import { TodoItem } from './tools/index.js';
import { Message, Usage } from './types.js';

export const TRANSCRIPT_VERSION = 1;

/** `main` is the top-level loop; Task children are `task-1`, `task-2`, … */
const Agent = z.string();

export const TranscriptEntry = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('start'),
    version: z.number(),
    time: z.string(),
    provider: z.string(),
    model: z.string(),
    task: z.string(),
    worktree: z.string(),
  }),
  z.object({ kind: z.literal('message'), agent: Agent, message: Message }),
  z.object({
    kind: z.literal('request'),
    agent: Agent,
    turn: z.number(),
    /** How many messages the request carried; the messages themselves are the `message` lines before it. */
    messageCount: z.number(),
    toolChoice: z.enum(['auto', 'none']),
    estimatedTokens: z.number(),
    purpose: z.enum(['turn', 'wrap_up', 'summary']),
  }),
  z.object({
    kind: z.literal('response'),
    agent: Agent,
    turn: z.number(),
    purpose: z.enum(['turn', 'wrap_up', 'summary']),
    model: z.string(),
    stopReason: z.string(),
    usage: Usage,
    costUsd: z.number(),
    durationMs: z.number(),
    toolCalls: z.number(),
  }),
  z.object({
    kind: z.literal('compaction'),
    agent: Agent,
    stage: z.enum(['stub', 'summary']),
    messages: z.array(Message),
  }),
  z.object({ kind: z.literal('todos'), todos: z.array(TodoItem) }),
  z.object({ kind: z.literal('error'), agent: Agent, message: z.string() }),
  z.object({ kind: z.literal('end'), result: z.record(z.string(), z.unknown()) }),
]);
export type TranscriptEntry = z.infer<typeof TranscriptEntry>;

export type Redact = (text: string) => string;

function redactDeep(value: unknown, redact: Redact): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)]),
    );
  return value;
}

export interface TranscriptWriter {
  append(entry: TranscriptEntry): void;
}

/** Appends synchronously, so a crash right after a turn still leaves that turn on disk for resume. */
export function createTranscriptWriter(
  file: string | undefined,
  redact?: Redact,
): TranscriptWriter {
  if (file === undefined) return { append: () => undefined };
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return {
    append(entry) {
      const safe = redact === undefined ? entry : redactDeep(entry, redact);
      appendFileSync(file, `${JSON.stringify(safe)}\n`);
    },
  };
}

/** Reads a transcript; a torn last line (a crash mid-write) is dropped, any other bad line is an error. */
export function readTranscript(file: string): TranscriptEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const entries: TranscriptEntry[] = [];
  for (const [index, line] of lines.entries()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      if (index === lines.length - 1) break;
      throw new TranscriptError(
        `Transcript ${file} line ${index + 1} is not JSON; it cannot be resumed.`,
        { cause: error },
      );
    }
    const entry = TranscriptEntry.safeParse(parsed);
    if (!entry.success) {
      if (index === lines.length - 1) break;
      throw new TranscriptError(
        `Transcript ${file} line ${index + 1} is not a transcript entry; it cannot be resumed.`,
      );
    }
    entries.push(entry.data);
  }
  return entries;
}
