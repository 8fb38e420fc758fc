/**
 * Reporting periods in financial prose: quarters (`Q3 2024`, `3Q24`, `third quarter of fiscal 2024`, `Q3 FY24`),
 * halves (`H1 2024`, `first half`), fiscal and calendar years (`FY24`, `fiscal 2024`, `2024`), months
 * (`March 2024`) and dates (`2024-08-01`, `August 1, 2024`). Each becomes a {@link Period} that can be compared
 * with {@link periodRelation}.
 */

/** A reporting period named in a text. */
export interface Period {
  /** Granularity. */
  kind: 'date' | 'month' | 'quarter' | 'half' | 'year';
  /** Four-digit year, when stated. */
  year: number | null;
  /** Quarter 1–4 (kind `quarter`). */
  quarter: number | null;
  /** Half 1–2 (kind `half`). */
  half: number | null;
  /** Month 1–12 (kinds `month` and `date`). */
  month: number | null;
  /** Day of month (kind `date`). */
  day: number | null;
  /** True when written as a fiscal period (`FY`, `fiscal`). */
  fiscal: boolean;
  /** Text as written. */
  raw: string;
  /** Offset of the first character. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

const MONTHS: Record<string, number> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};
const ORDINALS: Record<string, number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  '1st': 1,
  '2nd': 2,
  '3rd': 3,
  '4th': 4,
};
const MONTH_NAMES =
  'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';

function toYear(raw: string | undefined): number | null {
  if (raw === undefined || raw === '') return null;
  const value = Number(raw.replace(/^'/, ''));
  if (!Number.isFinite(value)) return null;
  return raw.replace(/^'/, '').length <= 2 ? 2000 + value : value;
}

function period(
  kind: Period['kind'],
  match: RegExpExecArray | RegExpMatchArray,
  offset: number,
  fields: Partial<Pick<Period, 'year' | 'quarter' | 'half' | 'month' | 'day' | 'fiscal'>>,
): Period {
  const start = (match.index ?? 0) + offset;
  return {
    kind,
    year: fields.year ?? null,
    quarter: fields.quarter ?? null,
    half: fields.half ?? null,
    month: fields.month ?? null,
    day: fields.day ?? null,
    fiscal: fields.fiscal ?? false,
    raw: match[0],
    start,
    end: start + match[0].length,
  };
}

const YEAR = "(?:fy|fiscal(?:\\s+year)?\\s*)?'?((?:19|20)\\d{2}|\\d{2})";
/** What a text offers the patterns' prefilters: lower-cased, whether it has a digit, whether a month name. */
interface Hints {
  lower: string;
  digit: boolean;
  month: boolean;
}
const MONTH_PREFIXES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const PATTERNS: Array<{
  pattern: RegExp;
  /**
   * False when the text lacks what every match of `pattern` contains (a digit, a month name, a word), so that the
   * pattern is not run. The patterns are ASCII and without the `u` flag, so a case-insensitive match of a word is
   * always in the lower-cased text.
   */
  may: (hints: Hints) => boolean;
  build: (match: RegExpMatchArray) => Partial<Period> & { kind: Period['kind'] };
}> = [
  {
    // 2024-08-01
    pattern: /\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b/g,
    may: (h) => h.digit && h.lower.includes('-'),
    build: (m) => ({ kind: 'date', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }),
  },
  {
    // August 1, 2024 / Aug. 1 2024 / Aug 1
    pattern: new RegExp(`\\b(${MONTH_NAMES})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+((?:19|20)\\d{2}))?\\b`, 'gi'),
    may: (h) => h.digit && h.month,
    build: (m) => ({
      kind: 'date',
      month: MONTHS[(m[1] ?? '').toLowerCase()] ?? null,
      day: Number(m[2]),
      year: toYear(m[3]),
    }),
  },
  {
    // 1 August 2024
    pattern: new RegExp(`\\b(\\d{1,2})\\s+(${MONTH_NAMES})\\.?,?\\s+((?:19|20)\\d{2})\\b`, 'gi'),
    may: (h) => h.digit && h.month,
    build: (m) => ({
      kind: 'date',
      day: Number(m[1]),
      month: MONTHS[(m[2] ?? '').toLowerCase()] ?? null,
      year: toYear(m[3]),
    }),
  },
  {
    // Q3 2024, Q3 FY24, Q3'24, Q3-24, fiscal Q3 2024, FQ3
    pattern:
      /\b(fiscal\s+|f)?q([1-4])(?:\s*(?:of\s+)?(?:[-/]\s*)?(fy|fiscal(?:\s+year)?)?\s*'?((?:19|20)\d{2}|\d{2})\b)?/gi,
    may: (h) => h.digit && h.lower.includes('q'),
    build: (m) => ({
      kind: 'quarter',
      quarter: Number(m[2]),
      year: toYear(m[4]),
      fiscal: m[1] !== undefined || m[3] !== undefined,
    }),
  },
  {
    // 3Q24, 3Q 2024, 3QFY24
    pattern: /\b([1-4])q\s*(fy)?\s*'?((?:19|20)\d{2}|\d{2})\b/gi,
    may: (h) => h.digit && h.lower.includes('q'),
    build: (m) => ({ kind: 'quarter', quarter: Number(m[1]), year: toYear(m[3]), fiscal: m[2] !== undefined }),
  },
  {
    // third quarter (of) (fiscal) (year) 2024; fiscal third quarter; the third quarter
    pattern:
      /\b(fiscal\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+(?:fiscal\s+)?quarter(?:\s+(?:of\s+)?(?:the\s+)?(?:(fiscal)\s+)?(?:year\s+)?(?:fy\s*)?'?((?:19|20)\d{2}|\d{2}))?\b/gi,
    may: (h) => h.lower.includes('quarter'),
    build: (m) => ({
      kind: 'quarter',
      quarter: ORDINALS[(m[2] ?? '').toLowerCase()] ?? null,
      year: toYear(m[4]),
      fiscal: m[1] !== undefined || m[3] !== undefined || /fiscal/i.test(m[0]),
    }),
  },
  {
    // H1 2024, 1H24, first half (of) 2024
    pattern: new RegExp(`\\b(?:h([12])|([12])h)\\s*(?:${YEAR})?\\b`, 'gi'),
    may: (h) => h.digit && h.lower.includes('h'),
    build: (m) => ({ kind: 'half', half: Number(m[1] ?? m[2]), year: toYear(m[3]), fiscal: /fy|fiscal/i.test(m[0]) }),
  },
  {
    pattern: /\b(first|second)\s+half(?:\s+(?:of\s+)?(?:fiscal\s+)?(?:fy\s*)?'?((?:19|20)\d{2}|\d{2}))?\b/gi,
    may: (h) => h.lower.includes('half'),
    build: (m) => ({
      kind: 'half',
      half: (m[1] ?? '').toLowerCase() === 'first' ? 1 : 2,
      year: toYear(m[2]),
      fiscal: /fiscal|fy/i.test(m[0]),
    }),
  },
  {
    // March 2024
    pattern: new RegExp(`\\b(${MONTH_NAMES})\\.?\\s+((?:19|20)\\d{2})\\b`, 'gi'),
    may: (h) => h.digit && h.month,
    build: (m) => ({ kind: 'month', month: MONTHS[(m[1] ?? '').toLowerCase()] ?? null, year: toYear(m[2]) }),
  },
  {
    // FY24, FY2024, fiscal 2024, fiscal year 2024
    pattern: /\b(?:fy\s*'?((?:19|20)\d{2}|\d{2})|fiscal(?:[\s-]+year)?\s+((?:19|20)\d{2}))\b/gi,
    may: (h) => h.digit && (h.lower.includes('fy') || h.lower.includes('fiscal')),
    build: (m) => ({ kind: 'year', year: toYear(m[1] ?? m[2]), fiscal: true }),
  },
  {
    // Bare year 2024 (not a figure: no currency sign, unit or thousands separator around it).
    pattern: /(?<![$€£¥\d.,-])\b((?:19|20)\d{2})\b(?![\d.,]*\s*(?:%|percent|bn|billion|million|mn|m\b|k\b|x\b|bps))/gi,
    may: (h) => h.lower.includes('19') || h.lower.includes('20'),
    build: (m) => ({ kind: 'year', year: Number(m[1]) }),
  },
];

function overlapsAny(taken: ReadonlyArray<[number, number]>, start: number, end: number): boolean {
  for (const [a, b] of taken) if (start < b && end > a) return true;
  return false;
}

const FISCAL_CONTEXT = /\bfiscal\b|\bFY\s*'?\d{2}/i;

/**
 * Every period mentioned in `text`, in order, without overlaps (the most specific pattern wins). In a text that
 * speaks of fiscal periods anywhere ("fiscal 2024 third quarter"), quarters and halves are fiscal.
 */
export function extractPeriods(text: string, offset = 0): Period[] {
  const found: Period[] = [];
  const taken: Array<[number, number]> = [];
  const lower = text.toLowerCase();
  const hints: Hints = {
    lower,
    digit: /\d/.test(text),
    month: MONTH_PREFIXES.some((prefix) => lower.includes(prefix)),
  };
  for (const { pattern, may, build } of PATTERNS) {
    if (!may(hints)) continue;
    for (const match of text.matchAll(pattern)) {
      const start = match.index;
      const end = start + match[0].length;
      if (overlapsAny(taken, start, end)) continue;
      const fields = build(match);
      if (fields.kind === 'date' && (fields.month === null || (fields.day ?? 0) > 31)) continue;
      taken.push([start, end]);
      found.push(period(fields.kind, match, offset, fields));
    }
  }
  if (FISCAL_CONTEXT.test(text)) {
    const fiscalYears = found.filter((period) => period.kind === 'year' && period.fiscal);
    for (const period of found) {
      if (period.kind !== 'quarter' && period.kind !== 'half') continue;
      period.fiscal = true;
      if (period.year === null && fiscalYears.length === 1) period.year = fiscalYears[0]?.year ?? null;
    }
  }
  return found.sort((left, right) => left.start - right.start);
}

/** How two periods relate: the same period, one containing the other, disjoint, or not comparable. */
export type PeriodRelation = 'same' | 'contains' | 'disjoint' | 'unknown';

function quarterOfMonth(month: number): number {
  return Math.ceil(month / 3);
}

/**
 * Compare two periods. Fiscal and calendar periods are only compared by their year (fiscal calendars differ by
 * company). A missing year on either side matches any year.
 */
export function periodRelation(left: Period, right: Period): PeriodRelation {
  if (left.year !== null && right.year !== null && left.year !== right.year) {
    if (left.fiscal !== right.fiscal) return 'unknown';
    return 'disjoint';
  }
  // Quarters and halves compare by number even when only one side says "fiscal" (writers often omit it); dates
  // and months are not compared with them (below).
  if (left.fiscal !== right.fiscal && (left.kind === 'year') !== (right.kind === 'year')) {
    const other = left.kind === 'year' ? right : left;
    if (other.kind === 'date' || other.kind === 'month') return 'unknown';
  }
  const rank = { date: 0, month: 1, quarter: 2, half: 3, year: 4 } as const;
  const [fine, coarse] = rank[left.kind] <= rank[right.kind] ? [left, right] : [right, left];
  if (coarse.kind === 'year') {
    if (fine.kind === 'year') return 'same';
    if ((fine.kind === 'date' || fine.kind === 'month') && (fine.fiscal || coarse.fiscal)) return 'unknown';
    return 'contains';
  }
  const fineQuarter = fine.quarter ?? (fine.month !== null ? quarterOfMonth(fine.month) : null) ?? null;
  // Calendar dates against quarters or halves: fiscal calendars differ by company, so they cannot be compared.
  if ((fine.kind === 'date' || fine.kind === 'month') && (coarse.kind === 'quarter' || coarse.kind === 'half')) {
    return 'unknown';
  }
  if (coarse.kind === 'half') {
    if (fine.kind === 'half') return fine.half === coarse.half ? 'same' : 'disjoint';
    if (fineQuarter === null) return 'unknown';
    return Math.ceil(fineQuarter / 2) === coarse.half ? 'contains' : 'disjoint';
  }
  if (coarse.kind === 'quarter') {
    if (fine.kind === 'quarter') return fine.quarter === coarse.quarter ? 'same' : 'disjoint';
    if (fine.fiscal || coarse.fiscal) return 'unknown';
    return fineQuarter === coarse.quarter ? 'contains' : 'disjoint';
  }
  if (coarse.kind === 'month') {
    if (fine.kind === 'month') return fine.month === coarse.month ? 'same' : 'disjoint';
    return fine.month === coarse.month ? 'contains' : 'disjoint';
  }
  return fine.month === coarse.month && fine.day === coarse.day ? 'same' : 'disjoint';
}

/** A short canonical label (`Q3 FY2024`, `2024-03`, `H1 2024`). */
export function periodLabel(value: Period): string {
  const year = value.year === null ? '' : `${value.fiscal ? 'FY' : ''}${value.year}`;
  switch (value.kind) {
    case 'quarter':
      return `Q${value.quarter}${year ? ` ${year}` : ''}`;
    case 'half':
      return `H${value.half}${year ? ` ${year}` : ''}`;
    case 'year':
      return year;
    case 'month':
      return `${value.year ?? '????'}-${String(value.month).padStart(2, '0')}`;
    default:
      return `${value.year ?? '????'}-${String(value.month).padStart(2, '0')}-${String(value.day).padStart(2, '0')}`;
  }
}
