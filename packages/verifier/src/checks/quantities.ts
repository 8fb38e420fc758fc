/**
 * Figures in financial prose, normalised so that equal amounts compare equal whatever their spelling:
 * `$1.2bn` = `1,200 million dollars` = `US$1.2 billion`; `150 bps` = `1.5 percentage points`; `25x` = `25 times`.
 * Each figure keeps the resolution it was written with, so comparisons tolerate rounding to the coarser side
 * (`$94.9 billion` matches `$94,930 million`, `8%` matches `8.4%`, but `9%` does not match `8.4%`).
 */

import { extractVerbalQuantities } from './verbal-quantities.ts';

/** What a figure measures. `pp` is percentage points (bps are converted); `points` are index points. */
export type QuantityUnit = 'percent' | 'pp' | 'currency' | 'multiple' | 'count' | 'points';

/** How a figure is qualified: exact, approximate, a lower bound (`more than`) or an upper bound (`under`). */
export type QuantityQualifier = 'exact' | 'approx' | 'atLeast' | 'atMost';

/** A figure found in a text. */
export interface Quantity {
  /** Normalised value (currency in units, percent as 8 for 8%, pp for bps/100, counts with their scale). */
  value: number;
  /** Upper end of a range (`$89–93bn`), else `null`. */
  high: number | null;
  /** Unit family. */
  unit: QuantityUnit;
  /** Currency code for `currency` figures (`USD`, `EUR`, …). */
  currency: string | null;
  /** Half of the last written digit's place value, in normalised units: the rounding tolerance. */
  tolerance: number;
  /** Qualifier words before the figure. */
  qualifier: QuantityQualifier;
  /** −1 when written negative (`-3%`, `(3%)`), else 1. */
  sign: -1 | 1;
  /**
   * True for a figure written in words (`doubled`, `a third`, `high single digits`): approximate by nature, it can
   * confirm a figure but never contradict one.
   */
  verbal?: boolean;
  /** Text as written. */
  raw: string;
  /** Offset of the first character. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

const SCALES: Record<string, number> = {
  k: 1e3,
  thousand: 1e3,
  m: 1e6,
  mm: 1e6,
  mn: 1e6,
  mln: 1e6,
  million: 1e6,
  millions: 1e6,
  b: 1e9,
  bn: 1e9,
  bln: 1e9,
  billion: 1e9,
  billions: 1e9,
  t: 1e12,
  tn: 1e12,
  trillion: 1e12,
  trillions: 1e12,
};

const CURRENCY_PREFIX: Record<string, string> = {
  $: 'USD',
  us$: 'USD',
  usd: 'USD',
  '€': 'EUR',
  eur: 'EUR',
  '£': 'GBP',
  gbp: 'GBP',
  '¥': 'JPY',
  jpy: 'JPY',
  rmb: 'CNY',
  cny: 'CNY',
  hk$: 'HKD',
};

const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+`;
const CURRENCY = String.raw`US\$|HK\$|\$|€|£|¥|USD\s?|EUR\s?|GBP\s?|JPY\s?|RMB\s?|CNY\s?`;
const SCALE = 'thousand|millions?|billions?|trillions?|mln|bln|mn|mm|bn|tn|k|m|b|t';
const UNIT = String.raw`%|percent(?:age\s+points?)?|per\s?cent|pct|pp|ppts?|percentage\s+points?|basis\s+points?|bps|bp|x|times|points?|pts|dollars|euros|cents`;
const SINGLE = new RegExp(
  String.raw`(\()?(${CURRENCY})?\s?([-+−–])?\s?(${CURRENCY})?(${NUMBER})(?:\s?(${SCALE})\b)?(?:\s?(${UNIT})(?![A-Za-z]))?(\))?`,
  'gi',
);
/** The high end of a range, matched where a figure ends (sticky). */
const RANGE_TAIL = new RegExp(
  String.raw`\s?(?:-|–|—|to)\s?(${CURRENCY})?(${NUMBER})(?:\s?(${SCALE})\b)?(?:\s?(${UNIT})(?![A-Za-z]))?`,
  'iy',
);

/** Relative tolerance of every figure comparison (well below a misquote: perturb() alters figures by 15–60%). */
const RELATIVE_TOLERANCE = 0.003;

/** Spans that contain digits but are not figures: form names, index names, day counts, model numbers… */
const NOT_FIGURES =
  /\b(?:10-[KQ]|8-K|20-F|S-1|S&P\s?500|S&P|Nasdaq[\s-]?100|Russell\s?[123]000|Dow\s?30|COVID-19|Form\s+\d+|\d+-(?:day|week|month|year|quarter|bar|session|minute|hour)s?|\d+\s+(?:trading\s+)?(?:sessions|bars|trading days)\b|(?:last|past|next|previous|prior)\s+\d+\b(?![.,]?\d|\s*(?:%|percent|per cent|bn|mn|m|k|million|billion|thousand|trillion)\b)|\b(?:over|in|within|across)\s+(?:the\s+)?(?:last\s+|past\s+)?\d+\s+(?:trading\s+)?(?:days|weeks|months|years|quarters)\b|\d+[- ](?:for|to)[- ]\d+\s+(?:stock\s+|share\s+|forward\s+|reverse\s+)?split|\d+-for-\d+|(?:one|two|three|four|five|ten|twenty)-for-(?:one|two)|\d+(?:st|nd|rd|th)\b|[A-Z]+\d+[A-Z\d]*|\d+[A-Z]{2,}\d*)/g;

const QUALIFIERS: Array<[RegExp, QuantityQualifier]> = [
  [
    /(?:more than|over|above|at least|exceeding|in excess of|north of|upwards of|greater than|no less than|>=?|≥)\s*$/i,
    'atLeast',
  ],
  [/(?:less than|under|below|at most|up to|no more than|fewer than|south of|<=?|≤)\s*$/i, 'atMost'],
  [
    /(?:about|around|approximately|approx\.?|roughly|nearly|almost|close to|some|circa|c\.|~|an estimated|just over|just under)\s*$/i,
    'approx',
  ],
];

function decimals(raw: string): number {
  const dot = raw.indexOf('.');
  return dot < 0 ? 0 : raw.length - dot - 1;
}

/** Mask spans that look numeric but are not figures (and periods, which {@link extractPeriods} handles). */
export function maskSpans(text: string, spans: Array<{ start: number; end: number }>): string {
  let masked = text;
  for (const { start, end } of spans) {
    masked = `${masked.slice(0, start)}${'§'.repeat(Math.max(0, end - start))}${masked.slice(end)}`;
  }
  return masked.replace(NOT_FIGURES, (match) => '§'.repeat(match.length));
}

/**
 * Every figure in `text`, with unit, scale, range, qualifier and rounding tolerance. Pass `exclude` spans (for
 * instance the periods found by `extractPeriods`) so that `2024` in `Q3 2024` is not read as a figure.
 */
export function extractQuantities(text: string, exclude: Array<{ start: number; end: number }> = []): Quantity[] {
  const masked = maskSpans(text, exclude);
  const found: Quantity[] = [];
  const pattern = SINGLE;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(masked); match !== null; match = pattern.exec(masked)) {
    // A range's ends share one unit: "$89-93bn", "5 to 7%", but not "1% to $39.3 billion".
    RANGE_TAIL.lastIndex = match.index + match[0].length;
    let tail = RANGE_TAIL.exec(masked);
    if (tail) {
      const lowUnit = (match[7] ?? '').toLowerCase();
      const highUnit = (tail[4] ?? '').toLowerCase();
      const lowCurrency = match[2] !== undefined || match[4] !== undefined;
      const highCurrency = tail[1] !== undefined;
      const compatible =
        (lowUnit === '' || highUnit === '' || lowUnit === highUnit) &&
        (lowUnit === '' || !highCurrency) &&
        (highCurrency === lowCurrency || !highCurrency) &&
        !(lowUnit === '' && highUnit === '' && !lowCurrency && (match[6] ?? '') === '' && (tail[3] ?? '') === '');
      if (compatible) pattern.lastIndex = match.index + match[0].length + tail[0].length;
      else tail = null;
    }
    const numberRaw = match[5];
    if (numberRaw === undefined) continue;
    const start = match.index;
    const leadingSpace = match[0].length - match[0].trimStart().length;
    const before = masked.slice(Math.max(0, start + leadingSpace - 1), start + leadingSpace);
    if (/[A-Za-z§\d._]/.test(before)) continue;
    // (An underscore before the digits: an identifier such as "pfe_pr_20241029", not a figure.)
    const currencyRaw = (match[2] ?? match[4] ?? '').trim().toLowerCase();
    let scaleRaw = (match[6] ?? tail?.[3] ?? '').toLowerCase();
    let unitRaw = (match[7] ?? tail?.[4] ?? '').toLowerCase().replace(/\s+/g, ' ');
    const highRaw = tail?.[2];
    // A bare one-letter scale (m, b, t, k) is only a scale after a currency sign or before a unit.
    if (/^[mbtk]$/.test(scaleRaw) && currencyRaw === '' && unitRaw === '') {
      const after = masked.slice(start + match[0].length, start + match[0].length + 1);
      if (after !== '' && /[A-Za-z]/.test(after)) scaleRaw = '';
    }
    const scale = SCALES[scaleRaw] ?? 1;
    let unit: QuantityUnit = 'count';
    let factor = scale;
    let currency: string | null = currencyRaw ? (CURRENCY_PREFIX[currencyRaw] ?? 'USD') : null;
    if (/^(?:%|percent|per ?cent|pct)$/.test(unitRaw)) unit = 'percent';
    else if (/^(?:pp|ppts?|percentage points?|percent(?:age)? points?)$/.test(unitRaw)) unit = 'pp';
    else if (/^(?:basis points?|bps|bp)$/.test(unitRaw)) {
      unit = 'pp';
      factor = 0.01;
    } else if (/^(?:x|times)$/.test(unitRaw)) unit = 'multiple';
    else if (/^(?:points?|pts)$/.test(unitRaw)) unit = 'points';
    else if (unitRaw === 'dollars' || unitRaw === 'euros') {
      unit = 'currency';
      currency = unitRaw === 'dollars' ? 'USD' : 'EUR';
    } else if (unitRaw === 'cents') {
      unit = 'currency';
      currency = 'USD';
      factor = scale * 0.01;
    }
    if (currency !== null && unit === 'count') unit = 'currency';
    if (unit === 'count') unitRaw = '';
    const plain = Number(numberRaw.replace(/,/g, ''));
    if (!Number.isFinite(plain)) continue;
    // Years and small integers without any unit are too ambiguous to be figures.
    if (unit === 'count' && scale === 1 && highRaw === undefined) {
      if (/^(?:19|20)\d{2}$/.test(numberRaw)) continue;
      // A model or product number is part of a name: "Boeing 737", "iPhone 15", "737 MAX", "Model 3".
      const wordBefore = /(?:^|[\s(])([A-Za-z][A-Za-z-]*)\s$/.exec(
        masked.slice(Math.max(0, start - 20), start + leadingSpace),
      )?.[1];
      const wordAfter = /^\s([A-Z][A-Za-z]*)/.exec(
        masked.slice(start + match[0].length, start + match[0].length + 16),
      )?.[1];
      // Integers only, and never after an acronym (RSI 55, EPS 2, NVDA 131 are figures of a metric or ticker).
      const integer = /^\d+$/.test(numberRaw);
      const nameBefore =
        wordBefore !== undefined &&
        /^(?:[A-Z][a-z]|i[A-Z])/.test(wordBefore) &&
        !/^(?:In|On|At|By|The|Of|For|To|And|From|About|Over|Under|Up|Down|Some|Nearly|Around)$/.test(wordBefore);
      const nameAfter = wordAfter !== undefined && /^(?:MAX|Pro|Plus|Max|Ultra|Mini|Series|Edition)$/.test(wordAfter);
      if (integer && (nameBefore || nameAfter)) continue;
    }
    const negative =
      (match[3] !== undefined && /[-−]/.test(match[3]) && match[2] === undefined) ||
      (match[1] === '(' && match[8] === ')' && currency !== null);
    const raw = text.slice(start, start + match[0].length + (tail?.[0].length ?? 0)).trim();
    const rawStart = start + (text.slice(start).length - text.slice(start).trimStart().length);
    const precedingText = masked.slice(Math.max(0, rawStart - 24), rawStart);
    let qualifier: QuantityQualifier = 'exact';
    for (const [pattern, kind] of QUALIFIERS) {
      if (pattern.test(precedingText)) {
        qualifier = kind;
        break;
      }
    }
    // "moved its target up to $690" is a move, not a bound.
    const clauseBefore =
      masked
        .slice(Math.max(0, rawStart - 60), rawStart)
        .split(/[.;]/)
        .pop() ?? '';
    if (
      qualifier === 'atMost' &&
      /\bup\s+to\s*$/i.test(precedingText) &&
      /\b(?:moved|moves|raised|raises|rose|risen|climbed|went|jumped|lifted|increased|revised|marked|ticked|gone|goes|bumped|pushed)\b/i.test(
        clauseBefore,
      )
    ) {
      qualifier = 'exact';
    }
    const tolerance = 0.5 * 10 ** -decimals(numberRaw.replace(/,/g, '')) * factor;
    let high: number | null = null;
    if (highRaw !== undefined) {
      const highScale = SCALES[(tail?.[3] ?? '').toLowerCase()] ?? scale;
      const highValue = Number(highRaw.replace(/,/g, '')) * (unit === 'pp' && factor === 0.01 ? 0.01 : highScale);
      if (Number.isFinite(highValue) && highValue >= plain * factor) high = highValue;
    }
    const end = rawStart + raw.replace(/[\s(]+$/, '').length;
    found.push({
      value: plain * factor,
      high,
      unit,
      currency,
      tolerance,
      qualifier,
      sign: negative ? -1 : 1,
      raw: text.slice(rawStart, end),
      start: rawStart,
      end,
    });
  }
  const verbal = extractVerbalQuantities(masked, found);
  // A margin written as cents of every dollar replaces the cents amount it contains.
  const margins = verbal.filter((quantity) => quantity.unit === 'percent' && /cents|¢/i.test(quantity.raw));
  const digits = found.filter(
    (quantity) => !margins.some((margin) => margin.start <= quantity.start && quantity.end <= margin.end),
  );
  return [...digits, ...verbal].sort((left, right) => left.start - right.start);
}

function isPoints(unit: QuantityUnit): boolean {
  return unit === 'pp' || unit === 'points';
}

const STATED_SCALE = new RegExp(String.raw`\d\s?(?:${SCALE})\b`, 'i');

/**
 * True when two figures, each written with its own scale word, are the same figure in scales a thousandfold apart
 * ("$45.1 billion" for "$45.1 million"): a misquoted scale. {@link compareQuantities} calls figures that far apart
 * incomparable (a per-share amount and a total); a caller that knows the two describe one slot may count this as a
 * conflict. A scale a table's caption supplies is not written with the figure, and a bare figure states none.
 */
export function scaleMisquote(claim: Quantity, evidence: Quantity): boolean {
  if (claim.unit !== evidence.unit || claim.unit === 'percent' || claim.unit === 'pp') return false;
  if (claim.unit === 'currency' && claim.currency !== evidence.currency) return false;
  if (!STATED_SCALE.test(claim.raw) || !STATED_SCALE.test(evidence.raw)) return false;
  const larger = Math.max(Math.abs(claim.value), Math.abs(evidence.value));
  const smaller = Math.min(Math.abs(claim.value), Math.abs(evidence.value));
  if (smaller === 0) return false;
  const ratio = larger / smaller;
  return [1e3, 1e6, 1e9].some((scale) => Math.abs(ratio - scale) <= 0.003 * scale);
}

/** Result of comparing a claimed figure with a figure from the evidence. */
export type QuantityComparison = 'match' | 'conflict' | 'incomparable';

/**
 * Compare two figures. Different units (percent vs percentage points, currency vs count, different currencies)
 * are incomparable. Ranges match a value inside them (and another range with the same ends); bounds (`more than
 * 20%`) match any value on their side; otherwise the values must agree within the coarser rounding tolerance,
 * widened to 3% for approximate figures.
 */
export function compareQuantities(claim: Quantity, evidence: Quantity): QuantityComparison {
  // "7 points of growth" and "7 percentage points" are the same figure; they may match but never conflict.
  if (claim.unit !== evidence.unit && isPoints(claim.unit) && isPoints(evidence.unit)) {
    return Math.abs(claim.value - evidence.value) <= Math.max(claim.tolerance, evidence.tolerance) + 1e-9
      ? 'match'
      : 'incomparable';
  }
  if (claim.unit !== evidence.unit) return 'incomparable';
  if (claim.unit === 'currency' && claim.currency !== evidence.currency) return 'incomparable';
  // Figures two orders of magnitude apart are different quantities (a per-share amount and a total), not a
  // misquote of one another.
  const larger = Math.max(Math.abs(claim.value), Math.abs(evidence.value));
  const smaller = Math.min(Math.abs(claim.value), Math.abs(evidence.value));
  if (claim.unit !== 'percent' && claim.unit !== 'pp' && smaller > 0 && larger / smaller > 50) return 'incomparable';
  const tolerance =
    Math.max(claim.tolerance, evidence.tolerance) +
    (claim.qualifier === 'approx' || evidence.qualifier === 'approx' ? 0.03 * Math.abs(claim.value) : 0) +
    // Independent recomputation and rounding (an RSI of 50.2 vs 50.1): 0.3% relative.
    RELATIVE_TOLERANCE * Math.abs(claim.value) +
    1e-9 * Math.max(1, Math.abs(claim.value));
  const claimLow = claim.value;
  const claimHigh = claim.high ?? claim.value;
  const evidenceLow = evidence.value;
  const evidenceHigh = evidence.high ?? evidence.value;
  if (claim.high !== null && evidence.high !== null) {
    return Math.abs(claimLow - evidenceLow) <= tolerance && Math.abs(claimHigh - evidenceHigh) <= tolerance
      ? 'match'
      : 'conflict';
  }
  if (evidence.high !== null) {
    return claimLow >= evidenceLow - tolerance && claimHigh <= evidenceHigh + tolerance ? 'match' : 'conflict';
  }
  if (claim.high !== null) {
    return evidenceLow >= claimLow - tolerance && evidenceLow <= claimHigh + tolerance ? 'match' : 'conflict';
  }
  if (claim.qualifier === 'atLeast') return evidenceLow >= claimLow - tolerance ? 'match' : 'conflict';
  if (claim.qualifier === 'atMost') return evidenceLow <= claimLow + tolerance ? 'match' : 'conflict';
  if (evidence.qualifier === 'atLeast') return claimLow >= evidenceLow - tolerance ? 'match' : 'conflict';
  if (evidence.qualifier === 'atMost') return claimLow <= evidenceLow + tolerance ? 'match' : 'conflict';
  if (claim.sign !== evidence.sign && claim.value !== 0)
    return Math.abs(claimLow - evidenceLow) <= tolerance ? 'match' : 'conflict';
  return Math.abs(claimLow - evidenceLow) <= tolerance ? 'match' : 'conflict';
}
