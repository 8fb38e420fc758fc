import {
  type Decision,
  decisionSchema,
  decisionTiming,
  exchangeForTicker,
  exchangeSchema,
  finiteNumberSchema,
  isIsoDate,
  parseWith,
  TradeR1Error,
  tickerSchema,
  toTradeR1Error,
} from '@trade-r1/core';
import { z } from 'zod';
import { assertText } from './validate.ts';

/** A decision label as models write it: `STRONG_BUY`, `strong buy`, `Strong-Buy` all mean `STRONG_BUY`. */
export const decisionLabelSchema = z
  .string()
  .transform((value) =>
    value
      .trim()
      .toUpperCase()
      .replace(/[\s-]+/g, '_'),
  )
  .pipe(decisionSchema);

const decisionTimeSchema = z.string().trim().min(1, 'expected a date (YYYY-MM-DD) or a date-time');

/**
 * One row of a decision log: when the decision was made (`date`, a trading date or a date-time), the asset, and a
 * five-level `decision`, a numeric `score` (for top-k selection; higher is more attractive), or both.
 *
 * A date `D` is a decision at D's close, filled at the next bar's open. A date-time is reduced with core's
 * decision clock on the asset's exchange (`exchange`, default from the ticker): it fills at the first session
 * open strictly after that instant, whatever zone it is written in, and `date` becomes the trading date before
 * that open. Offset-less date-times are read in the exchange's zone.
 */
export const decisionLogRowSchema = z
  .object({
    /** When the decision was made, with the information of that day's close at the latest. */
    date: decisionTimeSchema,
    /** The exchange whose calendar reduces a date-time `date` (`XNYS`, `SSE`, …). @default from the ticker */
    exchange: exchangeSchema.optional(),
    /** The asset. */
    ticker: tickerSchema,
    /** A five-level decision (any case, spaces or hyphens for underscores). */
    decision: decisionLabelSchema.optional(),
    /** A score for cross-sectional selection. */
    score: finiteNumberSchema.optional(),
  })
  .refine((row) => row.decision !== undefined || row.score !== undefined, {
    message: 'a row needs a decision or a score',
  })
  .transform((row, context) => {
    if (row.date.length === 10 && isIsoDate(row.date)) return row;
    try {
      const exchange = row.exchange ?? exchangeForTicker(row.ticker);
      return { ...row, date: decisionTiming({ asOf: row.date, exchange }).decisionBar };
    } catch (error) {
      context.addIssue({
        code: 'custom',
        path: ['date'],
        message: `expected a date (YYYY-MM-DD) or a date-time with offset, got ${JSON.stringify(row.date)}: ${toTradeR1Error(error).message}`,
      });
      return z.NEVER;
    }
  });

/** What {@link decisionLogRowSchema} accepts. */
export type DecisionLogRowInput = z.input<typeof decisionLogRowSchema>;

/** One validated row of a {@link DecisionLog}. */
export interface DecisionLogRow {
  /** Trading date of the decision `YYYY-MM-DD`. */
  readonly date: string;
  /** Normalised ticker. */
  readonly ticker: string;
  /** Five-level decision, when given. */
  readonly decision?: Decision;
  /** Score, when given. */
  readonly score?: number;
  /** Position of the row in the input (0-based). */
  readonly index: number;
  /** 1-based line in the source text (CSV, JSON Lines), when parsed from text. */
  readonly line?: number;
}

const BRAND = Symbol('DecisionLog');

/**
 * A validated decision log: rows sorted by date (ties keep input order), at most one row per (date, ticker).
 * Create it with {@link parseDecisionLog}, {@link parseDecisionLogCsv} or {@link parseDecisionLogJson}; the
 * engine accepts it without validating again.
 */
export class DecisionLog {
  /** The rows, sorted by date. */
  readonly rows: readonly DecisionLogRow[];
  /** @internal */
  readonly [BRAND] = true;

  /** @internal Use the parse functions. */
  constructor(rows: readonly DecisionLogRow[], brand: typeof BRAND) {
    if (brand !== BRAND) throw new TradeR1Error('INTERNAL', 'Use parseDecisionLog() to create a DecisionLog');
    this.rows = Object.freeze(rows.slice());
  }

