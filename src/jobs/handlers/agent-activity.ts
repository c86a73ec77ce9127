// Follows an agent run from its progress events: the plan (TodoWrite), the current step and the shell commands
// with their outcome, and mirrors them into the tracking comment as a checklist while the job runs.
import type { AgentProgress, Todo } from '../../agent/index.js';

export interface CommandRun {
  command: string;
  ok: boolean | undefined;
}

const MAX_COMMANDS = 20;

function shorten(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

function inlineCode(text: string): string {
  const clean = shorten(text, 80).replaceAll('`', "'");
  return `\`${clean}\``;
}

function stringField(input: unknown, name: string): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const value = (input as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** What a tool call is doing, in words for the tracking comment. */
export function describeToolCall(name: string, input: unknown): string {
  const path = stringField(input, 'file_path') ?? stringField(input, 'path');
  switch (name) {
    case 'Read':
      return path === undefined ? 'Reading files' : `Reading ${inlineCode(path)}`;
    case 'Write':
    case 'Edit':
      return path === undefined ? 'Editing files' : `Editing ${inlineCode(path)}`;
    case 'Grep':
    case 'Glob': {
      const pattern = stringField(input, 'pattern');
      return pattern === undefined ? 'Searching the code' : `Searching for ${inlineCode(pattern)}`;
    }
    case 'LS':
      return 'Looking around the repository';
    case 'Bash': {
      const command = stringField(input, 'description') ?? stringField(input, 'command');
      return command === undefined ? 'Running a command' : `Running ${inlineCode(command)}`;
    }
    case 'Task':
      return 'Researching with a sub-agent';
    case 'TodoWrite':
      return 'Updating the plan';
    default:
      return `Using ${name}`;
  }
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** A GitHub task list: done items ticked, the one in progress in bold. */
export function renderChecklist(todos: readonly Todo[]): string {
  return todos
    .map((todo) => {
      const text = shorten(todo.content, 200);
      if (todo.status === 'completed') return `- [x] ${text}`;
      if (todo.status === 'in_progress') return `- [ ] **${text}**`;
      return `- [ ] ${text}`;
    })
    .join('\n');
}

export class AgentActivity {
  private todos: readonly Todo[] = [];
  private step = 'Starting';
  private readonly commands: CommandRun[] = [];
  private readonly pending = new Map<string, CommandRun>();

  constructor(
    private readonly startedAt: number,
    private readonly now: () => number,
  ) {}

  /** Records an event; returns true when the tracking comment should show something new. */
  record(event: AgentProgress): boolean {
    switch (event.type) {
      case 'todos':
        this.todos = event.todos;
        return true;
      case 'tool_call':
        if (event.agent !== 'main') return false;
        // Writing the plan is not a step of its own; the checklist shows it.
        if (event.name !== 'TodoWrite') this.step = describeToolCall(event.name, event.input);
        if (event.name === 'Bash') {
          const command = stringField(event.input, 'command');
          if (command !== undefined) {
            const run: CommandRun = { command: shorten(command, 200), ok: undefined };
            this.pending.set(event.id, run);
            if (this.commands.length < MAX_COMMANDS) this.commands.push(run);
          }
        }
        return true;
      case 'tool_result': {
        const run = this.pending.get(event.id);
        if (run !== undefined) {
          run.ok = !event.isError;
          this.pending.delete(event.id);
        }
        return false;
      }
      case 'turn':
        if (event.agent === 'main' && event.wrapUp) this.step = 'Wrapping up';
        return false;
      case 'compaction':
        this.step = 'Condensing the conversation';
        return false;
      default:
        return false;
    }
  }

  setStep(step: string): void {
    this.step = step;
  }

  get lastTodos(): readonly Todo[] {
    return this.todos;
  }

  /** The shell commands the agent ran (at most 20) and whether each succeeded. */
  get commandRuns(): readonly CommandRun[] {
    return this.commands;
  }

  /** The running state of the tracking comment: current step, elapsed time, then the plan. */
  render(): string {
    const lines = [`**${this.step}** · ${formatDuration(this.now() - this.startedAt)} elapsed`];
    if (this.todos.length > 0) lines.push('', '**Plan**', renderChecklist(this.todos));
    return lines.join('\n');
  }
}
