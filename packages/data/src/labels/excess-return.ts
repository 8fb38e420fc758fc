import { type Bar, parsePriceSeries, parseWith } from '@trade-r1/core';
import { z } from 'zod';

/** One forward excess-return observation. */
export interface ExcessReturnPoint {
  /** Decision date `t` (a date both series have). */
  date: string;
  /** Date `t+h` of the exit close (h bars later on the common calendar), `null` past the data. */
  exitDate: string | null;
  /** Asset return from close(t) to close(t+h). */
  assetReturn: number | null;
  /** Benchmark return over the same dates. */
  benchmarkReturn: number | null;
  /** `assetReturn − benchmarkReturn`. */
  excessReturn: number | null;
}

/** Options for {@link forwardExcessReturns}. */
export interface ForwardExcessReturnOptions {
  /** Bars of the asset, ascending. */
  bars: readonly Bar[];
  /** Bars of the benchmark (an index or ETF, e.g. SPY or 000300.SH), ascending. */
  benchmark: readonly Bar[];
  /** Horizon h in trading days of the common calendar (Trade-R1 rewards use 10). @default 10 */
  horizon?: number;
  /** `'simple'`: `P_{t+h}/P_t − 1`; `'log'`: `ln(P_{t+h}/P_t)`. @default 'simple' */
  kind?: 'simple' | 'log';
}

const optionsSchema = z.object({
  bars: z.array(z.unknown()),
  benchmark: z.array(z.unknown()),
  horizon: z.number().int().positive().optional(),
  kind: z.enum(['simple', 'log']).optional(),
});

/**
 * Forward excess return over a benchmark for horizon h: for each date t that both series trade,
 * `r_asset(t→t+h) − r_bench(t→t+h)` from closes, where t+h is h dates later on the dates both series share (a
 * date only one of them trades is skipped). The value at t uses closes after t by construction: it is an
 * outcome to score a decision made at t, never an input to it.
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options, `INVALID_SERIES` for bad bars.
 */
export function forwardExcessReturns(options: ForwardExcessReturnOptions): ExcessReturnPoint[] {
  parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'forward excess return options' });
  const asset = parsePriceSeries(options.bars, { series: 'bars' });
  const benchmark = parsePriceSeries(options.benchmark, { series: 'benchmark' });
  const horizon = options.horizon ?? 10;
  const transform = options.kind === 'log' ? (ratio: number) => Math.log(ratio) : (ratio: number) => ratio - 1;
  const benchmarkClose = new Map(benchmark.map((bar) => [bar.timestamp, bar.close]));
  const common: Array<{ date: string; asset: number; benchmark: number }> = [];
  for (const bar of asset) {
    const close = benchmarkClose.get(bar.timestamp);
    if (close !== undefined) common.push({ date: bar.timestamp, asset: bar.close, benchmark: close });
  }
  return common.map((entry, index) => {
    const exit = common[index + horizon];
    if (!exit)
      return { date: entry.date, exitDate: null, assetReturn: null, benchmarkReturn: null, excessReturn: null };
    const assetReturn = transform(exit.asset / entry.asset);
    const benchmarkReturn = transform(exit.benchmark / entry.benchmark);
    return {
      date: entry.date,
      exitDate: exit.date,
      assetReturn,
      benchmarkReturn,
      excessReturn: assetReturn - benchmarkReturn,
    };
  });
}
