/**
 * Tables in evidence text, read cell by cell. Filings state most figures in tables — row = metric, columns =
 * periods, the scale in a header such as "(in millions)" or "$ thousands". Read as flat text, a row line
 * ("Revenue | 5,000 | 4,100") puts two periods' figures in one sentence with no period on either, so a claim about
 * one cell would match or conflict with the wrong one. Each cell becomes its own statement instead —
 * "Revenue (2019): $5,000 million." — which the ordinary fact reader anchors to its metric, period and scale.
 *
 * Reads markdown and pipe tables (`| a | b |`, with or without the `|---|` rule) and whitespace-aligned tables
 * (columns separated by two or more spaces or a tab), with the scale taken from the table's header row, a title
 * line or the line just before the table.
 */

/** One table cell as a statement. */
export interface TableStatement {
  /** The cell as a sentence: `"<row label> (<column header>): <value>."` */
  text: string;
  /** Offset of the row's line in the source text. */
  start: number;
  /** End of the row's line. */
  end: number;
  /** Which table of the text (0, 1, …), its row label and its column header. */
  cell: { table: number; row: string; column: string };
}

/** The tables of a text. */
export interface ReadTables {
  /** One statement per numeric cell with a row label and a column header. */
  statements: TableStatement[];
  /** Spans of the table lines (header and rows), which should not also be read as prose. */
  spans: Array<{ start: number; end: number }>;
}

interface Line {
  text: string;
  start: number;
  end: number;
}

const MONTH =
  '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const SCALE_HINT =
  /\b(?:in|of|amounts? in|\$ ?in|dollars in|figures in|expressed in)\s+(thousands?|millions?|billions?|000s|'000s)\b|\(\s*\$?\s*(thousands?|millions?|billions?|000s|'000s|k|m|bn|mn)\s*\)|\$\s*(thousands|millions|billions)\b|\b(thousands|millions|billions) of (?:u\.?s\.? )?dollars\b/i;
const SCALE_WORD: Record<string, string> = {
  thousand: 'thousand',
  million: 'million',
  billion: 'billion',
  thousands: 'thousand',
  '000s': 'thousand',
  "'000s": 'thousand',
  k: 'thousand',
  millions: 'million',
  m: 'million',
  mn: 'million',
  billions: 'billion',
  bn: 'billion',
};
const NUMERIC_CELL = /^\(?\s*[-+−–]?\s*(?:US)?\$?\s*[-+−–]?\s*\d[\d,]*(?:\.\d+)?\s*(?:%|x|bps)?\s*\)?$/i;
/**
 * A column header naming a period: a year, quarter or half ("2019", "FY2019", "Q3 2024", "H1 24"), or a balance-sheet
 * or period-end date as filings head their columns ("December 31, 2019", "31 December 2019", "As of June 30, 2019",
 * "Year ended July 27, 2019"), with an optional footnote mark ("2019 (1)", "July 27, 2019*").
 */
const PERIOD_CELL = new RegExp(
  `^(?:(?:as\\s+(?:of|at)|at|(?:fiscal\\s+)?years?\\s+ended|(?:three|six|nine|twelve)\\s+months\\s+ended)\\s+)?` +
    `(?:(?:FY|fiscal\\s+)?'?(?:19|20)\\d{2}|Q[1-4]\\s*'?\\d{2,4}|[1-4]Q\\s*'?\\d{2,4}|H[12]\\s*'?\\d{2,4}|` +
    `(?:${MONTH}\\.?\\s+\\d{1,2},?|\\d{1,2}\\s+${MONTH}\\.?,?)\\s+(?:19|20)\\d{2})` +
    `(?:\\s*\\(\\d{1,2}\\)|\\s*\\*+)?$`,
  'i',
);
const DASH_CELL = /^(?:[-—–]+|n\/?a|nm|—)$/i;

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  for (const piece of text.split('\n')) {
    lines.push({ text: piece, start, end: start + piece.length });
    start += piece.length + 1;
  }
  return lines;
}

