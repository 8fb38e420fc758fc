import { type Bar, type Decision, isIsoDate, parsePriceSeries, parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { parseArgument } from '../validate.ts';
import { ewmMeanAdjusted, quantileLinear, rollingStdPandas } from './math.ts';

/** Cut points of a label score: `STRONG_BUY` at or above `strongBuy`, … `STRONG_SELL` below `sell`. */
export interface LabelThresholds {
  /** Quantile `q[0]` (3%): below it is `STRONG_SELL`. */
  sell: number;
  /** Quantile `q[1]` (15%): below it (and ≥ `sell`) is `SELL`. */
  hold: number;
  /** Quantile `q[2]` (53%): at or above it is `BUY`. */
  buy: number;
  /** Quantile `q[3]` (85%): at or above it is `STRONG_BUY`. */
  strongBuy: number;
}

/** One labelled date. */
export interface LabelPoint {
  /** Bar timestamp. */
  date: string;
  /** Volatility-normalised score `S_t` (`null` where any horizon lacks data). */
  score: number | null;
  /** The label of `score` under the thresholds (`null` with the score). */
  label: Decision | null;
}

/** Result of {@link computeTradingR1Labels}. */
export interface TradingR1Labels {
  /** The thresholds used (fit on `fitWindow`, or the ones passed in). */
  thresholds: LabelThresholds;
  /** One point per input bar, in order. */
  points: LabelPoint[];
  /** Dates whose scores were used to fit the thresholds (empty when thresholds were given). */
  fit: { start: string | null; end: string | null; count: number };
  /** Share of each label among the fit points (empty object when thresholds were given). */
  fitDistribution: Partial<Record<Decision, number>>;
  /** The options in effect. */
  config: Required<Omit<TradingR1LabelOptions, 'bars' | 'fitWindow' | 'thresholds'>>;
}

/** Options for {@link computeTradingR1Labels}. */
export interface TradingR1LabelOptions {
  /** Daily bars of one asset, ascending. Only `close` is used. */
  bars: readonly Bar[];
  /**
   * `'forward'`: `R_τ(t) = (EMA_{t+τ} − EMA_t) / EMA_t` (pandas `shift(−τ)`, what the paper's prose describes; the
   * label at t depends on closes up to t+max(τ)). `'trailing'`: `R_τ(t) = (EMA_t − EMA_{t−τ}) / EMA_{t−τ}` (the
   * literal `shift(+τ)` of Algorithm S1; uses closes up to t only).
   * @default 'forward'
   */
  direction?: 'forward' | 'trailing';
  /**
   * The price a forward return starts from. `'next-open'`: `R_τ(t) = (EMA_{t+τ} − open_{t+1}) / open_{t+1}`, the
   * first tradable price after a decision at the close of t (core's decision clock; the backtest's fills), so the
   * overnight gap after t — news the decision could not see — is not credited to it. `'close'`: Algorithm S1's
   * `EMA_t` base. Trailing scores ignore it.
   * @default 'next-open'
   */
  entry?: 'next-open' | 'close';
  /** EMA span for `P.ewm(span, adjust=True).mean()`. @default 3 */
  emaSpan?: number;
  /** Horizons τ in bars. @default [3, 7, 15] */
  horizons?: readonly number[];
  /** Weights per horizon. @default [0.3, 0.5, 0.2] */
  weights?: readonly number[];
  /** Window of the rolling sample std of each `R_τ` series. @default 20 */
  volatilityWindow?: number;
  /** Quantiles of the cut points (ascending). @default [0.03, 0.15, 0.53, 0.85] */
  quantiles?: readonly [number, number, number, number];
  /**
   * Inclusive date range whose scores fit the thresholds (the training window). Only scores computed entirely from
   * closes inside the window are used: with `'forward'`, dates within max(τ) bars of `end` are left out, so no
   * close after `end` shapes the thresholds. Omit both ends for the whole series (Algorithm S1 as published, which
   * relabels the past when data is appended).
   * @default the whole series
   */
  fitWindow?: { start?: string; end?: string };
  /** Use these thresholds instead of fitting (e.g. the training window's thresholds applied to a test period). */
  thresholds?: LabelThresholds;
}

const thresholdsSchema = z
  .object({ sell: z.number(), hold: z.number(), buy: z.number(), strongBuy: z.number() })
  .refine(
    (value) => [value.sell, value.hold, value.buy, value.strongBuy].every(Number.isFinite),
    'thresholds must be finite',
  )
  .refine(
    (value) => value.sell <= value.hold && value.hold <= value.buy && value.buy <= value.strongBuy,
    'thresholds must be ascending',
  );

const dateSchema = z.string().refine(isIsoDate, 'expected YYYY-MM-DD');

const optionsSchema = z
  .object({
    bars: z.array(z.unknown()),
    direction: z.enum(['forward', 'trailing']).optional(),
    entry: z.enum(['next-open', 'close']).optional(),
    emaSpan: z.number().min(1).optional(),
    horizons: z.array(z.number().int().positive()).min(1).optional(),
    weights: z.array(z.number()).min(1).optional(),
    volatilityWindow: z.number().int().min(2).optional(),
    quantiles: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
    fitWindow: z.object({ start: dateSchema.optional(), end: dateSchema.optional() }).optional(),
    thresholds: thresholdsSchema.optional(),
  })
  .refine((value) => (value.horizons?.length ?? 3) === (value.weights?.length ?? 3), {
    message: 'horizons and weights must have the same length',
    path: ['weights'],
  })
  .refine(
    (value) =>
      !value.quantiles ||
      value.quantiles.every((q, index, all) => q >= 0 && q <= 1 && (index === 0 || q >= (all[index - 1] as number))),
    {
      message: 'quantiles must be ascending within [0, 1]',
      path: ['quantiles'],
    },
  );

const numberOrNaN = z.custom<number>((value) => typeof value === 'number', 'expected a number (NaN for none)');
const scoresOptionsSchema = z.strictObject({
  direction: z.enum(['forward', 'trailing']).optional(),
  emaSpan: z.number().min(1).optional(),
  horizons: z.array(z.number().int().positive()).min(1).optional(),
  weights: z.array(z.number()).min(1).optional(),
  volatilityWindow: z.number().int().min(2).optional(),
  entryPrices: z.array(numberOrNaN).optional(),
});
const quantilesSchema = z.tuple([z.number(), z.number(), z.number(), z.number()]);

/** The label of a score: Algorithm S1's comparison chain (`>=` at each cut point). */
export function labelFromScore(score: number, thresholds: LabelThresholds): Decision {
  parseArgument(numberOrNaN, score, { fn: 'labelFromScore()', field: 'score' });
  parseArgument(thresholdsSchema, thresholds, { fn: 'labelFromScore()', field: 'thresholds' });
  if (score >= thresholds.strongBuy) return 'STRONG_BUY';
  if (score >= thresholds.buy) return 'BUY';
  if (score >= thresholds.hold) return 'HOLD';
  if (score >= thresholds.sell) return 'SELL';
  return 'STRONG_SELL';
}

/**
 * The volatility-normalised score of Trading-R1 Algorithm S1 (papers.md §2.6) for each close:
 * `S_t = Σ_τ w_τ · R_τ(t) / V_τ(t)` with `EMA = P.ewm(span=3, adjust=True).mean()`, `R_τ` the τ-bar EMA return
 * (forward or trailing, see {@link TradingR1LabelOptions.direction}) and `V_τ = R_τ.rolling(20).std()` (sample std,
 * `ddof = 1`, full windows only). `NaN` where any term is missing.
 */
export function tradingR1Scores(
  closes: readonly number[],
  options: Pick<TradingR1LabelOptions, 'direction' | 'emaSpan' | 'horizons' | 'weights' | 'volatilityWindow'> & {
    /** Forward base per index (e.g. `open[t+1]`) instead of `EMA_t`; `NaN` where there is none. */
    entryPrices?: readonly number[];
  } = {},
): number[] {
  parseArgument(z.array(numberOrNaN), closes, { fn: 'tradingR1Scores()', field: 'closes' });
  parseArgument(scoresOptionsSchema, options, { fn: 'tradingR1Scores()', field: 'options', code: 'INVALID_CONFIG' });
  const direction = options.direction ?? 'forward';
  const horizons = options.horizons ?? [3, 7, 15];
  const weights = options.weights ?? [0.3, 0.5, 0.2];
  const window = options.volatilityWindow ?? 20;
  const ema = ewmMeanAdjusted(closes, options.emaSpan ?? 3);
  const length = closes.length;
  const score = new Array<number>(length).fill(0);
  horizons.forEach((tau, horizonIndex) => {
    const weight = weights[horizonIndex] as number;
    const ret = new Array<number>(length).fill(Number.NaN);
    for (let index = 0; index < length; index += 1) {
      if (direction === 'forward') {
        const base = options.entryPrices ? (options.entryPrices[index] as number) : (ema[index] as number);
        if (index + tau < length) ret[index] = ((ema[index + tau] as number) - base) / base;
      } else if (index - tau >= 0) {
        ret[index] = ((ema[index] as number) - (ema[index - tau] as number)) / (ema[index - tau] as number);
      }
    }
    const volatility = rollingStdPandas(ret, window);
    for (let index = 0; index < length; index += 1) {
      score[index] = (score[index] as number) + weight * ((ret[index] as number) / (volatility[index] as number));
    }
  });
  // 0/0 (a flat window) is NaN, x/0 is ±Infinity: neither is a usable score.
  return score.map((value) => (Number.isFinite(value) ? value : Number.NaN));
}

/** Fit Algorithm S1's thresholds: linear-interpolated quantiles (pandas default) of the finite scores. */
export function fitLabelThresholds(
  scores: readonly number[],
  quantiles: readonly [number, number, number, number] = [0.03, 0.15, 0.53, 0.85],
): LabelThresholds {
  parseArgument(z.array(numberOrNaN), scores, { fn: 'fitLabelThresholds()', field: 'scores' });
  parseArgument(quantilesSchema, quantiles, { fn: 'fitLabelThresholds()', field: 'quantiles', code: 'INVALID_CONFIG' });
  const finite = scores.filter(Number.isFinite).sort((left, right) => left - right);
  if (finite.length === 0) {
    throw new TradeR1Error(
      'INSUFFICIENT_DATA',
      'No finite label scores to fit thresholds on: widen the fit window or add history',
      {
        details: { scores: scores.length },
      },
    );
  }
  const [sell, hold, buy, strongBuy] = quantiles.map((q) => quantileLinear(finite, q)) as [
    number,
    number,
    number,
    number,
  ];
  return { sell, hold, buy, strongBuy };
}

/**
 * Trading-R1 decision labels (Algorithm S1, papers.md §2.6) with the audit's fixes as options: forward returns
 * (default) or the literal trailing ones, and thresholds fit on a training window only.
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options, `INVALID_SERIES` for bad bars, `INSUFFICIENT_DATA` when
 * the fit window holds no finite score.
 */
export function computeTradingR1Labels(options: TradingR1LabelOptions): TradingR1Labels {
  parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'Trading-R1 label options' });
  const bars = parsePriceSeries(options.bars);
  const config = {
    direction: options.direction ?? 'forward',
    entry: options.entry ?? 'next-open',
    emaSpan: options.emaSpan ?? 3,
    horizons: options.horizons ?? [3, 7, 15],
    weights: options.weights ?? [0.3, 0.5, 0.2],
    volatilityWindow: options.volatilityWindow ?? 20,
    quantiles: options.quantiles ?? ([0.03, 0.15, 0.53, 0.85] as const),
  } satisfies TradingR1Labels['config'];
  const dates = bars.map((bar) => bar.timestamp.slice(0, 10));
  const entryPrices =
    config.direction === 'forward' && config.entry === 'next-open'
      ? bars.map((_, index) => bars[index + 1]?.open ?? Number.NaN)
      : undefined;
  const scores = tradingR1Scores(
    bars.map((bar) => bar.close),
    {
      direction: config.direction,
      emaSpan: config.emaSpan,
      horizons: config.horizons,
      weights: config.weights,
      volatilityWindow: config.volatilityWindow,
      ...(entryPrices && { entryPrices }),
    },
  );
  let thresholds: LabelThresholds;
  const fit: TradingR1Labels['fit'] = { start: null, end: null, count: 0 };
  const fitIndices: number[] = [];
  if (options.thresholds) {
    thresholds = options.thresholds;
  } else {
    const start = options.fitWindow?.start;
    const end = options.fitWindow?.end;
    let first = start === undefined ? 0 : dates.findIndex((date) => date >= start);
    if (first < 0) first = dates.length;
    let last = dates.length - 1;
    if (end !== undefined) {
      last = -1;
      for (let index = dates.length - 1; index >= 0; index -= 1) {
        if ((dates[index] as string) <= end) {
          last = index;
          break;
        }
      }
    }
    // Forward scores at t use closes through t + max(τ): keep only those whose inputs lie inside the window.
    const reach = config.direction === 'forward' ? Math.max(...config.horizons) : 0;
    const lastUsable = end === undefined ? last : last - reach;
    for (let index = first; index <= lastUsable; index += 1) if (Number.isFinite(scores[index])) fitIndices.push(index);
    if (fitIndices.length === 0) {
      throw new TradeR1Error(
        'INSUFFICIENT_DATA',
        `No finite label score inside the fit window ${start ?? '(start)'} .. ${end ?? '(end)'}: it needs at least ${config.volatilityWindow + Math.max(...config.horizons)} bars`,
        { details: { start: start ?? null, end: end ?? null, bars: bars.length } },
      );
    }
    thresholds = fitLabelThresholds(
      fitIndices.map((index) => scores[index] as number),
      config.quantiles,
    );
    fit.start = dates[fitIndices[0] as number] ?? null;
    fit.end = dates[fitIndices[fitIndices.length - 1] as number] ?? null;
    fit.count = fitIndices.length;
  }
  const points: LabelPoint[] = dates.map((date, index) => {
    const score = scores[index] as number;
    return Number.isFinite(score)
      ? { date, score, label: labelFromScore(score, thresholds) }
      : { date, score: null, label: null };
  });
  const fitDistribution: Partial<Record<Decision, number>> = {};
  for (const index of fitIndices) {
    const label = points[index]?.label;
    if (label) fitDistribution[label] = (fitDistribution[label] ?? 0) + 1 / fitIndices.length;
  }
  return {
    thresholds,
    points,
    fit,
    fitDistribution,
    config: { ...config, horizons: [...config.horizons], weights: [...config.weights] },
  };
}
