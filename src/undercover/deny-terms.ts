// Deny terms (codenames, hosts, URL prefixes, /regexes/) matched after normalising the text: case folding,
// Unicode lookalikes, zero-width characters, %-encoding and separators are undone, and each match is mapped
// back to its span in the original text.
import { ConfigError } from '../lib/index.js';
import type { Span } from './types.js';

// Latin lookalikes from Cyrillic, Greek and other scripts that NFKD does not fold to ASCII.
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ɡ: 'g',
  ӏ: 'l',
  ո: 'n',
  ս: 'u',
  օ: 'o',
  α: 'a',
  β: 'b',
  γ: 'y',
  ε: 'e',
  η: 'n',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ω: 'w',
  ϲ: 'c',
  ı: 'i',
  ȷ: 'j',
  ℓ: 'l',
  ſ: 's',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  ł: 'l',
  '０': '0',
  '¹': '1',
  '²': '2',
  '³': '3',
};

/** The alphanumeric skeleton of one character (may be empty for separators and invisible characters). */
function foldChar(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 128) {
    if ((code >= 48 && code <= 57) || (code >= 97 && code <= 122)) return char;
    if (code >= 65 && code <= 90) return String.fromCharCode(code + 32);
    return '';
  }
  const lower = char.toLowerCase();
  const mapped = CONFUSABLES[lower];
  if (mapped !== undefined) return mapped;
  const decomposed = lower
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  let out = '';
  for (const part of decomposed) {
    const partCode = part.charCodeAt(0);
    if ((partCode >= 48 && partCode <= 57) || (partCode >= 97 && partCode <= 122)) out += part;
    else if (CONFUSABLES[part] !== undefined) out += CONFUSABLES[part];
  }
  return out;
}

/** Normalises the whole text; `starts[i]`/`ends[i]` give the original span of skeleton character i. */
function skeleton(text: string): { folded: string; starts: Int32Array; ends: Int32Array } {
  let codes = new Uint16Array(text.length + 16);
  let starts = new Int32Array(text.length + 16);
  let ends = new Int32Array(text.length + 16);
  let n = 0;
  let i = 0;
  const push = (code: number, from: number, to: number) => {
    if (n >= starts.length) {
      const grownStarts = new Int32Array(starts.length * 2);
      grownStarts.set(starts);
      starts = grownStarts;
      const grownEnds = new Int32Array(ends.length * 2);
      grownEnds.set(ends);
      ends = grownEnds;
      const grownCodes = new Uint16Array(codes.length * 2);
      grownCodes.set(codes);
      codes = grownCodes;
    }
    codes[n] = code;
    starts[n] = from;
    ends[n] = to;
    n++;
  };
  while (i < text.length) {
    const code = text.charCodeAt(i);
    // ASCII fast path: lowercase letters and digits pass, capitals fold, everything else is a separator.
    if (code < 128 && code !== 37) {
      if ((code >= 48 && code <= 57) || (code >= 97 && code <= 122)) push(code, i, i + 1);
      else if (code >= 65 && code <= 90) push(code + 32, i, i + 1);
      i++;
      continue;
    }
    let char: string;
    let width: number;
    if (code === 37) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) {
        i++;
        continue;
      }
      char = String.fromCharCode(parseInt(hex, 16));
      width = 3;
    } else {
      const point = text.codePointAt(i)!;
      char = String.fromCodePoint(point);
      width = point > 0xffff ? 2 : 1;
    }
    for (const piece of foldChar(char)) push(piece.charCodeAt(0), i, i + width);
    i += width;
  }
  let folded = '';
  for (let at = 0; at < n; at += 8192) {
    folded += String.fromCharCode(...codes.subarray(at, Math.min(n, at + 8192)));
  }
  return { folded, starts: starts.subarray(0, n), ends: ends.subarray(0, n) };
}

const CONFUSABLE_CHARS = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'g');

// ASCII folding table: lowercase letters and digits map to themselves, capitals to lowercase, the rest to 0.
const ASCII_FOLD = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  if ((code >= 48 && code <= 57) || (code >= 97 && code <= 122)) ASCII_FOLD[code] = code;
  else if (code >= 65 && code <= 90) ASCII_FOLD[code] = code + 32;
}
const HEX = (code: number) =>
  code >= 48 && code <= 57
    ? code - 48
    : code >= 65 && code <= 70
      ? code - 55
      : code >= 97 && code <= 102
        ? code - 87
        : -1;

