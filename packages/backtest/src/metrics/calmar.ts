import { z } from 'zod';
import { assertReturns, type NumericSeries, parseMetricOptions, periodsPerYearSchema } from './common.ts';
import { equityFromReturns, maxDrawdown } from './drawdown.ts';
import { annualizedReturn } from './returns.ts';

/** Options of {@link calmarRatio}. */
export const calmarOptionsSchema = z.strictObject({
  /** Periods per year `K`. @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
});
/** Options of {@link calmarRatio}. */
export type CalmarOptions = z.input<typeof calmarOptionsSchema>;

/**
 * Calmar ratio: geometric annualised return (CAGR, see `annualizedReturn`) divided by the maximum drawdown of
 * the compounded equity curve, both over the whole series (not the conventional trailing 36 months).
 * NaN when there is no drawdown or no return.
 */
export function calmarRatio(returns: NumericSeries, options: CalmarOptions = {}): number {
  const { periodsPerYear } = parseMetricOptions(calmarOptionsSchema, options, 'calmarRatio');
  assertReturns(returns);
  if (returns.length === 0) return Number.NaN;
  const drawdown = maxDrawdown(equityFromReturns(returns)).maxDrawdown;
  if (drawdown === 0) return Number.NaN;
  return annualizedReturn(returns, { periodsPerYear, method: 'geometric' }) / drawdown;
}
