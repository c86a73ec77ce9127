// The GitHub App private key, read the ways Probot accepts it: PEM in PRIVATE_KEY (with `\n` escapes or base64),
// or a file at PRIVATE_KEY_PATH; checked to be an RSA private key so a bad key fails at boot, not at the first job.
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ConfigError } from '../lib/index.js';
import type { ServerEnv } from './env.js';

function normalizePem(raw: string): string {
  const trimmed = raw.trim();
  if (trimmed.includes('-----BEGIN')) return trimmed.replace(/\\n/g, '\n');
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  return decoded.includes('-----BEGIN') ? decoded.trim() : trimmed;
}

/** Returns the PEM text, or undefined when neither PRIVATE_KEY nor PRIVATE_KEY_PATH is set. */
export async function loadPrivateKey(
  env: Pick<ServerEnv, 'PRIVATE_KEY' | 'PRIVATE_KEY_PATH'>,
): Promise<string | undefined> {
  let raw = env.PRIVATE_KEY;
  let source = 'PRIVATE_KEY';
  if (raw === undefined && env.PRIVATE_KEY_PATH !== undefined) {
    source = 'PRIVATE_KEY_PATH';
    try {
      raw = await readFile(env.PRIVATE_KEY_PATH, 'utf8');
    } catch (error) {
      throw new ConfigError(
        [
          {
            key: source,
            message: `cannot read ${env.PRIVATE_KEY_PATH}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
          },
        ],
        { cause: error },
      );
    }
  }
  if (raw === undefined) return undefined;
  const pem = normalizePem(raw);
  try {
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== 'rsa') {
      throw new Error(`it is a ${key.asymmetricKeyType ?? 'unknown'} key; GitHub App keys are RSA`);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unreadable';
    throw new ConfigError(
      [
        {
          key: source,
          message: `is not a valid RSA private key (${reason}); download a new key from the App settings page`,
        },
      ],
      { cause: error },
    );
  }
  return pem;
}
