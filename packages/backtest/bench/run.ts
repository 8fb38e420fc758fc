/**
 * Benchmarks of @trade-r1/backtest (not tests). Writes bench-results/top-k-weekly.json and
 * bench-results/single-asset.json. Run with `pnpm --filter @trade-r1/backtest bench`.
 *
 * Prices are a seeded random walk (core's createRng), so every run simulates the same market.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRng, DECISIONS } from '@trade-r1/core';
import { createPricePanel, type PricePanel, parseDecisionLog, runBacktestSync } from '../src/index.ts';

const resultsDirectory = new URL('../bench-results/', import.meta.url);

function weekdays(first: string, count: number): string[] {
  const dates: string[] = [];
  let time = Date.parse(`${first}T00:00:00Z`);
  while (dates.length < count) {
    const day = new Date(time).getUTCDay();
    if (day !== 0 && day !== 6) dates.push(new Date(time).toISOString().slice(0, 10));
    time += 86_400_000;
  }
  return dates;
}

function randomWalkPanel(assets: number, days: number, seed: number): PricePanel {
  const rng = createRng(seed);
  const dates = weekdays('2015-01-01', days);
  const tickers = Array.from({ length: assets }, (_, index) => `S${String(index).padStart(4, '0')}`);
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  for (let asset = 0; asset < assets; asset += 1) {
    const opens = new Float64Array(days);
    const closes = new Float64Array(days);
    let last = 20 + 200 * rng.next();
    const drift = 0.0002 * rng.normal();
    for (let day = 0; day < days; day += 1) {
      opens[day] = last * Math.exp(0.004 * rng.normal());
      closes[day] = (opens[day] as number) * Math.exp(drift + 0.018 * rng.normal());
      last = closes[day] as number;
      // About one halted day per asset-year.
      if (day > 0 && rng.next() < 0.004) {
        opens[day] = Number.NaN;
        closes[day] = Number.NaN;
      }
    }
    open.push(opens);
    close.push(closes);
  }
  return createPricePanel({ dates, tickers, open, close });
}

/** One timing: wall-clock and process CPU time (user + system) of a single call. */
interface Timing {
  /** Median wall-clock milliseconds. */
  medianWallMs: number;
  /** Median CPU milliseconds of this process: robust to other processes on a shared machine. */
  medianCpuMs: number;
  /** Fastest wall-clock milliseconds. */
  minWallMs: number;
  /** Every wall-clock sample. */
  wallSamplesMs: number[];
  /** Every CPU sample. */
  cpuSamplesMs: number[];
}

function median(values: number[]): number {
  const sorted = values.slice().sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function measure(run: () => void, iterations: number): Timing {
  for (let warmup = 0; warmup < 3; warmup += 1) run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let iteration = 0; iteration < iterations; iteration += 1) {
    const cpuBefore = process.cpuUsage();
    const begin = process.hrtime.bigint();
    run();
    wall.push(Number(process.hrtime.bigint() - begin) / 1e6);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }
  return {
    medianWallMs: median(wall),
    medianCpuMs: median(cpu),
    minWallMs: Math.min(...wall),
    wallSamplesMs: wall,
    cpuSamplesMs: cpu,
  };
}

/** Asset-days per second from the median CPU time (the single-core throughput) and from the median wall time. */
function throughput(assetDays: number, timing: Timing) {
  return {
    assetDaysPerCpuSecond: Math.round(assetDays / (timing.medianCpuMs / 1000)),
    assetDaysPerWallSecond: Math.round(assetDays / (timing.medianWallMs / 1000)),
  };
}

const environment = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  platform: `${process.platform}-${process.arch}`,
  measuredAt: new Date().toISOString(),
  cores: cpus().length,
  loadAverageAtStart: loadavg().map((value) => Number(value.toFixed(2))),
  note:
    'single thread; medians of the timed iterations after 3 warm-up runs. CPU time is process user+system time, ' +
    'the better measure when other processes share the machine (wall time then includes waiting for a core).',
};

