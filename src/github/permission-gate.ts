// Who may make Claw work: people with write (or maintain/admin) access, asked through the
// collaborator-permission API and cached briefly so a busy thread costs one call per minute.
import type { ClawOctokit } from './octokit-factory.js';
import type { RepoRef } from './parse-trigger.js';

export type PermissionLevel = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

const WRITE_LEVELS: readonly PermissionLevel[] = ['admin', 'maintain', 'write'];

export interface PermissionGateOptions {
  ttlMs?: number;
  now?: () => number;
  /** Bounds the cache; the oldest entries go first. */
  maxEntries?: number;
}

export interface PermissionGate {
  level(octokit: ClawOctokit, repo: RepoRef, login: string): Promise<PermissionLevel>;
  canWrite(octokit: ClawOctokit, repo: RepoRef, login: string): Promise<boolean>;
}

function toLevel(roleName: string | undefined, permission: string | undefined): PermissionLevel {
  const known = ['admin', 'maintain', 'write', 'triage', 'read', 'none'];
  if (roleName !== undefined && known.includes(roleName)) return roleName as PermissionLevel;
  if (permission !== undefined && known.includes(permission)) return permission as PermissionLevel;
  return 'none';
}

export function createPermissionGate(options: PermissionGateOptions = {}): PermissionGate {
  const ttlMs = options.ttlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? 10_000;
  const cache = new Map<string, { level: PermissionLevel; until: number }>();

  const level = async (octokit: ClawOctokit, repo: RepoRef, login: string) => {
    const key = `${repo.owner}/${repo.repo}:${login}`.toLowerCase();
    const cached = cache.get(key);
    if (cached !== undefined && cached.until > now()) return cached.level;
    let found: PermissionLevel;
    try {
      const response = await octokit.rest.repos.getCollaboratorPermissionLevel({
        owner: repo.owner,
        repo: repo.repo,
        username: login,
      });
      found = toLevel(response.data.role_name, response.data.permission);
    } catch (error) {
      // 404: not a collaborator (or not a user at all), which means no write access.
      if ((error as { status?: number }).status !== 404) throw error;
      found = 'none';
    }
    cache.delete(key);
    cache.set(key, { level: found, until: now() + ttlMs });
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    return found;
  };

  return {
    level,
    canWrite: async (octokit, repo, login) =>
      WRITE_LEVELS.includes(await level(octokit, repo, login)),
  };
}
