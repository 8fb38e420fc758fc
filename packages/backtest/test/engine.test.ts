import { isTradeR1Error, type TradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import {
  type BacktestOptions,
  createPricePanel,
  type PricePanel,
  runBacktest,
  runBacktestSync,
  streamBacktest,
} from '../src/index.ts';
import { syntheticPanel } from './helpers/synthetic.ts';

// Mon 2024-01-01 … : five weekdays, then the next week.
const DATES = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'];

function panelOf(assets: Record<string, { open: number[]; close: number[] }>): PricePanel {
  const tickers = Object.keys(assets);
  return createPricePanel({
    dates: DATES,
    tickers,
    open: tickers.map((ticker) => assets[ticker]?.open ?? []),
    close: tickers.map((ticker) => assets[ticker]?.close ?? []),
  });
}

const rising = { open: [10, 11, 12, 13, 14, 15, 16], close: [10.5, 11.5, 12.5, 13.5, 14.5, 15.5, 16.5] };

function caught(run: () => unknown): TradeR1Error {
  try {
    run();
  } catch (error) {
    if (isTradeR1Error(error)) return error;
    throw error;
  }
  throw new Error('expected a TradeR1Error');
}

const frictionless = { feeBps: 0, slippageBps: 0, metrics: { bootstrap: false as const } };

describe('execution timing', () => {
  it('trades a decision dated t at the open of t + 1 and marks at closes', () => {
    const panel = panelOf({ A: rising });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
      ...frictionless,
    });
    expect(result.dates[0]).toBe('2024-01-01');
    expect(result.trades).toHaveLength(1);
    expect(result.trades[0]).toMatchObject({
      date: '2024-01-02',
      decidedAt: '2024-01-01',
      price: 11,
      reason: 'decision',
    });
    expect(result.equity[0]).toBe(1_000_000);
    expect(result.equity[1]).toBeCloseTo((1_000_000 * 11.5) / 11, 6);
    expect(result.equity[6]).toBeCloseTo((1_000_000 * 16.5) / 11, 6);
    expect(result.returns[0]).toBeCloseTo(11.5 / 11 - 1, 12);
    expect(result.grossExposure[0]).toBeCloseTo(1, 12);
  });

  it('with next-close, trades at the close of the next bar, never the decision bar', () => {
    const panel = panelOf({ A: rising });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
      execution: 'next-close',
      ...frictionless,
    });
    expect(result.trades[0]).toMatchObject({ date: '2024-01-02', price: 11.5 });
    expect(result.returns[0]).toBe(0);
    expect(result.equity[6]).toBeCloseTo((1_000_000 * 16.5) / 11.5, 6);
  });

  it('a weekend decision trades on Monday; the later of two weekend decisions wins', () => {
    const panel = panelOf({ A: rising });
    const result = runBacktestSync({
      panel,
      decisions: [
        { date: '2024-01-01', ticker: 'A', decision: 'HOLD' },
        { date: '2024-01-06', ticker: 'A', decision: 'SELL' },
        { date: '2024-01-07', ticker: 'A', decision: 'BUY' },
      ],
      strategy: { type: 'decisions' },
      ...frictionless,
    });
    expect(result.trades).toHaveLength(1);
    expect(result.trades[0]).toMatchObject({ date: '2024-01-08', decidedAt: '2024-01-05', price: 15 });
    expect(result.decisions.map((record) => record.status)).toEqual(['executed', 'superseded', 'executed']);
    const shares = 500_000 / 15;
    expect(result.weights.A?.[5]).toBeCloseTo((shares * 15.5) / (1_000_000 + shares * 0.5), 12);
  });

  it('marks decisions after the end of the run', () => {
    const panel = panelOf({ A: rising });
    const result = runBacktestSync({
      panel,
      decisions: [
        { date: '2024-01-01', ticker: 'A', decision: 'BUY' },
        { date: '2024-01-09', ticker: 'A', decision: 'SELL' },
      ],
      strategy: { type: 'decisions' },
      ...frictionless,
    });
    expect(result.decisions[1]).toMatchObject({ status: 'after-end', executionDate: null, assetReturn: null });
  });
});

