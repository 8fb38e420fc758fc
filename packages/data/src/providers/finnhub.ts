import { addCalendarDays, type ErrorCode, isIsoDate, TradeR1Error, tickerSchema, toIsoInstant } from '@trade-r1/core';
import { z } from 'zod';
import type {
  FundamentalFact,
  FundamentalsRequest,
  FundamentalsSource,
  InsiderSentiment,
  InsiderSource,
  InsiderTransaction,
  NewsItem,
  NewsSource,
  WindowRequest,
} from '../sources.ts';
import {
  createProviderClient,
  type HttpProviderOptions,
  parseProviderOptions,
  parseVendorResponse,
  reportSkip,
  resolveApiKey,
  type SkippedItem,
  validateTickerRequest,
  validateWindowRequest,
  vendorSymbol,
} from './shared.ts';

/**
 * Finnhub (`https://finnhub.io/api/v1`), shapes per https://finnhub.io/docs/api (and the generated clients in
 * Finnhub-Stock-API/finnhub-*, whose models mirror the OpenAPI spec):
 * - `/company-news?symbol&from&to` → `[{ category, datetime (unix seconds), headline, id, image, related, source,
 *   summary, url }]`
 * - `/stock/insider-sentiment?symbol&from&to` → `{ data: [{ symbol, year, month, change, mspr }], symbol }`
 * - `/stock/insider-transactions?symbol&from&to` → `{ data: [{ name, share, change, filingDate, transactionDate,
 *   transactionCode, transactionPrice, … }], symbol }`
 * - `/stock/metric?symbol&metric=all` → `{ metric: {…snapshot}, metricType, series: { annual: { name: [{ period,
 *   v }] }, quarterly: {…} }, symbol }`
 * - Errors: `{ "error": "…" }` with HTTP 401/403 (key or plan) or 429 (rate limit).
 */

const newsSchema = z.array(
  z.object({
    category: z.string().nullable().optional(),
    datetime: z.number(),
    headline: z.string(),
    id: z.union([z.number(), z.string()]),
    related: z.string().nullable().optional(),
    source: z.string().nullable().optional(),
    summary: z.string().nullable().optional(),
    url: z.string().nullable().optional(),
  }),
);

const sentimentSchema = z.object({
  data: z.array(
    z.object({
      symbol: z.string().optional(),
      year: z.number().int(),
      month: z.number().int().min(1).max(12),
      change: z.number(),
      mspr: z.number(),
    }),
  ),
  symbol: z.string().optional(),
});

const transactionsSchema = z.object({
  data: z.array(
    z.object({
      name: z.string().nullable().optional(),
      share: z.number().nullable().optional(),
      change: z.number().nullable().optional(),
      filingDate: z.string().nullable().optional(),
      transactionDate: z.string().nullable().optional(),
      transactionCode: z.string().nullable().optional(),
      transactionPrice: z.number().nullable().optional(),
    }),
  ),
  symbol: z.string().optional(),
});

const seriesPointSchema = z.object({ period: z.string(), v: z.number().nullable().optional() });

const metricSchema = z.object({
  metric: z.record(z.string(), z.unknown()).optional(),
  metricType: z.string().optional(),
  series: z
    .object({
      annual: z.record(z.string(), z.array(seriesPointSchema)).optional(),
      quarterly: z.record(z.string(), z.array(seriesPointSchema)).optional(),
    })
    .optional(),
  symbol: z.string().optional(),
});

function describeFinnhubError(status: number, body: unknown): { code?: ErrorCode; message?: string } | undefined {
  if (body === null || typeof body !== 'object' || typeof (body as { error?: unknown }).error !== 'string') {
    return undefined;
  }
  const message = (body as { error: string }).error;
  if (status === 429 || /limit reached/i.test(message)) return { code: 'RATE_LIMITED', message };
  if (status === 401 || status === 403 || /api key|access/i.test(message)) return { code: 'UNAUTHORIZED', message };
  return { message };
}

