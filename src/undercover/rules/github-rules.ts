// GitHub's token formats (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_), from GitHub's 2021 token-format
// announcement; the classic prefixes carry a CRC32 of their random part, which we verify.
import type { Rule } from '../types.js';
import { hasValidGitHubChecksum } from '../github-checksum.js';
import { provider, random } from './define-rule.js';

const checksummed = (prefix: string, id: string, description: string): Rule =>
  provider({
    id,
    description,
    keywords: [prefix],
    pattern: new RegExp(`${prefix}([A-Za-z0-9]{36})`, 'g'),
    group: 0,
    validate: (secret) => hasValidGitHubChecksum(secret.slice(prefix.length)),
  });

export const GITHUB_RULES: readonly Rule[] = [
  checksummed('ghp_', 'github-pat', 'GitHub personal access token (classic)'),
  checksummed('gho_', 'github-oauth-token', 'GitHub OAuth access token'),
  checksummed('ghu_', 'github-user-to-server-token', 'GitHub App user-to-server token'),
  checksummed('ghs_', 'github-server-to-server-token', 'GitHub App installation token'),
  provider({
    id: 'github-refresh-token',
    description: 'GitHub App refresh token',
    keywords: ['ghr_'],
    // Refresh tokens exist in the 36-character checksummed form and a longer 76-character form.
    pattern: /ghr_[A-Za-z0-9]{36}(?:[A-Za-z0-9]{40})?/g,
    validate: (secret) =>
      secret.length === 40 ? hasValidGitHubChecksum(secret.slice(4)) : random(4)(secret.slice(4)),
  }),
  provider({
    id: 'github-fine-grained-pat',
    description: 'GitHub fine-grained personal access token',
    keywords: ['github_pat_'],
    pattern: /github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}/g,
    validate: (secret) => random(4)(secret.slice(11)),
  }),
  provider({
    id: 'github-legacy-installation-token',
    description: 'GitHub App installation token in the pre-2021 `v1.` format',
    keywords: ['v1.'],
    pattern: /v1\.[0-9a-f]{40}/g,
    validate: (secret) => random(3.2)(secret.slice(3)),
  }),
];
