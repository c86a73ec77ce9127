// Redaction for JSON lines (pino logs, JSONL transcripts): values are redacted field by field so every
// line stays valid JSON; a line that cannot be made safe is replaced, never written as is.
import type { LineRedactor } from '../lib/index.js';
import type { FindingListener, RedactionExit } from './finding-counter.js';
import type { Redactor } from './types.js';

interface LineOptions {
  onFinding?: FindingListener;
  exit?: RedactionExit;
}

function redactValue(
  value: unknown,
  redactor: Redactor,
  path: string,
  report: (rule: string, path: string, line: number, column: number) => void,
): unknown {
  if (typeof value === 'string') {
    const result = redactor.redact(value);
    for (const finding of result.findings) report(finding.rule, path, finding.line, finding.column);
    return result.text;
  }
  if (Array.isArray(value))
    return value.map((item, index) => redactValue(item, redactor, `${path}[${index}]`, report));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const safeKey = redactor.redact(key).text;
      out[safeKey] = redactValue(inner, redactor, path === '' ? key : `${path}.${key}`, report);
    }
    return out;
  }
  return value;
}

/** Redacts one line of text that is usually JSON; the result keeps the line's trailing newline. */
function redactLine(line: string, redactor: Redactor, options: LineOptions): string {
  const newline = line.endsWith('\n') ? '\n' : '';
  const body = newline ? line.slice(0, -1) : line;
  const raw = redactor.redact(body);
  if (raw.findings.length === 0) return line;
  const report = (rule: string, location: string, lineNumber: number, column: number) =>
    options.onFinding?.({ exit: options.exit ?? 'log', rule, location, line: lineNumber, column });
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    for (const finding of raw.findings)
      report(finding.rule, '(line)', finding.line, finding.column);
    return raw.text + newline;
  }
  const structured = JSON.stringify(redactValue(parsed, redactor, '', report));
  // A match that spans JSON syntax (an escaped form across two fields) survives field-wise redaction; then the
  // raw rewrite is used if it is still JSON, else the line is replaced.
  if (redactor.redact(structured).findings.length === 0) return structured + newline;
  try {
    JSON.parse(raw.text);
    return raw.text + newline;
  } catch {
    return (
      JSON.stringify({
        level: 50,
        msg: 'line withheld: it held a secret that could not be redacted in place',
      }) + newline
    );
  }
}

/** The hook for `LogSink.setRedactor()`: pino writes one JSON document per line. */
export function createLogLineRedactor(
  redactor: Redactor,
  options: { onFinding?: FindingListener } = {},
): LineRedactor {
  return (chunk) => {
    if (!chunk.includes('\n') || chunk.indexOf('\n') === chunk.length - 1) {
      return redactLine(chunk, redactor, { ...options, exit: 'log' });
    }
    return chunk
      .split(/(?<=\n)/)
      .map((line) => redactLine(line, redactor, { ...options, exit: 'log' }))
      .join('');
  };
}

/**
 * For the agent layer: redacts a transcript entry or any text it is about to persist or show. JSON lines stay
 * valid JSON line by line; other text is redacted as text.
 */
export function createTranscriptRedactor(
  redactor: Redactor,
  options: { onFinding?: FindingListener } = {},
): (text: string) => string {
  return (text) => {
    const trimmed = text.trimStart();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) {
      const result = redactor.redact(text);
      for (const finding of result.findings) {
        options.onFinding?.({
          exit: 'transcript',
          rule: finding.rule,
          location: '(text)',
          line: finding.line,
          column: finding.column,
        });
      }
      return result.text;
    }
    return text
      .split(/(?<=\n)/)
      .map((line) => redactLine(line, redactor, { ...options, exit: 'transcript' }))
      .join('');
  };
}
