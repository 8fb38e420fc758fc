import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type Bar,
  barSchema,
  type ErrorCode,
  type ExchangeInput,
  exchangeSchema,
  getExchangeCalendar,
  isIsoDate,
  isTradingDay,
  parseWith,
  TradeR1Error,
  throwIfAborted,
  toTradingDate,
  toValidationIssues,
} from '@trade-r1/core';
import { z } from 'zod';
import { parseArgument, pathSchema } from '../validate.ts';
import { detectDelimiter, parseCsv, stripBom } from './csv.ts';

/** The bar fields a file column can map to. */
export type BarColumn = 'date' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'adjClose';

/**
 * Header aliases per field, compared case-insensitively after removing spaces, `_`, `-`, `.` and `/`.
 * Covers Yahoo/Stooq/Nasdaq/AlphaVantage-style English headers and common Chinese (akshare, Tushare, 东方财富) headers.
 */
export const BAR_COLUMN_ALIASES: Readonly<Record<BarColumn, readonly string[]>> = {
  date: ['date', 'datetime', 'timestamp', 'time', 'tradedate', 'day', '日期', '交易日期', '时间', '交易日'],
  open: ['open', 'openprice', 'o', '开盘', '开盘价', '今开'],
  high: ['high', 'highprice', 'h', '最高', '最高价'],
  low: ['low', 'lowprice', 'l', '最低', '最低价'],
  close: ['close', 'closeprice', 'closelast', 'c', 'last', 'price', '收盘', '收盘价', '最新价'],
  volume: ['volume', 'vol', 'v', '成交量', '成交量股', '成交量手', 'volumelots'],
  adjClose: ['adjclose', 'adjustedclose', 'adjclosingprice', '复权收盘价', '后复权收盘价', '前复权收盘价'],
};

/** One input row that was dropped with `onInvalid: 'skip'`. */
export interface SkippedRow {
  /** 1-based line in the file (CSV/NDJSON; for JSON, the 1-based row index). */
  line: number;
  /** 0-based index of the data row (header excluded). */
  row: number;
  /** Why it was skipped. */
  reason: string;
  /** The error code it would have raised. */
  code: ErrorCode;
}

/** Result of reading bars from a file or text. */
export interface ReadBarsResult {
  /** Validated bars, ascending by date, one per trading date. */
  bars: Bar[];
  /** Rows dropped with `onInvalid: 'skip'` (always empty with `'throw'`). */
  skipped: SkippedRow[];
  /** Which input column fed each field (header names as written in the file). */
  columns: Partial<Record<BarColumn, string>>;
  /** Data rows read (valid and skipped). */
  rowCount: number;
  /** Rows whose high/low were nudged to `max/min(open, close)` within `priceTolerance` (float noise). */
  repairedCount: number;
  /** The input name used in messages. */
  source: string;
  /** Rows kept but suspicious: dated on a weekend or (with `exchange`) on an exchange holiday. */
  warnings: BarsWarning[];
  /** The volume multiplier applied (100 for lots, else 1) and the decimal separator read. */
  units: { volumeFactor: number; decimal: '.' | ',' };
}

/** A row that was kept but looks wrong. */
export interface BarsWarning {
  /** 1-based line in the file. */
  line: number;
  /** The row's trading date. */
  date: string;
  /** What is suspicious about it. */
  reason: string;
}

const barColumnSchema = z.enum(['date', 'open', 'high', 'low', 'close', 'volume', 'adjClose']);

const readBarsOptionsSchema = z.strictObject({
  format: z.enum(['csv', 'json', 'ndjson']).optional(),
  onInvalid: z.enum(['throw', 'skip']).optional(),
  columns: z.partialRecord(barColumnSchema, z.string().min(1)).optional(),
  adjust: z.enum(['none', 'adjClose']).optional(),
  missingVolume: z.enum(['error', 'zero']).optional(),
  priceTolerance: z.number().min(0).max(0.01).optional(),
  delimiter: z.string().min(1).optional(),
  decimal: z.enum(['.', ',', 'auto']).optional(),
  volumeUnit: z.enum(['shares', 'lots', 'auto']).optional(),
  exchange: exchangeSchema.optional(),
  encoding: z.string().min(1).optional(),
  source: z.string().optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
});

