// One active job per target (repo + issue/PR), across every worker process: a FIFO of job ids per target
// plus a lock held by the running job. Lua keeps each step atomic; a crashed holder's lock simply expires.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

// KEYS: lock, fifo, sequence. ARGV: jobId, ttlMs, job-key prefix.
// A job may run when nobody else holds the lock and it is the oldest live job in the FIFO.
// Heads that finished or vanished (their BullMQ hash has finishedOn, or is gone) are dropped on the way.
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
if not redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
end
while true do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if head == ARGV[1] then break end
  local jobKey = ARGV[3] .. head
  if redis.call('EXISTS', jobKey) == 1 and redis.call('HEXISTS', jobKey, 'finishedOn') == 0 then return 0 end
  redis.call('ZREM', KEYS[2], head)
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

const REFRESH = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

const RELEASE = `
if ARGV[2] == '1' then redis.call('ZREM', KEYS[2], ARGV[1]) end
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const ENROLL = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], redis.call('INCR', KEYS[2]), ARGV[1])
end
return redis.call('ZRANK', KEYS[1], ARGV[1])
`;

export interface TargetLocks {
  /** Puts a job at the back of its target's FIFO; returns how many jobs are ahead of it. */
  enroll(target: string, jobId: string): Promise<number>;
  /** Jobs currently queued or running on the target. */
  count(target: string): Promise<number>;
  jobIds(target: string): Promise<string[]>;
  acquire(target: string, jobId: string): Promise<boolean>;
  refresh(target: string, jobId: string): Promise<boolean>;
  /** Frees the target; `finished` also removes the job from the FIFO (no retry will follow). */
  release(target: string, jobId: string, finished: boolean): Promise<void>;
}

export function createTargetLocks(redis: Redis, keys: RedisKeys, ttlMs: number): TargetLocks {
  const jobKeyPrefix = keys.job('');
  return {
    enroll: async (target, jobId) =>
      Number(await redis.eval(ENROLL, 2, keys.targetQueue(target), keys.sequence, jobId)),
    count: (target) => redis.zcard(keys.targetQueue(target)),
    jobIds: (target) => redis.zrange(keys.targetQueue(target), 0, -1),
    acquire: async (target, jobId) =>
      Number(
        await redis.eval(
          ACQUIRE,
          3,
          keys.targetLock(target),
          keys.targetQueue(target),
          keys.sequence,
          jobId,
          ttlMs,
          jobKeyPrefix,
        ),
      ) === 1,
    refresh: async (target, jobId) =>
      Number(await redis.eval(REFRESH, 1, keys.targetLock(target), jobId, ttlMs)) === 1,
    release: async (target, jobId, finished) => {
      await redis.eval(
        RELEASE,
        2,
        keys.targetLock(target),
        keys.targetQueue(target),
        jobId,
        finished ? '1' : '0',
      );
    },
  };
}
