// Workspace: git for jobs. Bare mirror cache, a worktree per job, bot-authored commits, gated and leased pushes.
// Other folders import only from here.
export * from './branch-name.js';
export {
  cacheLayout,
  defaultCacheDir,
  mirrorPath,
  type RepositoryRef,
  type CacheLayout,
} from './cache-layout.js';
export { processStartTicks, withFileLock, type LockOptions } from './file-lock.js';
export {
  basicAuthHeader,
  type GitCommandEvent,
  type GitCommandObserver,
  type TokenProvider,
} from './git-runner.js';
export * from './job-workspace.js';
export * from './workspace-manager.js';