/** Options for {@link readBarsFile} and {@link parseBars}. */
export interface ReadBarsOptions {
  /** Input format. Inferred from the file extension (`.csv`, `.tsv`, `.txt` → csv, `.json`, `.ndjson`/`.jsonl`). @default inferred, else 'csv' */
  format?: 'csv' | 'json' | 'ndjson';
  /** What to do with an invalid row: raise a typed error naming the file and line, or skip it and report it. @default 'throw' */
  onInvalid?: 'throw' | 'skip';
  /** Explicit header names per field, overriding {@link BAR_COLUMN_ALIASES} (matched case-insensitively). */
  columns?: Partial<Record<BarColumn, string>>;
  /**
   * `'adjClose'` scales open, high, low and close by `adjClose / close` (Yahoo-style back-adjustment); it needs an
   * adjusted-close column. `'none'` keeps prices as written.
   * @default 'none'
   */
  adjust?: 'none' | 'adjClose';
  /** Without a volume column: `'error'` raises `PARSE_FAILED`, `'zero'` fills volume 0 (e.g. index files). @default 'error' */
  missingVolume?: 'error' | 'zero';
  /** CSV delimiter, or `'auto'`. @default 'auto' */
  delimiter?: string;
  /**
   * Decimal separator of numeric cells. `'auto'`: a comma in `;`-separated CSV whose first numeric cells use one
   * (`12,5`; Excel in most of Europe), else a point (where `1,234.5` groups thousands).
   * @default 'auto'
   */
  decimal?: '.' | ',' | 'auto';
  /**
   * Unit of the volume column. `'lots'` multiplies by 100 (A-share lots, 手). `'auto'`: lots when the volume header
   * says so (`成交量(手)`, `volume_lots`) or is Tushare's `vol` beside a `ts_code` column, else shares.
   * @default 'auto'
   */
  volumeUnit?: 'shares' | 'lots' | 'auto';
  /**
   * Exchange whose calendar checks the dates: rows on a holiday are kept but reported in `warnings` (weekend rows
   * are reported without it). @default none
   */
  exchange?: ExchangeInput;
  /** Text encoding for {@link readBarsFile} (any WHATWG label, e.g. `'gbk'` for Excel-exported Chinese CSVs). @default 'utf-8' */
  encoding?: string;
  /**
   * Relative tolerance for `high >= max(open, close)` and `low <= min(open, close)`: adjusted prices (Yahoo) break
   * these by ~1e-16 from float rounding. Smaller violations are repaired (counted in `repairedCount`), larger ones
   * are invalid rows. Set 0 to repair nothing.
   * @default 1e-9
   */
  priceTolerance?: number;
  /** Input name for messages. @default the file path, or '<input>' */
  source?: string;
  /** Cancels a file read. */
  signal?: AbortSignal;
}

export function normaliseHeader(header: string): string {
  return stripBom(header)
    .trim()
    .toLowerCase()
    .replace(/[\s_\-./()（）]/g, '');
}

const DEFAULT_PRICE_TOLERANCE = 1e-9;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GROUPED_NUMBER = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

const COMMA_NUMBER = /^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$/;

/**
 * Parse a numeric cell strictly: plain decimals, exponents, `1,234.5` grouping and a leading `$`; with a decimal
 * comma, `12,5` and `1.234,5`. Else `undefined`.
 */
