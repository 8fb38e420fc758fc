/**
 * Figures written in words, as the same {@link Quantity} records as digits: multipliers (`doubled`, `tripled`,
 * `five-fold`, `halved`), fractions (`a third`, `roughly a fifth`, `two-thirds of`), digit bands (`high single
 * digits`, `low double digits`, `mid-teens`), number words with a scale or unit (`three and a quarter billion
 * dollars`, `seven percent`) and margins as cents per dollar (`62 cents of every revenue dollar` = 62%).
 *
 * Every verbal figure is approximate by nature: each carries a tolerance wide enough for the rounding the wording
 * implies (a tenth of its value for multipliers and fractions) and far narrower than a misquote.
 */
import type { Quantity, QuantityQualifier } from './quantities.ts';

const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALE_WORDS: Record<string, number> = { hundred: 1e2, thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };
const FRACTIONS: Record<string, number> = {
  half: 0.5,
  halves: 0.5,
  third: 1 / 3,
  thirds: 1 / 3,
  quarter: 0.25,
  quarters: 0.25,
  fifth: 0.2,
  fifths: 0.2,
  tenth: 0.1,
  tenths: 0.1,
};
const MULTIPLIERS: Record<string, number> = { doubled: 2, tripled: 3, trebled: 3, quadrupled: 4 };

const UNIT_WORD = Object.keys(UNITS).join('|');
const TENS_WORD = Object.keys(TENS).join('|');
/** "twenty-five", "seven", "forty" */
const CARDINAL = `(?:(?:${TENS_WORD})(?:[- ](?:${UNIT_WORD}))?|${UNIT_WORD})`;

/** "five-fold", "3-fold" */
const FOLD = new RegExp(String.raw`\b(${CARDINAL}|\d+(?:\.\d+)?)[- ]?fold\b`, 'gi');
/** Number words with an optional scale and unit (a match with neither is not a figure). */
const NUMBER_WORDS = new RegExp(
  String.raw`(\$|US\$)?\b(${CARDINAL})(?:\s+and\s+(?:a|one)\s+(half|quarter)|\s+and\s+three\s+quarters)?\s+(?:(hundred|thousand|million|billion|trillion)\b\s*)?(dollars|euros|percent|per cent|percentage points?)?`,
  'gi',
);

const BAND: Array<[RegExp, number, number]> = [
  [/\blow[- ]single[- ]digits?\b/gi, 1, 3],
  [/\bmid[- ]single[- ]digits?\b/gi, 4, 6],
  [/\bhigh[- ]single[- ]digits?\b/gi, 7, 9],
  [/\blow[- ]double[- ]digits?\b/gi, 10, 13],
  [/\bmid[- ]double[- ]digits?\b/gi, 14, 16],
  [/\bhigh[- ]double[- ]digits?\b/gi, 17, 19],
  [/\blow[- ]teens\b/gi, 11, 13],
  [/\bmid[- ]teens\b/gi, 14, 16],
  [/\bhigh[- ]teens\b/gi, 17, 19],
  [/\blow[- ](20|30|40|50)s\b/gi, 1, 3],
  [/\bmid[- ](20|30|40|50)s\b/gi, 4, 6],
  [/\bhigh[- ](20|30|40|50)s\b/gi, 7, 9],
];

/**
 * Words that every match of a pattern below contains (its prefilter): the patterns are ASCII and without the `u`
 * flag, so a case-insensitive match of one is always in the lower-cased text.
 */
const CENTS_WORDS = ['cents', '¢'];
const MULTIPLIER_WORDS = ['doubled', 'tripled', 'trebled', 'quadrupled', 'halved'];
const BAND_WORDS = ['single', 'double', 'teens', '0s'];
const SCALE_OR_UNIT_WORDS = [
  'hundred',
  'thousand',
  'million',
  'billion',
  'trillion',
  'dollars',
  'euros',
  'percent',
  'per cent',
];
const FRACTION_WORDS = ['half', 'third', 'quarter', 'fifth', 'tenth'];

