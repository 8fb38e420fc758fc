import {
  addCalendarDays,
  type Bar,
  barCloseInstant,
  barSchema,
  type CutoffAt,
  calendarDaysBetween,
  createRng,
  decisionTiming,
  deriveSeed,
  type ExchangeId,
  type ExchangeInput,
  exchangeDateOf,
  exchangeForTicker,
  exchangeSchema,
  getExchangeCalendar,
  parseTimestamp,
  parseWith,
  publicationInstant,
  type TimeInput,
  TradeR1Error,
  throwIfAborted,
  tickerSchema,
  toTradeR1Error,
  tradingDatesBetween,
} from '@trade-r1/core';
import { z } from 'zod';
import { computeIndicators, INDICATOR_NAMES, type IndicatorName } from '../indicators/indicators.ts';
import type {
  FundamentalsSource,
  InsiderSource,
  MacroObservation,
  MacroSource,
  NewsSource,
  PriceSource,
} from '../sources.ts';
import { DEFAULT_FUNDAMENTAL_METRICS, selectFundamentals } from './fundamentals.ts';
import {
  fundamentalFactSchema,
  insiderSentimentSchema,
  insiderTransactionSchema,
  macroObservationSchema,
  newsItemSchema,
} from './item-schemas.ts';
import { renderContextPrompt } from './render.ts';
import {
  CONTEXT_SECTIONS,
  type ContextFundamentalMetric,
  type ContextNewsBucket,
  type ContextSection,
  type ContextTechnicals,
  type ExcludedCounts,
  type NewsBucketSpec,
  type PointInTimeContext,
} from './types.ts';

export {
  CONTEXT_SECTIONS,
  type ContextFundamentalMetric,
  type ContextNewsBucket,
  type ContextSection,
  type ContextTechnicals,
  type ExcludedCounts,
  type NewsBucketSpec,
  type PointInTimeContext,
};

import { estimateTokens } from './tokens.ts';

/** The sources a context is built from; each is optional (a missing one leaves its section empty). */
export interface ContextSources {
  prices?: PriceSource;
  news?: NewsSource;
  fundamentals?: FundamentalsSource;
  insider?: InsiderSource;
  macro?: MacroSource;
}

/** Trading-R1's news buckets (Table S1): t−3..t ≤ 10, t−10..t−4 ≤ 20, t−30..t−11 ≤ 20. */
export const TRADING_R1_NEWS_BUCKETS: readonly NewsBucketSpec[] = [
  { minDaysAgo: 0, maxDaysAgo: 3, cap: 10 },
  { minDaysAgo: 4, maxDaysAgo: 10, cap: 20 },
  { minDaysAgo: 11, maxDaysAgo: 30, cap: 20 },
];

/** Default FRED series of the macro block. */
export const DEFAULT_MACRO_SERIES: readonly string[] = ['FEDFUNDS', 'CPIAUCSL', 'UNRATE', 'DGS10'];

/** Indicators shown in the technicals block by default (the Trading-R1 set, Table S2). */
export const DEFAULT_CONTEXT_INDICATORS: readonly IndicatorName[] = INDICATOR_NAMES;