function pipeCells(line: string): string[] | null {
  const trimmed = line.trim();
  if ((trimmed.match(/\|/g) ?? []).length < 2) return null;
  return trimmed
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

function alignedCells(line: string): string[] | null {
  if (!/\S(?: {2,}|\t)\S/.test(line)) return null;
  const cells = line
    .trim()
    .split(/ {2,}|\t+/)
    .map((cell) => cell.trim());
  return cells.length >= 2 ? cells : null;
}

const isRule = (cells: string[]): boolean => cells.every((cell) => /^:?-{2,}:?$/.test(cell) || cell === '');

/** A currency sign with a compact scale, as annual reports head their columns: `€m`, `£m`, `$bn`, `US$'000`, `RMB'000`. */
const COMPACT_SCALE =
  /(?:^|[\s(|])(US\$|HK\$|\$|€|£|¥|RMB|USD|EUR|GBP)\s?['’]?\s?(m|mn|bn|b|k|['’]?000|thousands?|millions?|billions?)(?=[\s)|.,]|$)/i;
const COMPACT_SCALE_WORD: Record<string, string> = {
  thousand: 'thousand',
  thousands: 'thousand',
  million: 'million',
  millions: 'million',
  billion: 'billion',
  billions: 'billion',
  m: 'million',
  mn: 'million',
  bn: 'billion',
  b: 'billion',
  k: 'thousand',
  "'000": 'thousand',
  '’000': 'thousand',
  '000': 'thousand',
};
/** Currency signs in a table's header or caption, and how a cell value is written with them. */
const CURRENCY_SIGN =
  /(US\$|HK\$|\$|€|£|¥|\bRMB\b|\bUSD\b|\bEUR\b|\bGBP\b|\bdollars\b|\beuros?\b|\bpounds sterling\b)/i;
const CURRENCY_WRITTEN: Record<string, string> = {
  us$: '$',
  hk$: 'HK$',
  $: '$',
  '€': '€',
  '£': '£',
  '¥': '¥',
  rmb: 'RMB',
  usd: '$',
  eur: '€',
  gbp: '£',
  dollars: '$',
  euro: '€',
  euros: '€',
  'pounds sterling': '£',
};

function scaleOf(text: string): string | null {
  const match = SCALE_HINT.exec(text);
  if (match) {
    const word = (match[1] ?? match[2] ?? match[3] ?? match[4] ?? '').toLowerCase();
    return SCALE_WORD[word] ?? null;
  }
  const compact = COMPACT_SCALE.exec(text);
  return compact ? (COMPACT_SCALE_WORD[(compact[2] ?? '').toLowerCase()] ?? null) : null;
}

/** The currency sign a table's cells are written with (from its caption or headers), or null. */
function currencyOf(text: string): string | null {
  const match = CURRENCY_SIGN.exec(text);
  return match ? (CURRENCY_WRITTEN[(match[1] ?? '').toLowerCase()] ?? null) : null;
}

