// Exact matching of the secrets the process holds, in every form they could leave in: plain, JSON-escaped,
// URL-encoded, and base64 (standard and URL-safe, at each of the three byte alignments inside a longer blob).
import type { Span } from './types.js';

/** Shorter values would match ordinary text; env.ts asks for long secrets anyway. */
export const MIN_KNOWN_SECRET_LENGTH = 6;

/**
 * The part of base64(anything + secret + anything) that depends only on the secret, when the secret starts
 * `offset` bytes into a 3-byte group. Any base64 text that carries the secret at that alignment contains it.
 */
function base64Core(secret: Buffer, offset: number, urlSafe: boolean): string {
  const padded = Buffer.concat([Buffer.alloc(offset), secret]);
  let encoded = padded.toString('base64').replace(/=+$/, '');
  const first = [0, 2, 3][offset]!;
  const last = Math.floor((padded.length * 8) / 6);
  encoded = encoded.slice(first, last);
  return urlSafe ? encoded.replace(/\+/g, '-').replace(/\//g, '_') : encoded;
}

/** Every form of `secret` to look for, longest first so the widest span wins. */
export function knownSecretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  forms.add(JSON.stringify(secret).slice(1, -1));
  forms.add(encodeURIComponent(secret));
  forms.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  const bytes = Buffer.from(secret, 'utf8');
  for (const offset of [0, 1, 2]) {
    for (const urlSafe of [false, true]) {
      const core = base64Core(bytes, offset, urlSafe);
      if (core.length >= MIN_KNOWN_SECRET_LENGTH + 2) forms.add(core);
    }
  }
  // A multi-line secret (a PEM key) can leak a line at a time.
  if (secret.includes('\n')) {
    for (const line of secret.split(/\r?\n/)) {
      if (line.trim().length >= 24 && !line.startsWith('-----')) forms.add(line.trim());
    }
    forms.add(secret.replace(/\r?\n/g, '\\n'));
    forms.add(secret.replace(/\r?\n/g, '\r\n'));
  }
  return [...forms]
    .filter((form) => form.length >= MIN_KNOWN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
}

const BASE64_CHAR = /[A-Za-z0-9+/=_-]/;

export class KnownSecretMatcher {
  private readonly needles: string[] = [];
  /** Needles that are base64 cores: their match widens to the whole base64 run around it. */
  private readonly encoded = new Set<string>();
  private readonly seen = new Set<string>();

  constructor(secrets: readonly string[] = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Adds a value; values shorter than MIN_KNOWN_SECRET_LENGTH are ignored (returns false). */
  add(secret: string): boolean {
    if (secret.length < MIN_KNOWN_SECRET_LENGTH) return false;
    if (this.seen.has(secret)) return true;
    this.seen.add(secret);
    const variants = [secret, ...(secret.trim() !== secret ? [secret.trim()] : [])];
    for (const variant of variants) {
      const bytes = Buffer.from(variant, 'utf8');
      for (const offset of [0, 1, 2]) {
        for (const urlSafe of [false, true]) this.encoded.add(base64Core(bytes, offset, urlSafe));
      }
      for (const form of knownSecretForms(variant)) {
        if (!this.needles.includes(form)) this.needles.push(form);
      }
    }
    // A core that equals a plain value (a secret that is itself valid base64 text) is matched exactly.
    for (const form of this.encoded) if (this.seen.has(form)) this.encoded.delete(form);
    this.needles.sort((a, b) => b.length - a.length);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  values(): string[] {
    return [...this.seen];
  }

  find(text: string): Span[] {
    const spans: Span[] = [];
    for (const needle of this.needles) {
      let from = 0;
      for (;;) {
        const at = text.indexOf(needle, from);
        if (at === -1) break;
        let start = at;
        let end = at + needle.length;
        if (this.encoded.has(needle)) {
          // The secret's first and last bits share characters with its neighbours in the blob: take the run.
          while (start > 0 && BASE64_CHAR.test(text[start - 1]!)) start--;
          while (end < text.length && BASE64_CHAR.test(text[end]!)) end++;
        }
        spans.push({ start, end });
        from = at + needle.length;
      }
    }
    return spans;
  }
}
