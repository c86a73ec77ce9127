// Adversarial inputs per rule: its keyword followed by long runs of the characters it accepts, repeated
// keywords, and unterminated structures. A backtracking pattern takes seconds to minutes on these; a linear one
// takes a few milliseconds (at most ~80 ms measured here under load). The bound is far above the linear cost so a shared, noisy machine does not flake it.
import { builtinRules, createRedactor } from '../../src/undercover/index.js';
import { TokenFactory } from '../fixtures/undercover/tokens.js';

const SIZE = 16 * 1024;
const BOUND_MS = 1000;

const t = new TokenFactory(7);
const runs: Record<string, () => string> = {
  letters: () => 'a'.repeat(SIZE),
  alnum: () => t.alnum(SIZE),
  base64: () => t.base64(SIZE),
  credentials: () => 'a:b@'.repeat(SIZE / 4),
};

function inputsFor(keyword: string): [string, string][] {
  const cases: [string, string][] = [];
  for (const [name, run] of Object.entries(runs)) {
    cases.push([`${name} after keyword`, `${keyword}${run()}`]);
    cases.push([`${name} after keyword=`, `${keyword}="${run()}`]);
  }
  cases.push(['keyword repeated', keyword.repeat(Math.ceil(SIZE / keyword.length))]);
  cases.push(['url-ish', `${keyword}://${'u'.repeat(SIZE / 2)}:${'p'.repeat(SIZE / 2)}`]);
  return cases;
}

describe('rules under adversarial input', () => {
  const redactor = createRedactor({
    denyTerms: ['falcon', '/ab+c/'],
    knownSecrets: ['a-known-secret-value'],
  });

  it.each(builtinRules().map((rule) => [rule.id]))('%s stays linear', (id) => {
    const rule = builtinRules().find((candidate) => candidate.id === id)!;
    const keywords = rule.keywords;
    const slowest: { name: string; ms: number } = { name: '', ms: 0 };
    for (const keyword of keywords.length > 0 ? keywords.slice(0, 1) : ['']) {
      for (const [name, input] of inputsFor(keyword)) {
        const started = performance.now();
        redactor.redact(input);
        const ms = performance.now() - started;
        if (ms > slowest.ms) Object.assign(slowest, { name: `${keyword} ${name}`, ms });
      }
    }
    expect(slowest.ms).toBeLessThan(BOUND_MS);
  });
});

describe('policy detectors under adversarial input', () => {
  const redactor = createRedactor({
    denyTerms: ['Project Falcon', 'wiki.corp.example'],
    knownSecrets: ['a-known-secret-value'],
    attribution: 'strip',
  });
  const inputs: [string, string][] = [
    ['lookalikes and zero-width characters', 'P\u200bг\u043e\u0458e\u0441t F\u0430l'.repeat(8000)],
    ['%-escapes', '%50%72%6f%6a%65%63%74%20%46%61%6c'.repeat(4000)],
    ['near-miss deny term', 'project falco '.repeat(10000)],
    ['near-miss known secret', 'a-known-secret-valu'.repeat(8000)],
    ['attribution lookalikes', 'Co-authored-by: Claude\nGenerated with '.repeat(5000)],
    ['astral characters', '\u{1F916}\u{1D4AB}'.repeat(40000)],
  ];
  it.each(inputs)('stays linear on %s', (_name, input) => {
    const started = performance.now();
    redactor.redact(input);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });
});
