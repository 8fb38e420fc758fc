import { createReadStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Bar,
  type ExchangeInput,
  exchangeForTicker,
  parseWith,
  TradeR1Error,
  throwIfAborted,
  tickerSchema,
} from '@trade-r1/core';
import { z } from 'zod';
import { parseArgument, pathSchema } from '../validate.ts';
import {
  type BarColumn,
  type BarsWarning,
  calendarWarnings,
  normaliseHeader,
  parseOptions,
  type RawRow,
  type ReadBarsOptions,
  RowError,
  type RowSettings,
  resolveColumns,
  rowSettings,
  rowToBar,
  type SkippedRow,
} from './bars.ts';
import { type CsvRecord, detectDelimiter, parseCsv, stripBom } from './csv.ts';

/** Header names of a ticker column, compared like bar headers (case, spaces and `_` ignored). */
const TICKER_ALIASES = ['ticker', 'symbol', 'tscode', 'code', 'secid', 'instrument', '代码', '股票代码', '证券代码'];

/** Options of {@link streamBarsCsvFile} and {@link readBarsCsvFileByTicker}. */
export interface StreamBarsOptions extends Omit<ReadBarsOptions, 'format' | 'exchange'> {
  /** Header of the ticker column of a multi-ticker file. @default detected (`ticker`, `symbol`, `ts_code`, `代码`…) */
  tickerColumn?: string;
  /** Ticker of every row of a single-ticker file (no ticker column). */
  ticker?: string;
  /**
   * Exchange whose holidays are reported in `warnings`. @default per ticker from its symbol (`.SH` Shanghai…);
   * weekends only where the symbol names no known exchange
   */
  exchange?: ExchangeInput;
  /** Most bars held before they are yielded (in one batch per ticker). @default 10000 */
  batchSize?: number;
  /** Skipped rows and warnings kept in the summary (all are counted in `skippedCount`, `warningCount`). @default 1000 */
  maxSkippedReported?: number;
  /** Bytes read from the file at a time. @default 1048576 */
  chunkBytes?: number;
}

const streamOptionsSchema = z.object({
  tickerColumn: z.string().min(1).optional(),
  ticker: tickerSchema.optional(),
  batchSize: z.number().int().positive().optional(),
  maxSkippedReported: z.number().int().min(0).optional(),
  chunkBytes: z.number().int().positive().optional(),
});

/** A batch of bars of one ticker, in file order. */
export interface BarBatch {
  ticker: string;
  bars: Bar[];
  /** 1-based file line of each bar. */
  lines: number[];
}

/** What a streamed read saw, returned when the stream ends. */
export interface StreamBarsSummary {
  source: string;
  /** Data rows read (valid and skipped). */
  rowCount: number;
  /** Rows dropped with `onInvalid: 'skip'`. */
  skippedCount: number;
  /** The first `maxSkippedReported` skipped rows. */
  skipped: SkippedRow[];
  /** Weekend and holiday rows (kept), with their ticker: the first `maxSkippedReported`. */
  warnings: Array<BarsWarning & { ticker: string }>;
  /** All weekend and holiday rows. */
  warningCount: number;
  /** Which column fed each field, and the ticker column. */
  columns: Partial<Record<BarColumn | 'ticker', string>>;
  units: { volumeFactor: number; decimal: '.' | ',' };
  /** Bytes read from the file. */
  bytes: number;
}

/** Where the last complete record ends in `text` (the index after its line break), outside quotes. */
function lastRecordEnd(text: string): number {
  let quoted = false;
  let end = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 34) quoted = !quoted;
    else if (!quoted && (code === 10 || code === 13)) end = index + 1;
  }
  return end;
}

function countLines(text: string): number {
  let lines = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 10) lines += 1;
    else if (code === 13 && text.charCodeAt(index + 1) !== 10) lines += 1;
  }
  return lines;
}

function exchangeOf(ticker: string, fixed: ExchangeInput | undefined): ExchangeInput | undefined {
  if (fixed !== undefined) return fixed;
  try {
    return exchangeForTicker(ticker);
  } catch {
    return undefined;
  }
}

