import { createLogSink, createLogger, jobLogger } from '../../src/lib/index.js';

function capture() {
  const lines: string[] = [];
  const sink = createLogSink({ write: (line: string) => lines.push(line) });
  return {
    lines,
    sink,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('logger', () => {
  it('writes pino JSON lines with child bindings', () => {
    const { sink, records } = capture();
    const logger = createLogger({ sink, level: 'info' });

    jobLogger(logger, { jobId: 'j1', deliveryId: 'd1', repo: 'o/r', installationId: 7 }).warn(
      { attempt: 2 },
      'retrying job',
    );

    expect(records()).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'retrying job',
        jobId: 'j1',
        deliveryId: 'd1',
        repo: 'o/r',
        installationId: 7,
        attempt: 2,
      }),
    ]);
  });

  it('passes every line through the redactor hook once attached', () => {
    const { sink, lines } = capture();
    const logger = createLogger({ sink });
    logger.info('before ghp_canary');

    sink.setRedactor((line) => line.replaceAll('ghp_canary', '[REDACTED:test]'));
    logger.info({ token: 'ghp_canary' }, 'token ghp_canary');
    logger.child({ nested: 'ghp_canary' }).error('child');

    expect(lines[0]).toContain('ghp_canary');
    expect(lines.slice(1).join('')).not.toContain('ghp_canary');
    expect(lines.slice(1).join('')).toContain('[REDACTED:test]');
  });

  it('drops a line rather than writing it unredacted when the redactor fails', () => {
    const { sink, lines } = capture();
    const logger = createLogger({ sink });
    sink.setRedactor(() => {
      throw new Error('bad rule');
    });

    logger.info('secret ghp_canary');

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('ghp_canary');
    expect(JSON.parse(lines[0] ?? '{}')).toEqual(
      expect.objectContaining({ level: 50, msg: expect.stringMatching(/dropped/) }),
    );
  });

  it('honours the level', () => {
    const { sink, lines } = capture();
    createLogger({ sink, level: 'warn' }).info('quiet');

    expect(lines).toHaveLength(0);
  });
});
