// The redaction engine: known secrets, then the keyword prefilter picks which provider and generic rules run,
// then deny terms and the attribution policy; overlapping spans merge and each becomes `[REDACTED:<rule>]`.
import { findAttribution } from './attribution.js';
import { DenyTermMatcher } from './deny-terms.js';
import { KnownSecretMatcher } from './known-secrets.js';
import { isPlaceholder } from './text-stats.js';
import { BUILTIN_RULES } from './rules/index.js';
import type {
  Finding,
  PatchFinding,
  RedactOptions,
  RedactResult,
  RedactionPolicy,
  Redactor,
  Rule,
  RuleCategory,
} from './types.js';

export const KNOWN_SECRET_RULE = 'known-secret';
export const DENY_TERM_RULE = 'deny-term';
export const ATTRIBUTION_RULE = 'ai-attribution';

const PRIORITY: Record<RuleCategory, number> = {
  'known-secret': 0,
  provider: 1,
  'deny-term': 2,
  generic: 3,
  attribution: 4,
};

interface Hit {
  start: number;
  end: number;
  rule: string;
  category: RuleCategory;
}

interface CompiledRule extends Rule {
  pattern?: RegExp;
}

interface Compiled {
  rules: CompiledRule[];
  prefilter: RegExp | undefined;
  rulesByKeyword: Map<string, number[]>;
  allowed: Set<string>;
  deny: DenyTermMatcher;
  stripAttribution: boolean;
  categories: Map<string, RuleCategory>;
}

const WORD = /[A-Za-z0-9_]/;

function compile(policy: RedactionPolicy): Compiled {
  const disabled = new Set(policy.disabledRules ?? []);
  const rules: CompiledRule[] = BUILTIN_RULES.filter((rule) => !disabled.has(rule.id)).map(
    (rule) => {
      if (rule.pattern === undefined) return rule;
      // The `d` flag gives capture-group offsets, so only the secret inside a `name = value` match is redacted.
      const flags = new Set(`${rule.pattern.flags}g${rule.group ? 'd' : ''}`);
      return { ...rule, pattern: new RegExp(rule.pattern.source, [...flags].join('')) };
    },
  );
  const rulesByKeyword = new Map<string, number[]>();
  rules.forEach((rule, index) => {
    for (const keyword of rule.keywords) {
      const list = rulesByKeyword.get(keyword) ?? [];
      list.push(index);
      rulesByKeyword.set(keyword, list);
    }
  });
  const keywords = [...rulesByKeyword.keys()].sort((a, b) => b.length - a.length);
  // The alternation reports one keyword per position, the longest; a keyword that contains another
  // ("_authtoken" contains "_auth" and "token") therefore triggers the shorter one's rules too.
  for (const keyword of keywords) {
    const own = rulesByKeyword.get(keyword)!;
    for (const inner of keywords) {
      if (inner !== keyword && keyword.includes(inner)) own.push(...rulesByKeyword.get(inner)!);
    }
  }
  const prefilter =
    keywords.length === 0
      ? undefined
      : new RegExp(keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'gi');
  const allowed = new Set<string>(policy.allowValues ?? []);
  for (const rule of rules) for (const example of rule.examples ?? []) allowed.add(example);
  const categories = new Map<string, RuleCategory>(rules.map((rule) => [rule.id, rule.category]));
  categories.set(KNOWN_SECRET_RULE, 'known-secret');
  categories.set(DENY_TERM_RULE, 'deny-term');
  categories.set(ATTRIBUTION_RULE, 'attribution');
  return {
    rules,
    prefilter,
    rulesByKeyword,
    allowed,
    deny: new DenyTermMatcher(policy.denyTerms ?? []),
    stripAttribution: policy.attribution === 'strip',
    categories,
  };
}

function triggeredRules(compiled: Compiled, text: string): number[] {
  if (compiled.prefilter === undefined) return [];
  const hit = new Uint8Array(compiled.rules.length);
  const seen = new Set<string>();
  const regex = compiled.prefilter;
  regex.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = regex.exec(text)) !== null) {
    // Step one character, not past the match: keywords may overlap ("api-key-" holds "key-").
    regex.lastIndex = match.index + 1;
    const keyword = match[0].toLowerCase();
    if (seen.has(keyword)) continue;
    seen.add(keyword);
    for (const index of compiled.rulesByKeyword.get(keyword) ?? []) hit[index] = 1;
    if (seen.size === compiled.rulesByKeyword.size) break;
  }
  const out: number[] = [];
  hit.forEach((flag, index) => {
    if (flag) out.push(index);
  });
  return out;
}

