// HTTP endpoints besides the webhook: health and readiness, Prometheus metrics and the queue dashboard.
export * from './health-handler.js';
export * from './metrics.js';
export * from './metrics-server.js';
export * from './queue-dashboard.js';
