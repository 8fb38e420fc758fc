import { createHash } from 'node:crypto';
import { type Bar, type ErrorCode, isTimeZone, TradeR1Error, tickerSchema, zonedTimeToInstant } from '@trade-r1/core';
import { z } from 'zod';
import type { NewsItem, NewsSource, PriceRequest, PriceSource, WindowRequest } from '../sources.ts';
import {
  createProviderClient,
  type HttpProviderOptions,
  type InvalidRowPolicy,
  type PriceFetchResult,
  parseProviderOptions,
  parseVendorResponse,
  type RawBarRow,
  reportSkip,
  resolveApiKey,
  retryable,
  rowsToBars,
  type SkippedItem,
  utcDate,
  validatePriceRequest,
  validateWindowRequest,
  vendorSymbol,
} from './shared.ts';

/**
 * Alpha Vantage (`https://www.alphavantage.co/query`), shapes per https://www.alphavantage.co/documentation/:
 * - `TIME_SERIES_DAILY`: `{ "Meta Data": {…}, "Time Series (Daily)": { "2024-01-05": { "1. open": "…",
 *   "2. high", "3. low", "4. close", "5. volume" } } }` (numbers as strings, newest first).
 * - `TIME_SERIES_DAILY_ADJUSTED`: the same with `"5. adjusted close"`, `"6. volume"`, `"7. dividend amount"`,
 *   `"8. split coefficient"`.
 * - `NEWS_SENTIMENT`: `{ items, sentiment_score_definition, relevance_score_definition, feed: [{ title, url,
 *   time_published: "20240105T143000", summary, source, ticker_sentiment: [{ ticker, … }], … }] }`.
 * - Errors arrive with HTTP 200: `{ "Error Message": … }` (invalid call, e.g. unknown symbol), `{ "Note": … }`
 *   (per-minute call frequency exceeded), `{ "Information": … }` (daily limit, premium endpoint, bad key).
 */

const numeric = z.string().regex(/^\s*-?\d+(\.\d+)?\s*$/, 'expected a numeric string');

const dailyRowSchema = z.object({
  '1. open': numeric,
  '2. high': numeric,
  '3. low': numeric,
  '4. close': numeric,
  '5. volume': numeric.optional(),
  '5. adjusted close': numeric.optional(),
  '6. volume': numeric.optional(),
});

const dailySchema = z.object({
  'Meta Data': z.record(z.string(), z.string()),
  'Time Series (Daily)': z.record(z.string(), dailyRowSchema),
});

const newsSchema = z.object({
  items: z.string().optional(),
  feed: z.array(
    z.object({
      title: z.string(),
      url: z.string(),
      time_published: z.string().regex(/^\d{8}T\d{4}(\d{2})?$/, 'expected YYYYMMDDTHHMM[SS]'),
      summary: z.string().nullable().optional(),
      source: z.string().nullable().optional(),
      ticker_sentiment: z.array(z.object({ ticker: z.string() })).optional(),
    }),
  ),
});

function vendorNotice(body: unknown): TradeR1Error | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const record = body as Record<string, unknown>;
  const text = (key: string): string | undefined =>
    typeof record[key] === 'string' ? (record[key] as string) : undefined;
  const errorMessage = text('Error Message');
  if (errorMessage !== undefined) {
    return new TradeR1Error('NOT_FOUND', `Alpha Vantage: ${errorMessage}`, {
      details: { vendorField: 'Error Message' },
    });
  }
  const note = text('Note');
  if (note !== undefined) {
    return retryable(new TradeR1Error('RATE_LIMITED', `Alpha Vantage: ${note}`, { details: { vendorField: 'Note' } }));
  }
  const information = text('Information');
  if (information !== undefined) {
    if (/per second|spreading out/i.test(information)) {
      // The burst limit ("1 request per second"): worth a retry after a backoff.
      return retryable(
        new TradeR1Error('RATE_LIMITED', `Alpha Vantage: ${information}`, { details: { vendorField: 'Information' } }),
      );
    }
    let code: ErrorCode = 'UNAUTHORIZED';
    if (/rate limit|requests? per|call frequency|per day/i.test(information)) code = 'RATE_LIMITED';
    else if (/invalid inputs?/i.test(information)) code = 'NOT_FOUND';
    return new TradeR1Error(code, `Alpha Vantage: ${information}`, { details: { vendorField: 'Information' } });
  }
  return undefined;
}

