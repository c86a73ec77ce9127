// Boots the real `claw web` (startWeb: Probot server, signature checks, BullMQ enqueue) on a loopback port,
// captures its log lines, and delivers signed webhooks over HTTP.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import { startWeb, type RunningWeb } from '../../../src/cli/web.js';
import { parseEnv } from '../../../src/config/index.js';
import { createLogger, createLogSink } from '../../../src/lib/index.js';
import type { ClawMetrics } from '../../../src/server/index.js';
import { testPrivateKey } from '../../github/support/github.js';

export const WEBHOOK_SECRET = 'test-webhook-secret';

export interface LogLine {
  level: number;
  msg: string;
  deliveryId?: string;
  reason?: string;
  [field: string]: unknown;
}

export interface TestWeb extends RunningWeb {
  url: string;
  lines: LogLine[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

export async function startTestWeb(options: {
  redisUrl: string;
  prefix: string;
  env?: Record<string, string>;
  metrics?: ClawMetrics;
}): Promise<TestWeb> {
  const lines: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    sink: createLogSink({ write: (line: string) => lines.push(JSON.parse(line) as LogLine) }),
  });
  const port = await freePort();
  const env = parseEnv({
    APP_ID: '1',
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    REDIS_URL: options.redisUrl,
    CLAW_REDIS_PREFIX: options.prefix.replace(/:+$/, ''),
    HOST: '127.0.0.1',
    PORT: String(port),
    CLAW_REVIEW_DEBOUNCE_SECONDS: '0.3',
    ...options.env,
  });
  const web = await startWeb({
    env,
    logger,
    botLogin: 'claw[bot]',
    disableRetryAndThrottle: true,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  return { ...web, url: `http://127.0.0.1:${port}`, lines };
}

export interface Delivery {
  id: string;
  status: number;
  body: string;
}

export async function deliver(
  web: { url: string },
  name: string,
  payload: unknown,
  options: { id?: string; secret?: string } = {},
): Promise<Delivery> {
  const id = options.id ?? randomUUID();
  const body = JSON.stringify(payload);
  const response = await fetch(`${web.url}/api/github/webhooks`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': name,
      'x-github-delivery': id,
      'x-hub-signature-256': await sign(options.secret ?? WEBHOOK_SECRET, body),
    },
    body,
  });
  return { id, status: response.status, body: await response.text() };
}
