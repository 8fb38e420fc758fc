import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  alignPriceSeries,
  annualizedVolatility,
  createPricePanel,
  flagTraderMetrics,
  runBacktestSync,
  tradingR1Metrics,
} from '../src/index.ts';
import { hasSharedPrices, readSharedPrices, sharedPricePath } from './helpers/prices.ts';

/**
 * FLAG-Trader (arXiv 2502.11433v3) Tables 1–2, Buy & Hold rows (CR %, SR, AV %, MDD %), rebuilt from the Yahoo
 * adjusted closes in ../shared/data/prices/us with FinMem's metric code (pipiku915/FinMem-LLM-StockTrading,
 * `Visualize-metrics-test/metrics.py`): CR = Σ log returns, AV = sample std · √K_v (252 for MSFT, 365 for TSLA),
 * SR = CR / (T / 252) / AV with T the number of prices, MDD of Π(1 + log return). The returns come from the engine
 * itself: one STRONG_BUY decided on 2020-09-30, filled at the close of 2020-10-01 (`next-close`), no fees; the
 * entry day's zero return is dropped, leaving the close-to-close returns of the window's prices. Each number is
 * also recomputed by an independent python3 script straight from the CSV.
 */
const MSFT_ROW = { cr: 15.34, sr: 1.039, av: 24.98, mdd: 9.428 };
const TSLA_ROW = { cr: 39.244, sr: 0.869, av: 75.854, mdd: 37.975 };

function buyAndHold(file: string, ticker: string, end: string) {
  const bars = readSharedPrices(file);
  const panel = createPricePanel({
    dates: bars.map((bar) => bar.date),
    tickers: [ticker],
    open: [bars.map((bar) => bar.open)],
    close: [bars.map((bar) => bar.close)],
  });
  return runBacktestSync({
    panel,
    decisions: [{ date: '2020-09-30', ticker, decision: 'STRONG_BUY' }],
    strategy: { type: 'decisions' },
    execution: 'next-close',
    feeBps: 0,
    slippageBps: 0,
    start: '2020-09-30',
    end,
    metrics: { bootstrap: false },
  });
}

/** FinMem's metrics.py conventions, written out independently in python3 over the raw CSV closes. */
function pythonReference(file: string, end: string, periodsPerYear: number): number[] {
  const script = `
import csv, math, statistics, sys
path, end, k = sys.argv[1], sys.argv[2], int(sys.argv[3])
p = [float(r['Close']) for r in csv.DictReader(open(path)) if '2020-10-01' <= r['Date'][:10] <= end]
lr = [math.log(p[i + 1] / p[i]) for i in range(len(p) - 1)]
cr = sum(lr); av = statistics.stdev(lr) * math.sqrt(k); sr = cr / (len(p) / 252) / av
eq = [1.0]
for r in lr: eq.append(eq[-1] * (1 + r))
peak, mdd = eq[0], 0.0
for v in eq:
    peak = max(peak, v); mdd = max(mdd, (peak - v) / peak)
print(len(p), 100 * cr, sr, 100 * av, 100 * mdd)
`;
  const out = execFileSync('python3', ['-c', script, sharedPricePath(file), end, String(periodsPerYear)], {
    encoding: 'utf8',
  });
  return out.trim().split(/\s+/).map(Number);
}