/** Tuning of {@link buildContext}. */
export interface BuildContextOptions {
  /** News recency buckets. @default TRADING_R1_NEWS_BUCKETS */
  newsBuckets?: readonly NewsBucketSpec[];
  /** Seed of the random sampling within news buckets (the same seed, ticker and asOf give the same sample). @default 0 */
  seed?: number;
  /** Trading days of bars and indicators shown. @default 15 */
  technicalsWindow?: number;
  /** Calendar days of bar history fetched to compute indicators (SMA200 needs ~290; EMAs converge with more). @default 730 */
  indicatorLookbackDays?: number;
  /** Indicators shown. @default DEFAULT_CONTEXT_INDICATORS */
  indicators?: readonly IndicatorName[];
  /** Most recent periods shown per fundamental metric. @default 4 */
  fundamentalPeriods?: number;
  /** Most fundamental metrics shown; the number left out is in `capped.fundamentalMetrics`. @default 40 */
  maxFundamentalMetrics?: number;
  /**
   * Metric order of the fundamentals block (metrics not listed follow, most recently published first).
   * @default DEFAULT_FUNDAMENTAL_METRICS (revenue, profits, EPS, operating cash flow, capex, cash, debt, equity…)
   */
  fundamentalMetrics?: readonly string[];
  /** Calendar days of monthly insider sentiment. @default 90 */
  insiderSentimentDays?: number;
  /** Calendar days of insider transactions searched. @default 730 */
  insiderTransactionDays?: number;
  /** Most insider transactions kept (the newest). @default 25 */
  maxInsiderTransactions?: number;
  /** FRED series ids of the macro block. @default DEFAULT_MACRO_SERIES */
  macroSeries?: readonly string[];
  /** Months of macro history (first-of-month values). @default 24 */
  macroMonths?: number;
  /**
   * Strict point-in-time checking: a news source that returns an item published after `asOf`, or a price source that
   * returns a bar dated after the `asOf` date (neither was asked for anything later), raises `LOOKAHEAD`. Off: such items are dropped and counted in `excluded`. Fundamentals,
   * insider and macro requests cannot say "published by asOf", so late-published items from them are always
   * dropped and counted, never an error.
   * @default true
   */
  strict?: boolean;
  /** A source that throws: `'throw'` propagates the error, `'omit'` leaves the section empty and records the error. @default 'throw' */
  onSourceError?: 'throw' | 'omit';
  /** Token budget of the prompt text; sections are trimmed in a fixed priority order to fit (see README). @default 16000 */
  maxTokens?: number;
  /** Token counter. @default estimateTokens */
  countTokens?: (text: string) => number;
  /** Characters kept of each news summary. @default 600 */
  maxSummaryChars?: number;
  /**
   * Trading-R1's input augmentation (papers.md §2.2: random subsets of the technical, sentiment and fundamental
   * blocks with shuffled block order give ~20 variants per (ticker, day)). Omitted: every block, in the fixed order
   * technicals, news, fundamentals, insider, macro. A number `n`: the n-th variant for (seed, ticker, asOf) — each of
   * the technicals, fundamentals and insider blocks that has data is kept with probability
   * `variantKeepProbability` (at least one of them is kept), and the block order is shuffled. Deterministic.
   * @default undefined
   */
  variant?: number;
  /** Probability that a variant keeps each of the technicals, fundamentals and insider blocks. @default 0.5 */
  variantKeepProbability?: number;
  /**
   * Where a date-only `asOf` puts the decision cutoff on the exchange (core's decision clock): `'close'` sees that
   * day's close and fills at the next open; `'pre-open'` sees everything up to that day's open and fills at it.
   * @default 'close'
   */
  cutoff?: CutoffAt;
  /**
   * Most sessions of the ticker's exchange that may close between the newest bar and the cutoff without a bar.
   * More raises `STALE_DATA` through `onSourceError` (thrown by default; `'omit'` records it and leaves technicals
   * out), so three-month-old prices are never shown as today's. @default 5
   */
  maxStaleSessions?: number;
  /**
   * When a daily bar becomes public. @default its session close on the exchange (`barCloseInstant`), so a
   * close cutoff sees that day's bar and a pre-open cutoff does not.
   */
  barPublishedAt?: (timestamp: string) => number;
}

/** What the sources gave for one (ticker, asOf, options), before variant selection and rendering. */
type GatheredContext = Pick<
  PointInTimeContext,
  'news' | 'technicals' | 'fundamentals' | 'insider' | 'macro' | 'excluded' | 'errors' | 'capped'
>;

/**
 * A memo of gathered contexts for {@link buildContext}: building many variants or token budgets of the same
 * (sources, ticker, asOf, data options) fetches and computes indicators once. Results (including source errors
 * recorded with `onSourceError: 'omit'`) are kept until evicted; `clear()` to start over.
 */
export interface ContextCache {
  /** Entries held. */
  readonly size: number;
  /** Drop every entry. */
  clear(): void;
}

interface ContextCacheStore extends ContextCache {
  get(key: string): GatheredContext | undefined;
  set(key: string, value: GatheredContext): void;
}

/** Options for {@link createContextCache}. */
export interface ContextCacheOptions {
  /** Most entries kept (least recently used evicted first). @default 256 */
  maxEntries?: number;
}

/**
 * Create a {@link ContextCache} to pass as `buildContext({ …, cache })`.
 * @throws {TradeR1Error} `INVALID_CONFIG` for a bad `maxEntries`.
 */