describe('costs, sizing and financing', () => {
  it('charges fees one-way in bps on the notional and slippage on the fill price', () => {
    const panel = panelOf({ A: rising });
    const result = runBacktestSync({
      panel,
      decisions: [
        { date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' },
        { date: '2024-01-03', ticker: 'A', decision: 'HOLD' },
      ],
      strategy: { type: 'decisions' },
      feeBps: 10,
      slippageBps: 5,
    });
    const [buy, sell] = result.trades;
    const shares = 1_000_000 / 11;
    expect(buy?.quantity).toBeCloseTo(shares, 9);
    expect(buy?.fillPrice).toBeCloseTo(11 * 1.0005, 12);
    expect(buy?.fee).toBeCloseTo(shares * 11 * 1.0005 * 0.001, 9);
    expect(buy?.slippage).toBeCloseTo(shares * 11 * 0.0005, 9);
    const cashAfterBuy = 1_000_000 - shares * 11 * 1.0005 * 1.001;
    expect(result.cash[1]).toBeCloseTo(cashAfterBuy, 6);
    // Sell everything at 2024-01-04's open (13).
    expect(sell?.quantity).toBeCloseTo(-shares, 9);
    const finalCash = cashAfterBuy + shares * 13 * 0.9995 * 0.999;
    expect(result.equity[6]).toBeCloseTo(finalCash, 6);
    expect(result.costs[0]).toBeCloseTo((buy?.fee ?? 0) + (buy?.slippage ?? 0), 9);
    expect(result.turnover[0]).toBeCloseTo(1, 12);
  });

  it('defaults to 10 bps fees', () => {
    const panel = panelOf({ A: rising });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
    });
    expect(result.settings.feeBps).toBe(10);
    expect(result.trades[0]?.fee).toBeCloseTo(1000, 6);
  });

  it('fixed sizing sizes from the initial capital', () => {
    const panel = panelOf({ A: rising });
    const result = runBacktestSync({
      panel,
      decisions: [
        { date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' },
        { date: '2024-01-03', ticker: 'A', decision: 'BUY' },
      ],
      strategy: { type: 'decisions' },
      sizing: 'fixed',
      ...frictionless,
    });
    expect(result.trades[1]?.quantity).toBeCloseTo(500_000 / 13 - 1_000_000 / 11, 9);
  });

  it('accrues cash interest and short borrow fees per bar', () => {
    const panel = panelOf({ A: rising });
    const cashOnly = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'HOLD' }],
      strategy: { type: 'decisions' },
      cashRate: 0.0252,
      ...frictionless,
    });
    expect(cashOnly.equity[6]).toBeCloseTo(1_000_000 * 1.0001 ** 6, 6);
    const short = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_SELL' }],
      strategy: { type: 'decisions' },
      borrowRate: 0.252,
      ...frictionless,
    });
    const shares = 1_000_000 / 11;
    const cashAfterShort = 1_000_000 + shares * 11 - shares * 11.5 * 0.001;
    expect(short.cash[1]).toBeCloseTo(cashAfterShort, 6);
    expect(short.netExposure[0]).toBeLessThan(-0.9);
  });

  it('records ruin when a short loses everything and stays flat at zero', () => {
    const panel = panelOf({ A: { open: [10, 10, 15, 25, 30, 30, 30], close: [10, 12, 20, 28, 30, 30, 30] } });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_SELL' }],
      strategy: { type: 'decisions' },
      ...frictionless,
    });
    expect(result.ruinedAt).toBe('2024-01-03');
    expect(Array.from(result.equity.slice(2))).toEqual([0, 0, 0, 0, 0]);
    expect(result.metrics.cumulativeReturn).toBe(-1);
    expect(result.metrics.maxDrawdown).toBe(1);
  });
});