/** Rewrite one numeric cell with the table's scale and currency sign: `(1,234)` → `-$1,234 million`. */
function cellValue(raw: string, scale: string | null, currency: string | null): string | null {
  const cell = raw.trim();
  if (!NUMERIC_CELL.test(cell) || DASH_CELL.test(cell)) return null;
  const negative = /^\(.*\)$/.test(cell) || /^[-−–]/.test(cell.replace(/^\(?\s*(?:US)?\$?\s*/, ''));
  const number = /\d[\d,]*(?:\.\d+)?/.exec(cell)?.[0];
  if (!number) return null;
  const unit = /%$/.test(cell) ? '%' : /x$/i.test(cell) ? 'x' : /bps$/i.test(cell) ? ' bps' : '';
  if (unit !== '') return `${negative ? '-' : ''}${number}${unit}`;
  const sign = currency ?? currencyOf(cell);
  // A year-like integer with no scale or currency is a label (a column of years), not a figure.
  if (sign === null && scale === null && /^(?:19|20)\d{2}$/.test(number)) return null;
  // A letter code is written apart from its figure ("RMB 29,423"): "RMB29,423" does not read as one amount.
  const written = sign === null ? '' : /[A-Za-z]$/.test(sign) ? `${sign} ` : sign;
  return `${negative ? '-' : ''}${written}${number}${scale ? ` ${scale}` : ''}`;
}

/**
 * The column headings of a header row. A period that spans sub-columns is written once, in its first column
 * ("| December 31, 2019 |  | December 31, 2018 |  |" above "| Carrying Amount | Fair Value | …"): a blank heading
 * right of a period takes that period when a header row below it names the sub-column.
 */
function spanHeadings(header: { cells: string[] }, headRows: ReadonlyArray<{ cells: string[] }>): string[] {
  const headings = header.cells.map((cell) => cell.trim());
  const below = headRows.slice(headRows.indexOf(header as (typeof headRows)[number]) + 1);
  for (let column = 2; column < headings.length; column += 1) {
    if (headings[column] !== '' || !PERIOD_CELL.test(headings[column - 1] as string)) continue;
    const named = below.some((row) => (row.cells[column + row.cells.length - header.cells.length] ?? '').trim() !== '');
    if (named) headings[column] = headings[column - 1] as string;
  }
  return headings;
}

/** Where one table of a document sits, and the lines that head it (see {@link tableHeads}). */
export interface TableHead {
  /** Offset of the table's first line. */
  start: number;
  /** Offset of its first row of figures (the head lines end before it). */
  bodyStart: number;
  /** End of its last line. */
  end: number;
  /** The line before the table (its caption) and the table's lines above its first row of figures, as written. */
  text: string;
}

/**
 * The tables of a document with their head lines. A chunk that starts inside a table's body lost the caption and
 * header rows to an earlier chunk: without them its cells have no period and no scale. The store keeps the head of
 * the table a chunk starts in ({@link chunkTableHead}) so that {@link readTables} can read the chunk's rows under it.
 */
export function tableHeads(text: string): TableHead[] {
  return scanTables(text).heads;
}

/**
 * The head lines of the table a chunk `[charStart, …)` of `text` starts in, when that table's head lies before the
 * chunk (the chunk then holds rows without their headers); null otherwise.
 */
export function chunkTableHead(heads: readonly TableHead[], charStart: number): string | null {
  const table = heads.find((head) => head.bodyStart <= charStart && charStart < head.end && head.start < charStart);
  return table ? table.text : null;
}

/**
 * Read the tables of a text (see the module doc). `head`: the head lines of a table the text starts inside (a chunk
 * of a longer document, {@link chunkTableHead}); its rows are read under those headers, its offsets stay the text's.
 */
export function readTables(text: string, head: string | null = null): ReadTables {
  if (head === null || head === '') return scanTables(text);
  // A chunk cut inside a row starts with the row's tail ("325.5 |"): the rows under the head begin at the next line.
  const firstBreak = text.indexOf('\n');
  const firstLine = firstBreak < 0 ? text : text.slice(0, firstBreak);
  const skip = pipeCells(firstLine) || alignedCells(firstLine) || firstBreak < 0 ? 0 : firstBreak + 1;
  const offset = head.length + 1 - skip;
  const read = scanTables(`${head}\n${text.slice(skip)}`);
  return {
    statements: read.statements
      .filter((statement) => statement.start >= offset)
      .map((statement) => ({ ...statement, start: statement.start - offset, end: statement.end - offset })),
    spans: read.spans
      .filter((span) => span.end > offset)
      .map((span) => ({ start: Math.max(0, span.start - offset), end: span.end - offset })),
  };
}

function scanTables(text: string): ReadTables & { heads: TableHead[] } {
  const lines = splitLines(text);
  const statements: TableStatement[] = [];
  const spans: Array<{ start: number; end: number }> = [];
  const heads: TableHead[] = [];
  let index = 0;
  let tableIndex = 0;
  while (index < lines.length) {
    const first = lines[index] as Line;
    const kind = pipeCells(first.text) ? 'pipe' : alignedCells(first.text) ? 'aligned' : null;
    if (kind === null) {
      index += 1;
      continue;
    }
    const cellsOf = kind === 'pipe' ? pipeCells : alignedCells;
    const block: Array<{ line: Line; cells: string[] }> = [];
    let cursor = index;
    while (cursor < lines.length) {
      const line = lines[cursor] as Line;
      const cells = cellsOf(line.text);
      if (!cells) break;
      block.push({ line, cells });
      cursor += 1;
    }
    const rows = block.filter((row) => !isRule(row.cells));
    if (rows.length < 2) {
      index = cursor;
      continue;
    }
    // Header: among the rows before the first row of figures, the last that names periods (years, quarters), else
    // the last one (multi-row headers put a caption such as "Years Ended September 30," above the years).
    const firstData = rows.findIndex((row) => row.cells.slice(1).some((cell) => cellValue(cell, null, null) !== null));
    const headRows = rows.slice(0, Math.max(1, firstData));
    const header = (headRows.filter((row) => row.cells.slice(1).some((cell) => PERIOD_CELL.test(cell))).at(-1) ??
      headRows.at(-1)) as { line: Line; cells: string[] };
    const before = lines[index - 1]?.text ?? '';
    const context = `${before} ${headRows.map((row) => row.cells.join(' ')).join(' ')}`;
    const scale = scaleOf(context) ?? scaleOf(lines[index - 2]?.text ?? '');
    // Statements put the currency sign on the first and the total rows only: one signed figure makes it a table of
    // amounts in that currency.
    const currency =
      currencyOf(context) ??
      rows
        .flatMap((row) => row.cells.slice(1))
        .filter((cell) => NUMERIC_CELL.test(cell.trim()))
        .map(currencyOf)
        .find((sign) => sign !== null) ??
      null;
    const columns = header.cells.length;
    const headings = spanHeadings(header, headRows);
    const countBefore = statements.length;
    for (const row of rows) {
      if (row === header) continue;
      const label = (row.cells[0] ?? '').replace(/[:*_]+$/g, '').trim();
      if (label === '' || NUMERIC_CELL.test(label)) continue;
      // Cells are right-aligned to the header: a header without a label column has one cell fewer than its rows.
      const shift = row.cells.length - columns;
      for (let column = 1; column < row.cells.length; column += 1) {
        const value = cellValue(row.cells[column] as string, scale, currency);
        if (value === null) continue;
        const heading = headings[column - shift] ?? '';
        const text = heading !== '' ? `${label} (${heading}): ${value}.` : `${label}: ${value}.`;
        statements.push({
          text,
          start: row.line.start,
          end: row.line.end,
          cell: { table: tableIndex, row: label, column: heading },
        });
      }
    }
    // Lines become cell statements only when the block is a table of figures; anything else stays prose.
    if (statements.length > countBefore) {
      tableIndex += 1;
      for (const row of block) spans.push({ start: row.line.start, end: row.line.end });
      const bodyRow = rows[Math.max(1, firstData)] ?? (rows.at(-1) as (typeof rows)[number]);
      const captionStart = index > 0 ? (lines[index - 1] as Line).start : first.start;
      heads.push({
        start: first.start,
        bodyStart: bodyRow.line.start,
        end: (block.at(-1) as (typeof block)[number]).line.end,
        text: text.slice(captionStart, bodyRow.line.start).replace(/\n$/, ''),
      });
    }
    index = cursor;
  }
  return { statements, spans, heads };
}
