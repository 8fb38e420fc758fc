/**
 * Sentence rewrites for claim–evidence pairs (pure functions; the random ones take an `Rng`). Each returns the
 * rewritten sentence, or null when it does not apply (nothing to round, no direction word…), so that a pair is only
 * made when the rewrite really happened.
 *
 * Meaning-preserving: {@link roundFigure}, {@link verbalFigure}, {@link reorderClauses}, {@link synonyms},
 * {@link extractClause}. Meaning-changing: {@link changeValue}, {@link swapScale}, {@link swapUnit},
 * {@link shiftPeriod}, {@link swapEntity}, {@link flipDirection}.
 */
import type { Rng } from '@trade-r1/core';

/** A figure: optional currency, digits, decimals, optional unit or scale. */
const FIGURE =
  /(?<![\w.,$])((?:US)?\$|€|£)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(\s?%|\s(?:percent|million|billion|thousand|trillion)\b)?(?![\w,]*\d)/g;
const MONTHS =
  /(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s*$/;

interface Figure {
  index: number;
  text: string;
  currency: string;
  digits: string;
  decimals: string;
  unit: string;
  value: number;
}

/** The figures of a sentence that are amounts (not years, dates, ordinals or parts of names). */
export function figuresOf(sentence: string): Figure[] {
  const figures: Figure[] = [];
  for (const match of sentence.matchAll(FIGURE)) {
    const [text, currency = '', digits = '', decimals = '', unit = ''] = match;
    const before = sentence.slice(Math.max(0, match.index - 12), match.index);
    const after = sentence.slice(match.index + text.length, match.index + text.length + 12);
    const value = Number(`${digits.replace(/,/g, '')}${decimals}`);
    const year = !currency && !unit && !decimals && /^(?:19|20)\d{2}$/.test(digits);
    if (year || MONTHS.test(before) || /^[-/:]\d|^(?:st|nd|rd|th)\b/.test(after) || /[-/:]$/.test(before)) continue;
    if (
      /\b(?:Q|H|FY|No\.?|#)\s*$/i.test(before) ||
      /^-?(?:days?|weeks?|months?|years?|quarters?|sessions?)\b/i.test(after.trim())
    )
      continue;
    figures.push({ index: match.index, text, currency, digits, decimals, unit, value });
  }
  return figures;
}

function replaceAt(sentence: string, figure: Figure, text: string): string {
  return `${sentence.slice(0, figure.index)}${text}${sentence.slice(figure.index + figure.text.length)}`;
}

const digitsWithGrouping = (value: number, decimals: number, grouping: boolean): string =>
  value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
    useGrouping: grouping,
  });

/**
 * Round the first figure that can be rounded and say so: "$1,496.5 million" → "about $1.5 billion", "12.4%" →
 * "about 12%", "829.4 million shares" → "about 829 million shares".
 */
export function roundFigure(sentence: string): string | null {
  for (const figure of figuresOf(sentence)) {
    // Already hedged ("approximately $4 million"): rounding again would stack the hedges.
    if (
      /\b(?:about|approximately|roughly|around|nearly|almost|some|over|under|more than|less than)\s*$/i.test(
        sentence.slice(0, figure.index),
      )
    )
      continue;
    const unit = figure.unit.trim();
    if (/^million$/.test(unit) && figure.value >= 1000) {
      return replaceAt(sentence, figure, `about ${figure.currency}${(figure.value / 1000).toFixed(1)} billion`);
    }
    if (/^thousand$/.test(unit) && figure.value >= 1000) {
      return replaceAt(sentence, figure, `about ${figure.currency}${(figure.value / 1000).toFixed(1)} million`);
    }
    if (figure.decimals.length > 1 && figure.value >= 1) {
      // To an integer when that is within 3% of the value (a restatement, not another figure), else skip it.
      if (Math.abs(Math.round(figure.value) - figure.value) / figure.value > 0.03) continue;
      const rounded = digitsWithGrouping(Math.round(figure.value), 0, figure.digits.includes(','));
      return replaceAt(sentence, figure, `about ${figure.currency}${rounded}${figure.unit}`);
    }
  }
  return null;
}

