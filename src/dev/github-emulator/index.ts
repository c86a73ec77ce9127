// The local GitHub emulator (tests, e2e and `npm run demo`): public surface.
export {
  GitHubEmulator,
  startGitHubEmulator,
  type GitHubEmulatorOptions,
  type ContractViolation,
  type RequestRecord,
  type SeedRepoOptions,
  type ForkOptions,
  type ForkPullRequestInput,
  type AppInfo,
} from './github-emulator.js';
export {
  loadOpenApiContract,
  OpenApiContract,
  type OpenApiDescription,
  type ContractProblem,
} from './openapi-contract.js';
export { signWebhook, type WebhookDelivery } from './webhooks.js';
export type {
  Repo as EmulatedRepo,
  Issue as EmulatedIssue,
  PullRequest as EmulatedPullRequest,
  IssueComment as EmulatedComment,
  ReviewComment as EmulatedReviewComment,
  Permission,
} from './state.js';
