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
