import { TradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { createPricePanel, type PricePanel, runBacktestSync } from '../src/index.ts';

/** Synthetic series, each isolating one rule. Dates are consecutive weekdays. */
const DATES = [
  '2024-01-01',
  '2024-01-02',
  '2024-01-03',
  '2024-01-04',
  '2024-01-05',
  '2024-01-08',
  '2024-01-09',
  '2024-01-10',
];

function panelOf(assets: Record<string, { open: number[]; close: number[] }>): PricePanel {
  const tickers = Object.keys(assets);
  return createPricePanel({
    dates: DATES,
    tickers,
    open: tickers.map((ticker) => assets[ticker]?.open ?? []),
    close: tickers.map((ticker) => assets[ticker]?.close ?? []),
  });
}

const flat = { open: DATES.map(() => 10), close: DATES.map(() => 10) };
const frictionless = { feeBps: 0, slippageBps: 0, metrics: { bootstrap: false as const } };
const caught = (run: () => unknown): TradeR1Error => {
  try {
    run();
  } catch (error) {
    if (error instanceof TradeR1Error) return error;
    throw error;
  }
  throw new Error('expected a TradeR1Error');
};

describe('delistings', () => {
  // B's bars end on 2024-01-04 (index 3); the panel goes on.
  const delisted = {
    open: [10, 10, 11, 12, Number.NaN, Number.NaN, Number.NaN, Number.NaN],
    close: [10, 10, 11, 12, Number.NaN, Number.NaN, Number.NaN, Number.NaN],
  };
  const scores = DATES.slice(0, 7).flatMap((date) => [
    { date, ticker: 'A', score: 1 },
    { date, ticker: 'B', score: 2 },
    { date, ticker: 'C', score: 0 },
  ]);

  it('sells at the last bar; top-k never holds a ghost position or levers up (gross ≤ 1, cash ≥ 0)', () => {
    const panel = panelOf({ A: flat, B: delisted, C: flat });
    const result = runBacktestSync({ panel, decisions: scores, strategy: { type: 'top-k', k: 2 }, ...frictionless });
    const exit = result.trades.find((trade) => trade.reason === 'delisting');
    expect(exit).toMatchObject({ date: '2024-01-04', ticker: 'B', price: 12 });
    expect(Math.max(...result.grossExposure)).toBeLessThanOrEqual(1 + 1e-12);
    expect(Math.min(...result.cash)).toBeGreaterThanOrEqual(-1e-6);
    // After the exit, the B slot goes to C at the next rebalance.
    expect(result.trades.some((trade) => trade.ticker === 'C' && trade.quantity > 0)).toBe(true);
    expect(result.trades.filter((trade) => trade.ticker === 'B' && trade.date > '2024-01-04')).toEqual([]);
    // 'hold' keeps the ghost, for comparison: the old behaviour.
    const ghost = runBacktestSync({
      panel,
      decisions: scores,
      strategy: { type: 'top-k', k: 2 },
      delisting: 'hold',
      ...frictionless,
    });
    expect(Math.max(...ghost.grossExposure)).toBeGreaterThan(1.2);
  });

  it("applies the caller's delisting return to the exit", () => {
    const panel = panelOf({ B: delisted, A: flat });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'B', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
      delistingReturns: { B: -0.3 },
      benchmark: null,
      ...frictionless,
    });
    const shares = 1_000_000 / 10;
    expect(result.trades.at(-1)).toMatchObject({ reason: 'delisting', price: 12 * 0.7 });
    expect(result.equity.at(-1)).toBeCloseTo(shares * 12 * 0.7, 6);
  });
});

