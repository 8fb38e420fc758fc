import { assertString } from '../arguments.ts';

/** A half-open character span `[start, end)` of a source text. */
export interface TextSpan {
  /** First character (UTF-16 index). */
  start: number;
  /** One past the last character. */
  end: number;
}

/**
 * Abbreviations after which a period does not end a sentence (lowercase, without the final period). Covers
 * titles, corporate suffixes, months and the finance shorthand common in filings and news.
 */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'gen',
  'gov',
  'sen',
  'rep',
  'rev',
  'hon',
  'pres',
  'inc',
  'corp',
  'co',
  'ltd',
  'llc',
  'plc',
  'bros',
  'dept',
  'univ',
  'assn',
  'est',
  'approx',
  'vs',
  'etc',
  'no',
  'nos',
  'vol',
  'fig',
  'ref',
  'cf',
  'al',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
  'u.s',
  'u.k',
  'e.g',
  'i.e',
  'a.m',
  'p.m',
  'n.a',
  'u.n',
  'e.u',
  'p.o',
  'ph.d',
  'b.a',
  'm.b.a',
  'q',
  'fy',
  'yr',
  'yrs',
  'mo',
  'mos',
  'avg',
  'est',
  'excl',
  'incl',
]);

/**
 * Split text into sentence spans. A sentence ends at `.`, `!`, `?` or `…` (optionally followed by closing quotes
 * or brackets) when whitespace and then an uppercase letter, digit, quote or bracket follow, and the period does
 * not close a known abbreviation, a single initial (`J. Smith`) or sit inside a number (`3.5`); blank lines always
 * end a sentence. Spans exclude surrounding whitespace; blank text gives no spans.
 */
export function splitSentences(text: string): TextSpan[] {
  assertString(text, 'splitSentences()', 'text');
  const spans: TextSpan[] = [];
  const boundary = /([.!?…]+["'”’)\]]*)(\s+)(?=["'“‘([]?[\p{Lu}\p{N}])|\n\s*\n/gu;
  let start = 0;
  for (const match of text.matchAll(boundary)) {
    const index = match.index;
    const punctuation = match[1];
    if (punctuation === '.') {
      const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(start, index - 12), index))?.[1]?.toLowerCase() ?? '';
      if (ABBREVIATIONS.has(word) || /^\p{L}$/u.test(word) || /^(?:\p{L}\.)+\p{L}$/u.test(word)) continue;
    }
    const end = punctuation === undefined ? index : index + punctuation.length;
    pushTrimmed(text, start, end, spans);
    start = index + match[0].length;
  }
  pushTrimmed(text, start, text.length, spans);
  return spans;
}

function pushTrimmed(text: string, start: number, end: number, spans: TextSpan[]): void {
  while (start < end && /\s/u.test(text[start] as string)) start += 1;
  while (end > start && /\s/u.test(text[end - 1] as string)) end -= 1;
  if (end > start) spans.push({ start, end });
}