/**
 * Read a CSV bar file as a stream, in bounded memory: the file is decoded chunk by chunk and bars are yielded in
 * batches per ticker as they are read, so memory does not grow with the file (only with `batchSize` and one
 * record). Multi-ticker files (a `ticker`/`symbol`/`ts_code` column) yield each row under its own ticker. Cells
 * are read as {@link parseBarsCsv} reads them — header aliases, decimal commas in `;` files, lot volumes ×100 —
 * and weekend or holiday rows are reported in the summary's `warnings`. Bars come in file order: sorting and
 * duplicate checks need the whole series ({@link readBarsCsvFileByTicker} does both per ticker).
 * @returns an async generator of {@link BarBatch}es whose return value is the {@link StreamBarsSummary}.
 * @throws {TradeR1Error} `NOT_FOUND`, `PARSE_FAILED` (malformed CSV, bad encoding, missing or doubled columns, no
 *   ticker), `INVALID_BAR` (a bad row with `onInvalid: 'throw'`), `ABORTED`.
 */
export async function* streamBarsCsvFile(
  path: string | URL,
  options: StreamBarsOptions = {},
): AsyncGenerator<BarBatch, StreamBarsSummary, undefined> {
  parseArgument(pathSchema, path, { fn: 'streamBarsCsvFile()', field: 'path' });
  parseArgument(z.object({}), options, { fn: 'streamBarsCsvFile()', field: 'options', code: 'INVALID_CONFIG' });
  const own = parseWith(
    streamOptionsSchema,
    {
      tickerColumn: options.tickerColumn,
      ticker: options.ticker,
      batchSize: options.batchSize,
      maxSkippedReported: options.maxSkippedReported,
      chunkBytes: options.chunkBytes,
    },
    { code: 'INVALID_CONFIG', label: 'stream bars options' },
  );
  const {
    tickerColumn: _tickerColumn,
    ticker: _ticker,
    batchSize: _batchSize,
    maxSkippedReported: _max,
    chunkBytes: _chunkBytes,
    ...readOptions
  } = options;
  const parsed = parseOptions(readOptions as ReadBarsOptions);
  const filePath = path instanceof URL ? fileURLToPath(path) : path;
  const source = parsed.source ?? filePath;
  const batchSize = own.batchSize ?? 10_000;
  const maxSkipped = own.maxSkippedReported ?? 1000;
  const skip = parsed.onInvalid === 'skip';
  const decoder = new TextDecoder(parsed.encoding ?? 'utf-8', { fatal: true });
  const summary: StreamBarsSummary = {
    source,
    rowCount: 0,
    skippedCount: 0,
    skipped: [],
    warnings: [],
    warningCount: 0,
    columns: {},
    units: { volumeFactor: 1, decimal: '.' },
    bytes: 0,
  };
  const pending = new Map<string, BarBatch>();
  let pendingBars = 0;
  let header: { fields: string[]; position: Map<BarColumn, number>; tickerAt: number } | undefined;
  let columns: Partial<Record<BarColumn, string>> = {};
  let settings: RowSettings | undefined;
  let delimiter = parsed.delimiter && parsed.delimiter !== 'auto' ? parsed.delimiter : undefined;
  let carry = '';
  let nextLine = 1;
  let dataRow = 0;
  let first = true;

  const fail = (error: unknown): never => {
    if (error instanceof TradeR1Error) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new TradeR1Error('NOT_FOUND', `Bar file not found: ${filePath}`, {
        details: { file: filePath },
        cause: error,
      });
    }
    if ((error as Error).name === 'AbortError')
      throw new TradeR1Error('ABORTED', 'Reading bars aborted', { cause: error });
    if (error instanceof TypeError && /decode|encoded/i.test(error.message)) {
      throw new TradeR1Error(
        'PARSE_FAILED',
        `${filePath}: not valid ${parsed.encoding ?? 'utf-8'} text; pass \`encoding\` (e.g. 'gbk')`,
        {
          details: { file: filePath, encoding: parsed.encoding ?? 'utf-8' },
          cause: error,
        },
      );
    }
    throw new TradeR1Error('PARSE_FAILED', `Cannot read ${filePath}: ${(error as Error).message}`, {
      details: { file: filePath },
      cause: error,
    });
  };

  function setHeader(record: CsvRecord, sample: readonly CsvRecord[]): void {
    const resolved = resolveColumns(record.fields, parsed, source, record.line);
    columns = resolved.indexOf;
    const position = new Map<BarColumn, number>();
    for (const [field, name] of Object.entries(columns) as Array<[BarColumn, string]>) {
      position.set(field, record.fields.indexOf(name));
    }
    let tickerAt = -1;
    if (own.tickerColumn !== undefined) {
      tickerAt = record.fields.findIndex(
        (name) => normaliseHeader(name) === normaliseHeader(own.tickerColumn as string),
      );
      if (tickerAt < 0) {
        throw new TradeR1Error(
          'PARSE_FAILED',
          `${source}:${record.line}: ticker column ${JSON.stringify(own.tickerColumn)} is not in the header`,
          {
            details: { file: source, line: record.line, headers: record.fields },
          },
        );
      }
    } else if (own.ticker === undefined) {
      tickerAt = record.fields.findIndex((name) => TICKER_ALIASES.includes(normaliseHeader(name)));
      if (tickerAt < 0) {
        throw new TradeR1Error(
          'PARSE_FAILED',
          `${source}:${record.line}: no ticker column (${TICKER_ALIASES.join(', ')}); pass \`ticker\` for a single-ticker file or \`tickerColumn\``,
          { details: { file: source, line: record.line, headers: record.fields } },
        );
      }
    }
    header = { fields: record.fields, position, tickerAt };
    settings = rowSettings(
      record.fields,
      sample.map((entry) => entry.fields),
      columns,
      parsed,
      delimiter ?? ',',
    );
    summary.columns = { ...columns, ...(tickerAt >= 0 && { ticker: record.fields[tickerAt] }) };
    summary.units = { volumeFactor: settings.volumeFactor, decimal: settings.decimalComma ? ',' : '.' };
  }

  function* consume(records: readonly CsvRecord[]): Generator<BarBatch> {
    for (const record of records) {
      if (!header) {
        setHeader(record, records.slice(1, 51));
        continue;
      }
      summary.rowCount += 1;
      const row = dataRow;
      dataRow += 1;
      const width = header.fields.length;
      const { position, tickerAt } = header;
      let ticker = own.ticker ?? '';
      try {
        if (record.fields.length !== width) {
          throw new RowError('INVALID_BAR', `has ${record.fields.length} field(s), the header has ${width}`);
        }
        if (tickerAt >= 0) {
          const cell = tickerSchema.safeParse(record.fields[tickerAt]);
          if (!cell.success)
            throw new RowError('INVALID_BAR', `ticker ${JSON.stringify(record.fields[tickerAt])} is not a ticker`);
          ticker = cell.data;
        }
        const raw: RawRow = {
          line: record.line,
          row,
          get: (column) => {
            const at = position.get(column);
            return at === undefined ? undefined : record.fields[at];
          },
        };
        const bar = rowToBar(raw, columns, parsed, settings);
        for (const warning of calendarWarnings([bar], () => record.line, exchangeOf(ticker, parsed.exchange))) {
          summary.warningCount += 1;
          if (summary.warnings.length < maxSkipped) summary.warnings.push({ ...warning, ticker });
        }
        let batch = pending.get(ticker);
        if (!batch) {
          batch = { ticker, bars: [], lines: [] };
          pending.set(ticker, batch);
        }
        batch.bars.push(bar);
        batch.lines.push(record.line);
        pendingBars += 1;
        // The bound is on all pending bars together: a file of 500 tickers must not hold 500 batches.
        if (pendingBars >= batchSize) {
          for (const full of pending.values()) yield full;
          pending.clear();
          pendingBars = 0;
        }
      } catch (error) {
        if (!(error instanceof RowError)) throw error;
        if (!skip) {
          throw new TradeR1Error(error.code, `${source}:${record.line}: ${error.message}`, {
            details: { file: source, line: record.line, row, ...(error.column && { column: error.column }) },
          });
        }
        summary.skippedCount += 1;
        if (summary.skipped.length < maxSkipped) {
          summary.skipped.push({ line: record.line, row, reason: error.message, code: error.code });
        }
      }
    }
  }

  function parseChunk(text: string): CsvRecord[] {
    const cleaned = first ? stripBom(text) : text;
    if (first) {
      const hint = /^sep=(.)\r?\n/i.exec(cleaned);
      delimiter ??= hint?.[1] ?? detectDelimiter(cleaned);
    }
    const records = parseCsv(cleaned, { source, delimiter: delimiter as string, firstLine: nextLine });
    nextLine += countLines(cleaned);
    first = false;
    return records;
  }

  throwIfAborted(parsed.signal);
  const stream = createReadStream(filePath, {
    highWaterMark: own.chunkBytes ?? 1 << 20,
    ...(parsed.signal && { signal: parsed.signal }),
  });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      summary.bytes += chunk.length;
      const text = carry + decoder.decode(chunk, { stream: true });
      const end = lastRecordEnd(text);
      // Keep a trailing CR: its LF may start the next chunk.
      const cut = end > 0 && text.charCodeAt(end - 1) === 13 && end === text.length ? end - 1 : end;
      carry = text.slice(cut);
      if (cut > 0) yield* consume(parseChunk(text.slice(0, cut)));
    }
    const rest = carry + decoder.decode();
    if (rest.trim() !== '') yield* consume(parseChunk(rest));
  } catch (error) {
    fail(error);
  } finally {
    stream.destroy();
  }
  if (!header) {
    throw new TradeR1Error('PARSE_FAILED', `${source}: no header row (the input is empty)`, {
      details: { file: source },
    });
  }
  for (const batch of pending.values()) yield batch;
  return summary;
}

