import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';

/** A series of per-period values (simple returns, equity, exposures): a plain array or a typed array. */
export type NumericSeries = ArrayLike<number>;

/** Periods per year: 252 for trading days, 365 for calendar days (crypto), 52 for weeks, 12 for months. */
export const periodsPerYearSchema = z.number().finite().positive();

/** Annual risk-free rate as a fraction (0.04 = 4 % p.a.). */
export const riskFreeSchema = z.number().finite().gt(-1);

/**
 * How an annual risk-free rate becomes a per-period rate:
 * - `'simple'`: `r_f / K` (what most Sharpe implementations do);
 * - `'geometric'`: `(1 + r_f)^(1/K) − 1` (compounds back to exactly `r_f` over a year).
 */
export const riskFreeConversionSchema = z.enum(['simple', 'geometric']);
/** See {@link riskFreeConversionSchema}. */
export type RiskFreeConversion = z.infer<typeof riskFreeConversionSchema>;

/** Delta degrees of freedom of a standard deviation: 1 = sample (Bessel), 0 = population. */
export const ddofSchema = z.union([z.literal(0), z.literal(1)]);

/** Validate metric options with a zod schema; problems throw `INVALID_CONFIG` naming the metric. */
export function parseMetricOptions<Schema extends z.ZodType>(schema: Schema, value: unknown, metric: string) {
  return parseWith(schema, value ?? {}, { code: 'INVALID_CONFIG', label: `${metric} options` });
}

/**
 * Throw `INVALID_INPUT` (with the offending `field`) unless `values` is an array or typed array of numbers. Guards
 * JavaScript callers that pass `undefined`, a string or an object.
 */
export function assertSeries(values: unknown, label: string): asserts values is NumericSeries {
  const ok =
    Array.isArray(values) ||
    (ArrayBuffer.isView(values) &&
      !(values instanceof DataView) &&
      typeof (values as unknown as NumericSeries).length === 'number');
  if (!ok) {
    throw new TradeR1Error('INVALID_INPUT', `${label} must be an array of numbers; got ${describeValue(values)}`, {
      details: { field: label },
    });
  }
  if (Array.isArray(values)) {
    for (let index = 0; index < values.length; index += 1) {
      if (typeof values[index] !== 'number') {
        throw new TradeR1Error(
          'INVALID_INPUT',
          `${label}[${index}] must be a number; got ${describeValue(values[index])}`,
          {
            details: { field: `${label}[${index}]` },
          },
        );
      }
    }
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Throw `INVALID_INPUT` unless every value is finite. Metrics never silently skip NaN: a NaN return is a bug
 * upstream (a missing price that was not handled), and skipping it would change the period count.
 */
export function assertFiniteSeries(values: NumericSeries, label: string): void {
  assertSeries(values, label);
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index] as number;
    if (!Number.isFinite(value)) {
      throw new TradeR1Error('INVALID_INPUT', `${label}[${index}] is ${value}; every value must be finite`, {
        details: { field: `${label}[${index}]`, label, index, value: String(value) },
      });
    }
  }
}

/**
 * Throw `INVALID_INPUT` unless every simple return is finite and at least −1 (−1 is a total loss; equity below
 * zero has no return).
 */
export function assertReturns(returns: NumericSeries, label = 'returns'): void {
  assertSeries(returns, label);
  for (let index = 0; index < returns.length; index += 1) {
    const value = returns[index] as number;
    if (!Number.isFinite(value) || value < -1) {
      throw new TradeR1Error(
        'INVALID_INPUT',
        `${label}[${index}] is ${value}; simple returns must be finite and >= -1`,
        { details: { field: `${label}[${index}]`, label, index, value: String(value) } },
      );
    }
  }
}

/** Arithmetic mean (NaN for an empty series). */
export function mean(values: NumericSeries): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let index = 0; index < values.length; index += 1) sum += values[index] as number;
  return sum / values.length;
}

/**
 * Standard deviation with `ddof` delta degrees of freedom (two-pass, numerically stable).
 * NaN when there are not more than `ddof` values.
 */
export function standardDeviation(values: NumericSeries, ddof: 0 | 1 = 1): number {
  assertSeries(values, 'values');
  if (ddof !== 0 && ddof !== 1) {
    throw new TradeR1Error('INVALID_CONFIG', `standardDeviation: ddof must be 0 or 1; got ${String(ddof)}`, {
      details: { field: 'ddof' },
    });
  }
  const count = values.length;
  if (count <= ddof) return Number.NaN;
  const average = mean(values);
  let sum = 0;
  for (let index = 0; index < count; index += 1) {
    const deviation = (values[index] as number) - average;
    sum += deviation * deviation;
  }
  return Math.sqrt(sum / (count - ddof));
}
