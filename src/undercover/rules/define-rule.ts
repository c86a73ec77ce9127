// Helpers for writing rules compactly: a token with a fixed prefix, a value assigned to a provider-named key,
// and the shared validators (entropy floors, base64 decoding).
import type { Rule } from '../types.js';
import { characterClasses, isPlaceholder, shannonEntropy } from '../text-stats.js';

type RuleInput = Omit<Rule, 'category' | 'keywords'> & { keywords?: readonly string[] };

/** A provider token whose format starts with a fixed literal; the keyword is that literal. */
export function provider(input: RuleInput & { keywords: readonly string[] }): Rule {
  return { ...input, category: 'provider', keywords: input.keywords.map((k) => k.toLowerCase()) };
}

export function generic(input: RuleInput & { keywords: readonly string[] }): Rule {
  return { ...input, category: 'generic', keywords: input.keywords.map((k) => k.toLowerCase()) };
}

/** The usual `name ["']? (:|=|:=|=>) ["']? value` shape, with the provider's name as the key. */
export function assigned(namePattern: string, valuePattern: string): RegExp {
  return new RegExp(
    `(?:${namePattern})[\\w.-]{0,20}["'\\]]?[ \\t]{0,4}(?::=|=>|=|:)[ \\t]{0,4}["'\`]?(${valuePattern})`,
    'gi',
  );
}

/** Rejects low-entropy and placeholder values; `bits` is the minimum Shannon entropy per character. */
export function random(bits: number): (secret: string) => boolean {
  return (secret) => !isPlaceholder(secret) && shannonEntropy(secret) >= bits;
}

/** Random and mixing at least `classes` character classes (lower, upper, digit, other). */
export function randomMixed(bits: number, classes: number): (secret: string) => boolean {
  return (secret) =>
    !isPlaceholder(secret) && shannonEntropy(secret) >= bits && characterClasses(secret) >= classes;
}

export function decodeBase64(value: string): string {
  return Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
}
