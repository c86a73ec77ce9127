// ctx.checkpoint: a job's resumable state, one Redis hash per job with a TTL (refreshed on every write),
// so a run picked up after a crash starts from the last checkpoint; a map for the inline runner.
import type { Redis } from 'ioredis';
import type { CheckpointStore } from './handler.js';

export function createRedisCheckpointStore(
  redis: Redis,
  key: string,
  ttlMs: number,
): CheckpointStore {
  return {
    get: async <T>(name: string) => {
      const raw = await redis.hget(key, name);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    },
    set: async (name, value) => {
      await redis.multi().hset(key, name, JSON.stringify(value)).pexpire(key, ttlMs).exec();
    },
    clear: async () => {
      await redis.del(key);
    },
  };
}

export function createMemoryCheckpointStore(): CheckpointStore {
  const values = new Map<string, string>();
  return {
    get: <T>(name: string) => {
      const raw = values.get(name);
      return Promise.resolve(raw === undefined ? undefined : (JSON.parse(raw) as T));
    },
    set: (name, value) => {
      values.set(name, JSON.stringify(value));
      return Promise.resolve();
    },
    clear: () => {
      values.clear();
      return Promise.resolve();
    },
  };
}
