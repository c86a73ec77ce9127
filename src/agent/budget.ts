// The spend limits of one run, shared with its Task children: tokens, USD and wall clock are pooled,
// turns are counted per loop. It predicts when the next turn is the last one that fits, for the wrap-up.
import { addUsage, totalTokens, ZERO_USAGE, type Usage } from './types.js';

export interface BudgetLimits {
  maxTurns: number;
  maxTokens: number;
  maxCostUsd: number;
  /** Wall-clock limit of the whole run, in ms. */
  maxDurationMs: number;
}

export const DEFAULT_LIMITS: BudgetLimits = {
  maxTurns: 60,
  maxTokens: 4_000_000,
  maxCostUsd: 5,
  maxDurationMs: 30 * 60_000,
};

export type BudgetStop = 'max_turns' | 'max_tokens' | 'max_cost_usd' | 'wall_clock';

export class Budget {
  tokens = 0;
  costUsd = 0;
  /** Usage of every model call of the run, children included. */
  usage: Usage = { ...ZERO_USAGE };
  private readonly startedAt: number;
  /** The largest single turn seen, used to predict whether another full turn still fits. */
  private largestTurnTokens = 0;
  private largestTurnCost = 0;
  private longestTurnMs = 0;

  constructor(
    readonly limits: BudgetLimits,
    private readonly clock: () => number = Date.now,
    spent: { usage?: Usage; costUsd?: number; elapsedMs?: number } = {},
  ) {
    this.usage = { ...(spent.usage ?? ZERO_USAGE) };
    this.tokens = totalTokens(this.usage);
    this.costUsd = spent.costUsd ?? 0;
    this.startedAt = clock() - (spent.elapsedMs ?? 0);
  }

  now(): number {
    return this.clock();
  }

  elapsedMs(): number {
    return this.clock() - this.startedAt;
  }

  deadline(): number {
    return this.startedAt + this.limits.maxDurationMs;
  }

  charge(usage: Usage, costUsd: number, durationMs: number): void {
    const tokens = totalTokens(usage);
    this.tokens += tokens;
    this.costUsd += costUsd;
    this.usage = addUsage(this.usage, usage);
    this.largestTurnTokens = Math.max(this.largestTurnTokens, tokens);
    this.largestTurnCost = Math.max(this.largestTurnCost, costUsd);
    this.longestTurnMs = Math.max(this.longestTurnMs, durationMs);
  }

  /** A pooled limit that is already used up: no further model call may start. */
  exhausted(): BudgetStop | undefined {
    if (this.tokens >= this.limits.maxTokens) return 'max_tokens';
    if (this.costUsd >= this.limits.maxCostUsd) return 'max_cost_usd';
    if (this.elapsedMs() >= this.limits.maxDurationMs) return 'wall_clock';
    return undefined;
  }

  /**
   * The limit that makes the coming turn the last one: after it, another turn of the largest size seen
   * would not fit. `turn` is 1-based; `maxTurns` is the calling loop's own turn limit.
   */
  lastTurnReason(turn: number, maxTurns: number): BudgetStop | undefined {
    if (turn >= maxTurns) return 'max_turns';
    if (this.tokens + 2 * this.largestTurnTokens > this.limits.maxTokens) return 'max_tokens';
    if (this.costUsd + 2 * this.largestTurnCost > this.limits.maxCostUsd) return 'max_cost_usd';
    if (this.elapsedMs() + 2 * this.longestTurnMs > this.limits.maxDurationMs) return 'wall_clock';
    return undefined;
  }
}