export function createContextCache(options: ContextCacheOptions = {}): ContextCache {
  const { maxEntries = 256 } = parseWith(
    z.strictObject({ maxEntries: z.number().int().positive().optional() }),
    options,
    {
      code: 'INVALID_CONFIG',
      label: 'context cache options',
    },
  );
  const entries = new Map<string, GatheredContext>();
  const store: ContextCacheStore = {
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
    get(key) {
      const value = entries.get(key);
      if (value !== undefined) {
        entries.delete(key);
        entries.set(key, value);
      }
      return value;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
  };
  CACHE_STORES.add(store);
  return store;
}

const CACHE_STORES = new WeakSet<object>();
const SOURCE_IDS = new WeakMap<object, number>();
let nextSourceId = 0;

function sourceId(source: object | undefined): number {
  if (!source) return -1;
  let id = SOURCE_IDS.get(source);
  if (id === undefined) {
    id = nextSourceId++;
    SOURCE_IDS.set(source, id);
  }
  return id;
}

/** Cache key: the identity of each source and every option that changes what is gathered (not variant or budget). */
function contextCacheKey(sources: ContextSources, ticker: string, asOf: string, options: BuildContextOptions): string {
  return JSON.stringify([
    [sources.prices, sources.news, sources.fundamentals, sources.insider, sources.macro].map(sourceId),
    ticker,
    asOf,
    options.newsBuckets ?? null,
    options.seed ?? 0,
    options.technicalsWindow ?? null,
    options.indicatorLookbackDays ?? null,
    options.indicators ?? null,
    options.fundamentalPeriods ?? null,
    options.maxFundamentalMetrics ?? null,
    options.fundamentalMetrics ?? null,
    options.insiderSentimentDays ?? null,
    options.insiderTransactionDays ?? null,
    options.maxInsiderTransactions ?? null,
    options.macroSeries ?? null,
    options.macroMonths ?? null,
    options.strict ?? true,
    options.onSourceError ?? 'throw',
  ]);
}

/** Options for {@link buildContext}. */
export interface BuildContextRequest {
  ticker: string;
  /**
   * Decision time: a date (`2024-06-28` = that day's close on the exchange, or its pre-open with
   * `options.cutoff`) or an instant (offset-less date-times are read in the exchange's zone).
   */
  asOf: TimeInput;
  /**
   * The exchange whose calendar places the cutoff (`XNYS`, `Nasdaq`, `SSE`, `SZSE`, …).
   * @default from the ticker: `.SH`/`.SS` Shanghai, `.SZ` Shenzhen, a plain symbol New York
   */
  exchange?: ExchangeInput;
  sources: ContextSources;
  options?: BuildContextOptions;
  /** Reuse what was gathered for the same sources, ticker, asOf and data options (see {@link createContextCache}). */
  cache?: ContextCache;
  signal?: AbortSignal;
}

const bucketSchema = z
  .strictObject({
    minDaysAgo: z.number().int().min(0),
    maxDaysAgo: z.number().int().min(0),
    cap: z.number().int().min(0),
  })
  .refine((bucket) => bucket.minDaysAgo <= bucket.maxDaysAgo, 'minDaysAgo must be <= maxDaysAgo');

const optionsSchema = z.strictObject({
  newsBuckets: z.array(bucketSchema).optional(),
  seed: z.number().int().optional(),
  technicalsWindow: z.number().int().positive().optional(),
  indicatorLookbackDays: z.number().int().min(0).optional(),
  indicators: z.array(z.enum(INDICATOR_NAMES)).optional(),
  fundamentalPeriods: z.number().int().positive().optional(),
  maxFundamentalMetrics: z.number().int().positive().optional(),
  fundamentalMetrics: z.array(z.string().min(1)).optional(),
  insiderSentimentDays: z.number().int().min(0).optional(),
  insiderTransactionDays: z.number().int().min(0).optional(),
  maxInsiderTransactions: z.number().int().min(0).optional(),
  macroSeries: z.array(z.string().min(1)).optional(),
  macroMonths: z.number().int().positive().optional(),
  strict: z.boolean().optional(),
  onSourceError: z.enum(['throw', 'omit']).optional(),
  maxTokens: z.number().int().positive().optional(),
  countTokens: z.function().optional(),
  maxSummaryChars: z.number().int().positive().optional(),
  barPublishedAt: z.function().optional(),
  cutoff: z.enum(['close', 'pre-open']).optional(),
  maxStaleSessions: z.number().int().min(0).optional(),
  variant: z.number().int().min(0).optional(),
  variantKeepProbability: z.number().min(0).max(1).optional(),
});

const requestSchema = z.strictObject({
  ticker: tickerSchema,
  asOf: z.union([z.string(), z.number(), z.date()]),
  exchange: exchangeSchema.optional(),
  sources: z.strictObject({
    prices: z.object({ getDailyBars: z.function() }).loose().optional(),
    news: z.object({ getNews: z.function() }).loose().optional(),
    fundamentals: z.object({ getFundamentals: z.function() }).loose().optional(),
    insider: z.object({ getInsiderSentiment: z.function(), getInsiderTransactions: z.function() }).loose().optional(),
    macro: z.object({ getSeries: z.function() }).loose().optional(),
  }),
  options: optionsSchema.optional(),
  cache: z
    .custom<ContextCache>(
      (value) => typeof value === 'object' && value !== null && CACHE_STORES.has(value),
      'expected a cache from createContextCache()',
    )
    .optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
});

function emptyCounts(): ExcludedCounts {
  return { future: 0, undated: 0, invalid: 0 };
}

/**
 * The bars of a precomputed series in `[start, end]` (dates) that are public by the cutoff; the others in the
 * range count as future.
 */
function seriesWindow(
  series: IndicatorSeries,
  start: string,
  end: string,
  isPublic: (bar: Bar) => boolean,
  counts: ExcludedCounts,
): Bar[] {
  const bars = series.bars;
  let low = 0;
  let high = bars.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((bars[middle] as Bar).timestamp < start) low = middle + 1;
    else high = middle;
  }
  counts.invalid += series.invalid;
  const out: Bar[] = [];
  for (let index = low; index < bars.length; index += 1) {
    const bar = bars[index] as Bar;
    if (bar.timestamp.slice(0, 10) > end) break;
    if (isPublic(bar)) out.push(bar);
    else counts.future += 1;
  }
  return out;
}

