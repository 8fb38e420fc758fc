import {
  type Bar,
  barCloseInstant,
  type CutoffAt,
  decisionInstant,
  type ExchangeInput,
  exchangeForTicker,
  exchangeSchema,
  parsePriceSeries,
  parseTimestamp,
  parseWith,
  type TimeInput,
  TradeR1Error,
  toExchangeId,
} from '@trade-r1/core';
import {
  adx as adxIndicator,
  atr as atrIndicator,
  bollingerbands,
  cci as cciIndicator,
  ema as emaIndicator,
  ichimokucloud,
  macd as macdIndicator,
  mfi as mfiIndicator,
  roc as rocIndicator,
  rsi as rsiIndicator,
  sma as smaIndicator,
  stochastic,
} from 'technicalindicators';
import { z } from 'zod';
import { parseArgument } from '../validate.ts';
import { alignRight, finiteOrNull, kdj, vwma, zScore } from './rolling.ts';

// Shape only: the binary search reads `timestamp` of O(log n) bars.
const timestampedSchema = z
  .array(z.unknown())
  .refine(
    (bars) => bars.every((bar) => typeof (bar as { timestamp?: unknown } | null)?.timestamp === 'string'),
    'expected an array of bars with a string timestamp',
  );

/**
 * The technical indicators of Trading-R1 (papers.md §2.2, Table S2), with fixed, documented parameters.
 *
 * Computed with `technicalindicators` where the library has the indicator; VWMA, KDJ, Z-score, PVO and ADXR are
 * implemented here (`rolling.ts`). Library conventions that differ from pandas/stockstats:
 * - EMAs (and MACD's) are seeded with the simple mean of the first `n` values, then `α = 2/(n+1)`; stockstats uses
 *   pandas `ewm(adjust=True)`. Values converge after a few times `n` bars — a long lookback makes them agree.
 * - RSI, ATR and ADX use Wilder smoothing (`α = 1/n`, seeded with the first `n`-bar mean). RSI and MFI are rounded
 *   to 2 decimals by the library.
 * - Bollinger bands use the population standard deviation (`ddof = 0`, Bollinger's definition).
 * - MFI counts a bar whose typical price equals the previous one as negative flow (library behaviour).
 * - Ichimoku lines are NOT displaced forward: the value at `t` uses bars up to `t` only.
 */
export const INDICATOR_NAMES = [
  'sma50',
  'sma200',
  'ema10',
  'ema50',
  'macd',
  'macdSignal',
  'macdHistogram',
  'rsi14',
  'bollMiddle',
  'bollUpper',
  'bollLower',
  'atr14',
  'atr5',
  'cci20',
  'roc12',
  'mfi14',
  'adx14',
  'adxr14',
  'pdi14',
  'mdi14',
  'stochK',
  'stochD',
  'kdjK',
  'kdjD',
  'kdjJ',
  'vwma14',
  'zscore75',
  'pvo',
  'pvoSignal',
  'pvoHistogram',
  'ichimokuConversion',
  'ichimokuBase',
  'ichimokuSpanA',
  'ichimokuSpanB',
] as const;

/** One indicator of {@link INDICATOR_NAMES}. */
export type IndicatorName = (typeof INDICATOR_NAMES)[number];

