// Private-key material and signed tokens: PEM / OpenSSH / PGP / PuTTY key blocks (with real or `\n`-escaped
// newlines, as they appear in JSON and .env files) and JWTs, whose header must decode to JSON.
import type { Rule, Span } from '../types.js';
import { decodeBase64, provider } from './define-rule.js';

const BEGIN = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY(?: BLOCK)?-----/g;
const MAX_BLOCK = 20_000;

/** Base64 characters in a block body, ignoring whitespace, `\n` escapes and armor headers. */
function bodyBase64Length(body: string): number {
  const cleaned = body
    .replace(/\\r|\\n/g, '\n')
    .split('\n')
    .filter((line) => !/^\s*[A-Za-z-]+:\s/.test(line))
    .join('');
  const base64 = cleaned.replace(/[^A-Za-z0-9+/=]/g, '');
  return base64.length >= 0.8 * cleaned.replace(/\s/g, '').length ? base64.length : 0;
}

function keyBlocks(kind: (label: string) => boolean): (text: string) => Iterable<Span> {
  return function* scan(text) {
    for (const begin of text.matchAll(BEGIN)) {
      const label = begin[1] ?? '';
      if (!kind(label)) continue;
      const bodyStart = begin.index + begin[0].length;
      const endMarker = text.indexOf('-----END ', bodyStart);
      let end: number;
      let body: string;
      if (endMarker !== -1 && endMarker - bodyStart <= MAX_BLOCK) {
        const close = text.indexOf('-----', endMarker + 9);
        end = close === -1 ? endMarker + 9 : close + 5;
        body = text.slice(bodyStart, endMarker);
      } else {
        // A truncated block is still key material: take the base64 run that follows the header.
        const run = /^(?:[A-Za-z0-9+/=\s]|\\n|\\r|[A-Za-z-]+: [^\n]*){0,5000}/.exec(
          text.slice(bodyStart, bodyStart + MAX_BLOCK),
        );
        end = bodyStart + (run?.[0].length ?? 0);
        body = text.slice(bodyStart, end);
      }
      if (bodyBase64Length(body) >= 64) yield { start: begin.index, end };
    }
  };
}

const isOpenSsh = (label: string) => label === 'OPENSSH ';
const isPgp = (label: string) => label === 'PGP ';

function* puttyKeys(text: string): Iterable<Span> {
  for (const header of text.matchAll(/PuTTY-User-Key-File-[23]: /g)) {
    const lines = /Private-Lines: ([0-9]{1,3})\r?\n/.exec(
      text.slice(header.index, header.index + 8000),
    );
    if (lines === null) continue;
    let position = header.index + lines.index + lines[0].length;
    for (let line = 0; line < Number(lines[1]); line++) {
      const next = text.indexOf('\n', position);
      position = next === -1 ? text.length : next + 1;
    }
    yield { start: header.index, end: position };
  }
}

function isJwt(token: string): boolean {
  const [header, payload] = token.split('.');
  try {
    const decoded = JSON.parse(decodeBase64(header ?? '')) as Record<string, unknown>;
    if (typeof decoded !== 'object' || decoded === null) return false;
    if (!('alg' in decoded) && !('typ' in decoded)) return false;
    // jwt.io's documented example token and its variants are documentation, not credentials.
    const body = decodeBase64(payload ?? '');
    return !/"name"\s*:\s*"John Doe"/.test(body);
  } catch {
    return false;
  }
}

export const KEY_RULES: readonly Rule[] = [
  provider({
    id: 'private-key',
    description: 'PEM private key block (PKCS#1, PKCS#8, EC, DSA, encrypted)',
    keywords: ['private key-----'],
    scan: keyBlocks((label) => !isOpenSsh(label) && !isPgp(label)),
    boundary: false,
  }),
  provider({
    id: 'openssh-private-key',
    description: 'OpenSSH private key block',
    keywords: ['begin openssh private key'],
    scan: keyBlocks(isOpenSsh),
    boundary: false,
  }),
  provider({
    id: 'pgp-private-key-block',
    description: 'PGP private key block',
    keywords: ['begin pgp private key block'],
    scan: keyBlocks(isPgp),
    boundary: false,
  }),
  provider({
    id: 'putty-private-key',
    description: 'PuTTY private key file',
    keywords: ['putty-user-key-file-'],
    scan: puttyKeys,
    boundary: false,
  }),
  provider({
    id: 'jwt',
    description: 'JSON Web Token (header decodes to JSON with alg or typ)',
    keywords: ['eyj'],
    pattern: /eyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{0,2000}/g,
    validate: isJwt,
  }),
];
