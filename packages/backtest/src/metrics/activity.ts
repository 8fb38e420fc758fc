import { z } from 'zod';
import { assertFiniteSeries, mean, type NumericSeries, parseMetricOptions, periodsPerYearSchema } from './common.ts';

/** Options of {@link annualizedTurnover}. */
export const turnoverOptionsSchema = z.strictObject({
  /** Periods per year `K`. @default 252 */
  periodsPerYear: periodsPerYearSchema.default(252),
});
/** Options of {@link annualizedTurnover}. */
export type TurnoverOptions = z.input<typeof turnoverOptionsSchema>;

/**
 * Annualised one-way turnover: `K · mean_t(traded notional_t / equity_t)`, where `turnover[t]` is the traded
 * notional (buys + sells, absolute) of period t divided by the equity before trading. 1.0 means the whole
 * portfolio is traded once a year (buying into a position from cash is 1.0 of turnover on that day). NaN when
 * empty.
 */
export function annualizedTurnover(turnover: NumericSeries, options: TurnoverOptions = {}): number {
  const { periodsPerYear } = parseMetricOptions(turnoverOptionsSchema, options, 'annualizedTurnover');
  assertFiniteSeries(turnover, 'turnover');
  return mean(turnover) * periodsPerYear;
}

/** Average exposure: the mean of per-period exposures (gross `Σ|w|` or net `Σw`). NaN when empty. */
export function averageExposure(exposure: NumericSeries): number {
  assertFiniteSeries(exposure, 'exposure');
  return mean(exposure);
}

/** Time in market: the fraction of periods with non-zero exposure. NaN when empty. */
export function timeInMarket(exposure: NumericSeries): number {
  assertFiniteSeries(exposure, 'exposure');
  if (exposure.length === 0) return Number.NaN;
  let count = 0;
  for (let index = 0; index < exposure.length; index += 1) if ((exposure[index] as number) !== 0) count += 1;
  return count / exposure.length;
}
