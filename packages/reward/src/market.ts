import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { arrayLikeSchema, assertFinite, assertNonNegative, parseOptions } from './validate.ts';

// Keys only: the values are checked by the asserts below (finite, > 0), which name the field.
const marketRewardOptionsSchema = z.strictObject({
  assetReturn: z.unknown().optional(),
  entryPrice: z.unknown().optional(),
  exitPrice: z.unknown().optional(),
  benchmarkReturn: z.unknown().optional(),
  benchmarkEntryPrice: z.unknown().optional(),
  benchmarkExitPrice: z.unknown().optional(),
  exposure: z.unknown().optional(),
  oneWayCost: z.unknown().optional(),
});
const simpleReturnOptionsSchema = z.strictObject({ entryPrice: z.unknown(), exitPrice: z.unknown() });
const horizonReturnOptionsSchema = z.strictObject({
  closes: arrayLikeSchema,
  entryIndex: z.unknown(),
  horizon: z.unknown(),
});

/**
 * One-way transaction cost used by Trade-R1's training reward: 0.15% of the traded notional per leg
 * (papers.md §1.4, third-party ledger "p. 10"). Not applied by default; pass it as `oneWayCost`.
 */
export const TRADE_R1_ONE_WAY_COST = 0.0015;

/** Options for {@link marketReward}. Give either the returns or the prices, per asset and per benchmark. */
export interface MarketRewardOptions {
  /** Simple return of the asset over the horizon, e.g. `0.031` for +3.1%. Alternative to the prices. */
  assetReturn?: number;
  /** Asset price at entry (decision time). Used with `exitPrice` when `assetReturn` is absent. */
  entryPrice?: number;
  /** Asset price at the end of the horizon. */
  exitPrice?: number;
  /**
   * Simple return of the benchmark over the same horizon. When a benchmark is given the reward is the excess
   * return `assetReturn − benchmarkReturn`; without one it is the simple return. @default undefined (no benchmark)
   */
  benchmarkReturn?: number;
  /** Benchmark price at entry (alternative to `benchmarkReturn`). */
  benchmarkEntryPrice?: number;
  /** Benchmark price at the end of the horizon. */
  benchmarkExitPrice?: number;
  /**
   * Signed exposure taken by the decision: `1` long, `-1` short, `0.5` half long, `0` flat.
   * The gross reward is `exposure × (excess) return`. @default 1
   */
  exposure?: number;
  /**
   * Cost per leg as a fraction of traded notional (e.g. {@link TRADE_R1_ONE_WAY_COST}). A position is opened and
   * closed within the horizon, so the charge is a round trip: `2 × oneWayCost × |exposure|`. @default 0
   */
  oneWayCost?: number;
}

/** The market reward and its parts (for logging). */
export interface MarketRewardResult {
  /** `exposure × (assetReturn − benchmarkReturn) − 2 × oneWayCost × |exposure|`. */
  reward: number;
  /** Simple return of the asset over the horizon. */
  assetReturn: number;
  /** Simple return of the benchmark (0 when no benchmark was given). */
  benchmarkReturn: number;
  /** The return the exposure is applied to: `assetReturn − benchmarkReturn`. */
  excessReturn: number;
  /** Round-trip cost charged: `2 × oneWayCost × |exposure|`. */
  cost: number;
}

/** Simple return `exit / entry − 1`. Prices must be finite and > 0. @throws {TradeR1Error} `INVALID_INPUT` */
export function simpleReturn(options: { entryPrice: number; exitPrice: number }): number {
  parseOptions(simpleReturnOptionsSchema, options, 'simpleReturn()');
  const { entryPrice, exitPrice } = options;
  assertPositivePrice(entryPrice, 'entryPrice');
  assertPositivePrice(exitPrice, 'exitPrice');
  return exitPrice / entryPrice - 1;
}

/**
 * Simple return over `horizon` bars starting at `entryIndex` in a close-price array:
 * `closes[entryIndex + horizon] / closes[entryIndex] − 1`. Index arithmetic only: for a decision at a cutoff the
 * entry is the first tradable price after it (the next open by default), which `@trade-r1/data`'s
 * `forwardExcessReturns` and `@trade-r1/backtest` compute on the exchange's decision clock — pass their prices to
 * {@link marketReward} rather than a close at or before the decision.
 * @throws {TradeR1Error} `INSUFFICIENT_DATA` when the horizon runs past the series, `INVALID_INPUT` on bad prices.
 */
