/**
 * Structured facts of one sentence (or claim): figures anchored to the metric they describe, periods, named
 * entities and direction words with negation. These are what the deterministic checks compare.
 */

import { TradeR1Error } from '@trade-r1/core';
import { tokenize, type WordToken } from '../scoring/text.ts';
import {
  COMMON_CAPITALISED,
  COMPANY_ALIASES,
  DIRECTION_WORDS,
  type DirectionAxis,
  ESTIMATE_WORDS,
  METRICS,
  NEGATIONS,
  NOT_ENTITIES,
} from './lexicon.ts';
import { extractPeriods, type Period } from './periods.ts';
import { extractQuantities, type Quantity } from './quantities.ts';

/** A metric mentioned in a text. */
export interface MetricMention {
  /** Canonical metric id. */
  id: string;
  /** Parent metric id, if it refines a generic one. */
  parent: string | null;
  /** Segment or basis words before it (`servic`, `adjust`, `data center`), canonical forms joined by spaces, else `null`. */
  qualifier: string | null;
  /** Offset of the first character. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

/** How a figure relates to its metric: a level, a change, a prior-period comparison base, or a ± tolerance. */
export type QuantityRole = 'level' | 'change' | 'prior' | 'tolerance';

/** A figure with the metric, role and periods it is about. */
export interface AnchoredQuantity extends Quantity {
  /** The metric nearest to the figure in its clause, if any. */
  metric: MetricMention | null;
  /** True when the figure is an estimate, consensus, forecast or guidance figure. */
  estimate: boolean;
  /** Level, change or prior-period value, when the wording says so. */
  role: QuantityRole | null;
  /** Periods in the figure's clause (or, failing that, in the sentence). */
  periods: Period[];
  /**
   * The look-back window the figure is measured over, normalised (`20d`, `3m`, `1y`), from the nearest window
   * phrase in its clause ("20-day", "over the last 5 sessions", "SMA50", "return20d"), or `null`.
   */
  horizon: string | null;
}

/** A direction word (rose, missed, raised…) with its polarity after negation. */
export interface DirectionMention {
  /** The word as written. */
  word: string;
  /** +1 up/beat/raise, −1 down/miss/cut, after negation. */
  polarity: 1 | -1;
  /** Axis of the word. */
  axis: DirectionAxis;
  /** True when a negation flipped it. */
  negated: boolean;
  /** The metric it describes, if one is near. */
  metric: MetricMention | null;
  /** The look-back window in its clause (`20d`, `5d`), if any (see {@link AnchoredQuantity.horizon}). */
  horizon: string | null;
  /** Offset of the word. */
  start: number;
  /** Implied by a level and its prior value in the same clause ("61.5%, compared with 59.0%"), not written as a word. */
  derived?: true;
}

/** A named entity: a ticker, a known company, or another proper name. */
export interface EntityMention {
  /** Matching key: the ticker for known companies, else the lower-case name. */
  key: string;
  /** Text as written. */
  raw: string;
  /** Kind of mention. */
  kind: 'company' | 'name';
  /** Offset of the first character. */
  start: number;
}

/** All facts of a text. */
export interface TextFacts {
  /** Word tokens. */
  tokens: WordToken[];
  /** Content terms (canonical forms, stop words removed). */
  terms: string[];
  /** Periods. */
  periods: Period[];
  /** Metrics. */
  metrics: MetricMention[];
  /** Figures with their anchors. */
  quantities: AnchoredQuantity[];
  /** Direction words. */
  directions: DirectionMention[];
  /** Named entities. */
  entities: EntityMention[];
  /** Predicates governed by a negation cue: the first content word after it ("did not *raise*"). */
  negatedTerms: string[];
  /** The analysed text. */
  source: string;
}

function isNegation(token: WordToken): boolean {
  return NEGATIONS.test(token.lower) || token.lower.endsWith("n't");
}

/** Verbs of permission, plan or expectation whose negation reaches the verb they introduce. */
const CONTROL_VERBS =
  /^(?:allow|allows|allowed|let|lets|permit|permits|permitted|approve|approves|approved|authori[sz]e[sd]?|enable[sd]?|plan|plans|planned|intend|intends|intended|expect|expects|expected|want|wants|wanted|see|sees)$/;
/** Most words from a negated control verb back to the direction word it governs. */
const CONTROL_REACH = 6;

/** Predicates governed by a negation cue: the first content word within four words after it, within the clause. */
export function negatedTerms(text: string, tokens: readonly WordToken[]): string[] {
  const terms: string[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as WordToken;
    if (!NEGATIONS.test(token.lower) && !token.lower.endsWith("n't")) continue;
    // The negated predicate: the first content word within four words ("did not *raise*", "failed to *expand*").
    for (let next = index + 1; next < Math.min(tokens.length, index + 5); next += 1) {
      const following = tokens[next] as WordToken;
      if (/[.;,:!?]/.test(text.slice((tokens[next - 1] as WordToken).end, following.start))) break;
      if (NEGATIONS.test(following.lower) || following.stop || following.norm.length <= 1) continue;
      if (/^(?:longer|yet|only|just|even|always|necessarily)$/.test(following.lower)) continue;
      terms.push(following.norm);
      break;
    }
  }
  return terms;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Metric phrases by lower-case text, and one alternation (longest first) that finds them all in one pass. */
const METRIC_BY_PHRASE = new Map<string, { id: string; parent: string | null }>();
for (const metric of METRICS) {
  for (const phrase of metric.phrases) {
    if (!METRIC_BY_PHRASE.has(phrase)) METRIC_BY_PHRASE.set(phrase, { id: metric.id, parent: metric.parent ?? null });
  }
}
const METRIC_PATTERN = new RegExp(
  `(?:${[...METRIC_BY_PHRASE.keys()]
    .sort((left, right) => right.length - left.length)
    .map(escapeRegExp)
    .join('|')})(?![A-Za-z])`,
  'gi',
);

/** Company aliases by lower-case text, and one alternation that finds them all. */
const TICKER_BY_ALIAS = new Map<string, string>();
for (const [ticker, aliases] of Object.entries(COMPANY_ALIASES)) {
  for (const alias of aliases) if (!TICKER_BY_ALIAS.has(alias)) TICKER_BY_ALIAS.set(alias, ticker);
}
const ALIAS_PATTERN = new RegExp(
  `(?:${[...TICKER_BY_ALIAS.keys()]
    .sort((left, right) => right.length - left.length)
    .map(escapeRegExp)
    .join('|')})(?![A-Za-z0-9])`,
  'gi',
);

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/**
 * The matches of a phrase alternation not preceded by a letter (nor, with `digits`, by a digit): the same matches
 * as the alternation behind a `(?<![A-Za-z])` lookbehind (a match whose start fails it is dropped and the search
 * resumes one character on, as the regex engine would), several times faster, since irregexp scans a leading
 * lookbehind position by position.
 */
function phraseMatches(text: string, pattern: RegExp, digits: boolean): RegExpExecArray[] {
  const found: RegExpExecArray[] = [];
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match.index > 0) {
      const code = text.charCodeAt(match.index - 1);
      if (isAsciiLetter(code) || (digits && code >= 48 && code <= 57)) {
        pattern.lastIndex = match.index + 1;
        continue;
      }
    }
    found.push(match);
  }
  return found;
}

