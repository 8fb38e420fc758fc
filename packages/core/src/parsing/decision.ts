import { z } from 'zod';
import { parseWith, TradeR1Error } from '../errors.ts';
import type { Decision } from '../schemas/decision.ts';
import { splitReasoning } from './reasoning.ts';

/**
 * How a decision was found in model text, from most to least explicit:
 * - `tag`: a bracket tag `[[BUY]]` / `[[[STRONG BUY]]]` (Trading-R1's format) or `\boxed{BUY}`;
 * - `labelled`: a labelled value, `Decision: Buy`, `最终决策：买入`, `My recommendation is to buy`,
 *   `{"action":"sell"}`;
 * - `bare`: a line holding nothing but a decision word (`SELL.`, `**Hold**`, `买入`);
 * - `phrase`: a recommendation sentence, `We recommend a strong buy`, `建议卖出` (negated phrases such as
 *   `we would not buy` are discarded).
 * `tag` and `labelled` are *explicit*; `bare` and `phrase` are *prose*.
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
  /** 0-based line number inside the searched region (the final answer, see {@link parseDecisionText}). */
  line: number;
  /** True when it was found in the last `tailLines` non-empty lines of that region. */
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
  | 'negated'
  /** The only explicit decision offers alternatives (`Decision: BUY or SELL`, `[[BUY/SELL/HOLD]]`). */
  | 'ambiguous'
  /** The model declined to decide (`I cannot provide investment advice`). */
  | 'refusal'
  /** The text stops inside its final answer (`Final Decision: [[[STRO`, an open `<answer>` with no decision). */
  | 'truncated'
  /** Decisions appear only inside reasoning (`<think>…</think>`), none in the final answer. */
  | 'only_in_reasoning';

/** A successful parse. */
export interface DecisionParseSuccess {
  ok: true;
  /** The parsed decision. */
  decision: Decision;
  /** The candidate that decided. */
  match: DecisionMatch;
  /** Every candidate of the deciding tier and scope, in text order (more than one when the text repeats itself). */
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
  /** The candidates that were considered (conflicting, negated, ambiguous or reasoning-only ones). */
  candidates: DecisionMatch[];
}

/** Result of {@link parseDecisionText}. */
export type DecisionParseResult = DecisionParseSuccess | DecisionParseFailure;

/** Options of {@link parseDecisionText}. Unknown keys are rejected. */
export const decisionParseOptionsSchema = z
  .object({
    /**
     * `'lenient'` accepts every {@link DecisionMatchKind}; `'strict'` reproduces Trading-R1's reward parser: only a
     * bracket tag, only in the last `tailLines` non-empty lines (of the final answer).
     * @default 'lenient'
     */
    mode: z.enum(['lenient', 'strict']).default('lenient'),
    /** How many trailing non-empty lines are searched first (Trading-R1 searches the last 3). @default 3 */
    tailLines: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(3),
    /**
     * What to do when the deciding candidates disagree (e.g. `[[BUY]] … [[SELL]]` both in the tail):
     * `'last'` takes the last one in the text, `'fail'` returns a `'conflict'` failure.
     * @default 'last'
     */
    onConflict: z.enum(['last', 'fail']).default('last'),
    /** Which kinds are accepted. @default all four in lenient mode, `['tag']` in strict mode */
    kinds: z
      .array(z.enum(['tag', 'labelled', 'bare', 'phrase']))
      .min(1)
      .optional(),
  })
  .strict();
/** Options of {@link parseDecisionText} (see {@link decisionParseOptionsSchema}). */
export type DecisionParseOptions = z.input<typeof decisionParseOptionsSchema>;

