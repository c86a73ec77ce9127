// Regenerates the environment table in README.md from src/config/env.ts; `--check` exits 1 when it is stale.
import { readFile, writeFile } from 'node:fs/promises';
import { replaceEnvTable } from '../src/config/index.js';

const readme = await readFile('README.md', 'utf8');
const updated = replaceEnvTable(readme);
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md env table is stale: run `npm run docs:env`.');
    process.exitCode = 1;
  }
} else if (updated !== readme) {
  await writeFile('README.md', updated);
  console.log('README.md env table updated.');
}