const GENERIC_QUALIFIERS = new Set([
  'total',
  'overall',
  'quarterly',
  'annual',
  'record',
  'strong',
  'reported',
  'its',
  'the',
  'their',
  'our',
  'company',
  'firm',
  'fiscal',
  'full-year',
  'year',
  'quarter',
  'net',
  'solid',
  'weak',
  'higher',
  'lower',
  'robust',
  'healthy',
  'consolidated',
  'group',
]);
const QUALIFIER_WORDS = new Set([
  'services',
  'service',
  'product',
  'products',
  'hardware',
  'software',
  'cloud',
  'advertising',
  'ad',
  'ads',
  'gaming',
  'automotive',
  'auto',
  'datacenter',
  'center',
  'subscription',
  'international',
  'domestic',
  'segment',
  'adjusted',
  'non-gaap',
  'gaap',
  'diluted',
  'basic',
  'organic',
  'iphone',
  'mac',
  'ipad',
  'wearables',
  'china',
  'europe',
  'americas',
  'japan',
  'energy',
  'storage',
  'commercial',
  'consumer',
  'enterprise',
  'mobile',
  'retail',
  'wholesale',
  'investment',
  'trading',
  'lending',
  'upstream',
  'downstream',
  'refining',
  'pharma',
  'device',
  'devices',
  'networking',
  'professional',
  'visualization',
  'forward',
  'trailing',
]);