function parseNumberCell(value: unknown, decimalComma = false): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  let text = value.trim();
  if (text.startsWith('$')) text = text.slice(1);
  if (decimalComma) {
    if (COMMA_NUMBER.test(text)) return Number(text.replace(/\./g, '').replace(',', '.'));
    return NUMBER.test(text) && !text.includes('.') ? Number(text) : undefined;
  }
  if (NUMBER.test(text)) return Number(text);
  if (GROUPED_NUMBER.test(text)) return Number(text.replace(/,/g, ''));
  return undefined;
}

const SLASH_DATE = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(.*)$/;

/** Trading date of a date cell: ISO dates and date-times (with offsets), `20240105`, `2024/1/5`. */
function parseDateCell(value: unknown): string {
  const cell = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof cell !== 'string') throw new Error(`expected a date string, got ${JSON.stringify(value)}`);
  let text = cell.trim();
  const slash = SLASH_DATE.exec(text);
  if (slash)
    text = `${slash[1]}-${(slash[2] as string).padStart(2, '0')}-${(slash[3] as string).padStart(2, '0')}${slash[4]}`;
  // Fast path: an ISO date plus a time/offset suffix already seen valid (files repeat ` 00:00:00-05:00` on every
  // row). The suffix's validity does not depend on the date, which `isIsoDate` checks.
  const date = text.slice(0, 10);
  const suffix = text.slice(10);
  if (ISO_DATE_PREFIX.test(date) && isIsoDate(date) && (suffix === '' || VALID_SUFFIXES.has(suffix))) return date;
  const tradingDate = toTradingDate(text);
  if (tradingDate === date && suffix !== '' && VALID_SUFFIXES.size < 256) VALID_SUFFIXES.add(suffix);
  return tradingDate;
}

const ISO_DATE_PREFIX = /^\d{4}-\d{2}-\d{2}$/;
const VALID_SUFFIXES = new Set<string>();

export interface RawRow {
  line: number;
  repaired?: boolean;
  row: number;
  get(column: BarColumn): unknown;
}

interface ColumnResolution {
  indexOf: Partial<Record<BarColumn, string>>;
}

export function resolveColumns(
  headers: readonly string[],
  options: ReadBarsOptions,
  source: string,
  line: number,
): ColumnResolution {
  const byNormalised = new Map<string, string>();
  for (const header of headers) {
    const key = normaliseHeader(header);
    if (key && !byNormalised.has(key)) byNormalised.set(key, header);
  }
  const resolved: Partial<Record<BarColumn, string>> = {};
  const fields: BarColumn[] = ['date', 'open', 'high', 'low', 'close', 'volume', 'adjClose'];
  for (const field of fields) {
    const explicit = options.columns?.[field];
    if (explicit !== undefined) {
      const header = byNormalised.get(normaliseHeader(explicit));
      if (header === undefined) {
        throw new TradeR1Error(
          'PARSE_FAILED',
          `${source}:${line}: column ${JSON.stringify(explicit)} given for ${field} is not in the header (${headers.join(', ')})`,
          { details: { file: source, line, column: explicit, headers: [...headers] } },
        );
      }
      resolved[field] = header;
      continue;
    }
    const matches = headers.filter((header) =>
      (BAR_COLUMN_ALIASES[field] as readonly string[]).includes(normaliseHeader(header)),
    );
    if (matches.length > 1) {
      throw new TradeR1Error(
        'PARSE_FAILED',
        `${source}:${line}: columns ${matches.map((header) => JSON.stringify(header)).join(' and ')} both map to ${field}; pass \`columns: { ${field}: '…' }\` to choose one`,
        { details: { file: source, line, field, headers: matches } },
      );
    }
    for (const alias of BAR_COLUMN_ALIASES[field]) {
      const header = byNormalised.get(alias);
      if (header !== undefined) {
        resolved[field] = header;
        break;
      }
    }
  }
  // No `close` alias matches "Adj Close": a file with only an adjusted close must say so with `adjust` or `columns`.
  const required: BarColumn[] = ['date', 'open', 'high', 'low', 'close'];
  if ((options.missingVolume ?? 'error') === 'error') required.push('volume');
  if (options.adjust === 'adjClose') required.push('adjClose');
  const missing = required.filter((field) => resolved[field] === undefined);
  if (missing.length > 0) {
    throw new TradeR1Error(
      'PARSE_FAILED',
      `${source}:${line}: missing column(s) ${missing.join(', ')}; found ${headers.map((header) => JSON.stringify(header)).join(', ')}. ` +
        'Pass `columns` to name them explicitly.',
      { details: { file: source, line, missing, headers: [...headers] } },
    );
  }
  return { indexOf: resolved };
}