/** Options for {@link createFinnhubSource}. */
export interface FinnhubSourceOptions extends HttpProviderOptions {
  /** API key. @default process.env.FINNHUB_API_KEY */
  apiKey?: string;
  /** Send the key as the `X-Finnhub-Token` header (kept out of URLs and proxy logs) or the `token` query parameter. @default 'header' */
  tokenIn?: 'header' | 'query';
  /**
   * Days after a period's end at which a `/stock/metric` series value is taken as public. Finnhub gives no filing
   * date, so the defaults are the latest SEC deadlines for US domestic filers (10-K: 90 days, 10-Q: 45 days); raise
   * them for foreign issuers (20-F: 4 months). A quarterly point ending on a fiscal year end (a date of the annual
   * series) is the fourth quarter, reported in the 10-K: it takes the annual lag. @default { annual: 90, quarterly: 45 }
   */
  seriesPublicationLagDays?: { annual?: number; quarterly?: number };
  /** Include analyst upgrades and downgrades (`getUpgradesDowngrades`) in `getNews`. @default false */
  newsIncludesRatings?: boolean;
  /** Set `false` to return no `/stock/metric` series values at all. @default true */
  includeMetricSeries?: boolean;
}

/** Finnhub as a {@link NewsSource}, {@link InsiderSource} and {@link FundamentalsSource}. */
export interface FinnhubSource extends NewsSource, InsiderSource, FundamentalsSource {
  /**
   * Analyst rating changes (`/stock/upgrade-downgrade`) in the window as news items ("Barclays downgrades AAPL
   * from Equal-Weight to Underweight"), dated at `gradeTime`; Trading-R1's sentiment source includes them.
   */
  getUpgradesDowngrades(request: WindowRequest): Promise<NewsItem[]>;
}

const ratingChangesSchema = z.array(
  z.object({
    symbol: z.string().optional(),
    gradeTime: z.number(),
    company: z.string(),
    fromGrade: z.string().nullable().optional(),
    toGrade: z.string().nullable().optional(),
    action: z.string(),
  }),
);

const RATING_ACTIONS: Record<string, string> = {
  up: 'upgrades',
  down: 'downgrades',
  main: 'maintains',
  init: 'initiates coverage of',
  reit: 'reiterates',
};

const DAY_MS = 86_400_000;

/**
 * Finnhub company news, insider sentiment and transactions, and basic financials.
 *
 * Dating (every item carries `publishedAt`):
 * - news: `datetime` (unix seconds); items with no datetime are skipped and reported;
 * - insider sentiment: the first instant of the month after the month it aggregates (it cannot be known before);
 * - insider transactions: the end of the `filingDate` (UTC day); rows without a filing date are skipped and
 *   reported;
 * - basic financials: only the `series` values (annual/quarterly with a `period` end), dated period end + the
 *   publication lag (see `seriesPublicationLagDays`). The `metric` snapshot is excluded: it is undated (computed
 *   "now"), so it cannot be placed in time.
 *
 * Window requests return items published in `[from, to]` (the vendor query is widened where its own date filter
 * is on another field, then filtered exactly). Default rate limit: bursts of 5, 1 request/s (free plan: 60/min).
 * @throws {TradeR1Error} `UNAUTHORIZED` when no API key is configured.
 */