function runRule(rule: CompiledRule, text: string, allowed: Set<string>, hits: Hit[]): void {
  const accept = (start: number, end: number) => {
    if (end <= start) return;
    if (rule.boundary !== false) {
      const before = text[start - 1];
      const after = text[end];
      if ((before !== undefined && WORD.test(before)) || (after !== undefined && WORD.test(after)))
        return;
    }
    const secret = text.slice(start, end);
    if (allowed.has(secret)) return;
    // Without a rule-specific check, at least masks and stock placeholders (`…xxxxxxxx`) are not reported.
    if (
      rule.validate !== undefined
        ? !rule.validate(secret, text, start)
        : rule.scan === undefined && isPlaceholder(secret)
    ) {
      return;
    }
    hits.push({ start, end, rule: rule.id, category: rule.category });
  };
  if (rule.scan !== undefined) {
    for (const span of rule.scan(text)) accept(span.start, span.end);
    return;
  }
  if (rule.pattern === undefined) return;
  const pattern = rule.pattern;
  pattern.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    if (match[0].length === 0) {
      pattern.lastIndex++;
      continue;
    }
    const span: readonly [number, number] | undefined = rule.group
      ? match.indices?.[rule.group]
      : [match.index, match.index + match[0].length];
    if (span !== undefined) accept(span[0], span[1]);
  }
}

/** Merges overlapping hits; the hit that starts first (or ranks higher at the same start) names the span. */
function merge(hits: Hit[]): Hit[] {
  hits.sort(
    (a, b) => a.start - b.start || PRIORITY[a.category] - PRIORITY[b.category] || b.end - a.end,
  );
  const merged: Hit[] = [];
  for (const hit of hits) {
    const last = merged[merged.length - 1];
    if (last !== undefined && hit.start < last.end) {
      last.end = Math.max(last.end, hit.end);
      if (hit.category === 'attribution') last.category = 'attribution';
      continue;
    }
    merged.push({ ...hit });
  }
  return merged;
}

/** 1-based line and column of each offset (offsets ascending). */
function locate(text: string, offsets: readonly number[]): { line: number; column: number }[] {
  const out: { line: number; column: number }[] = [];
  let line = 1;
  let lineStart = 0;
  let position = 0;
  for (const offset of offsets) {
    while (position < offset) {
      const next = text.indexOf('\n', position);
      if (next === -1 || next >= offset) {
        position = offset;
        break;
      }
      line++;
      lineStart = next + 1;
      position = next + 1;
    }
    out.push({ line, column: offset - lineStart + 1 });
  }
  return out;
}

class UndercoverRedactor implements Redactor {
  constructor(
    private readonly compiled: Compiled,
    private readonly secrets: KnownSecretMatcher,
  ) {}

  get ruleIds(): readonly string[] {
    return [...this.compiled.categories.keys()];
  }

  categoryOf(rule: string): RuleCategory {
    return this.compiled.categories.get(rule) ?? 'generic';
  }

  addSecret(value: string): void {
    this.secrets.add(value);
  }

  withSecrets(values: readonly string[]): Redactor {
    return new UndercoverRedactor(
      this.compiled,
      new KnownSecretMatcher([...this.secrets.values(), ...values]),
    );
  }

  private detect(text: string, withAttribution: boolean): Hit[] {
    const hits: Hit[] = [];
    for (const span of this.secrets.find(text)) {
      hits.push({ ...span, rule: KNOWN_SECRET_RULE, category: 'known-secret' });
    }
    for (const index of triggeredRules(this.compiled, text)) {
      runRule(this.compiled.rules[index]!, text, this.compiled.allowed, hits);
    }
    for (const span of this.compiled.deny.find(text)) {
      hits.push({ ...span, rule: DENY_TERM_RULE, category: 'deny-term' });
    }
    if (withAttribution && this.compiled.stripAttribution) {
      for (const span of findAttribution(text)) {
        hits.push({ ...span, rule: ATTRIBUTION_RULE, category: 'attribution' });
      }
    }
    return merge(hits);
  }