/**
 * Sessions of the exchange after `newest` whose close is at or before the cutoff: the bars a source should have had.
 * Outside the calendar's table, weekdays stand in for sessions.
 */
function sessionsMissed(newest: string, cutoffDate: string, cutoff: number, exchange: ExchangeId): number {
  if (newest >= cutoffDate) return 0;
  const from = addCalendarDays(newest, 1);
  try {
    return tradingDatesBetween(from, cutoffDate, exchange).filter((date) => barCloseInstant(date, exchange) <= cutoff)
      .length;
  } catch {
    let weekdays = 0;
    for (let date = from; date <= cutoffDate; date = addCalendarDays(date, 1)) {
      const day = new Date(`${date}T00:00:00Z`).getUTCDay();
      if (day !== 0 && day !== 6 && (date < cutoffDate || barCloseInstant(date, exchange) <= cutoff)) weekdays += 1;
    }
    return weekdays;
  }
}

/**
 * The publication instant of a source item's `publishedAt` on the exchange — core's `publicationInstant`, the rule
 * the verifier's store uses too: offset-less date-times in the exchange's zone, date-only values at the end of that
 * day there. `undefined` when it cannot be read.
 */
function publicationOf(value: unknown, exchange: ExchangeId): number | undefined {
  if (typeof value === 'number' || value instanceof Date) {
    const instant = value instanceof Date ? value.getTime() : value;
    return Number.isFinite(instant) ? instant : undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    return publicationInstant({ publishedAt: value, exchange });
  } catch {
    return undefined;
  }
}

interface Admitted<T> {
  items: T[];
  counts: ExcludedCounts;
}

/**
 * Validate items and keep those published at or before `asOf`. Undated and invalid items are counted, never
 * admitted. With `strictLabel` a future item raises `LOOKAHEAD`.
 */
function admit<T extends { publishedAt: string }>(
  raw: unknown,
  schema: z.ZodType<T, unknown>,
  asOfInstant: number,
  asOfIso: string,
  sourceName: string,
  strict: boolean,
  exchange: ExchangeId,
): Admitted<T> {
  const counts = emptyCounts();
  const items: T[] = [];
  if (!Array.isArray(raw)) {
    throw new TradeR1Error('BAD_RESPONSE', `Source ${sourceName} returned ${typeof raw}, expected an array`, {
      details: { source: sourceName },
    });
  }
  for (const entry of raw) {
    const publishedAt =
      entry && typeof entry === 'object' ? (entry as { publishedAt?: unknown }).publishedAt : undefined;
    const instant = publicationOf(publishedAt, exchange);
    if (instant === undefined) {
      counts.undated += 1;
      continue;
    }
    const result = schema.safeParse({ ...(entry as object), publishedAt: new Date(instant).toISOString() });
    if (!result.success) {
      counts.invalid += 1;
      continue;
    }
    const item = result.data;
    if (Date.parse(item.publishedAt) > asOfInstant) {
      if (strict) {
        throw new TradeR1Error(
          'LOOKAHEAD',
          `Look-ahead: source ${sourceName} returned an item published at ${item.publishedAt} for a context as of ${asOfIso}`,
          { details: { source: sourceName, publishedAt: item.publishedAt, asOf: asOfIso } },
        );
      }
      counts.future += 1;
      continue;
    }
    items.push(item);
  }
  return { items, counts };
}

function addCounts(target: ExcludedCounts, extra: ExcludedCounts): void {
  target.future += extra.future;
  target.undated += extra.undated;
  target.invalid += extra.invalid;
}

/**
 * Assemble what an LLM may see for `ticker` at `asOf` from Trading-R1's five sources (papers.md §2.2): news in
 * recency buckets (seeded sampling within caps, newest first), a 15-day technicals window with indicators computed
 * over a long lookback, fundamentals published by `asOf`, insider sentiment and transactions, and monthly
 * (first-of-month) macro series — as a typed object and a prompt text within a token budget.
 *
 * Point-in-time guarantee: every included item has `publishedAt <= asOf`; bars are included only when published by
 * `asOf` (a date-only `asOf` includes that day's bar); undated items are excluded; in strict mode a price or news
 * source that returns a future item raises `LOOKAHEAD`.
 * @throws {TradeR1Error} `INVALID_INPUT` for bad arguments, `LOOKAHEAD` (strict), `ABORTED`, or a source's error.
 */
export async function buildContext(request: BuildContextRequest): Promise<PointInTimeContext> {
  return buildContextWith(request, undefined);
}