/** Options for {@link createAlphaVantageSource}. */
export interface AlphaVantageSourceOptions extends HttpProviderOptions {
  /** API key. @default process.env.ALPHAVANTAGE_API_KEY */
  apiKey?: string;
  /**
   * `false`: `TIME_SERIES_DAILY` (raw, as traded). `true`: `TIME_SERIES_DAILY_ADJUSTED` (premium) with open, high
   * and low scaled by `adjusted close / close`. @default false
   */
  adjusted?: boolean;
  /**
   * `compact` returns the latest 100 bars; `full` the whole history, which Alpha Vantage serves to premium keys
   * only (a free key gets an `"Information"` body, `UNAUTHORIZED`). With `compact`, a request reaching further back
   * than the 100 bars is answered with what there is and the gap is reported through `onSkip`. @default 'compact'
   */
  outputSize?: 'compact' | 'full';
  /** What to do with a row that violates bar invariants. @default 'error' */
  onInvalid?: InvalidRowPolicy;
  /**
   * Time zone that `time_published` of NEWS_SENTIMENT is read in. The documentation does not state one; reading
   * the wall time as US Eastern gives the later of the two plausible instants (Eastern or UTC), which can only
   * delay an article, never leak it early. @default 'America/New_York'
   */
  newsTimeZone?: string;
  /** NEWS_SENTIMENT `limit` per request (at most 1000); fuller windows are paged newest first. @default 1000 */
  newsLimit?: number;
  /** Most NEWS_SENTIMENT requests per `getNews` call; hitting it is reported through `onSkip`. @default 20 */
  maxNewsPages?: number;
}

/** Alpha Vantage as a {@link PriceSource} and {@link NewsSource}. */
export interface AlphaVantageSource extends PriceSource, NewsSource {
  /** Like `getDailyBars`, with the rows that were skipped. */
  getDailyBarsWithReport(request: PriceRequest): Promise<PriceFetchResult>;
}

/**
 * Alpha Vantage daily prices (TIME_SERIES_DAILY or _ADJUSTED) and news (NEWS_SENTIMENT). The key goes in the
 * `apikey` query parameter (Alpha Vantage accepts nothing else) but is kept out of cache keys and errors.
 * Error bodies sent with HTTP 200 become typed errors: `"Error Message"` → `NOT_FOUND`, `"Note"` →
 * `RATE_LIMITED` (retried), `"Information"` → `RATE_LIMITED` (daily limit) or `UNAUTHORIZED` (key or plan).
 * Bars are restricted to `[start, end]`; news to articles published in the window (the query is widened by a day
 * on each side and filtered exactly). Default rate limit: 1 request/s (the free plan also caps requests per day).
 * @throws {TradeR1Error} `UNAUTHORIZED` when no API key is configured.
 */
