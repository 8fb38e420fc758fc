import { createRng, DECISIONS } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPricePanel, type PricePanel, runBacktestSync } from '../src/index.ts';
import { weekdays } from './helpers/synthetic.ts';

interface Scenario {
  days: number;
  assets: number;
  seed: number;
  density: number;
  missing: boolean;
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  days: fc.integer({ min: 6, max: 24 }),
  assets: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  density: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
  missing: fc.boolean(),
});

/** A small random panel (daily moves within ±5 %) and a random five-level decision log over it. */
function build(scenario: Scenario, perturb?: { after: number; seed: number; keepOpenAt?: boolean }) {
  const rng = createRng(scenario.seed);
  const dates = weekdays('2023-03-01', scenario.days);
  const tickers = Array.from({ length: scenario.assets }, (_, index) => `T${index}`);
  const open: number[][] = [];
  const close: number[][] = [];
  for (let asset = 0; asset < scenario.assets; asset += 1) {
    const opens: number[] = [];
    const closes: number[] = [];
    let last = 20 + 80 * rng.next();
    for (let day = 0; day < scenario.days; day += 1) {
      const o = last * (1 + 0.02 * (rng.next() - 0.5));
      const c = o * (1 + 0.08 * (rng.next() - 0.5));
      const halted = scenario.missing && day > 0 && rng.next() < 0.15;
      opens.push(halted ? Number.NaN : o);
      closes.push(halted ? Number.NaN : c);
      last = c;
    }
    open.push(opens);
    close.push(closes);
  }
  if (perturb) {
    const noise = createRng(perturb.seed);
    for (let asset = 0; asset < scenario.assets; asset += 1) {
      for (let day = perturb.after; day < scenario.days; day += 1) {
        const scale = 0.5 + noise.next();
        const row = close[asset] as number[];
        row[day] = (row[day] as number) * scale;
        if (day > perturb.after || !perturb.keepOpenAt) {
          const openRow = open[asset] as number[];
          openRow[day] = (openRow[day] as number) * scale;
        }
      }
    }
  }
  const panel = createPricePanel({ dates, tickers, open, close });
  const decisions: { date: string; ticker: string; decision: string }[] = [];
  for (let day = 0; day < scenario.days - 1; day += 1) {
    for (const ticker of tickers) {
      if (rng.next() < scenario.density) {
        decisions.push({ date: dates[day] as string, ticker, decision: DECISIONS[rng.int(0, 4)] as string });
      }
    }
  }
  return { panel, decisions };
}

const frictionless = { feeBps: 0, slippageBps: 0, metrics: { bootstrap: false as const }, benchmark: null };
const RUNS = { seed: 20_240_601, numRuns: 120 };

function indexOf(panel: PricePanel, date: string): number {
  return panel.dates.indexOf(date);
}

