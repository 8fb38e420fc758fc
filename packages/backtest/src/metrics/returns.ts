import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import {
  assertFiniteSeries,
  assertReturns,
  ddofSchema,
  type NumericSeries,
  parseMetricOptions,
  periodsPerYearSchema,
  standardDeviation,
} from './common.ts';

/**
 * Simple per-period returns of an equity curve: `r_t = V_t / V_{t−1} − 1`, one fewer value than the curve.
 * @throws {TradeR1Error} `INVALID_INPUT` when a value is not finite and positive.
 */
export function returnsFromEquity(equity: NumericSeries): Float64Array {
  assertFiniteSeries(equity, 'equity');
  const count = Math.max(0, equity.length - 1);
  const returns = new Float64Array(count);
  for (let index = 0; index < count; index += 1) {
    const previous = equity[index] as number;
    if (!(previous > 0)) {
      throw new TradeR1Error('INVALID_INPUT', `equity[${index}] is ${previous}; returns need positive equity`, {
        details: { index, value: previous },
      });
    }
    returns[index] = (equity[index + 1] as number) / previous - 1;
  }
  return returns;
}

/** Log returns `log(1 + r_t)` of simple returns. */
export function toLogReturns(returns: NumericSeries): Float64Array {
  assertReturns(returns);
  const logs = new Float64Array(returns.length);
  for (let index = 0; index < returns.length; index += 1) logs[index] = Math.log1p(returns[index] as number);
  return logs;
}

/**
 * Compounded cumulative return (Trading-R1's CR): `CR = V_N / V_0 − 1 = Π_t (1 + r_t) − 1`.
 * 0 for an empty series.
 */
export function cumulativeReturn(returns: NumericSeries): number {
  assertReturns(returns);
  let logSum = 0;
  for (let index = 0; index < returns.length; index += 1) logSum += Math.log1p(returns[index] as number);
  return Math.expm1(logSum);
}

/**
 * Cumulative return as a sum of log returns (FLAG-Trader's CR): `CR = Σ_t log(1 + r_t) = log(V_N / V_0)`.
 * Multiply by 100 for FLAG-Trader's "CR %". 0 for an empty series.
 */
export function cumulativeLogReturn(returns: NumericSeries): number {
  assertReturns(returns);
  let logSum = 0;
  for (let index = 0; index < returns.length; index += 1) logSum += Math.log1p(returns[index] as number);
  return logSum;
}

/** Options of {@link annualizedReturn}. */
export const annualizedReturnOptionsSchema = z.strictObject({
  /** Periods per year `K`. @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
  /**
   * - `'geometric'`: `(Π(1 + r_t))^(K/N) − 1` (CAGR);
   * - `'arithmetic'`: `K · mean(r_t)`;
   * - `'log'`: `K · mean(log(1 + r_t))` (continuously compounded).
   * @default 'geometric'
   */
  method: z.enum(['geometric', 'arithmetic', 'log']).default('geometric'),
});
/** Options of {@link annualizedReturn}. */
export type AnnualizedReturnOptions = z.input<typeof annualizedReturnOptionsSchema>;

/**
 * Annualised return over `N` periods with `K` periods per year (see {@link AnnualizedReturnOptions.method}).
 * NaN for an empty series.
 */
export function annualizedReturn(returns: NumericSeries, options: AnnualizedReturnOptions = {}): number {
  const { periodsPerYear, method } = parseMetricOptions(annualizedReturnOptionsSchema, options, 'annualizedReturn');
  assertReturns(returns);
  const count = returns.length;
  if (count === 0) return Number.NaN;
  let sum = 0;
  if (method === 'arithmetic') {
    for (let index = 0; index < count; index += 1) sum += returns[index] as number;
    return (periodsPerYear * sum) / count;
  }
  for (let index = 0; index < count; index += 1) sum += Math.log1p(returns[index] as number);
  if (method === 'log') return (periodsPerYear * sum) / count;
  return Math.expm1((sum * periodsPerYear) / count);
}

/** Options of {@link annualizedVolatility}. */
export const annualizedVolatilityOptionsSchema = z.strictObject({
  /** Periods per year `K`. @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
  /** Delta degrees of freedom of the standard deviation (1 = sample). @default 1 */
  ddof: ddofSchema.default(1),
  /** Use log returns `log(1 + r_t)` (FLAG-Trader's AV) instead of simple returns. @default false */
  log: z.boolean().default(false),
});
/** Options of {@link annualizedVolatility}. */
export type AnnualizedVolatilityOptions = z.input<typeof annualizedVolatilityOptionsSchema>;

/**
 * Annualised volatility `σ · √K`, where σ is the standard deviation of per-period (simple or log) returns.
 * FLAG-Trader's `AV% = DV · √252` is `{ log: true, periodsPerYear: 252 }` × 100. NaN with fewer than 2 values.
 */
export function annualizedVolatility(returns: NumericSeries, options: AnnualizedVolatilityOptions = {}): number {
  const { periodsPerYear, ddof, log } = parseMetricOptions(
    annualizedVolatilityOptionsSchema,
    options,
    'annualizedVolatility',
  );
  const values = log ? toLogReturns(returns) : returns;
  if (!log) assertReturns(returns);
  return standardDeviation(values, ddof) * Math.sqrt(periodsPerYear);
}