  /** Number of rows. */
  get size(): number {
    return this.rows.length;
  }

  /** The distinct tickers, in order of first appearance. */
  tickers(): string[] {
    return [...new Set(this.rows.map((row) => row.ticker))];
  }

  /** True when `value` is a {@link DecisionLog}. */
  static isDecisionLog(value: unknown): value is DecisionLog {
    return value instanceof DecisionLog && value[BRAND] === true;
  }
}

function rowLabel(index: number, line: number | undefined): string {
  return line === undefined ? `decision log row ${index}` : `decision log row ${index} (line ${line})`;
}

/** Validate one row with {@link decisionLogRowSchema}; errors name the row index and line. */
function parseRow(value: unknown, index: number, line?: number): DecisionLogRow {
  const parsed = parseWith(decisionLogRowSchema, value, {
    code: 'INVALID_INPUT',
    label: rowLabel(index, line),
    details: line === undefined ? { row: index } : { row: index, line },
  });
  return {
    date: parsed.date,
    ticker: parsed.ticker,
    ...(parsed.decision !== undefined && { decision: parsed.decision }),
    ...(parsed.score !== undefined && { score: parsed.score }),
    index,
    ...(line !== undefined && { line }),
  };
}

function finish(rows: DecisionLogRow[]): DecisionLog {
  const sorted = rows
    .slice()
    .sort((left, right) => (left.date < right.date ? -1 : left.date > right.date ? 1 : left.index - right.index));
  // Sorted by date: duplicates can only sit inside one date's run of rows.
  let currentDate = '';
  const seen = new Map<string, DecisionLogRow>();
  for (const row of sorted) {
    if (row.date !== currentDate) {
      currentDate = row.date;
      seen.clear();
    }
    const previous = seen.get(row.ticker);
    if (previous) {
      throw new TradeR1Error(
        'INVALID_INPUT',
        `${rowLabel(row.index, row.line)} repeats ${row.ticker} on ${row.date} (already in ${rowLabel(previous.index, previous.line)}); keep one decision per ticker and date`,
        {
          details: { row: row.index, line: row.line, duplicateOf: previous.index, ticker: row.ticker, date: row.date },
        },
      );
    }
    seen.set(row.ticker, row);
  }
  return new DecisionLog(sorted, BRAND);
}

/**
 * Validate decision-log rows given in code (`{ date, ticker, decision?, score? }`).
 * @throws {TradeR1Error} `INVALID_INPUT` naming the first bad row (`details.row`) or a repeated (date, ticker).
 */
export function parseDecisionLog(rows: readonly unknown[] | DecisionLog): DecisionLog {
  if (DecisionLog.isDecisionLog(rows)) return rows;
  if (!Array.isArray(rows)) {
    throw new TradeR1Error('INVALID_INPUT', 'A decision log must be an array of rows', {
      details: { received: typeof rows },
    });
  }
  return finish(rows.map((row, index) => parseRow(row, index)));
}

const HEADER_ALIASES: Record<string, 'date' | 'ticker' | 'decision' | 'score'> = {
  date: 'date',
  timestamp: 'date',
  asof: 'date',
  as_of: 'date',
  time: 'date',
  ticker: 'ticker',
  symbol: 'ticker',
  asset: 'ticker',
  decision: 'decision',
  action: 'decision',
  label: 'decision',
  recommendation: 'decision',
  score: 'score',
};

/**
 * Parse CSV text into records with the 1-based line where each record starts (RFC 4180: quoted fields may hold
 * commas, doubled quotes and line breaks; CRLF or LF).
 */
