// Reads `.github/claw.yml` from the default branch and validates it with parseRepoConfig; a missing file
// means the defaults. A short per-process cache keeps busy repositories from costing a call per comment.
import { parseRepoConfig, REPO_CONFIG_PATH, type RepoConfig } from '../config/index.js';
import type { ClawOctokit } from './octokit-factory.js';
import type { RepoRef } from './parse-trigger.js';

export interface LoadedRepoConfig {
  config: RepoConfig;
  /** The blob SHA of the file, undefined when there is none; identifies a version of an invalid file. */
  sha: string | undefined;
}

export interface RepoConfigLoaderOptions {
  ttlMs?: number;
  now?: () => number;
}

/** Throws InvalidRepoConfigFile (carrying the blob SHA and the RepoConfigError) when the file is invalid. */
export type RepoConfigLoader = (octokit: ClawOctokit, repo: RepoRef) => Promise<LoadedRepoConfig>;

export class InvalidRepoConfigFile extends Error {
  constructor(
    readonly sha: string | undefined,
    readonly error: Error,
  ) {
    super(error.message, { cause: error });
    this.name = 'InvalidRepoConfigFile';
  }
}

export async function loadRepoConfig(
  octokit: ClawOctokit,
  repo: RepoRef,
): Promise<LoadedRepoConfig> {
  let text: string | undefined;
  let sha: string | undefined;
  try {
    const response = await octokit.rest.repos.getContent({
      owner: repo.owner,
      repo: repo.repo,
      path: REPO_CONFIG_PATH,
    });
    const file = response.data;
    if (Array.isArray(file) || file.type !== 'file' || !('content' in file)) {
      throw new InvalidRepoConfigFile(undefined, new Error(`${REPO_CONFIG_PATH} is not a file`));
    }
    sha = file.sha;
    text = Buffer.from(file.content, 'base64').toString('utf8');
  } catch (error) {
    if ((error as { status?: number }).status !== 404) throw error;
    return { config: parseRepoConfig(undefined), sha: undefined };
  }
  try {
    return { config: parseRepoConfig(text), sha };
  } catch (error) {
    throw new InvalidRepoConfigFile(sha, error as Error);
  }
}

/** loadRepoConfig behind a small TTL cache (invalid files are not cached, so a fix is seen at once). */
export function createRepoConfigLoader(options: RepoConfigLoaderOptions = {}): RepoConfigLoader {
  const ttlMs = options.ttlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { loaded: LoadedRepoConfig; until: number }>();
  return async (octokit, repo) => {
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    const cached = cache.get(key);
    if (cached !== undefined && cached.until > now()) return cached.loaded;
    const loaded = await loadRepoConfig(octokit, repo);
    if (ttlMs > 0) cache.set(key, { loaded, until: now() + ttlMs });
    if (cache.size > 5000) cache.delete(cache.keys().next().value as string);
    return loaded;
  };
}
