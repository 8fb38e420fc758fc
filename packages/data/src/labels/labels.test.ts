import type { Bar } from '@trade-r1/core';
import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedBars } from '../dataset/embedded.ts';
import { forwardExcessReturns } from './excess-return.ts';
import { ewmMeanAdjusted, quantileLinear, rollingStdPandas } from './math.ts';
import { computeTradingR1Labels, fitLabelThresholds, labelFromScore, tradingR1Scores } from './trading-r1-labels.ts';

function barsFromCloses(closes: readonly number[], start = Date.UTC(2024, 0, 1)): Bar[] {
  return closes.map((close, index) => ({
    timestamp: new Date(start + index * 86_400_000).toISOString().slice(0, 10),
    open: close,
    high: close,
    low: close,
    close,
    volume: 1,
  }));
}

describe('pandas-compatible primitives', () => {
  it('ewm(span=3, adjust=True).mean() matches pandas', () => {
    // pandas.Series([1, 2, 3, 4]).ewm(span=3).mean() → 1.0, 1.666667, 2.428571, 3.266667
    const values = ewmMeanAdjusted([1, 2, 3, 4], 3);
    expect(values[0]).toBeCloseTo(1, 12);
    expect(values[1]).toBeCloseTo(2.5 / 1.5, 12);
    expect(values[2]).toBeCloseTo(4.25 / 1.75, 12);
    expect(values[3]).toBeCloseTo(6.125 / 1.875, 12);
    // Not the SMA-seeded recursive EMA: that would start at index 2 with 2.0.
    expect(values[2]).not.toBeCloseTo(2, 3);
  });

  it('rolling(n).std() is the sample std over full windows', () => {
    const values = rollingStdPandas([1, 2, 3, 4, Number.NaN, 6, 7, 8], 3);
    expect(values.slice(0, 2).every(Number.isNaN)).toBe(true);
    expect(values[2]).toBeCloseTo(1, 12);
    expect(values[3]).toBeCloseTo(1, 12);
    expect(Number.isNaN(values[4])).toBe(true);
    expect(Number.isNaN(values[6])).toBe(true);
    expect(values[7]).toBeCloseTo(1, 12);
  });

  it('quantile uses linear interpolation (numpy type 7)', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantileLinear(sorted, 0.03)).toBeCloseTo(1.27, 12);
    expect(quantileLinear(sorted, 0.15)).toBeCloseTo(2.35, 12);
    expect(quantileLinear(sorted, 0.53)).toBeCloseTo(5.77, 12);
    expect(quantileLinear(sorted, 0.85)).toBeCloseTo(8.65, 12);
    expect(quantileLinear([5], 0.5)).toBe(5);
    expect(fitLabelThresholds([3, Number.NaN, 1, 2], [0, 0.5, 0.5, 1])).toEqual({
      sell: 1,
      hold: 2,
      buy: 2,
      strongBuy: 3,
    });
  });

  it('labels follow the >= comparison chain of Algorithm S1', () => {
    const thresholds = { sell: -1, hold: 0, buy: 1, strongBuy: 2 };
    expect(labelFromScore(2, thresholds)).toBe('STRONG_BUY');
    expect(labelFromScore(1.5, thresholds)).toBe('BUY');
    expect(labelFromScore(1, thresholds)).toBe('BUY');
    expect(labelFromScore(0, thresholds)).toBe('HOLD');
    expect(labelFromScore(-1, thresholds)).toBe('SELL');
    expect(labelFromScore(-1.01, thresholds)).toBe('STRONG_SELL');
  });
});