/** Result of {@link readBarsCsvFileByTicker}. */
export interface BarsByTicker {
  /** Validated bars per ticker, ascending, one per date. */
  bars: Record<string, Bar[]>;
  summary: StreamBarsSummary;
}

/**
 * Read a multi-ticker (or single-ticker) CSV file with {@link streamBarsCsvFile} and collect the bars per ticker,
 * sorted ascending; two rows of one ticker on one date raise `INVALID_SERIES` (skipped and counted with
 * `onInvalid: 'skip'`). Memory grows with the bars kept, not with the file text.
 */
export async function readBarsCsvFileByTicker(
  path: string | URL,
  options: StreamBarsOptions = {},
): Promise<BarsByTicker> {
  const collected = new Map<string, Array<{ bar: Bar; line: number }>>();
  const stream = streamBarsCsvFile(path, options);
  let step = await stream.next();
  while (!step.done) {
    const batch = step.value;
    let list = collected.get(batch.ticker);
    if (!list) {
      list = [];
      collected.set(batch.ticker, list);
    }
    for (let index = 0; index < batch.bars.length; index += 1) {
      list.push({ bar: batch.bars[index] as Bar, line: batch.lines[index] as number });
    }
    step = await stream.next();
  }
  const summary = step.value;
  const skip = options.onInvalid === 'skip';
  const bars: Record<string, Bar[]> = {};
  for (const [ticker, list] of collected) {
    list.sort((left, right) =>
      left.bar.timestamp < right.bar.timestamp
        ? -1
        : left.bar.timestamp > right.bar.timestamp
          ? 1
          : left.line - right.line,
    );
    const out: Bar[] = [];
    let previous: { bar: Bar; line: number } | undefined;
    for (const entry of list) {
      if (previous && previous.bar.timestamp === entry.bar.timestamp) {
        const message = `${ticker}: duplicate date ${entry.bar.timestamp} (also on line ${previous.line})`;
        if (!skip) {
          throw new TradeR1Error('INVALID_SERIES', `${summary.source}:${entry.line}: ${message}`, {
            details: { file: summary.source, line: entry.line, ticker, duplicateOf: previous.line },
          });
        }
        summary.skippedCount += 1;
        if (summary.skipped.length < (options.maxSkippedReported ?? 1000)) {
          summary.skipped.push({ line: entry.line, row: -1, reason: message, code: 'INVALID_SERIES' });
        }
        continue;
      }
      out.push(entry.bar);
      previous = entry;
    }
    bars[ticker] = out;
  }
  return { bars, summary };
}