function hasAny(lower: string, words: readonly string[]): boolean {
  for (const word of words) if (lower.includes(word)) return true;
  return false;
}

function overlapsAny(spans: readonly Quantity[], start: number, end: number): boolean {
  for (const other of spans) if (other.start < end && start < other.end) return true;
  return false;
}

const QUALIFIER_BEFORE: Array<[RegExp, QuantityQualifier]> = [
  [/(?:more than|over|above|at least|in excess of|upwards of|greater than)\s*$/i, 'atLeast'],
  [/(?:less than|under|below|at most|no more than|just under)\s*$/i, 'atMost'],
];

function qualifierBefore(text: string, start: number): QuantityQualifier {
  const before = text.slice(Math.max(0, start - 24), start);
  for (const [pattern, qualifier] of QUALIFIER_BEFORE) if (pattern.test(before)) return qualifier;
  return 'approx';
}

function cardinal(words: string): number | null {
  const parts = words.toLowerCase().split(/[- ]+/);
  let value = 0;
  for (const part of parts) {
    if (part in TENS) value += TENS[part] as number;
    else if (part in UNITS) value += UNITS[part] as number;
    else return null;
  }
  return value;
}

function quantity(
  text: string,
  start: number,
  end: number,
  fields: Pick<Quantity, 'value' | 'unit'> & Partial<Quantity>,
): Quantity {
  return {
    high: null,
    currency: null,
    tolerance: 0.1 * Math.abs(fields.value),
    qualifier: qualifierBefore(text, start),
    sign: 1,
    verbal: true,
    raw: text.slice(start, end),
    start,
    end,
    ...fields,
  };
}

/**
 * Figures written in words in `text` (already masked: periods and non-figures replaced, so "third quarter" and
 * "first half" are not read as fractions). `taken` are the spans of figures already found in digits; a verbal
 * figure overlapping one is skipped, except a cents-per-dollar margin, which replaces the cents amount.
 */
