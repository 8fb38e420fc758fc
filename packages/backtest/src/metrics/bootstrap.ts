import { createRng } from '@trade-r1/core';
import { z } from 'zod';
import { assertReturns, type NumericSeries, parseMetricOptions } from './common.ts';
import { convertRiskFree, type SharpeOptions, sharpeOptionsSchema, sharpeUnchecked } from './sharpe.ts';

/** Options of {@link bootstrapSharpeInterval}: the Sharpe options plus the resampling settings. */
export const bootstrapSharpeOptionsSchema = sharpeOptionsSchema.extend({
  /** Seed of the resampling RNG (core's `createRng`): same seed, same interval. @default 0 */
  seed: z.number().int().default(0),
  /** Number of bootstrap resamples. @default 1000 */
  samples: z.number().int().min(10).max(1_000_000).default(1000),
  /** Two-sided confidence level of the percentile interval. @default 0.95 */
  confidence: z.number().gt(0).lt(1).default(0.95),
  /**
   * Block length of the moving-block bootstrap. 1 is the iid bootstrap; use ~5–20 for daily returns with
   * autocorrelation or volatility clustering.
   * @default 1
   */
  blockLength: z.number().int().min(1).default(1),
});
/** Options of {@link bootstrapSharpeInterval}. */
export type BootstrapSharpeOptions = z.input<typeof bootstrapSharpeOptionsSchema> & SharpeOptions;

/** A bootstrap confidence interval. */
export interface ConfidenceInterval {
  /** The statistic on the original sample. */
  estimate: number;
  /** Lower percentile bound. */
  lower: number;
  /** Upper percentile bound. */
  upper: number;
  /** Confidence level. */
  confidence: number;
  /** Resamples with a finite statistic (resamples with zero variance are dropped). */
  samples: number;
}

/**
 * Percentile bootstrap confidence interval of the Sharpe ratio: resample the returns with replacement in blocks
 * of `blockLength` (moving-block bootstrap; iid when 1), compute the Sharpe ratio of each resample with the
 * same options, and take the `(1 − c)/2` and `(1 + c)/2` quantiles (linear interpolation). Seeded: the same
 * seed always gives the same interval. All bounds NaN when fewer than 2 returns.
 */
export function bootstrapSharpeInterval(
  returns: NumericSeries,
  options: BootstrapSharpeOptions = {},
): ConfidenceInterval {
  const resolved = parseMetricOptions(bootstrapSharpeOptionsSchema, options, 'bootstrapSharpeInterval');
  assertReturns(returns);
  const count = returns.length;
  const estimate = sharpeUnchecked(returns, resolved);
  if (count < 2) {
    return { estimate, lower: Number.NaN, upper: Number.NaN, confidence: resolved.confidence, samples: 0 };
  }
  const rng = createRng(resolved.seed);
  const blockLength = Math.min(resolved.blockLength, count);
  const starts = count - blockLength + 1;
  const riskFree = convertRiskFree(resolved.riskFree, resolved.periodsPerYear, resolved.riskFreeConversion);
  const scale = resolved.annualize ? Math.sqrt(resolved.periodsPerYear) : 1;
  // Centre on the sample mean so that the one-pass variance below does not cancel catastrophically.
  let centre = 0;
  for (let index = 0; index < count; index += 1) centre += returns[index] as number;
  centre /= count;
  const centred = new Float64Array(count);
  for (let index = 0; index < count; index += 1) centred[index] = (returns[index] as number) - centre;
  const twoPerDraw = starts <= 1 << 20;
  const statistics: number[] = [];
  for (let sample = 0; sample < resolved.samples; sample += 1) {
    let filled = 0;
    let sum = 0;
    let squares = 0;
    let spare = -1;
    while (filled < count) {
      let start: number;
      if (spare >= 0) {
        start = spare;
        spare = -1;
      } else {
        // One 53-bit uniform gives two block starts when there are at most 2^20 of them: the fractional remainder
        // of u · starts still holds 33+ random bits (bias < 2^-32), and the RNG is the loop's main cost.
        const scaled = rng.next() * starts;
        start = Math.floor(scaled);
        if (twoPerDraw) spare = Math.floor((scaled - start) * starts);
      }
      const stop = Math.min(blockLength, count - filled);
      for (let offset = 0; offset < stop; offset += 1) {
        const value = centred[start + offset] as number;
        sum += value;
        squares += value * value;
      }
      filled += stop;
    }
    const average = sum / count;
    const variance = (squares - count * average * average) / (count - resolved.ddof);
    const deviation = Math.sqrt(Math.max(0, variance));
    const excess = average + centre - riskFree;
    if (deviation > 1e-15 * Math.max(1, Math.abs(excess))) statistics.push((scale * excess) / deviation);
  }
  statistics.sort((left, right) => left - right);
  const alpha = (1 - resolved.confidence) / 2;
  return {
    estimate,
    lower: quantile(statistics, alpha),
    upper: quantile(statistics, 1 - alpha),
    confidence: resolved.confidence,
    samples: statistics.length,
  };
}

/** Quantile of sorted values with linear interpolation (numpy's default). */
function quantile(sorted: readonly number[], probability: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = probability * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  const weight = position - below;
  return (sorted[below] as number) * (1 - weight) + (sorted[above] as number) * weight;
}
