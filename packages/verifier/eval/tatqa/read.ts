/**
 * Reading TAT-QA contexts (../shared/data/tatqa): real annual-report tables and the paragraphs around them, with
 * questions and answers. TAT-QA is CC BY 4.0 — Fengbin Zhu, Wenqiang Lei, Youcheng Huang, Chao Wang, Shuo Zhang,
 * Jiancheng Lv, Fuli Feng, Tat-Seng Chua, "TAT-QA: A Question Answering Benchmark on a Hybrid of Tabular and
 * Textual Content in Finance", ACL 2021. Nothing of it is copied into the repository: it is read at run time.
 *
 * A table is read as a grid: header rows on top (until the first row with a figure that is not a year), then body
 * rows whose first cell is the metric; each column's header is the text of its header cells, its period the year
 * (or fiscal year) in that header; the scale and currency come from the headers ("2019 €m", "$ in thousands").
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';

const here = dirname(fileURLToPath(import.meta.url));
/** The two TAT-QA files (outside the repository). */
export const TATQA_FILES = {
  dev: join(here, '../../../../../shared/data/tatqa/tatqa_dataset_dev.json'),
  test: join(here, '../../../../../shared/data/tatqa/tatqa_dataset_test_gold.json'),
} as const;
/** Attribution that every file derived from TAT-QA carries. */
export const TATQA_ATTRIBUTION =
  'TAT-QA (CC BY 4.0): Zhu et al., "TAT-QA: A Question Answering Benchmark on a Hybrid of Tabular and Textual Content in Finance", ACL 2021';

const questionSchema = z.object({
  uid: z.string(),
  question: z.string(),
  answer: z.unknown(),
  answer_type: z.string(),
  answer_from: z.string().default(''),
  scale: z.string().default(''),
  derivation: z.unknown().optional(),
});
const contextSchema = z.object({
  table: z.object({ uid: z.string(), table: z.array(z.array(z.string())) }),
  paragraphs: z.array(z.object({ uid: z.string().optional(), order: z.number().optional(), text: z.string() })),
  questions: z.array(questionSchema),
});
/** One TAT-QA context. */
export type TatContext = z.infer<typeof contextSchema>;
/** One TAT-QA question. */
export type TatQuestion = z.infer<typeof questionSchema>;

/**
 * The contexts of a TAT-QA file, or null when it is absent.
 * @throws {TradeR1Error} `INVALID_INPUT` when the file does not have TAT-QA's shape (naming the field).
 */
export function readTatqa(file: string): TatContext[] | null {
  if (!existsSync(file)) return null;
  const parsed = z.array(contextSchema).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TradeR1Error('INVALID_INPUT', `${file}: ${issue?.path.join('.')}: ${issue?.message}`, {
      details: { file, field: issue?.path.join('.') },
    });
  }
  return parsed.data;
}

/** A scale word. */
export type Scale = 'thousand' | 'million' | 'billion';

/** A column of a table. */
export interface TatColumn {
  /** Its header cells joined, spanning header cells carried to the right ("Fiscal Year 2018 % of Total"). */
  header: string;
  /** The period it is about ("2019", "fiscal 2019"), or null. */
  period: string | null;
  /** Year of the period (for ordering), or null. */
  year: number | null;
  /** The header without its period: columns of one measure for several periods share it. */
  measure: string;
  /** Scale of its figures: its own header's, else the table's (none for per-share and percentage columns). */
  scale: Scale | null;
  /** Currency of its figures ("$", "US$", "€", "NT$"), from its header, its cells or the table's header. */
  currency: string | null;
  /** Its header says its figures are percentages (a cell may also say so itself). */
  percent: boolean;
  /** Its figures carry no scale (percentages, per-share or per-unit figures, or a currency-only header). */
  unscaled: boolean;
}

/** A body row. */
export interface TatRow {
  /** Index of the row in the source table. */
  index: number;
  /** The metric (first cell). */
  label: string;
  /** The cells as written. */
  cells: string[];
  /** The cells as numbers (parentheses negative), null when not a figure. */
  values: Array<number | null>;
}

