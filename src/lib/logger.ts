// pino JSON logging. Every line passes through a LogSink whose redactor hook undercover attaches at boot,
// so no code path can log around it; child loggers carry job bindings.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';
export type LogLevel = LevelWithSilent;
export type LineRedactor = (line: string) => string;

interface Writable {
  write(chunk: string): unknown;
}

/** The destination of every log line; `setRedactor` installs the hook that rewrites each line first. */
export class LogSink {
  private redactor: LineRedactor | undefined;

  constructor(private readonly target: Writable) {}

  setRedactor(redactor: LineRedactor | undefined): void {
    this.redactor = redactor;
  }

  write(line: string): void {
    if (this.redactor === undefined) {
      this.target.write(line);
      return;
    }
    let safe: string;
    try {
      safe = this.redactor(line);
    } catch {
      // Fail closed: a line we could not redact is never written.
      safe = `${JSON.stringify({ level: 50, time: Date.now(), msg: 'log line dropped: the redactor failed on it' })}\n`;
    }
    this.target.write(safe);
  }
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to a synchronous stdout sink. */
  sink?: LogSink;
  /** Fields on every line, such as `{ name: 'claw-worker' }`. */
  base?: Record<string, unknown>;
}

export function createLogSink(
  target: Writable = pino.destination({ dest: 1, sync: true }),
): LogSink {
  return new LogSink(target);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const sink = options.sink ?? createLogSink();
  return pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid, ...options.base },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: pino.stdSerializers.err },
    },
    sink,
  );
}

/** Fields every job's child logger carries, so one job's lines can be followed across processes. */
export interface JobLogBindings {
  jobId: string;
  deliveryId?: string;
  repo?: string;
  installationId?: number;
}

export function jobLogger(logger: Logger, bindings: JobLogBindings): Logger {
  return logger.child(bindings);
}
