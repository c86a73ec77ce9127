// `claw web`: the Probot server (webhooks, /healthz, /readyz, /metrics, the queue dashboard) that stores jobs in
// Redis and does no agent or git work. startWeb is also used by `claw start`, with the inline runner without REDIS_URL.
import type { Queue } from 'bullmq';
import { Probot, Server } from 'probot';
import { createClawApp } from '../app.js';
import { loadPrivateKey, type ServerEnv } from '../config/index.js';
import {
  createClawOctokit,
  createRedisOnceStore,
  githubBaseUrl,
  type OctokitHook,
  type OnceStore,
} from '../github/index.js';
import { createBullQueue, createRedisConnection, type JobQueue } from '../jobs/index.js';
import { ConfigError, type Logger } from '../lib/index.js';
import { createClawMetrics, createQueueDashboard, type ClawMetrics } from '../server/index.js';

export interface WebOptions {
  env: ServerEnv;
  logger: Logger;
  /** Request hooks for every Octokit client (undercover's redaction hook). */
  octokitHooks?: readonly OctokitHook[];
  /** A queue to use instead of Redis (the inline runner in `claw start` without REDIS_URL). */
  queue?: JobQueue;
  once?: OnceStore;
  botLogin?: string;
  /** Tests and benchmarks turn Octokit's retry/throttle off. */
  disableRetryAndThrottle?: boolean;
  /** The process's registry (shared with the worker in `claw start`); a new one when absent. */
  metrics?: ClawMetrics;
}

export interface RunningWeb {
  server: Server;
  port: number;
  queue: JobQueue;
  metrics: ClawMetrics;
  close(): Promise<void>;
}

export async function appCredentials(
  env: ServerEnv,
): Promise<{ appId: string; privateKey: string }> {
  const privateKey = await loadPrivateKey(env);
  const missing = [
    ...(env.APP_ID === undefined ? ['APP_ID'] : []),
    ...(privateKey === undefined ? ['PRIVATE_KEY or PRIVATE_KEY_PATH'] : []),
  ];
  if (env.APP_ID === undefined || privateKey === undefined) {
    throw new ConfigError(
      missing.map((key) => ({
        key,
        message: 'is required; `claw start` without APP_ID registers a new App',
      })),
    );
  }
  return { appId: env.APP_ID, privateKey };
}

export async function startWeb(options: WebOptions): Promise<RunningWeb> {
  const { env, logger } = options;
  const { appId, privateKey } = await appCredentials(env);
  if (env.WEBHOOK_SECRET === undefined) {
    throw new ConfigError([
      { key: 'WEBHOOK_SECRET', message: 'is required: every delivery is verified with it' },
    ]);
  }
  const metrics = options.metrics ?? createClawMetrics({ logger });
  let queue = options.queue;
  let once = options.once;
  let dashboardQueues: Queue[] | undefined;
  const owned: (() => Promise<unknown>)[] = [];
  if (queue === undefined) {
    if (env.REDIS_URL === undefined) {
      throw new ConfigError([
        {
          key: 'REDIS_URL',
          message: 'is required by `claw web`; use `claw start` to run without Redis',
        },
      ]);
    }
    const connection = createRedisConnection(env.REDIS_URL, 'producer', logger);
    const bull = createBullQueue({
      connection,
      prefix: env.CLAW_REDIS_PREFIX,
      attempts: env.CLAW_JOB_ATTEMPTS,
      backoffMs: env.CLAW_JOB_BACKOFF_SECONDS * 1000,
      retention: {
        completedAgeSeconds: env.CLAW_JOB_RETENTION_DAYS * 86_400,
        completedCount: env.CLAW_JOB_RETENTION_COUNT,
        failedAgeSeconds: env.CLAW_JOB_RETENTION_DAYS * 4 * 86_400,
        failedCount: env.CLAW_JOB_RETENTION_COUNT * 5,
      },
    });
    queue = bull;
    dashboardQueues = [bull.queue, bull.ackQueue];
    metrics.watchQueues(dashboardQueues);
    once ??= createRedisOnceStore(connection, env.CLAW_REDIS_PREFIX);
    owned.push(
      () => bull.close(),
      // quit() waits for a connection that may never come back; an outage must not delay shutdown.
      () =>
        connection.status === 'ready'
          ? connection.quit().catch(() => connection.disconnect())
          : Promise.resolve(connection.disconnect()),
    );
  }
  const baseUrl = githubBaseUrl(env);
  const ProbotWithDefaults = Probot.defaults({
    appId,
    privateKey,
    secret: env.WEBHOOK_SECRET,
    log: logger,
    Octokit: createClawOctokit({
      hooks: options.octokitHooks ?? [],
      ...(options.disableRetryAndThrottle === true ? { disableRetryAndThrottle: true } : {}),
    }),
    ...(baseUrl === undefined ? {} : { baseUrl }),
  });
  const server = new Server({
    Probot: ProbotWithDefaults,
    log: logger,
    port: env.PORT,
    host: env.HOST ?? '0.0.0.0',
    webhookPath: env.WEBHOOK_PATH,
    webhookProxy: env.WEBHOOK_PROXY_URL,
  });
  await server.load(
    createClawApp({
      queue,
      logger,
      reviewDebounceMs: env.CLAW_REVIEW_DEBOUNCE_SECONDS * 1000,
      onWebhook: metrics.onWebhook,
      ...(once === undefined ? {} : { once }),
      ...(options.botLogin === undefined ? {} : { botLogin: options.botLogin }),
    }),
  );
  server.addHandler(metrics.handler);
  if (env.ADMIN_PASSWORD !== undefined) {
    if (dashboardQueues === undefined)
      logger.warn('ADMIN_PASSWORD is set, but the queue dashboard needs REDIS_URL: it is off');
    else
      server.addHandler(
        await createQueueDashboard({
          queues: dashboardQueues,
          password: env.ADMIN_PASSWORD,
          logger,
        }),
      );
  }
  const httpServer = await server.start();
  const activeQueue = queue;
  return {
    server,
    port: server.port,
    queue: activeQueue,
    metrics,
    close: async () => {
      const stopped = server.stop();
      // Idle keep-alive sockets would hold close() open for the keep-alive timeout; requests in flight still finish.
      httpServer.closeIdleConnections();
      await stopped;
      for (const release of owned) await release();
    },
  };
}
