// `claw start` (what `npm start` runs): web and worker in one process. Without APP_ID it runs Probot's
// App registration flow; without REDIS_URL it runs jobs in-process and warns that they are not durable.
import { run, type Server } from 'probot';
import type { ServerEnv } from '../config/index.js';
import type { OctokitHook } from '../github/index.js';
import type { HandlerRegistry } from '../jobs/index.js';
import { createInlineRunner } from '../jobs/index.js';
import type { Logger } from '../lib/index.js';
import { createClawMetrics, type ClawMetrics } from '../server/index.js';
import { shippedHandlers } from './shipped-handlers.js';
import { startWeb } from './web.js';
import { startWorker, workerOctokitFactory } from './worker.js';

export interface StartOptions {
  env: ServerEnv;
  logger: Logger;
  handlers?: HandlerRegistry;
  octokitHooks?: readonly OctokitHook[];
  /** The raw environment, handed to Probot's setup flow. */
  rawEnv?: NodeJS.ProcessEnv;
  /** One registry for the web server and the worker; /metrics is served on PORT. */
  metrics?: ClawMetrics;
}

export interface Running {
  close(): Promise<void>;
}

export async function start(options: StartOptions): Promise<Running> {
  const { env, logger } = options;
  const hooks = options.octokitHooks ?? [];
  if (env.APP_ID === undefined) {
    logger.warn(
      { port: env.PORT },
      `APP_ID is not set: starting GitHub's App registration flow. Open http://localhost:${env.PORT} to register Claw from app.yml; the credentials are written to .env.`,
    );
    const server: Server = await run(() => undefined, {
      env: options.rawEnv ?? process.env,
      log: logger,
    });
    return { close: () => server.stop() };
  }
  const metrics = options.metrics ?? createClawMetrics({ logger });
  const handlers =
    options.handlers ?? (await shippedHandlers(env, logger, options.rawEnv, metrics));
  if (env.REDIS_URL === undefined) {
    logger.warn(
      'REDIS_URL is not set: jobs run in this process and are NOT durable (a restart loses queued and running jobs). Set REDIS_URL for production.',
    );
    const queue = createInlineRunner({
      handlers,
      octokitFactory: await workerOctokitFactory(env, logger, hooks),
      logger,
      attempts: env.CLAW_JOB_ATTEMPTS,
      backoffMs: env.CLAW_JOB_BACKOFF_SECONDS * 1000,
      onOutcome: metrics.onJobOutcome,
    });
    const web = await startWeb({ env, logger, queue, octokitHooks: hooks, metrics });
    return {
      close: async () => {
        await web.close();
        await queue.close();
      },
    };
  }
  const worker = await startWorker({
    env,
    logger,
    handlers,
    octokitHooks: hooks,
    metrics,
    metricsServer: false,
  });
  const web = await startWeb({ env, logger, octokitHooks: hooks, metrics });
  return {
    close: async () => {
      await web.close();
      await worker.close();
    },
  };
}

/** Resolves once SIGTERM or SIGINT arrives and `close` has run; a second signal exits at once. */
export function untilSignal(close: () => Promise<void>, logger: Logger): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      close().then(
        () => resolve(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