export function parseCsvRecords(text: string): { fields: string[]; line: number }[] {
  assertText(text, 'text', 'parseCsvRecords');
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let fieldStarted = false;
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const endRecord = (): void => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '' && !fieldStarted)) records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldStarted = false;
  };
  for (let index = 0; index < source.length; index += 1) {
    const char = source[index] as string;
    if (quoted) {
      if (char === '"') {
        if (source[index + 1] === '"') {
          field += '"';
          index += 1;
        } else {
          quoted = false;
        }
      } else {
        if (char === '\n') line += 1;
        field += char;
      }
      continue;
    }
    if (char === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (char === ',') {
      fields.push(field);
      field = '';
      fieldStarted = true;
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && source[index + 1] === '\n') index += 1;
      endRecord();
      line += 1;
      recordLine = line;
    } else {
      field += char;
      fieldStarted = true;
    }
  }
  if (quoted) {
    throw new TradeR1Error('PARSE_FAILED', `Unterminated quoted field starting on line ${recordLine}`, {
      details: { line: recordLine },
    });
  }
  if (field !== '' || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

/**
 * Parse a decision log from CSV text with a header row. Columns are found by name, case-insensitively:
 * `date` (or `timestamp`, `asof`, `time`), `ticker` (or `symbol`, `asset`), `decision` (or `action`, `label`,
 * `recommendation`) and `score`; other columns are ignored. Empty cells are absent values.
 * @throws {TradeR1Error} `PARSE_FAILED` for a missing header column; `INVALID_INPUT` naming the row and its line.
 */
export function parseDecisionLogCsv(text: string): DecisionLog {
  assertText(text, 'text', 'parseDecisionLogCsv');
  const records = parseCsvRecords(text);
  const header = records[0];
  if (!header) throw new TradeR1Error('PARSE_FAILED', 'The decision log CSV is empty (no header row)');
  const columns = new Map<'date' | 'ticker' | 'decision' | 'score', number>();
  header.fields.forEach((name, column) => {
    const key = HEADER_ALIASES[name.trim().toLowerCase().replace(/\s+/g, '_')];
    if (key && !columns.has(key)) columns.set(key, column);
  });
  const missing = (['date', 'ticker'] as const).filter((name) => !columns.has(name));
  if (missing.length > 0 || (!columns.has('decision') && !columns.has('score'))) {
    throw new TradeR1Error(
      'PARSE_FAILED',
      `The decision log CSV header needs date, ticker and decision and/or score columns; found ${header.fields.join(', ')}`,
      { details: { header: header.fields } },
    );
  }
  const rows = records.slice(1).map(({ fields, line }, index) => {
    const cell = (name: 'date' | 'ticker' | 'decision' | 'score'): string | undefined => {
      const column = columns.get(name);
      const value = column === undefined ? undefined : fields[column]?.trim();
      return value === '' ? undefined : value;
    };
    const scoreText = cell('score');
    const score =
      scoreText === undefined
        ? undefined
        : /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(scoreText)
          ? Number(scoreText)
          : scoreText;
    return parseRow({ date: cell('date'), ticker: cell('ticker'), decision: cell('decision'), score }, index, line);
  });
  return finish(rows);
}

/**
 * Parse a decision log from JSON text: an array of rows, an object `{ "decisions": [...] }`, or JSON Lines (one
 * row object per line).
 * @throws {TradeR1Error} `PARSE_FAILED` for text that is none of these; `INVALID_INPUT` naming the bad row.
 */
export function parseDecisionLogJson(text: string): DecisionLog {
  assertText(text, 'text', 'parseDecisionLogJson');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const lines = text.split(/\r?\n/);
    if (lines.filter((line) => line.trim() !== '').length < 2) {
      throw new TradeR1Error('PARSE_FAILED', `The decision log is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const rows: DecisionLogRow[] = [];
    lines.forEach((lineText, lineIndex) => {
      if (lineText.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(lineText);
      } catch (lineError) {
        throw new TradeR1Error(
          'PARSE_FAILED',
          `Line ${lineIndex + 1} of the decision log is not valid JSON: ${(lineError as Error).message}`,
          { details: { line: lineIndex + 1 }, cause: lineError },
        );
      }
      rows.push(parseRow(value, rows.length, lineIndex + 1));
    });
    return finish(rows);
  }
  const rows = Array.isArray(document)
    ? document
    : document !== null &&
        typeof document === 'object' &&
        Array.isArray((document as { decisions?: unknown }).decisions)
      ? ((document as { decisions: unknown[] }).decisions as unknown[])
      : undefined;
  if (!rows) {
    throw new TradeR1Error('PARSE_FAILED', 'The decision log JSON must be an array of rows or { "decisions": [...] }');
  }
  return finish(rows.map((row, index) => parseRow(row, index)));
}
