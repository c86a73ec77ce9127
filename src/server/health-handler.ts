// /healthz (the process is alive) and /readyz (its queue store answers: Redis PING; 503 when it does not),
// as a Probot server handler, so orchestrators stop routing webhooks to a web process that cannot store jobs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../lib/index.js';

export interface HealthHandlerOptions {
  /** Rejects when the store jobs go to does not answer. */
  ping(): Promise<void>;
  /** Whether jobs survive a restart (false for the inline runner). */
  durable: boolean;
  logger?: Logger;
}

export type NodeHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

function send(response: ServerResponse, status: number, body: Record<string, unknown>): true {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  response.end(`${JSON.stringify(body)}\n`);
  return true;
}

export function createHealthHandler(options: HealthHandlerOptions): NodeHandler {
  return async (request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    if (path === '/healthz') return send(response, 200, { status: 'ok' });
    if (path !== '/readyz') return false;
    try {
      await options.ping();
      return send(response, 200, {
        status: 'ready',
        queue: options.durable ? 'redis' : 'in-process',
      });
    } catch (error) {
      options.logger?.warn({ err: error }, 'readiness check failed: the job store does not answer');
      return send(response, 503, {
        status: 'unavailable',
        reason: 'the job store did not answer PING',
      });
    }
  };
}
