import { z } from 'zod';
import {
  assertReturns,
  ddofSchema,
  type NumericSeries,
  parseMetricOptions,
  periodsPerYearSchema,
  type RiskFreeConversion,
  riskFreeConversionSchema,
  riskFreeSchema,
} from './common.ts';

/** Options of {@link perPeriodRiskFree}. */
export const perPeriodRiskFreeOptionsSchema = z.strictObject({
  /** Periods per year `K`. @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
  /** `'simple'`: `r_f / K`; `'geometric'`: `(1 + r_f)^(1/K) − 1`. @default 'simple' */
  conversion: riskFreeConversionSchema.default('simple'),
});
/** Options of {@link perPeriodRiskFree}. */
export type PerPeriodRiskFreeOptions = z.input<typeof perPeriodRiskFreeOptionsSchema>;

/**
 * Convert an annual risk-free rate to a per-period rate: `'simple'` → `r_f / K`, `'geometric'` →
 * `(1 + r_f)^(1/K) − 1`. Trading-R1 uses r_f = 4 % p.a. (US10Y) but does not say which conversion; at 4 % and
 * K = 252 the two differ by about 0.3 bp per day (1.587e-4 vs 1.556e-4).
 */
export function perPeriodRiskFree(annualRate: number, options: PerPeriodRiskFreeOptions = {}): number {
  const rate = parseMetricOptions(riskFreeSchema, annualRate, 'perPeriodRiskFree rate');
  const { periodsPerYear, conversion } = parseMetricOptions(
    perPeriodRiskFreeOptionsSchema,
    options,
    'perPeriodRiskFree',
  );
  return convertRiskFree(rate, periodsPerYear, conversion);
}

/** @internal unchecked conversion */
export function convertRiskFree(rate: number, periodsPerYear: number, conversion: RiskFreeConversion): number {
  return conversion === 'simple' ? rate / periodsPerYear : Math.expm1(Math.log1p(rate) / periodsPerYear);
}

/** Options of {@link sharpeRatio} and {@link sortinoRatio}. */
export const sharpeOptionsSchema = z.strictObject({
  /** Annual risk-free rate as a fraction (Trading-R1: 0.04; FLAG-Trader's tables reproduce with 0). @default 0 */
  riskFree: riskFreeSchema.default(0),
  /** Periods per year `K` (252 trading days; 365 for crypto). @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
  /** How the annual risk-free rate becomes per-period (see {@link perPeriodRiskFree}). @default 'simple' */
  riskFreeConversion: riskFreeConversionSchema.default('simple'),
  /** Delta degrees of freedom of the standard deviation (1 = sample). @default 1 */
  ddof: ddofSchema.default(1),
  /** Multiply by `√K` (an annualised ratio). `false` gives the per-period ratio. @default true */
  annualize: z.boolean().default(true),
});
/** Options of {@link sharpeRatio}. */
export type SharpeOptions = z.input<typeof sharpeOptionsSchema>;
/** Parsed {@link SharpeOptions}. */
export type ResolvedSharpeOptions = z.output<typeof sharpeOptionsSchema>;

/** Resolve {@link SharpeOptions} once (for callers that compute many ratios, e.g. a bootstrap). */
export function resolveSharpeOptions(options: SharpeOptions = {}): ResolvedSharpeOptions {
  return parseMetricOptions(sharpeOptionsSchema, options, 'sharpeRatio');
}

/**
 * Sharpe ratio (Trading-R1, S2.2): excess returns `x_t = r_t − r_f,p` with the per-period risk-free rate
 * `r_f,p` (see {@link perPeriodRiskFree}), `SR = √K · mean(x) / std(x)`. NaN when the standard deviation is
 * zero or there are fewer than two returns.
 */
export function sharpeRatio(returns: NumericSeries, options: SharpeOptions = {}): number {
  const resolved = resolveSharpeOptions(options);
  assertReturns(returns);
  return sharpeUnchecked(returns, resolved);
}

/** @internal Sharpe without validation (the bootstrap calls it thousands of times). */
export function sharpeUnchecked(returns: NumericSeries, options: ResolvedSharpeOptions): number {
  const count = returns.length;
  if (count <= options.ddof || count < 2) return Number.NaN;
  const riskFree = convertRiskFree(options.riskFree, options.periodsPerYear, options.riskFreeConversion);
  let sum = 0;
  for (let index = 0; index < count; index += 1) sum += (returns[index] as number) - riskFree;
  const average = sum / count;
  let squares = 0;
  for (let index = 0; index < count; index += 1) {
    const deviation = (returns[index] as number) - riskFree - average;
    squares += deviation * deviation;
  }
  const deviation = Math.sqrt(squares / (count - options.ddof));
  if (!(deviation > 1e-15 * Math.max(1, Math.abs(average)))) return Number.NaN;
  const ratio = average / deviation;
  return options.annualize ? ratio * Math.sqrt(options.periodsPerYear) : ratio;
}

/**
 * Sortino ratio: `√K · mean(r_t − r_f,p) / DD` with the downside deviation
 * `DD = sqrt((1/N) Σ_t min(0, r_t − r_f,p)²)` (target = the per-period risk-free rate, all N periods in the
 * denominator). `Infinity` when there is no downside and the mean excess return is positive, NaN when empty.
 * `ddof` is ignored.
 */
export function sortinoRatio(returns: NumericSeries, options: SharpeOptions = {}): number {
  const resolved = resolveSharpeOptions(options);
  assertReturns(returns);
  const count = returns.length;
  if (count === 0) return Number.NaN;
  const riskFree = convertRiskFree(resolved.riskFree, resolved.periodsPerYear, resolved.riskFreeConversion);
  let sum = 0;
  let downside = 0;
  for (let index = 0; index < count; index += 1) {
    const excess = (returns[index] as number) - riskFree;
    sum += excess;
    if (excess < 0) downside += excess * excess;
  }
  const average = sum / count;
  const deviation = Math.sqrt(downside / count);
  if (deviation === 0) return average > 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  const ratio = average / deviation;
  return resolved.annualize ? ratio * Math.sqrt(resolved.periodsPerYear) : ratio;
}
