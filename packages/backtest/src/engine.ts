import {
  DEFAULT_EXPOSURE,
  type Decision,
  decisionSignal,
  type ExposureMapping,
  finiteNumberSchema,
  isIsoDate,
  LONG_ONLY_EXPOSURE,
  parseWith,
  TradeR1Error,
  throwIfAborted,
} from '@trade-r1/core';
import { z } from 'zod';
import { DecisionLog, type DecisionLogRow, parseDecisionLog } from './decision-log.ts';
import { aShareProfileSchema, boardOf, CHINEXT_20_PERCENT_FROM, limitFractionOf } from './market-rules.ts';
import { computeMetrics, metricsOptionsSchema, type PerformanceMetrics } from './metrics/summary.ts';
import { lastIndexAtOrBefore, type PricePanel } from './panel.ts';
import {
  createBuyAndHoldPlanner,
  createDecisionPlanner,
  createTopKPlanner,
  type DecisionRecord,
  type PlacedRows,
  type RebalanceRecord,
} from './planners.ts';
import { type BlockedOrder, createSimulation, type Planner, type SimulationOutput, type Trade } from './simulate.ts';

const exposureMappingSchema = z.strictObject({
  STRONG_SELL: finiteNumberSchema,
  SELL: finiteNumberSchema,
  HOLD: finiteNumberSchema,
  BUY: finiteNumberSchema,
  STRONG_BUY: finiteNumberSchema,
});

/** Strategy: five-level decisions mapped to target exposures. */
export const decisionsStrategySchema = z.strictObject({
  type: z.literal('decisions'),
  /**
   * Decision → target exposure: `'default'` (core's DEFAULT_EXPOSURE: −1, −0.5, 0, 0.5, 1), `'long-only'`
   * (LONG_ONLY_EXPOSURE: sells go flat) or a custom mapping.
   * @default 'default'
   */
  exposure: z.union([z.enum(['default', 'long-only']), exposureMappingSchema]).default('default'),
  /** Bars to hold a position before closing it; absent = until the asset's next decision. */
  holdingPeriod: z.number().int().positive().optional(),
  /**
   * Fraction of equity per asset (the exposure is multiplied by it). Absent = `1 / (number of tickers in the
   * log)`, i.e. 1 for a single asset and equal sleeves for several.
   */
  allocation: z.number().finite().positive().optional(),
  /**
   * Trade a decision that repeats the standing target (resizing the drifted position back to it). `false` keeps
   * the position untouched and saves the fees.
   * @default false
   */
  resizeOnRepeat: z.boolean().default(false),
});

/** Strategy: cross-sectional top-k selection by score (Trade-R1's asset selection). */
export const topKStrategySchema = z.strictObject({
  type: z.literal('top-k'),
  /** Number of assets to hold. */
  k: z.number().int().positive(),
  /**
   * `'equal'`: each selected asset gets `grossExposure / k`; `'score'`: weights ∝ max(score, 0), summing to the
   * same total (equal when all selected scores are ≤ 0). Unfilled slots (fewer than k candidates) stay in cash.
   * @default 'equal'
   */
  weighting: z.enum(['equal', 'score']).default('equal'),
  /**
   * When to rebalance, with the information of that bar's close: `'decisions'` (every bar with new scores),
   * `'daily'`, `'weekly'` (the last bar of each ISO week), `'monthly'` (the last bar of each month) or
   * `{ everyBars: n }` (every n bars from the start).
   * @default 'decisions'
   */
  rebalance: z
    .union([
      z.enum(['decisions', 'daily', 'weekly', 'monthly']),
      z.strictObject({ everyBars: z.number().int().positive() }),
    ])
    .default('decisions'),
  /** Ignore scores older than this many bars at a rebalance; absent = scores never expire. */
  maxScoreAge: z.number().int().min(0).optional(),
  /** Total long weight when all k slots are filled. @default 1 */
  grossExposure: z.number().finite().positive().default(1),
  /**
   * A holding without a bar on a rebalance day (a halt): `'keep'` holds it with its latest score, `'sell'` drops it
   * from the ranking (it is sold at its next real bar).
   * @default 'keep'
   */
  unavailableHoldings: z.enum(['keep', 'sell']).default('keep'),
});

