/**
 * Text primitives shared by claim extraction, the checks and the scorers: a sentence splitter that keeps
 * character offsets, a word tokenizer, a stop-word list and a light suffix stemmer with finance synonyms folded
 * onto one canonical form (so that "sales" and "revenue", or "rose" and "increased", count as the same word).
 */

/** A piece of text with its character offsets in the source string. */
export interface TextSpan {
  /** The text of the span (exactly `source.slice(start, end)`). */
  text: string;
  /** Offset of the first character. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

const ABBREVIATIONS = new Set([
  'inc',
  'corp',
  'co',
  'ltd',
  'plc',
  'llc',
  'vs',
  'approx',
  'est',
  'mr',
  'mrs',
  'ms',
  'dr',
  'no',
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
  'e.g',
  'i.e',
  'etc',
  'u.s',
  'u.k',
  'st',
  'fig',
  'yr',
  'avg',
  'cf',
]);

/**
 * Split text into sentences, keeping offsets. A sentence ends at `.`, `!` or `?` (optionally followed by closing
 * quotes or brackets) when whitespace and an upper-case letter, digit, quote, currency sign or bullet follow, and
 * the word before the period is not a known abbreviation or a single initial. Decimal points never split.
 * Newlines that separate paragraphs (two or more) always split.
 */
export function splitSentences(text: string, offset = 0): TextSpan[] {
  const spans: TextSpan[] = [];
  let sentenceStart = 0;
  const push = (end: number): void => {
    let start = sentenceStart;
    let stop = end;
    while (start < stop && /\s/.test(text[start] ?? '')) start += 1;
    while (stop > start && /\s/.test(text[stop - 1] ?? '')) stop -= 1;
    if (stop > start) spans.push({ text: text.slice(start, stop), start: start + offset, end: stop + offset });
  };
  const boundary = /([.!?]+)(["'”’)\]*_]*)(\s+)(?=["'“‘([$€£*_`]?[A-Z0-9$€£])|\n\s*\n/g;
  for (let match = boundary.exec(text); match !== null; match = boundary.exec(text)) {
    if (match[1] === undefined) {
      push(match.index);
      sentenceStart = match.index + match[0].length;
      continue;
    }
    if (match[1] === '.') {
      const before = text.slice(Math.max(0, match.index - 12), match.index);
      const word = /([A-Za-z][A-Za-z.]*)$/.exec(before)?.[1]?.toLowerCase() ?? '';
      if (ABBREVIATIONS.has(word) || /^[a-z]$/.test(word) || /(^|\.)[a-z]\.[a-z]$/.test(word)) continue;
    }
    const end = match.index + match[1].length + (match[2]?.length ?? 0);
    push(end);
    sentenceStart = end;
  }
  push(text.length);
  return spans;
}

/** English function words that carry no content for matching. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but nor so yet of to in on at by for with from into onto over under about as than then that ' +
    "this these those there here it its it's itself they them their theirs we our ours us you your i me my he him " +
    'his she her be is are was were been being am do does did doing done have has had having will would shall ' +
    'should can could may might must which who whom whose what when where why how all any both each few more most ' +
    'other some such only own same too very just also again further once out off above below between ' +
    'through during before after while because if unless until since whether per via within without across ' +
    'against among around upon toward towards amid versus vs not no never none one ones s t'
  ).split(' '),
);

/**
 * Canonical forms for words that say the same thing in financial prose. Keys are lower-case surface forms (after
 * stemming), values the canonical token. Direction verbs fold onto `+up`/`+down` so paraphrases ("climbed",
 * "grew", "increased") match, and metric synonyms onto one metric word.
 */
const SYNONYMS: Record<string, string> = {
  sale: 'revenu',
  turnov: 'revenu',
  topline: 'revenu',
  profit: 'earn',
  earn: 'earn',
  incom: 'earn',
  bottomlin: 'earn',
  up: '+up',
  down: '+down',
  rose: '+up',
  rise: '+up',
  risen: '+up',
  grew: '+up',
  grow: '+up',
  grown: '+up',
  growth: '+up',
  increas: '+up',
  climb: '+up',
  jump: '+up',
  surg: '+up',
  soar: '+up',
  gain: '+up',
  expand: '+up',
  expans: '+up',
  rais: '+up',
  higher: '+up',
  boost: '+up',
  lift: '+up',
  advanc: '+up',
  rall: '+up',
  accel: '+up',
  improv: '+up',
  fell: '+down',
  fall: '+down',
  fallen: '+down',
  declin: '+down',
  drop: '+down',
  decreas: '+down',
  shrank: '+down',
  shrink: '+down',
  contract: '+down',
  slid: '+down',
  slide: '+down',
  plung: '+down',
  tumbl: '+down',
  sank: '+down',
  sink: '+down',
  slump: '+down',
  lower: '+down',
  cut: '+down',
  reduc: '+down',
  slow: '+down',
  deceler: '+down',
  weaken: '+down',
  beat: '+beat',
  top: '+beat',
  exceed: '+beat',
  surpass: '+beat',
  outperform: '+beat',
  miss: '+miss',
  ad: 'advertis',
  ads: 'advertis',
  advertis: 'advertis',
  buyback: 'repurchas',
  repurchas: 'repurchas',
  outlook: 'guidanc',
  forecast: 'guidanc',
  guid: 'guidanc',
  guidanc: 'guidanc',
  estim: 'estim',
  consensu: 'estim',
  expect: 'estim',
  quarterli: 'quarter',
  annual: 'year',
  yearli: 'year',
  compani: 'firm',
  firm: 'firm',
  stock: 'share',
  share: 'share',
  equiti: 'share',
  big: 'larg',
  larg: 'larg',
  huge: 'larg',
  record: 'record',
  strong: 'strong',
  robust: 'strong',
  solid: 'strong',
  weak: 'weak',
  soft: 'weak',
};

/** Light suffix stemmer (Porter-like, a handful of rules): good enough to fold inflections for matching. */
export function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  for (const suffix of [
    'ation',
    'ement',
    'ments',
    'ment',
    'ness',
    'ingly',
    'edly',
    'ing',
    'ed',
    'ly',
    'er',
    'e',
    'y',
  ]) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 3) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.length > 3 && w.at(-1) === w.at(-2) && !/[aeiouls]/.test(w.at(-1) ?? '')) w = w.slice(0, -1);
  return w;
}

