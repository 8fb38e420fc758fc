import { describe, expect, it } from 'vitest';
import {
  alignPriceSeries,
  annualizedVolatility,
  createPricePanel,
  flagTraderMetrics,
  runBacktestSync,
  tradingR1Metrics,
} from '../src/index.ts';
import { hasSharedPrices, readSharedPrices } from './helpers/prices.ts';

/**
 * FLAG-Trader (arXiv 2502.11433v3) Tables 1–2, Buy & Hold rows: CR %, SR, AV %, MDD % over the stock test window
 * 2020-10-01 → 2021-05-06. We rebuild them from the Yahoo adjusted daily prices in ../shared/data/prices/us with
 * the engine itself: one STRONG_BUY decided on 2020-09-30 (the last warm-up day), filled at the close of
 * 2020-10-01 (`next-close`), no fees, held to the end of the window.
 *
 * Findings (see the README for the full reasoning):
 * - MSFT, window ending 2021-05-05 (149 trading days): CR 15.340, AV 24.980 and SR 1.039 match all printed
 *   digits. SR is annualised: R_p = 252 · CR / T with T = 149 days, σ_p = AV, r_f = 0. With the window ending on
 *   2021-05-06 (150 days) CR would be 16.654: the paper's MSFT series evidently ends one trading day earlier.
 * - MDD: 9.212 here vs 9.428 published. The same 9.428 appears for six different MSFT agents in Table 1, so it is
 *   a property of their price series (the peak-to-trough here is 2020-10-13 → 2020-11-02, before any dividend
 *   in the window, so dividend adjustment cannot explain it); our intraday-low drawdown is 9.44, close to theirs.
 * - TSLA, window ending 2021-05-06 (150 days): CR 39.244 matches exactly (CR only depends on the two end prices),
 *   but AV is 63.03 here vs 75.854 published and MDD 36.25 vs 37.975: their TSLA series differs from Yahoo's
 *   between the end points. Plugging their own AV into the same SR formula gives 252 · 0.39244 / 150 / 0.75854
 *   = 0.869, exactly their SR, which confirms the SR reconstruction independently of our data.
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

describe.skipIf(!hasSharedPrices('MSFT.csv') || !hasSharedPrices('TSLA_2013-2023.csv'))(
  'FLAG-Trader Buy & Hold reproduction (real Yahoo prices from ../shared)',
  () => {
    it('MSFT: CR, SR and AV reproduce all printed digits; MDD differs by 0.22 points', () => {
      const result = buyAndHold('MSFT.csv', 'MSFT', '2021-05-05');
      expect(result.dates[1]).toBe('2020-10-01');
      expect(result.returns.length).toBe(149);
      expect(result.trades[0]).toMatchObject({ date: '2020-10-01', decidedAt: '2020-09-30' });
      const metrics = flagTraderMetrics(result.returns);
      expect(metrics.cumulativeReturnPct).toBeCloseTo(MSFT_ROW.cr, 3);
      expect(metrics.annualizedVolatilityPct).toBeCloseTo(MSFT_ROW.av, 3);
      expect(metrics.sharpeRatio).toBeCloseTo(MSFT_ROW.sr, 3);
      expect(metrics.maxDrawdownPct).toBeCloseTo(9.212, 3);
      expect(Math.abs(metrics.maxDrawdownPct - MSFT_ROW.mdd)).toBeLessThan(0.25);
      // The per-day ratio would be about 0.066: SR in the table is annualised.
      expect(metrics.sharpeRatio / Math.sqrt(252)).toBeLessThan(0.07);
      // The engine's own benchmark is the same buy-and-hold.
      expect(result.benchmark?.metrics.cumulativeLogReturn).toBeCloseTo(MSFT_ROW.cr / 100, 5);
    });

    it('MSFT on the nominal window end (2021-05-06) overshoots CR: the paper series ends a day earlier', () => {
      const metrics = flagTraderMetrics(buyAndHold('MSFT.csv', 'MSFT', '2021-05-06').returns);
      expect(metrics.cumulativeReturnPct).toBeCloseTo(16.654, 3);
    });

    it('TSLA: CR reproduces exactly; SR follows from their AV with the same formula', () => {
      const result = buyAndHold('TSLA_2013-2023.csv', 'TSLA', '2021-05-06');
      const metrics = flagTraderMetrics(result.returns);
      expect(metrics.periods).toBe(150);
      expect(metrics.cumulativeReturnPct).toBeCloseTo(TSLA_ROW.cr, 3);
      expect((252 * (metrics.cumulativeReturnPct / 100)) / metrics.periods / (TSLA_ROW.av / 100)).toBeCloseTo(
        TSLA_ROW.sr,
        3,
      );
      // Documented residuals: their TSLA path differs from Yahoo's between the end points.
      expect(metrics.annualizedVolatilityPct).toBeCloseTo(63.027, 2);
      expect(metrics.maxDrawdownPct).toBeCloseTo(36.247, 2);
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
