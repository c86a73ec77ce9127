// The handlers `claw start` and `claw worker` run: the flows, with dependencies built from the server env.
import { loadPrivateKey, type ServerEnv } from '../config/index.js';
import {
  createFlowDepsFromEnv,
  createShippedHandlers,
  type HandlerRegistry,
} from '../jobs/index.js';
import type { Logger } from '../lib/index.js';
import { FindingCounter } from '../undercover/index.js';
import type { ClawMetrics } from '../server/index.js';

export async function shippedHandlers(
  env: ServerEnv,
  logger: Logger,
  rawEnv: NodeJS.ProcessEnv = process.env,
  metrics?: ClawMetrics,
): Promise<HandlerRegistry> {
  const privateKey = await loadPrivateKey(env);
  // What the flows redact (push gate, commit messages, transcripts) is counted with the process's other exits.
  const findings = new FindingCounter();
  metrics?.watchFindings(findings);
  const deps = await createFlowDepsFromEnv({
    env,
    rawEnv,
    logger,
    ...(privateKey === undefined ? {} : { privateKey }),
    onFinding: findings.record,
    ...(metrics === undefined
      ? {}
      : { onGitCommand: metrics.onGitCommand, onUsage: metrics.onUsage }),
  });
  return createShippedHandlers(deps);
}
