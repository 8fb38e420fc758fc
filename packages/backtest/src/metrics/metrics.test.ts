import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { annualizedTurnover, averageExposure, timeInMarket } from './activity.ts';
import { bootstrapSharpeInterval } from './bootstrap.ts';
import { calmarRatio } from './calmar.ts';
import { drawdownSeries, equityFromReturns, maxDrawdown } from './drawdown.ts';
import { hitRate, winRate } from './hit-rate.ts';
import { flagTraderMetrics, tradingR1Metrics } from './presets.ts';
import {
  annualizedReturn,
  annualizedVolatility,
  cumulativeLogReturn,
  cumulativeReturn,
  returnsFromEquity,
  toLogReturns,
} from './returns.ts';
import { perPeriodRiskFree, sharpeRatio, sortinoRatio } from './sharpe.ts';
import { computeMetrics } from './summary.ts';

const returnsArbitrary = fc.array(
  fc.integer({ min: -2000, max: 2000 }).map((basisPoints) => basisPoints / 10_000),
  { minLength: 3, maxLength: 60 },
);

describe('returns', () => {
  it('compounds and sums log returns', () => {
    const returns = [0.1, -0.05, 0.02];
    expect(cumulativeReturn(returns)).toBeCloseTo(1.1 * 0.95 * 1.02 - 1, 12);
    expect(cumulativeLogReturn(returns)).toBeCloseTo(Math.log(1.1) + Math.log(0.95) + Math.log(1.02), 12);
    expect(cumulativeReturn([])).toBe(0);
    expect(cumulativeLogReturn([])).toBe(0);
  });

  it('converts equity to returns and back', () => {
    const equity = [100, 110, 99, 120];
    const returns = returnsFromEquity(equity);
    expect(Array.from(returns)).toEqual([0.1, -0.1, 120 / 99 - 1].map((value) => expect.closeTo(value, 12)));
    expect(Array.from(equityFromReturns(returns, 100))).toEqual(equity.map((value) => expect.closeTo(value, 9)));
    expect(toLogReturns([0.5])[0]).toBeCloseTo(Math.log(1.5), 12);
  });

  it('annualises return three ways', () => {
    const returns = [0.01, 0.02, -0.01, 0.0];
    const log = returns.reduce((sum, value) => sum + Math.log1p(value), 0);
    expect(annualizedReturn(returns, { periodsPerYear: 252 })).toBeCloseTo(Math.exp((log * 252) / 4) - 1, 10);
    expect(annualizedReturn(returns, { method: 'arithmetic' })).toBeCloseTo((252 * 0.02) / 4, 12);
    expect(annualizedReturn(returns, { method: 'log', periodsPerYear: 365 })).toBeCloseTo((365 * log) / 4, 12);
    expect(annualizedReturn([])).toBeNaN();
  });

  it('annualises volatility with a configurable factor and ddof', () => {
    const returns = [0.01, -0.01, 0.02, -0.02];
    // mean 0; sum of squares 0.001; sample var 0.001/3
    expect(annualizedVolatility(returns)).toBeCloseTo(Math.sqrt(0.001 / 3) * Math.sqrt(252), 12);
    expect(annualizedVolatility(returns, { ddof: 0, periodsPerYear: 365 })).toBeCloseTo(
      Math.sqrt(0.001 / 4) * Math.sqrt(365),
      12,
    );
    const logs = Array.from(toLogReturns(returns));
    const mean = logs.reduce((sum, value) => sum + value, 0) / 4;
    const variance = logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 3;
    expect(annualizedVolatility(returns, { log: true })).toBeCloseTo(Math.sqrt(variance * 252), 12);
    expect(annualizedVolatility([0.01])).toBeNaN();
  });

  it('rejects non-finite returns and returns below -100%, naming the index', () => {
    for (const bad of [[0.1, Number.NaN], [0.1, -1.5], [Number.POSITIVE_INFINITY]]) {
      try {
        cumulativeReturn(bad);
        expect.unreachable();
      } catch (error) {
        expect(isTradeR1Error(error, 'INVALID_INPUT')).toBe(true);
        expect((error as Error).message).toMatch(/returns\[\d\]/);
      }
    }
    expect(cumulativeReturn([0.5, -1])).toBe(-1);
  });

  it('rejects bad options with INVALID_CONFIG', () => {
    expect(() => annualizedReturn([0.1], { periodsPerYear: 0 })).toThrow(/periodsPerYear/);
    try {
      sharpeRatio([0.1, 0.2], { riskFreeConversion: 'daily' as 'simple' });
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'INVALID_CONFIG')).toBe(true);
    }
  });

  it('CR compounded = expm1(CR log) for any series', () => {
    fc.assert(
      fc.property(returnsArbitrary, (returns) => {
        expect(cumulativeReturn(returns)).toBeCloseTo(Math.expm1(cumulativeLogReturn(returns)), 9);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('risk-free conversion and Sharpe', () => {
  it('converts 4 % p.a. simply or geometrically', () => {
    expect(perPeriodRiskFree(0.04)).toBeCloseTo(0.04 / 252, 15);
    expect(perPeriodRiskFree(0.04, { conversion: 'geometric' })).toBeCloseTo(1.04 ** (1 / 252) - 1, 15);
    expect((1 + perPeriodRiskFree(0.04, { conversion: 'geometric' })) ** 252).toBeCloseTo(1.04, 12);
    expect(perPeriodRiskFree(0.05, { periodsPerYear: 365 })).toBeCloseTo(0.05 / 365, 15);
  });

  it('computes √K · mean(x) / std(x) on excess returns', () => {
    const returns = [0.01, 0.02, -0.005, 0.015, 0.0];
    const mean = returns.reduce((sum, value) => sum + value, 0) / returns.length;
    const std = Math.sqrt(returns.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (returns.length - 1));
    expect(sharpeRatio(returns)).toBeCloseTo((Math.sqrt(252) * mean) / std, 10);
    expect(sharpeRatio(returns, { annualize: false })).toBeCloseTo(mean / std, 12);
    const riskFree = 0.04 / 252;
    expect(sharpeRatio(returns, { riskFree: 0.04 })).toBeCloseTo((Math.sqrt(252) * (mean - riskFree)) / std, 10);
    const geometric = 1.04 ** (1 / 252) - 1;
    expect(sharpeRatio(returns, { riskFree: 0.04, riskFreeConversion: 'geometric' })).toBeCloseTo(
      (Math.sqrt(252) * (mean - geometric)) / std,
      10,
    );
    const population = std * Math.sqrt((returns.length - 1) / returns.length);
    expect(sharpeRatio(returns, { ddof: 0 })).toBeCloseTo((Math.sqrt(252) * mean) / population, 10);
  });

  it('is NaN for constant or too short series', () => {
    expect(sharpeRatio([0.01, 0.01, 0.01])).toBeNaN();
    expect(sharpeRatio([0.01])).toBeNaN();
  });

  it('is invariant to scaling the returns when r_f = 0', () => {
    fc.assert(
      fc.property(returnsArbitrary, fc.double({ min: 0.1, max: 3, noNaN: true }), (returns, scale) => {
        const base = sharpeRatio(returns);
        fc.pre(Number.isFinite(base));
        expect(sharpeRatio(returns.map((value) => value * scale))).toBeCloseTo(base, 6);
      }),
      { seed: 11, numRuns: 200 },
    );
  });

  it('Sortino uses the downside deviation over all periods', () => {
    const returns = [0.02, -0.01, 0.03, -0.02];
    const mean = 0.02 / 4;
    const downside = Math.sqrt((0.01 ** 2 + 0.02 ** 2) / 4);
    expect(sortinoRatio(returns)).toBeCloseTo((Math.sqrt(252) * mean) / downside, 10);
    expect(sortinoRatio([0.01, 0.02])).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('drawdown', () => {
  it('finds the deepest drawdown, its recovery and the longest spell under water', () => {
    const equity = [100, 120, 90, 95, 130, 80, 85];
    const result = maxDrawdown(equity);
    expect(result.maxDrawdown).toBeCloseTo(1 - 80 / 130, 12);
    expect(result.peakIndex).toBe(4);
    expect(result.troughIndex).toBe(5);
    expect(result.recoveryIndex).toBeNull();
    expect(result.maxDurationPeriods).toBe(3);
    expect(Array.from(drawdownSeries(equity))).toEqual(
      [0, 0, 0.25, 1 - 95 / 120, 0, 1 - 80 / 130, 1 - 85 / 130].map((value) => expect.closeTo(value, 12)),
    );
  });

  it('reports a recovery and zero for monotone curves', () => {
    const result = maxDrawdown([1, 0.8, 0.9, 1.0, 1.1]);
    expect(result.maxDrawdown).toBeCloseTo(0.2, 12);
    expect(result.recoveryIndex).toBe(3);
    expect(result.maxDurationPeriods).toBe(3);
    expect(maxDrawdown([1, 1, 1.1, 1.2])).toMatchObject({ maxDrawdown: 0, maxDurationPeriods: 0 });
  });

  it('MDD is in [0, 1] and bounds every drawdown', () => {
    fc.assert(
      fc.property(returnsArbitrary, (returns) => {
        const equity = equityFromReturns(returns);
        const result = maxDrawdown(equity);
        expect(result.maxDrawdown).toBeGreaterThanOrEqual(0);
        expect(result.maxDrawdown).toBeLessThanOrEqual(1);
        for (const value of drawdownSeries(equity)) expect(value).toBeLessThanOrEqual(result.maxDrawdown + 1e-12);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('Calmar = CAGR / MDD', () => {
    const returns = [0.1, -0.2, 0.05, 0.1];
    const mdd = maxDrawdown(equityFromReturns(returns)).maxDrawdown;
    expect(calmarRatio(returns)).toBeCloseTo(annualizedReturn(returns) / mdd, 10);
    expect(calmarRatio([0.01, 0.02])).toBeNaN();
  });
});

describe('hit rate, win rate, activity', () => {
  it("implements Trading-R1's sign(a) = sign(r), flat actions counted literally or excluded", () => {
    const actions = [1, -1, 0, 1, 0.5];
    const returns = [0.02, 0.01, 0.03, -0.01, 0.0];
    // hits: 1 (yes), 2 (no), 3 (0 vs + no), 4 (no), 5 (+ vs 0 no)
    expect(hitRate(actions, returns)).toBeCloseTo(1 / 5, 12);
    expect(hitRate(actions, returns, { flatActions: 'exclude' })).toBeCloseTo(1 / 4, 12);
    expect(hitRate([0], [0])).toBe(1);
    expect(hitRate([], [])).toBeNaN();
    expect(() => hitRate([1], [0.1, 0.2])).toThrow(/one return per action/);
  });

  it('win rate counts in-market periods', () => {
    expect(winRate([0.01, -0.01, 0, 0.02])).toBeCloseTo(2 / 3, 12);
    expect(winRate([0.01, -0.01, 0, 0.02], { exposure: [1, 1, 1, 0] })).toBeCloseTo(1 / 3, 12);
  });

  it('turnover and exposure', () => {
    expect(annualizedTurnover([1, 0, 0, 0.5], { periodsPerYear: 252 })).toBeCloseTo(252 * 0.375, 10);
    expect(averageExposure([1, 0.5, 0])).toBeCloseTo(0.5, 12);
    expect(timeInMarket([1, 0.5, 0, 0])).toBeCloseTo(0.5, 12);
  });
});

describe('bootstrap Sharpe interval', () => {
  const returns = Array.from({ length: 250 }, (_, index) => 0.0005 + 0.01 * Math.sin(index * 1.7));

  it('is seeded: same seed, same interval; another seed differs', () => {
    const first = bootstrapSharpeInterval(returns, { seed: 42, samples: 300 });
    const again = bootstrapSharpeInterval(returns, { seed: 42, samples: 300 });
    const other = bootstrapSharpeInterval(returns, { seed: 43, samples: 300 });
    expect(again).toEqual(first);
    expect(other.lower).not.toBe(first.lower);
    expect(first.estimate).toBeCloseTo(sharpeRatio(returns), 12);
    expect(first.lower).toBeLessThan(first.estimate);
    expect(first.upper).toBeGreaterThan(first.estimate);
    expect(first.samples).toBe(300);
  });

  it('a single block spanning the series reproduces the sample Sharpe exactly', () => {
    for (const options of [{}, { riskFree: 0.04, ddof: 0 as const }, { annualize: false }]) {
      const interval = bootstrapSharpeInterval(returns, { ...options, seed: 5, samples: 20, blockLength: 250 });
      expect(interval.lower).toBeCloseTo(sharpeRatio(returns, options), 10);
      expect(interval.upper).toBeCloseTo(sharpeRatio(returns, options), 10);
    }
  });

  it('narrows with a lower confidence level and supports blocks', () => {
    const wide = bootstrapSharpeInterval(returns, { seed: 1, samples: 400, confidence: 0.95 });
    const narrow = bootstrapSharpeInterval(returns, { seed: 1, samples: 400, confidence: 0.5 });
    expect(narrow.upper - narrow.lower).toBeLessThan(wide.upper - wide.lower);
    const blocks = bootstrapSharpeInterval(returns, { seed: 1, samples: 200, blockLength: 10 });
    expect(Number.isFinite(blocks.lower) && Number.isFinite(blocks.upper)).toBe(true);
  });
});

describe('paper presets', () => {
  it('flagTraderMetrics: CR sum of logs, AV ddof 1 · √K_v, SR = CR/(T/252)/AV with T prices, MDD of Π(1 + log r)', () => {
    const returns = [0.01, -0.02, 0.015, -0.03, 0.005];
    const logs = returns.map((value) => Math.log1p(value));
    const cr = logs.reduce((sum, value) => sum + value, 0);
    const mean = cr / logs.length;
    const sd = Math.sqrt(logs.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (logs.length - 1));
    let value = 1;
    let peak = 1;
    let mdd = 0;
    for (const log of logs) {
      value *= 1 + log;
      peak = Math.max(peak, value);
      mdd = Math.max(mdd, (peak - value) / peak);
    }
    const result = flagTraderMetrics(returns, { volatilityPeriodsPerYear: 365 });
    expect(result.cumulativeReturnPct).toBeCloseTo(100 * cr, 12);
    expect(result.annualizedVolatilityPct).toBeCloseTo(100 * sd * Math.sqrt(365), 12);
    expect(result.sharpeRatio).toBeCloseTo(cr / (6 / 252) / (sd * Math.sqrt(365)), 12);
    expect(result.maxDrawdownPct).toBeCloseTo(100 * mdd, 12);
    expect(result.prices).toBe(6);
    // The annualisation is explicit: no default, misspellings rejected.
    expect(() => flagTraderMetrics(returns, {} as never)).toThrow(/volatilityPeriodsPerYear/);
    expect(() => flagTraderMetrics(returns, { volatilityPeriodsPerYear: 252, riskfree: 0 } as never)).toThrow(
      /riskfree/,
    );
    expect(() => flagTraderMetrics([0.1], { volatilityPeriodsPerYear: 252 })).toThrow(/at least 2/);
  });

  it('tradingR1Metrics: compounded CR, Sharpe with 4 % r_f, literal hit rate, MDD', () => {
    const returns = [0.01, -0.02, 0.03, 0.01];
    const result = tradingR1Metrics(returns, { actions: [1, 1, 0, -1], actionReturns: [0.01, -0.02, 0.03, 0.01] });
    expect(result.cumulativeReturnPct).toBeCloseTo(100 * cumulativeReturn(returns), 10);
    expect(result.sharpeRatio).toBeCloseTo(sharpeRatio(returns, { riskFree: 0.04 }), 10);
    expect(result.hitRatePct).toBeCloseTo(25, 10);
    expect(result.maxDrawdownPct).toBeCloseTo(2, 10);
    expect(tradingR1Metrics(returns).hitRatePct).toBeNull();
  });

  it('computeMetrics bundles every metric and is deterministic', () => {
    const returns = [0.01, -0.02, 0.03, 0.01, 0.0, -0.01];
    const exposure = [1, 1, 1, 1, 0, 1];
    const metrics = computeMetrics({
      returns,
      grossExposure: exposure,
      netExposure: exposure,
      turnover: [1, 0, 0, 0, 1, 1],
    });
    expect(metrics.periods).toBe(6);
    expect(metrics.cumulativeReturn).toBeCloseTo(cumulativeReturn(returns), 12);
    expect(metrics.sharpeRatio).toBeCloseTo(sharpeRatio(returns), 12);
    expect(metrics.timeInMarket).toBeCloseTo(5 / 6, 12);
    expect(metrics.winRate).toBeCloseTo(3 / 5, 12);
    expect(metrics.hitRate).toBeNull();
    expect(computeMetrics({ returns })).toEqual(computeMetrics({ returns }));
    expect(computeMetrics({ returns }, { bootstrap: false }).sharpeInterval).toBeNull();
  });
});
