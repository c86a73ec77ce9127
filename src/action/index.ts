// The GitHub Action: the App's triggers, permission gate and job handlers run in one step on the runner, with
// the inline runner instead of Redis. `main.ts` is the bundle's entry; this is the surface for the CLI and tests.
export * from './action-config.js';
export * from './action-context.js';
export * from './action-deps.js';
export * from './action-inputs.js';
export * from './action-logger.js';
export * from './action-summary.js';
export * from './decide-action.js';
export * from './run-action.js';
export * from './transcript-figures.js';
export * from './workflow-commands.js';