/** Single-word company aliases and tickers: never metric qualifiers. */
const COMPANY_WORDS = new Set(
  Object.entries(COMPANY_ALIASES).flatMap(([ticker, aliases]) => [
    ticker.toLowerCase(),
    ...aliases.filter((alias) => !alias.includes(' ')),
  ]),
);

const CLAUSE_BREAK =
  /;|:\s|,\s*(?:while|whereas|but|although|though|and|as|which|with)\s|\s(?:while|whereas|but|although|though)\s|\.\s/gi;

function clauseBoundaries(text: string): number[] {
  const boundaries = [0];
  for (const match of text.matchAll(CLAUSE_BREAK)) boundaries.push(match.index + match[0].length);
  boundaries.push(text.length + 1);
  return boundaries;
}

function clauseOf(boundaries: number[], offset: number): number {
  let index = 0;
  while (index + 1 < boundaries.length && (boundaries[index + 1] ?? Infinity) <= offset) index += 1;
  return index;
}

function findMetrics(text: string, tokens: WordToken[]): MetricMention[] {
  const found: MetricMention[] = [];
  for (const match of phraseMatches(text, METRIC_PATTERN, false)) {
    const start = match.index;
    const end = start + match[0].length;
    const definition = METRIC_BY_PHRASE.get(match[0].toLowerCase());
    if (!definition) continue;
    // "close to", "close of business" are not the closing price.
    if (definition.id === 'close_price' && /^\s+(?:to|of|call|watch)\b/i.test(text.slice(end))) continue;
    // Bare "open", "high", "low" are price fields only in OHLC notation, right before a figure ("high 123.03").
    if (/^(?:open|high|low)$/i.test(match[0]) && !/^\s+\$?\d/.test(text.slice(end))) continue;
    const { id, parent } = definition;
    // Qualifier: up to three segment words directly before the phrase ("advertising services revenue",
    // "Data Center revenue", "the gaming division's revenue"), not company names ("Apple's revenue").
    const words: string[] = [];
    const before = tokens.filter((token) => token.end <= start && token.end >= start - 48).slice(-4);
    for (let index = before.length - 1; index >= 0 && words.length < 3; index -= 1) {
      const token = before[index] as WordToken;
      const bare = token.lower.replace(/['’]s$/, '');
      if (/['’]s$/.test(token.raw)) {
        if (/^[A-Z]/.test(token.raw) || COMPANY_WORDS.has(bare)) break;
        if (!QUALIFIER_WORDS.has(bare)) continue;
      }
      if (GENERIC_QUALIFIERS.has(token.lower) || token.stop || COMPANY_WORDS.has(bare)) break;
      const capitalised = /^[A-Z][a-z]|^[a-z]+[A-Z]|^[A-Z]{2,}$/.test(token.raw) && !COMMON_CAPITALISED.has(token.raw);
      if (!QUALIFIER_WORDS.has(bare) && !capitalised) break;
      words.unshift(token.norm);
    }
    const qualifier = words.length > 0 ? words.join(' ') : null;
    found.push({ id, parent, qualifier, start, end });
  }
  return found.sort((left, right) => left.start - right.start);
}

const NON_SPACE = /\S+/g;

/** Words (runs of non-space characters) in `text.slice(from, to)`. */
function wordsBetween(text: string, from: number, to: number): number {
  const between = text.slice(from, to);
  let count = 0;
  NON_SPACE.lastIndex = 0;
  while (NON_SPACE.exec(between) !== null) count += 1;
  return count;
}

function nearestMetric(
  text: string,
  metrics: MetricMention[],
  boundaries: number[],
  start: number,
  end: number,
): MetricMention | null {
  const clause = clauseOf(boundaries, start);
  let best: MetricMention | null = null;
  let bestDistance = Infinity;
  for (const metric of metrics) {
    if (clauseOf(boundaries, metric.start) !== clause) continue;
    // A metric after the figure never reaches back across a comma or bracket ("range 37–131, close 131").
    if (metric.start >= end && /[,;()]/.test(text.slice(end, metric.start))) continue;
    // Metrics before the figure are preferred (subject–verb–figure), those after need to be close.
    const distance =
      metric.end <= start
        ? wordsBetween(text, metric.end, start)
        : metric.start >= end
          ? wordsBetween(text, end, metric.start) * 2 + 2
          : 0;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = metric;
    }
  }
  // Compound nouns take their head: "cash dividend" is about the dividend, not cash.
  while (best !== null) {
    const head = metrics.find(
      (metric) =>
        metric.start > (best as MetricMention).end &&
        /^\s+$/.test(text.slice((best as MetricMention).end, metric.start)),
    );
    if (!head) break;
    best = head;
  }
  return best;
}

function findEntities(text: string, tokens: WordToken[]): EntityMention[] {
  const found: EntityMention[] = [];
  const taken: Array<[number, number]> = [];
  for (const match of phraseMatches(text, ALIAS_PATTERN, true)) {
    const written = match[0];
    const ticker = TICKER_BY_ALIAS.get(written.toLowerCase());
    // Aliases must be written capitalised (so "meta" in prose or "visa" the document do not count).
    if (!ticker || !/^[A-Z]/.test(written)) continue;
    taken.push([match.index, match.index + written.length]);
    found.push({ key: ticker, raw: written, kind: 'company', start: match.index });
  }
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as WordToken;
    if (taken.some(([a, b]) => token.start < b && token.end > a)) continue;
    const cashtag = text[token.start - 1] === '$';
    const upper = /^[A-Z]{2,5}(?:\.[A-Z])?$/.test(token.raw);
    if (upper && !NOT_ENTITIES.has(token.raw)) {
      // A Reuters-style exchange suffix ("MSFT.O", "AAPL.O") names the same company as the bare ticker.
      const base = token.raw.replace(/\.[A-Z]$/, '');
      const known = Object.hasOwn(COMPANY_ALIASES, base);
      found.push({
        key: known || cashtag ? base : token.raw.toLowerCase(),
        raw: token.raw,
        kind: known ? 'company' : 'name',
        start: token.start,
      });
      taken.push([token.start, token.end]);
      continue;
    }
    // Proper names: capitalised or camel-case words (iPhone) that do not start the sentence, or that are not
    // common sentence-initial words.
    const sentenceStart = index === 0 || /[.!?:]\s*$/.test(text.slice(Math.max(0, token.start - 3), token.start));
    const proper = /^[A-Z][a-z]+(?:[A-Z][a-z]+)*$|^[a-z]+[A-Z][A-Za-z]*$/.test(token.raw);
    if (!proper || COMMON_CAPITALISED.has(token.raw) || NOT_ENTITIES.has(token.raw.toUpperCase())) continue;
    // A capitalised first word is ambiguous alone, but not when a proper word follows it ("Eastbrook Capital
    // upgraded…", "Morgan Stanley said…"): that is a multi-word name.
    const following = tokens[index + 1];
    const startsName =
      following !== undefined &&
      following.start <= token.end + 1 &&
      /^[A-Z][a-z]+(?:[A-Z][a-z]+)*$/.test(following.raw) &&
      !COMMON_CAPITALISED.has(following.raw);
    if (sentenceStart && !/^[a-z]+[A-Z]/.test(token.raw) && !startsName) continue;
    // Join consecutive capitalised words ("Vision Pro", "Tim Cook").
    let raw = token.raw;
    let end = token.end;
    while (index + 1 < tokens.length) {
      const next = tokens[index + 1] as WordToken;
      if (next.start > end + 1 || !/^[A-Z][A-Za-z]*$/.test(next.raw) || COMMON_CAPITALISED.has(next.raw)) break;
      raw = `${raw} ${next.raw}`;
      end = next.end;
      index += 1;
    }
    taken.push([token.start, end]);
    // "Dollar General Corp." and "Dollar General" are one name: legal-form suffixes are not part of the key.
    const key = raw.toLowerCase().replace(LEGAL_SUFFIX, '').trim() || raw.toLowerCase();
    found.push({ key, raw, kind: 'name', start: token.start });
  }
  return found.sort((left, right) => left.start - right.start);
}

const LEGAL_SUFFIX =
  /(?:\s+(?:inc|incorporated|corp|corporation|co|company|ltd|limited|plc|llc|lp|holdings?|group|n\.?v|s\.?a|ag|se|sa|nv))+\.?$/;

function quantityRole(text: string, quantity: Quantity): QuantityRole | null {
  const before = text.slice(Math.max(0, quantity.start - 28), quantity.start).toLowerCase();
  const after = text.slice(quantity.end, quantity.end + 40).toLowerCase();
  if (/(?:plus or minus|give or take|±|\+\/-)\s*$/.test(before)) return 'tolerance';
  if (/^[+]|^[-−–]\d/.test(quantity.raw) && quantity.unit === 'percent') return 'change';
  if (/\b(?:yoy|y\/y|year[- ]over[- ]year|qoq|q\/q|sequentially)[,:]?\s*$/.test(before)) return 'change';
  if (/\bfrom\s*$|\bversus\s*$|\bvs\.?\s*$|\bcompared (?:with|to)\s*$/.test(before)) return 'prior';
  // The comparison base of a comparative ("slower than the 12.5% growth of a year earlier").
  if (
    /\b(?:slower|faster|higher|lower|weaker|stronger|better|worse|below|above|short of|down from|up from)\s+(?:than\s+)?(?:the\s+|its\s+|a\s+)?$/.test(
      before,
    )
  )
    return 'prior';
  // A figure followed by its (earlier) period: "12.5% growth of a year earlier", "27% in the previous quarter".
  if (
    /^\s*(?:(?!(?:from|over|versus|vs|compared|with|to|than|on|against|since|by)\b)[a-z-]+\s+){0,3}?(?:of\s+|in\s+|for\s+)?(?:a year (?:ago|earlier|before)|a quarter (?:ago|earlier)|(?:the\s+|a\s+)?(?:prior|previous|preceding|year-ago|year-earlier|last)\s+(?:year|quarter|period|fiscal year|month)|last year|the prior|the year before)\b/.test(
      after,
    )
  )
    return 'prior';
  if (/^\s*(?:a year (?:ago|earlier)|in the (?:prior|previous|year-ago)|last year|the prior)/.test(after))
    return 'prior';
  if (
    /\b(?:by|up|down|rose|fell|grew|gained|lost|increased|decreased|declined|climbed|jumped|dropped|slid|surged|soared|advanced|expanded|slipped|growing|rising|falling|declining|climbing|jumping|growth of|increase of|decline of|drop of|rise of|gain of)\s*$/.test(
      before,
    ) ||
    /^\s*(?:growth|increase|decline|decrease|rise|drop|gain|jump|higher|lower|year[- ]over[- ]year|yoy|y\/y|sequentially|q\/q)/.test(
      after,
    )
  )
    return 'change';
  if (/\b(?:to|at|of|was|were|reached|totaled|totalled|hit|stood at|came in at|is|are)\s*$/.test(before))
    return 'level';
  return null;
}

const HORIZON_UNITS: Record<string, string> = {
  day: 'd',
  session: 'd',
  bar: 'd',
  d: 'd',
  week: 'w',
  w: 'w',
  month: 'm',
  quarter: 'q',
  year: 'y',
  y: 'y',
};
const HORIZON =
  /\b(\d{1,4})[- ](?:trading[- ])?(day|session|bar|week|month|quarter|year)s?\b|\b(?:last|past|previous|prior)\s+(\d{1,4})\b(?![.,]?\d|\s*%)|(?<=[A-Za-z])(\d{1,4})(d|w|y)?(?![A-Za-z\d])/gi;

interface HorizonMention {
  key: string;
  start: number;
  end: number;
}

/** Look-back windows named in a text: "20-day", "last 5 sessions", "over the last 5", "SMA50", "return20d". */
function findHorizons(text: string): HorizonMention[] {
  const found: HorizonMention[] = [];
  for (const match of text.matchAll(HORIZON)) {
    const count = match[1] ?? match[3] ?? match[4];
    if (!count) continue;
    // A digit glued to a word only counts after an indicator or metric name (SMA20, RSI14, volatility20d).
    if (
      match[4] &&
      !/(?:sma|ema|ma|rsi|volatility|vol|return|change|high|low|avg|average)$/i.test(text.slice(0, match.index))
    )
      continue;
    const unit = match[2]?.toLowerCase() ?? match[5]?.toLowerCase() ?? 'd';
    found.push({
      key: `${Number(count)}${HORIZON_UNITS[unit] ?? 'd'}`,
      start: match.index,
      end: match.index + match[0].length,
    });
  }
  return found;
}

/** The window nearest to a span within its clause. */
function nearestHorizon(horizons: HorizonMention[], boundaries: number[], start: number, end: number): string | null {
  const clause = clauseOf(boundaries, start);
  let best: HorizonMention | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const mention of horizons) {
    if (clauseOf(boundaries, mention.start) !== clause) continue;
    if (mention.start < end && mention.end > start) continue;
    // Windows before the span are preferred, as for metrics ("over the last 5 sessions NVDA gained 5.9%").
    const distance = mention.end <= start ? start - mention.end : 2 * (mention.start - end) + 8;
    if (distance < bestDistance) {
      best = mention;
      bestDistance = distance;
    }
  }
  return best?.key ?? null;
}

