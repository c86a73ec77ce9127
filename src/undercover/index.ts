// Undercover: the deterministic redaction filter at every exit (GitHub API, git push, logs, transcripts, CLI).
// Other folders import only from here.
export type {
  Attribution,
  Finding,
  PatchFinding,
  RedactOptions,
  RedactResult,
  RedactionPolicy,
  Redactor,
  Rule,
  RuleCategory,
} from './types.js';
export {
  ATTRIBUTION_RULE,
  DENY_TERM_RULE,
  KNOWN_SECRET_RULE,
  addedLinesByFile,
  builtinRules,
  createRedactor,
} from './create-redactor.js';
export { knownSecretForms, MIN_KNOWN_SECRET_LENGTH } from './known-secrets.js';
export { normalizeTerm } from './deny-terms.js';
export { findAttribution } from './attribution.js';
export {
  parseDenyTermsFile,
  parseRedactionPolicyFile,
  redactionPolicyFromEnv,
  RedactionPolicyFile,
  splitDenyTerms,
  type PolicyFromEnvOptions,
} from './policy.js';
export {
  FindingCounter,
  type FindingListener,
  type RedactionEvent,
  type RedactionExit,
} from './finding-counter.js';
export {
  installRedactionHook,
  redactRequestOptions,
  type HookableOctokit,
  type RedactionHookOptions,
  type RequestOptionsLike,
} from './install-redaction-hook.js';
export {
  gatePush,
  prepareCommitMessage,
  secretInDiffMessage,
  type GatePushOptions,
  type GatePushResult,
  type PreparedCommitMessage,
} from './gate-push.js';
export { createLogLineRedactor, createTranscriptRedactor } from './create-log-line-redactor.js';
export { base62, crc32, hasValidGitHubChecksum } from './github-checksum.js';