/** Options of {@link runBacktest}. */
export const backtestOptionsSchema = z.strictObject({
  /** Aligned prices (see `createPricePanel` / `alignPriceSeries`). */
  panel: z.custom<PricePanel>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      Array.isArray((value as PricePanel).dates) &&
      Array.isArray((value as PricePanel).tickers) &&
      Array.isArray((value as PricePanel).close),
    { message: 'expected a PricePanel from createPricePanel() or alignPriceSeries()' },
  ),
  /** The decision log: rows `{ date, ticker, decision?, score? }` or a parsed `DecisionLog`. */
  decisions: z.union([z.instanceof(DecisionLog), z.array(z.unknown())]),
  /** What to do with the decisions. */
  strategy: z.discriminatedUnion('type', [decisionsStrategySchema, topKStrategySchema]),
  /**
   * Where a decision dated t trades: `'next-open'` (the open of the first bar after t) or `'next-close'` (the
   * close of that bar). Never at t's close or earlier.
   * @default 'next-open'
   */
  execution: z.enum(['next-open', 'next-close']).default('next-open'),
  /**
   * Commission, in basis points of the traded notional, charged one-way (on buys and on sells). The default of
   * 10 bps stands for commission plus half the spread of a liquid US large cap; set 0 for the papers' frictionless
   * tables.
   * @default 10
   */
  feeBps: z.number().finite().min(0).max(10_000).default(10),
  /** Slippage in basis points: buys fill at `price · (1 + s)`, sells at `price · (1 − s)`. @default 0 */
  slippageBps: z.number().finite().min(0).max(10_000).default(0),
  /** Starting cash. @default 1000000 */
  initialCapital: z.number().finite().positive().default(1_000_000),
  /**
   * `'compound'`: a target weight is a fraction of current equity; `'fixed'`: of the initial capital (profits are
   * not reinvested, P&L is linear in the exposures).
   * @default 'compound'
   */
  sizing: z.enum(['compound', 'fixed']).default('compound'),
  /** Annual interest on positive cash, accrued per bar as `rate / periodsPerYear`. @default 0 */
  cashRate: z.number().finite().min(-1).default(0),
  /**
   * Annual borrow fee on the market value of short positions, accrued per bar.
   * @default 0
   */
  borrowRate: z.number().finite().min(0).default(0),
  /**
   * Annual interest charged on negative free cash (a levered long, or a short whose proceeds do not cover the
   * longs), accrued per bar. Absent = `cashRate` (you borrow at the rate you lend).
   */
  financingRate: z.number().finite().min(0).optional(),
  /** Annual rebate credited on short-sale proceeds (they earn no `cashRate`). @default 0 */
  shortRebateRate: z.number().finite().min(0).default(0),
  /** Cap on gross exposure `Σ|w|` after each fill; orders of a fill that would exceed it are scaled down. */
  maxGrossExposure: z.number().finite().positive().optional(),
  /**
   * Maintenance margin as a fraction of the gross market value: when equity falls below it at a close, every
   * position is sold there (`'margin-call'` trades) and the run stays in cash. 0 = no check.
   * @default 0
   */
  maintenanceMargin: z.number().finite().min(0).max(1).default(0),
  /**
   * Market rules by exchange: `'auto'` applies the China A-share profile to SSE/SZSE stock tickers (`.SH`, `.SS`,
   * `.SZ`; index codes excluded) and no extra rules to US tickers; `'none'` turns the profile off.
   * @default 'auto'
   */
  marketRules: z.enum(['auto', 'none']).default('auto'),
  /** Settings of the A-share profile (commission, minimum, lot size, shorting, ST names). */
  aShare: aShareProfileSchema.optional(),
  /**
   * An asset whose bars end before the panel's last date is delisted: `'exit'` sells the position at its last
   * close (times `1 + delistingReturns[ticker]` when given) and drops later orders; `'hold'` keeps it at its last
   * price (a ghost position, for comparison only).
   * @default 'exit'
   */
  delisting: z.enum(['exit', 'hold']).default('exit'),
  /** Delisting return per ticker (e.g. CRSP's DLRET), applied to the exit at the last close. */
  delistingReturns: z.record(z.string(), z.number().finite().min(-1)).optional(),
  /** First equity point (the last panel date on or before it). Absent = the bar of the first decision. */
  start: z.string().refine(isIsoDate, 'expected YYYY-MM-DD').optional(),
  /** Last equity point (the last panel date on or before it). Absent = the panel's last date. */
  end: z.string().refine(isIsoDate, 'expected YYYY-MM-DD').optional(),
  /**
   * Benchmark, traded with the same execution, costs and market rules: a ticker of the panel (bought with the
   * information of the start bar and held), `'buy-and-hold'` (every asset with a bar at the start, equal weights,
   * then held and left to drift), `'rebalanced-daily' | 'rebalanced-weekly' | 'rebalanced-monthly'` (equal weights
   * over the assets with a bar, restored on that schedule), or null for none. Absent = the traded ticker for a
   * single-ticker decision log, else none.
   */
  benchmark: z.union([z.string(), z.null()]).optional(),
  /** Metric settings (periods per year, risk-free rate and conversion, bootstrap). */
  metrics: metricsOptionsSchema
    .extend({
      /**
       * Periods per year for annualisation and the per-bar rates: a number (default 252), or `'calendar'` to use
       * the calendar actually traded, bars per year of the run's own dates (`(N − 1) · 365.25 / days spanned`),
       * e.g. for a union US + China calendar.
       */
      periodsPerYear: z.union([z.number().finite().positive(), z.literal('calendar')]).optional(),
    })
    .optional(),
  /**
   * Decisions dated before the panel's first date (no price was known when they were made): `'error'` throws
   * naming the row; `'ignore'` drops them and counts them in `result.staleDecisions`. (A decision dated within the
   * panel but before `start` is the standing decision at the start, as before.)
   * @default 'error'
   */
  staleDecisions: z.enum(['error', 'ignore']).default('error'),
  /** Decisions for tickers missing from the panel: `'error'` or `'ignore'`. @default 'error' */
  unknownTickers: z.enum(['error', 'ignore']).default('error'),
  /** Record end-of-day weights of every asset ever held (for the report). @default true */
  recordWeights: z.boolean().default(true),
  /** Cancels the run (checked every `progressEvery` bars). */
  signal: z.instanceof(AbortSignal).optional(),
  /** Progress callback, called every `progressEvery` bars and at the end. */
  onProgress: z.custom<(event: BacktestProgress) => void>((value) => typeof value === 'function').optional(),
  /** Bars between progress calls and abort checks. @default 256 */
  progressEvery: z.number().int().positive().default(256),
});
/** Options of {@link runBacktest}. */
export type BacktestOptions = z.input<typeof backtestOptionsSchema>;
type ResolvedOptions = z.output<typeof backtestOptionsSchema>;

