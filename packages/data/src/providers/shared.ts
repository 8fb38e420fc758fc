import {
  type Bar,
  barSchema,
  isIsoDate,
  parseTimestamp,
  parseWith,
  TradeR1Error,
  tickerSchema,
  toInstant,
} from '@trade-r1/core';
import { z } from 'zod';
import { createHttpClient, type HttpClient, type HttpTransportOptions, httpTransportShape } from '../http/client.ts';
import { createTokenBucket } from '../http/rate-limiter.ts';
import { functionSchema, parseArgument } from '../validate.ts';

/** zod shape of {@link HttpProviderOptions}. */
const httpProviderShape = {
  ...httpTransportShape,
  baseUrl: z.string().optional(),
  onSkip: functionSchema.optional(),
  env: z.record(z.string(), z.string().optional()).optional(),
  symbols: z.record(z.string(), z.string()).optional(),
};

/**
 * Validate a provider factory's options: an object with the shared HTTP options (typed) and the vendor's own
 * `keys` (checked where they are used); unknown keys are rejected. @throws {TradeR1Error} `INVALID_CONFIG`
 */
export function parseProviderOptions(fn: string, options: unknown, keys: readonly string[]): void {
  const schema = z.strictObject({
    ...httpProviderShape,
    ...Object.fromEntries(keys.map((key) => [key, z.unknown().optional()])),
  });
  parseArgument(schema, options, { fn, field: 'options', code: 'INVALID_CONFIG' });
}

/** Something a provider left out of its result, with the reason (reported, never silent). */
export interface SkippedItem {
  /** Vendor name. */
  vendor: string;
  /** What kind of item was skipped. */
  kind: 'bar' | 'news' | 'fundamental' | 'insider' | 'macro' | 'filing';
  /** Ticker or series id. */
  subject: string;
  /** Row index in the vendor response. */
  index: number;
  /** The item's date as the vendor gave it, when known. */
  date?: string;
  /** Why it was skipped. */
  reason: string;
}

/** Options every HTTP provider accepts. */
export interface HttpProviderOptions extends HttpTransportOptions {
  /** Vendor API base URL (point it at a proxy or a local fixture server). @default the vendor's public URL */
  baseUrl?: string;
  /** Called for every item left out of a result (holidays with null prices, undated rows…). @default ignore */
  onSkip?: (item: SkippedItem) => void;
  /** Environment to read API keys from. @default process.env */
  env?: Record<string, string | undefined>;
  /**
   * Ticker → this vendor's symbol, over the built-in spelling rules of {@link vendorSymbol}
   * (`{ 'BRK.B': 'BRK-B' }`). Results keep the caller's ticker. @default {}
   */
  symbols?: Record<string, string>;
}

/** Daily bars with the rows that were skipped. */
export interface PriceFetchResult {
  bars: Bar[];
  skipped: SkippedItem[];
}

/** What to do with a vendor row that violates the bar invariants (`high < low`, non-positive price…). */
export type InvalidRowPolicy = 'error' | 'skip';

/** Default token bucket settings per vendor (documented vendor limits, with headroom). */
export interface RateLimitDefaults {
  capacity: number;
  refillPerSecond: number;
}

/** Create a provider's HTTP client with its default rate limiter. */
export function createProviderClient(
  vendor: string,
  defaultBaseUrl: string,
  limits: RateLimitDefaults,
  options: HttpProviderOptions,
  extra: {
    secrets?: string[];
    headers?: Record<string, string>;
    describeError?: Parameters<typeof createHttpClient>[0]['describeError'];
  },
): HttpClient {
  const rateLimiter =
    options.rateLimiter === undefined
      ? createTokenBucket({
          capacity: limits.capacity,
          refillPerSecond: limits.refillPerSecond,
          ...(options.now ? { now: options.now } : {}),
          ...(options.sleep ? { sleep: options.sleep } : {}),
        })
      : options.rateLimiter;
  // Only the transport options travel on: the vendor's own options (apiKey, onSkip…) are not the client's.
  const transport = Object.fromEntries(
    Object.keys(httpTransportShape)
      .filter((key) => (options as Record<string, unknown>)[key] !== undefined)
      .map((key) => [key, (options as Record<string, unknown>)[key]]),
  ) as HttpTransportOptions;
  return createHttpClient({
    ...transport,
    vendor,
    baseUrl: options.baseUrl ?? defaultBaseUrl,
    rateLimiter,
    ...(extra.secrets ? { secrets: extra.secrets } : {}),
    ...(extra.headers ? { headers: extra.headers } : {}),
    ...(extra.describeError ? { describeError: extra.describeError } : {}),
  });
}

/**
 * The API key from the option, else from the environment variable.
 * @throws {TradeR1Error} `UNAUTHORIZED` naming the option and the variable (never a value).
 */