describe('invariants', () => {
  it('no trades ⇒ zero P&L and a flat equity curve', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const { panel, decisions } = build(scenario);
        const holds = decisions.map((row) => ({ ...row, decision: 'HOLD' }));
        for (const log of [holds, []]) {
          const result = runBacktestSync({
            panel,
            decisions: log,
            strategy: { type: 'decisions' },
            feeBps: 25,
            metrics: { bootstrap: false },
          });
          expect(result.trades).toHaveLength(0);
          for (const value of result.equity) expect(value).toBe(1_000_000);
          for (const value of result.returns) expect(value).toBe(0);
          expect(result.metrics.cumulativeReturn).toBe(0);
        }
      }),
      RUNS,
    );
  });

  it('fees and slippage never increase P&L, at any point of the curve', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        fc.constantFrom('next-open' as const, 'next-close' as const),
        (scenario, lowFee, extraFee, execution) => {
          const { panel, decisions } = build(scenario);
          const run = (feeBps: number, slippageBps: number) =>
            runBacktestSync({
              panel,
              decisions,
              strategy: { type: 'decisions' },
              execution,
              feeBps,
              slippageBps,
              metrics: { bootstrap: false },
            });
          const cheap = run(lowFee, 0);
          const costly = run(lowFee + extraFee, 0);
          const slipped = run(lowFee, extraFee);
          cheap.equity.forEach((value, index) => {
            expect(costly.equity[index] as number).toBeLessThanOrEqual(value + 1e-6);
            expect(slipped.equity[index] as number).toBeLessThanOrEqual(value + 1e-6);
          });
        },
      ),
      RUNS,
    );
  });

  it('fees never increase P&L for top-k selection either', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 100 }),
        (scenario, scoreSeed, fee) => {
          const { panel } = build({ ...scenario, assets: 3 });
          const rng = createRng(scoreSeed);
          const rows = panel.dates.flatMap((date) =>
            panel.tickers.map((ticker) => ({ date, ticker, score: rng.normal() })),
          );
          const run = (feeBps: number) =>
            runBacktestSync({
              panel,
              decisions: rows,
              strategy: { type: 'top-k', k: 2, rebalance: 'daily', weighting: 'score' },
              feeBps,
              metrics: { bootstrap: false },
            });
          const free = run(0);
          const costly = run(fee);
          free.equity.forEach((value, index) => {
            expect(costly.equity[index] as number).toBeLessThanOrEqual(value + 1e-6);
          });
        },
      ),
      RUNS,
    );
  });

  it('zero fees + buy-and-hold = the asset return (and equals the benchmark)', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.constantFrom('next-open' as const, 'next-close' as const),
        (scenario, execution) => {
          const { panel } = build({ ...scenario, missing: false });
          const ticker = panel.tickers[0] as string;
          const result = runBacktestSync({
            panel,
            decisions: [{ date: panel.dates[0] as string, ticker, decision: 'STRONG_BUY' }],
            strategy: { type: 'decisions' },
            execution,
            feeBps: 0,
            slippageBps: 0,
            metrics: { bootstrap: false },
          });
          const close = panel.close[0] as Float64Array;
          const entry = execution === 'next-open' ? (panel.open[0] as Float64Array)[1] : close[1];
          const assetReturn = (close[panel.dates.length - 1] as number) / (entry as number) - 1;
          expect(result.metrics.cumulativeReturn).toBeCloseTo(assetReturn, 10);
          expect(result.benchmark?.metrics.cumulativeReturn).toBeCloseTo(assetReturn, 10);
          Array.from(result.equity).forEach((value, index) => {
            expect(value).toBeCloseTo(result.benchmark?.equity[index] as number, 6);
          });
        },
      ),
      RUNS,
    );
  });

  it('scaling every exposure by c scales P&L by c without fees (fixed sizing; compound for one entry)', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.double({ min: 0.1, max: 2, noNaN: true }), (scenario, scale) => {
        const { panel, decisions } = build(scenario);
        const mapping = { STRONG_SELL: -1, SELL: -0.5, HOLD: 0, BUY: 0.5, STRONG_BUY: 1 };
        const scaled = Object.fromEntries(
          Object.entries(mapping).map(([key, value]) => [key, value * scale]),
        ) as typeof mapping;
        const run = (exposure: typeof mapping, sizing: 'fixed' | 'compound', log = decisions) =>
          runBacktestSync({
            panel,
            decisions: log,
            strategy: { type: 'decisions', exposure },
            sizing,
            ...frictionless,
          });
        const base = run(mapping, 'fixed');
        const times = run(scaled, 'fixed');
        base.equity.forEach((value, index) => {
          expect((times.equity[index] as number) - 1_000_000).toBeCloseTo(scale * (value - 1_000_000), 4);
        });
        const single = [{ date: panel.dates[0] as string, ticker: panel.tickers[0] as string, decision: 'STRONG_BUY' }];
        const one = run(mapping, 'compound', single);
        const oneScaled = run(scaled, 'compound', single);
        expect(oneScaled.metrics.cumulativeReturn).toBeCloseTo(scale * one.metrics.cumulativeReturn, 10);
      }),
      RUNS,
    );
  });
});

