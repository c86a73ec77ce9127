// The queue dashboard on the real `claw web` over HTTP: basic auth (401 with a challenge, constant-time checks),
// Bull Board's page and API for the jobs and acks queues under the project's Redis prefix, and 404 when it is off.
import { jest } from '@jest/globals';
import { isAuthorized } from '../../src/server/index.js';
import { startTestWeb, type TestWeb } from '../app/support/web.js';
import { useTestRedis } from '../support/redis.js';

jest.setTimeout(30_000);

const PASSWORD = 'correct-horse-battery-staple';
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('queue dashboard', () => {
  const redis = useTestRedis(import.meta.url);
  let web: TestWeb;
  let off: TestWeb;

  beforeAll(async () => {
    web = await startTestWeb({
      redisUrl: redis().url,
      prefix: redis().prefix,
      env: { ADMIN_PASSWORD: PASSWORD },
    });
    off = await startTestWeb({ redisUrl: redis().url, prefix: redis().prefix });
  });

  afterAll(async () => {
    await web?.close();
    await off?.close();
  });

  it('answers 401 with a basic-auth challenge when no credentials are sent', async () => {
    const response = await fetch(`${web.url}/admin/queues`);

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
  });

  it('answers 401 to a wrong password, a wrong user and a malformed header', async () => {
    const statuses = [];
    for (const authorization of [
      basic('admin', 'not-the-password'),
      basic('root', PASSWORD),
      `Bearer ${PASSWORD}`,
    ]) {
      const response = await fetch(`${web.url}/admin/queues/api/queues`, {
        headers: { authorization },
      });
      statuses.push(response.status);
    }

    expect(statuses).toEqual([401, 401, 401]);
  });

  it('serves the Bull Board page and its API for the jobs and acks queues with the right credentials', async () => {
    const headers = { authorization: basic('admin', PASSWORD) };

    const page = await fetch(`${web.url}/admin/queues`, { headers });
    const html = await page.text();
    const api = await fetch(`${web.url}/admin/queues/api/queues`, { headers });
    const body = (await api.json()) as { queues: { name: string; readOnlyMode: boolean }[] };

    expect(page.status).toBe(200);
    expect(html).toContain('<base href="/admin/queues/" />');
    expect(html).toContain('<title>Claw queues</title>');
    expect(api.status).toBe(200);
    expect(body.queues.map((queue) => queue.name).sort()).toEqual(['acks', 'jobs']);
    expect(body.queues.every((queue) => queue.readOnlyMode)).toBe(true);
  });

  it('reads the queues under the configured Redis prefix', async () => {
    const queue = (web.queue as unknown as { queue: { opts: { prefix?: string } } }).queue;

    expect(queue.opts.prefix).toBe(redis().prefix.replace(/:+$/, ''));
  });

  it('is absent (404) when ADMIN_PASSWORD is unset', async () => {
    const response = await fetch(`${off.url}/admin/queues`, {
      headers: { authorization: basic('admin', PASSWORD) },
    });

    expect(response.status).toBe(404);
  });
});

describe('isAuthorized', () => {
  it('accepts only admin with the exact password', () => {
    expect(isAuthorized(basic('admin', PASSWORD), PASSWORD)).toBe(true);
    expect(isAuthorized(basic('admin', `${PASSWORD}x`), PASSWORD)).toBe(false);
    expect(isAuthorized(basic('Admin', PASSWORD), PASSWORD)).toBe(false);
    expect(isAuthorized(`Basic ${Buffer.from('admin').toString('base64')}`, PASSWORD)).toBe(false);
    expect(isAuthorized(undefined, PASSWORD)).toBe(false);
  });
});