function topKWeekly() {
  const assets = 500;
  const days = 2520;
  const panel = randomWalkPanel(assets, days, 1);
  const rng = createRng(2);
  // One score per asset every Friday-ish bar (every 5th bar): 504 × 500 = 252,000 rows.
  const rows: { date: string; ticker: string; score: number }[] = [];
  for (let day = 0; day < days; day += 5) {
    for (const ticker of panel.tickers) rows.push({ date: panel.dates[day] as string, ticker, score: rng.normal() });
  }
  let log = parseDecisionLog(rows);
  const parse = measure(() => {
    log = parseDecisionLog(rows);
  }, 3);
  const options = {
    panel,
    decisions: log,
    strategy: { type: 'top-k' as const, k: 50, rebalance: 'weekly' as const },
    feeBps: 10,
    benchmark: 'buy-and-hold',
  };
  let trades = 0;
  const full = measure(() => {
    trades = runBacktestSync(options).trades.length;
  }, 15);
  const engineOnly = measure(() => {
    runBacktestSync({ ...options, benchmark: null, metrics: { bootstrap: false }, recordWeights: false });
  }, 15);
  // The same market under SSE tickers (600000.SH …): the A-share profile is on (limits, lots, stamp duty, minimum
  // commission, no shorts). Measured in the same run as the US-ticker engine above, its peer.
  const aShareTicker = (ticker: string) => `${600000 + Number(ticker.slice(1))}.SH`;
  const aSharePanel = createPricePanel({
    dates: panel.dates,
    tickers: panel.tickers.map(aShareTicker),
    open: panel.open,
    close: panel.close,
    available: panel.available,
  });
  const aShareLog = parseDecisionLog(rows.map((row) => ({ ...row, ticker: aShareTicker(row.ticker) })));
  let aShareBlocked = 0;
  let aShareTrades = 0;
  const aShareEngine = measure(() => {
    const run = runBacktestSync({
      ...options,
      panel: aSharePanel,
      decisions: aShareLog,
      benchmark: null,
      metrics: { bootstrap: false },
      recordWeights: false,
    });
    aShareBlocked = run.blocked.length;
    aShareTrades = run.trades.length;
  }, 15);
  const assetDays = assets * days;
  return {
    name: 'top-k weekly rebalance, 500 assets × 2,520 days',
    setup: {
      assets,
      days,
      k: 50,
      rebalance: 'weekly',
      weighting: 'equal',
      feeBps: 10,
      scoreRows: rows.length,
      haltedCells: panel.available.reduce((sum, mask) => sum + mask.length - mask.reduce((a, b) => a + b, 0), 0),
      trades,
    },
    assetDays,
    engine: {
      description: 'strategy only: no benchmark, no bootstrap, no weight recording (pre-validated DecisionLog)',
      ...engineOnly,
      ...throughput(assetDays, engineOnly),
    },
    aShareEngine: {
      description:
        'engine as above on SSE tickers with the China A-share profile on (price limits, 100-share lots, stamp duty, minimum commission, no shorts)',
      trades: aShareTrades,
      blockedOrders: aShareBlocked,
      ...aShareEngine,
      ...throughput(assetDays, aShareEngine),
      cpuRatioToUsEngine: Number((aShareEngine.medianCpuMs / engineOnly.medianCpuMs).toFixed(3)),
    },
    full: {
      description:
        'strategy + buy-and-hold benchmark (two simulations), every metric incl. 1,000-sample bootstrap, weights recorded',
      ...full,
      ...throughput(assetDays, full),
    },
    decisionLogValidation: {
      description: 'parseDecisionLog (zod) on the 252,000 score rows',
      ...parse,
      rowsPerCpuSecond: Math.round(rows.length / (parse.medianCpuMs / 1000)),
    },
    targetAssetDaysPerSecond: 20_000_000,
  };
}

function singleAsset() {
  const days = 2520;
  const panel = randomWalkPanel(1, days, 3);
  const rng = createRng(4);
  const ticker = panel.tickers[0] as string;
  const rows = panel.dates.map((date) => ({ date, ticker, decision: DECISIONS[rng.int(0, 4)] as string }));
  const log = parseDecisionLog(rows);
  let trades = 0;
  const full = measure(() => {
    trades = runBacktestSync({ panel, decisions: log, strategy: { type: 'decisions' } }).trades.length;
  }, 25);
  const engineOnly = measure(() => {
    runBacktestSync({
      panel,
      decisions: log,
      strategy: { type: 'decisions' },
      benchmark: null,
      metrics: { bootstrap: false },
    });
  }, 25);
  return {
    name: 'single asset, 10 years of daily five-level decisions',
    setup: { assets: 1, days, decisions: rows.length, feeBps: 10, trades },
    assetDays: days,
    engine: {
      description: 'strategy only: no benchmark, no bootstrap',
      ...engineOnly,
      ...throughput(days, engineOnly),
    },
    full: {
      description: 'strategy + buy-and-hold benchmark, every metric incl. 1,000-sample bootstrap',
      ...full,
      ...throughput(days, full),
    },
  };
}

mkdirSync(resultsDirectory, { recursive: true });
for (const [file, run] of [
  ['top-k-weekly.json', topKWeekly],
  ['single-asset.json', singleAsset],
] as const) {
  const result = { ...run(), environment };
  writeFileSync(new URL(file, resultsDirectory), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `${result.name}: engine ${result.engine.medianCpuMs.toFixed(1)} ms CPU / ${result.engine.medianWallMs.toFixed(1)} ms wall ` +
      `(${(result.engine.assetDaysPerCpuSecond / 1e6).toFixed(2)} M asset-days per CPU second), ` +
      `full ${result.full.medianCpuMs.toFixed(1)} ms CPU`,
  );
}