/** What each indicator is, with its parameters (for prompts and docs). */
export const INDICATOR_DESCRIPTIONS: Readonly<Record<IndicatorName, string>> = {
  sma50: 'simple moving average of close, 50 bars',
  sma200: 'simple moving average of close, 200 bars',
  ema10: 'exponential moving average of close, 10 bars',
  ema50: 'exponential moving average of close, 50 bars',
  macd: 'MACD line: EMA12 − EMA26 of close',
  macdSignal: 'MACD signal: EMA9 of the MACD line',
  macdHistogram: 'MACD histogram: MACD − signal',
  rsi14: 'relative strength index, 14 bars (Wilder)',
  bollMiddle: 'Bollinger middle band: SMA20 of close',
  bollUpper: 'Bollinger upper band: SMA20 + 2σ (population σ)',
  bollLower: 'Bollinger lower band: SMA20 − 2σ (population σ)',
  atr14: 'average true range, 14 bars (Wilder)',
  atr5: 'average true range, 5 bars (Wilder)',
  cci20: 'commodity channel index, 20 bars',
  roc12: 'rate of change of close over 12 bars, in %',
  mfi14: 'money flow index, 14 bars',
  adx14: 'average directional index, 14 bars',
  adxr14: 'ADX rating: (ADX + ADX 14 bars earlier) / 2',
  pdi14: 'plus directional indicator +DI, 14 bars',
  mdi14: 'minus directional indicator −DI, 14 bars',
  stochK: 'stochastic %K, 14 bars',
  stochD: 'stochastic %D: SMA3 of %K',
  kdjK: 'KDJ K (9-bar RSV, 1/3 smoothing)',
  kdjD: 'KDJ D (1/3 smoothing of K)',
  kdjJ: 'KDJ J = 3K − 2D',
  vwma14: 'volume-weighted moving average of close, 14 bars',
  zscore75: 'z-score of close over 75 bars (sample σ)',
  pvo: 'percentage volume oscillator: (EMA12 − EMA26) / EMA26 of volume, in %',
  pvoSignal: 'PVO signal: EMA9 of PVO',
  pvoHistogram: 'PVO histogram: PVO − signal',
  ichimokuConversion: 'Ichimoku conversion line (tenkan-sen), 9 bars',
  ichimokuBase: 'Ichimoku base line (kijun-sen), 26 bars',
  ichimokuSpanA: 'Ichimoku leading span A (undisplaced)',
  ichimokuSpanB: 'Ichimoku leading span B, 52 bars (undisplaced)',
};

/** Indicator values aligned with the bars they were computed from (`null` during warm-up). */
export interface IndicatorTable {
  /** Bar timestamps, ascending (the bars available at `asOf`). */
  dates: string[];
  /** One array per requested indicator, each as long as `dates`. */
  values: Partial<Record<IndicatorName, Array<number | null>>>;
}

/** Options for {@link computeIndicators}. */
export interface ComputeIndicatorsOptions {
  /** Daily bars, ascending (validated). Bars after `asOf` are ignored. */
  bars: readonly Bar[];
  /**
   * Decision time. Only bars available at `asOf` are used (see {@link barsAsOf}): a daily bar counts as published
   * at its exchange's close, so a date-only `asOf` includes that day's bar (not with `cutoff: 'pre-open'`) and never
   * a later one. @default the last bar
   */
  asOf?: TimeInput;
  /** The bars' exchange (see {@link BarsAsOfOptions}). @default from `ticker` */
  exchange?: ExchangeInput;
  /** The bars' ticker, naming their exchange when `exchange` is not given. */
  ticker?: string;
  /** Where a date-only `asOf` sits on its date. @default 'close' */
  cutoff?: CutoffAt;
  /** Length of an intraday bar (see {@link BarsAsOfOptions.barInterval}). @default the bars' spacing */
  barInterval?: BarInterval;
  /** What an intraday bar's timestamp marks (see {@link BarsAsOfOptions.barStamp}). @default 'start' */
  barStamp?: 'start' | 'end';
  /** Which indicators to compute. @default all of {@link INDICATOR_NAMES} */
  indicators?: readonly IndicatorName[];
  /** Skip re-validating `bars` (only for bars that already passed `parsePriceSeries`). @default false */
  trusted?: boolean;
}

const cutoffSchema = z.enum(['close', 'pre-open']);

const optionsSchema = z.strictObject({
  bars: z.array(z.unknown()),
  asOf: z.union([z.string(), z.number(), z.date()]).optional(),
  exchange: exchangeSchema.optional(),
  ticker: z.string().optional(),
  cutoff: cutoffSchema.optional(),
  barInterval: z.unknown().optional(),
  barStamp: z.unknown().optional(),
  indicators: z.array(z.enum(INDICATOR_NAMES)).optional(),
  trusted: z.boolean().optional(),
});

