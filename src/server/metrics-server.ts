// A bare HTTP server for processes without the Probot server (`claw worker` with CLAW_METRICS_PORT): it runs
// the given handlers in order (/metrics, /healthz, …) and answers 404 to everything else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../lib/index.js';
import type { NodeHandler } from './health-handler.js';

export interface MetricsServerOptions {
  port: number;
  host: string;
  handlers: readonly NodeHandler[];
  logger: Logger;
}

export interface RunningMetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(
  options: MetricsServerOptions,
): Promise<RunningMetricsServer> {
  const server = createServer((request, response) => {
    void (async () => {
      try {
        for (const handler of options.handlers) if (await handler(request, response)) return;
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('not found\n');
      } catch (error) {
        options.logger.error({ err: error, url: request.url }, 'metrics server request failed');
        if (!response.headersSent) response.writeHead(500);
        response.end();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  options.logger.info({ port, host: options.host }, 'metrics server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeIdleConnections();
      }),
  };
}