export function horizonReturn(options: { closes: ArrayLike<number>; entryIndex: number; horizon: number }): number {
  parseOptions(horizonReturnOptionsSchema, options, 'horizonReturn()');
  const { closes, entryIndex, horizon } = options;
  if (!Number.isInteger(entryIndex) || entryIndex < 0 || !Number.isInteger(horizon) || horizon < 1) {
    throw new TradeR1Error('INVALID_INPUT', 'entryIndex must be an integer >= 0 and horizon an integer >= 1', {
      details: {
        field: Number.isInteger(entryIndex) && entryIndex >= 0 ? 'horizon' : 'entryIndex',
        entryIndex,
        horizon,
      },
    });
  }
  const exitIndex = entryIndex + horizon;
  if (exitIndex >= closes.length) {
    throw new TradeR1Error(
      'INSUFFICIENT_DATA',
      `horizon of ${horizon} bars from index ${entryIndex} needs ${exitIndex + 1} closes, got ${closes.length}`,
      { details: { entryIndex, horizon, length: closes.length } },
    );
  }
  return simpleReturn({ entryPrice: closes[entryIndex] as number, exitPrice: closes[exitIndex] as number });
}

/**
 * Market reward r for one decision over one horizon: the simple return of the asset, or its excess return over a
 * benchmark, scaled by the signed exposure, minus a round-trip transaction cost.
 *
 * `r = exposure × (R_asset − R_benchmark) − 2 × oneWayCost × |exposure|`
 *
 * Trade-R1 uses e.g. a 10-day excess return and a 0.15% one-way cost (papers.md §1.4); which benchmark it uses
 * (index or cross-section) is NOT FOUND, so the benchmark is yours to choose.
 *
 * @example
 * marketReward({ entryPrice: 100, exitPrice: 104, benchmarkReturn: 0.01, oneWayCost: TRADE_R1_ONE_WAY_COST }).reward
 * // 0.04 − 0.01 − 0.003 = 0.027
 * @throws {TradeR1Error} `INVALID_INPUT` when a return or price is missing, non-finite, or a price is ≤ 0.
 */
export function marketReward(options: MarketRewardOptions): MarketRewardResult {
  parseOptions(marketRewardOptionsSchema, options, 'marketReward()');
  const assetReturn = resolveReturn(options.assetReturn, options.entryPrice, options.exitPrice, 'asset');
  const hasBenchmark =
    options.benchmarkReturn !== undefined ||
    options.benchmarkEntryPrice !== undefined ||
    options.benchmarkExitPrice !== undefined;
  const benchmarkReturn = hasBenchmark
    ? resolveReturn(options.benchmarkReturn, options.benchmarkEntryPrice, options.benchmarkExitPrice, 'benchmark')
    : 0;
  const exposure = options.exposure ?? 1;
  assertFinite(exposure, 'exposure');
  const oneWayCost = options.oneWayCost ?? 0;
  assertNonNegative(oneWayCost, 'oneWayCost');
  const excessReturn = assetReturn - benchmarkReturn;
  const cost = 2 * oneWayCost * Math.abs(exposure);
  return { reward: exposure * excessReturn - cost, assetReturn, benchmarkReturn, excessReturn, cost };
}

function resolveReturn(
  value: number | undefined,
  entryPrice: number | undefined,
  exitPrice: number | undefined,
  label: 'asset' | 'benchmark',
): number {
  if (value !== undefined) {
    assertFinite(value, `${label}Return`);
    if (value < -1) {
      throw new TradeR1Error('INVALID_INPUT', `${label}Return must be >= -1 (a simple return), got ${value}`, {
        details: { [`${label}Return`]: value },
      });
    }
    return value;
  }
  if (entryPrice === undefined || exitPrice === undefined) {
    const prefix = label === 'asset' ? '' : 'benchmark';
    throw new TradeR1Error(
      'INVALID_INPUT',
      `give ${label}Return or both ${prefix ? `${prefix}EntryPrice and ${prefix}ExitPrice` : 'entryPrice and exitPrice'}`,
      { details: { label } },
    );
  }
  return simpleReturn({ entryPrice, exitPrice });
}

function assertPositivePrice(value: unknown, name: string): asserts value is number {
  assertFinite(value, name);
  if (value <= 0) {
    throw new TradeR1Error('INVALID_INPUT', `${name} must be > 0, got ${value}`, { details: { [name]: value } });
  }
}
