import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSharpeDeltaTracker, portfolioPnl, runningSharpe, sharpeDeltaReward } from './sharpe-delta.ts';

const SEED = 2502;
const pnlValue = fc.double({ min: -100, max: 100, noNaN: true });

/** Reference: sample mean, sample (n − 1) std, written independently of the implementation. */
function referenceSharpe(pnl: number[], riskFree: number): number {
  if (pnl.length < 2) return 0;
  const mean = pnl.reduce((a, b) => a + b, 0) / pnl.length;
  const variance = pnl.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (pnl.length - 1);
  const std = Math.sqrt(variance);
  return std <= 1e-12 ? 0 : (mean - riskFree) / std;
}

describe("FLAG-Trader's Sharpe-delta reward", () => {
  it('is SR_t − SR_{t−1} with sample mean/std (property)', () => {
    fc.assert(
      fc.property(
        fc.array(pnlValue, { maxLength: 40 }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (pnl, riskFree) => {
          const expected = referenceSharpe(pnl, riskFree) - referenceSharpe(pnl.slice(0, -1), riskFree);
          const reward = sharpeDeltaReward({ pnlHistory: pnl, riskFree });
          expect(Number.isFinite(reward)).toBe(true);
          expect(reward).toBeCloseTo(expected, 9);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('defines t < 2 and zero variance as SR = 0 (never NaN)', () => {
    expect(sharpeDeltaReward({ pnlHistory: [] })).toBe(0);
    expect(sharpeDeltaReward({ pnlHistory: [5] })).toBe(0);
    expect(runningSharpe({ pnl: [3, 3, 3] })).toBe(0);
    expect(sharpeDeltaReward({ pnlHistory: [3, 3, 3] })).toBe(0);
    // From a flat history (SR 0) to a varied one.
    expect(sharpeDeltaReward({ pnlHistory: [1, 1, 4] })).toBeCloseTo(referenceSharpe([1, 1, 4], 0), 12);
    expect(runningSharpe({ pnl: [1, 3] })).toBeCloseTo(2 / Math.SQRT2, 12);
  });

  it('the streaming tracker agrees with the batch definition', () => {
    fc.assert(
      fc.property(fc.array(pnlValue, { maxLength: 60 }), (pnl) => {
        const tracker = createSharpeDeltaTracker({ riskFree: 0.01 });
        pnl.forEach((value, index) => {
          const streamed = tracker.push(value);
          const batch = sharpeDeltaReward({ pnlHistory: pnl.slice(0, index + 1), riskFree: 0.01 });
          // Welford vs two-pass: compare relatively (near-constant prefixes give huge ratios).
          expect(Math.abs(streamed - batch)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(batch)));
        });
        expect(tracker.count).toBe(pnl.length);
        tracker.reset();
        expect(tracker.sharpe).toBe(0);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('rejects non-finite PnL', () => {
    expect(() => sharpeDeltaReward({ pnlHistory: [1, Number.NaN] })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => createSharpeDeltaTracker().push(Number.POSITIVE_INFINITY)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });

  it('computes PnL from cash, holdings and prices', () => {
    // Buy at P_{t+1} = 10 with 1000 cash: C 1000 → 0, H 0 → 100; price then moves to 11.
    expect(
      portfolioPnl({ previousCash: 1000, cash: 0, previousShares: 0, shares: 100, previousPrice: 10, price: 11 }),
    ).toBe(100);
    expect(
      portfolioPnl({ previousCash: 0, cash: 0, previousShares: 100, shares: 100, previousPrice: 11, price: 10 }),
    ).toBe(-100);
  });
});