describe('ruin', () => {
  it('does not size orders from a wiped-out account at the open: they wait and the close settles it', () => {
    const panel = panelOf({ A: { open: [10, 10, 25, 25, 25, 25, 25], close: [10, 10.5, 24, 25, 25, 25, 25] } });
    const result = runBacktestSync({
      panel,
      decisions: [
        { date: '2024-01-01', ticker: 'A', decision: 'STRONG_SELL' },
        { date: '2024-01-02', ticker: 'A', decision: 'STRONG_BUY' },
      ],
      strategy: { type: 'decisions' },
      ...frictionless,
    });
    expect(result.trades.map((trade) => trade.date)).toEqual(['2024-01-02']);
    expect(result.ruinedAt).toBe('2024-01-03');
    expect(Array.from(result.equity.slice(2))).toEqual([0, 0, 0, 0, 0]);
    for (const value of result.returns) expect(value).toBeGreaterThanOrEqual(-1);
  });

  it('flags ruin under fixed sizing, where orders can exceed the remaining equity', () => {
    const panel = panelOf({ A: { open: [10, 10, 2, 2, 5, 1, 1], close: [10, 10, 2, 2, 5, 1, 1] } });
    const result = runBacktestSync({
      panel,
      decisions: [
        { date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' },
        { date: '2024-01-02', ticker: 'A', decision: 'HOLD' },
        { date: '2024-01-04', ticker: 'A', decision: 'STRONG_BUY' },
        { date: '2024-01-05', ticker: 'A', decision: 'HOLD' },
      ],
      strategy: { type: 'decisions' },
      sizing: 'fixed',
      ...frictionless,
    });
    expect(result.ruinedAt).not.toBeNull();
    for (const value of result.returns) expect(value).toBeGreaterThanOrEqual(-1);
    expect(result.metrics.cumulativeReturn).toBe(-1);
  });
});

describe('holding period, repeats and halts', () => {
  it('closes a position after holdingPeriod bars', () => {
    const panel = panelOf({ A: rising });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions', holdingPeriod: 2 },
      ...frictionless,
    });
    expect(result.trades.map((trade) => [trade.date, trade.reason])).toEqual([
      ['2024-01-02', 'decision'],
      ['2024-01-04', 'expiry'],
    ]);
    expect(result.equity[6]).toBeCloseTo((1_000_000 * 13) / 11, 6);
    expect(result.decisions[0]?.assetReturn).toBeCloseTo(13 / 11 - 1, 12);
  });

  it('does not churn on repeated decisions unless asked to resize', () => {
    const panel = panelOf({ A: rising });
    const decisions = DATES.slice(0, 5).map((date) => ({ date, ticker: 'A', decision: 'BUY' }));
    const held = runBacktestSync({ panel, decisions, strategy: { type: 'decisions' }, ...frictionless });
    expect(held.trades).toHaveLength(1);
    expect(held.decisions.map((record) => record.status)).toEqual(['executed', 'repeat', 'repeat', 'repeat', 'repeat']);
    const resized = runBacktestSync({
      panel,
      decisions,
      strategy: { type: 'decisions', resizeOnRepeat: true },
      ...frictionless,
    });
    expect(resized.trades).toHaveLength(5);
  });

  it('never trades a halted asset: the order waits for its next bar; the position is carried at its last price', () => {
    const nan = Number.NaN;
    const panel = panelOf({
      A: rising,
      B: { open: [20, nan, 22, 23, nan, 25, 26], close: [20, nan, 22.5, 23.5, nan, 25.5, 26.5] },
    });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'B', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
      benchmark: null,
      ...frictionless,
    });
    expect(result.trades[0]).toMatchObject({ date: '2024-01-03', price: 22, decidedAt: '2024-01-01' });
    expect(result.returns[0]).toBe(0);
    // 2024-01-05 is missing: the position is valued at 23.5 (no return); the gap shows on 2024-01-08.
    expect(result.returns[3]).toBe(0);
    expect(result.returns[4]).toBeCloseTo(25.5 / 23.5 - 1, 12);
  });
});