/**
 * The skeleton alone, without offsets: the cheap first pass. A tight loop over ASCII; texts with other
 * characters take the native Unicode path, which folds the same way `skeleton` does.
 */
function foldedOnly(text: string): string {
  const out = Buffer.allocUnsafe(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let code = text.charCodeAt(i);
    if (code === 37 && i + 2 < text.length) {
      const high = HEX(text.charCodeAt(i + 1));
      const low = HEX(text.charCodeAt(i + 2));
      if (high >= 0 && low >= 0) {
        code = high * 16 + low;
        i += 2;
      }
    }
    if (code < 128) {
      const folded = ASCII_FOLD[code]!;
      if (folded !== 0) out[n++] = folded;
      continue;
    }
    const point = code >= 0xd800 && code <= 0xdbff ? text.codePointAt(i)! : code;
    if (point > 0xffff) i++;
    const pieces = foldCached(String.fromCodePoint(point));
    if (pieces === '') continue;
    if (n + pieces.length > out.length) return unicodeFolded(text);
    for (let k = 0; k < pieces.length; k++) out[n++] = pieces.charCodeAt(k);
  }
  return out.toString('latin1', 0, n);
}

const FOLD_CACHE = new Map<string, string>();
function foldCached(char: string): string {
  let folded = FOLD_CACHE.get(char);
  if (folded === undefined) {
    folded = foldChar(char);
    if (FOLD_CACHE.size < 10_000) FOLD_CACHE.set(char, folded);
  }
  return folded;
}

function unicodeFolded(text: string): string {
  let folded = text;
  if (folded.includes('%')) {
    folded = folded.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
  }
  return folded
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(CONFUSABLE_CHARS, (char) => CONFUSABLES[char] ?? char)
    .replace(/[^a-z0-9]+/g, '');
}

export function normalizeTerm(term: string): string {
  return skeleton(term).folded;
}

/** Short skeletons would match inside ordinary words, so they must stand alone in the original text. */
const SHORT_TERM = 5;

export class DenyTermMatcher {
  private readonly literal: RegExp | undefined;
  private readonly shortTerms = new Set<string>();
  private readonly regexes: RegExp[] = [];
  readonly size: number;

  constructor(terms: readonly string[]) {
    const skeletons = new Set<string>();
    for (const raw of terms) {
      const term = raw.trim();
      if (term === '') continue;
      const regex = /^\/(.+)\/([a-z]*)$/s.exec(term);
      if (regex !== null) {
        try {
          this.regexes.push(new RegExp(regex[1]!, `${regex[2]!.replace(/[gy]/g, '')}g`));
        } catch (error) {
          throw new ConfigError(
            [
              {
                key: 'redact_terms',
                message: `${term} is not a valid regular expression (${(error as Error).message})`,
              },
            ],
            { cause: error },
          );
        }
        continue;
      }
      const folded = normalizeTerm(term);
      if (folded.length < 2) {
        throw new ConfigError([
          {
            key: 'redact_terms',
            message: 'a deny term needs at least two letters or digits; use /regex/ for symbols',
          },
        ]);
      }
      skeletons.add(folded);
      if (folded.length < SHORT_TERM) this.shortTerms.add(folded);
    }
    this.size = skeletons.size + this.regexes.length;
    if (skeletons.size > 0) {
      const alternation = [...skeletons].sort((a, b) => b.length - a.length).join('|');
      this.literal = new RegExp(alternation, 'g');
    }
  }

  find(text: string): Span[] {
    const spans: Span[] = [];
    for (const regex of this.regexes) {
      regex.lastIndex = 0;
      for (const match of text.matchAll(regex)) {
        if (match[0].length > 0)
          spans.push({ start: match.index, end: match.index + match[0].length });
      }
    }
    if (this.literal === undefined || text.length === 0) return spans;
    // Cheap pass first: most texts contain no term, and then the offset map is never built.
    this.literal.lastIndex = 0;
    if (!this.literal.test(foldedOnly(text))) return spans;
    this.literal.lastIndex = 0;
    const { folded, starts, ends } = skeleton(text);
    for (const match of folded.matchAll(this.literal)) {
      const start = starts[match.index]!;
      const end = ends[match.index + match[0].length - 1]!;
      if (this.shortTerms.has(match[0])) {
        const before = text[start - 1];
        const after = text[end];
        if (
          (before !== undefined && /[\p{L}\p{N}]/u.test(before)) ||
          (after !== undefined && /[\p{L}\p{N}]/u.test(after))
        ) {
          continue;
        }
      }
      spans.push({ start, end });
    }
    return spans;
  }
}
