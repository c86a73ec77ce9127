// `npm run bench -- <name> [args]`: runs bench/<name>.ts, whose `bench(args)` prints its figures.
// Without a name it lists the benchmarks there are.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

async function available(): Promise<string[]> {
  const files = await readdir(here);
  return files
    .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
    .map((file) => file.replace(/\.ts$/, ''))
    .sort();
}

async function main(): Promise<number> {
  const [name, ...args] = process.argv.slice(2);
  const names = await available();
  if (name === undefined || !names.includes(name)) {
    if (name !== undefined) console.error(`No benchmark named "${name}".`);
    console.log(names.length > 0 ? `Benchmarks: ${names.join(', ')}` : 'No benchmarks yet.');
    console.log('Usage: npm run bench -- <name> [args]');
    return name === undefined ? 0 : 2;
  }
  const module = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as {
    bench?: (args: string[]) => Promise<void>;
  };
  if (typeof module.bench !== 'function')
    throw new Error(`bench/${name}.ts must export bench(args)`);
  await module.bench(args);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