describe.skipIf(!hasSharedPrices('MSFT.csv') || !hasSharedPrices('TSLA_2013-2023.csv'))(
  'FLAG-Trader Buy & Hold reproduction (real Yahoo prices from ../shared)',
  () => {
    for (const [ticker, file, end, periodsPerYear, row, prices] of [
      ['MSFT', 'MSFT.csv', '2021-05-05', 252, MSFT_ROW, 149],
      ['TSLA', 'TSLA_2013-2023.csv', '2021-05-06', 365, TSLA_ROW, 150],
    ] as const) {
      it(`${ticker}: all four Buy & Hold numbers reproduce to every printed digit (K_v = ${periodsPerYear})`, () => {
        const result = buyAndHold(file, ticker, end);
        expect(result.dates[1]).toBe('2020-10-01');
        expect(result.trades[0]).toMatchObject({ date: '2020-10-01', decidedAt: '2020-09-30' });
        expect(result.returns[0]).toBe(0);
        const metrics = flagTraderMetrics(result.returns.slice(1), { volatilityPeriodsPerYear: periodsPerYear });
        expect(metrics.prices).toBe(prices);
        expect(metrics.cumulativeReturnPct.toFixed(3)).toBe(row.cr.toFixed(3));
        expect(metrics.sharpeRatio.toFixed(3)).toBe(row.sr.toFixed(3));
        expect(metrics.annualizedVolatilityPct.toFixed(3)).toBe(row.av.toFixed(3));
        expect(metrics.maxDrawdownPct.toFixed(3)).toBe(row.mdd.toFixed(3));
        const [count, cr, sr, av, mdd] = pythonReference(file, end, periodsPerYear);
        expect(count).toBe(prices);
        expect(metrics.cumulativeReturnPct).toBeCloseTo(cr as number, 10);
        expect(metrics.sharpeRatio).toBeCloseTo(sr as number, 10);
        expect(metrics.annualizedVolatilityPct).toBeCloseTo(av as number, 10);
        expect(metrics.maxDrawdownPct).toBeCloseTo(mdd as number, 10);
      });
    }

    it('MSFT on the nominal window end (2021-05-06) overshoots CR: the paper series ends a day earlier', () => {
      const returns = buyAndHold('MSFT.csv', 'MSFT', '2021-05-06').returns.slice(1);
      expect(flagTraderMetrics(returns, { volatilityPeriodsPerYear: 252 }).cumulativeReturnPct).toBeCloseTo(16.654, 3);
    });

    it("Trading-R1's definitions on the same run: compounded CR and r_f = 4 % Sharpe", () => {
      const result = buyAndHold('MSFT.csv', 'MSFT', '2021-05-05');
      const metrics = tradingR1Metrics(result.returns);
      expect(metrics.cumulativeReturnPct).toBeCloseTo(100 * Math.expm1(MSFT_ROW.cr / 100), 3);
      // r_f enters as √K · (r_f / K) / std(r) = r_f / AV (simple conversion).
      const withoutRiskFree = tradingR1Metrics(result.returns, { riskFree: 0 }).sharpeRatio;
      expect(withoutRiskFree - metrics.sharpeRatio).toBeCloseTo(0.04 / annualizedVolatility(result.returns), 10);
      expect(metrics.maxDrawdownPct).toBeCloseTo(9.212, 3);
    });

    it('benchmarks a strategy against an index (SPY) aligned from real bars', () => {
      const toBars = (file: string) =>
        readSharedPrices(file)
          .filter((bar) => bar.date >= '2024-06-01' && bar.date <= '2024-08-31')
          .map((bar) => ({
            timestamp: bar.date,
            open: bar.open,
            high: Math.max(bar.high, bar.open, bar.close),
            low: Math.min(bar.low, bar.open, bar.close),
            close: bar.close,
            volume: bar.volume,
          }));
      const panel = alignPriceSeries({ series: { MSFT: toBars('MSFT.csv'), SPY: toBars('SPY.csv') } });
      expect(panel.available.every((mask) => mask.every((flag) => flag === 1))).toBe(true);
      // Trading-R1's evaluation window: a weekly five-level decision on MSFT, SPY as the index benchmark.
      const decisions = panel.dates
        .filter((_, index) => index % 5 === 0)
        .map((date, index) => ({ date, ticker: 'MSFT', decision: index % 2 === 0 ? 'BUY' : 'HOLD' }));
      const result = runBacktestSync({
        panel,
        decisions,
        strategy: { type: 'decisions', exposure: 'long-only' },
        benchmark: 'SPY',
        metrics: { riskFree: 0.04, bootstrap: false },
      });
      const spy = panel.tickers.indexOf('SPY');
      const start = panel.dates.indexOf(result.dates[0] as string);
      const spyOpen = (panel.open[spy] as Float64Array)[start + 1] as number;
      const spyClose = (panel.close[spy] as Float64Array)[panel.dates.length - 1] as number;
      // Bought at the next open with the default 10 bps fee (charged on the fill, financed from cash).
      expect(result.benchmark?.metrics.cumulativeReturn).toBeCloseTo(spyClose / spyOpen - 1 - 0.001, 6);
      expect(result.trades.every((trade) => trade.ticker === 'MSFT')).toBe(true);
      expect(result.metrics.hitRate).not.toBeNull();
    });
  },
);