/** A word token with its offsets and normalised forms. */
export interface WordToken {
  /** Surface form as written. */
  raw: string;
  /** Lower-case form. */
  lower: string;
  /** Canonical matching form (stemmed, synonyms folded). */
  norm: string;
  /** Offset of the first character in the tokenised text. */
  start: number;
  /** Offset one past the last character. */
  end: number;
  /** True for function words. */
  stop: boolean;
}

const WORD = /[A-Za-z][A-Za-z'’&.-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*/g;

/** The canonical matching form of one lower-case word. */
export function normalizeWord(lower: string): string {
  const cached = NORMALIZED.get(lower);
  if (cached !== undefined) return cached;
  const cleaned = lower.replace(/’/g, "'").replace(/\.$/, '');
  let result: string;
  if (/^\d/.test(cleaned)) result = cleaned.replace(/,/g, '');
  else {
    const stemmed = stem(cleaned.replace(/-/g, ''));
    result = SYNONYMS[stemmed] ?? SYNONYMS[cleaned] ?? stemmed;
  }
  if (NORMALIZED.size >= 200_000) NORMALIZED.clear();
  NORMALIZED.set(lower, result);
  return result;
}

/** Memo of {@link normalizeWord} (a pure function of the word). */
const NORMALIZED = new Map<string, string>();

/** Tokenise text into words and numbers with offsets. */
export function tokenize(text: string): WordToken[] {
  const tokens: WordToken[] = [];
  WORD.lastIndex = 0;
  for (let match = WORD.exec(text); match !== null; match = WORD.exec(text)) {
    const written = match[0];
    const raw = written.endsWith('.') ? written.slice(0, -1) : written;
    const lower = raw.toLowerCase();
    tokens.push({
      raw,
      lower,
      norm: normalizeWord(lower),
      start: match.index,
      end: match.index + raw.length,
      stop: STOP_WORDS.has(lower.includes('’') ? lower.replace(/’/g, "'") : lower),
    });
  }
  return tokens;
}

/** The content tokens' canonical forms (stop words and one-letter tokens removed). */
export function contentTerms(text: string): string[] {
  return tokenize(text)
    .filter((token) => !token.stop && token.norm.length > 1)
    .map((token) => token.norm);
}

/** FNV-1a 32-bit hash of a string, as 8 hex characters (cache keys, config hashes). */
export function hashString(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/** A stable 64-bit-ish content hash (two FNV passes with different seeds), 16 hex characters. */
export function contentHash(text: string): string {
  let second = 0x9747b28c;
  for (let index = 0; index < text.length; index += 1) {
    second ^= text.charCodeAt(index);
    second = Math.imul(second, 0x5bd1e995);
    second ^= second >>> 15;
  }
  return `${hashString(text)}${(second >>> 0).toString(16).padStart(8, '0')}`;
}

/** JSON with object keys sorted (a canonical form for hashing configurations). */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => stableStringify(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined && typeof item !== 'function')
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableStringify(item)}`).join(',')}}`;
}
