import { TradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { adjustPrices } from './adjust.ts';

describe('adjustPrices', () => {
  // A 10-for-8 bonus issue (factor × 1.8) on the third date: the raw series halves without any loss.
  const prices = [100, 102, 57, 58];
  const factors = [1, 1, 1.8, 1.8];

  it('backward adjustment multiplies by the factor; forward divides by the last factor', () => {
    expect(adjustPrices({ prices, factors, mode: 'backward' })).toEqual([100, 102, 57 * 1.8, 58 * 1.8]);
    const forward = adjustPrices({ prices, factors, mode: 'forward' });
    expect(forward.slice(2)).toEqual([57, 58]);
    expect(forward[0]).toBeCloseTo(100 / 1.8, 12);
    // The ex-date return is the economic one (57 · 1.8 / 102 − 1), not −44 %.
    expect((forward[2] as number) / (forward[1] as number) - 1).toBeCloseTo((57 * 1.8) / 102 - 1, 12);
  });

  it('rejects mismatched or invalid input with the field', () => {
    expect(() => adjustPrices({ prices, factors: [1], mode: 'forward' })).toThrow(/factors/);
    expect(() => adjustPrices({ prices, factors, mode: 'fwd' } as never)).toThrow(TradeR1Error);
    expect(() => adjustPrices(undefined as never)).toThrow(TradeR1Error);
  });
});
