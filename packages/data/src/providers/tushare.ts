import { addCalendarDays, type Bar, type ErrorCode, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import type { PriceRequest, PriceSource } from '../sources.ts';
import {
  compactDate,
  createProviderClient,
  type HttpProviderOptions,
  type InvalidRowPolicy,
  type PriceFetchResult,
  parseProviderOptions,
  parseVendorResponse,
  type RawBarRow,
  resolveApiKey,
  retryable,
  rowsToBars,
  validatePriceRequest,
  vendorSymbol,
} from './shared.ts';

/**
 * Tushare Pro HTTP API, shape per https://tushare.pro/document/1?doc_id=130 (HTTP protocol) and the `daily`
 * interface https://tushare.pro/document/2?doc_id=27: POST `{ api_name, token, params, fields }` →
 * `{ request_id, code, msg, data: { fields: [...], items: [[...], ...], has_more } }`. `code != 0` is an error
 * even with HTTP 200 (`data` is then null). `daily` rows: `ts_code, trade_date (YYYYMMDD), open, high, low, close,
 * pre_close, change, pct_chg, vol (lots of 100 shares), amount (thousands of CNY)`, newest first, unadjusted.
 */

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const tushareResponseSchema = z.object({
  request_id: z.string().optional(),
  code: z.number().int(),
  msg: z.string().nullable().optional(),
  data: z
    .object({
      fields: z.array(z.string()),
      items: z.array(z.array(cell)),
      has_more: z.boolean().optional(),
    })
    .nullable()
    .optional(),
});

/** The tabular payload of a successful Tushare call. */
export interface TushareTable {
  fields: string[];
  items: Array<Array<string | number | boolean | null>>;
  hasMore: boolean;
}

function tushareErrorCode(code: number, message: string): ErrorCode {
  if (/每分钟|频次|次数|too many|limit/i.test(message) || code === 40101) return 'RATE_LIMITED';
  if (/token/i.test(message) || code === -2001) return 'UNAUTHORIZED';
  if (/权限|积分|permission/i.test(message) || code === 40203) return 'UNAUTHORIZED';
  return 'HTTP_ERROR';
}

/** Options for {@link createTushareSource}. */
export interface TushareSourceOptions extends HttpProviderOptions {
  /** Tushare Pro token. @default process.env.TUSHARE_TOKEN */
  token?: string;
  /** What to do with a row that violates bar invariants. @default 'error' */
  onInvalid?: InvalidRowPolicy;
}

/** A query to any Tushare Pro interface. */
export interface TushareQuery {
  /** Interface name (`daily`, `trade_cal`, `stock_basic`…). */
  apiName: string;
  params: Record<string, string | number>;
  /** Fields to return. @default all the interface offers */
  fields?: readonly string[];
  signal?: AbortSignal;
}

/** Tushare Pro as a {@link PriceSource} (A-share daily bars), plus a generic query. */
export interface TushareSource extends PriceSource {
  /** Like `getDailyBars`, with the rows that were skipped. */
  getDailyBarsWithReport(request: PriceRequest): Promise<PriceFetchResult>;
  /** Call any interface; `code != 0` becomes a typed error. */
  query(query: TushareQuery): Promise<TushareTable>;
}

const DAILY_FIELDS = ['ts_code', 'trade_date', 'open', 'high', 'low', 'close', 'vol'] as const;
const SHARES_PER_LOT = 100;

/**
 * Tushare Pro daily A-share bars (`daily`, unadjusted). The ticker is a Tushare code (`600519.SH`,
 * `000001.SZ`). `vol` is reported in lots (手) of 100 shares and is converted to shares (× 100) so volumes match
 * other sources. Pages are followed while `has_more` is true. The token travels in the POST body only and never
 * reaches cache keys or errors. Vendor codes: rate-limit messages → `RATE_LIMITED` (retried), token or permission
 * problems → `UNAUTHORIZED`, others → `HTTP_ERROR` (with `details.vendorCode`). Default rate limit: bursts of 3,
 * 2 requests/s.
 * @throws {TradeR1Error} `UNAUTHORIZED` when no token is configured.
 */
export function createTushareSource(options: TushareSourceOptions = {}): TushareSource {
  parseProviderOptions('createTushareSource()', options, ['token', 'onInvalid']);
  const vendor = 'Tushare Pro';
  const token = resolveApiKey(vendor, options.token, 'TUSHARE_TOKEN', options.env);
  const client = createProviderClient(vendor, 'http://api.tushare.pro', { capacity: 3, refillPerSecond: 2 }, options, {
    secrets: [token],
  });
  const onInvalid = options.onInvalid ?? 'error';

  async function query(request: TushareQuery): Promise<TushareTable> {
    if (!/^[a-z0-9_]+$/.test(request.apiName)) {
      throw new TradeR1Error('INVALID_INPUT', `${vendor}: invalid api_name ${request.apiName}`, {
        details: { apiName: request.apiName },
      });
    }
    const { value } = await client.request({
      method: 'POST',
      path: '/',
      body: { api_name: request.apiName, params: request.params, fields: (request.fields ?? []).join(',') },
      secretBody: { token },
      signal: request.signal,
      parse: (body) => {
        const parsed = parseVendorResponse(vendor, request.apiName, tushareResponseSchema, body);
        if (parsed.code !== 0) {
          const message = parsed.msg ?? '';
          const code = tushareErrorCode(parsed.code, message);
          const error = new TradeR1Error(
            code,
            `${vendor}: ${request.apiName} failed with code ${parsed.code}: ${message}`,
            {
              details: { vendorCode: parsed.code, apiName: request.apiName },
            },
          );
          throw code === 'RATE_LIMITED' ? retryable(error) : error;
        }
        if (!parsed.data) {
          throw new TradeR1Error('BAD_RESPONSE', `${vendor} ${request.apiName} response: data is missing`, {
            details: { apiName: request.apiName },
          });
        }
        const width = parsed.data.fields.length;
        parsed.data.items.forEach((item, index) => {
          if (item.length !== width) {
            throw new TradeR1Error(
              'BAD_RESPONSE',
              `${vendor} ${request.apiName} response: data.items.${index} has ${item.length} cells for ${width} fields`,
              { details: { apiName: request.apiName, index } },
            );
          }
        });
        return { fields: parsed.data.fields, items: parsed.data.items, hasMore: parsed.data.has_more === true };
      },
    });
    return value;
  }

  async function getDailyBarsWithReport(request: PriceRequest): Promise<PriceFetchResult> {
    const { ticker, start, end } = validatePriceRequest(vendor, request);
    const rows: RawBarRow[] = [];
    let pageEnd = end;
    for (let page = 0; page < 1000; page += 1) {
      const table = await query({
        apiName: 'daily',
        params: {
          ts_code: vendorSymbol('tushare', ticker, options.symbols),
          ...(start ? { start_date: compactDate(start) } : {}),
          end_date: compactDate(pageEnd),
        },
        fields: DAILY_FIELDS,
        ...(request.signal ? { signal: request.signal } : {}),
      });
      const column = (name: string): number => {
        const index = table.fields.indexOf(name);
        if (index < 0) {
          throw new TradeR1Error('BAD_RESPONSE', `${vendor} daily response: data.fields has no ${name}`, {
            details: { fields: table.fields },
          });
        }
        return index;
      };
      const at = Object.fromEntries(DAILY_FIELDS.map((name) => [name, column(name)])) as Record<
        (typeof DAILY_FIELDS)[number],
        number
      >;
      let earliest: string | undefined;
      for (const item of table.items) {
        const tradeDate = item[at.trade_date];
        if (typeof tradeDate !== 'string' || !/^\d{8}$/.test(tradeDate)) {
          throw new TradeR1Error(
            'BAD_RESPONSE',
            `${vendor} daily response: trade_date ${String(tradeDate)} is not YYYYMMDD`,
            {
              details: { ticker, tradeDate: String(tradeDate) },
            },
          );
        }
        const date = `${tradeDate.slice(0, 4)}-${tradeDate.slice(4, 6)}-${tradeDate.slice(6, 8)}`;
        if (earliest === undefined || date < earliest) earliest = date;
        const number = (name: (typeof DAILY_FIELDS)[number]): number | null => {
          const value = item[at[name]];
          return typeof value === 'number' && Number.isFinite(value) ? value : null;
        };
        const lots = number('vol');
        rows.push({
          date,
          open: number('open'),
          high: number('high'),
          low: number('low'),
          close: number('close'),
          volume: lots === null ? null : lots * SHARES_PER_LOT,
        });
      }
      if (!table.hasMore || earliest === undefined || (start !== undefined && earliest <= start)) break;
      pageEnd = addCalendarDays(earliest, -1);
    }
    return rowsToBars(rows, { vendor, ticker, start, end, onInvalid, onSkip: options.onSkip });
  }

  return {
    name: 'tushare',
    priceBasis: 'raw',
    query,
    getDailyBarsWithReport,
    async getDailyBars(request): Promise<Bar[]> {
      return (await getDailyBarsWithReport(request)).bars;
    },
  };
}
