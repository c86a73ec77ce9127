import { ConfigError } from '../../src/lib/index.js';
import {
  ENV_VARIABLES,
  envVarMeta,
  parseEnv,
  resolveProvider,
  secretValues,
} from '../../src/config/index.js';

describe('parseEnv', () => {
  it('applies the documented defaults when nothing is set', () => {
    const env = parseEnv({});

    expect(env.PORT).toBe(3000);
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.WEBHOOK_PATH).toBe('/api/github/webhooks');
    expect(env.GHE_PROTOCOL).toBe('https');
    expect(env.CLAW_REDIS_PREFIX).toBe('{claw}');
    expect(env.CLAW_MAX_TURNS).toBe(60);
    expect(env.CLAW_MAX_COST_USD).toBe(5);
    expect(env.CLAW_JOB_LOCK_SECONDS).toBe(30);
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('coerces numbers and keeps strings', () => {
    const env = parseEnv({
      PORT: '8080',
      CLAW_MAX_COST_USD: '2.5',
      CLAW_JOB_LOCK_SECONDS: '2',
      APP_ID: '12345',
      GHE_HOST: 'github.example.com:8443',
    });

    expect(env.PORT).toBe(8080);
    expect(env.CLAW_MAX_COST_USD).toBe(2.5);
    expect(env.CLAW_JOB_LOCK_SECONDS).toBe(2);
    expect(env.APP_ID).toBe('12345');
    expect(env.GHE_HOST).toBe('github.example.com:8443');
  });

  it('treats empty values as unset', () => {
    expect(parseEnv({ REDIS_URL: '', PORT: '  ' }).REDIS_URL).toBeUndefined();
  });

  it('reports one readable line per problem, naming each variable', () => {
    let error: unknown;
    try {
      parseEnv({
        REDIS_URL: 'nope',
        PORT: 'eighty',
        LOG_LEVEL: 'loud',
        GHE_HOST: 'https://github.example.com',
        // Probot's typings narrow LOG_LEVEL in NodeJS.ProcessEnv; the point here is a value outside them.
      } as unknown as NodeJS.ProcessEnv);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).message.split('\n');
    expect(lines[0]).toBe('Invalid environment:');
    expect(lines).toHaveLength(5);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/),
        expect.stringMatching(/^ {2}PORT: .*whole number.*"eighty"/),
        expect.stringMatching(
          /^ {2}LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent/,
        ),
        expect.stringMatching(/^ {2}GHE_HOST: must be a host name .* without a scheme/),
      ]),
    );
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
  });

  it('never echoes the value of a secret variable in an error', () => {
    expect(() => parseEnv({ REDIS_URL: 'http://user:hunter2-secret@host' })).toThrow(/REDIS_URL/);
    expect(() => parseEnv({ REDIS_URL: 'http://user:hunter2-secret@host' })).not.toThrow(/hunter2/);
  });

  it('documents every variable with a description', () => {
    for (const name of ENV_VARIABLES)
      expect(envVarMeta(name).description.length).toBeGreaterThan(10);
  });
});

describe('resolveProvider', () => {
  it('prefers an explicit CLAW_PROVIDER, then the Anthropic key, then OpenAI', () => {
    expect(
      resolveProvider(parseEnv({ CLAW_PROVIDER: 'scripted:/tmp/t.json', ANTHROPIC_API_KEY: 'k' })),
    ).toBe('scripted:/tmp/t.json');
    expect(resolveProvider(parseEnv({ ANTHROPIC_API_KEY: 'k', OPENAI_API_KEY: 'o' }))).toBe(
      'anthropic',
    );
    expect(resolveProvider(parseEnv({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }))).toBe(
      'openai',
    );
    expect(resolveProvider(parseEnv({}))).toBeUndefined();
  });
});

describe('secretValues', () => {
  it('lists the values of secret variables and of those named in CLAW_SECRET_ENV', () => {
    const raw = {
      WEBHOOK_SECRET: 'whsec-value',
      ANTHROPIC_API_KEY: 'sk-ant-value',
      PORT: '3000',
      CLAW_SECRET_ENV: 'DB_PASSWORD',
      DB_PASSWORD: 'pg-pass',
    };

    const values = secretValues(parseEnv(raw), raw);

    expect(values).toEqual(expect.arrayContaining(['whsec-value', 'sk-ant-value', 'pg-pass']));
    expect(values).not.toContain('3000');
  });
});
