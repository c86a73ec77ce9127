// Real Redis for tests: REDIS_URL (default redis://127.0.0.1:6379), a unique hash-tagged key prefix per test file,
// and cleanup of that prefix afterwards. If nothing answers, the error says how to start Redis.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';

export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

export interface TestRedis {
  url: string;
  /** Key prefix unique to this test file, e.g. `{claw-test:queue-abc123}:`. Use it for every key and queue. */
  prefix: string;
  /** A shared client for assertions. */
  client: Redis;
  /** A fresh connection (BullMQ needs its own, with `maxRetriesPerRequest: null`); closed by cleanup. */
  connection(options?: { forBullmq?: boolean }): Redis;
  /** Every key under `prefix`. */
  keys(): Promise<string[]>;
  cleanup(): Promise<void>;
}

export function testRedisUrl(): string {
  return process.env.REDIS_URL?.trim() || DEFAULT_TEST_REDIS_URL;
}

export function redisHowToStart(url: string): string {
  return (
    `Redis did not answer at ${url} (set by REDIS_URL, default ${DEFAULT_TEST_REDIS_URL}). ` +
    "Start it with `redis-server --daemonize yes --port 6379 --save '' --appendonly no` " +
    '(on Debian: `apt-get install redis-server`), or point REDIS_URL at a running Redis.'
  );
}

function uniquePrefix(label: string): string {
  const base = path
    .basename(label)
    .replace(/\.test\.[cm]?[jt]s$/, '')
    .replace(/[^A-Za-z0-9_-]/g, '-');
  return `{claw-test:${base}-${randomBytes(4).toString('hex')}}:`;
}

/** Connects and verifies with PING; fails fast with a how-to-start message when Redis is not there. */
export async function connectTestRedis(label: string, url = testRedisUrl()): Promise<TestRedis> {
  const opened: Redis[] = [];
  const open = (forBullmq: boolean): Redis => {
    const redis = new Redis(url, {
      lazyConnect: false,
      connectTimeout: 2000,
      maxRetriesPerRequest: forBullmq ? null : 1,
      retryStrategy: forBullmq ? undefined : () => null,
    });
    // A dropped connection is reported through the failing command, not as an unhandled 'error' event.
    redis.on('error', () => undefined);
    opened.push(redis);
    return redis;
  };
  const client = open(false);
  try {
    await client.ping();
  } catch (error) {
    await close(client);
    throw new Error(redisHowToStart(url), { cause: error });
  }
  const prefix = uniquePrefix(label);

  const keys = async (): Promise<string[]> => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(
        cursor,
        'MATCH',
        `${escapeGlob(prefix)}*`,
        'COUNT',
        500,
      );
      cursor = next;
      found.push(...batch);
    } while (cursor !== '0');
    return found;
  };

  return {
    url,
    prefix,
    client,
    connection: (options = {}) => open(options.forBullmq ?? true),
    keys,
    cleanup: async () => {
      const leftovers = await keys();
      for (let i = 0; i < leftovers.length; i += 500)
        await client.del(...leftovers.slice(i, i + 500));
      await Promise.all(opened.map(close));
    },
  };
}

/** Resolves once the connection has fully ended, so Jest sees no open handles. */
function close(redis: Redis): Promise<void> {
  if (redis.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    redis.once('end', () => resolve());
    redis.quit().catch(() => redis.disconnect());
  });
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Jest wiring: connects in beforeAll, cleans up in afterAll; call the returned getter inside tests. */
export function useTestRedis(label: string): () => TestRedis {
  let current: TestRedis | undefined;
  beforeAll(async () => {
    current = await connectTestRedis(label);
  });
  afterAll(async () => {
    await current?.cleanup();
  });
  return () => {
    if (current === undefined)
      throw new Error('useTestRedis: Redis is not connected yet (call the getter inside a test)');
    return current;
  };
}
