// Builds the GitHub Action's bundle (action/dist/index.js) with esbuild, or with `--check` rebuilds it into a
// temp dir and fails when the committed bundle differs. esbuild's output is a pure function of its inputs, so
// any difference means the sources (or the locked dependencies) changed without `npm run build:action`.
import { build, type BuildOptions } from 'esbuild';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ACTION_BUNDLE = path.join(root, 'action', 'dist', 'index.js');

/** Source folders that must never reach the bundle: the dev doubles (and their OpenAPI description) and tests. */
const FORBIDDEN = [/^src\/dev\//, /^test\//, /node_modules\/@octokit\/openapi\//];

export function actionBuildOptions(outfile: string): BuildOptions {
  return {
    absWorkingDir: root,
    entryPoints: ['src/action/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // CommonJS dependencies call require(); an ES module has none until this gives it one.
    banner: {
      js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    },
    legalComments: 'none',
    charset: 'utf8',
    metafile: true,
    logLevel: 'warning',
  };
}

export async function buildAction(outfile: string): Promise<void> {
  const result = await build(actionBuildOptions(outfile));
  const bundled = Object.keys(result.metafile?.inputs ?? {});
  const forbidden = bundled.filter((input) => FORBIDDEN.some((pattern) => pattern.test(input)));
  if (forbidden.length > 0)
    throw new Error(`dev-only code reached the Action bundle:\n  ${forbidden.join('\n  ')}`);
}

/** Rebuilds into a temp dir; resolves with a message when the committed bundle is stale, else undefined. */
export async function checkActionBundle(): Promise<string | undefined> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claw-action-build-'));
  try {
    const fresh = path.join(dir, 'index.js');
    await buildAction(fresh);
    const [expected, committed] = await Promise.all([
      readFile(fresh),
      readFile(ACTION_BUNDLE).catch(() => undefined),
    ]);
    if (committed === undefined) return `${path.relative(root, ACTION_BUNDLE)} does not exist`;
    if (!expected.equals(committed))
      return `${path.relative(root, ACTION_BUNDLE)} is stale: run \`npm run build:action\` and commit the result`;
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  if (process.argv.includes('--check')) {
    const problem = await checkActionBundle();
    if (problem !== undefined) {
      console.error(problem);
      process.exit(1);
    }
    console.log(`${path.relative(root, ACTION_BUNDLE)} is up to date`);
  } else {
    await buildAction(ACTION_BUNDLE);
    console.log(`built ${path.relative(root, ACTION_BUNDLE)}`);
  }
}
