// One end-to-end world per test file: real Redis under a unique prefix, the GitHub emulator, one `claw web`
// process, and the workers and scripted model servers each test starts; all of it is stopped and removed after.
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ScriptedTurn } from '../../../src/agent/index.js';
import {
  startAnthropicServer,
  startGitHubEmulator,
  type AnthropicServer,
  type GitHubEmulator,
} from '../../../src/dev/index.js';
import { connectTestRedis, type TestRedis } from '../../support/redis.js';
import { spawnClaw, type ClawProcess } from './claw-process.js';
import { freePort, waitForHttp } from './wait-for.js';

export const MODEL_KEY = 'e2e-dummy-anthropic-key';

export interface ClawWorld {
  readonly redis: TestRedis;
  /** CLAW_REDIS_PREFIX: the test prefix without its trailing colon. */
  readonly prefix: string;
  /** Removed after the file; HOME of every process, and the place for caches and clones. */
  readonly tmp: string;
  readonly emulator: GitHubEmulator;
  readonly web: ClawProcess;
  /** The environment every Claw process gets, plus `extra`. */
  env(extra: Record<string, string>): Record<string, string>;
  startModel(script: readonly ScriptedTurn[], chunkSize?: number): Promise<AnthropicServer>;
  /** A `claw worker` on `model` with its own cache dir; resolves once it logged that it started. */
  startWorker(
    model: AnthropicServer,
    cacheDir: string,
    name: string,
    extra?: Record<string, string>,
  ): Promise<ClawProcess>;
  /** The web process's output and the workers', for failure messages. */
  logsOf(workers: ClawProcess[]): string;
}

/** The settings every test file's processes share: short delays so the suite stays fast. */
function baseEnv(world: {
  tmp: string;
  emulator: GitHubEmulator;
  redis: TestRedis;
  prefix: string;
}): Record<string, string> {
  const { emulator } = world;
  return {
    HOME: world.tmp,
    APP_ID: String(emulator.app.id),
    PRIVATE_KEY: emulator.app.privateKey,
    WEBHOOK_SECRET: emulator.app.webhookSecret,
    GHE_HOST: emulator.gheHost,
    GHE_PROTOCOL: 'http',
    REDIS_URL: world.redis.url,
    CLAW_REDIS_PREFIX: world.prefix,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    CLAW_REVIEW_DEBOUNCE_SECONDS: '1',
    CLAW_SHUTDOWN_GRACE_SECONDS: '1',
    CLAW_JOB_BACKOFF_SECONDS: '1',
  };
}

/**
 * Registers the file's hooks: the world starts before the first test, each test's workers are stopped after it
 * (a worker left running would take the next test's job) and the API contract is checked, and everything goes
 * after the last test. Call the returned function inside tests.
 */
export function useClawWorld(
  label: string,
  options: { webEnv?: Record<string, string> } = {},
): () => ClawWorld {
  let world: ClawWorld | undefined;
  const processes: ClawProcess[] = [];
  const models: AnthropicServer[] = [];
  let redis: TestRedis | undefined;
  let emulator: GitHubEmulator | undefined;
  let tmp: string | undefined;

  beforeAll(async () => {
    redis = await connectTestRedis(label);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'claw-e2e-'));
    const port = await freePort();
    emulator = await startGitHubEmulator({
      appSlug: 'claw',
      webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
    });
    const shared = { tmp, emulator, redis, prefix: redis.prefix.replace(/:+$/, '') };
    const env = (extra: Record<string, string>) => ({ ...baseEnv(shared), ...extra });
    const web = spawnClaw('web', env({ ...options.webEnv, PORT: String(port) }));
    processes.push(web);
    await waitForHttp(`http://127.0.0.1:${port}/readyz`, {
      timeoutMs: 20_000,
      detail: () => web.output(),
      stopIf: () => web.child.exitCode !== null,
    });
    world = {
      ...shared,
      web,
      env,
      startModel: async (script, chunkSize = 400) => {
        const model = await startAnthropicServer({
          script,
          pick: 'by-history',
          apiKey: MODEL_KEY,
          chunkSize,
        });
        models.push(model);
        return model;
      },
      startWorker: async (model, cacheDir, name, extra = {}) => {
        const worker = spawnClaw(
          'worker',
          env({
            PORT: String(await freePort()),
            ANTHROPIC_API_KEY: MODEL_KEY,
            ANTHROPIC_BASE_URL: model.url,
            CLAW_CACHE_DIR: cacheDir,
            ...extra,
          }),
          name,
        );
        processes.push(worker);
        await worker.waitForLog((line) => line.msg === 'worker started');
        return worker;
      },
      logsOf: (workers) => [web, ...workers].map((p) => `--- ${p.name}\n${p.output()}`).join('\n'),
    };
  }, 30_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await Promise.all(models.map((model) => model.stop()));
    await emulator?.close();
    await redis?.cleanup();
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true });
  }, 20_000);

  afterEach(async () => {
    await Promise.all(processes.filter((p) => p !== world?.web).map((p) => p.stop()));
    emulator?.assertNoViolations();
  }, 15_000);

  return () => {
    if (world === undefined) throw new Error('useClawWorld: called outside a test');
    return world;
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** No installation token in the processes' output, the models' requests or anything under the cache dir. */
export async function expectNoTokenLeaks(
  world: ClawWorld,
  workers: ClawProcess[],
  models: AnthropicServer[],
  cacheDir: string,
): Promise<void> {
  const tokens = world.emulator.issuedTokens();
  expect(tokens.length).toBeGreaterThan(0);
  const places: [string, string][] = [
    ...[world.web, ...workers].map((p): [string, string] => [`${p.name} output`, p.output()]),
    ...models.map((model, index): [string, string] => [
      `model ${index} requests`,
      model.requests.map((request) => request.raw).join('\n'),
    ]),
  ];
  for (const file of await filesUnder(cacheDir)) {
    if ((await stat(file)).size < 4 * 1024 * 1024)
      places.push([file, await readFile(file, 'latin1')]);
  }
  const leaks = places.flatMap(([where, text]) =>
    tokens.filter((token) => text.includes(token)).map(() => where),
  );
  expect(leaks).toEqual([]);
}
