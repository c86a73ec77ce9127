// Teaches the redactor every installation token the moment GitHub mints it, so the token is a known secret
// for every exit (API bodies, logs, pushes) although it is never configured anywhere.
import type { OctokitHook } from './octokit-factory.js';

const ACCESS_TOKENS = /\/app\/installations\/[^/]+\/access_tokens$/;

export interface SecretSink {
  addSecret(value: string): void;
}

export function rememberInstallationTokens(secrets: SecretSink): OctokitHook {
  return (octokit) => {
    octokit.hook.after('request', (response, options) => {
      if (
        (options.method ?? '').toUpperCase() !== 'POST' ||
        !ACCESS_TOKENS.test(String(options.url))
      )
        return;
      const token = (response.data as { token?: unknown } | undefined)?.token;
      if (typeof token === 'string' && token.length > 0) secrets.addSecret(token);
    });
  };
}