/** A table as a grid. */
export interface TatTable {
  /** The source rows. */
  rows: string[][];
  /** How many rows on top are headers. */
  headerRows: number;
  columns: TatColumn[];
  body: TatRow[];
  /** Scale stated in the headers, if any (the caption's scale when one is rendered). */
  scale: Scale | null;
}

const YEAR = /\b((?:19|20)\d{2})\b/;

/** A cell as a number: "1,234.5" → 1234.5, "(12)" → −12, "$ 3" → 3, "12%" → 12; null when not a figure. */
export function cellValue(cell: string): number | null {
  const text = cell.trim();
  const match = /^(\()?\s*([-−–])?\s*(?:US)?[$€£¥]?\s*([-−–])?\s*(\d[\d,]*(?:\.\d+)?)\s*%?\s*(\))?$/.exec(text);
  if (!match) return null;
  const value = Number((match[4] as string).replace(/,/g, ''));
  if (!Number.isFinite(value)) return null;
  const negative =
    (match[1] !== undefined && match[5] !== undefined) || match[2] !== undefined || match[3] !== undefined;
  return negative ? -value : value;
}

const PERIOD_WORDS =
  /\b(?:fiscal|fy|years?|months?|weeks?|quarters?|ended|ending|as|of|at|on|the|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|\d{1,2}(?:st|nd|rd|th)?|(?:19|20)\d{2})\b/gi;

