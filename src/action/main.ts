// The Action's entry point (action.yml runs the bundle built from this file): run one step, exit with its code.
// SIGTERM and SIGINT (the run was cancelled) stop the job and end the step as cancelled.
import { runAction } from './run-action.js';

const controller = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => controller.abort(new Error(`received ${signal}`)));

const { exitCode } = await runAction({ env: process.env, signal: controller.signal });
process.exitCode = exitCode;
