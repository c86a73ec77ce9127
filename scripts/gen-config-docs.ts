// Regenerates the `.github/claw.yml` reference: the key table in docs/configuration.md and the committed
// JSON Schema, both from src/config/repo-config.ts; `--check` exits 1 when either is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { format, resolveConfig } from 'prettier';
import {
  REPO_CONFIG_SCHEMA_PATH,
  replaceRepoConfigTable,
  repoConfigSchemaDocument,
} from '../src/config/repo-config-docs.js';

const DOCS_PATH = 'docs/configuration.md';

/** The schema file as prettier would leave it, so `npm run format:check` agrees with the generator. */
async function renderSchemaFile(): Promise<string> {
  const options = (await resolveConfig(REPO_CONFIG_SCHEMA_PATH)) ?? {};
  return format(JSON.stringify(repoConfigSchemaDocument()), { ...options, parser: 'json' });
}

const check = process.argv.includes('--check');
const stale: string[] = [];

const docs = await readFile(DOCS_PATH, 'utf8');
const updatedDocs = replaceRepoConfigTable(docs);
const current = await readFile(REPO_CONFIG_SCHEMA_PATH, 'utf8').catch(() => '');
const schema = await renderSchemaFile();

for (const [file, before, after] of [
  [DOCS_PATH, docs, updatedDocs],
  [REPO_CONFIG_SCHEMA_PATH, current, schema],
] as const) {
  if (before === after) continue;
  stale.push(file);
  if (!check) await writeFile(file, after);
}
if (check && stale.length > 0) {
  console.error(`${stale.join(' and ')} stale: run \`npm run docs:config\`.`);
  process.exitCode = 1;
} else if (stale.length > 0) {
  console.log(`${stale.join(' and ')} updated.`);
}
