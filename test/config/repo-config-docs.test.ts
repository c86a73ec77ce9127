import { access, readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { format, resolveConfig } from 'prettier';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseRepoConfig, RepoConfig } from '../../src/config/index.js';
import {
  REPO_CONFIG_SCHEMA_PATH,
  renderRepoConfigTable,
  replaceRepoConfigTable,
  repoConfigKeys,
  repoConfigSchemaDocument,
} from '../../src/config/repo-config-docs.js';
import { RepoConfigError } from '../../src/lib/index.js';

const DOCS = 'docs/configuration.md';

/** The keys straight from the zod shapes, so the generator's JSON Schema walk is checked independently. */
function zodKeys(schema: z.ZodObject, prefix = ''): string[] {
  const keys: string[] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    keys.push(`${prefix}${name}`);
    let inner: z.core.$ZodType = field as z.core.$ZodType;
    // Unwrap .default() and .optional() to reach a nested object.
    while ('innerType' in inner._zod.def) inner = inner._zod.def.innerType as z.core.$ZodType;
    if (inner instanceof z.ZodObject) keys.push(...zodKeys(inner, `${prefix}${name}.`));
  }
  return keys;
}

async function formattedSchema(): Promise<string> {
  const options = (await resolveConfig(REPO_CONFIG_SCHEMA_PATH)) ?? {};
  return format(JSON.stringify(repoConfigSchemaDocument()), { ...options, parser: 'json' });
}

/** The first ```yaml block under `## Example`. */
function exampleOf(docs: string): string {
  const section = docs.slice(docs.indexOf('## Example'));
  const match = /```yaml\n([\s\S]*?)```/.exec(section);
  if (match?.[1] === undefined) throw new Error('docs/configuration.md has no example');
  return match[1];
}

describe('repo config docs', () => {
  it('lists every key of the schema, nested ones dotted, with type and default', () => {
    const keys = repoConfigKeys();
    const table = renderRepoConfigTable();

    expect(keys.map((entry) => entry.key)).toEqual(zodKeys(RepoConfig));
    expect(keys.map((entry) => entry.key)).toContain('sandbox.network');
    for (const entry of keys) {
      expect(entry.description).not.toBe('');
      expect(table).toContain(`| \`${entry.key}\` |`);
    }
    expect(table).toContain('| `review.auto` | boolean | `false` |');
    expect(table).toContain('| `review.max_diff_lines` | integer > 0 | `3000` |');
    expect(table).toContain('| `attribution` | "keep" \\| "strip" | `"keep"` |');
    expect(table).toContain('| `base_branch` | string | — |');
  });

  it('keeps docs/configuration.md in sync with the schema (run `npm run docs:config` when this fails)', async () => {
    const docs = await readFile(DOCS, 'utf8');

    expect(replaceRepoConfigTable(docs)).toBe(docs);
  });

  it('keeps the committed JSON Schema in sync (run `npm run docs:config` when this fails)', async () => {
    const committed = await readFile(REPO_CONFIG_SCHEMA_PATH, 'utf8');

    expect(committed).toBe(await formattedSchema());
  });

  it('documents an example that both Claw and the JSON Schema accept', async () => {
    const example = exampleOf(await readFile(DOCS, 'utf8'));
    const schema = JSON.parse(await readFile(REPO_CONFIG_SCHEMA_PATH, 'utf8')) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);

    const config = parseRepoConfig(example);

    expect(config.review.auto).toBe(true);
    expect(example).toMatch(/^# yaml-language-server: \$schema=\S+claw\.schema\.json$/m);
    expect(validate(parseYaml(example))).toBe(true);
    expect(validate({ ...(parseYaml(example) as object), reviews: { auto: true } })).toBe(false);
  });

  it('points the unknown-key error at a page that exists', async () => {
    let message = '';
    try {
      parseRepoConfig('review:\n  automatic: true\n');
    } catch (error) {
      if (!(error instanceof RepoConfigError)) throw error;
      message = error.problems.map((problem) => `${problem.key} ${problem.message}`).join('\n');
    }

    expect(message).toBe('review.automatic is not a known setting (see docs/configuration.md)');
    await expect(access(DOCS)).resolves.toBeUndefined();
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceRepoConfigTable('# no markers')).toThrow('markers are missing');
  });
});
