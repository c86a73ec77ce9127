// Runs a helper program (git, rg) without a shell and collects its output; used by Glob, Grep and LS.
import { spawn } from 'node:child_process';

export interface CaptureResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

export function execCapture(
  command: string,
  args: readonly string[],
  options: { cwd: string; signal?: AbortSignal; maxBytes?: number; env?: NodeJS.ProcessEnv },
): Promise<CaptureResult> {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env !== undefined ? { env: options.env } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) out.push(chunk);
      else child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
      }),
    );
  });
}

const availability = new Map<string, Promise<boolean>>();

/** Whether a program runs here (`--version` succeeds); cached per process. */
export function hasProgram(command: string): Promise<boolean> {
  let known = availability.get(command);
  if (known === undefined) {
    known = execCapture(command, ['--version'], { cwd: process.cwd() }).then(
      (result) => result.code === 0,
      () => false,
    );
    availability.set(command, known);
  }
  return known;
}
