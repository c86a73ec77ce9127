import { connectTestRedis, redisHowToStart, useTestRedis } from './redis.js';

describe('test redis helper', () => {
  const redis = useTestRedis(import.meta.url);

  it('gives each test file a unique hash-tagged prefix', async () => {
    const other = await connectTestRedis(import.meta.url);

    expect(redis().prefix).toMatch(/^\{claw-test:redis-[0-9a-f]{8}\}:$/);
    expect(other.prefix).not.toBe(redis().prefix);
    await other.cleanup();
  });

  it('removes every key under its prefix on cleanup and leaves other keys alone', async () => {
    const scoped = await connectTestRedis('scoped.test.ts');
    const outsider = `${redis().prefix}outsider`;
    await scoped.client.set(`${scoped.prefix}a`, '1');
    await scoped.client.hset(`${scoped.prefix}b`, 'field', 'x');
    await redis().client.set(outsider, 'kept');

    await scoped.cleanup();

    expect(await redis().client.exists(`${scoped.prefix}a`, `${scoped.prefix}b`)).toBe(0);
    expect(await redis().client.get(outsider)).toBe('kept');
  });

  it('hands out BullMQ-ready connections that are closed by cleanup', async () => {
    const scoped = await connectTestRedis('conn.test.ts');
    const connection = scoped.connection();

    expect(connection.options.maxRetriesPerRequest).toBeNull();
    expect(await connection.ping()).toBe('PONG');
    await scoped.cleanup();
    expect(['end', 'close']).toContain(connection.status);
  });

  it('fails with a how-to-start message when nothing answers', async () => {
    const unreachable = 'redis://127.0.0.1:1';

    await expect(connectTestRedis('x.test.ts', unreachable)).rejects.toThrow(
      redisHowToStart(unreachable),
    );
    expect(redisHowToStart(unreachable)).toMatch(/redis-server --daemonize yes/);
  });
});