/** Options of {@link barsAsOf}. */
export interface BarsAsOfOptions {
  /** The exchange the bars trade on (`XNYS`, `Nasdaq`, `SSE`, `SZSE`, …). @default from `ticker` */
  exchange?: ExchangeInput | undefined;
  /** The bars' ticker (`AAPL` New York, `600519.SH` Shanghai): names the exchange when `exchange` is not given. */
  ticker?: string | undefined;
  /** Where a date-only `asOf` sits on its date: the exchange's close or just before its open. @default 'close' */
  cutoff?: CutoffAt | undefined;
  /**
   * Length of one intraday bar: milliseconds, or `'5m'`, `'5min'`, `'1h'` (the vendors' spellings). An intraday bar
   * is complete, and public, at its end. @default the smallest gap between consecutive bars (declare it for an
   * irregular series; a series of one bar needs it)
   */
  barInterval?: BarInterval | undefined;
  /**
   * What an intraday bar's timestamp marks: its `'start'` (Yahoo, Polygon, most vendors: public at timestamp +
   * interval) or its `'end'` (public at its timestamp). @default 'start' (the later, safe reading)
   */
  barStamp?: 'start' | 'end' | undefined;
}

/** An intraday bar's length: milliseconds, or a count of minutes or hours (`'1m'`, `'5min'`, `'30m'`, `'1h'`). */
export type BarInterval = number | `${number}m` | `${number}min` | `${number}h`;

const barIntervalSchema = z.union(
  [
    z.number().int('expected whole milliseconds').positive(),
    z
      .string()
      .regex(/^[1-9]\d{0,3}(m|min|h)$/, "expected a bar length such as '1m', '5min' or '1h'")
      .transform((value) => Number.parseInt(value, 10) * (value.endsWith('h') ? 3_600_000 : 60_000)),
  ],
  { error: "expected a bar length: milliseconds or a string such as '5m', '5min', '1h'" },
);

const barsAsOfOptionsSchema = z.strictObject({
  exchange: exchangeSchema.optional(),
  ticker: z.string().optional(),
  cutoff: cutoffSchema.optional(),
  barInterval: barIntervalSchema.optional(),
  barStamp: z.enum(['start', 'end']).optional(),
});

/** The smallest positive gap (ms) between consecutive intraday timestamps; undefined with fewer than two. */
function spacingOf(bars: readonly { timestamp: string }[]): number | undefined {
  let smallest: number | undefined;
  for (let index = 1; index < bars.length; index += 1) {
    const gap =
      Date.parse((bars[index] as { timestamp: string }).timestamp) -
      Date.parse((bars[index - 1] as { timestamp: string }).timestamp);
    if (gap > 0 && (smallest === undefined || gap < smallest)) smallest = gap;
  }
  return smallest;
}

/** How long after its timestamp an intraday bar is complete (0 for an end-stamped bar). */
function intradayDelay(
  bars: readonly { timestamp: string }[],
  interval: number | undefined,
  stamp: 'start' | 'end' | undefined,
): number {
  if (stamp === 'end') return 0;
  const length = interval ?? spacingOf(bars);
  if (length === undefined) {
    throw new TradeR1Error(
      'INVALID_INPUT',
      'barsAsOf(): an intraday bar is public at its end; with a single bar its length is unknown — pass barInterval (e.g. 5m)',
      { details: { field: 'barInterval' } },
    );
  }
  return length;
}

