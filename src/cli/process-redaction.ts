// Puts undercover on every exit of a long-running process: the log sink, and every Octokit client
// (request bodies redacted, installation tokens learnt as known secrets as soon as they are minted).
import { rememberInstallationTokens, type OctokitHook } from '../github/index.js';
import { loadPrivateKey, type ServerEnv } from '../config/index.js';
import { createLogSink, createLogger, type LogSink, type Logger } from '../lib/index.js';
import {
  FindingCounter,
  createLogLineRedactor,
  createRedactor,
  installRedactionHook,
  redactionPolicyFromEnv,
  type Redactor,
} from '../undercover/index.js';

export interface ProcessRedaction {
  redactor: Redactor;
  logger: Logger;
  octokitHooks: OctokitHook[];
  findings: FindingCounter;
}

export interface ProcessRedactionOptions {
  env: ServerEnv;
  rawEnv?: NodeJS.ProcessEnv;
  name: string;
  /** Where log lines go; stdout by default. */
  sink?: LogSink;
}

export async function createProcessRedaction(
  options: ProcessRedactionOptions,
): Promise<ProcessRedaction> {
  const { env } = options;
  const privateKey = await loadPrivateKey(env);
  const redactor = createRedactor(
    redactionPolicyFromEnv(
      env,
      options.rawEnv ?? process.env,
      undefined,
      privateKey === undefined ? {} : { privateKey },
    ),
  );
  const findings = new FindingCounter();
  const sink = options.sink ?? createLogSink();
  sink.setRedactor(createLogLineRedactor(redactor, { onFinding: findings.record }));
  const logger = createLogger({
    level: env.LOG_LEVEL,
    base: { name: `claw-${options.name}` },
    sink,
  });
  const octokitHooks: OctokitHook[] = [
    rememberInstallationTokens(redactor),
    (octokit) => installRedactionHook(octokit, redactor, { logger, onFinding: findings.record }),
  ];
  return { redactor, logger, octokitHooks, findings };
}