/** A progress event of a running backtest. */
export interface BacktestProgress {
  /** `'strategy'` or `'benchmark'`. */
  phase: 'strategy' | 'benchmark';
  /** Bars simulated so far. */
  completed: number;
  /** Bars to simulate. */
  total: number;
}

/** A simulated equity curve with its activity and metrics. */
export interface SimulatedRun {
  /** Equity at each date of `dates` (N + 1 values; the first is the initial capital). */
  equity: Float64Array;
  /** Cash at each date. */
  cash: Float64Array;
  /** Simple returns per period (N values; period t runs from close t−1 to close t). */
  returns: Float64Array;
  /** Gross exposure `Σ|w|` held during each period. */
  grossExposure: Float64Array;
  /** Net exposure `Σw` held during each period. */
  netExposure: Float64Array;
  /** Traded notional / equity per period. */
  turnover: Float64Array;
  /** Fees and slippage paid per period. */
  costs: Float64Array;
  /** Every fill. */
  trades: Trade[];
  /** End-of-day weights per ticker ever held (N + 1 values each). */
  weights: Record<string, Float64Array>;
  /**
   * Orders the market rules did not fill as asked: limit-locked A-share prices (the order waited), refused
   * A-share shorts, fills scaled down by `maxGrossExposure`.
   */
  blocked: BlockedOrder[];
  /** Date on which equity reached zero, or null. */
  ruinedAt: string | null;
  /** Date of a margin call (`maintenanceMargin`), or null. */
  marginCallAt: string | null;
  /** The metrics of `returns`. */
  metrics: PerformanceMetrics;
}

/** The result of {@link runBacktest}. */
export interface BacktestResult extends SimulatedRun {
  /** Equity dates (N + 1): the start bar, then every bar of the run. */
  dates: string[];
  /** Per-decision outcome (five-level strategies; empty for top-k). */
  decisions: DecisionRecord[];
  /** Rebalances (top-k strategies; empty otherwise). */
  rebalances: RebalanceRecord[];
  /** Decision rows dropped as stale (`staleDecisions: 'ignore'`). */
  staleDecisions: number;
  /** The benchmark run on the same dates, or null. */
  benchmark: (SimulatedRun & { name: string }) | null;
  /** The resolved settings that produced this result (for the report). */
  settings: BacktestSettings;
}