/** A column header without its period words ("Years Ended September 30, 2019 €m" → "€m"). */
export function measureOf(header: string): string {
  return header
    .replace(PERIOD_WORDS, ' ')
    .replace(/[,.:;]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

const isYearCell = (cell: string) => /^(?:FY\s*|fiscal\s+)?(?:19|20)\d{2}\b/i.test(cell.trim());

/** Scale and currency stated in header text ("2019 €m", "US$'000", "(in thousand NT dollars)"). */
export function headerScale(text: string): { scale: Scale | null; currency: string | null } {
  let scale: Scale | null = null;
  if (/\bbillions?\b|[$€£]\s?bn\b|\bbn\b/i.test(text)) scale = 'billion';
  else if (/\bmillions?\b|[$€£]\s?m\b|\bm[$€£]\b|\b(?:RMB|HK\$|S\$|A\$)\s?m\b/i.test(text)) scale = 'million';
  else if (/\bthousands?\b|[$€£]?\s?['’‘]000|\$\s?000\b|\b000s\b|[$€£]\s?k\b/i.test(text)) scale = 'thousand';
  const currency = /€|\bEUR\b/.test(text)
    ? '€'
    : /£|\bGBP\b/.test(text)
      ? '£'
      : /\bNT\s?\$|\bNT dollars?\b|\bNTD\b/.test(text)
        ? 'NT$'
        : /\bRMB\b/.test(text)
          ? 'RMB '
          : /\bUS\s?\$|\bUSD\b|\bU\.S\. dollars\b/.test(text)
            ? 'US$'
            : /\$|\bdollars?\b/.test(text)
              ? '$'
              : null;
  return { scale, currency };
}

/** Read a TAT-QA table into a grid (see the module comment). */
export function parseTable(rows: readonly (readonly string[])[]): TatTable {
  const width = Math.max(0, ...rows.map((row) => row.length));
  const grid = rows.map((row) => Array.from({ length: width }, (_, column) => (row[column] ?? '').trim()));
  let headerRows = 0;
  while (headerRows < grid.length) {
    const row = grid[headerRows] as string[];
    const figures = row.slice(1).filter((cell) => cellValue(cell) !== null && !isYearCell(cell));
    if (figures.length > 0) break;
    headerRows += 1;
  }
  // Header cells left empty under a spanning cell take its text (carried right, never into the label column).
  const headers = grid.slice(0, headerRows).map((row) => {
    const carried = [...row];
    for (let column = 2; column < width; column += 1) {
      if (carried[column] === '') carried[column] = carried[column - 1] as string;
    }
    return carried;
  });
  const tableUnit = headerScale(headers.map((row) => row[0] ?? '').join(' '));
  const columnHeaders = Array.from({ length: width }, (_, column) =>
    [...new Set(headers.map((row) => row[column] ?? '').filter((cell) => cell !== ''))].join(' ').trim(),
  );
  const anyColumnScale = columnHeaders.slice(1).some((header) => headerScale(header).scale !== null);
  const columns: TatColumn[] = columnHeaders.map((header, column) => {
    const year = column === 0 ? undefined : YEAR.exec(header)?.[1];
    const fiscal = /\bfiscal\b|\bFY\b/i.test(header);
    const own = headerScale(header);
    const cells = grid.slice(headerRows).map((row) => row[column] ?? '');
    const percent = /%|\bpercent/i.test(header);
    const perUnit = /\bper\b|\bratio\b|\bprice\b|\bEPS\b/i.test(header);
    const cellCurrency = cells.map((cell) => /^\(?\s*((?:US|NT|HK|S|A)?\$|€|£)/.exec(cell)?.[1]).find(Boolean);
    return {
      header,
      period: year ? (fiscal ? `fiscal ${year}` : year) : null,
      year: year ? Number(year) : null,
      measure: measureOf(header),
      scale: percent || perUnit ? null : (own.scale ?? (anyColumnScale && own.currency ? null : tableUnit.scale)),
      currency: percent ? null : (own.currency ?? cellCurrency ?? tableUnit.currency),
      percent,
      unscaled: percent || perUnit || (own.scale === null && anyColumnScale && own.currency !== null),
    };
  });
  const scale = headerScale(headers.flat().join(' ')).scale;
  const body: TatRow[] = grid.slice(headerRows).map((cells, offset) => ({
    index: headerRows + offset,
    label: (cells[0] ?? '').replace(/\s+/g, ' ').trim(),
    cells,
    values: cells.map((cell, column) => (column === 0 ? null : cellValue(cell))),
  }));
  return { rows: grid, headerRows, columns, body, scale };
}

/**
 * The table as a markdown pipe table (the header rows above the rule), under a caption naming the scale when the
 * headers do not (`scale` is what the context's questions use: TAT-QA's annotators read it from the report).
 */
export function renderTable(table: TatTable, scale: Scale | null): string {
  const clean = (cell: string) => cell.replace(/\|/g, '/').replace(/\s+/g, ' ').trim();
  const line = (row: readonly string[]) => `| ${row.map(clean).join(' | ')} |`;
  const width = table.columns.length;
  const headerRows = table.headerRows > 0 ? table.rows.slice(0, table.headerRows) : [Array(width).fill('')];
  const caption = scale && !table.scale ? `(in ${scale}s)` : null;
  return [
    ...(caption ? [caption] : []),
    ...headerRows.map(line),
    `|${' --- |'.repeat(width)}`,
    ...table.rows.slice(table.headerRows).map(line),
  ].join('\n');
}

/** The unit of a figure: currency, scale and whether it is a percentage. */
export interface FigureUnit {
  currency: string | null;
  scale: Scale | null;
  percent: boolean;
}

/**
 * The unit of a cell of `column`: from the column's headers and the cell itself, else from `fallback` (what the
 * context's questions say: TAT-QA's scale, the answer's currency).
 */
export function columnUnit(
  table: TatTable,
  column: number,
  cell: string,
  fallback: { scale: Scale | null; currency: string | null; percent: boolean },
): FigureUnit {
  const info = table.columns[column] as TatColumn;
  // A percentage when the header or the cell says so, or when the fallback does and nothing in the column names a
  // currency or scale.
  const percent = info.percent || cell.includes('%') || (fallback.percent && !info.currency && !info.scale);
  return {
    currency: percent ? null : (info.currency ?? fallback.currency),
    scale: percent ? null : (info.scale ?? (info.unscaled ? null : fallback.scale)),
    percent,
  };
}

/** A figure as a claim writes it ("$1,496.5 million", "12.5%"). */
export function writeFigure(digits: string, unit: FigureUnit): string {
  if (unit.percent) return `${digits}%`;
  return `${unit.currency ?? ''}${digits}${unit.scale ? ` ${unit.scale}` : ''}`;
}