export class RowError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly column?: string,
  ) {
    super(message);
  }
}

/** How cells are read once the header is known. */
export interface RowSettings {
  decimalComma: boolean;
  volumeFactor: number;
}

const DEFAULT_ROW_SETTINGS: RowSettings = { decimalComma: false, volumeFactor: 1 };

export function rowToBar(
  raw: RawRow,
  columns: Partial<Record<BarColumn, string>>,
  options: ReadBarsOptions,
  settings: RowSettings = DEFAULT_ROW_SETTINGS,
): Bar {
  const read = (field: BarColumn): number => {
    const value = raw.get(field);
    const parsed = parseNumberCell(value, settings.decimalComma);
    if (parsed === undefined) {
      const shown = value === undefined || value === '' ? 'an empty value' : JSON.stringify(value);
      throw new RowError(
        'INVALID_BAR',
        `${field} (column ${JSON.stringify(columns[field])}) is ${shown}, not a number`,
        field,
      );
    }
    return parsed;
  };
  let timestamp: string;
  try {
    timestamp = parseDateCell(raw.get('date'));
  } catch (error) {
    throw new RowError(
      'INVALID_BAR',
      `date (column ${JSON.stringify(columns.date)}) ${JSON.stringify(raw.get('date'))} is not a date: ${error instanceof Error ? error.message : String(error)}`,
      'date',
    );
  }
  let open = read('open');
  let high = read('high');
  let low = read('low');
  let close = read('close');
  const volume = columns.volume === undefined ? 0 : read('volume') * settings.volumeFactor;
  if (options.adjust === 'adjClose') {
    const adjClose = read('adjClose');
    if (!(close > 0)) throw new RowError('INVALID_BAR', `close ${close} must be positive to adjust`, 'close');
    const factor = adjClose / close;
    open *= factor;
    high *= factor;
    low *= factor;
    close = adjClose;
  }
  // Adjusted prices carry float noise (high below close by 1e-16 relative): repair within the tolerance only.
  const tolerance = options.priceTolerance ?? DEFAULT_PRICE_TOLERANCE;
  const top = Math.max(open, close);
  const bottom = Math.min(open, close);
  let repaired = false;
  if (high < top && top - high <= tolerance * top) {
    high = top;
    repaired = true;
  }
  if (low > bottom && low - bottom <= tolerance * bottom) {
    low = bottom;
    repaired = true;
  }
  if (repaired) raw.repaired = true;
  const candidate = { timestamp, open, high, low, close, volume };
  // Fast path with the exact checks of `barSchema` (the timestamp is already a valid trading date); the schema
  // runs only to describe a failure.
  if (
    open > 0 &&
    high > 0 &&
    low > 0 &&
    close > 0 &&
    volume >= 0 &&
    Number.isFinite(open + high + low + close + volume) &&
    high >= Math.max(open, close) &&
    low <= Math.min(open, close)
  ) {
    return candidate;
  }
  const result = barSchema.safeParse(candidate);
  if (!result.success) {
    const issues = toValidationIssues(result.error);
    throw new RowError(
      'INVALID_BAR',
      issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message)).join('; '),
    );
  }
  return result.data;
}

