import { addCalendarDays, type ErrorCode, isIsoDate, parseWith, TradeR1Error, toIsoInstant } from '@trade-r1/core';
import { z } from 'zod';
import type { MacroObservation, MacroRequest, MacroSource } from '../sources.ts';
import {
  createProviderClient,
  type HttpProviderOptions,
  parseProviderOptions,
  parseVendorResponse,
  resolveApiKey,
} from './shared.ts';

/**
 * FRED `fred/series/observations` with `file_type=json`, shape per
 * https://fred.stlouisfed.org/docs/api/fred/series_observations.html: `{ realtime_start, realtime_end,
 * observation_start, observation_end, units, output_type, file_type, order_by, sort_order, count, offset, limit,
 * observations: [{ realtime_start, realtime_end, date, value }] }` where `value` is a string and `"."` marks a
 * missing value. Errors: HTTP 400 (and others) with `{ error_code, error_message }`.
 */

const isoDate = z.string().refine(isIsoDate, 'expected an ISO date YYYY-MM-DD');

const observationsSchema = z.object({
  count: z.number().int().optional(),
  offset: z.number().int().optional(),
  limit: z.number().int().optional(),
  observations: z.array(
    z.object({
      realtime_start: isoDate,
      realtime_end: isoDate,
      date: isoDate,
      value: z
        .string()
        .refine(
          (value) => value === '.' || /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/.test(value),
          'expected a number or "." (missing)',
        ),
    }),
  ),
});

const vintageDatesSchema = z.object({
  count: z.number().int().optional(),
  vintage_dates: z.array(isoDate),
});

/** FRED's refusal of a real-time period holding too many vintage dates for one request. */
const TOO_MANY_VINTAGES = /vintage dates .*exceeds the maximum number of vintage dates/i;

/** Vintage dates per split request: below FRED's cap of 2000 with room for vintages added meanwhile. */
const VINTAGES_PER_REQUEST = 1_500;

interface RawObservation {
  date: string;
  value: string;
  realtime_start: string;
  realtime_end: string;
}

/**
 * Join the rows of adjacent real-time windows: a vintage valid across a window boundary comes back once per
 * window, the later copy with its `realtime_start` clipped to the boundary. Rows of one date with the same value
 * whose real-time periods touch are one vintage, first published at the earlier start.
 */
export function coalesceVintages<T extends RawObservation>(rows: readonly T[]): T[] {
  const sorted = rows
    .slice()
    .sort(
      (left, right) => left.date.localeCompare(right.date) || left.realtime_start.localeCompare(right.realtime_start),
    );
  const out: T[] = [];
  for (const row of sorted) {
    const previous = out.at(-1);
    if (
      previous &&
      previous.date === row.date &&
      previous.value === row.value &&
      addCalendarDays(previous.realtime_end, 1) === row.realtime_start
    ) {
      out[out.length - 1] = { ...previous, realtime_end: row.realtime_end };
      continue;
    }
    out.push(row);
  }
  return out;
}

function describeFredError(_status: number, body: unknown): { code?: ErrorCode; message?: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const message = (body as { error_message?: unknown }).error_message;
  if (typeof message !== 'string') return undefined;
  if (/api_key/i.test(message)) return { code: 'UNAUTHORIZED', message };
  if (/does not exist/i.test(message)) return { code: 'NOT_FOUND', message };
  if (/too many requests|rate limit/i.test(message)) return { code: 'RATE_LIMITED', message };
  return { code: 'HTTP_ERROR', message };
}

/** FRED real-time period (vintage) settings. */
export interface FredVintageOptions {
  /**
   * `realtime_start` (`YYYY-MM-DD`). FRED's default is today, which makes every observation's `realtime_start`
   * (and so its `publishedAt`) today: safe, but useless for a backtest. For point-in-time data pass the whole
   * real-time range (`'1776-07-04'` … `'9999-12-31'`) to receive every vintage (ALFRED), or use `outputType: 4`.
   */
  realtimeStart?: string;
  /** `realtime_end` (`YYYY-MM-DD`). */
  realtimeEnd?: string;
  /**
   * FRED `output_type`: 1 = observations by real-time period (every vintage within the real-time range), 4 =
   * initial release only (each value as first published; the real-time range defaults to all time).
   * Types 2 and 3 use a different (wide) layout and are not supported.
   */
  outputType?: 1 | 4;
}

/** A FRED request: a {@link MacroRequest} with optional vintage settings (overriding the source's). */
export interface FredSeriesRequest extends MacroRequest, FredVintageOptions {}

/** Options for {@link createFredSource}. */
export interface FredSourceOptions extends HttpProviderOptions, FredVintageOptions {
  /** API key. @default process.env.FRED_API_KEY */
  apiKey?: string;
  /** Observations per page (FRED maximum 100000). @default 100000 */
  pageSize?: number;
}

/** FRED as a {@link MacroSource} with vintage-aware requests. */
export interface FredSource extends MacroSource {
  getSeries(request: FredSeriesRequest): Promise<MacroObservation[]>;
}

const vintageSchema = z.object({
  seriesId: z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'expected a FRED series id such as CPIAUCSL'),
  from: isoDate,
  to: isoDate,
  realtimeStart: isoDate.optional(),
  realtimeEnd: isoDate.optional(),
  outputType: z.union([z.literal(1), z.literal(4)]).optional(),
});

