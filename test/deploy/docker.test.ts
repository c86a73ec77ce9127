// Docker cannot run on CI machines, so the image files are linted and parsed here instead of built.
import { readFile } from 'node:fs/promises';
import { validate } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';

interface ComposeService {
  build?: string;
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

  it('is a multi-stage build on a Node LTS slim image', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((m) => [m[1], m[2]]);

    expect(stages).toEqual([
      ['node:${NODE_VERSION}-bookworm-slim', 'build'],
      ['node:${NODE_VERSION}-bookworm-slim', 'runtime'],
    ]);
    expect(Number(/^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1]) % 2).toBe(0);
  });

  it('gives the runtime git, ripgrep, bubblewrap and tini, runs as non-root and checks /healthz', () => {
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));

    expect(runtime).toMatch(
      /apt-get install -y --no-install-recommends git ripgrep bubblewrap tini/,
    );
    expect(/^USER (\S+)$/m.exec(runtime)?.[1]).toBe('node');
    expect(runtime).toMatch(/^HEALTHCHECK .*\n.*\/healthz/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["tini", "--", "claw"\]$/m);
    expect(runtime).toMatch(/^CMD \["start"\]$/m);
  });

  it('installs with npm install (not npm ci), as the lockfile requires', () => {
    expect(dockerfile).toMatch(/RUN npm install /);
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
  });

  it('keeps workers scalable: no fixed name, no host port, a named volume for the mirror cache', () => {
    const worker = compose.services.worker;

    expect(worker?.container_name).toBeUndefined();
    expect(worker?.ports).toBeUndefined();
    expect(worker?.volumes).toContain('claw-cache:/var/cache/claw');
    expect(Object.keys(compose.volumes)).toContain('claw-cache');
  });
});
