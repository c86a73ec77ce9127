// The one place Claw builds Octokit clients: Probot's retry and throttling, GHES base URLs, installation auth,
// and request hooks (undercover's redaction) applied to every client, in the web process and in workers alike.
import { ProbotOctokit } from 'probot';

export type ClawOctokit = InstanceType<typeof ProbotOctokit>;
export type ClawOctokitClass = typeof ProbotOctokit;

/** Runs on every client the factory (or Probot, given the same class) creates, e.g. `installRedactionHook`. */
export type OctokitHook = (octokit: ClawOctokit) => void;

export interface GitHubHostEnv {
  GHE_HOST?: string | undefined;
  GHE_PROTOCOL?: 'https' | 'http' | undefined;
}

/** `https://HOST/api/v3` for GitHub Enterprise Server, undefined for github.com. */
export function githubBaseUrl(env: GitHubHostEnv): string | undefined {
  if (env.GHE_HOST === undefined) return undefined;
  return `${env.GHE_PROTOCOL ?? 'https'}://${env.GHE_HOST}/api/v3`;
}

export interface OctokitClassOptions {
  hooks?: readonly OctokitHook[];
  /** Turns retry and throttling off (tests and benchmarks), using the function form so no delay is left behind. */
  disableRetryAndThrottle?: boolean;
  base?: ClawOctokitClass;
}

/** An Octokit class with the hooks installed by a plugin, so every instance, including Probot's, gets them. */
export function createClawOctokit(options: OctokitClassOptions = {}): ClawOctokitClass {
  const hooks = options.hooks ?? [];
  let Octokit = options.base ?? ProbotOctokit;
  if (options.disableRetryAndThrottle === true) {
    Octokit = Octokit.defaults((instanceOptions: Record<string, unknown>) => ({
      ...instanceOptions,
      retry: { enabled: false },
      throttle: { enabled: false },
    }));
  }
  if (hooks.length === 0) return Octokit;
  const withHooks = (octokit: object): void => {
    for (const hook of hooks) hook(octokit as ClawOctokit);
  };
  return Octokit.plugin(withHooks) as unknown as ClawOctokitClass;
}

export interface OctokitFactoryOptions {
  appId: number | string;
  privateKey: string;
  baseUrl?: string | undefined;
  Octokit?: ClawOctokitClass;
  log?: ClawOctokit['log'];
}

/** Mints installation clients in workers; tokens live only in the client's memory, never in Redis or job data. */
export interface OctokitFactory {
  forInstallation(installationId: number): Promise<ClawOctokit>;
}

/**
 * One client per installation, reused: its auth strategy keeps the installation token in memory and renews it
 * before it expires, so a busy worker does not mint (and sign a JWT for) a token per job.
 */
export function createOctokitFactory(options: OctokitFactoryOptions): OctokitFactory {
  const Octokit = options.Octokit ?? createClawOctokit();
  const clients = new Map<number, ClawOctokit>();
  const maxClients = 1000;
  return {
    forInstallation: (installationId) => {
      let client = clients.get(installationId);
      if (client === undefined) {
        client = new Octokit({
          auth: { appId: options.appId, privateKey: options.privateKey, installationId },
          ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
          ...(options.log === undefined ? {} : { log: options.log }),
        });
        clients.set(installationId, client);
        if (clients.size > maxClients) clients.delete(clients.keys().next().value as number);
      }
      return Promise.resolve(client);
    },
  };
}
