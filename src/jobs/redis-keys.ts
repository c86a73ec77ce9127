// Every Redis key Claw uses, under one configurable hash-tagged prefix (`{claw}` by default), so a queue's
// keys share a Redis Cluster slot and Lua scripts may touch several of them.
export const QUEUE_NAME = 'jobs';

export interface RedisKeys {
  /** BullMQ's `prefix` option; its keys are `<prefix>:jobs:…`. */
  bullPrefix: string;
  job(jobId: string): string;
  targetLock(target: string): string;
  targetQueue(target: string): string;
  sequence: string;
  cancelMarker(jobId: string): string;
  checkpoint(jobId: string): string;
  trackingComment(jobId: string): string;
  cancelChannel: string;
}

/** Accepts `{claw}` or `{claw}:` (the test helper's form). */
export function redisKeys(prefix: string): RedisKeys {
  const root = prefix.replace(/:+$/, '');
  if (!/\{[^{}]+\}/.test(root))
    throw new Error(`The Redis prefix ${root} needs a {hash tag} for Redis Cluster`);
  return {
    bullPrefix: root,
    job: (jobId) => `${root}:${QUEUE_NAME}:${jobId}`,
    targetLock: (target) => `${root}:target:${target}:lock`,
    targetQueue: (target) => `${root}:target:${target}:queue`,
    sequence: `${root}:target-sequence`,
    cancelMarker: (jobId) => `${root}:cancel:${jobId}`,
    checkpoint: (jobId) => `${root}:checkpoint:${jobId}`,
    trackingComment: (jobId) => `${root}:tracking-comment:${jobId}`,
    cancelChannel: `${root}:cancel-channel`,
  };
}