describe('top-k selection', () => {
  const panel = panelOf({
    A: rising,
    B: { open: [20, 20, 20, 20, 20, 20, 20], close: [20, 20, 20, 20, 20, 20, 20] },
    C: { open: [30, 29, 28, 27, 26, 25, 24], close: [29.5, 28.5, 27.5, 26.5, 25.5, 24.5, 23.5] },
    D: { open: [5, 5, 5, 5, 5, 5, 5], close: [5, 5, 5, 5, 5, 5, 5] },
  });
  const scores = [
    { date: '2024-01-01', ticker: 'A', score: 3 },
    { date: '2024-01-01', ticker: 'B', score: 1 },
    { date: '2024-01-01', ticker: 'C', score: 2 },
    { date: '2024-01-01', ticker: 'D', score: -1 },
    { date: '2024-01-05', ticker: 'C', score: -5 },
    { date: '2024-01-05', ticker: 'D', score: 4 },
  ];

  it('holds the k best scores with equal weights and rebalances on decision dates', () => {
    const result = runBacktestSync({ panel, decisions: scores, strategy: { type: 'top-k', k: 2 }, ...frictionless });
    expect(
      result.rebalances.map((rebalance) => [rebalance.date, rebalance.selected.map((item) => item.ticker)]),
    ).toEqual([
      ['2024-01-01', ['A', 'C']],
      ['2024-01-05', ['D', 'A']],
    ]);
    expect(result.rebalances[0]?.selected.map((item) => item.weight)).toEqual([0.5, 0.5]);
    const firstTrades = result.trades.filter((trade) => trade.date === '2024-01-02');
    expect(firstTrades.map((trade) => trade.ticker).sort()).toEqual(['A', 'C']);
    const secondTrades = result.trades.filter((trade) => trade.date === '2024-01-08');
    expect(secondTrades.find((trade) => trade.ticker === 'C')?.quantity).toBeLessThan(0);
    expect(result.benchmark).toBeNull();
  });

  it('weights by score, keeps unfilled slots in cash and drops stale scores', () => {
    const scored = runBacktestSync({
      panel,
      decisions: scores,
      strategy: { type: 'top-k', k: 2, weighting: 'score' },
      ...frictionless,
    });
    expect(scored.rebalances[0]?.selected.map((item) => item.weight)).toEqual([0.6, 0.4]);
    const stale = runBacktestSync({
      panel,
      decisions: scores,
      strategy: { type: 'top-k', k: 3, rebalance: 'daily', maxScoreAge: 2 },
      ...frictionless,
    });
    const atDay3 = stale.rebalances.find((rebalance) => rebalance.date === '2024-01-04');
    expect(atDay3?.selected).toEqual([]);
    const atDay4 = stale.rebalances.find((rebalance) => rebalance.date === '2024-01-05');
    expect(atDay4?.selected.map((item) => [item.ticker, item.weight])).toEqual([
      ['D', 1 / 3],
      ['C', 1 / 3],
    ]);
  });

  it('rebalances weekly on the last bar of each ISO week and every n bars', () => {
    const weekly = runBacktestSync({
      panel,
      decisions: scores,
      strategy: { type: 'top-k', k: 1, rebalance: 'weekly' },
      ...frictionless,
    });
    expect(weekly.rebalances.map((rebalance) => rebalance.date)).toEqual(['2024-01-05']);
    expect(weekly.rebalances[0]?.selected.map((item) => item.ticker)).toEqual(['D']);
    const every = runBacktestSync({
      panel,
      decisions: scores,
      strategy: { type: 'top-k', k: 1, rebalance: { everyBars: 2 } },
      ...frictionless,
    });
    expect(every.rebalances.map((rebalance) => rebalance.date)).toEqual(['2024-01-01', '2024-01-03', '2024-01-05']);
  });

  it('benchmarks against an index ticker or an equal-weight basket', () => {
    const index = runBacktestSync({
      panel,
      decisions: scores,
      strategy: { type: 'top-k', k: 2 },
      benchmark: 'a',
      ...frictionless,
    });
    expect(index.benchmark?.name).toBe('A');
    expect(index.benchmark?.metrics.cumulativeReturn).toBeCloseTo(16.5 / 11 - 1, 12);
    const basket = runBacktestSync({
      panel,
      decisions: scores,
      strategy: { type: 'top-k', k: 2 },
      benchmark: 'buy-and-hold',
      ...frictionless,
    });
    expect(basket.benchmark?.trades).toHaveLength(4);
  });
});

