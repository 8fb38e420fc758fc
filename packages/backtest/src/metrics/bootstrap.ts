import { createRng } from '@trade-r1/core';
import { z } from 'zod';
import { assertReturns, type NumericSeries, parseMetricOptions } from './common.ts';
import { type SharpeOptions, sharpeOptionsSchema, sharpeUnchecked } from './sharpe.ts';

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
  const resample = new Float64Array(count);
  const statistics: number[] = [];
  for (let sample = 0; sample < resolved.samples; sample += 1) {
    let filled = 0;
    while (filled < count) {
      const start = Math.floor(rng.next() * starts);
      for (let offset = 0; offset < blockLength && filled < count; offset += 1) {
        resample[filled] = returns[start + offset] as number;
        filled += 1;
      }
    }
    const value = sharpeUnchecked(resample, resolved);
    if (Number.isFinite(value)) statistics.push(value);
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
