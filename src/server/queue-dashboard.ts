// The queue dashboard (Bull Board, read-only) under /admin/queues behind HTTP basic auth (user `admin`,
// ADMIN_PASSWORD), as a Probot server handler: Bull Board's Express router is mounted by stripping the base path.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Queue } from 'bullmq';
import type { Logger } from '../lib/index.js';
import type { NodeHandler } from './health-handler.js';

export const DASHBOARD_PATH = '/admin/queues';
export const DASHBOARD_USER = 'admin';

export interface QueueDashboardOptions {
  queues: readonly Queue[];
  password: string;
  basePath?: string;
  logger?: Logger;
}

type ExpressRouter = (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
// Equal-length digests, so the comparison takes the same time whatever was typed.
const sameText = (given: string, expected: string) =>
  timingSafeEqual(digest(given), digest(expected));

/** True for `Authorization: Basic base64(admin:<password>)`; both parts are compared in constant time. */
export function isAuthorized(header: string | undefined, password: string): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (match?.[1] === undefined) return false;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const userMatches = sameText(decoded.slice(0, colon), DASHBOARD_USER);
  const passwordMatches = sameText(decoded.slice(colon + 1), password);
  return userMatches && passwordMatches;
}

const QUEUE_DESCRIPTIONS: Record<string, string> = {
  jobs: 'Claw jobs: resolve-issue, review-pr, address-review',
  acks: 'Acknowledgements: 👀 and the tracking comment of each stored job',
};

/** Loads Bull Board (and Express) only when the dashboard is on, so other commands start without them. */
export async function createQueueDashboard(options: QueueDashboardOptions): Promise<NodeHandler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const basePath = options.basePath ?? DASHBOARD_PATH;
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(basePath);
  // Read-only: a job retried or removed from here would bypass the per-target FIFO and its lock.
  createBullBoard({
    queues: options.queues.map(
      (queue) =>
        new BullMQAdapter(queue, {
          readOnlyMode: true,
          allowRetries: false,
          ...(QUEUE_DESCRIPTIONS[queue.name] === undefined
            ? {}
            : { description: QUEUE_DESCRIPTIONS[queue.name] }),
        }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Claw queues', hideDocsLink: true } },
  });
  const router = serverAdapter.getRouter() as ExpressRouter;

  return async (request, response) => {
    const url = request.url ?? '';
    const path = url.split('?')[0] ?? '';
    if (path !== basePath && !path.startsWith(`${basePath}/`)) return false;
    if (!isAuthorized(request.headers.authorization, options.password)) {
      response.writeHead(401, {
        'www-authenticate': 'Basic realm="Claw queue dashboard", charset="UTF-8"',
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
      });
      response.end('Authentication required: user admin and ADMIN_PASSWORD.\n');
      return true;
    }
    // What express's app.use(basePath, router) would do: the router sees paths below the base.
    const rest = url.slice(basePath.length);
    request.url = rest.startsWith('/') ? rest : `/${rest}`;
    await new Promise<void>((resolve) => {
      response.once('finish', resolve);
      response.once('close', resolve);
      router(request, response, (error) => {
        if (error !== undefined)
          options.logger?.error({ err: error, url }, 'queue dashboard request failed');
        if (!response.headersSent)
          response.writeHead(error === undefined ? 404 : 500, { 'content-type': 'text/plain' });
        response.end(error === undefined ? 'not found\n' : 'dashboard error\n');
      });
    });
    return true;
  };
}
