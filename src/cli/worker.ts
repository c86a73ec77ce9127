// `claw worker`: takes jobs from Redis and runs their handlers; scale out by starting more of these. With
// CLAW_METRICS_PORT it serves /metrics and /healthz. SIGTERM drains: no new jobs, a grace period, then exit 0.
import type { ServerEnv } from '../config/index.js';
import {
  createClawOctokit,
  createOctokitFactory,
  githubBaseUrl,
  type OctokitFactory,
  type OctokitHook,
} from '../github/index.js';
import {
  createAckWorker,
  createBullQueue,
  createJobWorker,
  createRedisConnection,
  type HandlerRegistry,
  type JobWorker,
} from '../jobs/index.js';
import { ConfigError, type Logger } from '../lib/index.js';
import {
  createClawMetrics,
  createHealthHandler,
  startMetricsServer,
  type ClawMetrics,
  type RunningMetricsServer,
} from '../server/index.js';
import { appCredentials } from './web.js';

export interface WorkerOptions {
  env: ServerEnv;
  logger: Logger;
  handlers: HandlerRegistry;
  octokitHooks?: readonly OctokitHook[];
  octokitFactory?: OctokitFactory;
  /** The process's registry (shared with the web server in `claw start`); a new one when absent. */
  metrics?: ClawMetrics;
  /** Serve /metrics on CLAW_METRICS_PORT when it is set (default true; `claw start` serves it on PORT instead). */
  metricsServer?: boolean;
}

export interface RunningWorker {
  worker: JobWorker;
  metrics: ClawMetrics;
  /** The metrics server's port, when one runs. */
  metricsPort?: number;
  close(): Promise<void>;
}

export async function workerOctokitFactory(
  env: ServerEnv,
  logger: Logger,
  hooks: readonly OctokitHook[] = [],
): Promise<OctokitFactory> {
  const { appId, privateKey } = await appCredentials(env);
  return createOctokitFactory({
    appId,
    privateKey,
    baseUrl: githubBaseUrl(env),
    Octokit: createClawOctokit({ hooks }),
    log: logger.child({ component: 'octokit' }) as never,
  });
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { env, logger } = options;
  if (env.REDIS_URL === undefined) {
    throw new ConfigError([
      {
        key: 'REDIS_URL',
        message: 'is required by `claw worker`; use `claw start` to run without Redis',
      },
    ]);
  }
  const octokitFactory =
    options.octokitFactory ?? (await workerOctokitFactory(env, logger, options.octokitHooks));
  const metrics = options.metrics ?? createClawMetrics({ logger });
  const connection = createRedisConnection(env.REDIS_URL, 'worker', logger);
  const worker = createJobWorker({
    connection,
    prefix: env.CLAW_REDIS_PREFIX,
    handlers: options.handlers,
    octokitFactory,
    logger,
    concurrency: env.CLAW_WORKER_CONCURRENCY,
    lockDurationMs: env.CLAW_JOB_LOCK_SECONDS * 1000,
    stalledIntervalMs: env.CLAW_JOB_LOCK_SECONDS * 1000,
    onOutcome: metrics.onJobOutcome,
  });
  // The acks queue: 👀 + tracking comments of stored jobs, posted here rather than in the web process.
  const producer = createRedisConnection(env.REDIS_URL, 'producer', logger);
  const attachQueue = createBullQueue({ connection: producer, prefix: env.CLAW_REDIS_PREFIX });
  metrics.watchQueues([attachQueue.queue, attachQueue.ackQueue]);
  const ackWorker = createAckWorker({
    connection,
    prefix: env.CLAW_REDIS_PREFIX,
    octokitFactory,
    logger,
    attachTrackingComment: (jobId, commentId) =>
      attachQueue.attachTrackingComment(jobId, commentId),
  });
  let metricsServer: RunningMetricsServer | undefined;
  if (env.CLAW_METRICS_PORT !== undefined && options.metricsServer !== false) {
    metricsServer = await startMetricsServer({
      port: env.CLAW_METRICS_PORT,
      host: env.HOST ?? '0.0.0.0',
      logger,
      handlers: [
        metrics.handler,
        createHealthHandler({
          ping: async () => {
            await connection.ping();
          },
          durable: true,
          logger,
        }),
      ],
    });
  }
  const kinds = Object.keys(options.handlers);
  logger.info({ concurrency: env.CLAW_WORKER_CONCURRENCY, kinds }, 'worker started');
  if (kinds.length === 0)
    logger.warn(
      'no job handlers are registered in this build: every job will fail as unrecoverable',
    );
  return {
    worker,
    metrics,
    ...(metricsServer === undefined ? {} : { metricsPort: metricsServer.port }),
    close: async () => {
      // Scraped until the drain is over, so the last jobs' outcomes can still be collected.
      await Promise.all([worker.close(env.CLAW_SHUTDOWN_GRACE_SECONDS * 1000), ackWorker.close()]);
      await attachQueue.close();
      await producer.quit().catch(() => producer.disconnect());
      await connection.quit().catch(() => connection.disconnect());
      await metricsServer?.close();
    },
  };
}