const FRACTIONS: Array<[number, number, string]> = [
  [18, 22, 'roughly a fifth'],
  [23.5, 26.5, 'about a quarter'],
  [31.5, 35, 'about a third'],
  [48, 52, 'about half'],
  [64.5, 68.5, 'about two-thirds'],
  [73.5, 76.5, 'about three-quarters'],
];
const GROWTH =
  /\b(rose|increased|grew|jumped|climbed|gained|was up|were up|surged|up)( by)? (\d+(?:\.\d+)?)(%| percent)/;

/**
 * A figure as words: growth of 90–110% → "nearly doubled" / "roughly doubled", 190–210% → "roughly tripled"; a
 * percentage near a simple fraction → "about a third", "roughly a fifth"…
 */
export function verbalFigure(sentence: string): string | null {
  const growth = GROWTH.exec(sentence);
  if (growth) {
    const percent = Number(growth[3]);
    const phrase =
      percent >= 90 && percent < 100
        ? 'nearly doubled'
        : percent >= 100 && percent <= 110
          ? 'roughly doubled'
          : percent >= 190 && percent <= 210
            ? 'roughly tripled'
            : null;
    if (phrase) return sentence.replace(growth[0], phrase);
  }
  for (const figure of figuresOf(sentence)) {
    if (!/%|percent/.test(figure.unit) || figure.currency) continue;
    // Only where a fraction reads as English: not after an article, a hedge or a sign ("a 50% increase").
    if (
      /(?:\b(?:a|an|about|approximately|roughly|around|nearly|almost|over|under|than)|[+−-])\s*$/i.test(
        sentence.slice(0, figure.index),
      )
    )
      continue;
    const fraction = FRACTIONS.find(([low, high]) => figure.value >= low && figure.value <= high);
    if (fraction) return replaceAt(sentence, figure, fraction[2]);
  }
  return null;
}

