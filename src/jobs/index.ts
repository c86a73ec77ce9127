// Jobs: payload schemas, the handler contract, the BullMQ queue and worker, the inline runner,
// the error classifier and the Redis key layout.
export * from './checkpoint-store.js';
export * from './classify-error.js';
export * from './execute-job.js';
export * from './handler.js';
export * from './inline-runner.js';
export * from './job-queue.js';
export * from './job-worker.js';
export * from './payloads.js';
export * from './redis-keys.js';
export * from './target-lock.js';
export * from './redis-connection.js';
export * from './acknowledge.js';
export * from './handlers/index.js';
