import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHealthHandler, type HealthHandlerOptions } from '../../src/server/index.js';

async function serve(options: HealthHandlerOptions): Promise<{ url: string; server: Server }> {
  const handler = createHealthHandler(options);
  const server = createServer((request, response) => {
    void handler(request, response).then((handled) => {
      if (!handled) response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('createHealthHandler', () => {
  it('answers /healthz always and /readyz with 503 while the ping fails', async () => {
    let up = false;
    const { url, server } = await serve({
      durable: true,
      ping: () =>
        up ? Promise.resolve() : Promise.reject(new Error('ECONNREFUSED redis://:hunter2@db:6379')),
    });

    const health = await fetch(`${url}/healthz`);
    const down = await fetch(`${url}/readyz`);
    const downBody = await down.text();
    up = true;
    const ready = await fetch(`${url}/readyz`);
    const other = await fetch(`${url}/elsewhere`);
    server.close();

    expect(health.status).toBe(200);
    expect(down.status).toBe(503);
    expect(downBody).not.toContain('hunter2');
    expect(JSON.parse(downBody)).toEqual({
      status: 'unavailable',
      reason: 'the job store did not answer PING',
    });
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', queue: 'redis' });
    expect(other.status).toBe(404);
  });
});
