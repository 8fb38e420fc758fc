import { type Decision, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';

/**
 * How a decision was found in model text, from most to least explicit:
 * - `tag`: a bracket tag, `[[BUY]]` or `[[[STRONG BUY]]]` (Trading-R1's format);
 * - `labelled`: a labelled value, `Decision: Buy`, `Final recommendation - STRONG SELL`, `{'Action': 'Buy'}`,
 *   `{"action":"sell"}`;
 * - `bare`: a line holding nothing but a decision word (`SELL.`, `**Hold**`);
 * - `phrase`: a recommendation sentence, `We recommend a strong buy` (negated phrases such as
 *   `we would not buy` are discarded).
 */
export type DecisionMatchKind = 'tag' | 'labelled' | 'bare' | 'phrase';

/** One decision candidate found in model text. */
export interface DecisionMatch {
  /** The decision. */
  decision: Decision;
  /** How it was written. */
  kind: DecisionMatchKind;
  /** The matched text, as written. */
  text: string;
  /** 0-based line number in the input. */
  line: number;
  /** True when it was found in the last `tailLines` non-empty lines. */
  inTail: boolean;
}

/** Why no decision could be parsed. */
export type DecisionParseFailureReason =
  /** The text is empty or whitespace. */
  | 'empty'
  /** No decision pattern of an allowed kind was found. */
  | 'no_decision'
  /** The decisive candidates disagree and `onConflict` is `'fail'`. */
  | 'conflict'
  /** Only negated mentions (`not a buy`) were found. */
  | 'negated';

/** A successful parse. */
export interface DecisionParseSuccess {
  ok: true;
  /** The parsed decision. */
  decision: Decision;
  /** The candidate that decided. */
  match: DecisionMatch;
  /** Every candidate of the deciding kind and scope, in text order (more than one when the text repeats itself). */
  candidates: DecisionMatch[];
}

/** A typed parse failure (never thrown by {@link parseDecisionText}). */
export interface DecisionParseFailure {
  ok: false;
  /** Always `'PARSE_FAILED'` (the `TradeR1Error` code used by {@link parseDecisionTextOrThrow}). */
  code: 'PARSE_FAILED';
  /** Machine-readable reason. */
  reason: DecisionParseFailureReason;
  /** Human-readable explanation. */
  message: string;
  /** The candidates that were considered (conflicting ones for `'conflict'`, negated ones for `'negated'`). */
  candidates: DecisionMatch[];
}

/** Result of {@link parseDecisionText}. */
export type DecisionParseResult = DecisionParseSuccess | DecisionParseFailure;

/** Options of {@link parseDecisionText}. */
export const decisionParseOptionsSchema = z.object({
  /**
   * `'lenient'` accepts every {@link DecisionMatchKind}; `'strict'` reproduces Trading-R1's reward parser: only a
   * bracket tag, only in the last `tailLines` non-empty lines.
   * @default 'lenient'
   */
  mode: z.enum(['lenient', 'strict']).default('lenient'),
  /** How many trailing non-empty lines are searched first (Trading-R1 searches the last 3). @default 3 */
  tailLines: z.number().int().min(1).max(1000).default(3),
  /**
   * What to do when the deciding candidates disagree (e.g. `[[BUY]] … [[SELL]]` both in the tail):
   * `'last'` takes the last one in the text, `'fail'` returns a `'conflict'` failure.
   * @default 'last'
   */
  onConflict: z.enum(['last', 'fail']).default('last'),
  /** Which kinds are accepted, in priority order. @default all four in lenient mode, `['tag']` in strict mode */
  kinds: z
    .array(z.enum(['tag', 'labelled', 'bare', 'phrase']))
    .min(1)
    .optional(),
});
/** Options of {@link parseDecisionText} (see {@link decisionParseOptionsSchema}). */
export type DecisionParseOptions = z.input<typeof decisionParseOptionsSchema>;

// "strong buy", "STRONG_BUY", "Strong-Buy", "strongbuy", "buy", "SELL", "hold".
const DECISION_WORD = String.raw`(?:strong[\s_-]*)?(?:buy|sell)|hold`;
const TAG_PATTERN = new RegExp(String.raw`\[{2,3}\s*(${DECISION_WORD})\s*\]{2,3}`, 'gi');
const LABEL_WORD = String.raw`(?:final\s+|overall\s+|trading\s+|investment\s+)?(?:decision|recommendation|action|rating|verdict|signal|call|answer)`;
const LABELLED_PATTERN = new RegExp(
  String.raw`["']?\b${LABEL_WORD}\b["']?\s*(?:is\s*)?[:=\-–]\s*(?:>\s*)?["'\[]*\s*(${DECISION_WORD})\b\s*["'\]]*`,
  'gi',
);
const BARE_LINE = new RegExp(String.raw`^[\s>#\-*•]*(${DECISION_WORD})[\s.!]*$`, 'i');
const PHRASE_PATTERN = new RegExp(
  String.raw`\b(?:recommend(?:s|ed|ing)?|rate[sd]?|rating\s+of|suggest(?:s|ed)?|advise[sd]?|conclude(?:s|d)?\s+(?:with|on))\b((?:\s+(?:a|an|the|to|it|this|stock|shares|as|is|with|on|that|we|should))*)\s+(${DECISION_WORD})\b`,
  'gi',
);
const NEGATION =
  /\b(?:not|never|no|don't|dont|do not|won't|wouldn't|shouldn't|cannot|can't|avoid|against|nor)\b[^.;\n]{0,20}$/i;

/** Canonicalise a decision word as written (`Strong-Buy`, `strong_buy`, `STRONGBUY`) to a {@link Decision}. */
export function normalizeDecisionWord(word: string): Decision | undefined {
  const compact = word.toLowerCase().replace(/[\s_-]+/g, '');
  switch (compact) {
    case 'strongbuy':
      return 'STRONG_BUY';
    case 'strongsell':
      return 'STRONG_SELL';
    case 'buy':
      return 'BUY';
    case 'sell':
      return 'SELL';
    case 'hold':
      return 'HOLD';
    default:
      return undefined;
  }
}

// Markdown emphasis around decisions (`**BUY**`, `__Sell__`, `` `HOLD` ``) would hide them from the patterns; strip
// it, but keep underscores inside words (`STRONG_BUY`).
function stripMarkdown(line: string): string {
  return line
    .replace(/\*+/g, '')
    .replace(/(^|[^A-Za-z0-9])_+|_+(?=[^A-Za-z0-9]|$)/g, '$1')
    .replace(/`/g, '');
}

interface RawCandidate extends DecisionMatch {
  negated: boolean;
  order: number;
}

// Loose negation for recommendation phrases ("we would not, at this price, recommend a buy").
function isNegated(before: string): boolean {
  return NEGATION.test(before.slice(-40));
}

// Tight negation for explicit tags and labels: only a negation word right before it ("not [[BUY]]").
function isTightlyNegated(before: string): boolean {
  return /\b(?:not|never|no)\s+(?:an?\s+)?$/i.test(before) || /n't\s+(?:an?\s+)?$/i.test(before);
}

function findCandidates(lines: string[], tailStart: number): RawCandidate[] {
  const candidates: RawCandidate[] = [];
  let order = 0;
  lines.forEach((rawLine, lineIndex) => {
    const line = stripMarkdown(rawLine);
    const inTail = lineIndex >= tailStart;
    const push = (kind: DecisionMatchKind, word: string, text: string, negated: boolean): void => {
      const decision = normalizeDecisionWord(word);
      if (decision === undefined) return;
      candidates.push({ decision, kind, text: text.trim(), line: lineIndex, inTail, negated, order: order++ });
    };
    for (const match of line.matchAll(TAG_PATTERN)) {
      const at = match.index ?? 0;
      push('tag', match[1] ?? '', match[0], isTightlyNegated(line.slice(0, at)));
    }
    for (const match of line.matchAll(LABELLED_PATTERN)) {
      const at = match.index ?? 0;
      push('labelled', match[1] ?? '', match[0], isTightlyNegated(line.slice(0, at)));
    }
    const bare = BARE_LINE.exec(line);
    if (bare) push('bare', bare[1] ?? '', line, false);
    for (const match of line.matchAll(PHRASE_PATTERN)) {
      const at = match.index ?? 0;
      const between = match[1] ?? '';
      push('phrase', match[2] ?? '', match[0], isNegated(line.slice(0, at)) || /\bnot\b/i.test(between));
    }
    // "not a buy", "no sell" without a recommendation verb: record as negated phrases so the failure can say so.
    for (const match of line.matchAll(
      /\b(?:not|never|no)\s+(?:a\s+|an\s+)?((?:strong[\s_-]*)?(?:buy|sell)|hold)\b/gi,
    )) {
      push('phrase', match[1] ?? '', match[0], true);
    }
  });
  return candidates;
}

/**
 * Parse a trading decision out of free model text. Never throws; returns a typed failure instead.
 *
 * Rule (lenient mode): for each kind in priority order `tag` → `labelled` → `bare` → `phrase`, look first in the
 * last `tailLines` non-empty lines (Trading-R1's rule), then in the whole text; the first kind and scope with a
 * non-negated candidate decides. Among several deciding candidates that disagree, the last one in the text wins
 * (`onConflict: 'last'`) or the parse fails with `'conflict'` (`onConflict: 'fail'`). Negated mentions
 * (`not a buy`, `we would not recommend a sell`) never count. Case, surrounding whitespace, markdown emphasis,
 * underscores/hyphens/spaces inside `STRONG BUY` and 2 or 3 brackets are all accepted.
 *
 * @example
 * parseDecisionText('…\n<conclusion>Momentum and guidance support it. [[[STRONG BUY]]]</conclusion>');
 * // → { ok: true, decision: 'STRONG_BUY', match: { kind: 'tag', … }, … }
 */
export function parseDecisionText(text: string, options: DecisionParseOptions = {}): DecisionParseResult {
  const parsedOptions = decisionParseOptionsSchema.parse(options);
  if (typeof text !== 'string' || text.trim().length === 0) {
    return { ok: false, code: 'PARSE_FAILED', reason: 'empty', message: 'The text is empty.', candidates: [] };
  }
  const lines = text.split(/\r?\n/);
  const nonEmpty = lines.map((line, index) => (line.trim() ? index : -1)).filter((index) => index >= 0);
  const tailStart = nonEmpty.length > parsedOptions.tailLines ? (nonEmpty.at(-parsedOptions.tailLines) ?? 0) : 0;
  const kinds: DecisionMatchKind[] =
    parsedOptions.kinds ?? (parsedOptions.mode === 'strict' ? ['tag'] : ['tag', 'labelled', 'bare', 'phrase']);
  const scopes: Array<'tail' | 'all'> = parsedOptions.mode === 'strict' ? ['tail'] : ['tail', 'all'];
  const all = findCandidates(lines, tailStart);
  const strip = ({ negated: _negated, order: _order, ...match }: RawCandidate): DecisionMatch => match;

  for (const kind of kinds) {
    for (const scope of scopes) {
      const deciding = all.filter(
        (candidate) => candidate.kind === kind && !candidate.negated && (scope === 'all' || candidate.inTail),
      );
      if (deciding.length === 0) continue;
      const last = deciding.at(-1) as RawCandidate;
      const distinct = new Set(deciding.map((candidate) => candidate.decision));
      if (distinct.size > 1 && parsedOptions.onConflict === 'fail') {
        return {
          ok: false,
          code: 'PARSE_FAILED',
          reason: 'conflict',
          message: `Conflicting ${kind} decisions in the ${scope === 'tail' ? `last ${parsedOptions.tailLines} lines` : 'text'}: ${[...distinct].join(', ')}.`,
          candidates: deciding.map(strip),
        };
      }
      return { ok: true, decision: last.decision, match: strip(last), candidates: deciding.map(strip) };
    }
  }
  const negated = all.filter((candidate) => candidate.negated && kinds.includes(candidate.kind));
  if (negated.length > 0) {
    return {
      ok: false,
      code: 'PARSE_FAILED',
      reason: 'negated',
      message: `Only negated decisions were found (${negated.map((candidate) => `"${candidate.text}"`).join(', ')}).`,
      candidates: negated.map(strip),
    };
  }
  return {
    ok: false,
    code: 'PARSE_FAILED',
    reason: 'no_decision',
    message:
      parsedOptions.mode === 'strict'
        ? `No [[DECISION]] tag in the last ${parsedOptions.tailLines} non-empty lines.`
        : 'No decision (tag, labelled value, bare decision line or recommendation phrase) was found.',
    candidates: [],
  };
}

/**
 * Like {@link parseDecisionText} but returns the decision or throws.
 * @throws {TradeR1Error} `PARSE_FAILED` with `details.reason` and `details.candidates`.
 */
export function parseDecisionTextOrThrow(text: string, options: DecisionParseOptions = {}): Decision {
  const result = parseDecisionText(text, options);
  if (result.ok) return result.decision;
  throw new TradeR1Error('PARSE_FAILED', `Could not parse a decision: ${result.message}`, {
    details: { reason: result.reason, candidates: result.candidates, excerpt: text.slice(-200) },
  });
}
