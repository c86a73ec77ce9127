// All GitHub knowledge: triggers and mentions, the permission gate, Octokit clients, the tracking comment,
// reactions and the repo config file.
export * from './add-reaction.js';
export * from './load-repo-config.js';
export * from './octokit-factory.js';
export * from './once-store.js';
export * from './parse-mention.js';
export * from './parse-trigger.js';
export * from './permission-gate.js';
export * from './tracking-comment.js';
export * from './sanitize-issue-text.js';
export * from './remember-installation-tokens.js';
export * from './load-issue-thread.js';
export * from './pull-requests.js';
export * from './diff-lines.js';
export * from './pull-request-review.js';
export * from './review-thread.js';