/**
 * A reader of one language's text into the language-neutral {@link TextFacts} records (figures with value, unit,
 * scale and role; periods; entities; direction words; content terms). Alignment, judgement and scoring only see
 * the records, so a reader for another language (a Chinese reader for 亿/万 amounts, 同比/环比, 增长/下降) plugs in
 * with {@link registerFactReader} without touching them.
 */
export interface FactReader {
  /** BCP 47 language tag (`en`, `zh`). */
  readonly language: string;
  /** True when this reader should read the text (e.g. by script). */
  accepts(text: string): boolean;
  /** The facts of one sentence or claim. */
  read(text: string): TextFacts;
}

/** The English reader (the default: it reads any text no other registered reader accepts). */
export const englishFactReader: FactReader = {
  language: 'en',
  accepts: () => true,
  read: (text) => readEnglishFacts(text),
};

const factReaders: FactReader[] = [];

/**
 * Register a reader for another language; it is asked first (most recent first) and the English reader reads
 * everything no registered reader accepts. Registration clears the facts cache.
 */
export function registerFactReader(reader: FactReader): void {
  if (!reader || typeof reader.read !== 'function' || typeof reader.accepts !== 'function') {
    throw new TradeR1Error('INVALID_CONFIG', 'registerFactReader needs { language, accepts(text), read(text) }');
  }
  factReaders.unshift(reader);
  factsCache.clear();
}

