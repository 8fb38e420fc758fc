import { parseWith } from '@trade-r1/core';
import { z } from 'zod';

const adjustInputSchema = z.strictObject({
  /** Unadjusted prices, one per date. */
  prices: z.array(z.number().finite().positive()),
  /** Cumulative adjustment factors on the same dates (Tushare `adj_factor`: it steps up at each ex-date). */
  factors: z.array(z.number().finite().positive()),
  /**
   * `'backward'` (后复权, hfq): `price · factor`, history fixed, today's level grows with every corporate action.
   * `'forward'` (前复权, qfq): `price · factor / factor_last`, today's quote unchanged, history rescaled.
   */
  mode: z.enum(['forward', 'backward']),
});
/** Input of {@link adjustPrices}. */
export type AdjustPricesInput = z.input<typeof adjustInputSchema>;

/**
 * Apply cumulative adjustment factors (Tushare `adj_factor` convention) to unadjusted prices, so that ex-dividend
 * and ex-rights gaps (e.g. CATL's 10-for-8 bonus issue on 2023-04-26) stop booking as losses. Forward adjustment
 * anchors at the last factor (it changes when new factors arrive: a point-in-time backtest should use backward
 * adjustment, or forward adjustment anchored at the decision date). Apply the same factors to open and close.
 * @throws {TradeR1Error} `INVALID_INPUT` naming the field for missing, non-positive or mismatched inputs.
 */
export function adjustPrices(input: AdjustPricesInput): number[] {
  const { prices, factors, mode } = parseWith(adjustInputSchema, input, {
    code: 'INVALID_INPUT',
    label: 'adjustPrices() input',
  });
  if (prices.length !== factors.length) {
    parseWith(
      z.strictObject({ factors: z.array(z.number()).length(prices.length) }),
      { factors },
      {
        code: 'INVALID_INPUT',
        label: 'adjustPrices() input (one factor per price)',
      },
    );
  }
  const anchor = mode === 'forward' ? (factors[factors.length - 1] ?? 1) : 1;
  return prices.map((price, index) => (price * (factors[index] as number)) / anchor);
}
