// The lint rules the architecture relies on: async safety and DESIGN.md's import boundaries.
// Type-aware rules need the file on disk inside the TypeScript project, so each probe is written under src/ and removed.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });
let probes = 0;

async function ruleIds(file: string, code: string): Promise<string[]> {
  const probe =
    file === 'src/cli.ts'
      ? file
      : path.join(
          path.dirname(file),
          `lint-probe-${process.pid}-${probes++}-${path.basename(file)}`,
        );
  if (probe === 'src/cli.ts') {
    const [result] = await eslint.lintText(code, { filePath: probe });
    return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
  }
  await mkdir(path.dirname(probe), { recursive: true });
  await writeFile(probe, code);
  try {
    const [result] = await eslint.lintFiles([probe]);
    return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
  } finally {
    await rm(probe, { force: true });
  }
}

// Building the TypeScript program for type-aware rules takes a while on a busy machine; do it once, up front.
beforeAll(async () => {
  await eslint.lintFiles(['src/lib/errors.ts']);
}, 240_000);

describe('lint rules', () => {
  it('rejects a floating promise', async () => {
    const code =
      'export async function ping(): Promise<void> {}\nexport function caller(): void {\n  ping();\n}\n';

    expect(await ruleIds('src/lib/floating.ts', code)).toContain(
      '@typescript-eslint/no-floating-promises',
    );
  });

  it('forbids agent/ to import Octokit or Probot', async () => {
    const octokit =
      "import { Octokit } from '@octokit/rest';\nexport const client = new Octokit();\n";
    const probot = "import { Probot } from 'probot';\nexport type P = Probot;\n";

    expect(await ruleIds('src/agent/uses-octokit.ts', octokit)).toContain('no-restricted-imports');
    expect(await ruleIds('src/agent/uses-probot.ts', probot)).toContain('no-restricted-imports');
  });

  it('enforces the one-way import flow and imports through index files', async () => {
    const upward =
      "import { ConfigError } from '../jobs/index.js';\nexport const e = ConfigError;\n";
    const internal = "import { parseEnv } from '../config/env.js';\nexport const p = parseEnv;\n";
    const fine = "import { parseEnv } from '../config/index.js';\nexport const p = parseEnv;\n";

    expect(await ruleIds('src/undercover/up.ts', upward)).toContain('claw/import-boundaries');
    expect(await ruleIds('src/agent/deep.ts', internal)).toContain('claw/import-boundaries');
    expect(await ruleIds('src/agent/fine.ts', fine)).toEqual([]);
  });

  it('keeps console out of src/ except the CLI entry', async () => {
    const code = "export function hello(): void {\n  console.log('hi');\n}\n";

    expect(await ruleIds('src/lib/hello.ts', code)).toContain('no-console');
    expect(await ruleIds('src/cli.ts', code)).not.toContain('no-console');
  });

  it('requires type-only imports to be marked', async () => {
    const code =
      "import { ServerEnv } from '../config/index.js';\nexport function port(env: ServerEnv): number {\n  return env.PORT;\n}\n";

    expect(await ruleIds('src/agent/typed.ts', code)).toContain(
      '@typescript-eslint/consistent-type-imports',
    );
  });
});
