import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';

/** Throw `INVALID_INPUT` naming `field` unless `value` is a string (for JavaScript callers). */
export function assertText(value: unknown, field: string, fn: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new TradeR1Error(
      'INVALID_INPUT',
      `${fn}: ${field} must be a string; got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`,
      { details: { field } },
    );
  }
}

const floatArray = z.instanceof(Float64Array);
const runShape = {
  equity: floatArray,
  cash: floatArray,
  returns: floatArray,
  grossExposure: floatArray,
  netExposure: floatArray,
  turnover: floatArray,
  costs: floatArray,
  trades: z.array(z.unknown()),
  weights: z.record(z.string(), floatArray),
  metrics: z.object({}).passthrough(),
};

/**
 * The shape of a `BacktestResult` as the report functions read it (a result of `runBacktest`, or one read back
 * with typed arrays restored). Extra fields are allowed: a result carries more than the reports use.
 */
export const backtestResultShapeSchema = z
  .object({
    ...runShape,
    dates: z.array(z.string()),
    decisions: z.array(z.unknown()),
    rebalances: z.array(z.unknown()),
    benchmark: z.union([z.null(), z.object({ ...runShape, name: z.string() }).passthrough()]),
    settings: z.object({}).passthrough(),
  })
  .passthrough();

/** Throw `INVALID_INPUT` (issues name the field) unless `value` has the shape of a `BacktestResult`. */
export function assertBacktestResult(value: unknown, fn: string): void {
  parseWith(backtestResultShapeSchema, value, { code: 'INVALID_INPUT', label: `${fn}() result` });
}
