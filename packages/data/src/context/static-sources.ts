import { type Bar, parsePriceSeries, parseTimestamp, parseWith, throwIfAborted, toInstant } from '@trade-r1/core';
import { z } from 'zod';
import type {
  FundamentalFact,
  FundamentalsSource,
  InsiderSentiment,
  InsiderSource,
  InsiderTransaction,
  MacroObservation,
  MacroSource,
  NewsItem,
  NewsSource,
  PriceSource,
} from '../sources.ts';
import {
  fundamentalFactSchema,
  insiderSentimentSchema,
  insiderTransactionSchema,
  macroObservationSchema,
  newsItemSchema,
} from './item-schemas.ts';

/** In-memory data for {@link createStaticSources}. */
export interface StaticSourcesData {
  /** Daily bars per ticker (ascending; validated). */
  bars?: Record<string, readonly Bar[]>;
  /** News items (any tickers; matched by `tickers`). */
  news?: readonly NewsItem[];
  fundamentals?: readonly FundamentalFact[];
  insiderSentiment?: readonly InsiderSentiment[];
  insiderTransactions?: readonly InsiderTransaction[];
  macro?: readonly MacroObservation[];
  /** Source name reported by every source. @default 'static' */
  name?: string;
  /**
   * IANA zone in which to read `publishedAt` values without an offset (and whose end of day a date-only value
   * means). @default none: an offset-less `publishedAt` is rejected, a date-only one is the end of its UTC day
   */
  timeZone?: string;
}

/** The five sources, all backed by the same in-memory data. */
export interface StaticSources {
  prices: PriceSource;
  news: NewsSource;
  fundamentals: FundamentalsSource;
  insider: InsiderSource;
  macro: MacroSource;
}

const dataSchema = z.object({
  bars: z.record(z.string(), z.array(z.unknown())).optional(),
  news: z.array(newsItemSchema).optional(),
  fundamentals: z.array(fundamentalFactSchema).optional(),
  insiderSentiment: z.array(insiderSentimentSchema).optional(),
  insiderTransactions: z.array(insiderTransactionSchema).optional(),
  macro: z.array(macroObservationSchema).optional(),
  name: z.string().optional(),
  timeZone: z.string().optional(),
});

const PUBLISHED_LISTS = ['news', 'fundamentals', 'insiderSentiment', 'insiderTransactions', 'macro'] as const;

/** Rewrite each item's `publishedAt` as a UTC instant read in `timeZone` (unreadable values are left to the schema). */
function inZone(data: StaticSourcesData, timeZone: string): StaticSourcesData {
  const copy: Record<string, unknown> = { ...data };
  for (const key of PUBLISHED_LISTS) {
    const list = data[key];
    if (!Array.isArray(list)) continue;
    copy[key] = list.map((item: unknown) => {
      const publishedAt = (item as { publishedAt?: unknown } | null)?.publishedAt;
      if (typeof publishedAt !== 'string') return item;
      try {
        return { ...(item as object), publishedAt: new Date(toInstant(publishedAt, { timeZone })).toISOString() };
      } catch {
        return item;
      }
    });
  }
  return copy as StaticSourcesData;
}

/** Start of a window bound: a date-only value means the start of that UTC day. */
function windowStart(value: string): number {
  return parseTimestamp(value).instant;
}

/** End of a window bound: a date-only value means the end of that UTC day. */
function windowEnd(value: string): number {
  return toInstant(value);
}

function byTicker(ticker: string): (item: { ticker: string }) => boolean {
  const wanted = ticker.toUpperCase();
  return (item) => item.ticker.toUpperCase() === wanted;
}

/**
 * In-memory sources for tests, examples and users with their own files: each request is answered from `data` the
 * way a correct vendor would — bars in `[start, end]`, news and insider transactions by publication time in
 * `[from, to]`, insider sentiment by month in the window, macro observations by date in `[from, to]` (publication
 * may be later; the context builder filters that), fundamentals in full (the builder keeps facts published by
 * `asOf`). Items are validated and `publishedAt` normalised to UTC ISO instants.
 * @throws {TradeR1Error} `INVALID_INPUT` / `INVALID_SERIES` for malformed data.
 */
export function createStaticSources(data: StaticSourcesData): StaticSources {
  const zone = (data as { timeZone?: unknown } | undefined)?.timeZone;
  const parsed = parseWith(dataSchema, typeof zone === 'string' ? inZone(data, zone) : data, {
    label: 'static sources data',
  });
  const name = parsed.name ?? 'static';
  const bars = new Map<string, Bar[]>();
  for (const [ticker, series] of Object.entries(data.bars ?? {})) {
    bars.set(ticker.toUpperCase(), parsePriceSeries(series, { ticker }));
  }
  const news = parsed.news ?? [];
  const fundamentals = parsed.fundamentals ?? [];
  const sentiment = parsed.insiderSentiment ?? [];
  const transactions = parsed.insiderTransactions ?? [];
  const macro = parsed.macro ?? [];
  return {
    prices: {
      name,
      async getDailyBars(request) {
        throwIfAborted(request.signal);
        const series = bars.get(request.ticker.toUpperCase()) ?? [];
        const end = request.end;
        const start = request.start;
        return series.filter(
          (bar) => (start === undefined || bar.timestamp >= start) && bar.timestamp.slice(0, 10) <= end,
        );
      },
    },
    news: {
      name,
      async getNews(request) {
        throwIfAborted(request.signal);
        const from = windowStart(request.from);
        const to = windowEnd(request.to);
        const wanted = request.ticker.toUpperCase();
        return news
          .filter((item) => item.tickers.some((ticker) => ticker.toUpperCase() === wanted))
          .filter((item) => {
            const instant = Date.parse(item.publishedAt);
            return instant >= from && instant <= to;
          })
          .map((item) => ({ ...item, tickers: [...item.tickers] }));
      },
    },
    fundamentals: {
      name,
      async getFundamentals(request) {
        throwIfAborted(request.signal);
        return fundamentals.filter(byTicker(request.ticker)).map((item) => ({ ...item }));
      },
    },
    insider: {
      name,
      async getInsiderSentiment(request) {
        throwIfAborted(request.signal);
        const from = request.from.slice(0, 7);
        const to = request.to.slice(0, 7);
        return sentiment
          .filter(byTicker(request.ticker))
          .filter((item) => {
            const month = `${item.year}-${String(item.month).padStart(2, '0')}`;
            return month >= from && month <= to;
          })
          .map((item) => ({ ...item }));
      },
      async getInsiderTransactions(request) {
        throwIfAborted(request.signal);
        const from = windowStart(request.from);
        const to = windowEnd(request.to);
        return transactions
          .filter(byTicker(request.ticker))
          .filter((item) => {
            const instant = Date.parse(item.publishedAt);
            return instant >= from && instant <= to;
          })
          .map((item) => ({ ...item }));
      },
    },
    macro: {
      name,
      async getSeries(request) {
        throwIfAborted(request.signal);
        const from = request.from.slice(0, 10);
        const to = request.to.slice(0, 10);
        return macro
          .filter((item) => item.seriesId === request.seriesId && item.date >= from && item.date <= to)
          .map((item) => ({ ...item }));
      },
    },
  };
}
