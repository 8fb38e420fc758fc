import { TradeR1Error } from '@trade-r1/core';
import { assertFiniteSeries, assertReturns, type NumericSeries } from './common.ts';

/**
 * Equity curve from simple returns, starting at `initial`: `V_0 = initial`, `V_t = V_{t−1} (1 + r_t)`.
 * One more value than `returns`.
 */
export function equityFromReturns(returns: NumericSeries, initial = 1): Float64Array {
  assertReturns(returns);
  if (typeof initial !== 'number' || !Number.isFinite(initial)) {
    throw new TradeR1Error('INVALID_INPUT', 'equityFromReturns: initial must be a finite number', {
      details: { field: 'initial' },
    });
  }
  const equity = new Float64Array(returns.length + 1);
  equity[0] = initial;
  for (let index = 0; index < returns.length; index += 1) {
    equity[index + 1] = (equity[index] as number) * (1 + (returns[index] as number));
  }
  return equity;
}

/** Drawdown at every point of an equity curve: `DD_t = 1 − V_t / max_{u≤t} V_u` (0 at a new high). */
export function drawdownSeries(equity: NumericSeries): Float64Array {
  assertFiniteSeries(equity, 'equity');
  const drawdowns = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < equity.length; index += 1) {
    const value = equity[index] as number;
    if (value > peak) peak = value;
    drawdowns[index] = peak > 0 ? 1 - value / peak : 0;
  }
  return drawdowns;
}

/** The result of {@link maxDrawdown}. Indices are positions in the equity curve. */
export interface MaxDrawdown {
  /** `MDD = max_t (1 − V_t / max_{u≤t} V_u)`, a fraction in [0, 1] (0 when the curve never falls). */
  maxDrawdown: number;
  /** Index of the peak before the deepest trough (−1 for an empty curve). */
  peakIndex: number;
  /** Index of the deepest trough (−1 for an empty curve). */
  troughIndex: number;
  /** First index after the trough where the curve regains the peak, or `null` if it never does. */
  recoveryIndex: number | null;
  /**
   * Longest time under water, in periods: from a peak to the first index that regains it (or to the last index
   * when it never does). 0 when the curve never falls.
   */
  maxDurationPeriods: number;
}

/**
 * Maximum drawdown of an equity curve (Trading-R1 and FLAG-Trader: `max (V_peak − V_trough) / V_peak`) with
 * the peak, the trough, the recovery and the longest drawdown duration.
 */
export function maxDrawdown(equity: NumericSeries): MaxDrawdown {
  assertFiniteSeries(equity, 'equity');
  if (equity.length === 0) {
    return { maxDrawdown: 0, peakIndex: -1, troughIndex: -1, recoveryIndex: null, maxDurationPeriods: 0 };
  }
  let peak = equity[0] as number;
  let peakAt = 0;
  let underwater = false;
  let deepest = 0;
  let deepestPeak = 0;
  let deepestTrough = 0;
  let longest = 0;
  for (let index = 1; index < equity.length; index += 1) {
    const value = equity[index] as number;
    if (value >= peak) {
      // A new high (or regaining the old one) ends the spell under water; a plateau at the peak is not one.
      if (underwater) longest = Math.max(longest, index - peakAt);
      underwater = false;
      peak = value;
      peakAt = index;
      continue;
    }
    underwater = true;
    const drawdown = peak > 0 ? 1 - value / peak : 0;
    if (drawdown > deepest) {
      deepest = drawdown;
      deepestPeak = peakAt;
      deepestTrough = index;
    }
  }
  if (underwater) longest = Math.max(longest, equity.length - 1 - peakAt);
  let recoveryIndex: number | null = null;
  if (deepest > 0) {
    const target = equity[deepestPeak] as number;
    for (let index = deepestTrough + 1; index < equity.length; index += 1) {
      if ((equity[index] as number) >= target) {
        recoveryIndex = index;
        break;
      }
    }
  }
  return {
    maxDrawdown: deepest,
    peakIndex: deepest > 0 ? deepestPeak : 0,
    troughIndex: deepest > 0 ? deepestTrough : 0,
    recoveryIndex,
    maxDurationPeriods: longest,
  };
}
