import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseWith, TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { z } from 'zod';
import type { NewsItem } from '../sources.ts';
import { parseArgument, pathSchema } from '../validate.ts';
import { parseCsv } from './csv.ts';
import { parseUsDateTime, type UsTimeZone } from './us-time.ts';

/** A news row that could not be read. */
export interface SkippedNewsRow {
  /** 1-based line where the record starts. */
  line: number;
  reason: string;
}

/** Result of reading a news CSV. */
export interface ReadNewsResult {
  /** Items in file order, `publishedAt` as UTC ISO instants. */
  items: NewsItem[];
  /** Rows without a usable date or text (undated rows such as `2 DAYS AGO` are never guessed). */
  skipped: SkippedNewsRow[];
  source: string;
}

/** Options for {@link parseNewsCsv} and {@link readNewsCsvFile}. */
export interface ReadNewsOptions {
  /** Tickers every item is about (FNSPID per-ticker files have no ticker column). A `Stock_symbol` column adds more. @default [] */
  tickers?: readonly string[];
  /** Zone for times without one and for date-only rows (read as the end of that day: conservative). @default 'ET' */
  defaultZone?: UsTimeZone;
  /** Publisher name when the row has none. @default the URL's host, else 'unknown' */
  publisher?: string;
  /** Input name for messages. @default the file path, or '<input>' */
  source?: string;
  /** Cancels a file read. */
  signal?: AbortSignal;
}

const optionsSchema = z.strictObject({
  tickers: z.array(z.string().min(1)).optional(),
  defaultZone: z.string().optional(),
  publisher: z.string().optional(),
  source: z.string().optional(),
  signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
});

const ALIASES = {
  date: ['date', 'publishedat', 'published', 'datetime', 'time', 'timestamp'],
  url: ['url', 'link', 'articleurl'],
  text: ['text', 'content', 'article', 'body', 'summary', 'articlecontent'],
  title: ['title', 'headline', 'articletitle'],
  ticker: ['stocksymbol', 'ticker', 'symbol'],
  publisher: ['publisher', 'source', 'site'],
} as const;

function normalise(header: string): string {
  return header
    .trim()
    .toLowerCase()
    .replace(/[\s_\-.]/g, '');
}

