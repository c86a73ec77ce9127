import { generateKeyPairSync } from 'node:crypto';
import {
  doctorPassed,
  formatDoctorReport,
  runDoctor,
  safeUrl,
  type DoctorDeps,
} from '../../src/cli/doctor.js';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

function deps(env: NodeJS.ProcessEnv, overrides: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    env,
    pingRedis: () => Promise.resolve(1),
    exec: (command) =>
      Promise.resolve(
        command === 'git'
          ? 'git version 2.39.5\n'
          : command === 'rg'
            ? 'ripgrep 13.0.0\n'
            : 'bubblewrap 0.8.0\n',
      ),
    fileExists: () => Promise.resolve(true),
    ...overrides,
  };
}

const complete = {
  APP_ID: '42',
  PRIVATE_KEY: rsaPem,
  WEBHOOK_SECRET: 'whsec',
  ANTHROPIC_API_KEY: 'sk-ant-x',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

function byName(items: Awaited<ReturnType<typeof runDoctor>>) {
  return Object.fromEntries(items.map((entry) => [entry.name, entry]));
}

describe('runDoctor', () => {
  it('passes when everything required is in place', async () => {
    const items = await runDoctor(deps(complete));

    expect(items.map((entry) => [entry.name, entry.status])).toEqual([
      ['env', 'ok'],
      ['redis', 'ok'],
      ['github-app', 'ok'],
      ['model', 'ok'],
      ['git', 'ok'],
      ['ripgrep', 'ok'],
      ['bubblewrap', 'ok'],
    ]);
    expect(doctorPassed(items)).toBe(true);
  });

  it('still passes when only the optional tools are missing, and says what they change', async () => {
    const exec: DoctorDeps['exec'] = (command) =>
      command === 'git'
        ? Promise.resolve('git version 2.39.5')
        : Promise.reject(new Error('ENOENT'));

    const items = byName(await runDoctor(deps(complete, { exec })));

    expect(items.ripgrep?.status).toBe('optional');
    expect(items.ripgrep?.detail).toMatch(/git grep/);
    expect(items.bubblewrap?.detail).toMatch(/unsandboxed/);
    expect(doctorPassed(Object.values(items))).toBe(true);
  });

  it('reports bubblewrap that is installed but cannot start a sandbox', async () => {
    const exec: DoctorDeps['exec'] = (command, args) =>
      command === 'bwrap' && args[0] !== '--version'
        ? Promise.reject(new Error('bwrap: No permissions to create new namespace'))
        : Promise.resolve(command === 'git' ? 'git version 2.39.5' : 'bubblewrap 0.8.0');

    const items = byName(await runDoctor(deps(complete, { exec })));

    expect(items.bubblewrap?.status).toBe('optional');
    expect(items.bubblewrap?.detail).toMatch(
      /cannot create a sandbox here \(bwrap: No permissions/,
    );
  });

  it('fails naming the variable when the env is invalid', async () => {
    const items = byName(await runDoctor(deps({ ...complete, REDIS_URL: 'nope' })));

    expect(items.env?.status).toBe('broken');
    expect(items.env?.detail).toMatch(/^REDIS_URL: /);
    expect(items.redis?.status).toBe('broken');
    expect(doctorPassed(Object.values(items))).toBe(false);
  });

  it('reports missing App credentials and model key', async () => {
    const items = byName(await runDoctor(deps({})));

    expect(items['github-app']?.status).toBe('missing');
    expect(items['github-app']?.detail).toMatch(
      /APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET not set/,
    );
    expect(items.model?.status).toBe('missing');
    expect(items.model?.detail).toMatch(/ANTHROPIC_API_KEY or OPENAI_API_KEY/);
  });

  it('reports a private key that does not parse', async () => {
    const items = byName(await runDoctor(deps({ ...complete, PRIVATE_KEY: 'garbage' })));

    expect(items['github-app']?.status).toBe('broken');
    expect(items['github-app']?.detail).toMatch(/PRIVATE_KEY is not a valid RSA private key/);
  });

  it('fails when a configured Redis does not answer, and only warns when none is configured', async () => {
    const down: Partial<DoctorDeps> = {
      pingRedis: () => Promise.reject(new Error('ECONNREFUSED')),
    };
    const { REDIS_URL: _unused, ...withoutRedis } = complete;

    const configured = byName(await runDoctor(deps(complete, down)));
    const unconfigured = byName(await runDoctor(deps(withoutRedis, down)));

    expect(configured.redis?.status).toBe('broken');
    expect(configured.redis?.detail).toMatch(/did not answer PING \(ECONNREFUSED\)/);
    expect(unconfigured.redis?.status).toBe('optional');
    expect(unconfigured.redis?.detail).toMatch(/not durable/);
    expect(doctorPassed(Object.values(unconfigured))).toBe(true);
  });

  it('rejects a git that is too old or missing', async () => {
    const old = byName(
      await runDoctor(deps(complete, { exec: () => Promise.resolve('git version 2.17.1') })),
    );
    const none = byName(
      await runDoctor(deps(complete, { exec: () => Promise.reject(new Error('ENOENT')) })),
    );

    expect(old.git?.status).toBe('broken');
    expect(none.git?.status).toBe('missing');
  });

  it('checks that a scripted transcript exists', async () => {
    const items = byName(
      await runDoctor(
        deps(
          { ...complete, ANTHROPIC_API_KEY: '', CLAW_PROVIDER: 'scripted:/x.json' },
          { fileExists: () => Promise.resolve(false) },
        ),
      ),
    );

    expect(items.model?.status).toBe('broken');
    expect(items.model?.detail).toMatch(/\/x.json, which does not exist/);
  });
});

describe('formatDoctorReport', () => {
  it('prints one aligned line per item', () => {
    const text = formatDoctorReport([
      { name: 'env', status: 'ok', detail: 'fine', required: true },
      { name: 'ripgrep', status: 'optional', detail: 'absent', required: false },
    ]);

    expect(text).toBe('ok       env      fine\noptional ripgrep  absent');
  });
});

describe('safeUrl', () => {
  it('hides passwords in URLs', () => {
    expect(safeUrl('redis://default:s3cret@redis.internal:6379')).toBe(
      'redis://default:***@redis.internal:6379',
    );
  });
});