describe('Trading-R1 Algorithm S1 on real prices', () => {
  let bars: Bar[];
  let closes: number[];
  beforeAll(async () => {
    bars = await loadEmbeddedBars('NVDA');
    closes = bars.map((bar) => bar.close);
  });

  it('matches a direct transcription of the algorithm at a sample of dates', () => {
    const scores = tradingR1Scores(closes);
    const ema = ewmMeanAdjusted(closes, 3);
    const forwardReturn = (index: number, tau: number): number =>
      ((ema[index + tau] as number) - (ema[index] as number)) / (ema[index] as number);
    for (const t of [40, 200, 400, 600]) {
      let expected = 0;
      for (const [tau, weight] of [
        [3, 0.3],
        [7, 0.5],
        [15, 0.2],
      ] as const) {
        const window = Array.from({ length: 20 }, (_, offset) => forwardReturn(t - 19 + offset, tau));
        const mean = window.reduce((a, b) => a + b, 0) / 20;
        const std = Math.sqrt(window.reduce((sum, value) => sum + (value - mean) ** 2, 0) / 19);
        expected += (weight * forwardReturn(t, tau)) / std;
      }
      expect(scores[t]).toBeCloseTo(expected, 10);
    }
    // Forward: the first 19 scores lack a full volatility window, the last 15 lack a 15-day future.
    expect(Number.isNaN(scores[18])).toBe(true);
    expect(Number.isFinite(scores[19])).toBe(true);
    expect(Number.isFinite(scores[closes.length - 16])).toBe(true);
    expect(Number.isNaN(scores[closes.length - 15])).toBe(true);
  });

  it('reproduces the target distribution on the fit window (3/12/38/32/15%)', () => {
    const labels = computeTradingR1Labels({ bars, fitWindow: { start: '2023-06-01', end: '2025-06-30' } });
    expect(labels.fit.count).toBeGreaterThan(450);
    const target = { STRONG_SELL: 0.03, SELL: 0.12, HOLD: 0.38, BUY: 0.32, STRONG_BUY: 0.15 };
    for (const [label, share] of Object.entries(target)) {
      expect(labels.fitDistribution[label as keyof typeof target] ?? 0, label).toBeCloseTo(share, 1.5);
      expect(Math.abs((labels.fitDistribution[label as keyof typeof target] ?? 0) - share), label).toBeLessThan(0.01);
    }
    expect(labels.thresholds.sell).toBeLessThan(labels.thresholds.hold);
    expect(labels.thresholds.buy).toBeLessThan(labels.thresholds.strongBuy);
    expect(labels.points).toHaveLength(bars.length);
  });

  it('forward scores at t depend on closes up to t+15 only, and do depend on t+15', () => {
    const t = 300;
    const base = tradingR1Scores(closes);
    const later = closes.map((close, index) => (index > t + 15 ? close * 1.5 : close));
    expect(tradingR1Scores(later).slice(0, t + 1)).toEqual(base.slice(0, t + 1));
    const atHorizon = closes.map((close, index) => (index === t + 15 ? close * 1.05 : close));
    expect(tradingR1Scores(atHorizon)[t]).not.toBeCloseTo(base[t] as number, 6);
  });

  it('forward labels start at the next open by default; entry "close" is Algorithm S1 as published', () => {
    const published = computeTradingR1Labels({ bars, entry: 'close' });
    expect(published.points.map((point) => point.score ?? Number.NaN)).toEqual(tradingR1Scores(closes));
    const t = 300;
    const gapped = bars.map((bar, index) =>
      index === t + 1 ? { ...bar, open: bar.open * 1.08, high: bar.high * 1.08 } : bar,
    );
    const base = computeTradingR1Labels({ bars, thresholds: published.thresholds });
    const afterGap = computeTradingR1Labels({ bars: gapped, thresholds: published.thresholds });
    // A higher next open is a worse entry: the score at t falls; a close-based score does not see the open at all.
    expect(afterGap.points[t]?.score as number).toBeLessThan(base.points[t]?.score as number);
    expect(computeTradingR1Labels({ bars: gapped, entry: 'close' }).points[t]).toEqual(published.points[t]);
    expect(base.config.entry).toBe('next-open');
  });

  it('trailing labels never use data after t (property over random future paths)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 600 }),
        fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 1, maxLength: 30 }),
        (t, factors) => {
          const changed = closes.map((close, index) =>
            index > t ? close * (factors[index % factors.length] as number) : close,
          );
          const thresholds = { sell: -2, hold: -1, buy: 0.2, strongBuy: 1.2 };
          const before = computeTradingR1Labels({ bars, direction: 'trailing', thresholds }).points.slice(0, t + 1);
          const after = computeTradingR1Labels({
            bars: bars.map((bar, index) => ({
              ...bar,
              open: changed[index] as number,
              high: changed[index] as number,
              low: changed[index] as number,
              close: changed[index] as number,
            })),
            direction: 'trailing',
            thresholds,
          }).points.slice(0, t + 1);
          expect(after).toEqual(before);
        },
      ),
      { seed: 3, numRuns: 15 },
    );
  });

  it('thresholds fit on a window ignore every close after the window end (forward scores purged)', () => {
    const fitWindow = { end: '2024-12-31' };
    const reference = computeTradingR1Labels({ bars, fitWindow });
    const endIndex = bars.findLastIndex((bar) => bar.timestamp <= '2024-12-31');
    expect(reference.fit.end).toBe(bars[endIndex - 15]?.timestamp);
    const shocked = bars.map((bar, index) =>
      index > endIndex
        ? { ...bar, open: bar.open * 3, high: bar.high * 3, low: bar.low * 3, close: bar.close * 3 }
        : bar,
    );
    expect(computeTradingR1Labels({ bars: shocked, fitWindow }).thresholds).toEqual(reference.thresholds);
    // Without a window (Algorithm S1 as published) the same shock moves the thresholds.
    expect(computeTradingR1Labels({ bars: shocked }).thresholds).not.toEqual(
      computeTradingR1Labels({ bars }).thresholds,
    );
  });

  it('applies given thresholds to a test period and validates options', () => {
    const train = computeTradingR1Labels({ bars, fitWindow: { end: '2024-12-31' } });
    const test = computeTradingR1Labels({ bars, thresholds: train.thresholds });
    expect(test.fit.count).toBe(0);
    expect(
      test.points
        .filter((point) => point.date > '2025-01-01')
        .every((point) => point.label === null || point.score !== null),
    ).toBe(true);
    for (const bad of [
      { horizons: [3, 7] },
      { quantiles: [0.5, 0.2, 0.6, 0.9] as [number, number, number, number] },
      { fitWindow: { end: 'yesterday' } },
    ]) {
      try {
        computeTradingR1Labels({ bars, ...bad });
        expect.unreachable();
      } catch (error) {
        expect(isTradeR1Error(error, 'INVALID_CONFIG')).toBe(true);
      }
    }
    expect(() => computeTradingR1Labels({ bars: bars.slice(0, 30), fitWindow: { end: '2030-01-01' } })).toThrow(
      expect.objectContaining({ code: 'INSUFFICIENT_DATA' }),
    );
  });
});

