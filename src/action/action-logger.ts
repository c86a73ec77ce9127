// The Action's log: pino lines, redacted by the sink like every Claw process, then printed for a person reading
// the Actions log: `[claw] message key=value`, with warnings and errors as annotations on the run.
import { createLogger, createLogSink, type Logger, type LogSink } from '../lib/index.js';
import { annotation, type CommandWriter } from './workflow-commands.js';

// A step runs one job, so the job's bindings would only repeat on every line.
const HIDDEN = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'msg',
  'name',
  'component',
  'jobId',
  'deliveryId',
  'repo',
  'installationId',
  'kind',
  'attempt',
]);

function describeField(value: unknown): string {
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  if (typeof value === 'object' && value !== null && 'message' in value)
    return JSON.stringify((value as { message: unknown }).message);
  return JSON.stringify(value);
}

/** One pino JSON line as the Actions log shows it; never starts with `::`, so it cannot be a command. */
export function formatLogLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `[claw] ${line.trimEnd()}`;
  }
  const fields = Object.entries(record)
    .filter(([key, value]) => !HIDDEN.has(key) && value !== undefined)
    .map(([key, value]) => `${key}=${describeField(value)}`);
  const text = [String(record.msg ?? ''), ...fields].join(' ').replace(/[\r\n]+/g, ' ');
  const level = typeof record.level === 'number' ? record.level : 30;
  if (level >= 50) return annotation('error', text);
  if (level >= 40) return annotation('warning', text);
  if (level < 30) return annotation('debug', text);
  return `[claw] ${text}`;
}

export function createActionLogger(
  write: CommandWriter,
  level: 'debug' | 'info',
): { logger: Logger; sink: LogSink } {
  const sink = createLogSink({ write: (line: string) => write(formatLogLine(line)) });
  return { logger: createLogger({ level, sink, base: { name: 'claw-action' } }), sink };
}