/** The resolved, JSON-serialisable settings of a run. */
export interface BacktestSettings {
  strategy: z.output<typeof decisionsStrategySchema> | z.output<typeof topKStrategySchema>;
  execution: 'next-open' | 'next-close';
  feeBps: number;
  slippageBps: number;
  initialCapital: number;
  sizing: 'compound' | 'fixed';
  cashRate: number;
  borrowRate: number;
  periodsPerYear: number;
  riskFree: number;
  riskFreeConversion: 'simple' | 'geometric';
  start: string;
  end: string;
  benchmark: string | null;
}

interface Prepared {
  options: ResolvedOptions;
  panel: PricePanel;
  rows: PlacedRows;
  start: number;
  end: number;
  benchmark: string | null;
  metricsOptions: z.output<typeof metricsOptionsSchema>;
  market: {
    aShare?: z.output<typeof aShareProfileSchema>;
    aShareAssets?: Uint8Array;
    aShareLimit?: (asset: number, date: string) => number;
  };
  delistingReturns: Float64Array | undefined;
  stale: number;
}

const REBALANCED_BENCHMARKS = {
  'rebalanced-daily': 'daily',
  'rebalanced-weekly': 'weekly',
  'rebalanced-monthly': 'monthly',
} as const;
const NAMED_BENCHMARKS = new Set<string>(['buy-and-hold', ...Object.keys(REBALANCED_BENCHMARKS)]);

function marketRulesOf(options: ResolvedOptions, panel: PricePanel): Prepared['market'] {
  if (options.marketRules === 'none') return {};
  const aShareAssets = new Uint8Array(panel.tickers.length);
  const aShare = aShareProfileSchema.parse(options.aShare ?? {});
  const st = new Set(aShare.stTickers.map((ticker) => ticker.trim().toUpperCase()));
  // Per asset, the limit before and from ChiNext's switch date (equal for every other board): no per-fill lookup.
  const before = new Float64Array(panel.tickers.length);
  const after = new Float64Array(panel.tickers.length);
  let any = false;
  panel.tickers.forEach((ticker, asset) => {
    const board = boardOf(ticker);
    if (board === null || board === 'index') return;
    aShareAssets[asset] = 1;
    any = true;
    const isSt = st.has(ticker);
    before[asset] = limitFractionOf(ticker, '2000-01-01', isSt) ?? 0;
    after[asset] = limitFractionOf(ticker, CHINEXT_20_PERCENT_FROM, isSt) ?? 0;
  });
  if (!any) return {};
  return {
    aShare,
    aShareAssets,
    aShareLimit: (asset, date) =>
      date >= CHINEXT_20_PERCENT_FROM ? (after[asset] as number) : (before[asset] as number),
  };
}

/** Where each row of a decision log lands on a panel; cached per (log, panel) for parameter sweeps. */
interface Placement {
  /** Panel column per row, −1 for a ticker missing from the panel. */
  assets: Int32Array;
  /** Last panel bar on or before the row's date (−1 before the first bar). */
  bars: Int32Array;
  /** The row's score, or its decision's signal (−1…1) when it has no score. */
  scores: Float64Array;
  /** Rows whose ticker is not in the panel. */
  unknown: number;
  /** Rows without a decision. */
  withoutDecision: number;
}

const placements = new WeakMap<DecisionLog, WeakMap<PricePanel, Placement>>();

function placeLog(log: DecisionLog, panel: PricePanel): Placement {
  let byPanel = placements.get(log);
  const cached = byPanel?.get(panel);
  if (cached) return cached;
  const tickerIndex = new Map(panel.tickers.map((ticker, index) => [ticker, index]));
  const count = log.rows.length;
  const assets = new Int32Array(count);
  const bars = new Int32Array(count);
  const scores = new Float64Array(count);
  let unknown = 0;
  let withoutDecision = 0;
  let cachedDate = '';
  let cachedBar = -1;
  log.rows.forEach((row, position) => {
    const asset = tickerIndex.get(row.ticker) ?? -1;
    if (asset < 0) unknown += 1;
    assets[position] = asset;
    // Rows are sorted by date: one binary search per distinct date.
    if (row.date !== cachedDate) {
      cachedDate = row.date;
      cachedBar = lastIndexAtOrBefore(panel.dates, row.date);
    }
    bars[position] = cachedBar;
    if (row.decision === undefined) withoutDecision += 1;
    scores[position] = row.score ?? decisionSignal(row.decision as Decision);
  });
  const placement = { assets, bars, scores, unknown, withoutDecision };
  if (!byPanel) {
    byPanel = new WeakMap();
    placements.set(log, byPanel);
  }
  byPanel.set(panel, placement);
  return placement;
}

