// Building the policy from the server environment, the repo config and a policy file.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseEnv, parseRepoConfig } from '../../src/config/index.js';
import {
  createRedactor,
  parseRedactionPolicyFile,
  redactionPolicyFromEnv,
  splitDenyTerms,
} from '../../src/undercover/index.js';
import { privateKeys, TokenFactory } from '../fixtures/undercover/tokens.js';

const t = new TokenFactory(42);

describe('redactionPolicyFromEnv', () => {
  it('treats every secret env value (and its variants) as known and reads deny terms from env, file and repo', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'claw-policy-'));
    const termsFile = path.join(dir, 'terms.txt');
    await writeFile(termsFile, '# internal codenames\nHummingbird\n\nbuild.corp.example\n');
    const pem = privateKeys().rsaPkcs1;
    const raw = {
      APP_ID: '123',
      PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
      WEBHOOK_SECRET: `hook-${t.alnum(20)}`,
      ANTHROPIC_API_KEY: `sk-ant-api03-${t.urlSafe(93)}AA`,
      REDIS_URL: `redis://:${t.alnum(16)}@redis.internal:6379`,
      CLAW_REDACT_TERMS: 'Project Falcon, /FAL-\\d{1,5}/',
      CLAW_REDACT_TERMS_FILE: termsFile,
      CLAW_SECRET_ENV: 'EXTRA_SECRET',
      EXTRA_SECRET: `extra-${t.alnum(12)}`,
    };
    const repoConfig = parseRepoConfig('redact_terms: [Nightjar]\nattribution: strip\n');
    const policy = redactionPolicyFromEnv(parseEnv(raw), raw, repoConfig);
    expect(policy.denyTerms).toEqual([
      'Project Falcon',
      '/FAL-\\d{1,5}/',
      'Hummingbird',
      'build.corp.example',
      'Nightjar',
    ]);
    expect(policy.attribution).toBe('strip');
    const redactor = createRedactor(policy);
    const password = new URL(raw.REDIS_URL).password;
    const leaks = [
      raw.WEBHOOK_SECRET,
      raw.EXTRA_SECRET,
      password,
      pem.trim(),
      raw.PRIVATE_KEY,
      pem.split('\n')[3]!,
    ];
    for (const leak of leaks) {
      const result = redactor.redact(`log: ${leak} end`);
      expect(result.text).not.toContain(leak);
    }
    expect(redactor.redact('about FAL-12 and hummingbird').text).toBe(
      'about [REDACTED:deny-term] and [REDACTED:deny-term]',
    );
  });

  it('does not treat a Redis URL without a password as a secret', () => {
    const raw = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(redactionPolicyFromEnv(parseEnv(raw), raw).knownSecrets).toEqual([]);
  });

  it('fails with the variable name when the terms file cannot be read', () => {
    const raw = { CLAW_REDACT_TERMS_FILE: '/nonexistent/terms.txt' };
    expect(() => redactionPolicyFromEnv(parseEnv(raw), raw)).toThrow(
      /CLAW_REDACT_TERMS_FILE: cannot read/,
    );
  });

  it('keeps regex terms with commas whole', () => {
    expect(splitDenyTerms('a, /x{1,3}y/i ,b')).toEqual(['a', '/x{1,3}y/i', 'b']);
  });
});

describe('parseRedactionPolicyFile', () => {
  it('reads terms, attribution, disabled rules, allowed values and secret env names', () => {
    const policy = parseRedactionPolicyFile(
      'terms: [Falcon]\nattribution: strip\ndisable_rules: [jwt]\nallow: [not-a-secret-123]\nsecrets_env: [MY_TOKEN]\n',
      { MY_TOKEN: 'my-token-value-123' },
      ['jwt'],
    );
    expect(policy).toEqual({
      denyTerms: ['Falcon'],
      attribution: 'strip',
      disabledRules: ['jwt'],
      allowValues: ['not-a-secret-123'],
      knownSecrets: ['my-token-value-123'],
    });
  });

  it('names unknown keys and unknown rule ids', () => {
    expect(() => parseRedactionPolicyFile('term: [x]\n')).toThrow(/unknown keys term/);
    expect(() => parseRedactionPolicyFile('disable_rules: [nope]\n', {}, ['jwt'])).toThrow(
      /unknown rule ids: nope/,
    );
  });
});