/** Indicators computed once over a ticker's whole span, sliced per context by {@link buildContextSeries}. */
interface IndicatorSeries {
  bars: readonly Bar[];
  /** Raw rows of the fetched history that were not valid bars (counted in each context, as a per-date fetch would). */
  invalid: number;
  indexOf: ReadonlyMap<string, number>;
  values: Partial<Record<IndicatorName, Array<number | null>>>;
}

async function buildContextWith(
  request: BuildContextRequest,
  series: IndicatorSeries | undefined,
): Promise<PointInTimeContext> {
  const parsed = parseWith(requestSchema, request, { label: 'buildContext request' });
  const ticker = parsed.ticker;
  const { sources, signal } = request;
  const options = request.options ?? {};
  const strict = options.strict ?? true;
  const exchange: ExchangeId = parsed.exchange ?? exchangeForTicker(ticker);
  const { timeZone } = getExchangeCalendar(exchange);
  // The decision clock: a date-only asOf is that day's close (or pre-open) on the ticker's exchange.
  const timing = decisionTiming({ asOf: request.asOf, exchange, at: options.cutoff ?? 'close' });
  const asOfInstant = timing.cutoff;
  const asOf = timing.cutoffIso;
  const asOfDate = timing.cutoffDate;
  const cache = request.cache as ContextCacheStore | undefined;
  const cacheKey =
    cache && !options.barPublishedAt ? contextCacheKey(sources, ticker, `${exchange}|${asOf}`, options) : undefined;
  const cached = cacheKey === undefined ? undefined : cache?.get(cacheKey);
  const gathered = cached ? structuredClone(cached) : await gather();
  // Copies in and out, so that changing a returned context never changes a cached one.
  if (cacheKey !== undefined && !cached) cache?.set(cacheKey, structuredClone(gathered));
  const { news, technicals, insider, macro, excluded, errors, capped } = gathered;
  let { fundamentals } = gathered;

  async function gather(): Promise<GatheredContext> {
    const onSourceError = options.onSourceError ?? 'throw';
    const errors: PointInTimeContext['errors'] = [];
    const excluded: PointInTimeContext['excluded'] = {
      prices: emptyCounts(),
      news: emptyCounts(),
      fundamentals: emptyCounts(),
      insider: emptyCounts(),
      macro: emptyCounts(),
    };

    async function call<T>(source: string, run: () => Promise<T>, fallback: T): Promise<T> {
      throwIfAborted(signal);
      try {
        return await run();
      } catch (error) {
        const typed = toTradeR1Error(error);
        if (onSourceError === 'throw' || typed.code === 'LOOKAHEAD' || typed.code === 'ABORTED') throw typed;
        errors.push({ source, code: typed.code, message: typed.message });
        return fallback;
      }
    }
    const withSignal = signal ? { signal } : {};

    // --- Technicals ------------------------------------------------------------------------------------------
    const technicals = await call<ContextTechnicals | null>(
      'prices',
      async () => {
        if (!sources.prices) return null;
        const lookback = options.indicatorLookbackDays ?? 730;
        const uniqueBars = series
          ? seriesWindow(
              series,
              addCalendarDays(asOfDate, -lookback),
              asOfDate,
              // Only bars of the cutoff's own date can still be unpublished (a pre-open or intraday cutoff).
              (bar) =>
                bar.timestamp.slice(0, 10) < asOfDate ||
                barCloseInstant(bar.timestamp.slice(0, 10), exchange) <= asOfInstant,
              excluded.prices,
            )
          : await fetchBars(lookback);
        if (uniqueBars.length === 0) return null;
        return technicalsOf(uniqueBars);
      },
      null,
    );

    async function fetchBars(lookback: number): Promise<Bar[]> {
      if (!sources.prices) return [];
      const raw: unknown = await sources.prices.getDailyBars({
        ticker,
        start: addCalendarDays(asOfDate, -lookback),
        end: asOfDate,
        ...withSignal,
      });
      if (!Array.isArray(raw))
        throw new TradeR1Error('BAD_RESPONSE', `Price source ${sources.prices.name} did not return an array`);
      const publishedAt =
        options.barPublishedAt ??
        ((timestamp: string) => barCloseInstant(parseTimestamp(timestamp, { timeZone }).tradingDate, exchange));
      const bars: Bar[] = [];
      for (const entry of raw) {
        const result = barSchema.safeParse(entry);
        if (!result.success) {
          excluded.prices.invalid += 1;
          continue;
        }
        if (publishedAt(result.data.timestamp) > asOfInstant) {
          // A bar dated after the requested end is a source bug; the decision day's own bar before its close
          // (an intraday asOf) was asked for and is simply not public yet.
          if (strict && result.data.timestamp.slice(0, 10) > asOfDate) {
            throw new TradeR1Error(
              'LOOKAHEAD',
              `Look-ahead: price source ${sources.prices.name} returned the bar of ${result.data.timestamp} for a context as of ${asOf}`,
              { details: { source: sources.prices.name, timestamp: result.data.timestamp, asOf } },
            );
          }
          excluded.prices.future += 1;
          continue;
        }
        bars.push(result.data);
      }
      bars.sort((left, right) => (left.timestamp < right.timestamp ? -1 : left.timestamp > right.timestamp ? 1 : 0));
      return bars.filter((bar, index) => index === 0 || bar.timestamp !== (bars[index - 1] as Bar).timestamp);
    }

    function technicalsOf(unique: Bar[]): ContextTechnicals {
      if (!sources.prices) throw new TradeR1Error('INTERNAL', 'technicals without a price source');
      const newest = (unique.at(-1) as Bar).timestamp.slice(0, 10);
      const missed = sessionsMissed(newest, asOfDate, asOfInstant, exchange);
      const maxStale = options.maxStaleSessions ?? 5;
      if (missed > maxStale) {
        throw new TradeR1Error(
          'STALE_DATA',
          `Price source ${sources.prices.name} has nothing after ${newest} for ${ticker}: ${missed} sessions before the cutoff ${asOf} are missing (maxStaleSessions ${maxStale})`,
          { details: { source: sources.prices.name, ticker, newest, missedSessions: missed, asOf } },
        );
      }
      const window = options.technicalsWindow ?? 15;
      const from = Math.max(0, unique.length - window);
      const indicators: ContextTechnicals['indicators'] = {};
      // A series computed once for many days: indicator values at a bar use bars up to it only (point in
      // time), so the slice ending at this context's newest bar is what this context may see.
      const start = series?.indexOf.get((unique[0] as Bar).timestamp);
      const end = series?.indexOf.get((unique.at(-1) as Bar).timestamp);
      if (series && start !== undefined && end !== undefined && end - start + 1 === unique.length) {
        for (const [name, values] of Object.entries(series.values) as Array<[IndicatorName, Array<number | null>]>) {
          indicators[name] = values.slice(start + from, end + 1);
        }
        return { bars: unique.slice(from), indicators, lookbackBars: end + 1 };
      }
      const table = computeIndicators({
        bars: unique,
        indicators: options.indicators ?? DEFAULT_CONTEXT_INDICATORS,
        trusted: true,
      });
      for (const [name, values] of Object.entries(table.values) as Array<[IndicatorName, Array<number | null>]>) {
        indicators[name] = values.slice(from);
      }
      return { bars: unique.slice(from), indicators, lookbackBars: unique.length };
    }

    // --- News --------------------------------------------------------------------------------------------------
    const bucketSpecs = options.newsBuckets ?? TRADING_R1_NEWS_BUCKETS;
    const news: ContextNewsBucket[] = bucketSpecs.map((spec) => ({ ...spec, available: 0, items: [] }));
    if (sources.news && bucketSpecs.length > 0) {
      const newsSource = sources.news;
      const maxDays = Math.max(...bucketSpecs.map((spec) => spec.maxDaysAgo));
      const raw = await call<unknown>(
        'news',
        () => newsSource.getNews({ ticker, from: addCalendarDays(asOfDate, -maxDays), to: asOf, ...withSignal }),
        [],
      );
      const admitted = admit(raw, newsItemSchema, asOfInstant, asOf, newsSource.name, strict, exchange);
      addCounts(excluded.news, admitted.counts);
      const seen = new Set<string>();
      const unique = admitted.items.filter((item) => {
        if (seen.has(item.id)) return false;
        seen.add(item.id);
        return true;
      });
      const seed = options.seed ?? 0;
      news.forEach((bucket, bucketIndex) => {
        const members = unique.filter((item) => {
          const daysAgo = calendarDaysBetween(exchangeDateOf(Date.parse(item.publishedAt), exchange), asOfDate);
          return daysAgo >= bucket.minDaysAgo && daysAgo <= bucket.maxDaysAgo;
        });
        // Sort before sampling so the sample does not depend on the source's order.
        members.sort((left, right) =>
          left.publishedAt < right.publishedAt
            ? 1
            : left.publishedAt > right.publishedAt
              ? -1
              : left.id < right.id
                ? -1
                : 1,
        );
        bucket.available = members.length;
        const rng = createRng(deriveSeed(seed, `${ticker}|${asOf}|news|${bucketIndex}`));
        const sample = members.length <= bucket.cap ? members : rng.sample(members, bucket.cap);
        bucket.items = sample.sort((left, right) =>
          left.publishedAt < right.publishedAt
            ? 1
            : left.publishedAt > right.publishedAt
              ? -1
              : left.id < right.id
                ? -1
                : 1,
        );
      });
    }

    // --- Fundamentals ------------------------------------------------------------------------------------------
    const capped: PointInTimeContext['capped'] = { fundamentalMetrics: 0 };
    let fundamentals: ContextFundamentalMetric[] = [];
    if (sources.fundamentals) {
      const fundamentalsSource = sources.fundamentals;
      const raw = await call<unknown>(
        'fundamentals',
        () => fundamentalsSource.getFundamentals({ ticker, ...withSignal }),
        [],
      );
      const admitted = admit(raw, fundamentalFactSchema, asOfInstant, asOf, fundamentalsSource.name, false, exchange);
      addCounts(excluded.fundamentals, admitted.counts);
      const selected = selectFundamentals(admitted.items, {
        periods: options.fundamentalPeriods ?? 4,
        maxMetrics: options.maxFundamentalMetrics ?? 40,
        metrics: options.fundamentalMetrics ?? DEFAULT_FUNDAMENTAL_METRICS,
      });
      fundamentals = selected.metrics;
      capped.fundamentalMetrics = selected.droppedMetrics;
    }

    // --- Insider -----------------------------------------------------------------------------------------------
    const insider: PointInTimeContext['insider'] = { sentiment: [], transactions: [] };
    if (sources.insider) {
      const insiderSource = sources.insider;
      const sentimentRaw = await call<unknown>(
        'insider',
        () =>
          insiderSource.getInsiderSentiment({
            ticker,
            from: addCalendarDays(asOfDate, -(options.insiderSentimentDays ?? 90)),
            to: asOfDate,
            ...withSignal,
          }),
        [],
      );
      const sentiment = admit(
        sentimentRaw,
        insiderSentimentSchema,
        asOfInstant,
        asOf,
        insiderSource.name,
        false,
        exchange,
      );
      addCounts(excluded.insider, sentiment.counts);
      insider.sentiment = sentiment.items.sort((left, right) => right.year - left.year || right.month - left.month);
      const transactionsRaw = await call<unknown>(
        'insider',
        () =>
          insiderSource.getInsiderTransactions({
            ticker,
            from: addCalendarDays(asOfDate, -(options.insiderTransactionDays ?? 730)),
            to: asOfDate,
            ...withSignal,
          }),
        [],
      );
      const transactions = admit(
        transactionsRaw,
        insiderTransactionSchema,
        asOfInstant,
        asOf,
        insiderSource.name,
        false,
        exchange,
      );
      addCounts(excluded.insider, transactions.counts);
      insider.transactions = transactions.items
        .sort((left, right) =>
          left.publishedAt < right.publishedAt ? 1 : left.publishedAt > right.publishedAt ? -1 : 0,
        )
        .slice(0, options.maxInsiderTransactions ?? 25);
    }

    // --- Macro -------------------------------------------------------------------------------------------------
    const macro: PointInTimeContext['macro'] = [];
    if (sources.macro) {
      const macroSource = sources.macro;
      const months = options.macroMonths ?? 24;
      const from = `${addCalendarDays(asOfDate, -Math.ceil(months * 31)).slice(0, 7)}-01`;
      for (const seriesId of options.macroSeries ?? DEFAULT_MACRO_SERIES) {
        const raw = await call<unknown>(
          'macro',
          () => macroSource.getSeries({ seriesId, from, to: asOfDate, ...withSignal }),
          [],
        );
        const admitted = admit(raw, macroObservationSchema, asOfInstant, asOf, macroSource.name, false, exchange);
        addCounts(excluded.macro, admitted.counts);
        // Monthly frequency: the first observation of each month (day 01 for monthly series), with a value.
        const firstOfMonth = new Map<string, MacroObservation>();
        for (const observation of admitted.items) {
          if (observation.seriesId !== seriesId || observation.value === null) continue;
          const month = observation.date.slice(0, 7);
          const current = firstOfMonth.get(month);
          if (
            !current ||
            observation.date < current.date ||
            (observation.date === current.date && observation.publishedAt > current.publishedAt)
          ) {
            firstOfMonth.set(month, observation);
          }
        }
        const observations = [...firstOfMonth.values()]
          .sort((left, right) => (left.date < right.date ? -1 : 1))
          .slice(-months);
        macro.push({ seriesId, observations });
      }
    }
    return { news, technicals, fundamentals, insider, macro, excluded, errors, capped };
  }

  throwIfAborted(signal);
  let sections = [...CONTEXT_SECTIONS];
  let technicalsBlock = technicals;
  let insiderBlock = insider;
  if (options.variant !== undefined) {
    const rng = createRng(deriveSeed(options.seed ?? 0, `${ticker}|${asOf}|variant|${options.variant}`));
    const keepProbability = options.variantKeepProbability ?? 0.5;
    const present = (['technicals', 'fundamentals', 'insider'] as const).filter((section) =>
      section === 'technicals'
        ? technicals !== null
        : section === 'fundamentals'
          ? fundamentals.length > 0
          : insider.sentiment.length + insider.transactions.length > 0,
    );
    let kept: ContextSection[] = present.filter(() => rng.next() < keepProbability);
    if (kept.length === 0 && present.length > 0) kept = [present[rng.int(0, present.length - 1)] as ContextSection];
    const dropped = new Set<ContextSection>(present.filter((section) => !kept.includes(section)));
    if (dropped.has('technicals')) technicalsBlock = null;
    if (dropped.has('fundamentals')) fundamentals = [];
    if (dropped.has('insider')) insiderBlock = { sentiment: [], transactions: [] };
    sections = rng.shuffle(sections.filter((section) => !dropped.has(section)));
  }
  const context: Omit<PointInTimeContext, 'prompt' | 'tokens' | 'trimmed'> = {
    ticker,
    exchange,
    asOf,
    asOfDate,
    fillDate: timing.fill.date,
    sections,
    news,
    technicals: technicalsBlock,
    fundamentals,
    insider: insiderBlock,
    macro,
    excluded,
    errors,
    capped,
  };
  const rendered = renderContextPrompt(context, {
    maxTokens: options.maxTokens ?? 16_000,
    countTokens: options.countTokens ?? estimateTokens,
    maxSummaryChars: options.maxSummaryChars ?? 600,
  });
  return { ...rendered.context, prompt: rendered.prompt, tokens: rendered.tokens, trimmed: rendered.trimmed };
}

