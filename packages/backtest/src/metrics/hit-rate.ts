import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { assertFiniteSeries, type NumericSeries, parseMetricOptions } from './common.ts';

/** Options of {@link hitRate}. */
export const hitRateOptionsSchema = z.strictObject({
  /**
   * What to do with flat actions (`a_t = 0`, e.g. HOLD):
   * - `'count'`: Trading-R1's literal definition, `sign(0) = 0` matches only `r_t = 0`, so a flat action is
   *   almost always a miss;
   * - `'exclude'`: drop flat actions from numerator and denominator (hit rate of directional calls only).
   * @default 'count'
   */
  flatActions: z.enum(['count', 'exclude']).default('count'),
});
/** Options of {@link hitRate}. */
export type HitRateOptions = z.input<typeof hitRateOptionsSchema>;

/**
 * Hit rate (Trading-R1): `HR = (1/N) Σ_t 1{sign(a_t) = sign(r_t)}` for actions `a_t` (signed exposure or
 * decision direction) and the asset returns `r_t` over each action's holding interval. NaN when nothing is
 * counted.
 * @throws {TradeR1Error} `INVALID_INPUT` when the arrays differ in length or hold non-finite values.
 */
export function hitRate(actions: NumericSeries, returns: NumericSeries, options: HitRateOptions = {}): number {
  const { flatActions } = parseMetricOptions(hitRateOptionsSchema, options, 'hitRate');
  assertFiniteSeries(actions, 'actions');
  assertFiniteSeries(returns, 'returns');
  if (actions.length !== returns.length) {
    throw new TradeR1Error(
      'INVALID_INPUT',
      `hitRate needs one return per action; got ${actions.length} actions and ${returns.length} returns`,
      { details: { actions: actions.length, returns: returns.length } },
    );
  }
  assertFiniteSeries(actions, 'actions');
  assertFiniteSeries(returns, 'returns');
  let hits = 0;
  let counted = 0;
  for (let index = 0; index < actions.length; index += 1) {
    const action = Math.sign(actions[index] as number);
    if (action === 0 && flatActions === 'exclude') continue;
    counted += 1;
    if (action === Math.sign(returns[index] as number)) hits += 1;
  }
  return counted === 0 ? Number.NaN : hits / counted;
}

/** Options of {@link winRate}. */
export const winRateOptionsSchema = z.strictObject({
  /**
   * Per-period gross exposure, aligned with the returns. When given, only periods with non-zero exposure count
   * (days in the market); otherwise only non-zero returns count.
   */
  exposure: z
    .custom<NumericSeries>((value) => value == null || typeof (value as NumericSeries).length === 'number')
    .optional(),
});
/** Options of {@link winRate}. */
export type WinRateOptions = z.input<typeof winRateOptionsSchema>;

/**
 * Win rate: the fraction of counted periods with a positive return. A period counts when the strategy was in
 * the market (`exposure[t] ≠ 0`, if exposures are given) or else when its return is not exactly zero.
 * NaN when nothing is counted.
 */
export function winRate(returns: NumericSeries, options: WinRateOptions = {}): number {
  const { exposure } = parseMetricOptions(winRateOptionsSchema, options, 'winRate');
  assertFiniteSeries(returns, 'returns');
  if (exposure && exposure.length !== returns.length) {
    throw new TradeR1Error(
      'INVALID_INPUT',
      `winRate exposure has ${exposure.length} values for ${returns.length} returns`,
      {
        details: { exposure: exposure.length, returns: returns.length },
      },
    );
  }
  let wins = 0;
  let counted = 0;
  for (let index = 0; index < returns.length; index += 1) {
    const value = returns[index] as number;
    const inMarket = exposure ? (exposure[index] as number) !== 0 : value !== 0;
    if (!inMarket) continue;
    counted += 1;
    if (value > 0) wins += 1;
  }
  return counted === 0 ? Number.NaN : wins / counted;
}
