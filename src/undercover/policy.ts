// Where a redaction policy comes from: the server environment (every secret the process holds, the private
// deny terms) plus the repo's .github/claw.yml, or a policy file for `claw redact`.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { secretValues, type RepoConfig, type ServerEnv } from '../config/index.js';
import { ConfigError } from '../lib/index.js';
import type { RedactionPolicy } from './types.js';

/**
 * Splits `CLAW_REDACT_TERMS` on commas, keeping a `/regex/flags` term whole even when it contains commas.
 */
export function splitDenyTerms(value: string): string[] {
  const terms: string[] = [];
  let pending: string | undefined;
  for (const piece of value.split(',')) {
    if (pending !== undefined) {
      pending += `,${piece}`;
      if (/\/[a-z]*\s*$/.test(piece)) {
        terms.push(pending.trim());
        pending = undefined;
      }
      continue;
    }
    const trimmed = piece.trim();
    if (trimmed.startsWith('/') && !/^\/.+\/[a-z]*$/.test(trimmed)) {
      pending = piece;
      continue;
    }
    if (trimmed !== '') terms.push(trimmed);
  }
  if (pending !== undefined && pending.trim() !== '') terms.push(pending.trim());
  return terms;
}

/** One term per line; blank lines and `#` comments are skipped. */
export function parseDenyTermsFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The PEM in every spelling the env may hold it: as given, with `\n` escapes undone, or base64-decoded. */
function privateKeyForms(raw: string): string[] {
  const forms = [raw];
  const trimmed = raw.trim();
  if (trimmed.includes('\\n')) forms.push(trimmed.replace(/\\n/g, '\n'));
  if (!trimmed.includes('-----BEGIN')) {
    const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
    if (decoded.includes('-----BEGIN')) forms.push(decoded.trim());
  }
  return forms;
}

/** The password inside a URL such as REDIS_URL, which can leak on its own. */
function urlPassword(value: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(value).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}

export interface PolicyFromEnvOptions {
  /** The App private key already loaded by `loadPrivateKey` (covers PRIVATE_KEY_PATH). */
  privateKey?: string;
  /** Reads CLAW_REDACT_TERMS_FILE and PRIVATE_KEY_PATH; defaults to the filesystem. */
  readFile?: (path: string) => string;
}

/**
 * The policy of a server process: every secret env value (and its variants) is a known secret, the private
 * deny terms come from CLAW_REDACT_TERMS / CLAW_REDACT_TERMS_FILE, and the repo config adds terms and
 * chooses the attribution policy.
 */
export function redactionPolicyFromEnv(
  env: ServerEnv,
  rawEnv: NodeJS.ProcessEnv = process.env,
  repoConfig?: Pick<RepoConfig, 'redact_terms' | 'attribution'>,
  options: PolicyFromEnvOptions = {},
): RedactionPolicy {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const knownSecrets = new Set<string>();
  for (const value of secretValues(env, rawEnv)) {
    // A Redis URL without a password holds nothing secret; matching it would only redact "redis://127.0.0.1:6379".
    if (value === env.REDIS_URL && urlPassword(value) === undefined) continue;
    knownSecrets.add(value);
    const password = urlPassword(value);
    if (password !== undefined) knownSecrets.add(password);
  }
  if (env.PRIVATE_KEY !== undefined)
    for (const form of privateKeyForms(env.PRIVATE_KEY)) knownSecrets.add(form);
  if (options.privateKey !== undefined) knownSecrets.add(options.privateKey);
  if (env.PRIVATE_KEY_PATH !== undefined && options.privateKey === undefined) {
    try {
      for (const form of privateKeyForms(readFile(env.PRIVATE_KEY_PATH))) knownSecrets.add(form);
    } catch (error) {
      throw new ConfigError(
        [
          {
            key: 'PRIVATE_KEY_PATH',
            message: `cannot read ${env.PRIVATE_KEY_PATH} to protect it from leaking`,
          },
        ],
        { cause: error },
      );
    }
  }
  // The joined list is itself secret (env.ts marks it so); the terms are what matters.
  if (env.CLAW_REDACT_TERMS !== undefined) knownSecrets.delete(env.CLAW_REDACT_TERMS);

  const denyTerms =
    env.CLAW_REDACT_TERMS === undefined ? [] : splitDenyTerms(env.CLAW_REDACT_TERMS);
  if (env.CLAW_REDACT_TERMS_FILE !== undefined) {
    let text: string;
    try {
      text = readFile(env.CLAW_REDACT_TERMS_FILE);
    } catch (error) {
      throw new ConfigError(
        [{ key: 'CLAW_REDACT_TERMS_FILE', message: `cannot read ${env.CLAW_REDACT_TERMS_FILE}` }],
        { cause: error },
      );
    }
    denyTerms.push(...parseDenyTermsFile(text));
  }
  denyTerms.push(...(repoConfig?.redact_terms ?? []));
  return {
    knownSecrets: [...knownSecrets],
    denyTerms,
    attribution: repoConfig?.attribution ?? 'keep',
  };
}

/** The policy file of `claw redact --policy FILE` (YAML or JSON). */
export const RedactionPolicyFile = z
  .object({
    terms: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Deny terms: words, hosts, URL prefixes or /regex/flags.' }),
    attribution: z
      .enum(['keep', 'strip'])
      .default('keep')
      .meta({ description: 'Strip or keep AI co-author trailers and "Generated with" lines.' }),
    disable_rules: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Rule ids to switch off.' }),
    allow: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Exact values that are never reported (documented examples).' }),
    secrets_env: z
      .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name'))
      .default([])
      .meta({ description: 'Environment variables whose values are known secrets.' }),
  })
  .strict();
export type RedactionPolicyFile = z.infer<typeof RedactionPolicyFile>;

export function parseRedactionPolicyFile(
  text: string,
  rawEnv: NodeJS.ProcessEnv = process.env,
  knownRuleIds: readonly string[] = [],
): RedactionPolicy {
  let document: unknown;
  try {
    document = parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(
      [
        {
          key: '(policy file)',
          message: `is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
        },
      ],
      { cause: error },
    );
  }
  const result = RedactionPolicyFile.safeParse(document);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        key: issue.path.join('.') || '(policy file)',
        message:
          issue.code === 'unrecognized_keys'
            ? `unknown keys ${issue.keys.join(', ')}`
            : issue.message,
      })),
    );
  }
  const file = result.data;
  const unknown = file.disable_rules.filter(
    (id) => knownRuleIds.length > 0 && !knownRuleIds.includes(id),
  );
  if (unknown.length > 0) {
    throw new ConfigError([
      { key: 'disable_rules', message: `unknown rule ids: ${unknown.join(', ')}` },
    ]);
  }
  const knownSecrets = file.secrets_env
    .map((name) => rawEnv[name])
    .filter((value): value is string => value !== undefined && value !== '');
  return {
    denyTerms: file.terms,
    attribution: file.attribution,
    disabledRules: file.disable_rules,
    allowValues: file.allow,
    knownSecrets,
  };
}