export function resolveApiKey(
  vendor: string,
  option: string | undefined,
  envName: string,
  env: Record<string, string | undefined> | undefined,
): string {
  const source = env ?? process.env;
  const value = (option ?? source[envName] ?? '').trim();
  if (value === '') {
    throw new TradeR1Error('UNAUTHORIZED', `${vendor}: no API key. Pass the \`apiKey\` option or set ${envName}.`, {
      details: { vendor, envName },
    });
  }
  return value;
}

const timeInputSchema = z
  .string()
  .trim()
  .refine((value) => {
    try {
      parseTimestamp(value);
      return true;
    } catch {
      return false;
    }
  }, 'expected an ISO date or date-time such as 2024-01-05 or 2024-01-05T14:30:00Z');

const isoDate = z.string().refine(isIsoDate, 'expected an ISO date YYYY-MM-DD that exists');

const priceRequestSchema = z
  .object({ ticker: tickerSchema, start: isoDate.optional(), end: isoDate })
  .refine((request) => request.start === undefined || request.start <= request.end, {
    message: 'start must not be after end',
    path: ['start'],
  });

const windowRequestSchema = z.object({ ticker: tickerSchema, from: timeInputSchema, to: timeInputSchema });

/** A validated price request. */
export interface ValidPriceRequest {
  ticker: string;
  start: string | undefined;
  end: string;
}

/** Validate a {@link PriceRequest}-like value. @throws {TradeR1Error} `INVALID_INPUT` */
export function validatePriceRequest(vendor: string, request: unknown): ValidPriceRequest {
  const parsed = parseWith(priceRequestSchema, request, { label: `${vendor} price request` });
  return { ticker: parsed.ticker, start: parsed.start, end: parsed.end };
}

const tickerRequestSchema = z.object({ ticker: tickerSchema });

/** Validate a `{ ticker }` request. @throws {TradeR1Error} `INVALID_INPUT` */
export function validateTickerRequest(vendor: string, request: unknown): { ticker: string } {
  return parseWith(tickerRequestSchema, request, { label: `${vendor} request` });
}

/** A validated time window: `fromMs` is the start of a date-only `from`, `toMs` the end of a date-only `to`. */
export interface ValidWindow {
  ticker: string;
  fromMs: number;
  toMs: number;
  /** UTC calendar date of `fromMs`. */
  fromDate: string;
  /** UTC calendar date of `toMs`. */
  toDate: string;
}

/** Validate a {@link WindowRequest}-like value. @throws {TradeR1Error} `INVALID_INPUT` */
export function validateWindowRequest(vendor: string, request: unknown): ValidWindow {
  const parsed = parseWith(windowRequestSchema, request, { label: `${vendor} window request` });
  const fromMs = parseTimestamp(parsed.from).instant;
  const toMs = toInstant(parsed.to);
  if (fromMs > toMs) {
    throw new TradeR1Error('INVALID_INPUT', `${vendor}: window start ${parsed.from} is after its end ${parsed.to}`, {
      details: { from: parsed.from, to: parsed.to },
    });
  }
  return { ticker: parsed.ticker, fromMs, toMs, fromDate: utcDate(fromMs), toDate: utcDate(toMs) };
}