function collect(
  rows: Iterable<RawRow>,
  columns: Partial<Record<BarColumn, string>>,
  options: ReadBarsOptions,
  source: string,
  settings: RowSettings = DEFAULT_ROW_SETTINGS,
): ReadBarsResult {
  const skip = options.onInvalid === 'skip';
  const skipped: SkippedRow[] = [];
  const valid: Array<{ bar: Bar; line: number; row: number }> = [];
  let rowCount = 0;
  let repairedCount = 0;
  for (const raw of rows) {
    rowCount += 1;
    try {
      valid.push({ bar: rowToBar(raw, columns, options, settings), line: raw.line, row: raw.row });
      if (raw.repaired) repairedCount += 1;
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      if (!skip) {
        throw new TradeR1Error(error.code, `${source}:${raw.line}: ${error.message}`, {
          details: { file: source, line: raw.line, row: raw.row, ...(error.column && { column: error.column }) },
        });
      }
      skipped.push({ line: raw.line, row: raw.row, reason: error.message, code: error.code });
    }
  }
  // Files come newest-first or oldest-first; sort ascending and refuse two bars for one date.
  let sorted = true;
  for (let index = 1; index < valid.length; index += 1) {
    if (
      (valid[index] as (typeof valid)[number]).bar.timestamp <
      (valid[index - 1] as (typeof valid)[number]).bar.timestamp
    ) {
      sorted = false;
      break;
    }
  }
  if (!sorted)
    valid.sort((left, right) =>
      left.bar.timestamp < right.bar.timestamp
        ? -1
        : left.bar.timestamp > right.bar.timestamp
          ? 1
          : left.row - right.row,
    );
  const bars: Bar[] = [];
  let previous: (typeof valid)[number] | undefined;
  for (const entry of valid) {
    if (previous && previous.bar.timestamp === entry.bar.timestamp) {
      const message = `duplicate date ${entry.bar.timestamp} (also on line ${previous.line})`;
      if (!skip) {
        throw new TradeR1Error('INVALID_SERIES', `${source}:${entry.line}: ${message}`, {
          details: { file: source, line: entry.line, row: entry.row, duplicateOf: previous.line },
        });
      }
      skipped.push({ line: entry.line, row: entry.row, reason: message, code: 'INVALID_SERIES' });
      continue;
    }
    bars.push(entry.bar);
    previous = entry;
  }
  skipped.sort((left, right) => left.line - right.line);
  const lines = new Map(valid.map((entry) => [entry.bar, entry.line]));
  const warnings = calendarWarnings(bars, (bar) => lines.get(bar) ?? 0, options.exchange);
  return {
    bars,
    skipped,
    columns,
    rowCount,
    repairedCount,
    source,
    warnings,
    units: { volumeFactor: settings.volumeFactor, decimal: settings.decimalComma ? ',' : '.' },
  };
}

/** Rows dated on a weekend, or on a holiday of `exchange` (dates outside its table are not checked). */
export function calendarWarnings(
  bars: readonly Bar[],
  lineOf: (bar: Bar) => number,
  exchange: ExchangeInput | undefined,
): BarsWarning[] {
  const warnings: BarsWarning[] = [];
  const coverage = exchange === undefined ? undefined : getExchangeCalendar(exchange).coverage;
  for (const bar of bars) {
    const date = bar.timestamp.slice(0, 10);
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) {
      warnings.push({ line: lineOf(bar), date, reason: `${date} is a ${weekday === 0 ? 'Sunday' : 'Saturday'}` });
    } else if (
      exchange !== undefined &&
      coverage &&
      date >= coverage.from &&
      date <= coverage.to &&
      !isTradingDay(date, exchange)
    ) {
      warnings.push({ line: lineOf(bar), date, reason: `${date} is a holiday of ${getExchangeCalendar(exchange).id}` });
    }
  }
  return warnings;
}

/**
 * Cell reading settings from the header and the first records: the decimal separator and the volume unit.
 */
