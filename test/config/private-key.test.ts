import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPrivateKey } from '../../src/config/index.js';
import { ConfigError } from '../../src/lib/index.js';
import { makeTempDir } from '../support/git-repo.js';

const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

describe('loadPrivateKey', () => {
  it('accepts PEM text, PEM with escaped newlines, and base64 PEM', async () => {
    const escaped = rsaPem.trim().replace(/\n/g, '\\n');
    const base64 = Buffer.from(rsaPem).toString('base64');

    expect(await loadPrivateKey({ PRIVATE_KEY: rsaPem })).toBe(rsaPem.trim());
    expect(await loadPrivateKey({ PRIVATE_KEY: escaped })).toBe(rsaPem.trim());
    expect(await loadPrivateKey({ PRIVATE_KEY: base64 })).toBe(rsaPem.trim());
  });

  it('reads PRIVATE_KEY_PATH', async () => {
    const file = path.join(await makeTempDir(), 'app.pem');
    await writeFile(file, rsaPem);

    expect(await loadPrivateKey({ PRIVATE_KEY_PATH: file })).toBe(rsaPem.trim());
  });

  it('returns undefined when no key is configured', async () => {
    expect(await loadPrivateKey({})).toBeUndefined();
  });

  it('rejects text that is not an RSA private key, with advice', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();

    await expect(loadPrivateKey({ PRIVATE_KEY: 'not a key' })).rejects.toThrow(
      /PRIVATE_KEY: is not a valid RSA private key .*download a new key/,
    );
    await expect(loadPrivateKey({ PRIVATE_KEY: ec })).rejects.toThrow(
      /ec key; GitHub App keys are RSA/,
    );
  });

  it('names the path when the key file cannot be read', async () => {
    await expect(loadPrivateKey({ PRIVATE_KEY_PATH: '/nonexistent/app.pem' })).rejects.toThrow(
      ConfigError,
    );
    await expect(loadPrivateKey({ PRIVATE_KEY_PATH: '/nonexistent/app.pem' })).rejects.toThrow(
      /cannot read \/nonexistent\/app.pem: ENOENT/,
    );
  });
});