export function createFinnhubSource(options: FinnhubSourceOptions = {}): FinnhubSource {
  parseProviderOptions('createFinnhubSource()', options, [
    'apiKey',
    'tokenIn',
    'seriesPublicationLagDays',
    'newsIncludesRatings',
    'includeMetricSeries',
  ]);
  const vendor = 'Finnhub';
  const apiKey = resolveApiKey(vendor, options.apiKey, 'FINNHUB_API_KEY', options.env);
  const tokenIn = options.tokenIn ?? 'header';
  const client = createProviderClient(
    vendor,
    'https://finnhub.io/api/v1',
    { capacity: 5, refillPerSecond: 1 },
    options,
    {
      secrets: [apiKey],
      describeError: describeFinnhubError,
    },
  );
  const annualLag = options.seriesPublicationLagDays?.annual ?? 90;
  const quarterlyLag = options.seriesPublicationLagDays?.quarterly ?? 45;
  for (const [name, lag] of [
    ['annual', annualLag],
    ['quarterly', quarterlyLag],
  ] as const) {
    if (!(Number.isInteger(lag) && lag >= 0)) {
      throw new TradeR1Error('INVALID_CONFIG', `${vendor}: seriesPublicationLagDays.${name} must be an integer >= 0`, {
        details: { [name]: lag },
      });
    }
  }
  const auth =
    tokenIn === 'header'
      ? { secretHeaders: { 'X-Finnhub-Token': apiKey } }
      : { secretQuery: { token: apiKey } as Record<string, string> };

  const get = <T>(
    path: string,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
    parse: (body: unknown) => T,
  ) => client.request({ path, query, signal, parse, ...auth }).then((result) => result.value);

  async function getNews(request: WindowRequest): Promise<NewsItem[]> {
    const window = validateWindowRequest(vendor, request);
    const endpoint = '/company-news';
    const articles = await get(
      endpoint,
      { symbol: vendorSymbol('finnhub', window.ticker, options.symbols), from: window.fromDate, to: window.toDate },
      request.signal,
      (body) => parseVendorResponse(vendor, endpoint, newsSchema, body),
    );
    const items: NewsItem[] = [];
    const skipped: SkippedItem[] = [];
    articles.forEach((article, index) => {
      if (!(article.datetime > 0)) {
        reportSkip(
          options.onSkip,
          {
            vendor,
            kind: 'news',
            subject: window.ticker,
            index,
            reason: 'no publication time (datetime missing or 0)',
          },
          skipped,
        );
        return;
      }
      const instant = article.datetime * 1000;
      if (instant < window.fromMs || instant > window.toMs) return;
      const tickers = new Set<string>([window.ticker]);
      for (const related of (article.related ?? '').split(',')) {
        const parsed = tickerSchema.safeParse(related);
        if (related.trim() !== '' && parsed.success) tickers.add(parsed.data);
      }
      items.push({
        id: `finnhub:${article.id}`,
        tickers: [...tickers],
        publishedAt: new Date(instant).toISOString(),
        headline: article.headline,
        summary: article.summary ?? '',
        source: article.source || 'Finnhub',
        ...(article.url ? { url: article.url } : {}),
      });
    });
    if (options.newsIncludesRatings) items.push(...(await getUpgradesDowngrades(request)));
    items.sort((left, right) => left.publishedAt.localeCompare(right.publishedAt) || left.id.localeCompare(right.id));
    return items;
  }

  async function getUpgradesDowngrades(request: WindowRequest): Promise<NewsItem[]> {
    const window = validateWindowRequest(vendor, request);
    const endpoint = '/stock/upgrade-downgrade';
    const changes = await get(
      endpoint,
      { symbol: vendorSymbol('finnhub', window.ticker, options.symbols), from: window.fromDate, to: window.toDate },
      request.signal,
      (body) => parseVendorResponse(vendor, endpoint, ratingChangesSchema, body),
    );
    const items: NewsItem[] = [];
    for (const change of changes) {
      const instant = change.gradeTime * 1000;
      if (!(change.gradeTime > 0) || instant < window.fromMs || instant > window.toMs) continue;
      const verb = RATING_ACTIONS[change.action.toLowerCase()] ?? change.action;
      const from = change.fromGrade ? ` from ${change.fromGrade}` : '';
      const to = change.toGrade ? ` to ${change.toGrade}` : '';
      const headline = `${change.company} ${verb} ${window.ticker}${change.action === 'up' || change.action === 'down' ? `${from}${to}` : to ? ` at ${change.toGrade}` : ''}`;
      items.push({
        id: `finnhub-rating:${window.ticker}:${change.gradeTime}:${change.company}`,
        tickers: [window.ticker],
        publishedAt: new Date(instant).toISOString(),
        headline,
        summary: `Analyst rating change: ${headline}.`,
        source: change.company,
      });
    }
    items.sort((left, right) => left.publishedAt.localeCompare(right.publishedAt) || left.id.localeCompare(right.id));
    return items;
  }

  async function getInsiderSentiment(request: WindowRequest): Promise<InsiderSentiment[]> {
    const window = validateWindowRequest(vendor, request);
    const endpoint = '/stock/insider-sentiment';
    // A month's aggregate is published at the start of the next month: ask from one month earlier.
    const from = addCalendarDays(`${window.fromDate.slice(0, 7)}-01`, -1);
    const response = await get(
      endpoint,
      { symbol: vendorSymbol('finnhub', window.ticker, options.symbols), from, to: window.toDate },
      request.signal,
      (body) => parseVendorResponse(vendor, endpoint, sentimentSchema, body),
    );
    const items: InsiderSentiment[] = [];
    for (const row of response.data) {
      const instant = Date.UTC(row.year, row.month, 1);
      if (instant < window.fromMs || instant > window.toMs) continue;
      items.push({
        ticker: window.ticker,
        year: row.year,
        month: row.month,
        change: row.change,
        mspr: row.mspr,
        publishedAt: new Date(instant).toISOString(),
        source: 'finnhub',
      });
    }
    items.sort((left, right) => left.publishedAt.localeCompare(right.publishedAt));
    return items;
  }

  async function getInsiderTransactions(request: WindowRequest): Promise<InsiderTransaction[]> {
    const window = validateWindowRequest(vendor, request);
    const endpoint = '/stock/insider-transactions';
    // Finnhub's from/to may filter on the transaction date; filings trail transactions, so widen the start.
    const response = await get(
      endpoint,
      {
        symbol: vendorSymbol('finnhub', window.ticker, options.symbols),
        from: addCalendarDays(window.fromDate, -31),
        to: window.toDate,
      },
      request.signal,
      (body) => parseVendorResponse(vendor, endpoint, transactionsSchema, body),
    );
    const items: InsiderTransaction[] = [];
    const skipped: SkippedItem[] = [];
    response.data.forEach((row, index) => {
      const skip = (reason: string): void =>
        reportSkip(
          options.onSkip,
          {
            vendor,
            kind: 'insider',
            subject: window.ticker,
            index,
            ...(row.filingDate ? { date: row.filingDate } : {}),
            reason,
          },
          skipped,
        );
      if (!row.filingDate || !isIsoDate(row.filingDate)) {
        skip('no valid filingDate');
        return;
      }
      if (row.share === null || row.share === undefined || row.change === null || row.change === undefined) {
        skip('share or change missing');
        return;
      }
      const publishedAt = toIsoInstant(row.filingDate);
      const instant = Date.parse(publishedAt);
      if (instant < window.fromMs || instant > window.toMs) return;
      items.push({
        ticker: window.ticker,
        name: row.name ?? '',
        share: row.share,
        change: row.change,
        transactionDate: row.transactionDate ?? '',
        ...(row.transactionPrice === null || row.transactionPrice === undefined
          ? {}
          : { transactionPrice: row.transactionPrice }),
        ...(row.transactionCode ? { transactionCode: row.transactionCode } : {}),
        publishedAt,
        source: 'finnhub',
      });
    });
    items.sort((left, right) => left.publishedAt.localeCompare(right.publishedAt));
    return items;
  }

  async function getFundamentals(request: FundamentalsRequest): Promise<FundamentalFact[]> {
    const { ticker } = validateTickerRequest(vendor, request);
    const endpoint = '/stock/metric';
    const response = await get(
      endpoint,
      { symbol: vendorSymbol('finnhub', ticker, options.symbols), metric: 'all' },
      request.signal,
      (body) => parseVendorResponse(vendor, endpoint, metricSchema, body),
    );
    if (options.includeMetricSeries === false) return [];
    const facts: FundamentalFact[] = [];
    const skipped: SkippedItem[] = [];
    // A quarterly point ending on a fiscal year end is the fourth quarter: it is not filed in a 10-Q but becomes
    // public with the 10-K, so it takes the annual lag (dating it at +45 days would leak it about six weeks early).
    const yearEnds = new Set<string>();
    for (const points of Object.values(response.series?.annual ?? {})) {
      for (const point of points) if (isIsoDate(point.period)) yearEnds.add(point.period);
    }
    for (const [frequency, seriesLag] of [
      ['annual', annualLag],
      ['quarterly', quarterlyLag],
    ] as const) {
      const series = response.series?.[frequency] ?? {};
      for (const [metric, points] of Object.entries(series)) {
        points.forEach((point, index) => {
          const skip = (reason: string): void =>
            reportSkip(
              options.onSkip,
              {
                vendor,
                kind: 'fundamental',
                subject: ticker,
                index,
                date: point.period,
                reason: `${metric} (${frequency}): ${reason}`,
              },
              skipped,
            );
          if (!isIsoDate(point.period)) {
            skip('period is not a date');
            return;
          }
          if (point.v === null || point.v === undefined) {
            skip('value missing');
            return;
          }
          const fourthQuarter = frequency === 'quarterly' && yearEnds.has(point.period);
          const lag = fourthQuarter ? annualLag : seriesLag;
          facts.push({
            ticker,
            metric,
            value: point.v,
            unit: 'unspecified',
            periodEnd: point.period,
            ...(frequency === 'annual' ? { fiscalPeriod: 'FY' } : fourthQuarter ? { fiscalPeriod: 'Q4' } : {}),
            publishedAt: new Date(Date.parse(`${point.period}T00:00:00Z`) + (lag + 1) * DAY_MS - 1).toISOString(),
            source: `finnhub:${frequency}`,
          });
        });
      }
    }
    facts.sort(
      (left, right) =>
        left.publishedAt.localeCompare(right.publishedAt) ||
        left.metric.localeCompare(right.metric) ||
        left.source.localeCompare(right.source),
    );
    return facts;
  }

  return {
    name: 'finnhub',
    getNews,
    getUpgradesDowngrades,
    getInsiderSentiment,
    getInsiderTransactions,
    getFundamentals,
  };
}