  redact(text: string, options: RedactOptions = {}): RedactResult {
    const hits = this.detect(text, true);
    if (hits.length === 0) return { text, findings: [] };
    const places = locate(
      text,
      hits.map((hit) => hit.start),
    );
    const findings: Finding[] = hits.map((hit, index) => ({
      rule: hit.rule,
      line: places[index]!.line,
      column: places[index]!.column,
      length: hit.end - hit.start,
    }));
    let out = '';
    let cursor = 0;
    for (const hit of hits) {
      out += text.slice(cursor, hit.start);
      if (hit.category !== 'attribution') {
        out += options.style === 'ref' ? `REDACTED-${hit.rule}` : `[REDACTED:${hit.rule}]`;
      }
      cursor = hit.end;
    }
    out += text.slice(cursor);
    if (this.compiled.stripAttribution && hits.some((hit) => hit.category === 'attribution')) {
      // Removing trailer lines can leave a blank tail; keep the text's own ending.
      out = out.replace(/(?:[ \t]*\r?\n){2,}$/, '\n');
      if (!text.endsWith('\n')) out = out.replace(/\s+$/, '');
    }
    return { text: out, findings };
  }

  scanPatch(unifiedDiff: string): PatchFinding[] {
    const findings: PatchFinding[] = [];
    for (const file of addedLinesByFile(unifiedDiff)) {
      const text = file.lines.join('\n');
      const offsets: number[] = [];
      let offset = 0;
      for (const line of file.lines) {
        offsets.push(offset);
        offset += line.length + 1;
      }
      for (const hit of this.detect(text, false)) {
        let low = 0;
        let high = offsets.length - 1;
        while (low < high) {
          const mid = (low + high + 1) >> 1;
          if (offsets[mid]! <= hit.start) low = mid;
          else high = mid - 1;
        }
        findings.push({
          file: file.path,
          rule: hit.rule,
          line: file.numbers[low]!,
          column: hit.start - offsets[low]! + 1,
          length: hit.end - hit.start,
        });
      }
    }
    return findings;
  }
}

interface AddedLines {
  path: string;
  lines: string[];
  numbers: number[];
}

function unquotePath(raw: string): string {
  const trimmed = raw.replace(/\t.*$/, '');
  if (!trimmed.startsWith('"')) return trimmed;
  try {
    return JSON.parse(trimmed) as string;
  } catch {
    return trimmed.slice(1, -1);
  }
}

/** The added lines of each file of a unified diff, with their line numbers in the new version. */
export function addedLinesByFile(diff: string): AddedLines[] {
  const files: AddedLines[] = [];
  let current: AddedLines | undefined;
  let oldLeft = 0;
  let newLeft = 0;
  let newLine = 0;
  for (const line of diff.split(/\r?\n/)) {
    if (oldLeft > 0 || newLeft > 0) {
      const marker = line[0];
      if (marker === '+') {
        current?.lines.push(line.slice(1));
        current?.numbers.push(newLine);
        newLine++;
        newLeft--;
        continue;
      }
      if (marker === '-') {
        oldLeft--;
        continue;
      }
      if (marker === ' ' || line === '') {
        oldLeft--;
        newLeft--;
        newLine++;
        continue;
      }
      if (marker === '\\') continue;
      oldLeft = 0;
      newLeft = 0;
    }
    if (line.startsWith('diff --git ')) {
      const match = / b\/(.*)$/.exec(line) ?? / "b\/(.*)"$/.exec(line);
      current = { path: match?.[1] ?? line.slice(11), lines: [], numbers: [] };
      files.push(current);
      continue;
    }
    if (line.startsWith('+++ ')) {
      const target = unquotePath(line.slice(4));
      if (target === '/dev/null') continue;
      const path = target.replace(/^"?b\//, '');
      if (current === undefined || current.lines.length > 0) {
        current = { path, lines: [], numbers: [] };
        files.push(current);
      } else {
        current.path = path;
      }
      continue;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk !== null) {
      oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
      newLine = Number(hunk[2]);
      newLeft = hunk[3] === undefined ? 1 : Number(hunk[3]);
      if (current === undefined) {
        current = { path: '(patch)', lines: [], numbers: [] };
        files.push(current);
      }
    }
  }
  return files.filter((file) => file.lines.length > 0);
}

/** Builds a redactor for a policy. Compiling is the expensive part; `withSecrets` reuses it per job. */
export function createRedactor(policy: RedactionPolicy = {}): Redactor {
  return new UndercoverRedactor(compile(policy), new KnownSecretMatcher(policy.knownSecrets ?? []));
}

/** Every built-in rule, for docs and the CLI's `--list-rules`. */
export function builtinRules(): readonly Pick<
  Rule,
  'id' | 'description' | 'category' | 'keywords'
>[] {
  return BUILTIN_RULES.map(({ id, description, category, keywords }) => ({
    id,
    description,
    category,
    keywords,
  }));
}
