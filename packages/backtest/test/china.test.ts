import { describe, expect, it } from 'vitest';
import { createPricePanel, type PricePanel, runBacktestSync } from '../src/index.ts';
import { hasSharedChina, readSharedChina } from './helpers/prices.ts';

/**
 * The China A-share profile on the real unadjusted SZSE/SSE bars in ../shared/data/cn. Every claimed number is
 * recomputed here from the CSV by plain arithmetic (the exchange's limit rule, lot rounding, the fee schedule).
 */
function panelFrom(files: Record<string, string>): PricePanel {
  const tickers = Object.keys(files);
  const series = tickers.map((ticker) => readSharedChina(files[ticker] as string));
  const dates = (series[0] ?? []).map((bar) => bar.date);
  for (const bars of series) expect(bars.map((bar) => bar.date)).toEqual(dates);
  return createPricePanel({
    dates,
    tickers,
    open: series.map((bars) => bars.map((bar) => bar.open)),
    close: series.map((bars) => bars.map((bar) => bar.close)),
  });
}

const available = hasSharedChina('000858.SZ.csv') && hasSharedChina('600519.SH.csv');

describe.skipIf(!available)('China A-share profile on real prices (../shared/data/cn)', () => {
  const wuliangye = () => panelFrom({ '000858.SZ': '000858.SZ.csv' });
  const bars = () => readSharedChina('000858.SZ.csv');

  it('does not sell at the limit-locked open of 000858.SZ on 2020-02-03: the order waits and is recorded', () => {
    const raw = bars();
    const day = raw.findIndex((bar) => bar.date === '2020-02-03');
    const locked = raw[day] as (typeof raw)[number];
    const previous = raw[day - 1] as (typeof raw)[number];
    // Independent reference: the limit-down price is the previous close × 0.9, rounded to the fen; the bar is
    // locked (open = high = low).
    expect(Math.round(previous.close * 0.9 * 100) / 100).toBe(113.54);
    expect([locked.open, locked.high, locked.low]).toEqual([113.54, 113.54, 113.54]);
    const options = {
      panel: wuliangye(),
      decisions: [
        { date: '2020-01-02', ticker: '000858.SZ', decision: 'STRONG_BUY' },
        { date: '2020-01-23', ticker: '000858.SZ', decision: 'SELL' },
      ],
      strategy: { type: 'decisions' as const, exposure: 'long-only' as const },
      end: '2020-02-10',
      metrics: { bootstrap: false as const },
    };
    const result = runBacktestSync(options);
    const sell = result.trades.find((trade) => trade.quantity < 0);
    expect(sell?.date).toBe('2020-02-04');
    expect(sell?.price).toBe(109);
    expect(result.blocked).toEqual([
      { date: '2020-02-03', ticker: '000858.SZ', reason: 'limit-down', targetWeight: 0 },
    ]);
    // Without the profile (marketRules: 'none') the old behaviour sells into the locked open.
    const free = runBacktestSync({ ...options, marketRules: 'none' });
    expect(free.trades.find((trade) => trade.quantity < 0)?.date).toBe('2020-02-03');
  });

  it('buys in 100-share lots and charges max(2.5 bps, 5 CNY) commission; no fractional shares of Moutai', () => {
    const panel = panelFrom({ '600519.SH': '600519.SH.csv' });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-02', ticker: '600519.SH', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
      end: '2024-01-10',
      metrics: { bootstrap: false },
    });
    const buy = result.trades[0];
    const open = readSharedChina('600519.SH.csv').find((bar) => bar.date === '2024-01-03')?.open as number;
    expect(buy?.date).toBe('2024-01-03');
    expect(buy?.quantity).toBe(Math.floor(1_000_000 / open / 100) * 100);
    expect(buy?.quantity).toBe(500);
    expect(buy?.fee).toBeCloseTo(Math.max(500 * open * 0.00025, 5), 9);
    expect(buy?.stampDuty).toBe(0);
    // A small account pays the 5 CNY minimum.
    const small = runBacktestSync({
      panel: wuliangye(),
      decisions: [{ date: '2024-01-02', ticker: '000858.SZ', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
      initialCapital: 20_000,
      end: '2024-01-10',
      metrics: { bootstrap: false },
    });
    expect(small.trades[0]?.quantity).toBe(100);
    expect(small.trades[0]?.fee).toBe(5);
  });

  it('charges sell-side stamp duty: 0.1 % before 2023-08-28 and 0.05 % from then on', () => {
    const run = (buyDate: string, sellDate: string) =>
      runBacktestSync({
        panel: wuliangye(),
        decisions: [
          { date: buyDate, ticker: '000858.SZ', decision: 'STRONG_BUY' },
          { date: sellDate, ticker: '000858.SZ', decision: 'HOLD' },
        ],
        strategy: { type: 'decisions' },
        feeBps: 0,
        metrics: { bootstrap: false },
      });
    for (const [buyDate, sellDate, fillDate, rate] of [
      ['2023-08-21', '2023-08-24', '2023-08-25', 0.001],
      ['2023-08-21', '2023-08-25', '2023-08-28', 0.0005],
    ] as const) {
      const sell = run(buyDate, sellDate).trades.find((trade) => trade.quantity < 0);
      expect(sell?.date).toBe(fillDate);
      const notional = Math.abs(sell?.quantity as number) * (sell?.fillPrice as number);
      expect(sell?.stampDuty).toBeCloseTo(notional * rate, 9);
      expect(sell?.fee).toBeCloseTo(Math.max(notional * 0.00025, 5) + notional * rate, 9);
    }
  });

  it('refuses shorts by default (recorded), and allows them when asked', () => {
    const options = {
      panel: wuliangye(),
      decisions: [{ date: '2024-01-02', ticker: '000858.SZ', decision: 'STRONG_SELL' }],
      strategy: { type: 'decisions' as const },
      end: '2024-01-10',
      metrics: { bootstrap: false as const },
    };
    const refused = runBacktestSync(options);
    expect(refused.trades).toHaveLength(0);
    expect(refused.blocked[0]).toMatchObject({ date: '2024-01-03', reason: 'no-short', targetWeight: -1 });
    const allowed = runBacktestSync({ ...options, aShare: { allowShort: true } });
    expect(allowed.trades[0]?.quantity).toBeLessThan(0);
    expect((allowed.trades[0]?.quantity as number) % 100).toBe(-0);
  });

  it('is T+1: shares bought at an open are sold at the earliest on the next bar, also for intraday decisions', () => {
    const panel = wuliangye();
    const result = runBacktestSync({
      panel,
      decisions: [
        { date: '2024-06-03T10:00:00+08:00', ticker: '000858.SZ', decision: 'STRONG_BUY' },
        { date: '2024-06-04T09:45:00+08:00', ticker: '000858.SZ', decision: 'HOLD' },
      ],
      strategy: { type: 'decisions' },
      end: '2024-06-20',
      metrics: { bootstrap: false },
    });
    const buy = result.trades.find((trade) => trade.quantity > 0);
    const sell = result.trades.find((trade) => trade.quantity < 0);
    expect(buy && sell).toBeTruthy();
    expect(panel.dates.indexOf(sell?.date as string)).toBeGreaterThan(panel.dates.indexOf(buy?.date as string));
    // Two decisions for one ticker on one trading date (a same-day round trip) cannot even be expressed.
    expect(() =>
      runBacktestSync({
        panel,
        decisions: [
          { date: '2024-06-03T10:00:00+08:00', ticker: '000858.SZ', decision: 'STRONG_BUY' },
          { date: '2024-06-03T14:00:00+08:00', ticker: '000858.SZ', decision: 'HOLD' },
        ],
        strategy: { type: 'decisions' },
      }),
    ).toThrow(/one decision per ticker and date/);
  });

  it('leaves an index code (000300.SH) and US tickers without A-share rules', () => {
    const index = panelFrom({ '000300.SH': '000300.SH.csv' });
    const result = runBacktestSync({
      panel: index,
      decisions: [{ date: '2024-09-30', ticker: '000300.SH', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
      end: '2024-10-10',
      metrics: { bootstrap: false },
    });
    // 2024-10-08 opened +10.8 %: an index is not limit-checked, and it is bought in fractional units.
    expect(result.trades[0]?.date).toBe('2024-10-08');
    expect(Number.isInteger(result.trades[0]?.quantity)).toBe(false);
    expect(result.blocked).toEqual([]);
  });

  it('does not mistake the ex-rights gap of 300750.SZ on 2023-04-26 (−44.8 %, beyond the ±20 % limit) for a lock', () => {
    if (!hasSharedChina('300750.SZ.csv')) return;
    const result = runBacktestSync({
      panel: panelFrom({ '300750.SZ': '300750.SZ.csv' }),
      decisions: [
        { date: '2023-04-20', ticker: '300750.SZ', decision: 'STRONG_BUY' },
        { date: '2023-04-25', ticker: '300750.SZ', decision: 'HOLD' },
      ],
      strategy: { type: 'decisions' },
      end: '2023-05-05',
      metrics: { bootstrap: false },
    });
    expect(result.trades.find((trade) => trade.quantity < 0)?.date).toBe('2023-04-26');
    expect(result.blocked).toEqual([]);
  });
});
