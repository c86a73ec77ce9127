import {
  DEFAULT_REPO_CONFIG,
  parseRepoConfig,
  repoConfigJsonSchema,
} from '../../src/config/index.js';
import { RepoConfigError } from '../../src/lib/index.js';

function problemsOf(text: string): string[] {
  try {
    parseRepoConfig(text);
  } catch (error) {
    if (error instanceof RepoConfigError)
      return error.problems.map((p) => `${p.key}: ${p.message}`);
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseRepoConfig', () => {
  it('returns the defaults for a missing or empty file', () => {
    expect(parseRepoConfig(undefined)).toEqual(DEFAULT_REPO_CONFIG);
    expect(parseRepoConfig('# only a comment\n')).toEqual(DEFAULT_REPO_CONFIG);
    expect(DEFAULT_REPO_CONFIG.trigger_phrase).toBe('@claw');
    expect(DEFAULT_REPO_CONFIG.review.auto).toBe(false);
    expect(DEFAULT_REPO_CONFIG.attribution).toBe('keep');
  });

  it('merges given keys over the defaults', () => {
    const config = parseRepoConfig(
      'trigger_phrase: "@helper"\nreview:\n  auto: true\n  paths: ["src/**"]\nredact_terms: [Nebula]\n',
    );

    expect(config.trigger_phrase).toBe('@helper');
    expect(config.review.auto).toBe(true);
    expect(config.review.paths).toEqual(['src/**']);
    expect(config.review.ignore).toEqual(DEFAULT_REPO_CONFIG.review.ignore);
    expect(config.redact_terms).toEqual(['Nebula']);
  });

  it('names each bad key and the form it expects', () => {
    expect(problemsOf('review:\n  auto: "yes please"\nattribution: hide\n')).toEqual([
      'review.auto: must be true or false',
      'attribution: must be one of "keep", "strip"',
    ]);
  });

  it('rejects unknown keys instead of ignoring them', () => {
    expect(problemsOf('reveiw:\n  auto: true\n')).toEqual([
      'reveiw: is not a known setting (see docs/configuration.md)',
    ]);
    expect(problemsOf('review:\n  autoo: true\n')).toEqual([
      'review.autoo: is not a known setting (see docs/configuration.md)',
    ]);
  });

  it('reports broken YAML with its line', () => {
    expect(problemsOf('review:\n  paths: [a\n')[0]).toMatch(/^line \d+: is not valid YAML/);
  });

  it('generates a JSON Schema with descriptions and defaults', () => {
    const schema = repoConfigJsonSchema() as {
      properties: Record<string, { description?: string; default?: unknown }>;
    };

    expect(schema.properties.trigger_phrase?.default).toBe('@claw');
    expect(schema.properties.attribution?.description).toMatch(/co-author/);
  });
});
