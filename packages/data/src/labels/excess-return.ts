import { type Bar, parsePriceSeries, parseWith } from '@trade-r1/core';
import { z } from 'zod';

/** One forward excess-return observation. */
export interface ExcessReturnPoint {
  /** Decision date `t` (a date both series have). */
  date: string;
  /**
   * Date of the entry price: the next common date `t+1` (its open) with `entry: 'next-open'`, `t` itself (its
   * close) with `entry: 'close'`; `null` past the data.
   */
  entryDate: string | null;
  /** Date of the exit price, h common dates after the entry (`open(t+1+h)` or `close(t+h)`), `null` past the data. */
  exitDate: string | null;
  /** Asset return from the entry price to the exit price. */
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
  /** `'simple'`: `P_exit/P_entry − 1`; `'log'`: `ln(P_exit/P_entry)`. @default 'simple' */
  kind?: 'simple' | 'log';
  /**
   * The entry price. `'next-open'`: the open of the next common date, the first tradable price after a decision
   * at the close of t (core's decision clock; the backtest's `'next-open'` fills), held h sessions open to open.
   * `'close'`: close(t) to close(t+h), which credits a decision with the overnight gap after t — news published
   * after the close that the decision could not have seen.
   * @default 'next-open'
   */
  entry?: 'next-open' | 'close';
}

const optionsSchema = z.object({
  bars: z.array(z.unknown()),
  benchmark: z.array(z.unknown()),
  horizon: z.number().int().positive().optional(),
  kind: z.enum(['simple', 'log']).optional(),
  entry: z.enum(['next-open', 'close']).optional(),
});

/**
 * Forward excess return over a benchmark for horizon h: for each date t that both series trade,
 * `r_asset − r_bench` over the same holding, by default from the open of the next common date to the open h
 * common dates later (a date only one of them trades is skipped). The value at t uses prices after t's close by
 * construction: it is an outcome to score a decision made at t, never an input to it.
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options, `INVALID_SERIES` for bad bars.
 */
export function forwardExcessReturns(options: ForwardExcessReturnOptions): ExcessReturnPoint[] {
  parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'forward excess return options' });
  const asset = parsePriceSeries(options.bars, { series: 'bars' });
  const benchmark = parsePriceSeries(options.benchmark, { series: 'benchmark' });
  const horizon = options.horizon ?? 10;
  const transform = options.kind === 'log' ? (ratio: number) => Math.log(ratio) : (ratio: number) => ratio - 1;
  const nextOpen = (options.entry ?? 'next-open') === 'next-open';
  const benchmarkBars = new Map(benchmark.map((bar) => [bar.timestamp, bar]));
  const common: Array<{ date: string; asset: number; benchmark: number }> = [];
  for (const bar of asset) {
    const other = benchmarkBars.get(bar.timestamp);
    if (other === undefined) continue;
    common.push({
      date: bar.timestamp,
      asset: nextOpen ? bar.open : bar.close,
      benchmark: nextOpen ? other.open : other.close,
    });
  }
  const shift = nextOpen ? 1 : 0;
  return common.map((point, index) => {
    const entry = common[index + shift];
    const exit = common[index + shift + horizon];
    if (!entry || !exit)
      return {
        date: point.date,
        entryDate: null,
        exitDate: null,
        assetReturn: null,
        benchmarkReturn: null,
        excessReturn: null,
      };
    const assetReturn = transform(exit.asset / entry.asset);
    const benchmarkReturn = transform(exit.benchmark / entry.benchmark);
    return {
      date: point.date,
      entryDate: entry.date,
      exitDate: exit.date,
      assetReturn,
      benchmarkReturn,
      excessReturn: assetReturn - benchmarkReturn,
    };
  });
}
