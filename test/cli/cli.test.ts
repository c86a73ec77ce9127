// Runs the real `claw` entry point as a child process, against the real Redis and git of this machine.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { testRedisUrl } from '../support/redis.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const baseEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_OPTIONS: '' };

function claw(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'node',
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { env: { ...baseEnv, ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

describe('claw CLI', () => {
  it('prints help listing only the commands that exist', async () => {
    const run = await claw(['--help']);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: claw <command>/m);
    expect(run.stdout).toMatch(/^ {2}doctor {2}/m);
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

    const run = await claw(['--version']);

    expect(run).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints help and exits 2 on unknown input', async () => {
    const unknown = await claw(['frobnicate']);
    const none = await claw([]);

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
    expect(unknown.stderr).toMatch(/Usage: claw <command>/);
    expect(none.code).toBe(2);
  });
});

describe('claw doctor', () => {
  it('exits 1 and names the variable when REDIS_URL is invalid', async () => {
    const run = await claw(['doctor'], { REDIS_URL: 'nope' });

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^broken {3}env .*REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/m,
    );
  });

  it('with only Redis set, reports Redis ok and the App credentials and model key missing', async () => {
    const run = await claw(['doctor'], { REDIS_URL: testRedisUrl() });

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ok +redis +redis:\/\/.* answered PING/m);
    expect(run.stdout).toMatch(/^missing +github-app /m);
    expect(run.stdout).toMatch(/^missing +model /m);
    expect(run.stdout).toMatch(/^ok +git +git \d+\.\d+/m);
    expect(run.stdout).toMatch(/^(ok|optional) +ripgrep /m);
    expect(run.stdout).toMatch(/^(ok|optional) +bubblewrap /m);
  });

  it('exits 0 with everything set (a dummy key and a fresh RSA private key)', async () => {
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();

    const run = await claw(['doctor'], {
      REDIS_URL: testRedisUrl(),
      APP_ID: '12345',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: 'a-webhook-secret',
      ANTHROPIC_API_KEY: 'sk-ant-dummy',
    });

    expect(run.stdout).toMatch(/^ok +github-app +App 12345 on github.com/m);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('sk-ant-dummy');
  });
});
