// The runner's side channels: workflow commands on stdout (`::notice::`, `::add-mask::`…), and the files named
// by GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. Escaping follows @actions/core, so no text can forge a command.
import { randomUUID } from 'node:crypto';
import { appendFileSync, writeSync } from 'node:fs';

export type AnnotationLevel = 'debug' | 'notice' | 'warning' | 'error';

/** Where workflow commands go; stdout (fd 1) in the runner, a buffer in tests. */
export type CommandWriter = (line: string) => void;

export const stdoutWriter: CommandWriter = (line) => {
  writeSync(1, line.endsWith('\n') ? line : `${line}\n`);
};

/** @actions/core's escapeData: the message of a command may not break out of its line. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function annotation(level: AnnotationLevel, message: string): string {
  return `::${level}::${escapeData(message)}`;
}

/** Asks the runner to hide a value in every later log line; each line of a multi-line value separately. */
export function maskCommands(secret: string): string[] {
  const values = new Set([secret, ...secret.split(/\r?\n/)]);
  return [...values].filter((value) => value.trim().length >= 4).map((v) => `::add-mask::${v}`);
}

/** `name<<DELIMITER` … `DELIMITER`: safe for any value, multi-line included (GitHub's documented form). */
export function formatOutput(name: string, value: string): string {
  let delimiter = `ghadelimiter_${randomUUID()}`;
  while (value.includes(delimiter)) delimiter = `ghadelimiter_${randomUUID()}`;
  return `${name}<<${delimiter}\n${value}\n${delimiter}\n`;
}

/** Appends the outputs to the file the runner reads them from (`$GITHUB_OUTPUT`). */
export function writeOutputs(file: string, outputs: Record<string, string>): void {
  appendFileSync(
    file,
    Object.entries(outputs)
      .map(([name, value]) => formatOutput(name, value))
      .join(''),
  );
}

export function appendSummary(file: string, markdown: string): void {
  appendFileSync(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}