export function createAlphaVantageSource(options: AlphaVantageSourceOptions = {}): AlphaVantageSource {
  parseProviderOptions('createAlphaVantageSource()', options, [
    'apiKey',
    'adjusted',
    'outputSize',
    'onInvalid',
    'newsTimeZone',
    'newsLimit',
    'maxNewsPages',
  ]);
  const vendor = 'Alpha Vantage';
  const apiKey = resolveApiKey(vendor, options.apiKey, 'ALPHAVANTAGE_API_KEY', options.env);
  const client = createProviderClient(
    vendor,
    'https://www.alphavantage.co',
    { capacity: 1, refillPerSecond: 1 },
    options,
    {
      secrets: [apiKey],
    },
  );
  const adjusted = options.adjusted ?? false;
  const onInvalid = options.onInvalid ?? 'error';
  const newsTimeZone = options.newsTimeZone ?? 'America/New_York';
  if (!isTimeZone(newsTimeZone)) {
    throw new TradeR1Error('INVALID_CONFIG', `${vendor}: unknown time zone ${newsTimeZone}`, {
      details: { newsTimeZone },
    });
  }
  const newsLimit = Math.min(1000, Math.max(1, Math.floor(options.newsLimit ?? 1000)));
  const maxNewsPages = Math.max(1, Math.floor(options.maxNewsPages ?? 20));
  const outputSize = options.outputSize ?? 'compact';

  async function getDailyBarsWithReport(request: PriceRequest): Promise<PriceFetchResult> {
    const { ticker, start, end } = validatePriceRequest(vendor, request);
    const functionName = adjusted ? 'TIME_SERIES_DAILY_ADJUSTED' : 'TIME_SERIES_DAILY';
    const { value } = await client.request({
      path: '/query',
      query: {
        function: functionName,
        symbol: vendorSymbol('alphavantage', ticker, options.symbols),
        outputsize: outputSize,
        datatype: 'json',
      },
      secretQuery: { apikey: apiKey },
      signal: request.signal,
      parse: (body) => {
        const notice = vendorNotice(body);
        if (notice) throw notice;
        return parseVendorResponse(vendor, functionName, dailySchema, body);
      },
    });
    const rows: RawBarRow[] = Object.entries(value['Time Series (Daily)']).map(([date, row]) => {
      const close = Number(row['4. close']);
      const volumeText = adjusted ? (row['6. volume'] ?? row['5. volume']) : row['5. volume'];
      const volume = volumeText === undefined ? null : Number(volumeText);
      let open = Number(row['1. open']);
      let high = Number(row['2. high']);
      let low = Number(row['3. low']);
      let finalClose: number | null = close;
      if (adjusted) {
        const adjustedClose = row['5. adjusted close'];
        if (adjustedClose === undefined || close === 0) {
          finalClose = null;
        } else {
          const factor = Number(adjustedClose) / close;
          open *= factor;
          high *= factor;
          low *= factor;
          finalClose = Number(adjustedClose);
        }
      }
      return { date, open, high, low, close: finalClose, volume };
    });
    const result = rowsToBars(rows, { vendor, ticker, start, end, onInvalid, onSkip: options.onSkip });
    const oldest = rows.reduce<string | undefined>(
      (min, row) => (min === undefined || row.date < min ? row.date : min),
      undefined,
    );
    if (outputSize === 'compact' && start !== undefined && oldest !== undefined && oldest > start) {
      reportSkip(
        options.onSkip,
        {
          vendor,
          kind: 'bar',
          subject: ticker,
          index: -1,
          date: oldest,
          reason: `outputsize=compact returns the latest 100 bars: nothing before ${oldest} (requested from ${start}); outputSize 'full' needs a premium key`,
        },
        result.skipped,
      );
    }
    return result;
  }

  async function getNews(request: WindowRequest): Promise<NewsItem[]> {
    const window = validateWindowRequest(vendor, request);
    const day = 86_400_000;
    const stamp = (epochMs: number): string => `${utcDate(epochMs).replaceAll('-', '')}T0000`;
    const timeFrom = stamp(window.fromMs - day);
    const byId = new Map<string, NewsItem>();
    const skipped: SkippedItem[] = [];
    // Newest first, one page at a time: a page of `limit` articles may hide older ones, so the next page ends at
    // the oldest article's minute (Alpha Vantage has no offset parameter; repeats are dropped by id).
    let timeTo = stamp(window.toMs + 2 * day);
    for (let page = 0; ; page += 1) {
      if (page === maxNewsPages) {
        reportSkip(
          options.onSkip,
          {
            vendor,
            kind: 'news',
            subject: window.ticker,
            index: -1,
            date: timeTo,
            reason: `stopped after ${maxNewsPages} NEWS_SENTIMENT pages: articles before ${timeTo} were not fetched (raise maxNewsPages)`,
          },
          skipped,
        );
        break;
      }
      const { value } = await client.request({
        path: '/query',
        query: {
          function: 'NEWS_SENTIMENT',
          tickers: vendorSymbol('alphavantage', window.ticker, options.symbols),
          time_from: timeFrom,
          time_to: timeTo,
          sort: 'LATEST',
          limit: newsLimit,
        },
        secretQuery: { apikey: apiKey },
        signal: request.signal,
        parse: (body) => {
          const notice = vendorNotice(body);
          if (notice) throw notice;
          return parseVendorResponse(vendor, 'NEWS_SENTIMENT', newsSchema, body);
        },
      });
      let oldest: string | undefined;
      value.feed.forEach((article, index) => {
        const stampText = article.time_published;
        if (oldest === undefined || stampText < oldest) oldest = stampText;
        const instant = newsInstant(stampText, newsTimeZone);
        if (!Number.isFinite(instant)) {
          reportSkip(
            options.onSkip,
            {
              vendor,
              kind: 'news',
              subject: window.ticker,
              index,
              date: stampText,
              reason: 'unparseable time_published',
            },
            skipped,
          );
          return;
        }
        if (instant < window.fromMs || instant > window.toMs) return;
        const tickers = new Set<string>([window.ticker]);
        for (const sentiment of article.ticker_sentiment ?? []) {
          const parsed = tickerSchema.safeParse(sentiment.ticker);
          if (parsed.success) tickers.add(parsed.data);
        }
        const id = `alphavantage:${createHash('sha256').update(`${article.url}\n${stampText}`).digest('hex').slice(0, 24)}`;
        byId.set(id, {
          id,
          tickers: [...tickers],
          publishedAt: new Date(instant).toISOString(),
          headline: article.title,
          summary: article.summary ?? '',
          source: article.source ?? 'Alpha Vantage',
          url: article.url,
        });
      });
      if (value.feed.length < newsLimit || oldest === undefined) break;
      const next = oldest.slice(0, 13);
      // A full page within one minute cannot be paged further by time.
      if (next >= timeTo || next <= timeFrom) {
        if (next >= timeTo) {
          reportSkip(
            options.onSkip,
            {
              vendor,
              kind: 'news',
              subject: window.ticker,
              index: -1,
              date: next,
              reason: `${newsLimit} articles in the minute ${next}: older ones in the window could not be paged`,
            },
            skipped,
          );
        }
        break;
      }
      timeTo = next;
    }
    const items = [...byId.values()];
    items.sort((left, right) => left.publishedAt.localeCompare(right.publishedAt) || left.id.localeCompare(right.id));
    return items;
  }

  return {
    name: 'alphavantage',
    priceBasis: adjusted ? 'total-return' : 'raw',
    getDailyBarsWithReport,
    async getDailyBars(request): Promise<Bar[]> {
      return (await getDailyBarsWithReport(request)).bars;
    },
    getNews,
  };
}

/**
 * The instant of a `time_published` stamp (`20240105T143000`, wall time in `timeZone`); a repeated autumn hour is
 * read as the later instant, so an article is never admitted early. NaN for a stamp that is not a time.
 */
function newsInstant(stamp: string, timeZone: string): number {
  const date = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}`;
  const time = {
    hour: Number(stamp.slice(9, 11)),
    minute: Number(stamp.slice(11, 13)),
    second: stamp.length > 13 ? Number(stamp.slice(13, 15)) : 0,
  };
  try {
    return zonedTimeToInstant(date, time, timeZone, { repeated: 'later' });
  } catch {
    return Number.NaN;
  }
}
