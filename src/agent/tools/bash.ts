// `Bash {command, timeout?, description?}`: a shell command in the worktree with a scrubbed environment,
// a timeout that kills the whole process group, capped output, and bubblewrap when it works here.
import { spawn } from 'node:child_process';
import { z } from 'zod';
import { bubblewrapArgs, bubblewrapAvailable, ensureSandboxHome, scrubEnv } from '../sandbox.js';
import { defineTool, type ToolContext, type ToolOutput } from './tool.js';

export const BASH_DEFAULT_TIMEOUT_MS = 120_000;
export const BASH_MAX_TIMEOUT_MS = 600_000;
export const BASH_MAX_OUTPUT_CHARS = 30_000;
const KILL_GRACE_MS = 2000;

export const BashInput = z.strictObject({
  command: z.string().min(1).describe('The command to run with bash -c, in the repository root.'),
  timeout: z
    .number()
    .int()
    .positive()
    .max(
      BASH_MAX_TIMEOUT_MS,
      `timeout is in milliseconds and at most ${BASH_MAX_TIMEOUT_MS} (10 minutes)`,
    )
    .optional()
    .describe(
      `Milliseconds before the command is killed (default ${BASH_DEFAULT_TIMEOUT_MS}, max ${BASH_MAX_TIMEOUT_MS}).`,
    ),
  description: z.string().optional().describe('What the command does, in 5-10 words.'),
});
export type BashInput = z.infer<typeof BashInput>;

/** Keeps the first and last halves of a stream in bounded memory and counts what was dropped between. */
class OutputCollector {
  private head = '';
  private tail = '';
  private dropped = 0;
  constructor(private readonly max: number) {}

  push(chunk: string): void {
    const half = this.max / 2;
    if (this.head.length < half) {
      const room = half - this.head.length;
      this.head += chunk.slice(0, room);
      chunk = chunk.slice(room);
    }
    if (chunk === '') return;
    this.tail += chunk;
    if (this.tail.length > half) {
      this.dropped += this.tail.length - half;
      this.tail = this.tail.slice(this.tail.length - half);
    }
  }

  text(): string {
    if (this.dropped === 0) return this.head + this.tail;
    return `${this.head}\n\n[... ${this.dropped} characters of output truncated ...]\n\n${this.tail}`;
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

export interface BashRun {
  output: string;
  exitCode: number | null;
  timedOut: boolean;
  aborted: boolean;
  sandboxed: boolean;
}

export async function runBash(
  command: string,
  timeoutMs: number,
  context: ToolContext,
): Promise<BashRun> {
  const useBwrap = context.sandbox.bubblewrap !== 'off' && (await bubblewrapAvailable());
  if (!useBwrap && !context.session.sandboxWarned) {
    context.session.sandboxWarned = true;
    context.logger?.warn(
      { worktree: context.worktree },
      'bubblewrap is not available; Bash runs unsandboxed (install bubblewrap to confine it to the worktree)',
    );
  }
  ensureSandboxHome();
  const env = scrubEnv(process.env, context.sandbox);
  const [file, args] = useBwrap
    ? ['bwrap', [...bubblewrapArgs(context.worktree, context.sandbox), '--', 'bash', '-c', command]]
    : ['bash', ['-c', command]];
  const collector = new OutputCollector(BASH_MAX_OUTPUT_CHARS);
  return new Promise<BashRun>((resolve, reject) => {
    // detached: the command leads its own process group, so a timeout can kill everything it started.
    const child = spawn(file, args as string[], {
      cwd: context.worktree,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      killGroup(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      stop();
    };
    context.signal.addEventListener('abort', onAbort, { once: true });
    if (context.signal.aborted) onAbort();
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => collector.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => collector.push(chunk));
    const finish = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
      // Whatever the shell left running in its group goes with it, even after a normal exit.
      killGroup(child.pid, 'SIGKILL');
      if (killTimer !== undefined) clearTimeout(killTimer);
      resolve({ output: collector.text(), exitCode: code, timedOut, aborted, sandboxed: useBwrap });
    };
    child.on('error', (error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      context.signal.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('exit', (code) => {
      // Background children may hold the pipes open; give them a moment, then stop waiting.
      const grace = setTimeout(() => finish(code), 500);
      child.on('close', () => {
        clearTimeout(grace);
        finish(code);
      });
    });
  });
}

export const bashTool = defineTool<BashInput>({
  name: 'Bash',
  readOnly: false,
  input: BashInput,
  description: [
    'Runs a shell command (bash -c) in the repository root and returns its combined stdout and stderr.',
    `Commands time out after ${BASH_DEFAULT_TIMEOUT_MS / 1000} s unless you pass timeout (ms, max ${BASH_MAX_TIMEOUT_MS / 1000} s).`,
    `Output over ${BASH_MAX_OUTPUT_CHARS} characters is cut in the middle.`,
    'There are no credentials in the environment and usually no network. Use Read, Grep, Glob and LS instead of cat, grep, find and ls.',
  ].join(' '),
  async run(input, context): Promise<ToolOutput> {
    if (context.sandbox.bubblewrap === 'require' && !(await bubblewrapAvailable()))
      return {
        content:
          'Bash is disabled here: this deployment runs shell commands only inside the bubblewrap sandbox, and it cannot start on this machine. Work with Read, Edit, Write, Grep, Glob and LS, and say in your summary which commands you could not run.',
        isError: true,
      };
    const timeout = input.timeout ?? BASH_DEFAULT_TIMEOUT_MS;
    const result = await runBash(input.command, timeout, context);
    const output = result.output.trimEnd();
    if (result.timedOut)
      return {
        content:
          `${output}\n\n[The command timed out after ${timeout / 1000} s and was killed.]`.trim(),
        isError: true,
      };
    if (result.aborted)
      return { content: `${output}\n\n[The command was cancelled.]`.trim(), isError: true };
    if (result.exitCode !== 0)
      return {
        content: `${output}\n\n[exit code ${result.exitCode ?? 'unknown'}]`.trim(),
        isError: true,
      };
    return { content: output === '' ? '(no output)' : output };
  },
});