// English decision words must stand alone: `Sell-off`, `buyback`, `shareholders` are not decisions.
const EN_WORD = String.raw`(?<![\w-])(?:strong[\s_-]*(?:buy|sell)|buy|sell|hold)(?![\w-])`;
const ZH_WORD = '强烈买入|强力买入|强烈推荐买入|强烈卖出|强力卖出|买入|买进|增持|卖出|卖掉|减持|持有|观望';
const DECISION_WORD = `${EN_WORD}|${ZH_WORD}`;
const WORD_PATTERN = new RegExp(`(${DECISION_WORD})`, 'gi');
const TAG_PATTERN = /\[{2,3}\s*([^[\]\n]{1,60}?)\s*\]{2,3}/g;
const BOXED_PATTERN = /\\boxed\s*\{\s*(?:\\(?:text|mathrm|textbf)\s*\{)?\s*([^{}\n]{1,40}?)\s*\}?\s*\}/g;
const EN_LABEL = String.raw`(?<![A-Za-z])(?:(?:my|our|the)\s+)?(?:(?:final|overall|trading|investment|updated)\s+)?(?:decision|recommendation|action|rating|verdict|signal|call|answer|stance)(?![A-Za-z])`;
const ZH_LABEL = '(?:最终|最后)?(?:交易|投资|操作)?(?:决策|决定|建议|评级|结论|操作)';
const LABELLED_PATTERN = new RegExp(
  String.raw`["'“]?(?:${EN_LABEL}|${ZH_LABEL})["'”]?\s*(?:(?:is|would be|will be|remains)\s+(?:to\s+)?(?:[:：]\s*)?|[:：=\-–—]+\s*(?:>\s*)?|(?=[“"']?(?:${ZH_WORD})))([^\n]{0,160})`,
  'gi',
);
const BARE_LINE = new RegExp(String.raw`^[\s>#\-*•]*(?:final\s*[:：]?\s*)?(${DECISION_WORD})[\s.!。！]*$`, 'i');
const PHRASE_PATTERN = new RegExp(
  String.raw`(?:\b(?:recommend(?:s|ed|ing)?|rate[sd]?|rating\s+of|suggest(?:s|ed)?|advise[sd]?|conclude(?:s|d)?\s+(?:with|on))\b((?:\s+(?:a|an|the|to|it|this|stock|shares|as|is|with|on|that|we|should))*)\s+|\b(?:I|we)\s+(?:would|'d|will|should)\s+(?:strongly\s+)?|建议|推荐)(${DECISION_WORD})`,
  'gi',
);
const NEGATION =
  /(?:\b(?:not|never|no|don't|dont|do not|won't|wouldn't|shouldn't|cannot|can't|avoid|against|nor)\b[^.;\n]{0,20}|不|不要|不建议|避免)$/i;
const REFUSAL =
  /(?:\b(?:I|we)\s+(?:cannot|can't|can ?not|am unable to|are unable to|won't|will not|am not able to)\s+(?:provide|give|offer|make|issue)\s+(?:[\w-]+\s+){0,3}(?:advice|recommendations?|decisions?)|\bnot (?:able|in a position) to (?:provide|give|make) (?:[\w-]+\s+){0,3}(?:advice|recommendations?|decisions?)|无法(?:提供|给出)(?:投资)?(?:建议|决策))/i;
// The answer stops mid-way: an open tag, an open `\boxed{`, or a label with nothing after it at the very end.
const TRUNCATED_END = new RegExp(
  String.raw`(?:\[{2,3}[^\]\n]{0,30}|\\boxed\s*\{[^}\n]{0,30}|(?:${EN_LABEL}|${ZH_LABEL})\s*[:：=\-–—]?\s*\**\s*)$`,
  'i',
);

/** Canonicalise a decision word as written (`Strong-Buy`, `strong_buy`, `STRONGBUY`, `买入`) to a {@link Decision}. */
export function normalizeDecisionWord(word: string): Decision | undefined {
  if (typeof word !== 'string') return undefined;
  const compact = word.toLowerCase().replace(/[\s_-]+/g, '');
  switch (compact) {
    case 'strongbuy':
    case '强烈买入':
    case '强力买入':
    case '强烈推荐买入':
      return 'STRONG_BUY';
    case 'strongsell':
    case '强烈卖出':
    case '强力卖出':
      return 'STRONG_SELL';
    case 'buy':
    case '买入':
    case '买进':
    case '增持':
      return 'BUY';
    case 'sell':
    case '卖出':
    case '卖掉':
    case '减持':
      return 'SELL';
    case 'hold':
    case '持有':
    case '观望':
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
  ambiguous: boolean;
}

// Loose negation for recommendation phrases ("we would not, at this price, recommend a buy").
function isNegated(before: string): boolean {
  return NEGATION.test(before.slice(-40));
}

// Tight negation for explicit tags and labels: only a negation word right before it ("not [[BUY]]").
function isTightlyNegated(before: string): boolean {
  return /\b(?:not|never|no)\s+(?:an?\s+)?$/i.test(before) || /n't\s+(?:an?\s+)?$/i.test(before) || /不$/.test(before);
}

interface WordHit {
  decision: Decision;
  at: number;
  negated: boolean;
}

function decisionWords(value: string): WordHit[] {
  const hits: WordHit[] = [];
  for (const match of value.matchAll(WORD_PATTERN)) {
    const decision = normalizeDecisionWord(match[1] ?? '');
    if (decision === undefined) continue;
    const at = match.index ?? 0;
    hits.push({ decision, at, negated: isNegated(value.slice(0, at)) });
  }
  return hits;
}

// The decision carried by a tag body or a labelled value. A value that starts with a decision word decides by that
// word ("Buy, downgraded from Sell" → BUY) unless alternatives follow ("BUY or SELL" → ambiguous); a value that
// starts with other text decides by its last non-negated decision word ("Sell-off aside, so HOLD" → HOLD).
function valueDecision(
  value: string,
): { decision: Decision; ambiguous: boolean; negated: boolean; word: string } | undefined {
  const cleaned = value.replace(/^[\s"'“”‘’[(<>{]+/, '');
  const hits = decisionWords(cleaned);
  if (hits.length === 0) return undefined;
  const live = hits.filter((hit) => !hit.negated);
  const first = hits[0] as WordHit;
  if (first.at === 0 && !first.negated) {
    const next = hits[1];
    const between = next ? cleaned.slice(0, next.at) : '';
    const alternative =
      next !== undefined && next.decision !== first.decision && /(?:\bor\b|[/|]|或|还是)\s*[\s"'*]*$/i.test(between);
    return { decision: first.decision, ambiguous: alternative, negated: false, word: cleaned };
  }
  if (/^(?:not|no|never)\b|^不/i.test(cleaned) && live.length === 0) {
    return { decision: first.decision, ambiguous: false, negated: true, word: cleaned };
  }
  const last = live.at(-1);
  if (!last) return { decision: first.decision, ambiguous: false, negated: true, word: cleaned };
  return { decision: last.decision, ambiguous: false, negated: false, word: cleaned };
}

function findCandidates(lines: string[], tailStart: number): RawCandidate[] {
  const candidates: RawCandidate[] = [];
  lines.forEach((rawLine, lineIndex) => {
    const line = stripMarkdown(rawLine);
    const inTail = lineIndex >= tailStart;
    const push = (
      kind: DecisionMatchKind,
      decision: Decision | undefined,
      text: string,
      negated: boolean,
      ambiguous = false,
    ): void => {
      if (decision === undefined) return;
      candidates.push({ decision, kind, text: text.trim(), line: lineIndex, inTail, negated, ambiguous });
    };
    const tags: Array<{ at: number; decision: Decision; text: string; negated: boolean; ambiguous: boolean }> = [];
    for (const pattern of [TAG_PATTERN, BOXED_PATTERN]) {
      for (const match of line.matchAll(pattern)) {
        const body = match[1] ?? '';
        const whole = normalizeDecisionWord(body.trim());
        const at = match.index ?? 0;
        const negated = isTightlyNegated(line.slice(0, at));
        if (whole !== undefined) tags.push({ at, decision: whole, text: match[0], negated, ambiguous: false });
        else {
          // `[[BUY/SELL/HOLD]]`, `[[BUY or SELL]]`: a template echo, not a decision.
          const hits = decisionWords(body);
          if (hits.length > 1 && new Set(hits.map((hit) => hit.decision)).size > 1) {
            tags.push({ at, decision: (hits[0] as WordHit).decision, text: match[0], negated, ambiguous: true });
          }
        }
      }
    }
    tags.sort((a, b) => a.at - b.at);
    // "Respond with [[BUY]], [[SELL]] or [[HOLD]]": alternatives on one line joined by "or"/"/" are ambiguous.
    const lineAmbiguous =
      new Set(tags.filter((tag) => !tag.ambiguous).map((tag) => tag.decision)).size > 1 &&
      /\]{2,3}\s*(?:,|\bor\b|\/|\||或)\s*\[{2,3}/i.test(line);
    for (const tag of tags) push('tag', tag.decision, tag.text, tag.negated, tag.ambiguous || lineAmbiguous);
    for (const match of line.matchAll(LABELLED_PATTERN)) {
      const found = valueDecision(match[1] ?? '');
      if (!found) continue;
      const at = match.index ?? 0;
      push('labelled', found.decision, match[0], found.negated || isTightlyNegated(line.slice(0, at)), found.ambiguous);
    }
    const bare = BARE_LINE.exec(line);
    if (bare) push('bare', normalizeDecisionWord(bare[1] ?? ''), line, false);
    for (const match of line.matchAll(PHRASE_PATTERN)) {
      const at = match.index ?? 0;
      const between = match[1] ?? '';
      push(
        'phrase',
        normalizeDecisionWord(match[2] ?? ''),
        match[0],
        isNegated(line.slice(0, at)) || /\bnot\b/i.test(between),
      );
    }
    // "not a buy", "no sell", "不建议买入" without a positive form: record as negated phrases so a failure can say so.
    for (const match of line.matchAll(
      new RegExp(String.raw`(?:\b(?:not|never|no)\s+(?:a\s+|an\s+)?|不建议|不要|不宜)(${DECISION_WORD})`, 'gi'),
    )) {
      push('phrase', normalizeDecisionWord(match[1] ?? ''), match[0], true);
    }
  });
  return candidates;
}

function failure(
  reason: DecisionParseFailureReason,
  message: string,
  candidates: DecisionMatch[] = [],
): DecisionParseFailure {
  return { ok: false, code: 'PARSE_FAILED', reason, message, candidates };
}

const strip = ({ negated: _negated, ambiguous: _ambiguous, ...match }: RawCandidate): DecisionMatch => match;

/**
 * Parse a trading decision out of free model text. Never throws on text; returns a typed failure instead.
 *
 * Precedence, in order:
 * 1. **Final answer over reasoning.** Reasoning blocks (`<think>…</think>`, `<reasoning>`, `<thinking>`, and
 *    everything before a lone `</think>` as DeepSeek-R1 emits when the template opened the block) are set aside; if
 *    an `<answer>…</answer>` block remains, only its content is searched. A decision that appears only in reasoning
 *    gives `'only_in_reasoning'`, never a guess.
 * 2. **Explicit over prose, last over earlier.** Explicit candidates (`tag`, `labelled`) in the last `tailLines`
 *    non-empty lines decide first, then explicit candidates anywhere, then prose (`bare`, then `phrase`) in the tail,
 *    then prose anywhere. Within the deciding tier the last candidate in the text wins (`onConflict: 'last'`) or
 *    disagreement fails with `'conflict'` (`onConflict: 'fail'`).
 * 3. **Typed non-answers.** Negated mentions (`not a buy`, `不建议买入`) never count (`'negated'`); alternatives
 *    (`Decision: BUY or SELL`) give `'ambiguous'`; a refusal gives `'refusal'`; an answer that stops inside its final
 *    tag or label (`Final Decision: [[[STRO`) gives `'truncated'` rather than falling back to an earlier phrase.
 *
 * Accepted spellings: 2 or 3 brackets, `\boxed{…}`, any case, markdown emphasis, `STRONG BUY` with spaces, `_` or
 * `-`, ASCII or full-width colons, `is (to)` after a label (`my recommendation is to buy`), JSON keys, and the
 * Chinese 强烈买入 / 买入 / 增持 / 持有 / 观望 / 减持 / 卖出 / 强烈卖出. `'strict'` mode accepts tags only, in the tail only.
 *
 * @throws {TradeR1Error} `INVALID_INPUT` (field `text` or the option's field) when `text` is not a string or an
 * option is wrong or unknown.
 * @example
 * parseDecisionText('<think>maybe sell?</think>\nFinal Decision: [[[STRONG BUY]]]');
 * // → { ok: true, decision: 'STRONG_BUY', match: { kind: 'tag', … }, … }
 */
export function parseDecisionText(text: string, options: DecisionParseOptions = {}): DecisionParseResult {
  const parsedOptions = parseWith(decisionParseOptionsSchema, options ?? {}, { label: 'decision parse options' });
  if (typeof text !== 'string') {
    throw new TradeR1Error('INVALID_INPUT', 'parseDecisionText needs text as a string', {
      details: { field: 'text' },
    });
  }
  if (text.trim().length === 0) return failure('empty', 'The text is empty.');
  const { answer, reasoning, answerOpen } = splitReasoning(text);
  const kinds: DecisionMatchKind[] =
    parsedOptions.kinds ?? (parsedOptions.mode === 'strict' ? ['tag'] : ['tag', 'labelled', 'bare', 'phrase']);
  const lines = answer.split(/\r?\n/);
  const nonEmpty = lines.map((line, index) => (line.trim() ? index : -1)).filter((index) => index >= 0);
  const tailStart = nonEmpty.length > parsedOptions.tailLines ? (nonEmpty.at(-parsedOptions.tailLines) ?? 0) : 0;
  const all = findCandidates(lines, tailStart).filter((candidate) => kinds.includes(candidate.kind));

  const truncatedEnd = TRUNCATED_END.test(stripMarkdown(answer.trimEnd()).slice(-200));
  if (truncatedEnd) {
    return failure(
      'truncated',
      'The text stops inside its final decision (an open tag or a label with no value at the end).',
      all.map(strip),
    );
  }
  const tiers: Array<{ kinds: DecisionMatchKind[]; tail: boolean }> =
    parsedOptions.mode === 'strict'
      ? [{ kinds: ['tag'], tail: true }]
      : [
          { kinds: ['tag', 'labelled'], tail: true },
          { kinds: ['tag', 'labelled'], tail: false },
          { kinds: ['bare'], tail: true },
          { kinds: ['phrase'], tail: true },
          { kinds: ['bare'], tail: false },
          { kinds: ['phrase'], tail: false },
        ];
  for (const tier of tiers) {
    const scoped = all.filter(
      (candidate) => tier.kinds.includes(candidate.kind) && !candidate.negated && (!tier.tail || candidate.inTail),
    );
    const deciding = scoped.filter((candidate) => !candidate.ambiguous);
    if (deciding.length === 0) {
      if (scoped.length > 0) {
        return failure(
          'ambiguous',
          `The decision offers alternatives (${scoped.map((candidate) => `"${candidate.text}"`).join(', ')}).`,
          scoped.map(strip),
        );
      }
      continue;
    }
    const last = deciding.at(-1) as RawCandidate;
    const distinct = new Set(deciding.map((candidate) => candidate.decision));
    if (distinct.size > 1 && parsedOptions.onConflict === 'fail') {
      return failure(
        'conflict',
        `Conflicting decisions in the ${tier.tail ? `last ${parsedOptions.tailLines} lines` : 'answer'}: ${[...distinct].join(', ')}.`,
        deciding.map(strip),
      );
    }
    return { ok: true, decision: last.decision, match: strip(last), candidates: deciding.map(strip) };
  }
  if (answerOpen) {
    return failure('truncated', 'The text stops inside an open <answer> block with no decision.', all.map(strip));
  }
  const negated = all.filter((candidate) => candidate.negated);
  if (negated.length > 0) {
    return failure(
      'negated',
      `Only negated decisions were found (${negated.map((candidate) => `"${candidate.text}"`).join(', ')}).`,
      negated.map(strip),
    );
  }
  if (REFUSAL.test(answer)) return failure('refusal', 'The model declined to give a decision.');
  if (reasoning.length > 0) {
    const inReasoning = findCandidates(reasoning.split(/\r?\n/), 0).filter(
      (candidate) => kinds.includes(candidate.kind) && !candidate.negated,
    );
    if (inReasoning.length > 0) {
      return failure(
        'only_in_reasoning',
        answer.trim().length === 0
          ? 'The text holds reasoning only (no final answer after it); decisions inside reasoning are not taken.'
          : 'Decisions appear only inside the reasoning block, none in the final answer.',
        inReasoning.map(strip),
      );
    }
    if (REFUSAL.test(reasoning)) return failure('refusal', 'The model declined to give a decision.');
  }
  return failure(
    'no_decision',
    parsedOptions.mode === 'strict'
      ? `No [[DECISION]] tag in the last ${parsedOptions.tailLines} non-empty lines.`
      : 'No decision (tag, labelled value, bare decision line or recommendation phrase) was found.',
  );
}

/**
 * Like {@link parseDecisionText} but returns the decision or throws.
 * @throws {TradeR1Error} `PARSE_FAILED` with `details.reason` and `details.candidates`; `INVALID_INPUT` as
 * {@link parseDecisionText}.
 */
export function parseDecisionTextOrThrow(text: string, options: DecisionParseOptions = {}): Decision {
  const result = parseDecisionText(text, options);
  if (result.ok) return result.decision;
  throw new TradeR1Error('PARSE_FAILED', `Could not parse a decision: ${result.message}`, {
    details: { reason: result.reason, candidates: result.candidates, excerpt: text.slice(-200) },
  });
}
