// Development doubles of external services for tests, the end-to-end suite and `npm run demo`.
export * from './anthropic-server.js';
export * from './github-emulator.js';
