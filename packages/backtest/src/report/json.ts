import type { BacktestResult, BacktestSettings, SimulatedRun } from '../engine.ts';
import type { PerformanceMetrics } from '../metrics/summary.ts';
import type { DecisionRecord, RebalanceRecord } from '../planners.ts';
import type { Trade } from '../simulate.ts';
import { assertBacktestResult } from '../validate.ts';

/** JSON-safe numbers: NaN and ±Infinity become null. */
export type JsonNumber = number | null;

/** A run in the JSON report. */
export interface RunReport {
  /** Metrics (NaN as null). */
  metrics: Record<string, unknown>;
  /** Equity per date. */
  equity: JsonNumber[];
  /** Drawdown per date, `1 − V_t / max V`. */
  drawdown: JsonNumber[];
  /** Returns per period (dates[1..]). */
  returns: JsonNumber[];
  /** Gross and net exposure per period. */
  exposure: { gross: JsonNumber[]; net: JsonNumber[] };
  /** Turnover and costs per period. */
  turnover: JsonNumber[];
  /** Fees and slippage per period. */
  costs: JsonNumber[];
  /** End-of-day weights per ticker ever held. */
  positions: Record<string, JsonNumber[]>;
  /** Fills. */
  trades: Trade[];
  /** Date on which equity reached zero, or null. */
  ruinedAt: string | null;
}

/** The JSON report of a backtest (see {@link toReportJson}). */
export interface BacktestReportJson {
  /** Format version of this document. */
  version: 1;
  /** The settings that produced it. */
  settings: BacktestSettings;
  /** Equity dates (N + 1). */
  dates: string[];
  /** The strategy. */
  strategy: RunReport;
  /** The benchmark, or null. */
  benchmark: (RunReport & { name: string }) | null;
  /** Per-decision outcomes. */
  decisions: DecisionRecord[];
  /** Top-k rebalances. */
  rebalances: RebalanceRecord[];
}

function clean(value: number): JsonNumber {
  return Number.isFinite(value) ? value : null;
}

function list(values: ArrayLike<number>): JsonNumber[] {
  return Array.from(values, clean);
}

function cleanDeep(value: unknown): unknown {
  if (typeof value === 'number') return clean(value);
  if (Array.isArray(value)) return value.map(cleanDeep);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, cleanDeep(entry)]));
  }
  return value;
}

function drawdowns(equity: ArrayLike<number>): Float64Array {
  const result = new Float64Array(equity.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < equity.length; index += 1) {
    const value = equity[index] as number;
    if (value > peak) peak = value;
    result[index] = peak > 0 ? 1 - value / peak : 0;
  }
  return result;
}

function runReport(run: SimulatedRun): RunReport {
  return {
    metrics: cleanDeep(run.metrics as PerformanceMetrics) as Record<string, unknown>,
    equity: list(run.equity),
    drawdown: list(drawdowns(run.equity)),
    returns: list(run.returns),
    exposure: { gross: list(run.grossExposure), net: list(run.netExposure) },
    turnover: list(run.turnover),
    costs: list(run.costs),
    positions: Object.fromEntries(Object.entries(run.weights).map(([ticker, series]) => [ticker, list(series)])),
    trades: run.trades,
    ruinedAt: run.ruinedAt,
  };
}

/**
 * A JSON-serialisable report of a backtest: settings, metrics, equity, drawdown, exposures, positions, trades,
 * decisions and rebalances, for the strategy and its benchmark. Typed arrays become arrays; NaN becomes null.
 */
export function toReportJson(result: BacktestResult): BacktestReportJson {
  assertBacktestResult(result, 'toReportJson');
  return {
    version: 1,
    settings: result.settings,
    dates: result.dates.slice(),
    strategy: runReport(result),
    benchmark: result.benchmark ? { name: result.benchmark.name, ...runReport(result.benchmark) } : null,
    decisions: cleanDeep(result.decisions) as DecisionRecord[],
    rebalances: cleanDeep(result.rebalances) as RebalanceRecord[],
  };
}