export function rowSettings(
  headers: readonly string[],
  sample: readonly (readonly string[])[],
  columns: Partial<Record<BarColumn, string>>,
  options: ReadBarsOptions,
  delimiter: string,
): RowSettings {
  let decimalComma = options.decimal === ',';
  if ((options.decimal ?? 'auto') === 'auto' && delimiter === ';') {
    const priceAt = (['open', 'high', 'low', 'close'] as const)
      .map((field) => (columns[field] === undefined ? -1 : headers.indexOf(columns[field] as string)))
      .filter((index) => index >= 0);
    decimalComma = sample.some((fields) =>
      priceAt.some((index) => /^\s*[+-]?\d+(?:\.\d{3})*,\d+\s*$/.test(fields[index] ?? '')),
    );
  }
  let volumeFactor = 1;
  const unit = options.volumeUnit ?? 'auto';
  if (unit === 'lots') volumeFactor = 100;
  else if (unit === 'auto' && columns.volume !== undefined) {
    const header = normaliseHeader(columns.volume);
    const tushare = header === 'vol' && headers.some((name) => normaliseHeader(name) === 'tscode');
    if (header.includes('手') || /lots?$/.test(header) || tushare) volumeFactor = 100;
  }
  return { decimalComma, volumeFactor };
}

export function parseOptions(options: ReadBarsOptions): ReadBarsOptions {
  return parseWith(readBarsOptionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'read bars options',
  }) as ReadBarsOptions;
}

/**
 * Parse OHLCV bars from CSV text, mapping columns by header name (see {@link BAR_COLUMN_ALIASES}), never by
 * position. Dates with a time-zone offset (`2015-01-02 00:00:00-05:00`) become the trading date as written.
 * @throws {TradeR1Error} `PARSE_FAILED` (malformed CSV, missing columns), `INVALID_BAR` (a bad row, naming file and
 * line), `INVALID_SERIES` (two rows for one date); with `onInvalid: 'skip'` bad rows are reported in `skipped` instead.
 */
export function parseBarsCsv(text: string, options: ReadBarsOptions = {}): ReadBarsResult {
  parseArgument(z.string(), text, { fn: 'parseBarsCsv()', field: 'text' });
  const parsed = parseOptions(options);
  const source = parsed.source ?? '<input>';
  const delimiter =
    parsed.delimiter !== undefined && parsed.delimiter !== 'auto' ? parsed.delimiter : detectDelimiter(stripBom(text));
  const records = parseCsv(text, { source, delimiter });
  const header = records[0];
  if (!header)
    throw new TradeR1Error('PARSE_FAILED', `${source}: no header row (the input is empty)`, {
      details: { file: source },
    });
  const { indexOf } = resolveColumns(header.fields, parsed, source, header.line);
  const position = new Map<BarColumn, number>();
  for (const [field, name] of Object.entries(indexOf) as Array<[BarColumn, string]>)
    position.set(field, header.fields.indexOf(name));
  const width = header.fields.length;
  const settings = rowSettings(
    header.fields,
    records.slice(1, 51).map((record) => record.fields),
    indexOf,
    parsed,
    delimiter,
  );
  function* rows(): Iterable<RawRow> {
    for (let index = 1; index < records.length; index += 1) {
      const record = records[index] as (typeof records)[number];
      if (record.fields.length !== width) {
        const message = `has ${record.fields.length} field(s), the header has ${width}`;
        yield {
          line: record.line,
          row: index - 1,
          get() {
            throw new RowError('INVALID_BAR', message);
          },
        };
        continue;
      }
      yield {
        line: record.line,
        row: index - 1,
        get: (column) => {
          const at = position.get(column);
          return at === undefined ? undefined : record.fields[at];
        },
      };
    }
  }
  return collect(rows(), indexOf, parsed, source, settings);
}

