// USD prices per million tokens for the models Claw knows, and the cost of one response's usage.
// The table is a documented default (docs/agent.md); CLAW_MODEL_PRICES overrides or extends it without a release.
import { z } from 'zod';
import type { Usage } from './types.js';

export const ModelPrice = z.object({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheRead: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
  /** Context window in tokens, used by compaction. */
  contextWindow: z.number().int().positive().optional(),
});
export type ModelPrice = z.infer<typeof ModelPrice>;

export const PriceTable = z.record(z.string().min(1), ModelPrice);
export type PriceTable = z.infer<typeof PriceTable>;

/**
 * Published list prices (USD per 1M tokens; cache writes at the 5-minute rate) as of late 2026. Keys match a
 * model id by prefix, longest first, so dated ids such as `claude-sonnet-4-5-20250929` find their family.
 * Models with tiered prices (e.g. Haiku 5.5) are left to CLAW_MODEL_PRICES rather than guessed.
 */
export const DEFAULT_PRICES: PriceTable = {
  'claude-fable-5-1': {
    input: 10,
    output: 50,
    cacheRead: 0.25,
    cacheWrite: 12.5,
    contextWindow: 200_000,
  },
  'claude-fable-5': {
    input: 10,
    output: 50,
    cacheRead: 1,
    cacheWrite: 12.5,
    contextWindow: 200_000,
  },
  'claude-mythos-5-1': {
    input: 10,
    output: 50,
    cacheRead: 0.25,
    cacheWrite: 12.5,
    contextWindow: 200_000,
  },
  'claude-mythos-5': {
    input: 10,
    output: 50,
    cacheRead: 1,
    cacheWrite: 12.5,
    contextWindow: 200_000,
  },
  'claude-opus-5-5': {
    input: 4,
    output: 20,
    cacheRead: 0.2,
    cacheWrite: 5,
    contextWindow: 200_000,
  },
  'claude-opus-5': {
    input: 5,
    output: 25,
    cacheRead: 0.5,
    cacheWrite: 6.25,
    contextWindow: 200_000,
  },
  'claude-opus-4-1': {
    input: 15,
    output: 75,
    cacheRead: 1.5,
    cacheWrite: 18.75,
    contextWindow: 200_000,
  },
  'claude-opus-4-0': {
    input: 15,
    output: 75,
    cacheRead: 1.5,
    cacheWrite: 18.75,
    contextWindow: 200_000,
  },
  'claude-opus-4-2': {
    input: 15,
    output: 75,
    cacheRead: 1.5,
    cacheWrite: 18.75,
    contextWindow: 200_000,
  },
  // Opus 4.5 and later (4-5 … 4-8) dropped to $5/$25.
  'claude-opus-4-': {
    input: 5,
    output: 25,
    cacheRead: 0.5,
    cacheWrite: 6.25,
    contextWindow: 200_000,
  },
  'claude-sonnet-5-5': {
    input: 2,
    output: 10,
    cacheRead: 0.1,
    cacheWrite: 2.5,
    contextWindow: 200_000,
  },
  'claude-sonnet-5': {
    input: 2,
    output: 10,
    cacheRead: 0.2,
    cacheWrite: 2.5,
    contextWindow: 200_000,
  },
  'claude-sonnet-4': {
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    contextWindow: 200_000,
  },
  'claude-3-7-sonnet': {
    input: 3,
    output: 15,
    cacheRead: 0.3,
    cacheWrite: 3.75,
    contextWindow: 200_000,
  },
  'claude-haiku-4-5': {
    input: 1,
    output: 5,
    cacheRead: 0.1,
    cacheWrite: 1.25,
    contextWindow: 200_000,
  },
  'claude-3-5-haiku': {
    input: 0.8,
    output: 4,
    cacheRead: 0.08,
    cacheWrite: 1,
    contextWindow: 200_000,
  },
  'gpt-5-nano': { input: 0.05, output: 0.4, cacheRead: 0.005, contextWindow: 400_000 },
  'gpt-5-mini': { input: 0.25, output: 2, cacheRead: 0.025, contextWindow: 400_000 },
  'gpt-5': { input: 1.25, output: 10, cacheRead: 0.125, contextWindow: 400_000 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cacheRead: 0.1, contextWindow: 1_000_000 },
  'gpt-4.1': { input: 2, output: 8, cacheRead: 0.5, contextWindow: 1_000_000 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cacheRead: 0.075, contextWindow: 128_000 },
  'gpt-4o': { input: 2.5, output: 10, cacheRead: 1.25, contextWindow: 128_000 },
};

/**
 * What an unknown model is charged: Sonnet-class list prices, so a USD budget still bites on a self-hosted
 * or new model rather than counting it as free. Override with CLAW_MODEL_PRICES for exact figures.
 */
export const FALLBACK_PRICE: ModelPrice = {
  input: 3,
  output: 15,
  cacheRead: 0.3,
  cacheWrite: 3.75,
  contextWindow: 128_000,
};

/** Parses `CLAW_MODEL_PRICES` (a JSON object of ModelPrice by model prefix); throws a readable error. */
export function parsePriceOverrides(json: string): PriceTable {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new Error(`CLAW_MODEL_PRICES is not valid JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const parsed = PriceTable.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `CLAW_MODEL_PRICES: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}; expected {"model": {"input": 3, "output": 15}}`,
    );
  }
  return parsed.data;
}

/** The price entry for a model id: overrides first, then the defaults, longest matching prefix wins. */
export function priceFor(model: string, overrides: PriceTable = {}): ModelPrice {
  for (const table of [overrides, DEFAULT_PRICES]) {
    const match = Object.keys(table)
      .filter((prefix) => model === prefix || model.startsWith(prefix))
      .sort((a, b) => b.length - a.length)[0];
    if (match !== undefined) return table[match] ?? FALLBACK_PRICE;
  }
  return FALLBACK_PRICE;
}

export function costUsd(usage: Usage, price: ModelPrice): number {
  const perToken = 1 / 1_000_000;
  return (
    usage.inputTokens * price.input * perToken +
    usage.outputTokens * price.output * perToken +
    usage.cacheReadTokens * (price.cacheRead ?? price.input) * perToken +
    usage.cacheWriteTokens * (price.cacheWrite ?? price.input) * perToken
  );
}
