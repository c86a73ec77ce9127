// `claw worker`: takes jobs from Redis and runs their handlers; scale out by starting more of these.
// SIGTERM drains: no new jobs, the running ones get CLAW_SHUTDOWN_GRACE_SECONDS to finish, then exit 0.
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
import { appCredentials } from './web.js';

export interface WorkerOptions {
  env: ServerEnv;
  logger: Logger;
  handlers: HandlerRegistry;
  octokitHooks?: readonly OctokitHook[];
  octokitFactory?: OctokitFactory;
}

export interface RunningWorker {
  worker: JobWorker;
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
  });
  // The acks queue: 👀 + tracking comments of stored jobs, posted here rather than in the web process.
  const producer = createRedisConnection(env.REDIS_URL, 'producer', logger);
  const attachQueue = createBullQueue({ connection: producer, prefix: env.CLAW_REDIS_PREFIX });
  const ackWorker = createAckWorker({
    connection,
    prefix: env.CLAW_REDIS_PREFIX,
    octokitFactory,
    logger,
    attachTrackingComment: (jobId, commentId) =>
      attachQueue.attachTrackingComment(jobId, commentId),
  });
  const kinds = Object.keys(options.handlers);
  logger.info({ concurrency: env.CLAW_WORKER_CONCURRENCY, kinds }, 'worker started');
  if (kinds.length === 0)
    logger.warn(
      'no job handlers are registered in this build: every job will fail as unrecoverable',
    );
  return {
    worker,
    close: async () => {
      await Promise.all([worker.close(env.CLAW_SHUTDOWN_GRACE_SECONDS * 1000), ackWorker.close()]);
      await attachQueue.close();
      await producer.quit().catch(() => producer.disconnect());
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