function objectRows(
  items: readonly unknown[],
  lines: readonly number[] | undefined,
): { headers: string[]; rows: (columns: Partial<Record<BarColumn, string>>) => Iterable<RawRow> } {
  const headers = new Set<string>();
  for (const item of items.slice(0, 50)) {
    if (item && typeof item === 'object' && !Array.isArray(item)) for (const key of Object.keys(item)) headers.add(key);
  }
  return {
    headers: [...headers],
    *rows(columns) {
      for (let index = 0; index < items.length; index += 1) {
        const item = items[index];
        const line = lines?.[index] ?? index + 1;
        if (!item || typeof item !== 'object' || Array.isArray(item)) {
          yield {
            line,
            row: index,
            get() {
              throw new RowError('INVALID_BAR', `expected an object, got ${JSON.stringify(item)}`);
            },
          };
          continue;
        }
        const record = item as Record<string, unknown>;
        yield {
          line,
          row: index,
          get: (column) => (columns[column] === undefined ? undefined : record[columns[column] as string]),
        };
      }
    },
  };
}

/** Turn a columnar object (`{ date: [...], open: [...] }`) into row objects. */
function columnarToRows(value: Record<string, unknown>): unknown[] | undefined {
  const entries = Object.entries(value);
  if (entries.length === 0 || !entries.every(([, column]) => Array.isArray(column))) return undefined;
  const length = ((entries[0] as [string, unknown])[1] as unknown[]).length;
  if (!entries.every(([, column]) => (column as unknown[]).length === length)) return undefined;
  return Array.from({ length }, (_, index) =>
    Object.fromEntries(entries.map(([key, column]) => [key, (column as unknown[])[index]])),
  );
}

/**
 * Parse OHLCV bars from JSON: an array of row objects, an object holding such an array under `bars`, `data`,
 * `rows`, `prices` or `values`, or a columnar object of equal-length arrays. Keys are matched like CSV headers.
 * Errors name the 1-based row index as `line`.
 * @throws {TradeR1Error} as {@link parseBarsCsv}; `PARSE_FAILED` for malformed JSON or an unrecognised shape.
 */
export function parseBarsJson(text: string, options: ReadBarsOptions = {}): ReadBarsResult {
  parseArgument(z.string(), text, { fn: 'parseBarsJson()', field: 'text' });
  const parsed = parseOptions(options);
  const source = parsed.source ?? '<input>';
  let value: unknown;
  try {
    value = JSON.parse(stripBom(text));
  } catch (error) {
    throw new TradeR1Error(
      'PARSE_FAILED',
      `${source}: malformed JSON: ${error instanceof Error ? error.message : String(error)}`,
      {
        details: { file: source },
        cause: error,
      },
    );
  }
  let items: unknown[] | undefined;
  if (Array.isArray(value)) items = value;
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of ['bars', 'data', 'rows', 'prices', 'values', 'items']) {
      const candidate = record[key];
      if (Array.isArray(candidate)) {
        items = candidate;
        break;
      }
      if (candidate && typeof candidate === 'object') {
        items = columnarToRows(candidate as Record<string, unknown>);
        if (items) break;
      }
    }
    items ??= columnarToRows(record);
  }
  if (!items) {
    throw new TradeR1Error(
      'PARSE_FAILED',
      `${source}: expected an array of bar objects, an object with a "bars"/"data" array, or a columnar object of arrays`,
      { details: { file: source } },
    );
  }
  const table = objectRows(items, undefined);
  const { indexOf } = resolveColumns(table.headers, parsed, source, 1);
  return collect(table.rows(indexOf), indexOf, parsed, source);
}

/**
 * Parse OHLCV bars from NDJSON (one JSON object per line; blank lines ignored). A line that is not valid JSON is
 * an invalid row (`PARSE_FAILED`), reported with its line number.
 * @throws {TradeR1Error} as {@link parseBarsCsv}.
 */