describe('financing', () => {
  const levered = { STRONG_SELL: -1, SELL: -0.5, HOLD: 0, BUY: 1, STRONG_BUY: 3 };

  it('charges interest on negative cash: 3× long on a flat price pays 2 M × rate per bar', () => {
    const run = (cashRate: number) =>
      runBacktestSync({
        panel: panelOf({ A: flat }),
        decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' }],
        strategy: { type: 'decisions', exposure: levered },
        cashRate,
        ...frictionless,
      });
    const free = run(0);
    const charged = run(0.05);
    expect(free.equity.at(-1)).toBeCloseTo(1_000_000, 6);
    // Independent recomputation: cash starts at −2 M after the fill and compounds at −rate/252 per bar.
    let cash = -2_000_000;
    for (let bar = 1; bar < DATES.length; bar += 1) cash += cash * (0.05 / 252);
    expect(charged.equity.at(-1)).toBeCloseTo(3_000_000 + cash, 6);
    expect(charged.equity.at(-1)).toBeLessThan(free.equity.at(-1) as number);
  });

  it('a short earns interest only on its own cash, plus the configured rebate on the proceeds', () => {
    const run = (shortRebateRate: number) =>
      runBacktestSync({
        panel: panelOf({ A: flat }),
        decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_SELL' }],
        strategy: { type: 'decisions' },
        cashRate: 0.05,
        shortRebateRate,
        ...frictionless,
      });
    const bars = DATES.length - 1;
    // Free cash = 2 M cash − 1 M short value = 1 M earns 5 %; the proceeds (1 M) earn the rebate.
    const expected = (rebate: number) => {
      let cash = 2_000_000;
      for (let bar = 0; bar < bars; bar += 1) cash += (cash - 1_000_000) * (0.05 / 252) + 1_000_000 * (rebate / 252);
      return cash - 1_000_000;
    };
    expect(run(0).equity.at(-1)).toBeCloseTo(expected(0), 6);
    expect(run(0.02).equity.at(-1)).toBeCloseTo(expected(0.02), 6);
    // Not the full cash rate on 2 M (the old behaviour, ≈ +10 %/yr on a flat price).
    expect(run(0).equity.at(-1)).toBeLessThan(1_000_000 * (1 + 0.05 / 252) ** bars + 1);
  });

  it('caps gross exposure and records the scaled fill', () => {
    const result = runBacktestSync({
      panel: panelOf({ A: flat }),
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions', exposure: levered },
      maxGrossExposure: 1.5,
      ...frictionless,
    });
    expect(Math.max(...result.grossExposure)).toBeCloseTo(1.5, 12);
    expect(result.blocked[0]).toMatchObject({ reason: 'exposure-cap', targetWeight: 3 });
  });

  it('issues a margin call below the maintenance margin and sells everything at that close', () => {
    const falling = { open: [10, 10, 9, 8, 7, 7, 7, 7], close: [10, 10, 9, 8, 7, 7, 7, 7] };
    const result = runBacktestSync({
      panel: panelOf({ A: falling }),
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions', exposure: levered },
      maintenanceMargin: 0.25,
      ...frictionless,
    });
    // 300 k shares on 2 M debt: equity / gross at 9 = 0.7 M / 2.7 M = 0.259; at 8 = 0.4 M / 2.4 M = 0.167 < 0.25.
    expect(result.marginCallAt).toBe('2024-01-04');
    expect(result.trades.at(-1)).toMatchObject({ reason: 'margin-call', price: 8 });
    expect(result.equity.at(-1)).toBeCloseTo(400_000, 6);
  });
});