/** The UTC calendar date of an instant. */
export function utcDate(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** `YYYY-MM-DD` → `YYYYMMDD` (Tushare, Alpha Vantage news). */
export function compactDate(date: string): string {
  return date.replaceAll('-', '');
}

/** Validate a vendor payload. @throws {TradeR1Error} `BAD_RESPONSE` naming the vendor, the endpoint and the paths */
export function parseVendorResponse<Schema extends z.ZodType>(
  vendor: string,
  endpoint: string,
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  return parseWith(schema, body, {
    code: 'BAD_RESPONSE',
    label: `${vendor} ${endpoint} response`,
    details: { vendor, endpoint },
  });
}

/** Raw OHLCV numbers of one vendor row (any may be missing). */
export interface RawBarRow {
  date: string;
  open: number | null | undefined;
  high: number | null | undefined;
  low: number | null | undefined;
  close: number | null | undefined;
  volume: number | null | undefined;
}

/**
 * Turn vendor rows into validated bars, in increasing date order, restricted to `[start, end]`. Rows with a
 * missing value (holidays, halts) are skipped and reported; rows violating bar invariants raise `INVALID_BAR`
 * (or are skipped and reported with `onInvalid: 'skip'`); duplicate dates raise `BAD_RESPONSE`.
 */
export function rowsToBars(
  rows: readonly RawBarRow[],
  context: {
    vendor: string;
    ticker: string;
    start: string | undefined;
    end: string;
    onInvalid: InvalidRowPolicy;
    onSkip: ((item: SkippedItem) => void) | undefined;
    /** Rows to leave out (by index) with the given reason. */
    forcedSkips?: ReadonlyMap<number, string>;
  },
): PriceFetchResult {
  const { vendor, ticker } = context;
  const skipped: SkippedItem[] = [];
  const skip = (index: number, date: string, reason: string): void => {
    const item: SkippedItem = { vendor, kind: 'bar', subject: ticker, index, date, reason };
    skipped.push(item);
    context.onSkip?.(item);
  };
  const bars: Bar[] = [];
  rows.forEach((row, index) => {
    if (!isIsoDate(row.date)) {
      throw new TradeR1Error('BAD_RESPONSE', `${vendor}: row ${index} of ${ticker} has an invalid date ${row.date}`, {
        details: { vendor, ticker, index, date: row.date },
      });
    }
    if (row.date > context.end || (context.start !== undefined && row.date < context.start)) return;
    const forced = context.forcedSkips?.get(index);
    if (forced !== undefined) {
      skip(index, row.date, forced);
      return;
    }
    const missing = (['open', 'high', 'low', 'close', 'volume'] as const).filter(
      (field) => row[field] === null || row[field] === undefined || Number.isNaN(row[field]),
    );
    if (missing.length > 0) {
      skip(index, row.date, `missing ${missing.join(', ')} (holiday, halt or vendor gap)`);
      return;
    }
    const candidate = {
      timestamp: row.date,
      open: row.open,
      high: row.high,
      low: row.low,
      close: row.close,
      volume: row.volume,
    };
    const result = barSchema.safeParse(candidate);
    if (!result.success) {
      const reason = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
      if (context.onInvalid === 'skip') {
        skip(index, row.date, `invalid bar: ${reason}`);
        return;
      }
      throw new TradeR1Error('INVALID_BAR', `${vendor}: invalid bar for ${ticker} on ${row.date}: ${reason}`, {
        details: { vendor, ticker, index, date: row.date, row: candidate },
      });
    }
    bars.push(result.data);
  });
  bars.sort((left, right) => (left.timestamp < right.timestamp ? -1 : left.timestamp > right.timestamp ? 1 : 0));
  for (let index = 1; index < bars.length; index += 1) {
    const previous = bars[index - 1] as Bar;
    const current = bars[index] as Bar;
    if (previous.timestamp === current.timestamp) {
      throw new TradeR1Error('BAD_RESPONSE', `${vendor}: duplicate bars for ${ticker} on ${current.timestamp}`, {
        details: { vendor, ticker, date: current.timestamp },
      });
    }
  }
  return { bars, skipped };
}

/** Report a skipped non-bar item. */
export function reportSkip(
  onSkip: ((item: SkippedItem) => void) | undefined,
  item: SkippedItem,
  into?: SkippedItem[],
): void {
  into?.push(item);
  onSkip?.(item);
}

/** Mark a vendor error as worth retrying (the shared client retries it with backoff). */
export function retryable(error: TradeR1Error): TradeR1Error {
  error.details.retryable = true;
  return error;
}

/** Vendors with their own ticker spelling, for {@link vendorSymbol}. */
export type SymbolVendor = 'yahoo' | 'alphavantage' | 'tushare' | 'finnhub';

/**
 * A ticker in a vendor's spelling. Share classes: Yahoo writes `BRK-B`, Alpha Vantage and Finnhub `BRK.B`.
 * China A-shares: Tushare `600519.SH`/`000858.SZ`, Yahoo `600519.SS`/`000858.SZ`, Alpha Vantage
 * `600519.SHH`/`000858.SHZ`. `overrides` (ticker → vendor symbol, any case) win over these rules.
 */
export function vendorSymbol(
  vendor: SymbolVendor,
  ticker: string,
  overrides?: Readonly<Record<string, string>>,
): string {
  const upper = ticker.trim().toUpperCase();
  if (overrides) {
    for (const [key, value] of Object.entries(overrides)) if (key.trim().toUpperCase() === upper) return value;
  }
  const china = /^(\d{6})\.(SH|SS|SHH|SZ|SHZ)$/.exec(upper);
  if (china) {
    const shanghai = china[2] === 'SH' || china[2] === 'SS' || china[2] === 'SHH';
    const code = china[1] as string;
    if (vendor === 'yahoo') return `${code}.${shanghai ? 'SS' : 'SZ'}`;
    if (vendor === 'alphavantage') return `${code}.${shanghai ? 'SHH' : 'SHZ'}`;
    return `${code}.${shanghai ? 'SH' : 'SZ'}`;
  }
  const shareClass = /^([A-Z]{1,5})[.-]([A-Z])$/.exec(upper);
  if (shareClass) return vendor === 'yahoo' ? `${shareClass[1]}-${shareClass[2]}` : `${shareClass[1]}.${shareClass[2]}`;
  return upper;
}