/**
 * FRED series observations as a {@link MacroSource}. `value: "."` becomes `null`; `publishedAt` is the end of the
 * observation's `realtime_start` day (the vintage date; conservative within that day). Every vintage returned is
 * kept, so with a wide real-time range one date appears once per revision, each with its own `publishedAt`;
 * consumers keep the latest vintage published by their decision time. Pages are followed until `count` is
 * reached. The key goes in the `api_key` query parameter (FRED accepts nothing else) but never into cache keys or
 * errors. Default rate limit: bursts of 4, 1.5 requests/s (FRED: 120/min).
 * @throws {TradeR1Error} `UNAUTHORIZED` when no API key is configured.
 */
export function createFredSource(options: FredSourceOptions = {}): FredSource {
  parseProviderOptions('createFredSource()', options, [
    'apiKey',
    'pageSize',
    'realtimeStart',
    'realtimeEnd',
    'outputType',
  ]);
  const vendor = 'FRED';
  const apiKey = resolveApiKey(vendor, options.apiKey, 'FRED_API_KEY', options.env);
  const client = createProviderClient(
    vendor,
    'https://api.stlouisfed.org',
    { capacity: 4, refillPerSecond: 1.5 },
    options,
    {
      secrets: [apiKey],
      describeError: describeFredError,
    },
  );
  const pageSize = Math.min(100_000, Math.max(1, Math.floor(options.pageSize ?? 100_000)));

  async function getSeries(request: FredSeriesRequest): Promise<MacroObservation[]> {
    const parsed = parseWith(
      vintageSchema,
      {
        seriesId: request.seriesId,
        from: request.from,
        to: request.to,
        realtimeStart: request.realtimeStart ?? options.realtimeStart,
        realtimeEnd: request.realtimeEnd ?? options.realtimeEnd,
        outputType: request.outputType ?? options.outputType,
      },
      { label: `${vendor} series request` },
    );
    if (parsed.from > parsed.to) {
      throw new TradeR1Error('INVALID_INPUT', `${vendor}: from ${parsed.from} is after to ${parsed.to}`, {
        details: { from: parsed.from, to: parsed.to },
      });
    }
    const initialOnly = parsed.outputType === 4;
    const realtimeStart = parsed.realtimeStart ?? (initialOnly ? '1776-07-04' : undefined);
    const realtimeEnd = parsed.realtimeEnd ?? (initialOnly ? '9999-12-31' : undefined);
    const endpoint = '/fred/series/observations';

    async function fetchWindow(start: string | undefined, end: string | undefined): Promise<RawObservation[]> {
      const rows: RawObservation[] = [];
      for (let offset = 0, page = 0; page < 10_000; page += 1) {
        const { value } = await client.request({
          path: endpoint,
          query: {
            series_id: parsed.seriesId,
            file_type: 'json',
            observation_start: parsed.from,
            observation_end: parsed.to,
            realtime_start: start,
            realtime_end: end,
            output_type: parsed.outputType,
            sort_order: 'asc',
            limit: pageSize,
            offset,
          },
          secretQuery: { api_key: apiKey },
          signal: request.signal,
          parse: (body) => parseVendorResponse(vendor, endpoint, observationsSchema, body),
        });
        rows.push(...value.observations);
        offset += value.observations.length;
        if (value.observations.length === 0 || value.count === undefined || offset >= value.count) break;
      }
      return rows;
    }

    /** The series' vintage dates in the real-time period (fred/series/vintagedates, pages of 10,000). */
    async function vintageDates(start: string, end: string): Promise<string[]> {
      const path = '/fred/series/vintagedates';
      const dates: string[] = [];
      for (let offset = 0, page = 0; page < 1_000; page += 1) {
        const { value } = await client.request({
          path,
          query: {
            series_id: parsed.seriesId,
            file_type: 'json',
            realtime_start: start,
            realtime_end: end,
            sort_order: 'asc',
            limit: 10_000,
            offset,
          },
          secretQuery: { api_key: apiKey },
          signal: request.signal,
          parse: (body) => parseVendorResponse(vendor, path, vintageDatesSchema, body),
        });
        dates.push(...value.vintage_dates);
        offset += value.vintage_dates.length;
        if (value.vintage_dates.length === 0 || value.count === undefined || offset >= value.count) break;
      }
      return dates;
    }

    let rows: RawObservation[];
    try {
      rows = await fetchWindow(realtimeStart, realtimeEnd);
    } catch (error) {
      // Daily series (DGS10, DFF) mint a vintage per business day: FRED answers 400 for a real-time period with
      // more than 2000 of them. Split the period on the series' own vintage dates and join the windows.
      if (
        !(error instanceof TradeR1Error) ||
        error.details.status !== 400 ||
        !TOO_MANY_VINTAGES.test(error.message) ||
        realtimeStart === undefined ||
        realtimeEnd === undefined
      ) {
        throw error;
      }
      const dates = await vintageDates(realtimeStart, realtimeEnd);
      const windows: Array<[string, string]> = [];
      for (let index = 0; index < dates.length; index += VINTAGES_PER_REQUEST) {
        const start = index === 0 ? realtimeStart : (dates[index] as string);
        const next = dates[index + VINTAGES_PER_REQUEST];
        windows.push([start, next === undefined ? realtimeEnd : addCalendarDays(next, -1)]);
      }
      rows = [];
      for (const [start, end] of windows) rows.push(...(await fetchWindow(start, end)));
      rows = coalesceVintages(rows);
    }
    const observations: MacroObservation[] = rows.map((observation) => ({
      seriesId: parsed.seriesId,
      date: observation.date,
      value: observation.value === '.' ? null : Number(observation.value),
      publishedAt: toIsoInstant(observation.realtime_start),
      source: 'fred',
    }));
    observations.sort(
      (left, right) => left.date.localeCompare(right.date) || left.publishedAt.localeCompare(right.publishedAt),
    );
    return observations;
  }

  return { name: 'fred', getSeries };
}