/** Extract the structured facts of a text (a claim or an evidence sentence) with the reader of its language. */
export function analyzeText(text: string): TextFacts {
  for (const reader of factReaders) if (reader.accepts(text)) return reader.read(text);
  return readEnglishFacts(text);
}

function readEnglishFacts(text: string): TextFacts {
  const tokens = tokenize(text);
  const terms: string[] = [];
  for (const token of tokens) if (!token.stop && token.norm.length > 1) terms.push(token.norm);
  const periods = extractPeriods(text);
  const metrics = findMetrics(text, tokens);
  const boundaries = clauseBoundaries(text);
  const horizons = findHorizons(text);
  // A reference point ("the lowest since 1998", "the first time since 2019") is not the period a figure is about.
  const ownPeriods = periods.filter(
    (period) =>
      !/\b(?:since|as far back as|dating back to)\s+(?:the\s+)?$/i.test(
        text.slice(Math.max(0, period.start - 24), period.start),
      ),
  );
  // The figures are this call's own objects: each is completed in place (same keys, in the same order, as a copy).
  const quantities = extractQuantities(text, periods).map((quantity): AnchoredQuantity => {
    const metric = nearestMetric(text, metrics, boundaries, quantity.start, quantity.end);
    const clause = clauseOf(boundaries, quantity.start);
    // The window belongs to the metric when one qualifies it ("20-day simple moving average of 222.03", "SMA20").
    let metricHorizon: HorizonMention | undefined;
    let metricGap = Number.POSITIVE_INFINITY;
    for (const mention of metric ? horizons : []) {
      const gap =
        mention.start >= (metric as MetricMention).start && mention.start <= (metric as MetricMention).end + 1
          ? 0
          : mention.end <= (metric as MetricMention).start
            ? (metric as MetricMention).start - mention.end
            : Number.POSITIVE_INFINITY;
      // Only a window between the previous figure and the metric qualifies it.
      const crossesFigure = /\d[\d.,]*\s+(?:vs|and|or|,)/i.test(
        text.slice(mention.end, (metric as MetricMention).start),
      );
      if (gap <= 24 && gap < metricGap && !crossesFigure) {
        metricHorizon = mention;
        metricGap = gap;
      }
    }
    const horizon = metricHorizon?.key ?? nearestHorizon(horizons, boundaries, quantity.start, quantity.end);
    const clausePeriods = ownPeriods.filter((period) => clauseOf(boundaries, period.start) === clause);
    // An estimate word between the metric and the figure (or right before it) marks an estimate figure.
    const windowStart = Math.max(
      metric ? Math.min(metric.start - 32, quantity.start) : quantity.start - 30,
      quantity.start - 60,
    );
    let estimate = false;
    let afterSeen = false;
    for (const token of tokens) {
      if (token.start >= windowStart && token.end <= quantity.start && ESTIMATE_WORDS.test(token.raw)) estimate = true;
      // The first token after the figure.
      else if (!afterSeen && token.start >= quantity.end) {
        afterSeen = true;
        if (ESTIMATE_WORDS.test(token.raw)) estimate = true;
      }
      if (estimate) break;
    }
    const role = quantityRole(text, quantity);
    const anchored = quantity as AnchoredQuantity;
    anchored.metric = metric;
    anchored.estimate = estimate;
    anchored.role = role;
    anchored.periods = clausePeriods.length > 0 ? clausePeriods : ownPeriods;
    anchored.horizon = horizon;
    return anchored;
  });
  const directions: DirectionMention[] = [];
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as WordToken;
    const entry = DIRECTION_WORDS[token.lower];
    if (!entry) continue;
    // "up" and "down" only count before a figure or after a metric ("revenue was up", "up 5%").
    if (
      (token.lower === 'up' || token.lower === 'down' || token.lower === 'lower' || token.lower === 'higher') &&
      !/^\s*(?:[$€£\d]|from|by|year|sequentially|than)/.test(text.slice(token.end, token.end + 12)) &&
      !metrics.some((metric) => metric.end <= token.start && token.start - metric.end < 16)
    ) {
      continue;
    }
    let negated = false;
    for (let back = index - 1; back >= Math.max(0, index - 3); back -= 1) {
      const previous = tokens[back] as WordToken;
      if (isNegation(previous)) {
        negated = true;
        break;
      }
      if (/[.;,]/.test(text.slice(previous.end, token.start))) break;
    }
    // A negated verb of permission, plan or expectation governs the verb it introduces, a few words on ("will not
    // allow the company to expand output", "does not expect margins to rise").
    if (!negated) {
      for (let back = index - 1; back >= Math.max(1, index - CONTROL_REACH); back -= 1) {
        const previous = tokens[back] as WordToken;
        if (/[.;,]/.test(text.slice(previous.end, token.start))) break;
        if (!CONTROL_VERBS.test(previous.lower)) continue;
        const before = tokens[back - 1] as WordToken;
        const twoBefore = back >= 2 ? (tokens[back - 2] as WordToken) : null;
        if (isNegation(before) || (twoBefore !== null && isNegation(twoBefore) && /^(?:be|been)$/.test(before.lower))) {
          negated = true;
        }
        break;
      }
    }
    // "higher than" / "lower than" compare with a reference level, like "above" / "below".
    const comparative = /^(?:higher|lower)$/.test(token.lower) && /^\s+than\b/.test(text.slice(token.end));
    const axis = comparative ? 'position' : entry.axis;
    // A position is relative to its reference, written after the word ("above the 50-day average"): its window
    // is the reference's.
    const reference =
      axis === 'position'
        ? horizons.find(
            (mention) =>
              mention.start >= token.end &&
              clauseOf(boundaries, mention.start) === clauseOf(boundaries, token.start) &&
              mention.start - token.end <= 40,
          )
        : undefined;
    directions.push({
      word: token.raw,
      polarity: (negated ? -entry.polarity : entry.polarity) as 1 | -1,
      axis,
      negated,
      metric: nearestMetric(text, metrics, boundaries, token.start, token.end),
      horizon: reference?.key ?? nearestHorizon(horizons, boundaries, token.start, token.end),
      start: token.start,
    });
  }
  // A level and a prior value of the same metric imply a direction ("61.5%, compared with 59.0% a year ago").
  for (const prior of quantities) {
    if (prior.role !== 'prior' || prior.metric === null) continue;
    const level = quantities.find(
      (other) =>
        other.role !== 'prior' &&
        other.role !== 'change' &&
        other.unit === prior.unit &&
        other.metric?.id === prior.metric?.id &&
        clauseOf(boundaries, other.start) === clauseOf(boundaries, prior.start) &&
        other.value !== prior.value,
    );
    if (!level) continue;
    directions.push({
      word: `${level.raw} vs ${prior.raw}`,
      polarity: level.value > prior.value ? 1 : -1,
      axis: 'change',
      negated: false,
      metric: level.metric,
      horizon: level.horizon,
      start: level.start,
      derived: true,
    });
  }
  directions.sort((left, right) => left.start - right.start);
  return {
    tokens,
    terms,
    periods,
    metrics,
    quantities,
    directions,
    entities: findEntities(text, tokens),
    negatedTerms: negatedTerms(text, tokens),
    source: text,
  };
}

const FACTS_CACHE_LIMIT = 20_000;
const factsCache = new Map<string, TextFacts>();

/**
 * {@link analyzeText} with a process-wide LRU cache keyed by the text (facts are pure functions of the text).
 * The returned object is shared: treat it as read-only.
 */
export function analyzeTextCached(text: string): TextFacts {
  const cached = factsCache.get(text);
  if (cached) {
    factsCache.delete(text);
    factsCache.set(text, cached);
    return cached;
  }
  const facts = analyzeText(text);
  if (factsCache.size >= FACTS_CACHE_LIMIT) {
    const oldest = factsCache.keys().next().value;
    if (oldest !== undefined) factsCache.delete(oldest);
  }
  factsCache.set(text, facts);
  return facts;
}
