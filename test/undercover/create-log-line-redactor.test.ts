// Canaries through the real logger: pino → LogSink → redactor; every line stays valid JSON and carries no
// secret. Transcript entries get the same treatment.
import { createLogger, createLogSink } from '../../src/lib/index.js';
import {
  createLogLineRedactor,
  createRedactor,
  createTranscriptRedactor,
  FindingCounter,
} from '../../src/undercover/index.js';
import { TokenFactory } from '../fixtures/undercover/tokens.js';

const t = new TokenFactory(1618);
const installationToken = t.github('ghs_');
const pat = t.github('ghp_');
const redactor = createRedactor({ denyTerms: ['Project Falcon'] }).withSecrets([installationToken]);

function capturedLogger() {
  const lines: string[] = [];
  const sink = createLogSink({ write: (chunk: string) => lines.push(chunk) });
  const counter = new FindingCounter();
  sink.setRedactor(createLogLineRedactor(redactor, { onFinding: counter.record }));
  return { logger: createLogger({ sink, level: 'debug' }), lines, counter };
}

describe('createLogLineRedactor', () => {
  it('keeps tokens out of log lines and keeps each line valid JSON', () => {
    const { logger, lines, counter } = capturedLogger();
    logger.info(
      {
        headers: { authorization: `token ${installationToken}` },
        encoded: Buffer.from(installationToken).toString('base64'),
        nested: [{ note: `pat "${pat}" for Project Falcon` }],
      },
      `pushing with ${installationToken}`,
    );
    logger.error({ err: new Error(`request failed for ${pat}`) }, 'failed');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.endsWith('\n')).toBe(true);
      expect(line).not.toContain(installationToken);
      expect(line).not.toContain(Buffer.from(installationToken).toString('base64'));
      expect(line).not.toContain(pat);
      expect(line).not.toContain('Falcon');
    }
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first.msg).toBe('pushing with [REDACTED:known-secret]');
    expect(first.nested).toEqual([
      { note: 'pat "[REDACTED:github-pat]" for [REDACTED:deny-term]' },
    ]);
    const second = JSON.parse(lines[1]!) as { err: { message: string; stack: string } };
    expect(second.err.message).toBe('request failed for [REDACTED:github-pat]');
    expect(counter.total()).toBeGreaterThanOrEqual(6);
  });

  it('returns clean lines unchanged', () => {
    const line = '{"level":30,"msg":"hello"}\n';
    expect(createLogLineRedactor(redactor)(line)).toBe(line);
  });

  it('redacts a line that is not JSON as text', () => {
    expect(createLogLineRedactor(redactor)(`plain ${pat}\n`)).toBe('plain [REDACTED:github-pat]\n');
  });
});

describe('createTranscriptRedactor', () => {
  it('redacts JSONL transcript entries line by line and keeps them parseable', () => {
    const redact = createTranscriptRedactor(redactor);
    const entries = [
      { role: 'assistant', content: [{ type: 'text', text: `found ${pat}` }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', content: `env: GH_TOKEN=${installationToken}` }],
      },
    ];
    const out = redact(entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
    const parsed = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(parsed).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'found [REDACTED:github-pat]' }] },
      {
        role: 'user',
        content: [{ type: 'tool_result', content: 'env: GH_TOKEN=[REDACTED:known-secret]' }],
      },
    ]);
  });

  it('redacts plain text', () => {
    expect(createTranscriptRedactor(redactor)(`I will use ${installationToken}.`)).toBe(
      'I will use [REDACTED:known-secret].',
    );
  });
});