describe('halts and stale inputs', () => {
  // A is halted on 2024-01-02 and 2024-01-03 (indices 1, 2).
  const halted = {
    open: [10, Number.NaN, Number.NaN, 14, 15, 15, 15, 15],
    close: [10, Number.NaN, Number.NaN, 14, 15, 15, 15, 15],
  };

  it('hit-rate returns start at the actual fill after a halt, not at the stale pre-halt price', () => {
    const result = runBacktestSync({
      panel: panelOf({ A: halted }),
      decisions: [
        { date: '2024-01-01', ticker: 'A', decision: 'BUY' },
        { date: '2024-01-05', ticker: 'A', decision: 'SELL' },
      ],
      strategy: { type: 'decisions' },
      ...frictionless,
    });
    expect(result.trades[0]).toMatchObject({ date: '2024-01-04', price: 14 });
    // Entry at the 14 open of 2024-01-04, exit at the 15 open of 2024-01-08: 15 / 14 − 1 (not 15 / 10 − 1).
    expect(result.decisions[0]?.assetReturn).toBeCloseTo(15 / 14 - 1, 12);
  });

  it('top-k keeps a halted holding on a rebalance day by default, or sells it when asked', () => {
    const panel = panelOf({ A: halted, B: flat, C: flat });
    const decisions = ['2024-01-01', '2024-01-04'].flatMap((date) => [
      { date, ticker: 'A', score: 3 },
      { date, ticker: 'B', score: 2 },
      { date, ticker: 'C', score: 1 },
    ]);
    const options = {
      panel,
      decisions,
      strategy: { type: 'top-k' as const, k: 2, rebalance: 'daily' as const },
      ...frictionless,
    };
    // A stays selected through its halt and is bought at its first real bar (2024-01-04).
    const kept = runBacktestSync(options);
    expect(kept.rebalances.every((rebalance) => rebalance.selected.some((entry) => entry.ticker === 'A'))).toBe(true);
    expect(kept.weights.A?.at(-1)).toBeGreaterThan(0.4);
    const sold = runBacktestSync({ ...options, strategy: { ...options.strategy, unavailableHoldings: 'sell' } });
    expect(sold.rebalances[1]?.selected.map((entry) => entry.ticker)).toEqual(['B', 'C']);
  });

  it('rejects a decision dated before the first price (or drops and counts it when asked)', () => {
    const panel = panelOf({ A: flat });
    const decisions = [
      { date: '2019-05-01', ticker: 'A', decision: 'BUY' },
      { date: '2024-01-03', ticker: 'A', decision: 'SELL' },
    ];
    const error = caught(() => runBacktestSync({ panel, decisions, strategy: { type: 'decisions' } }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/2019-05-01.*stale/);
    const ignored = runBacktestSync({ panel, decisions, strategy: { type: 'decisions' }, staleDecisions: 'ignore' });
    expect(ignored.staleDecisions).toBe(1);
    expect(ignored.decisions.map((record) => record.date)).toEqual(['2024-01-03']);
  });

  it('a log whose only decision is on the last bar gets a clear error', () => {
    const error = caught(() =>
      runBacktestSync({
        panel: panelOf({ A: flat }),
        decisions: [{ date: '2024-01-10', ticker: 'A', decision: 'BUY' }],
        strategy: { type: 'decisions' },
      }),
    );
    expect(error.code).toBe('INSUFFICIENT_DATA');
    expect(error.message).toMatch(/last bar \(2024-01-10.*none can execute/);
  });
});

describe('benchmarks', () => {
  const up = { open: [10, 10, 11, 12, 13, 14, 15, 16], close: [10, 11, 12, 13, 14, 15, 16, 17] };

  it("'buy-and-hold' holds the starting equal weights; 'rebalanced-daily' restores them every bar", () => {
    const panel = panelOf({ A: up, B: flat });
    const decisions = [{ date: '2024-01-01', ticker: 'A', score: 1 }];
    const run = (benchmark: string) =>
      runBacktestSync({ panel, decisions, strategy: { type: 'top-k', k: 1 }, benchmark, ...frictionless });
    const hold = run('buy-and-hold').benchmark;
    const rebalanced = run('rebalanced-daily').benchmark;
    // Independent references: buy-and-hold = half in each from the first open; daily rebalancing returns the mean
    // of the two assets' open-to-open returns between fills (orders fill at opens, marked at closes).
    expect(hold?.equity.at(-1)).toBeCloseTo(500_000 * (17 / 10) + 500_000, 6);
    let value = 1_000_000;
    for (let bar = 1; bar < DATES.length - 1; bar += 1) {
      value *= 0.5 * ((up.open[bar + 1] as number) / (up.open[bar] as number)) + 0.5;
    }
    value *= 0.5 * ((up.close.at(-1) as number) / (up.open.at(-1) as number)) + 0.5;
    expect(rebalanced?.equity.at(-1)).toBeCloseTo(value, 6);
    expect(() => run('equal-weight')).toThrow(/renamed/);
  });
});

describe('periods per year', () => {
  it("'calendar' derives bars per year from the run's own dates", () => {
    const panel = panelOf({ A: flat });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'BUY' }],
      strategy: { type: 'decisions' },
      metrics: { periodsPerYear: 'calendar', bootstrap: false },
    });
    // 7 bars over 9 calendar days (2024-01-01 → 2024-01-10).
    expect(result.settings.periodsPerYear).toBeCloseTo((7 * 365.25) / 9, 12);
    expect(() =>
      runBacktestSync({
        panel,
        decisions: [{ date: '2024-01-01', ticker: 'A', decision: 'BUY' }],
        strategy: { type: 'decisions' },
        metrics: { periodsPerYear: 'calender' } as never,
      }),
    ).toThrow(TradeR1Error);
  });
});