describe('no look-ahead', () => {
  it('a decision dated t never trades at t or earlier', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.constantFrom('next-open' as const, 'next-close' as const),
        (scenario, execution) => {
          const { panel, decisions } = build(scenario);
          const result = runBacktestSync({
            panel,
            decisions,
            strategy: { type: 'decisions' },
            execution,
            feeBps: 10,
            metrics: { bootstrap: false },
          });
          for (const trade of result.trades) {
            // A delisting exit is forced by the engine at the asset's last bar (the delisting is public by then).
            if (trade.reason === 'delisting') {
              expect(trade.date).toBe(trade.decidedAt);
              continue;
            }
            expect(indexOf(panel, trade.date)).toBeGreaterThan(indexOf(panel, trade.decidedAt));
          }
          for (const record of result.decisions) {
            if (record.executionDate !== null) expect(record.executionDate > record.date).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  it('changing any price after the open of t + 1 changes no fill up to t + 1 and no equity up to t', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 20 }),
        (scenario, noiseSeed, cutAt) => {
          const cut = Math.min(cutAt, scenario.days - 2);
          const original = build(scenario);
          // Perturb close[t+1] and every price after it; open[t+1] is kept (fills at t+1's open may use it).
          const changed = build(scenario, { after: cut + 1, seed: noiseSeed, keepOpenAt: true });
          const options = {
            strategy: { type: 'decisions' as const },
            feeBps: 10,
            slippageBps: 5,
            metrics: { bootstrap: false as const },
          };
          const before = runBacktestSync({ panel: original.panel, decisions: original.decisions, ...options });
          const after = runBacktestSync({ panel: changed.panel, decisions: changed.decisions, ...options });
          const early = (trades: typeof before.trades) =>
            trades.filter((trade) => indexOf(original.panel, trade.date) <= cut + 1);
          expect(early(after.trades)).toEqual(early(before.trades));
          const start = indexOf(original.panel, before.dates[0] as string);
          for (let index = 0; index <= cut - start; index += 1) {
            expect(after.equity[index]).toBe(before.equity[index]);
          }
        },
      ),
      RUNS,
    );
  });

  it('with next-close execution, prices from t + 1 on change nothing up to t', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 1, max: 20 }),
        (scenario, noiseSeed, cutAt) => {
          const cut = Math.min(cutAt, scenario.days - 2);
          const original = build(scenario);
          const changed = build(scenario, { after: cut + 1, seed: noiseSeed });
          const options = {
            strategy: { type: 'decisions' as const },
            execution: 'next-close' as const,
            metrics: { bootstrap: false as const },
          };
          const before = runBacktestSync({ panel: original.panel, decisions: original.decisions, ...options });
          const after = runBacktestSync({ panel: changed.panel, decisions: changed.decisions, ...options });
          const early = (trades: typeof before.trades) =>
            trades.filter((trade) => indexOf(original.panel, trade.date) <= cut);
          expect(early(after.trades)).toEqual(early(before.trades));
          const start = indexOf(original.panel, before.dates[0] as string);
          for (let index = 0; index <= cut - start; index += 1) expect(after.equity[index]).toBe(before.equity[index]);
        },
      ),
      RUNS,
    );
  });

  it('top-k selections use only scores known at the rebalance bar', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.integer({ min: 0, max: 1_000_000 }), (scenario, scoreSeed) => {
        const { panel } = build({ ...scenario, assets: 3 });
        const rng = createRng(scoreSeed);
        const rows = panel.dates.flatMap((date) =>
          panel.tickers.map((ticker) => ({ date, ticker, score: rng.normal() })),
        );
        const cut = Math.floor(panel.dates.length / 2);
        const futureChanged = rows.map((row) =>
          row.date > (panel.dates[cut] as string) ? { ...row, score: -row.score } : row,
        );
        const options = {
          panel,
          strategy: { type: 'top-k' as const, k: 1, rebalance: 'daily' as const },
          feeBps: 10,
          metrics: { bootstrap: false as const },
        };
        const before = runBacktestSync({ ...options, decisions: rows });
        const after = runBacktestSync({ ...options, decisions: futureChanged });
        const upTo = (records: typeof before.rebalances) =>
          records.filter((record) => record.date <= (panel.dates[cut] as string));
        expect(upTo(after.rebalances)).toEqual(upTo(before.rebalances));
        expect(after.trades.filter((trade) => trade.date <= (panel.dates[cut + 1] as string))).toEqual(
          before.trades.filter((trade) => trade.date <= (panel.dates[cut + 1] as string)),
        );
      }),
      RUNS,
    );
  });
});