/**
 * The bars available at `asOf`, on the decision clock of the bars' exchange: the longest prefix of bars published
 * at or before the decision's cutoff (`decisionInstant`: a date-only `asOf` is that date's close, or one ms before
 * its open with `cutoff: 'pre-open'`). A daily bar is published at its exchange's close (`barCloseInstant`, 13:00
 * New York on an early-close day, 15:00 Shanghai), an intraday bar at its END: timestamp + `barInterval` for a
 * start-stamped bar (the default; the interval defaults to the bars' spacing), its timestamp with
 * `barStamp: 'end'`. A decision inside a bar's interval never sees that bar. Binary search; bars ascending.
 *
 * Without `exchange` or `ticker` only what needs no exchange is answered: a date-only `asOf` over daily bars
 * (trading dates compared: the bar of the date itself is included at the close, not pre-open) and a date-time `asOf`
 * over intraday bars; a date-time over daily bars (or a date over intraday bars) needs the exchange.
 * @throws {TradeR1Error} `INVALID_INPUT` (`details.field: 'exchange'` when one is needed), `INVALID_DATE`.
 */
export function barsAsOf<T extends { timestamp: string }>(
  bars: readonly T[],
  asOf: TimeInput,
  options: BarsAsOfOptions = {},
): T[] {
  parseArgument(timestampedSchema, bars, { fn: 'barsAsOf()', field: 'bars' });
  const parsed = parseArgument(barsAsOfOptionsSchema, options, { fn: 'barsAsOf()', field: 'options' });
  const daily = bars.length === 0 || String((bars[0] as T)?.timestamp).length === 10;
  const delay = daily ? 0 : intradayDelay(bars, parsed.barInterval, parsed.barStamp);
  const pre = parsed.cutoff === 'pre-open';
  let available: (bar: T) => boolean;
  if (parsed.exchange === undefined && parsed.ticker === undefined) {
    const written = parseTimestamp(asOf);
    if (written.dateOnly && daily) {
      const date = written.tradingDate;
      available = (bar) => (pre ? bar.timestamp < date : bar.timestamp <= date);
    } else if (!written.dateOnly && !daily) {
      available = (bar) => Date.parse(bar.timestamp) + delay <= written.instant;
    } else {
      throw new TradeR1Error(
        'INVALID_INPUT',
        `barsAsOf(): ${written.dateOnly ? 'a date-only asOf over intraday bars' : 'a date-time asOf over daily bars'} depends on the exchange's clock; pass exchange or ticker`,
        { details: { field: 'exchange' } },
      );
    }
  } else {
    const exchange = parsed.exchange ?? exchangeForTicker(parsed.ticker as string);
    const limit = decisionInstant({ asOf, exchange: parsed.exchange, ticker: parsed.ticker, at: parsed.cutoff });
    const id = toExchangeId(exchange);
    available = daily
      ? (bar) => barCloseInstant(bar.timestamp, id) <= limit
      : (bar) => Date.parse(bar.timestamp) + delay <= limit;
  }
  let low = 0;
  let high = bars.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (available(bars[middle] as T)) low = middle + 1;
    else high = middle;
  }
  return bars.slice(0, low);
}

function fill(length: number): Array<number | null> {
  return new Array(length).fill(null);
}

/**
 * Compute Trading-R1's technical indicators from bars up to `asOf` only. Appending later bars never changes a
 * value at or before `asOf` (they are dropped before computing). See {@link INDICATOR_NAMES} for conventions.
 * @throws {TradeR1Error} `INVALID_SERIES` for unsorted or invalid bars, `INVALID_CONFIG` for unknown indicators.
 */
