// Redis connections for the two sides of the queue: the web process's fails fast (a 503 beats a hung webhook),
// the worker's waits out outages (BullMQ's blocking commands need `maxRetriesPerRequest: null`).
import { Redis } from 'ioredis';
import type { Logger } from '../lib/index.js';

export type RedisRole = 'producer' | 'worker';

export function createRedisConnection(url: string, role: RedisRole, logger?: Logger): Redis {
  const redis =
    role === 'producer'
      ? new Redis(url, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          connectTimeout: 2000,
          retryStrategy: (times) => Math.min(times * 200, 2000),
        })
      : new Redis(url, { maxRetriesPerRequest: null, connectTimeout: 5000 });
  // Outages surface through the failing commands; this only keeps the process from crashing on 'error'.
  let lastLogged = 0;
  redis.on('error', (error) => {
    if (Date.now() - lastLogged < 10_000) return;
    lastLogged = Date.now();
    logger?.warn(
      { err: { message: error.message, code: (error as { code?: string }).code }, role },
      'Redis connection error',
    );
  });
  return redis;
}

/** Resolves once the connection is ready, or rejects after `timeoutMs`. */
export function waitForRedis(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis did not become ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
