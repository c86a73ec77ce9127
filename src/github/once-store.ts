// "Say it once" memory for replies Claw must not repeat (the polite refusal per thread, the invalid-config
// comment per file version): Redis SET NX with a TTL in production, a map in the inline runner and tests.
import type { Redis } from 'ioredis';

export interface OnceStore {
  /** True the first time a key is claimed within its TTL, false afterwards. */
  claim(key: string, ttlMs: number): Promise<boolean>;
}

export function createRedisOnceStore(redis: Redis, prefix: string): OnceStore {
  return {
    claim: async (key, ttlMs) =>
      (await redis.set(`${prefix}:once:${key}`, '1', 'PX', ttlMs, 'NX')) === 'OK',
  };
}

export function createMemoryOnceStore(now: () => number = Date.now): OnceStore {
  const expiries = new Map<string, number>();
  return {
    claim: (key, ttlMs) => {
      const current = now();
      const until = expiries.get(key);
      if (until !== undefined && until > current) return Promise.resolve(false);
      expiries.set(key, current + ttlMs);
      return Promise.resolve(true);
    },
  };
}