describe('forwardExcessReturns', () => {
  it('computes r_asset(t→t+h) − r_bench(t→t+h) on the common calendar', () => {
    const asset = barsFromCloses([100, 110, 121, 133.1]);
    const benchmark = barsFromCloses([50, 50, 55, 55]);
    const points = forwardExcessReturns({ bars: asset, benchmark, horizon: 2, entry: 'close' });
    expect(points).toHaveLength(4);
    expect(points[0]?.exitDate).toBe('2024-01-03');
    expect(points[0]?.assetReturn).toBeCloseTo(0.21, 12);
    expect(points[0]?.benchmarkReturn).toBeCloseTo(0.1, 12);
    expect(points[0]?.excessReturn).toBeCloseTo(0.11, 12);
    expect(points[1]?.excessReturn).toBeCloseTo(0.21 - 0.1, 12);
    expect(points[2]).toEqual({
      date: '2024-01-03',
      entryDate: null,
      exitDate: null,
      assetReturn: null,
      benchmarkReturn: null,
      excessReturn: null,
    });
    const log = forwardExcessReturns({ bars: asset, benchmark, horizon: 2, kind: 'log', entry: 'close' });
    expect(log[0]?.excessReturn).toBeCloseTo(Math.log(1.21) - Math.log(1.1), 12);
  });

  it('skips dates only one series trades, and uses h = 10 by default on real data', async () => {
    const asset = barsFromCloses([1, 2, 3, 4]);
    const benchmark = [asset[0], asset[2], asset[3]].map((bar) => ({ ...(bar as Bar) }));
    const points = forwardExcessReturns({ bars: asset, benchmark, horizon: 1, entry: 'close' });
    expect(points.map((point) => point.date)).toEqual(['2024-01-01', '2024-01-03', '2024-01-04']);
    expect(points[0]?.exitDate).toBe('2024-01-03');
    const nvda = await loadEmbeddedBars('NVDA');
    const spy = await loadEmbeddedBars('SPY');
    const real = forwardExcessReturns({ bars: nvda, benchmark: spy });
    const first = real[0];
    expect(first?.entryDate).toBe(nvda[1]?.timestamp);
    expect(first?.exitDate).toBe(nvda[11]?.timestamp);
    expect(first?.assetReturn).toBeCloseTo((nvda[11] as Bar).open / (nvda[1] as Bar).open - 1, 12);
    expect(real.filter((point) => point.excessReturn === null)).toHaveLength(11);
  });

  it('starts at the first tradable price after the close: the overnight gap after t is not credited (NVDA, 2024-05-22)', async () => {
    const nvda = await loadEmbeddedBars('NVDA');
    const spy = await loadEmbeddedBars('SPY');
    const index = nvda.findIndex((bar) => bar.timestamp === '2024-05-22');
    const decisionDay = nvda[index] as Bar;
    const nextDay = nvda[index + 1] as Bar;
    // NVIDIA reported after the close of 2024-05-22; the next open gapped up.
    expect(nextDay.open / decisionDay.close - 1).toBeGreaterThan(0.06);
    const [fromOpen, fromClose] = (['next-open', 'close'] as const).map((entry) =>
      forwardExcessReturns({ bars: nvda, benchmark: spy, entry }).find((p) => p.date === '2024-05-22'),
    );
    expect(fromOpen?.entryDate).toBe('2024-05-23');
    expect(fromOpen?.assetReturn).toBeCloseTo((nvda[index + 11] as Bar).open / nextDay.open - 1, 12);
    expect(fromClose?.entryDate).toBe('2024-05-22');
    // The close-to-close figure includes the gap the decision could not have seen.
    expect((fromClose?.assetReturn as number) - (fromOpen?.assetReturn as number)).toBeGreaterThan(0.05);
  });
});
