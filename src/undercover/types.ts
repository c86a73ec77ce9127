// The shapes undercover works with: findings (never holding the matched value), rules, and the redactor's surface.
// Everything outside the folder sees only these types and the functions in index.ts.

/** One thing the redactor found. It never carries the matched value, only where it was. */
export interface Finding {
  rule: string;
  /** 1-based line of the first character of the match. */
  line: number;
  /** 1-based column (UTF-16 code units) of the first character of the match. */
  column: number;
  /** Length of the match in UTF-16 code units. */
  length: number;
}

/** A finding in a unified diff: `line` is the line number in the new version of `file`. */
export interface PatchFinding extends Finding {
  file: string;
}

/**
 * `provider`: a credential with a provider-specific format (token prefixes, key blocks, JWTs).
 * `generic`: a credential recognised from context (secret-like names, URLs with passwords, auth headers).
 * `known-secret`, `deny-term`, `attribution`: the policy-driven detectors.
 */
export type RuleCategory = 'provider' | 'generic' | 'known-secret' | 'deny-term' | 'attribution';

/** A half-open span [start, end) of the scanned text that a rule matched. */
export interface Span {
  start: number;
  end: number;
}

export interface Rule {
  id: string;
  description: string;
  category: 'provider' | 'generic';
  /**
   * Lowercase literals of which at least one must occur (case-insensitively) for the rule to run at all:
   * the keyword prefilter. A rule with no keywords never runs.
   */
  keywords: readonly string[];
  /** A global RegExp; the secret is capture group `group` (whole match when unset). Must be linear: bounded quantifiers only. */
  pattern?: RegExp;
  group?: number;
  /** Custom scanner for formats a single RegExp expresses badly (key blocks, URLs with credentials). */
  scan?: (text: string) => Iterable<Span>;
  /** Extra check on the matched secret, e.g. a checksum or an entropy floor. */
  validate?: (secret: string, text: string, start: number) => boolean;
  /** Documented example values (exact) that are never reported. */
  examples?: readonly string[];
  /**
   * Require that the secret is not glued to further word characters on either side (default true),
   * so `AKIA…` inside a longer identifier does not match.
   */
  boundary?: boolean;
}

export type Attribution = 'keep' | 'strip';

export interface RedactionPolicy {
  /** Exact values the process holds; matched in plain, base64, URL-encoded and JSON-escaped form. */
  knownSecrets?: readonly string[];
  /** Deny terms: words, hosts, URL prefixes, or `/regex/flags`. */
  denyTerms?: readonly string[];
  attribution?: Attribution;
  /** Rule ids to switch off (for a repo that must publish, say, JWT test vectors). */
  disabledRules?: readonly string[];
  /** Exact values that are never reported (documented examples beyond the built-in list). */
  allowValues?: readonly string[];
}

export interface RedactOptions {
  /**
   * `text` (default) replaces a span with `[REDACTED:<rule>]`; `ref` uses `REDACTED-<rule>`, which is a valid
   * git ref component, for branch and ref names.
   */
  style?: 'text' | 'ref';
}

export interface RedactResult {
  text: string;
  findings: Finding[];
}

export interface Redactor {
  redact(text: string, options?: RedactOptions): RedactResult;
  /** Scans the added lines of a unified diff; removed and context lines are ignored. */
  scanPatch(unifiedDiff: string): PatchFinding[];
  /** Adds a known secret to this redactor (e.g. an installation token minted at runtime). */
  addSecret(value: string): void;
  /** A redactor that shares this one's compiled rules and policy and also knows `values`; this one is unchanged. */
  withSecrets(values: readonly string[]): Redactor;
  /** The category of a rule id, so callers can decide what blocks (provider, known-secret) and what warns. */
  categoryOf(rule: string): RuleCategory;
  /** Ids of every detector this redactor runs. */
  readonly ruleIds: readonly string[];
}