function prepare(input: BacktestOptions): Prepared {
  const options = parseWith(backtestOptionsSchema, input, { code: 'INVALID_CONFIG', label: 'runBacktest() options' });
  const panel = options.panel;
  if (panel.dates.length < 2) {
    throw new TradeR1Error('INSUFFICIENT_DATA', `The panel has ${panel.dates.length} dates; a backtest needs 2+`);
  }
  const log = parseDecisionLog(options.decisions as unknown[] | DecisionLog);
  const placement = placeLog(log, panel);
  const strategy = options.strategy;
  const describeRow = (row: DecisionLogRow): string =>
    `decision log row ${row.index}${row.line === undefined ? '' : ` (line ${row.line})`}`;
  let usableRows: readonly DecisionLogRow[] = log.rows;
  let usableAssets = placement.assets;
  let usableBars = placement.bars;
  let usableScores = placement.scores;
  if (placement.unknown > 0) {
    const keep: number[] = [];
    placement.assets.forEach((asset, position) => {
      if (asset >= 0) {
        keep.push(position);
        return;
      }
      const row = log.rows[position] as DecisionLogRow;
      if (options.unknownTickers === 'ignore') return;
      throw new TradeR1Error('NOT_FOUND', `${describeRow(row)}: ticker ${row.ticker} is not in the price panel`, {
        details: { row: row.index, line: row.line, ticker: row.ticker },
      });
    });
    usableRows = keep.map((position) => log.rows[position] as DecisionLogRow);
    usableAssets = Int32Array.from(keep, (position) => placement.assets[position] as number);
    usableBars = Int32Array.from(keep, (position) => placement.bars[position] as number);
    usableScores = Float64Array.from(keep, (position) => placement.scores[position] as number);
  }
  let stale = 0;
  if (usableBars.some((bar) => bar < 0)) {
    const keep: number[] = [];
    usableBars.forEach((bar, position) => {
      if (bar >= 0) {
        keep.push(position);
        return;
      }
      const row = usableRows[position] as DecisionLogRow;
      if (options.staleDecisions === 'ignore') {
        stale += 1;
        return;
      }
      throw new TradeR1Error(
        'INVALID_INPUT',
        `${describeRow(row)} is dated ${row.date}, before the first price (${panel.dates[0]}): a stale decision; pass staleDecisions: 'ignore' to drop such rows`,
        { details: { field: 'decisions', row: row.index, line: row.line, date: row.date } },
      );
    });
    usableRows = keep.map((position) => usableRows[position] as DecisionLogRow);
    usableAssets = Int32Array.from(keep, (position) => usableAssets[position] as number);
    usableBars = Int32Array.from(keep, (position) => usableBars[position] as number);
    usableScores = Float64Array.from(keep, (position) => usableScores[position] as number);
  }
  if (strategy.type === 'decisions' && placement.withoutDecision > 0) {
    const row = usableRows.find((candidate) => candidate.decision === undefined);
    if (row) {
      throw new TradeR1Error(
        'INVALID_INPUT',
        `${describeRow(row)} has a score but no decision; a 'decisions' strategy needs one`,
        { details: { row: row.index, line: row.line } },
      );
    }
  }
  const firstDecision = usableRows[0]?.date;
  const tickerIndex = new Map(panel.tickers.map((ticker, index) => [ticker, index]));
  let start = 0;
  if (options.start !== undefined) start = Math.max(0, lastIndexAtOrBefore(panel.dates, options.start));
  else if (firstDecision !== undefined) start = Math.max(0, lastIndexAtOrBefore(panel.dates, firstDecision));
  const end = options.end === undefined ? panel.dates.length - 1 : lastIndexAtOrBefore(panel.dates, options.end);
  // Rows are sorted by date: the first row has the earliest bar.
  if (usableBars.length > 0 && (usableBars[0] as number) >= end) {
    throw new TradeR1Error(
      'INSUFFICIENT_DATA',
      `Every decision is dated on or after the run's last bar (${panel.dates[end]}, first decision ${usableRows[0]?.date}): a decision trades at the next bar, so none can execute; extend the prices past the decisions`,
      { details: { field: 'decisions', lastBar: panel.dates[end], firstDecision: usableRows[0]?.date } },
    );
  }
  if (end <= start) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `The run needs at least one bar after its start: start ${panel.dates[start]}, end ${panel.dates[end] ?? options.end}`,
      { details: { start: panel.dates[start], end: options.end ?? null } },
    );
  }
  // A row knows the close of the last bar on or before its date; a decision dated before the start is the standing
  // decision at the start.
  const known = new Int32Array(usableBars.length);
  for (let position = 0; position < known.length; position += 1) {
    known[position] = Math.max(start, usableBars[position] as number);
  }
  const rows: PlacedRows = { rows: usableRows, asset: usableAssets, known, score: usableScores };
  let benchmark: string | null;
  if (options.benchmark !== undefined) benchmark = options.benchmark;
  else {
    const tickers = new Set(usableAssets);
    benchmark =
      strategy.type === 'decisions' && tickers.size === 1 ? (panel.tickers[usableAssets[0] as number] as string) : null;
  }
  if (benchmark === 'equal-weight') {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `benchmark 'equal-weight' was renamed: use 'buy-and-hold' (equal weights at the start, held) or 'rebalanced-monthly' (or -weekly, -daily)`,
      { details: { field: 'benchmark', benchmark } },
    );
  }
  const named = benchmark !== null && NAMED_BENCHMARKS.has(benchmark);
  if (benchmark !== null && !named && !tickerIndex.has(benchmark.trim().toUpperCase())) {
    throw new TradeR1Error('NOT_FOUND', `Benchmark ticker ${benchmark} is not in the price panel`, {
      details: { field: 'benchmark', benchmark },
    });
  }
  if (benchmark !== null && !named) benchmark = benchmark.trim().toUpperCase();
  let periodsPerYear = options.metrics?.periodsPerYear;
  if (periodsPerYear === 'calendar') {
    const span =
      (Date.parse(`${panel.dates[end]}T00:00:00Z`) - Date.parse(`${panel.dates[start]}T00:00:00Z`)) / 86_400_000;
    periodsPerYear = ((end - start) * 365.25) / Math.max(span, 1);
  }
  const metricsOptions = metricsOptionsSchema.parse({
    ...options.metrics,
    ...(periodsPerYear === undefined ? {} : { periodsPerYear }),
  });
  let delistingReturns: Float64Array | undefined;
  if (options.delistingReturns) {
    delistingReturns = new Float64Array(panel.tickers.length).fill(Number.NaN);
    for (const [ticker, value] of Object.entries(options.delistingReturns)) {
      const asset = tickerIndex.get(ticker.trim().toUpperCase());
      if (asset === undefined) {
        throw new TradeR1Error('NOT_FOUND', `delistingReturns names ${ticker}, which is not in the price panel`, {
          details: { field: `delistingReturns.${ticker}` },
        });
      }
      delistingReturns[asset] = value;
    }
  }
  const market = marketRulesOf(options, panel);
  return { options, panel, rows, start, end, benchmark, metricsOptions, market, delistingReturns, stale };
}