export function computeIndicators(options: ComputeIndicatorsOptions): IndicatorTable {
  parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'computeIndicators options' });
  const bars = options.trusted ? options.bars : parsePriceSeries(options.bars);
  const available =
    options.asOf === undefined
      ? bars
      : barsAsOf(bars, options.asOf, {
          exchange: options.exchange,
          ticker: options.ticker,
          cutoff: options.cutoff,
          barInterval: options.barInterval,
          barStamp: options.barStamp,
        });
  const wanted = new Set<IndicatorName>(options.indicators ?? INDICATOR_NAMES);
  const length = available.length;
  const high: number[] = new Array(length);
  const low: number[] = new Array(length);
  const close: number[] = new Array(length);
  const volume: number[] = new Array(length);
  for (let index = 0; index < length; index += 1) {
    const bar = available[index] as Bar;
    high[index] = bar.high;
    low[index] = bar.low;
    close[index] = bar.close;
    volume[index] = bar.volume;
  }
  const values: Partial<Record<IndicatorName, Array<number | null>>> = {};
  const set = (name: IndicatorName, series: Array<number | null>): void => {
    if (wanted.has(name)) values[name] = series.map(finiteOrNull);
  };
  const wantsAny = (...names: IndicatorName[]): boolean => names.some((name) => wanted.has(name));
  const enough = (minimum: number): boolean => length >= minimum;

  const simple = (period: number): Array<number | null> =>
    enough(period) ? alignRight(smaIndicator({ period, values: close }), length) : fill(length);
  const exponential = (series: number[], period: number): Array<number | null> =>
    series.length >= period ? alignRight(emaIndicator({ period, values: series }), series.length) : fill(series.length);

  if (wanted.has('sma50')) set('sma50', simple(50));
  if (wanted.has('sma200')) set('sma200', simple(200));
  if (wanted.has('ema10')) set('ema10', exponential(close, 10));
  if (wanted.has('ema50')) set('ema50', exponential(close, 50));
  if (wantsAny('macd', 'macdSignal', 'macdHistogram')) {
    const result = enough(26)
      ? alignRight(
          macdIndicator({
            values: close,
            fastPeriod: 12,
            slowPeriod: 26,
            signalPeriod: 9,
            SimpleMAOscillator: false,
            SimpleMASignal: false,
          }),
          length,
        )
      : fill(length);
    const line = result.map((entry) => (entry && typeof entry === 'object' ? finiteOrNull(entry.MACD) : null));
    // The library drops a signal of exactly 0 (falsy check); recompute signal and histogram from the MACD line.
    const firstLine = line.findIndex((value) => value !== null);
    const signal = fill(length);
    if (firstLine >= 0) {
      const tail = line.slice(firstLine) as number[];
      const smoothed = exponential(tail, 9);
      for (let index = 0; index < smoothed.length; index += 1) signal[firstLine + index] = smoothed[index] ?? null;
    }
    set('macd', line);
    set('macdSignal', signal);
    set(
      'macdHistogram',
      line.map((value, index) => {
        const signalValue = signal[index];
        return value === null || signalValue === null || signalValue === undefined ? null : value - signalValue;
      }),
    );
  }
  if (wanted.has('rsi14'))
    set('rsi14', enough(15) ? alignRight(rsiIndicator({ period: 14, values: close }), length) : fill(length));
  if (wantsAny('bollMiddle', 'bollUpper', 'bollLower')) {
    const bands = enough(20)
      ? alignRight(bollingerbands({ period: 20, stdDev: 2, values: close }), length)
      : fill(length);
    set(
      'bollMiddle',
      bands.map((band) => (band && typeof band === 'object' ? band.middle : null)),
    );
    set(
      'bollUpper',
      bands.map((band) => (band && typeof band === 'object' ? band.upper : null)),
    );
    set(
      'bollLower',
      bands.map((band) => (band && typeof band === 'object' ? band.lower : null)),
    );
  }
  const averageTrueRange = (period: number): Array<number | null> =>
    enough(period + 1) ? alignRight(atrIndicator({ period, high, low, close }), length) : fill(length);
  if (wanted.has('atr14')) set('atr14', averageTrueRange(14));
  if (wanted.has('atr5')) set('atr5', averageTrueRange(5));
  if (wanted.has('cci20'))
    set('cci20', enough(20) ? alignRight(cciIndicator({ period: 20, high, low, close }), length) : fill(length));
  if (wanted.has('roc12'))
    set('roc12', enough(13) ? alignRight(rocIndicator({ period: 12, values: close }), length) : fill(length));
  if (wanted.has('mfi14')) {
    set(
      'mfi14',
      enough(15) ? alignRight(mfiIndicator({ period: 14, high, low, close, volume }), length) : fill(length),
    );
  }
  if (wantsAny('adx14', 'adxr14', 'pdi14', 'mdi14')) {
    const result = enough(29) ? alignRight(adxIndicator({ period: 14, high, low, close }), length) : fill(length);
    const adxLine = result.map((entry) => (entry && typeof entry === 'object' ? finiteOrNull(entry.adx) : null));
    set('adx14', adxLine);
    set(
      'pdi14',
      result.map((entry) => (entry && typeof entry === 'object' ? entry.pdi : null)),
    );
    set(
      'mdi14',
      result.map((entry) => (entry && typeof entry === 'object' ? entry.mdi : null)),
    );
    set(
      'adxr14',
      adxLine.map((value, index) => {
        const earlier = index >= 14 ? adxLine[index - 14] : null;
        return value === null || earlier === null || earlier === undefined ? null : (value + earlier) / 2;
      }),
    );
  }
  if (wantsAny('stochK', 'stochD')) {
    const result = enough(14)
      ? alignRight(stochastic({ period: 14, signalPeriod: 3, high, low, close }), length)
      : fill(length);
    set(
      'stochK',
      result.map((entry) => (entry && typeof entry === 'object' ? entry.k : null)),
    );
    set(
      'stochD',
      result.map((entry) => (entry && typeof entry === 'object' ? (entry.d ?? null) : null)),
    );
  }
  if (wantsAny('kdjK', 'kdjD', 'kdjJ')) {
    const lines = kdj(high, low, close, 9);
    set('kdjK', lines.k);
    set('kdjD', lines.d);
    set('kdjJ', lines.j);
  }
  if (wanted.has('vwma14')) set('vwma14', vwma(close, volume, 14));
  if (wanted.has('zscore75')) set('zscore75', zScore(close, 75));
  if (wantsAny('pvo', 'pvoSignal', 'pvoHistogram')) {
    const fast = exponential(volume, 12);
    const slow = exponential(volume, 26);
    const pvoLine = fast.map((value, index) => {
      const slowValue = slow[index];
      return value === null || slowValue === null || slowValue === undefined || slowValue === 0
        ? null
        : (100 * (value - slowValue)) / slowValue;
    });
    const first = pvoLine.findIndex((value) => value !== null);
    const signal = fill(length);
    if (first >= 0 && pvoLine.slice(first).every((value) => value !== null)) {
      const smoothed = exponential(pvoLine.slice(first) as number[], 9);
      for (let index = 0; index < smoothed.length; index += 1) signal[first + index] = smoothed[index] ?? null;
    }
    set('pvo', pvoLine);
    set('pvoSignal', signal);
    set(
      'pvoHistogram',
      pvoLine.map((value, index) => {
        const signalValue = signal[index];
        return value === null || signalValue === null || signalValue === undefined ? null : value - signalValue;
      }),
    );
  }
  if (wantsAny('ichimokuConversion', 'ichimokuBase', 'ichimokuSpanA', 'ichimokuSpanB')) {
    const result = enough(52)
      ? alignRight(
          ichimokucloud({ high, low, conversionPeriod: 9, basePeriod: 26, spanPeriod: 52, displacement: 26 }),
          length,
        )
      : fill(length);
    set(
      'ichimokuConversion',
      result.map((entry) => (entry && typeof entry === 'object' ? entry.conversion : null)),
    );
    set(
      'ichimokuBase',
      result.map((entry) => (entry && typeof entry === 'object' ? entry.base : null)),
    );
    set(
      'ichimokuSpanA',
      result.map((entry) => (entry && typeof entry === 'object' ? entry.spanA : null)),
    );
    set(
      'ichimokuSpanB',
      result.map((entry) => (entry && typeof entry === 'object' ? entry.spanB : null)),
    );
  }
  return { dates: available.map((bar) => bar.timestamp), values };
}
