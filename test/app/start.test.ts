// `claw start`: Probot's registration flow without APP_ID; the in-process runner, with a boot warning, without REDIS_URL.
import { start } from '../../src/cli/start.js';
import { parseEnv } from '../../src/config/index.js';
import { createLogger, createLogSink } from '../../src/lib/index.js';
import { testPrivateKey } from '../github/support/github.js';
import { freePort, type LogLine } from './support/web.js';

function capture(): { lines: LogLine[]; logger: ReturnType<typeof createLogger> } {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'info',
    sink: createLogSink({ write: (line: string) => lines.push(JSON.parse(line) as LogLine) }),
  });
  return { lines, logger };
}

describe('claw start', () => {
  it("runs Probot's App registration flow from app.yml when APP_ID is missing, and says so", async () => {
    const port = await freePort();
    const rawEnv: NodeJS.ProcessEnv = {
      PORT: String(port),
      HOST: '127.0.0.1',
      NO_SMEE_SETUP: 'true',
    };
    process.env.NO_SMEE_SETUP = 'true';
    const { lines, logger } = capture();

    const running = await start({ env: parseEnv(rawEnv), logger, rawEnv });
    const page = await fetch(`http://127.0.0.1:${port}/probot`);
    const html = await page.text();
    await running.close();
    delete process.env.NO_SMEE_SETUP;

    expect(page.status).toBe(200);
    expect(html).toMatch(/Register GitHub App/);
    expect(
      lines.some(
        (l) =>
          l.level === 40 &&
          /APP_ID is not set: starting GitHub's App registration flow/.test(l.msg),
      ),
    ).toBe(true);
  });

  it('runs jobs in-process and warns that they are not durable when REDIS_URL is unset', async () => {
    const port = await freePort();
    const env = parseEnv({
      APP_ID: '1',
      PRIVATE_KEY: testPrivateKey(),
      WEBHOOK_SECRET: 's3cret',
      PORT: String(port),
      HOST: '127.0.0.1',
    });
    const { lines, logger } = capture();

    const running = await start({ env, logger });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    const body: unknown = await ready.json();
    await running.close();

    expect(
      lines.some(
        (l) =>
          l.level === 40 &&
          /REDIS_URL is not set: jobs run in this process and are NOT durable/.test(l.msg),
      ),
    ).toBe(true);
    expect(body).toEqual({ status: 'ready', queue: 'in-process' });
  });
});