function simulationSettings(prepared: Prepared, planner: Planner, phase: BacktestProgress['phase']) {
  const { options, panel, start, end, metricsOptions } = prepared;
  const onProgress = options.onProgress;
  return {
    panel,
    start,
    end,
    execution: options.execution,
    feeRate: options.feeBps / 10_000,
    slippageRate: options.slippageBps / 10_000,
    initialCapital: options.initialCapital,
    sizing: options.sizing,
    cashRatePerBar: options.cashRate / metricsOptions.periodsPerYear,
    borrowRatePerBar: options.borrowRate / metricsOptions.periodsPerYear,
    financingRatePerBar: (options.financingRate ?? options.cashRate) / metricsOptions.periodsPerYear,
    shortRebateRatePerBar: options.shortRebateRate / metricsOptions.periodsPerYear,
    maxGrossExposure: options.maxGrossExposure ?? Number.POSITIVE_INFINITY,
    maintenanceMargin: options.maintenanceMargin,
    delisting: options.delisting,
    delistingReturns: prepared.delistingReturns,
    ...prepared.market,
    recordWeights: options.recordWeights,
    planner,
    signal: options.signal,
    onBar: onProgress ? (completed: number, total: number) => onProgress({ phase, completed, total }) : undefined,
    chunk: options.progressEvery,
  };
}