/** A readable title from an article URL slug (`…/articles/could-apple-acquire-peloton%3A-2-things` → `could apple acquire peloton: 2 things`). */
function titleFromUrl(url: string): string | undefined {
  try {
    const slug = new URL(url).pathname.split('/').filter(Boolean).at(-1);
    if (!slug) return undefined;
    return (
      decodeURIComponent(slug)
        .replace(/[-_]+/g, ' ')
        .replace(/\.html?$/, '')
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}

function firstSentence(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  const end = clean.search(/[.!?](\s|$)/);
  const sentence = end > 0 ? clean.slice(0, end + 1) : clean;
  return sentence.length > 160 ? `${sentence.slice(0, 159)}…` : sentence;
}

/**
 * Parse a news CSV such as FNSPID's (`Date,Url,Text,Mark` with dates like `January 25, 2024 — 03:33 am EST` or
 * `JAN 25, 2024`) into {@link NewsItem}s. Columns are found by header name (date, url, text/content, title,
 * stock_symbol, publisher). The headline is the title column, else the URL slug, else the first sentence; the id is
 * a SHA-1 of URL and time. Rows whose date cannot be read (relative dates like `2 DAYS AGO`, junk) or without text
 * are skipped and reported — an item is never given a guessed date.
 * Every item needs a ticker: a file without a ticker column needs `tickers`, and rows with an empty ticker cell
 * (and no `tickers`) are skipped and reported.
 * @throws {TradeR1Error} `PARSE_FAILED` for malformed CSV or a missing date/text column; `INVALID_CONFIG` for bad
 *   options (misspelled ones included) or a file whose items would have no ticker.
 */
export function parseNewsCsv(text: string, options: ReadNewsOptions = {}): ReadNewsResult {
  parseArgument(z.string(), text, { fn: 'parseNewsCsv()', field: 'text' });
  parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'news CSV options' });
  const source = options.source ?? '<input>';
  const records = parseCsv(text, { source });
  const header = records[0];
  if (!header) throw new TradeR1Error('PARSE_FAILED', `${source}: empty news file`, { details: { file: source } });
  const normalised = header.fields.map(normalise);
  const column = (names: readonly string[]): number => normalised.findIndex((name) => names.includes(name));
  const dateColumn = column(ALIASES.date);
  const textColumn = column(ALIASES.text);
  const urlColumn = column(ALIASES.url);
  const titleColumn = column(ALIASES.title);
  const tickerColumn = column(ALIASES.ticker);
  const publisherColumn = column(ALIASES.publisher);
  if (dateColumn < 0 || (textColumn < 0 && titleColumn < 0)) {
    throw new TradeR1Error(
      'PARSE_FAILED',
      `${source}:${header.line}: a news CSV needs a date column and a text or title column; found ${header.fields.join(', ')}`,
      { details: { file: source, line: header.line, headers: header.fields } },
    );
  }
  const items: NewsItem[] = [];
  const skipped: SkippedNewsRow[] = [];
  const baseTickers = (options.tickers ?? []).map((ticker) => ticker.toUpperCase());
  // An item about no ticker is never retrieved for one: refuse the file rather than return unusable evidence.
  if (tickerColumn < 0 && baseTickers.length === 0) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `${source}: the file has no ticker column (${ALIASES.ticker.join(', ')}) and no \`tickers\` were given, so every item would have tickers: []; pass \`tickers: ['AAPL']\``,
      { details: { file: source, field: 'tickers', headers: header.fields } },
    );
  }
  for (const record of records.slice(1)) {
    const cell = (index: number): string => (index >= 0 ? (record.fields[index] ?? '').trim() : '');
    let publishedAt: string;
    try {
      publishedAt = parseUsDateTime(
        cell(dateColumn),
        options.defaultZone ? { defaultZone: options.defaultZone } : {},
      ).instant;
    } catch (error) {
      skipped.push({ line: record.line, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    const body = cell(textColumn);
    const url = cell(urlColumn) || undefined;
    const headline = cell(titleColumn) || (url && titleFromUrl(url)) || firstSentence(body);
    if (!headline && !body) {
      skipped.push({ line: record.line, reason: 'no title or text' });
      continue;
    }
    let publisher = cell(publisherColumn) || options.publisher;
    if (!publisher && url) {
      try {
        publisher = new URL(url).host;
      } catch {
        publisher = undefined;
      }
    }
    const extra = cell(tickerColumn).toUpperCase();
    const tickers = extra && !baseTickers.includes(extra) ? [...baseTickers, extra] : [...baseTickers];
    if (tickers.length === 0) {
      skipped.push({ line: record.line, reason: 'no ticker (empty ticker cell and no `tickers` option)' });
      continue;
    }
    const id = createHash('sha1')
      .update(`${url ?? headline}|${publishedAt}`)
      .digest('hex')
      .slice(0, 20);
    items.push({
      id,
      tickers,
      publishedAt,
      headline,
      summary: body,
      source: publisher ?? 'unknown',
      ...(url && { url }),
    });
  }
  return { items, skipped, source };
}

/**
 * Read a news CSV file (see {@link parseNewsCsv}).
 * @throws {TradeR1Error} `NOT_FOUND` when the file does not exist.
 */
export async function readNewsCsvFile(path: string | URL, options: ReadNewsOptions = {}): Promise<ReadNewsResult> {
  parseArgument(pathSchema, path, { fn: 'readNewsCsvFile()', field: 'path' });
  parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'news CSV options' });
  const filePath = path instanceof URL ? fileURLToPath(path) : path;
  throwIfAborted(options.signal);
  let text: string;
  try {
    text = await readFile(filePath, { encoding: 'utf8', ...(options.signal && { signal: options.signal }) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TradeR1Error('NOT_FOUND', `News file not found: ${filePath}`, {
        details: { file: filePath },
        cause: error,
      });
    }
    throw new TradeR1Error('PARSE_FAILED', `Cannot read ${filePath}: ${(error as Error).message}`, {
      details: { file: filePath },
      cause: error,
    });
  }
  return parseNewsCsv(text, { ...options, source: options.source ?? filePath });
}