/** A request for {@link buildContextSeries}: {@link BuildContextRequest} with many decision dates. */
export interface BuildContextSeriesRequest extends Omit<BuildContextRequest, 'asOf' | 'cache'> {
  /** Decision dates or instants, in any order. */
  asOfs: readonly TimeInput[];
}

const seriesRequestSchema = z.object({ asOfs: z.array(z.union([z.string(), z.number(), z.date()])).min(1) });

/**
 * {@link buildContext} for many decision dates of one ticker, with the price history fetched once and indicators
 * computed once over it, then sliced per date: each context sees bars published by its own cutoff only (indicator
 * values at a bar depend on bars up to it), with a warm-up that starts `indicatorLookbackDays` before the earliest
 * date. News, fundamentals, insider and macro are requested per date as in `buildContext`.
 * @returns the contexts in the order of `asOfs`.
 */
export async function buildContextSeries(request: BuildContextSeriesRequest): Promise<PointInTimeContext[]> {
  const { asOfs } = parseWith(seriesRequestSchema, request, { label: 'buildContextSeries request' });
  const { asOfs: _asOfs, ...rest } = request;
  const base = parseWith(requestSchema, { ...rest, asOf: asOfs[0] }, { label: 'buildContextSeries request' });
  const options = request.options ?? {};
  const exchange: ExchangeId = base.exchange ?? exchangeForTicker(base.ticker);
  const prices = request.sources.prices;
  let series: IndicatorSeries | undefined;
  let sources = request.sources;
  if (prices && !options.barPublishedAt) {
    const dates = asOfs
      .map((asOf) => decisionTiming({ asOf, exchange, at: options.cutoff ?? 'close' }).cutoffDate)
      .sort();
    const first = dates[0] as string;
    const last = dates.at(-1) as string;
    const raw: unknown = await prices.getDailyBars({
      ticker: base.ticker,
      start: addCalendarDays(first, -(options.indicatorLookbackDays ?? 730)),
      end: last,
      ...(request.signal && { signal: request.signal }),
    });
    if (!Array.isArray(raw))
      throw new TradeR1Error('BAD_RESPONSE', `Price source ${prices.name} did not return an array`);
    const valid: Bar[] = [];
    let invalid = 0;
    for (const entry of raw) {
      const result = barSchema.safeParse(entry);
      if (!result.success) invalid += 1;
      else if (result.data.timestamp.slice(0, 10) <= last) valid.push(result.data);
    }
    valid.sort((left, right) => (left.timestamp < right.timestamp ? -1 : left.timestamp > right.timestamp ? 1 : 0));
    const bars = valid.filter((bar, index) => index === 0 || bar.timestamp !== (valid[index - 1] as Bar).timestamp);
    const table = computeIndicators({
      bars,
      indicators: options.indicators ?? DEFAULT_CONTEXT_INDICATORS,
      trusted: true,
    });
    series = {
      bars,
      invalid,
      indexOf: new Map(bars.map((bar, index) => [bar.timestamp, index])),
      values: table.values,
    };
    // Each context asks this memo for its window; invalid raw rows are counted by the per-date call as usual.
    sources = {
      ...request.sources,
      prices: {
        name: prices.name,
        async getDailyBars(window) {
          return (raw as unknown[]).filter((entry) => {
            const timestamp = (entry as { timestamp?: unknown } | null)?.timestamp;
            if (typeof timestamp !== 'string') return true;
            return (window.start === undefined || timestamp >= window.start) && timestamp.slice(0, 10) <= window.end;
          }) as Bar[];
        },
      },
    };
  }
  const contexts: PointInTimeContext[] = [];
  for (const asOf of asOfs) {
    throwIfAborted(request.signal);
    contexts.push(await buildContextWith({ ...rest, sources, asOf }, series));
  }
  return contexts;
}