function toRun(
  prepared: Prepared,
  output: SimulationOutput,
  actions?: { actions: number[]; actionReturns: number[] },
): SimulatedRun {
  const weights: Record<string, Float64Array> = {};
  output.weights.forEach((series, asset) => {
    if (series) weights[prepared.panel.tickers[asset] as string] = series;
  });
  const metrics = computeMetrics(
    {
      returns: output.returns,
      grossExposure: output.grossExposure,
      netExposure: output.netExposure,
      turnover: output.turnover,
      ...(actions && actions.actions.length > 0 ? actions : {}),
    },
    prepared.metricsOptions,
  );
  return {
    equity: output.equity,
    cash: output.cash,
    returns: output.returns,
    grossExposure: output.grossExposure,
    netExposure: output.netExposure,
    turnover: output.turnover,
    costs: output.costs,
    trades: output.trades,
    weights,
    blocked: output.blocked,
    ruinedAt: output.ruinedAt === null ? null : (prepared.panel.dates[output.ruinedAt] as string),
    marginCallAt: output.marginCallAt === null ? null : (prepared.panel.dates[output.marginCallAt] as string),
    metrics,
  };
}

function benchmarkPlanner(prepared: Prepared): Planner | null {
  const { benchmark, panel, start } = prepared;
  if (benchmark === null) return null;
  const weights = new Map<number, number>();
  const live = panel.tickers.map((_, asset) => asset).filter((asset) => panel.available[asset]?.[start] === 1);
  const schedule = REBALANCED_BENCHMARKS[benchmark as keyof typeof REBALANCED_BENCHMARKS];
  if (schedule !== undefined) {
    // Every asset gets the same score once, at the start: top-k with k = all assets is equal weight, restored on
    // the schedule over the assets with a bar that day.
    const count = panel.tickers.length;
    const rows: PlacedRows = {
      rows: [],
      asset: Int32Array.from({ length: count }, (_, asset) => asset),
      known: new Int32Array(count).fill(start),
      score: new Float64Array(count).fill(1),
    };
    const rebalance = createTopKPlanner({
      panel,
      rows,
      start,
      end: prepared.end,
      k: count,
      weighting: 'equal',
      rebalance: schedule,
      maxScoreAge: undefined,
      grossExposure: 1,
      keepUnavailable: true,
    }).planner;
    const initial = createBuyAndHoldPlanner(start, new Map(live.map((asset) => [asset, 1 / live.length])));
    return (known, place) => {
      initial(known, place);
      rebalance(known, place);
    };
  }
  if (benchmark === 'buy-and-hold') {
    for (const asset of live) weights.set(asset, 1 / live.length);
  } else {
    weights.set(panel.tickers.indexOf(benchmark), 1);
  }
  return createBuyAndHoldPlanner(start, weights);
}

interface Job {
  prepared: Prepared;
  strategy: ReturnType<typeof createSimulation>;
  bench: ReturnType<typeof createSimulation> | null;
  records: DecisionRecord[];
  rebalances: RebalanceRecord[];
  finishRecords: () => void;
}

function createJob(input: BacktestOptions): Job {
  const prepared = prepare(input);
  const { options, panel, rows, start, end } = prepared;
  const strategy = options.strategy;
  let planner: Planner;
  let records: DecisionRecord[] = [];
  let rebalances: RebalanceRecord[] = [];
  let finishRecords = (): void => {};
  if (strategy.type === 'decisions') {
    const exposure: ExposureMapping =
      strategy.exposure === 'default'
        ? DEFAULT_EXPOSURE
        : strategy.exposure === 'long-only'
          ? LONG_ONLY_EXPOSURE
          : strategy.exposure;
    const tickers = new Set(rows.asset);
    const created = createDecisionPlanner({
      panel,
      rows,
      start,
      end,
      exposure,
      allocation: strategy.allocation ?? 1 / Math.max(1, tickers.size),
      holdingPeriod: strategy.holdingPeriod,
      resizeOnRepeat: strategy.resizeOnRepeat,
      execution: options.execution,
    });
    planner = created.planner;
    records = created.records;
    finishRecords = created.finishRecords;
  } else {
    const created = createTopKPlanner({
      panel,
      rows,
      start,
      end,
      k: strategy.k,
      weighting: strategy.weighting,
      rebalance: strategy.rebalance,
      maxScoreAge: strategy.maxScoreAge,
      grossExposure: strategy.grossExposure,
      keepUnavailable: strategy.unavailableHoldings === 'keep',
    });
    planner = created.planner;
    rebalances = created.rebalances;
  }
  const benchPlanner = benchmarkPlanner(prepared);
  return {
    prepared,
    strategy: createSimulation(simulationSettings(prepared, planner, 'strategy')),
    // The benchmark's per-asset weights are never reported: skip recording them (an equal-weight basket would
    // otherwise store a series per asset).
    bench: benchPlanner
      ? createSimulation({ ...simulationSettings(prepared, benchPlanner, 'benchmark'), recordWeights: false })
      : null,
    records,
    rebalances,
    finishRecords,
  };
}