export function parseBarsNdjson(text: string, options: ReadBarsOptions = {}): ReadBarsResult {
  parseArgument(z.string(), text, { fn: 'parseBarsNdjson()', field: 'text' });
  const parsed = parseOptions(options);
  const source = parsed.source ?? '<input>';
  const items: unknown[] = [];
  const lines: number[] = [];
  const badLines = new Map<number, string>();
  stripBom(text)
    .split(/\r\n|\n|\r/)
    .forEach((content, index) => {
      if (content.trim() === '') return;
      try {
        items.push(JSON.parse(content));
      } catch (error) {
        items.push(undefined);
        badLines.set(items.length - 1, error instanceof Error ? error.message : String(error));
      }
      lines.push(index + 1);
    });
  if (items.length === 0)
    throw new TradeR1Error('PARSE_FAILED', `${source}: no NDJSON records`, { details: { file: source } });
  const table = objectRows(items, lines);
  const { indexOf } = resolveColumns(table.headers, parsed, source, lines[0] ?? 1);
  function* rows(): Iterable<RawRow> {
    let index = 0;
    for (const row of table.rows(indexOf)) {
      const problem = badLines.get(index);
      index += 1;
      if (problem !== undefined) {
        yield {
          line: row.line,
          row: row.row,
          get() {
            throw new RowError('PARSE_FAILED', `malformed JSON: ${problem}`);
          },
        };
      } else yield row;
    }
  }
  return collect(rows(), indexOf, parsed, source);
}

/** Parse bars from text in the given format (see {@link parseBarsCsv}, {@link parseBarsJson}, {@link parseBarsNdjson}). */
export function parseBars(
  text: string,
  options: ReadBarsOptions & { format: 'csv' | 'json' | 'ndjson' },
): ReadBarsResult {
  parseArgument(z.object({ format: z.enum(['csv', 'json', 'ndjson']) }), options, {
    fn: 'parseBars()',
    field: 'options',
    code: 'INVALID_CONFIG',
  });
  if (options.format === 'json') return parseBarsJson(text, options);
  if (options.format === 'ndjson') return parseBarsNdjson(text, options);
  return parseBarsCsv(text, options);
}

function inferFormat(path: string): 'csv' | 'json' | 'ndjson' {
  const lower = path.toLowerCase();
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl')) return 'ndjson';
  if (lower.endsWith('.json')) return 'json';
  return 'csv';
}

/**
 * Read OHLCV bars from a CSV, JSON or NDJSON file (format from the extension unless given).
 * @throws {TradeR1Error} `NOT_FOUND` when the file does not exist; otherwise as {@link parseBarsCsv}.
 */
export async function readBarsFile(path: string | URL, options: ReadBarsOptions = {}): Promise<ReadBarsResult> {
  parseArgument(pathSchema, path, { fn: 'readBarsFile()', field: 'path' });
  const parsed = parseOptions(options);
  const filePath = path instanceof URL ? fileURLToPath(path) : path;
  throwIfAborted(parsed.signal);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(filePath, parsed.signal ? { signal: parsed.signal } : {});
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new TradeR1Error('NOT_FOUND', `Bar file not found: ${filePath}`, {
        details: { file: filePath },
        cause: error,
      });
    }
    if ((error as Error).name === 'AbortError')
      throw new TradeR1Error('ABORTED', 'Reading bars aborted', { cause: error });
    throw new TradeR1Error('PARSE_FAILED', `Cannot read ${filePath}: ${(error as Error).message}`, {
      details: { file: filePath },
      cause: error,
    });
  }
  let text: string;
  try {
    text = new TextDecoder(parsed.encoding ?? 'utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new TradeR1Error(
      'PARSE_FAILED',
      `${filePath}: not valid ${parsed.encoding ?? 'utf-8'} text; pass \`encoding\` (e.g. 'gbk')`,
      {
        details: { file: filePath, encoding: parsed.encoding ?? 'utf-8' },
        cause: error,
      },
    );
  }
  const format = parsed.format ?? inferFormat(filePath);
  return parseBars(text, { ...parsed, format, source: parsed.source ?? filePath });
}