const capitalise = (text: string) =>
  /^[a-z][A-Z]/.test(text) ? text : `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
/** The first word in lower case when it is a common word ("The", "Its"), never a name ("Align", "Apple"). */
const lowerFirst = (text: string) =>
  /^(?:The|A|An|This|That|These|Those|Its|Their|Our|It|They|We|Sales|Revenues?|Services|Net|Total|Shares|Stocks?|Profits?|Earnings|Operating|Gross|Cash|Costs|Expenses|Income|Margins?|Demand|Prices?|Growth|Analysts|Investors|Markets?)\b/.test(
    text,
  )
    ? `${text.charAt(0).toLowerCase()}${text.slice(1)}`
    : text;

/**
 * Two clauses in the other order ("A, while B." → "B, while A."), or a trailing "in <year>"/attribution moved to
 * the front ("X rose in 2019." → "In 2019, X rose."; "X, the company said." → "The company said X.").
 */
export function reorderClauses(sentence: string): string | null {
  const body = sentence.replace(/[.!]$/, '');
  const pair = /^(.{25,}?), (and|while|whereas) (.{20,})$/.exec(body);
  // Not when the second clause refers back by a pronoun (moved first, it would precede what it refers to).
  if (pair && !/,/.test(pair[3] as string) && !/\b(?:it|its|they|their|this|that)\b/i.test(pair[3] as string)) {
    return `${capitalise(pair[3] as string)}, ${pair[2]} ${lowerFirst(pair[1] as string)}.`;
  }
  const said =
    /^(.{25,}), (the company|the firm|analysts?|[A-Z][a-z]+(?: [A-Z][a-z]+)?) (said|says|noted|reported|added)$/.exec(
      body,
    );
  if (said) return `${capitalise(said[2] as string)} ${said[3]} ${lowerFirst(said[1] as string)}.`;
  const trailing =
    /^(.{20,}) (in (?:fiscal )?(?:19|20)\d{2}|in the (?:first|second|third|fourth) quarter(?: of (?:19|20)\d{2})?)$/.exec(
      body,
    );
  // Only when the sentence states no other period (moving one of several would change what it says).
  if (trailing && !/\b(?:19|20)\d{2}\b|\bquarter\b|\byear\b/.test(trailing[1] as string)) {
    return `${capitalise(trailing[2] as string)}, ${lowerFirst(trailing[1] as string)}.`;
  }
  return null;
}

const SYNONYMS: Array<[RegExp, string]> = [
  [/\bincreased\b/, 'rose'],
  [/\bdecreased\b/, 'fell'],
  [/\bdeclined\b/, 'dropped'],
  [/\brevenues?\b/, 'sales'],
  [/\bnet income\b/, 'net profit'],
  [/\bcompany\b/, 'firm'],
  [/\bapproximately\b/, 'about'],
  [/\broughly\b/, 'around'],
  [/\bprimarily\b/, 'mainly'],
  [/\bpurchased\b/, 'bought'],
  [/\breported\b/, 'posted'],
  [/\bexpects\b/, 'anticipates'],
  [/\bshares\b/, 'stock'],
  [/\bclosed at\b/, 'ended the day at'],
  [/\bgained\b/, 'added'],
  [/\bcustomers\b/, 'clients'],
];

/** Every listed word replaced by a synonym (null when none occurs). */
export function synonyms(sentence: string): string | null {
  let result = sentence;
  for (const [pattern, replacement] of SYNONYMS) result = result.replace(pattern, replacement);
  return result === sentence ? null : result;
}

/** The first clause of a compound sentence, when it has at least six words and a figure or a name. */
export function extractClause(sentence: string): string | null {
  const [first, ...rest] = sentence.split(/,\s+(?:and|but|while|as|which)\s+|;\s+/);
  if (rest.length === 0 || !first) return null;
  const words = first.trim().split(/\s+/);
  if (words.length < 6 || !/\d|[A-Z][a-z]+ [A-Z]/.test(first)) return null;
  return `${first.trim().replace(/[,;:]$/, '')}.`;
}

/** The first amount changed to another value of the same precision (×1.2–1.6 or ×0.45–0.8). */
export function changeValue(sentence: string, rng: Rng): string | null {
  const figure = figuresOf(sentence).find((entry) => entry.value > 0);
  if (!figure) return null;
  const factor = rng.next() < 0.5 ? 1.2 + 0.4 * rng.next() : 0.45 + 0.35 * rng.next();
  const decimals = Math.max(0, figure.decimals.length - 1);
  // Grouped as the source groups: with commas, or below 1,000 (where the source could not show its habit).
  const grouping = figure.digits.includes(',') || figure.value < 1000;
  const changed = digitsWithGrouping(figure.value * factor, decimals, grouping);
  const original = `${figure.digits}${figure.decimals}`;
  if (changed === original) return null;
  return replaceAt(sentence, figure, `${figure.currency}${changed}${figure.unit}`);
}

const OTHER_SCALE: Record<string, string> = {
  thousand: 'million',
  million: 'billion',
  billion: 'million',
  trillion: 'billion',
};

/** The first scale word changed ("million" → "billion", "billion" → "million", "thousand" → "million"). */
export function swapScale(sentence: string): string | null {
  const match = /\b(\d[\d,.]*\s?)(thousand|million|billion|trillion)\b/.exec(sentence);
  if (!match) return null;
  return `${sentence.slice(0, match.index)}${match[1]}${OTHER_SCALE[match[2] as string]}${sentence.slice(match.index + match[0].length)}`;
}

/** A percentage stated as a dollar amount, or a dollar amount as a percentage ("5%" ↔ "$5"). */
export function swapUnit(sentence: string): string | null {
  const figure = figuresOf(sentence).find((entry) => /%|percent/.test(entry.unit) || entry.currency === '$');
  if (!figure) return null;
  const number = `${figure.digits}${figure.decimals}`;
  if (/%|percent/.test(figure.unit)) return replaceAt(sentence, figure, `$${number}`);
  return replaceAt(sentence, figure, `${number}%`);
}

/** The first year or quarter moved one period back ("2023" → "2022", "third quarter" → "second quarter"). */
export function shiftPeriod(sentence: string): string | null {
  const quarter = /\b(second|third|fourth|2nd|3rd|4th|Q[234])\b(?= quarter|\b)/.exec(sentence);
  const earlier: Record<string, string> = {
    second: 'first',
    third: 'second',
    fourth: 'third',
    '2nd': '1st',
    '3rd': '2nd',
    '4th': '3rd',
    Q2: 'Q1',
    Q3: 'Q2',
    Q4: 'Q3',
  };
  if (quarter && earlier[quarter[1] as string]) {
    return `${sentence.slice(0, quarter.index)}${earlier[quarter[1] as string]}${sentence.slice(quarter.index + (quarter[1] as string).length)}`;
  }
  const year = /\b(?:in|for|of|during|fiscal|FY)\s((?:19|20)\d{2})\b/.exec(sentence);
  if (year) {
    const at = year.index + year[0].length - 4;
    return `${sentence.slice(0, at)}${Number(year[1]) - 1}${sentence.slice(at + 4)}`;
  }
  return null;
}

/** Companies the news and market documents name (a swap target is one the evidence does not mention). */
export const COMPANIES = [
  'Apple',
  'Microsoft',
  'Amazon',
  'Alphabet',
  'Google',
  'Meta',
  'Nvidia',
  'Tesla',
  'Samsung',
  'Intel',
  'Netflix',
  'Qualcomm',
  'Broadcom',
  'Oracle',
  'IBM',
  'Sony',
] as const;

/** The first company named replaced by another one that `evidence` never names. */
export function swapEntity(sentence: string, evidence: string, rng: Rng): string | null {
  const named = COMPANIES.find((company) => new RegExp(`\\b${company}\\b`).test(sentence));
  if (!named) return null;
  const others = COMPANIES.filter(
    (company) => company !== named && !new RegExp(`\\b${company}\\b`, 'i').test(evidence),
  );
  if (others.length === 0) return null;
  const other = others[Math.floor(rng.next() * others.length)] as string;
  return sentence.replace(new RegExp(`\\b${named}\\b`), other);
}

const DIRECTIONS: Array<[RegExp, string]> = [
  [/\bincreased\b/, 'decreased'],
  [/\bdecreased\b/, 'increased'],
  [/\brose\b/, 'fell'],
  [/\bfell\b/, 'rose'],
  [/\bgrew\b/, 'shrank'],
  [/\bgained\b/, 'lost'],
  [/\blost\b/, 'gained'],
  [/\bjumped\b/, 'slumped'],
  [/\bdeclined\b/, 'climbed'],
  [/\babove\b/, 'below'],
  [/\bbelow\b/, 'above'],
  [/\bhigher\b/, 'lower'],
  [/\blower\b/, 'higher'],
  [/\bbeat\b/, 'missed'],
  [/\bmissed\b/, 'beat'],
  [/\braised\b/, 'cut'],
  [/\bpositive\b/, 'negative'],
  [/\bnegative\b/, 'positive'],
];

/** The first direction word reversed ("rose" → "fell", "above" → "below", "beat" → "missed"). */
export function flipDirection(sentence: string): string | null {
  let first: { index: number; pattern: RegExp; replacement: string } | null = null;
  for (const [pattern, replacement] of DIRECTIONS) {
    const match = pattern.exec(sentence);
    if (match && (first === null || match.index < first.index)) first = { index: match.index, pattern, replacement };
  }
  return first ? sentence.replace(first.pattern, first.replacement) : null;
}
