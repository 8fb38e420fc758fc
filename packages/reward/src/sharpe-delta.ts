import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { arrayLikeSchema, assertFinite, assertNonNegative, parseOptions } from './validate.ts';

// riskFree and stdEpsilon are checked by the asserts (naming the field); the PnL values in the loops.
const sharpeOptionsShape = { riskFree: z.unknown().optional(), stdEpsilon: z.unknown().optional() };
const runningSharpeSchema = z.strictObject({ pnl: arrayLikeSchema, ...sharpeOptionsShape });
const sharpeDeltaSchema = z.strictObject({ pnlHistory: arrayLikeSchema, ...sharpeOptionsShape });
const trackerOptionsSchema = z.strictObject(sharpeOptionsShape);
const portfolioPnlSchema = z.strictObject({
  cash: z.number(),
  previousCash: z.number(),
  shares: z.number(),
  previousShares: z.number(),
  price: z.number(),
  previousPrice: z.number(),
});

/** Options shared by the Sharpe-ratio helpers. */
export interface SharpeOptions {
  /** Risk-free rate per period, in the same units as the PnL (FLAG-Trader's r_f). @default 0 */
  riskFree?: number;
  /**
   * A standard deviation at or below this is treated as zero, making the ratio 0 rather than huge or NaN.
   * @default 1e-12
   */
  stdEpsilon?: number;
}

/**
 * The running Sharpe ratio of FLAG-Trader (papers.md §3.2) over a PnL history:
 * `SR = (mean(pnl) − r_f) / std(pnl)` with the sample mean and the sample (n − 1) standard deviation.
 *
 * Defined behaviour where the formula is not: fewer than 2 observations, or a standard deviation ≤ `stdEpsilon`,
 * give 0 (never NaN or ±Infinity).
 * @throws {TradeR1Error} `INVALID_INPUT` for a non-finite PnL value.
 */
export function runningSharpe(options: { pnl: ArrayLike<number> } & SharpeOptions): number {
  parseOptions(runningSharpeSchema, options, 'runningSharpe()');
  const { pnl } = options;
  const riskFree = options.riskFree ?? 0;
  const stdEpsilon = options.stdEpsilon ?? 1e-12;
  assertFinite(riskFree, 'riskFree');
  assertNonNegative(stdEpsilon, 'stdEpsilon');
  const n = pnl.length;
  let sum = 0;
  for (let index = 0; index < n; index += 1) {
    const value = pnl[index] as number;
    if (!Number.isFinite(value)) {
      throw new TradeR1Error('INVALID_INPUT', `pnl[${index}] must be a finite number, got ${String(value)}`, {
        details: { field: `pnl[${index}]`, index, value: String(value) },
      });
    }
    sum += value;
  }
  if (n < 2) return 0;
  const mean = sum / n;
  let squares = 0;
  for (let index = 0; index < n; index += 1) {
    const deviation = (pnl[index] as number) - mean;
    squares += deviation * deviation;
  }
  const std = Math.sqrt(squares / (n - 1));
  return std <= stdEpsilon ? 0 : (mean - riskFree) / std;
}

/**
 * FLAG-Trader's reward, the change in running Sharpe ratio (papers.md §3.2): `R_t = SR_t − SR_{t−1}`, where SR_t is
 * {@link runningSharpe} over `pnlHistory[0..t]` (the whole history) and SR_{t−1} over the history without its last
 * entry. With t < 2 observations both ratios are 0 by definition, so the reward is 0; a zero-variance prefix
 * contributes SR = 0.
 */
export function sharpeDeltaReward(options: { pnlHistory: ArrayLike<number> } & SharpeOptions): number {
  parseOptions(sharpeDeltaSchema, options, 'sharpeDeltaReward()');
  const { pnlHistory, ...sharpe } = options;
  const n = pnlHistory.length;
  if (n === 0) return 0;
  const previous = Array.prototype.slice.call(pnlHistory, 0, n - 1) as number[];
  return runningSharpe({ pnl: pnlHistory, ...sharpe }) - runningSharpe({ pnl: previous, ...sharpe });
}

/**
 * Daily PnL of FLAG-Trader's portfolio (papers.md §3.2):
 * `pnl_t = (C_t − C_{t−1}) + (H_t·P_t − H_{t−1}·P_{t−1})` for cash C, shares held H and price P.
 */
export function portfolioPnl(options: {
  cash: number;
  previousCash: number;
  shares: number;
  previousShares: number;
  price: number;
  previousPrice: number;
}): number {
  const { cash, previousCash, shares, previousShares, price, previousPrice } = parseOptions(
    portfolioPnlSchema,
    options,
    'portfolioPnl()',
  );
  return cash - previousCash + (shares * price - previousShares * previousPrice);
}

/** A streaming Sharpe-delta reward for RL loops: O(1) per step (Welford's running mean and variance). */
export interface SharpeDeltaTracker {
  /** Append one period's PnL and return `SR_t − SR_{t−1}` (same definitions as {@link sharpeDeltaReward}). */
  push(pnl: number): number;
  /** The current running Sharpe ratio SR_t. */
  readonly sharpe: number;
  /** Number of observations so far. */
  readonly count: number;
  /** Forget the history. */
  reset(): void;
}

/** Create a {@link SharpeDeltaTracker}. */
export function createSharpeDeltaTracker(options: SharpeOptions = {}): SharpeDeltaTracker {
  parseOptions(trackerOptionsSchema, options, 'createSharpeDeltaTracker()');
  const riskFree = options.riskFree ?? 0;
  const stdEpsilon = options.stdEpsilon ?? 1e-12;
  assertFinite(riskFree, 'riskFree');
  assertNonNegative(stdEpsilon, 'stdEpsilon');
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let sharpe = 0;
  const current = (): number => {
    if (count < 2) return 0;
    const std = Math.sqrt(Math.max(0, m2) / (count - 1));
    return std <= stdEpsilon ? 0 : (mean - riskFree) / std;
  };
  return {
    push(pnl: number): number {
      assertFinite(pnl, 'pnl');
      count += 1;
      const delta = pnl - mean;
      mean += delta / count;
      m2 += delta * (pnl - mean);
      const next = current();
      const reward = next - sharpe;
      sharpe = next;
      return reward;
    },
    get sharpe() {
      return sharpe;
    },
    get count() {
      return count;
    },
    reset() {
      count = 0;
      mean = 0;
      m2 = 0;
      sharpe = 0;
    },
  };
}
