// Docker cannot run on CI machines, so the image files are linted and parsed here instead of built.
import { readFile } from 'node:fs/promises';
import { validate } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';
import { ServerEnv } from '../../src/config/index.js';

interface ComposeService {
  build?: string;
  env_file?: string | string[];
  healthcheck?: { disable?: boolean; test?: string[] };
  depends_on?: Record<string, { condition?: string }>;
  stop_grace_period?: string;
  image?: string;
  command?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  container_name?: string;
}

describe('Dockerfile', () => {
  let dockerfile: string;
  beforeAll(async () => {
    dockerfile = await readFile('Dockerfile', 'utf8');
  });

  it('passes the Dockerfile linter without problems', () => {
    const problems = validate(dockerfile).map(
      (d) => `line ${d.range.start.line + 1}: ${d.message}`,
    );

    expect(problems).toEqual([]);
    // The linter does report real problems, so the empty list above means something.
    expect(validate('FROM node:24-slim\nEXPOSE not-a-port\nHEALTHCHECK\n').length).toBeGreaterThan(
      0,
    );
  });

  it('is a multi-stage build on the current Node LTS slim image', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => [m[1], m[2]]);

    expect(stages).toEqual([
      ['node:${NODE_VERSION}-slim', 'build'],
      ['node:${NODE_VERSION}-slim', 'runtime'],
    ]);
    // Node 24 is the Active LTS line; 22 is in maintenance (see the Dockerfile's header).
    expect(/^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1]).toBe('24');
  });

  it('gives the runtime git, ripgrep, bubblewrap and tini, runs as non-root and checks /healthz', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));

    expect(runtime).toMatch(
      /apt-get install -y --no-install-recommends git ripgrep bubblewrap tini/,
    );
    expect(/^USER (\S+)$/m.exec(runtime)?.[1]).toBe('node');
    expect(runtime).toMatch(/^HEALTHCHECK .*\n.*fetch\(.*\/healthz/m);
    expect(runtime).not.toMatch(/curl|wget/);
    expect(runtime).toMatch(/^ENTRYPOINT \["tini", "--", "node", "\/app\/dist\/cli\.js"\]$/m);
    expect(runtime).toMatch(/^CMD \["start"\]$/m);
  });

  it('keeps the build toolchain out of the runtime', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));

    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(runtime).not.toMatch(/^COPY (?!--from=build)(?!app\.yml).*$/m);
    expect(runtime).not.toMatch(/npm (install|ci)/);
  });

  it('installs with npm install (not npm ci), running only the approved install scripts', () => {
    expect(dockerfile).toMatch(/^RUN npm install .*--allow-scripts=esbuild,msgpackr-extract$/m);
    expect(dockerfile).not.toMatch(/^RUN .*npm ci/m);
  });
});

describe('compose.yaml', () => {
  let compose: { services: Record<string, ComposeService>; volumes: Record<string, unknown> };
  beforeAll(async () => {
    compose = parseYaml(await readFile('compose.yaml', 'utf8')) as typeof compose;
  });

  it('runs Redis, claw web and claw worker', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['redis', 'web', 'worker']);
    expect(compose.services.web?.command).toEqual(['web']);
    expect(compose.services.worker?.command).toEqual(['worker']);
    expect(compose.services.web?.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(compose.services.worker?.environment?.REDIS_URL).toBe('redis://redis:6379');
    for (const name of ['web', 'worker']) {
      expect(compose.services[name]?.env_file).toBe('.env');
      expect(compose.services[name]?.depends_on?.redis?.condition).toBe('service_healthy');
    }
  });

  it('turns the HTTP health check off for workers, which serve no HTTP', () => {
    expect(compose.services.worker?.healthcheck?.disable).toBe(true);
    expect(compose.services.web?.healthcheck).toBeUndefined();
  });

  it('gives draining workers longer than the default shutdown grace', () => {
    const minutes = /^(\d+)m$/.exec(compose.services.worker?.stop_grace_period ?? '')?.[1];
    const grace = ServerEnv.shape.CLAW_SHUTDOWN_GRACE_SECONDS.parse(undefined);

    expect(Number(minutes) * 60).toBeGreaterThan(grace);
  });

  it('keeps workers scalable: no fixed name, no host port, a named volume for the mirror cache', () => {
    const worker = compose.services.worker;

    expect(worker?.container_name).toBeUndefined();
    expect(worker?.ports).toBeUndefined();
    expect(worker?.volumes).toContain('claw-cache:/var/cache/claw');
    expect(Object.keys(compose.volumes)).toContain('claw-cache');
  });
});
