import {
  costUsd,
  FALLBACK_PRICE,
  parsePriceOverrides,
  priceFor,
  withRetry,
} from '../../src/agent/index.js';
import { retryAfterMs } from '../../src/agent/providers/retry.js';
import { CancelledError, ModelError, RateLimitError } from '../../src/lib/index.js';

describe('priceFor', () => {
  it('matches dated model ids by the longest prefix', () => {
    expect(priceFor('claude-sonnet-4-5-20250929')).toMatchObject({ input: 3, output: 15 });
    expect(priceFor('claude-opus-4-1-20250805')).toMatchObject({ input: 15, output: 75 });
    expect(priceFor('claude-opus-4-6')).toMatchObject({ input: 5, output: 25 });
    expect(priceFor('gpt-5-mini-2025-08-07')).toMatchObject({ input: 0.25 });
    expect(priceFor('gpt-5')).toMatchObject({ input: 1.25 });
  });

  it('charges unknown models the documented fallback and lets overrides win', () => {
    expect(priceFor('llama-3-70b')).toBe(FALLBACK_PRICE);
    const overrides = parsePriceOverrides(
      '{"llama-3": {"input": 0.5, "output": 1}, "gpt-5": {"input": 9, "output": 9}}',
    );
    expect(priceFor('llama-3-70b', overrides)).toEqual({ input: 0.5, output: 1 });
    expect(priceFor('gpt-5-mini', overrides)).toMatchObject({ input: 9 });
  });

  it('prices cache reads and writes separately, falling back to the input price', () => {
    const usage = {
      inputTokens: 1e6,
      outputTokens: 1e6,
      cacheReadTokens: 1e6,
      cacheWriteTokens: 1e6,
    };
    expect(costUsd(usage, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 })).toBeCloseTo(
      22.05,
      10,
    );
    expect(costUsd(usage, { input: 1, output: 2 })).toBeCloseTo(5, 10);
  });

  it('explains a bad override', () => {
    expect(() => parsePriceOverrides('{oops')).toThrow(/not valid JSON/);
    expect(() => parsePriceOverrides('{"m": {"input": -1, "output": 1}}')).toThrow(
      /CLAW_MODEL_PRICES: m.input/,
    );
  });
});

describe('withRetry', () => {
  const fail = (error: Error) => async () => {
    throw error;
  };

  it('backs off exponentially on retryable errors, then gives up', async () => {
    const delays: number[] = [];
    let calls = 0;
    const error = await withRetry(
      async () => {
        calls++;
        return fail(new ModelError('overloaded', 529))();
      },
      undefined,
      { maxRetries: 3, baseDelayMs: 100, sleep: async (ms) => void delays.push(ms) },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(calls).toBe(4);
    expect(delays).toHaveLength(3);
    delays.forEach((delay, attempt) => {
      expect(delay).toBeGreaterThanOrEqual(100 * 2 ** attempt * 0.75);
      expect(delay).toBeLessThanOrEqual(100 * 2 ** attempt * 1.25);
    });
  });

  it('waits what retry-after says and does not retry permanent errors', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (calls++ === 0) throw new RateLimitError('429', 7000);
        return 'ok';
      },
      undefined,
      { sleep: async (ms) => void delays.push(ms) },
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([7000]);
    let permanent = 0;
    await expect(
      withRetry(async () => {
        permanent++;
        throw new ModelError('bad request', 400);
      }, undefined),
    ).rejects.toThrow('bad request');
    expect(permanent).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      withRetry(() => Promise.reject(new ModelError('overloaded', 529)), controller.signal, {
        baseDelayMs: 60_000,
      }),
    ).rejects.toBeInstanceOf(CancelledError);
  });

  it('reads retry-after in seconds, as a date, and retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4000)).toBe(
      6000,
    );
    expect(retryAfterMs(new Headers())).toBeUndefined();
  });
});
