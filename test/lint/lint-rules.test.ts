// The lint rules the architecture relies on: async safety and DESIGN.md's import boundaries.
// Type-aware rules need files on disk inside the TypeScript project, so the probes below are written under src/,
// linted together in one pass (one program build, which is slow on a busy machine) and removed.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint } from 'eslint';

const probes = {
  floating: {
    file: 'src/lib/floating.ts',
    code: 'export async function ping(): Promise<void> {}\nexport function caller(): void {\n  ping();\n}\n',
  },
  agentOctokit: {
    file: 'src/agent/uses-octokit.ts',
    code: "import { Octokit } from '@octokit/rest';\nexport const client = new Octokit();\n",
  },
  agentProbot: {
    file: 'src/agent/uses-probot.ts',
    code: "import { Probot } from 'probot';\nexport type P = Probot;\n",
  },
  upward: {
    file: 'src/undercover/up.ts',
    code: "import { ConfigError } from '../jobs/index.js';\nexport const e = ConfigError;\n",
  },
  internal: {
    file: 'src/agent/deep.ts',
    code: "import { parseEnv } from '../config/env.js';\nexport const p = parseEnv;\n",
  },
  fine: {
    file: 'src/agent/fine.ts',
    code: "import { parseEnv } from '../config/index.js';\nexport const p = parseEnv;\n",
  },
  consoleInLib: {
    file: 'src/lib/hello.ts',
    code: "export function hello(): void {\n  console.log('hi');\n}\n",
  },
  untypedImport: {
    file: 'src/agent/typed.ts',
    code: "import { ServerEnv } from '../config/index.js';\nexport function port(env: ServerEnv): number {\n  return env.PORT;\n}\n",
  },
} as const;

type ProbeName = keyof typeof probes;
const ruleIds = {} as Record<ProbeName | 'consoleInCli', string[]>;

function probePath(file: string): string {
  return path.join(path.dirname(file), `lint-probe-${process.pid}-${path.basename(file)}`);
}

beforeAll(async () => {
  const eslint = new ESLint({ cwd: process.cwd() });
  const entries = Object.entries(probes) as [ProbeName, { file: string; code: string }][];
  const written = entries.map(([name, probe]) => ({
    name,
    file: probePath(probe.file),
    code: probe.code,
  }));
  try {
    for (const probe of written) {
      await mkdir(path.dirname(probe.file), { recursive: true });
      await writeFile(probe.file, probe.code);
    }
    const results = await eslint.lintFiles(written.map((probe) => probe.file));
    for (const probe of written) {
      const result = results.find((candidate) => candidate.filePath === path.resolve(probe.file));
      ruleIds[probe.name] = (result?.messages ?? []).map(
        (message) => message.ruleId ?? message.message,
      );
    }
    const [cli] = await eslint.lintText(probes.consoleInLib.code, { filePath: 'src/cli.ts' });
    ruleIds.consoleInCli = (cli?.messages ?? []).map(
      (message) => message.ruleId ?? message.message,
    );
  } finally {
    await Promise.all(written.map((probe) => rm(probe.file, { force: true })));
  }
}, 300_000);

describe('lint rules', () => {
  it('rejects a floating promise', () => {
    expect(ruleIds.floating).toContain('@typescript-eslint/no-floating-promises');
  });

  it('forbids agent/ to import Octokit or Probot', () => {
    expect(ruleIds.agentOctokit).toContain('no-restricted-imports');
    expect(ruleIds.agentProbot).toContain('no-restricted-imports');
  });

  it('enforces the one-way import flow and imports through index files', () => {
    expect(ruleIds.upward).toContain('claw/import-boundaries');
    expect(ruleIds.internal).toContain('claw/import-boundaries');
    expect(ruleIds.fine).toEqual([]);
  });

  it('keeps console out of src/ except the CLI entry', () => {
    expect(ruleIds.consoleInLib).toContain('no-console');
    expect(ruleIds.consoleInCli).not.toContain('no-console');
  });

  it('requires type-only imports to be marked', () => {
    expect(ruleIds.untypedImport).toContain('@typescript-eslint/consistent-type-imports');
  });
});
