// Runs the real `claw web` and `claw worker` commands as child processes (`node --import tsx src/cli.ts …`),
// keeps everything they print for leak checks, and reads their pino JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait-for.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export interface ClawProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** The stdout lines that parse as JSON log records. */
  logLines(): LogLine[];
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM (the drain), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnClaw(
  command: 'web' | 'worker',
  env: Record<string, string>,
  name: string = command,
): ClawProcess {
  // Only what the command needs: the test runner's own variables (NODE_OPTIONS, REDIS_URL…) stay out.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', command], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let all = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    all += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    all += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const running = () => child.exitCode === null && child.signalCode === null;

  const logLines = (): LogLine[] =>
    stdout.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });

  return {
    name,
    child,
    exited,
    output: () => all,
    logLines,
    waitForLog: (predicate, timeoutMs = 20_000) =>
      waitFor(() => logLines().find(predicate), {
        timeoutMs,
        what: `a log line from ${name}`,
        detail: () => `${name} ${running() ? 'is running' : 'has exited'}; its output:\n${all}`,
        stopIf: () => !running(),
      }),
    stop: async (graceMs = 5_000) => {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (running()) child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
