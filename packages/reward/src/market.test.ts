import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { horizonReturn, marketReward, simpleReturn, TRADE_R1_ONE_WAY_COST } from './market.ts';

const SEED = 20260121;
const price = fc.double({ min: 0.01, max: 1e5, noNaN: true });
const ret = fc.double({ min: -0.99, max: 5, noNaN: true });

describe('marketReward', () => {
  it('is exposure × (asset − benchmark) − 2 × oneWayCost × |exposure|', () => {
    fc.assert(
      fc.property(
        ret,
        ret,
        fc.double({ min: -2, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        (asset, bench, exposure, cost) => {
          const result = marketReward({ assetReturn: asset, benchmarkReturn: bench, exposure, oneWayCost: cost });
          const expected = exposure * (asset - bench) - 2 * cost * Math.abs(exposure);
          expect(result.reward).toBeCloseTo(expected, 12);
          expect(result.cost).toBeCloseTo(2 * cost * Math.abs(exposure), 15);
          expect(result.excessReturn).toBeCloseTo(asset - bench, 12);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('computes returns from prices', () => {
    fc.assert(
      fc.property(price, price, price, price, (entry, exit, benchEntry, benchExit) => {
        const result = marketReward({
          entryPrice: entry,
          exitPrice: exit,
          benchmarkEntryPrice: benchEntry,
          benchmarkExitPrice: benchExit,
        });
        expect(result.reward).toBeCloseTo(exit / entry - 1 - (benchExit / benchEntry - 1), 9);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('defaults to a simple long return with no cost and no benchmark', () => {
    const result = marketReward({ entryPrice: 100, exitPrice: 104 });
    expect(result.reward).toBeCloseTo(0.04, 12);
    expect(result.benchmarkReturn).toBe(0);
    expect(result.cost).toBe(0);
  });

  it("charges Trade-R1's 0.15% one-way cost as a 0.30% round trip", () => {
    expect(TRADE_R1_ONE_WAY_COST).toBe(0.0015);
    const result = marketReward({ assetReturn: 0.04, benchmarkReturn: 0.01, oneWayCost: TRADE_R1_ONE_WAY_COST });
    expect(result.reward).toBeCloseTo(0.027, 12);
    expect(marketReward({ assetReturn: 0.04, exposure: 0, oneWayCost: 0.0015 }).reward).toBe(0);
    expect(marketReward({ assetReturn: 0.04, exposure: -1, oneWayCost: 0.0015 }).reward).toBeCloseTo(-0.043, 12);
  });

  it('rejects bad inputs with typed errors', () => {
    const cases: Parameters<typeof marketReward>[0][] = [
      { assetReturn: Number.NaN },
      { assetReturn: Number.POSITIVE_INFINITY },
      { assetReturn: -1.5 },
      { entryPrice: 0, exitPrice: 10 },
      { entryPrice: 10 },
      { assetReturn: 0.1, benchmarkEntryPrice: 10 },
      { assetReturn: 0.1, exposure: Number.NaN },
    ];
    for (const options of cases) {
      expect(() => marketReward(options)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    try {
      marketReward({ assetReturn: 0.1, oneWayCost: -0.001 });
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'INVALID_CONFIG')).toBe(true);
    }
  });
});

describe('horizonReturn / simpleReturn', () => {
  it('reads the close h bars later', () => {
    const closes = [100, 101, 99, 110, 120];
    expect(horizonReturn({ closes, entryIndex: 1, horizon: 2 })).toBeCloseTo(110 / 101 - 1, 12);
    expect(simpleReturn({ entryPrice: 50, exitPrice: 25 })).toBe(-0.5);
  });

  it('refuses a horizon past the end of the series', () => {
    expect(() => horizonReturn({ closes: [1, 2, 3], entryIndex: 1, horizon: 5 })).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_DATA' }),
    );
    expect(() => horizonReturn({ closes: [1, 2, 3], entryIndex: 0, horizon: 0 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
