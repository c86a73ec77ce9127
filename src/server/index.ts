// HTTP endpoints besides the webhook: health and readiness.
export * from './health-handler.js';