export function extractVerbalQuantities(text: string, taken: readonly Quantity[]): Quantity[] {
  const found: Quantity[] = [];
  // A pattern whose words (see CENTS_WORDS…) the text lacks cannot match, so it is not run (most sentences have none).
  const lower = text.toLowerCase();

  // Margins as cents of every dollar ("roughly 62 cents of every revenue dollar").
  if (hasAny(lower, CENTS_WORDS) && lower.includes('dollar'))
    for (const match of text.matchAll(
      /\b(\d+(?:\.\d+)?)\s*(?:cents|¢)\s+(?:of|on|out of|from|for)\s+(?:every|each)\s+(?:[a-z-]+\s+){0,2}?dollar\b/gi,
    )) {
      const value = Number(match[1]);
      found.push(
        quantity(text, match.index, match.index + match[0].length, { value, unit: 'percent', tolerance: 0.5 }),
      );
    }

  // Multipliers: doubled, tripled, N-fold; halved.
  if (hasAny(lower, MULTIPLIER_WORDS))
    for (const match of text.matchAll(/\b(doubled|tripled|trebled|quadrupled|halved)\b/gi)) {
      const word = (match[1] as string).toLowerCase();
      const end = match.index + match[0].length;
      if (overlapsAny(taken, match.index, end) || overlapsAny(found, match.index, end)) continue;
      const value = word === 'halved' ? 50 : ((MULTIPLIERS[word] as number) - 1) * 100;
      found.push(quantity(text, match.index, end, { value, unit: 'percent', tolerance: 0.1 * value }));
    }
  if (lower.includes('fold'))
    for (const match of text.matchAll(FOLD)) {
      const end = match.index + match[0].length;
      if (overlapsAny(taken, match.index, end) || overlapsAny(found, match.index, end)) continue;
      const factor = /^\d/.test(match[1] as string) ? Number(match[1]) : cardinal(match[1] as string);
      if (factor === null || !Number.isFinite(factor) || factor < 2) continue;
      found.push(quantity(text, match.index, end, { value: factor, unit: 'multiple', tolerance: 0.1 * factor }));
    }

  // Digit bands ("high single digits", "mid-teens", "low 20s").
  for (const [pattern, low, high] of hasAny(lower, BAND_WORDS) ? BAND : []) {
    for (const match of text.matchAll(pattern)) {
      const end = match.index + match[0].length;
      if (overlapsAny(taken, match.index, end) || overlapsAny(found, match.index, end)) continue;
      const base = match[1] ? Number(match[1]) : 0;
      found.push(
        quantity(text, match.index, end, {
          value: base + low,
          high: base + high,
          unit: 'percent',
          tolerance: 0.5,
          qualifier: 'approx',
        }),
      );
    }
  }

  // Number words with a scale or unit: "three and a quarter billion dollars", "seven percent", "two million".
  // (A match without a scale or unit word is skipped.)
  const scaled = hasAny(lower, SCALE_OR_UNIT_WORDS);
  for (const match of scaled ? text.matchAll(NUMBER_WORDS) : []) {
    const scaleWord = match[4]?.toLowerCase();
    const unitWord = match[5]?.toLowerCase();
    if (!scaleWord && !unitWord) continue;
    const end = match.index + match[0].trimEnd().length;
    if (overlapsAny(taken, match.index, end) || overlapsAny(found, match.index, end)) continue;
    const whole = cardinal(match[2] as string);
    if (whole === null) continue;
    const fraction = match[3]
      ? (FRACTIONS[(match[3] as string).toLowerCase()] ?? 0)
      : /three\s+quarters/i.test(match[0])
        ? 0.75
        : 0;
    const scale = scaleWord ? (SCALE_WORDS[scaleWord] as number) : 1;
    const value = (whole + fraction) * scale;
    const currency = match[1] || unitWord === 'dollars' ? 'USD' : unitWord === 'euros' ? 'EUR' : null;
    const unit =
      currency !== null
        ? 'currency'
        : unitWord?.startsWith('percentage')
          ? 'pp'
          : unitWord === 'percent' || unitWord === 'per cent'
            ? 'percent'
            : 'count';
    found.push(
      quantity(text, match.index, end, {
        value,
        unit,
        currency,
        // Written in words, a figure is rounded to its last word: a quarter of the scale, or one unit.
        tolerance: fraction > 0 ? 0.125 * scale : 0.5 * scale,
      }),
    );
  }

  // Fractions as shares or changes: "by about a third", "roughly a fifth of revenue", "two-thirds of sales".
  const fractions =
    /\b(a|one|two|three)[- ](half|third|thirds|quarter|quarters|fifth|fifths|tenth|tenths)\b(?=\s+(?:of|higher|lower|more|less|above|below|smaller|larger|bigger)\b|\s*[,.;)]|\s*$)|\b(half)\b(?=\s+of\b)|\b(?:by|about|roughly|nearly|almost|around|some|over|under)\s+(half)\b/gi;
  for (const match of hasAny(lower, FRACTION_WORDS) ? text.matchAll(fractions) : []) {
    const end = match.index + match[0].length;
    const word = (match[2] ?? match[3] ?? match[4] ?? '').toLowerCase();
    const share = FRACTIONS[word];
    if (share === undefined) continue;
    const count = match[1] && /^(?:two|three)$/i.test(match[1]) ? (cardinal(match[1]) as number) : 1;
    const start = match[4] ? end - 4 : match.index;
    if (overlapsAny(taken, start, end) || overlapsAny(found, start, end)) continue;
    const value = 100 * share * count;
    found.push(quantity(text, start, end, { value, unit: 'percent', tolerance: 0.1 * value }));
  }
  return found.sort((left, right) => left.start - right.start);
}
