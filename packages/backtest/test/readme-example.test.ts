import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bar } from '@trade-r1/core';
import { describe, expect, it, vi } from 'vitest';
import {
  alignPriceSeries,
  parseDecisionLogCsv,
  renderHtmlReport,
  runBacktest,
  toReportJson,
  tradingR1Metrics,
} from '../src/index.ts';
import { hasSharedPrices, readSharedPrices } from './helpers/prices.ts';

// The README's examples, run as tests (on the real prices in ../shared when present).
function bars(file: string): Bar[] {
  return readSharedPrices(file)
    .filter((bar) => bar.date >= '2024-05-01' && bar.date <= '2024-08-31')
    .map((bar) => ({
      timestamp: bar.date,
      open: bar.open,
      high: Math.max(bar.high, bar.open, bar.close),
      low: Math.min(bar.low, bar.open, bar.close),
      close: bar.close,
      volume: bar.volume,
    }));
}

describe.skipIf(!hasSharedPrices('MSFT.csv') || !hasSharedPrices('SPY.csv'))('README examples', () => {
  it('five-level decisions on one asset, SPY as the benchmark, JSON and HTML reports', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'backtest-readme-'));
    const msftBars = bars('MSFT.csv');
    const spyBars = bars('SPY.csv');
    // The example prints its metrics; the test keeps the log quiet and checks what was printed instead.
    const printed = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    // #region five-level
    const panel = alignPriceSeries({ series: { MSFT: msftBars, SPY: spyBars } });
    const decisions = parseDecisionLogCsv(`date,ticker,decision
2024-05-31,MSFT,BUY
2024-06-07,MSFT,STRONG_BUY
2024-06-14,MSFT,HOLD
2024-06-21,MSFT,SELL
2024-07-05,MSFT,BUY`);
    const result = await runBacktest({
      panel,
      decisions,
      strategy: { type: 'decisions', holdingPeriod: 5 }, // hold each call for a week
      benchmark: 'SPY',
      metrics: { riskFree: 0.04 }, // Trading-R1's 4 % p.a.
    });
    console.log(result.metrics.sharpeRatio, result.metrics.hitRate, result.benchmark?.metrics.sharpeRatio);
    writeFileSync(join(directory, 'report.json'), JSON.stringify(toReportJson(result)));
    writeFileSync(join(directory, 'report.html'), renderHtmlReport(result, { title: 'MSFT, weekly LLM calls' }));
    // #endregion five-level
    expect(printed).toHaveBeenCalledWith(
      result.metrics.sharpeRatio,
      result.metrics.hitRate,
      result.benchmark?.metrics.sharpeRatio,
    );
    printed.mockRestore();
    expect(result.trades[0]).toMatchObject({ date: '2024-06-03', decidedAt: '2024-05-31', ticker: 'MSFT' });
    expect(result.trades.filter((trade) => trade.reason === 'expiry').length).toBeGreaterThan(0);
    expect(result.decisions).toHaveLength(5);
    expect(JSON.parse(readFileSync(join(directory, 'report.json'), 'utf8')).benchmark.name).toBe('SPY');
    expect(readFileSync(join(directory, 'report.html'), 'utf8')).toContain('MSFT, weekly LLM calls');
    // #region paper-metrics
    const paper = tradingR1Metrics(result.returns, {
      actions: result.decisions.filter((record) => record.assetReturn !== null).map((record) => record.action),
      actionReturns: result.decisions.flatMap((record) => (record.assetReturn === null ? [] : [record.assetReturn])),
    });
    // #endregion paper-metrics
    expect(paper.cumulativeReturnPct).toBeCloseTo(100 * result.metrics.cumulativeReturn, 10);
    expect(paper.hitRatePct).toBeCloseTo(100 * (result.metrics.hitRate as number), 10);
    rmSync(directory, { recursive: true, force: true });
  });
});
