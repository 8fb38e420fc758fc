import type { Bar, ErrorCode } from '@trade-r1/core';
import { dateInZone, isTimeZone, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import type { PriceRequest, PriceSource } from '../sources.ts';
import {
  createProviderClient,
  type HttpProviderOptions,
  type InvalidRowPolicy,
  type PriceFetchResult,
  parseProviderOptions,
  parseVendorResponse,
  type RawBarRow,
  rowsToBars,
  validatePriceRequest,
  vendorSymbol,
} from './shared.ts';

/**
 * Yahoo Finance chart API (`/v8/finance/chart/{symbol}`), an unofficial, keyless endpoint.
 *
 * Response shape (as recorded from the public endpoint and mirrored by the typed clients that consume it, e.g.
 * the `yahoo-finance2` chart module): `{ chart: { result: [{ meta, timestamp[], indicators: { quote: [{ open[],
 * high[], low[], close[], volume[] }], adjclose: [{ adjclose[] }] } }], error: null } }`; on failure
 * `{ chart: { result: null, error: { code, description } } }` (HTTP 404 for an unknown symbol).
 */

const numbers = z.array(z.number().nullable());

const tradingPeriodSchema = z.object({ start: z.number(), end: z.number() });

const chartResultSchema = z.object({
  meta: z.object({
    symbol: z.string().optional(),
    currency: z.string().nullable().optional(),
    gmtoffset: z.number().optional(),
    exchangeTimezoneName: z.string().optional(),
    regularMarketTime: z.number().optional(),
    currentTradingPeriod: z.object({ regular: tradingPeriodSchema }).optional(),
  }),
  timestamp: z.array(z.number().int()).optional(),
  indicators: z.object({
    quote: z
      .array(
        z.object({
          open: numbers.optional(),
          high: numbers.optional(),
          low: numbers.optional(),
          close: numbers.optional(),
          volume: numbers.optional(),
        }),
      )
      .min(1),
    adjclose: z.array(z.object({ adjclose: numbers.optional() })).optional(),
  }),
});

const chartErrorSchema = z.object({ code: z.string(), description: z.string().nullable().optional() });

const chartResponseSchema = z.object({
  chart: z.object({
    result: z.array(chartResultSchema).nullable(),
    error: chartErrorSchema.nullable(),
  }),
});

function chartErrorCode(code: string): ErrorCode {
  const normalised = code.toLowerCase();
  if (normalised.includes('not found')) return 'NOT_FOUND';
  if (normalised.includes('unauthorized') || normalised.includes('forbidden')) return 'UNAUTHORIZED';
  if (normalised.includes('too many')) return 'RATE_LIMITED';
  return 'HTTP_ERROR';
}

/** Options for {@link createYahooPriceSource}. */
export interface YahooPriceSourceOptions extends HttpProviderOptions {
  /**
   * `false`: prices as Yahoo's chart reports them (split-adjusted, not dividend-adjusted). `true`: open, high, low
   * and close scaled by `adjclose / close` (split- and dividend-adjusted). @default false
   */
  adjusted?: boolean;
  /** What to do with a row that violates bar invariants. @default 'error' */
  onInvalid?: InvalidRowPolicy;
  /** User-Agent header (Yahoo rejects some default client agents). @default 'Mozilla/5.0 (compatible; trade-r1-data)' */
  userAgent?: string;
}

/** A Yahoo Finance {@link PriceSource} that can also report skipped rows. */
export interface YahooPriceSource extends PriceSource {
  /** Like `getDailyBars`, with the rows that were skipped (holidays with null prices, an unfinished session). */
  getDailyBarsWithReport(request: PriceRequest): Promise<PriceFetchResult>;
}

const DAY_SECONDS = 86_400;

/**
 * Daily bars from Yahoo Finance's chart API. Timestamps are converted to trading dates in the exchange's time zone
 * (`meta.exchangeTimezoneName`, falling back to `meta.gmtoffset`). Rows with null prices are skipped and reported
 * (never NaN); the bar of a session that has not closed yet (`regularMarketTime` before the regular session's end)
 * is skipped and reported too, because its close is not final. Only bars in `[start, end]` are returned.
 * Default rate limit: bursts of 2, 1 request/s.
 */
export function createYahooPriceSource(options: YahooPriceSourceOptions = {}): YahooPriceSource {
  parseProviderOptions('createYahooPriceSource()', options, ['adjusted', 'onInvalid', 'userAgent']);
  const vendor = 'Yahoo Finance';
  const client = createProviderClient(
    vendor,
    'https://query2.finance.yahoo.com',
    { capacity: 2, refillPerSecond: 1 },
    options,
    {
      headers: { 'user-agent': options.userAgent ?? 'Mozilla/5.0 (compatible; trade-r1-data)' },
      describeError: (_status, body) => {
        const parsed = chartResponseSchema.safeParse(body);
        const error = parsed.success ? parsed.data.chart.error : undefined;
        if (!error) return undefined;
        return { code: chartErrorCode(error.code), message: `${error.code}: ${error.description ?? ''}`.trim() };
      },
    },
  );
  const adjusted = options.adjusted ?? false;
  const onInvalid = options.onInvalid ?? 'error';

  async function getDailyBarsWithReport(request: PriceRequest): Promise<PriceFetchResult> {
    const { ticker, start, end } = validatePriceRequest(vendor, request);
    const period1 = start === undefined ? -2_208_988_800 : Date.parse(`${start}T00:00:00Z`) / 1000 - DAY_SECONDS;
    const period2 = Date.parse(`${end}T00:00:00Z`) / 1000 + 2 * DAY_SECONDS;
    const endpoint = '/v8/finance/chart';
    const { value: result } = await client.request({
      path: `${endpoint}/${encodeURIComponent(vendorSymbol('yahoo', ticker, options.symbols))}`,
      query: { period1, period2, interval: '1d', events: 'div,split', includeAdjustedClose: true },
      signal: request.signal,
      parse: (body) => {
        const parsed = parseVendorResponse(vendor, endpoint, chartResponseSchema, body);
        const { error, result: results } = parsed.chart;
        if (error) {
          throw new TradeR1Error(chartErrorCode(error.code), `${vendor}: ${error.code}: ${error.description ?? ''}`, {
            details: { ticker, vendorCode: error.code },
          });
        }
        const first = results?.[0];
        if (!first) {
          throw new TradeR1Error('NOT_FOUND', `${vendor}: no chart result for ${ticker}`, { details: { ticker } });
        }
        return first;
      },
    });

    const timestamps = result.timestamp ?? [];
    const quote = result.indicators.quote[0] ?? {};
    const adjcloses = result.indicators.adjclose?.[0]?.adjclose;
    const columns = { open: quote.open, high: quote.high, low: quote.low, close: quote.close, volume: quote.volume };
    for (const [name, column] of Object.entries(columns)) {
      if (timestamps.length > 0 && (column === undefined || column.length !== timestamps.length)) {
        throw new TradeR1Error(
          'BAD_RESPONSE',
          `${vendor} ${endpoint} response: indicators.quote.0.${name} has ${column?.length ?? 0} values for ${timestamps.length} timestamps`,
          { details: { vendor, ticker, field: name } },
        );
      }
    }
    if (adjusted && timestamps.length > 0 && adjcloses?.length !== timestamps.length) {
      throw new TradeR1Error(
        'BAD_RESPONSE',
        `${vendor} ${endpoint} response: indicators.adjclose.0.adjclose is missing or has the wrong length`,
        { details: { vendor, ticker } },
      );
    }

    const { exchangeTimezoneName, gmtoffset } = result.meta;
    const toDate =
      exchangeTimezoneName && isTimeZone(exchangeTimezoneName)
        ? (seconds: number) => dateInZone(seconds * 1000, exchangeTimezoneName)
        : // Without a zone name, the fixed offset (seconds) Yahoo reports for the exchange.
          (seconds: number) => new Date((seconds + (gmtoffset ?? 0)) * 1000).toISOString().slice(0, 10);

    const rows: RawBarRow[] = timestamps.map((seconds, index) => {
      let open = quote.open?.[index];
      let high = quote.high?.[index];
      let low = quote.low?.[index];
      let close = quote.close?.[index];
      if (adjusted) {
        const adjclose = adjcloses?.[index];
        if (adjclose === null || adjclose === undefined || close === null || close === undefined || close === 0) {
          close = null;
        } else {
          const factor = adjclose / close;
          open = open == null ? open : open * factor;
          high = high == null ? high : high * factor;
          low = low == null ? low : low * factor;
          close = adjclose;
        }
      }
      return { date: toDate(seconds), open, high, low, close, volume: quote.volume?.[index] };
    });

    // The row of a session still in progress carries a provisional close: leave it out and say so.
    const forcedSkips = new Map<number, string>();
    const period = result.meta.currentTradingPeriod?.regular;
    const marketTime = result.meta.regularMarketTime;
    if (period && marketTime !== undefined && marketTime >= period.start && marketTime < period.end) {
      const sessionDate = toDate(period.start);
      const index = rows.findIndex((row) => row.date === sessionDate);
      if (index >= 0) forcedSkips.set(index, 'session not closed yet (provisional bar)');
    }
    const output = rowsToBars(rows, { vendor, ticker, start, end, onInvalid, onSkip: options.onSkip, forcedSkips });
    return output;
  }

  return {
    name: 'yahoo',
    priceBasis: adjusted ? 'total-return' : 'split-adjusted',
    getDailyBarsWithReport,
    async getDailyBars(request): Promise<Bar[]> {
      return (await getDailyBarsWithReport(request)).bars;
    },
  };
}