function finishJob(job: Job): BacktestResult {
  const { prepared } = job;
  const { options, panel, start, end, metricsOptions } = prepared;
  job.finishRecords();
  const counted = job.records.filter((record) => record.assetReturn !== null);
  const actions = {
    actions: counted.map((record) => record.action),
    actionReturns: counted.map((record) => record.assetReturn as number),
  };
  const run = toRun(prepared, job.strategy.output(), actions);
  const benchmark = job.bench ? { name: prepared.benchmark as string, ...toRun(prepared, job.bench.output()) } : null;
  return {
    ...run,
    dates: panel.dates.slice(start, end + 1),
    decisions: job.records,
    rebalances: job.rebalances,
    staleDecisions: prepared.stale,
    benchmark,
    settings: {
      strategy: options.strategy,
      execution: options.execution,
      feeBps: options.feeBps,
      slippageBps: options.slippageBps,
      initialCapital: options.initialCapital,
      sizing: options.sizing,
      cashRate: options.cashRate,
      borrowRate: options.borrowRate,
      periodsPerYear: metricsOptions.periodsPerYear,
      riskFree: metricsOptions.riskFree,
      riskFreeConversion: metricsOptions.riskFreeConversion,
      start: panel.dates[start] as string,
      end: panel.dates[end] as string,
      benchmark: prepared.benchmark,
    },
  };
}

/**
 * Run a backtest synchronously. Same as {@link runBacktest}, but an `AbortSignal` is only seen if it fires from
 * inside `onProgress` or before the call (nothing else can run while it computes).
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options, `INVALID_INPUT`/`NOT_FOUND` for bad decision rows
 *   (naming the row), `ABORTED` when cancelled.
 */
export function runBacktestSync(options: BacktestOptions): BacktestResult {
  const job = createJob(options);
  const { end } = job.prepared;
  throwIfAborted(job.prepared.options.signal);
  job.strategy.advance(end);
  job.bench?.advance(end);
  return finishJob(job);
}

const yieldToEventLoop = (): Promise<void> =>
  new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });

/**
 * Backtest a decision log over a price panel: the strategy (five-level decisions or top-k selection), its
 * benchmark, and every metric. Decisions dated t trade at the open (or close) of the first bar after t; fees
 * are on by default (10 bps one-way). Between chunks of `progressEvery` bars it reports progress and, when a
 * `signal` or `onProgress` is given, yields to the event loop so that an abort can land.
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options, `INVALID_INPUT`/`NOT_FOUND` for bad decision rows
 *   (naming the row), `ABORTED` when cancelled.
 */
export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  const job = createJob(options);
  const { end, start, options: resolved } = job.prepared;
  const cooperative = resolved.signal !== undefined || resolved.onProgress !== undefined;
  for (const simulation of job.bench ? [job.strategy, job.bench] : [job.strategy]) {
    for (let bar = start + resolved.progressEvery; ; bar += resolved.progressEvery) {
      throwIfAborted(resolved.signal);
      simulation.advance(Math.min(bar, end));
      if (simulation.next > end) break;
      if (cooperative) await yieldToEventLoop();
    }
  }
  throwIfAborted(resolved.signal);
  return finishJob(job);
}

/** An event of {@link streamBacktest}: progress while simulating, then the result. */
export type BacktestEvent = ({ type: 'progress' } & BacktestProgress) | { type: 'result'; result: BacktestResult };

/**
 * The backtest as an `AsyncIterable` of events: a `progress` event after every `progressEvery` bars of the
 * strategy and then of the benchmark, and one final `result` event. Between events the consumer controls the
 * pace; breaking out of the loop stops the work. Honours `signal` between chunks.
 * @throws {TradeR1Error} as {@link runBacktest}.
 */
export async function* streamBacktest(options: BacktestOptions): AsyncGenerator<BacktestEvent, void, undefined> {
  const job = createJob(options);
  const { end, start, options: resolved } = job.prepared;
  const phases: [BacktestProgress['phase'], ReturnType<typeof createSimulation>][] = [['strategy', job.strategy]];
  if (job.bench) phases.push(['benchmark', job.bench]);
  for (const [phase, simulation] of phases) {
    for (let bar = start + resolved.progressEvery; ; bar += resolved.progressEvery) {
      throwIfAborted(resolved.signal);
      simulation.advance(Math.min(bar, end));
      yield { type: 'progress', phase, completed: simulation.next - start - 1, total: end - start };
      if (simulation.next > end) break;
    }
  }
  throwIfAborted(resolved.signal);
  yield { type: 'result', result: finishJob(job) };
}
