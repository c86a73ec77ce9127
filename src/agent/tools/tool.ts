// What a tool is (a name, a zod input schema, whether it mutates, and how it runs) and the per-run state
// tools share: files read this session, the todo list, the files changed, the sandbox settings.
import type { z } from 'zod';
import type { Logger } from '../../lib/index.js';
import type { Usage } from '../types.js';

export type TodoStatus = 'pending' | 'in_progress' | 'completed';
export interface Todo {
  content: string;
  status: TodoStatus;
  activeForm: string;
}

export interface SandboxOptions {
  /** Allow network inside Bash (bubblewrap otherwise unshares the network namespace). */
  network?: boolean;
  /**
   * `auto` uses bubblewrap when it works (else runs unsandboxed, with a warning); `require` refuses to run Bash
   * without it; `off` never uses it (e.g. inside a container that already isolates).
   */
  bubblewrap?: 'auto' | 'require' | 'off';
  /** Names of server variables Bash may see, on top of the safe base set; credentials are still dropped. */
  envAllowlist?: readonly string[];
  /** Further paths bubblewrap keeps writable, e.g. the git dir a linked worktree shares with its mirror. */
  writablePaths?: readonly string[];
  /**
   * Paths bubblewrap hides (an empty folder or an empty file in their place), e.g. the workspace cache with other
   * repositories and transcripts, and key files; the worktree and its repository stay visible.
   */
  hiddenPaths?: readonly string[];
  /** Extra variables set inside Bash (after scrubbing, so they must not be secrets). */
  env?: Readonly<Record<string, string>>;
}

/** What a Task child reports back to its parent tool call. */
export interface SubagentResult {
  text: string;
  stopReason: string;
  turns: number;
  toolCalls: number;
  usage: Usage;
}

export interface SubagentRequest {
  description: string;
  prompt: string;
  subagentType: string;
}

export interface SessionState {
  /** Absolute path → mtimeMs when the model last read (or wrote) it; Edit and Write check it. */
  readonly readFiles: Map<string, number>;
  /** Relative paths Write and Edit changed. */
  readonly changedFiles: Set<string>;
  todos: Todo[];
  /** Set once the unsandboxed-Bash warning was logged, so a run warns once. */
  sandboxWarned: boolean;
  /** Set by a tool that ends the run (e.g. a caller's SubmitReview): the loop stops after this turn. */
  finished: boolean;
}

export function createSessionState(): SessionState {
  return {
    readFiles: new Map(),
    changedFiles: new Set(),
    todos: [],
    sandboxWarned: false,
    finished: false,
  };
}

export interface ToolContext {
  /** The worktree, as a real path (symlinks resolved). */
  readonly worktree: string;
  readonly signal: AbortSignal;
  readonly session: SessionState;
  readonly sandbox: SandboxOptions;
  readonly logger?: Logger | undefined;
  /** Called when TodoWrite changes the plan. */
  readonly onTodos?: ((todos: readonly Todo[]) => void) | undefined;
  /** Runs a child agent for Task; absent in children, which cannot spawn their own. */
  readonly runSubagent?: ((request: SubagentRequest) => Promise<SubagentResult>) | undefined;
}

export interface ToolOutput {
  content: string;
  isError?: boolean;
}

export interface Tool<Input = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: z.ZodType<Input>;
  /** Read-only calls in one turn run in parallel; the rest run one by one, in order. */
  readonly readOnly: boolean;
  run(input: Input, context: ToolContext): Promise<ToolOutput | string>;
}

/** A failure the model can act on; its message goes back verbatim as an is_error result. */
export class ToolFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolFailure';
  }
}

export function defineTool<Input>(tool: Tool<Input>): Tool<Input> {
  return tool;
}

/** Caps text at `max` characters, keeping the head and the tail, with a visible marker in between. */
export function capOutput(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = (dropped: number): string => `\n\n[... ${dropped} characters truncated ...]\n\n`;
  const keep = max - marker(text.length).length;
  const head = Math.ceil(keep * 0.5);
  const tail = keep - head;
  return `${text.slice(0, head)}${marker(text.length - keep)}${text.slice(text.length - tail)}`;
}
