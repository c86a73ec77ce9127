// GitHub App authentication as GitHub does it: RS256 JWTs signed with the App's private key (checked against
// its public key), exchanged for installation tokens (`ghs_…`) that expire and are checked on every request.
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';

export interface JwtClaims {
  iss: string;
  iat: number;
  exp: number;
}

export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; message: string };

function base64UrlJson(part: string): unknown {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
}

/** Verifies an App JWT the way GitHub documents: RS256, `iss` the App id, `exp` at most 10 minutes after `iat`. */
export function verifyAppJwt(
  token: string,
  publicKey: KeyObject,
  appId: number,
  nowMs: number,
): JwtCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, message: 'A JSON web token could not be decoded' };
  const [header, payload, signature] = parts as [string, string, string];
  let decodedHeader: { alg?: string };
  let claims: JwtClaims;
  try {
    decodedHeader = base64UrlJson(header) as { alg?: string };
    claims = base64UrlJson(payload) as JwtClaims;
  } catch {
    return { ok: false, message: 'A JSON web token could not be decoded' };
  }
  if (decodedHeader.alg !== 'RS256') return { ok: false, message: "'alg' must be RS256" };
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return { ok: false, message: 'A JSON web token could not be decoded' };
  const now = Math.floor(nowMs / 1000);
  if (String(claims.iss) !== String(appId))
    return { ok: false, message: "'Issuer' claim ('iss') must be an Integer" };
  if (typeof claims.exp !== 'number' || claims.exp <= now)
    return {
      ok: false,
      message:
        "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    };
  if (typeof claims.iat !== 'number' || claims.iat > now + 60)
    return {
      ok: false,
      message:
        "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued",
    };
  if (claims.exp - claims.iat > 600)
    return { ok: false, message: "'Expiration time' claim ('exp') is too far in the future" };
  return { ok: true, claims };
}

export function publicKeyFrom(privateOrPublicPem: string): KeyObject {
  return createPublicKey(privateOrPublicPem);
}

export interface InstallationToken {
  token: string;
  installationId: number;
  expiresAt: number;
  repositoryIds: number[] | 'all';
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A token in GitHub's installation token format: `ghs_` and 36 alphanumerics. */
export function newInstallationToken(): string {
  const bytes = randomBytes(36);
  let body = '';
  for (const byte of bytes) body += ALPHABET[byte % ALPHABET.length];
  return `ghs_${body}`;
}

/** `token X`, `Bearer X` or Basic with the token as password (git over HTTP). */
export function credentialFrom(
  header: string | undefined,
): { scheme: 'token' | 'basic'; value: string } | undefined {
  if (header === undefined) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (scheme === undefined || value === undefined) return undefined;
  const lower = scheme.toLowerCase();
  if (lower === 'token' || lower === 'bearer') return { scheme: 'token', value };
  if (lower === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : { scheme: 'basic', value: decoded.slice(colon + 1) };
  }
  return undefined;
}
