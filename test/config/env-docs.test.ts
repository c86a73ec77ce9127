import { readFile } from 'node:fs/promises';
import { ENV_VARIABLES, renderEnvTable, replaceEnvTable } from '../../src/config/index.js';

describe('env docs', () => {
  it('renders one row per variable with its default', () => {
    const table = renderEnvTable();

    for (const name of ENV_VARIABLES) expect(table).toContain(`| \`${name}\` |`);
    expect(table).toMatch(/\| `PORT` \| .* \| `3000` \|/);
    expect(table).toMatch(/\| `ANTHROPIC_API_KEY` \| .*\(secret\) \|/);
  });

  it('keeps the README table in sync with the schema (run `npm run docs:env` when this fails)', async () => {
    const readme = await readFile('README.md', 'utf8');

    expect(replaceEnvTable(readme)).toBe(readme);
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceEnvTable('# no markers')).toThrow('markers are missing');
  });
});