describe('validation, progress and cancellation', () => {
  const panel = panelOf({ A: rising });
  const base: BacktestOptions = {
    panel,
    decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'BUY' }],
    strategy: { type: 'decisions' },
  };

  it('names the row of an unknown ticker, or ignores it', () => {
    const error = caught(() =>
      runBacktestSync({
        ...base,
        decisions: [...(base.decisions as object[]), { date: '2024-01-02', ticker: 'ZZZ', decision: 'BUY' }],
      }),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(error.details).toMatchObject({ row: 1, ticker: 'ZZZ' });
    const ignored = runBacktestSync({
      ...base,
      decisions: [...(base.decisions as object[]), { date: '2024-01-02', ticker: 'ZZZ', decision: 'BUY' }],
      unknownTickers: 'ignore',
    });
    expect(ignored.decisions).toHaveLength(1);
  });

  it('rejects bad rows and options with typed errors', () => {
    expect(
      caught(() => runBacktestSync({ ...base, decisions: [{ date: 'soon', ticker: 'A', decision: 'BUY' }] })).details,
    ).toMatchObject({ row: 0 });
    expect(
      caught(() => runBacktestSync({ ...base, decisions: [{ date: '2024-01-01', ticker: 'A', score: 1 }] })).message,
    ).toMatch(/row 0 has a score but no decision/);
    expect(caught(() => runBacktestSync({ ...base, feeBps: -1 })).code).toBe('INVALID_CONFIG');
    expect(caught(() => runBacktestSync({ ...base, strategy: { type: 'top-k', k: 0 } })).code).toBe('INVALID_CONFIG');
    expect(caught(() => runBacktestSync({ ...base, start: '2024-01-09' })).code).toBe('INVALID_CONFIG');
    expect(caught(() => runBacktestSync({ ...base, benchmark: 'SPY' })).code).toBe('NOT_FOUND');
  });

  it('reports monotone progress for the strategy and its benchmark', async () => {
    const big = syntheticPanel({ assets: 3, days: 300, seed: 5 });
    const events: { phase: string; completed: number; total: number }[] = [];
    const decisions = big.dates
      .filter((_, index) => index % 10 === 0)
      .map((date, index) => ({ date, ticker: 'A000', decision: index % 2 ? 'BUY' : 'SELL' }));
    const result = await runBacktest({
      panel: big,
      decisions,
      strategy: { type: 'decisions' },
      progressEvery: 50,
      onProgress: (event) => events.push(event),
    });
    const strategy = events.filter((event) => event.phase === 'strategy');
    expect(strategy.length).toBeGreaterThan(4);
    expect(strategy.map((event) => event.completed)).toEqual(
      [...strategy.map((event) => event.completed)].sort((a, b) => a - b),
    );
    expect(strategy.at(-1)).toEqual({
      phase: 'strategy',
      completed: result.returns.length,
      total: result.returns.length,
    });
    expect(events.some((event) => event.phase === 'benchmark')).toBe(true);
    const sync = runBacktestSync({ panel: big, decisions, strategy: { type: 'decisions' } });
    expect(Array.from(sync.equity)).toEqual(Array.from(result.equity));
  });

  it('streams progress events and then the result as an AsyncIterable', async () => {
    const big = syntheticPanel({ assets: 2, days: 200, seed: 21 });
    const options = {
      panel: big,
      decisions: [{ date: big.dates[0] as string, ticker: 'A000', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' as const },
      progressEvery: 40,
    };
    const events = [];
    for await (const event of streamBacktest(options)) events.push(event);
    const last = events.at(-1);
    expect(last?.type).toBe('result');
    const progress = events.filter((event) => event.type === 'progress');
    expect(progress.map((event) => event.phase)).toEqual([...Array(5).fill('strategy'), ...Array(5).fill('benchmark')]);
    expect(progress.at(4)).toMatchObject({ completed: 199, total: 199 });
    if (last?.type === 'result') {
      expect(Array.from(last.result.equity)).toEqual(Array.from(runBacktestSync(options).equity));
    }
    // Breaking out early stops the work without a result.
    let seen = 0;
    for await (const event of streamBacktest(options)) {
      seen += 1;
      if (event.type === 'progress') break;
    }
    expect(seen).toBe(1);
  });

  it('aborts with ABORTED, before the run or from another task while it runs', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(caught(() => runBacktestSync({ ...base, signal: controller.signal })).code).toBe('ABORTED');
    const big = syntheticPanel({ assets: 2, days: 400, seed: 9 });
    const running = new AbortController();
    const promise = runBacktest({
      panel: big,
      decisions: [{ date: big.dates[0] as string, ticker: 'A000', decision: 'BUY' }],
      strategy: { type: 'decisions' },
      progressEvery: 10,
      signal: running.signal,
      onProgress: (event) => {
        // Abort from a separate task (a microtask after this callback returns), as a UI or a timeout would.
        if (event.completed >= 100) void Promise.resolve().then(() => running.abort(new Error('user stop')));
      },
    });
    await expect(promise).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
