// Configuration: the server environment (and, later, the repo's .github/claw.yml).
export * from './env.js';
export * from './private-key.js';
export * from './repo-config.js';
export * from './env-docs.js';
