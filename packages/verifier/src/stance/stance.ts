/**
 * Stance: how bullish (+1) or bearish (−1) a text is, from the polarity lexicon with negation, intensifiers,
 * metric-aware direction words and neutral vocabulary; and the agreement of a stance with a decision.
 *
 * Formulas (documented in the README):
 * - each polarity cue contributes `weight × intensifier × (−1 if negated)` to the bullish mass P (if > 0) or the
 *   bearish mass N; direction words (rose, fell, beat, cut…) count ±0.5 (±1 for beat/miss, raise/cut, upgrade/
 *   downgrade), flipped for metrics whose rise is bad news (costs, debt, inflation…); neutral words ("hold",
 *   "mixed", "in line") add to the neutral mass H;
 * - a text's stance is `t = (P − N) / (P + N + H + c)` with smoothing `c` (default 1), so `t ∈ (−1, 1)`, near 0
 *   for text with few or balanced cues;
 * - a reasoning's stance weights each claim's cues by `conclusionWeight` (default 3) inside the conclusion;
 * - `agreement(t, d) = 1 − min(1, |t − d|)^1.5` with `d = decisionSignal(decision)` ∈ {−1, −0.5, 0, 0.5, 1}: 1 when
 *   the stance sits on the decision, 0.5 at a distance of 0.63, 0 once they are a full unit apart (e.g. a bullish
 *   0.6 against SELL −0.5); the exponent forgives small strength mismatches more than direction errors.
 */
import { DECISIONS, type Decision, decisionSignal } from '@trade-r1/core';
import { z } from 'zod';
import { assertNumber, assertString, parseArgument } from '../arguments.ts';
import { analyzeText, analyzeTextCached, type TextFacts } from '../checks/facts.ts';
import { NEGATIONS } from '../checks/lexicon.ts';
import { splitSentences, type WordToken } from '../scoring/text.ts';
import { BAD_WHEN_UP, INTENSIFIERS, NEUTRAL_PHRASES, POLARITY_PHRASES } from './lexicon.ts';

const decisionSchema = z.enum(DECISIONS);
const stanceOptionsSchema = z.strictObject({ smoothing: z.number().min(0).optional() });
const weightedTextsSchema = z.array(z.looseObject({ text: z.string(), weight: z.number() }));
const reasoningStanceOptionsSchema = z.strictObject({
  conclusionSpans: z.array(z.looseObject({ start: z.number(), end: z.number() })).optional(),
  conclusionWeight: z.number().min(0).optional(),
  smoothing: z.number().min(0).optional(),
});

/** Bullish, bearish and neutral mass of a text, and its stance. */
export interface StanceScore {
  /** Stance in (−1, 1): positive bullish, negative bearish. */
  stance: number;
  /** Sum of bullish cue weights. */
  bullish: number;
  /** Sum of bearish cue weights. */
  bearish: number;
  /** Sum of neutral cue weights. */
  neutral: number;
  /** Number of cues found. */
  cues: number;
}

const MAX_PHRASE_WORDS = 3;
const PHRASES = new Map<string, { polarity: number } | { neutral: number }>();
for (const [phrase, polarity] of Object.entries(POLARITY_PHRASES)) PHRASES.set(phrase, { polarity });
for (const [phrase, neutral] of Object.entries(NEUTRAL_PHRASES)) PHRASES.set(phrase, { neutral });

/**
 * First words of the phrases of each length ≥ 2 (words are space-free tokens): a phrase of that length can only
 * start at a token whose lower-case form is one of them, so the others need no phrase built.
 */
const PHRASE_STARTS = new Map<number, Set<string>>();
for (const phrase of PHRASES.keys()) {
  const words = phrase.split(' ');
  if (words.length < 2) continue;
  let starts = PHRASE_STARTS.get(words.length);
  if (!starts) {
    starts = new Set();
    PHRASE_STARTS.set(words.length, starts);
  }
  starts.add(words[0] as string);
}

function addCue(into: StanceScore, weight: number, value: number): void {
  if (value > 0) into.bullish += value * weight;
  else into.bearish += -value * weight;
  into.cues += 1;
}

const DIRECTION_WEIGHT: Record<string, number> = { change: 0.5, expectation: 1, revision: 1, rating: 1.5 };

/** Options of {@link scoreStance}. */
export interface StanceOptions {
  /** Smoothing mass `c` in the denominator. @default 1 */
  smoothing?: number;
}

function isNegated(tokens: WordToken[], index: number, text: string): boolean {
  for (let back = index - 1; back >= Math.max(0, index - 3); back -= 1) {
    const previous = tokens[back] as WordToken;
    if (/[.;!?]/.test(text.slice(previous.end, (tokens[back + 1] as WordToken).start))) return false;
    if (NEGATIONS.test(previous.lower) || previous.lower.endsWith("n't")) return true;
  }
  return false;
}

/** Accumulate the cue masses of one text (weighted by `weight`) into `into`; pass its `facts` when already computed. */
export function accumulateStance(
  text: string,
  weight: number,
  into: StanceScore,
  facts: TextFacts = analyzeText(text),
): void {
  const tokens = facts.tokens;
  const directionAt = new Map(facts.directions.map((direction) => [direction.start, direction]));
  for (let index = 0; index < tokens.length; index += 1) {
    const token = tokens[index] as WordToken;
    let matched = false;
    for (let length = Math.min(MAX_PHRASE_WORDS, tokens.length - index); length >= 1; length -= 1) {
      if (length > 1 && !PHRASE_STARTS.get(length)?.has(token.lower)) continue;
      // The words joined by single spaces (as the phrase keys are written).
      let phrase = token.lower;
      for (let part = 1; part < length; part += 1) phrase += ` ${(tokens[index + part] as WordToken).lower}`;
      const entry = PHRASES.get(phrase);
      if (!entry) continue;
      const negated = isNegated(tokens, index, text);
      if ('neutral' in entry) {
        into.neutral += entry.neutral * weight;
        into.cues += 1;
      } else {
        let intensity = 1;
        const previous = tokens[index - 1];
        if (previous && INTENSIFIERS[previous.lower] !== undefined) intensity = INTENSIFIERS[previous.lower] as number;
        addCue(into, weight, entry.polarity * intensity * (negated ? -0.7 : 1));
      }
      index += length - 1;
      matched = true;
      break;
    }
    if (matched) continue;
    const direction = directionAt.get(token.start);
    if (direction) {
      const badMetric = direction.metric !== null && BAD_WHEN_UP.has(direction.metric.id);
      const previous = tokens[index - 1];
      const intensity =
        previous && INTENSIFIERS[previous.lower] !== undefined ? (INTENSIFIERS[previous.lower] as number) : 1;
      addCue(
        into,
        weight,
        direction.polarity * (badMetric ? -1 : 1) * (DIRECTION_WEIGHT[direction.axis] ?? 0.5) * intensity,
      );
    }
  }
}

/** Turn accumulated masses into a stance in (−1, 1). */
export function finishStance(score: StanceScore, smoothing = 1): StanceScore {
  const denominator = score.bullish + score.bearish + score.neutral + smoothing;
  const stance = denominator > 0 ? (score.bullish - score.bearish) / denominator : 0;
  return { ...score, stance: Number.isFinite(stance) ? Math.max(-1, Math.min(1, stance)) : 0 };
}

/** Stance of one text. */
export function scoreStance(text: string, options: StanceOptions = {}): StanceScore {
  assertString(text, 'scoreStance()', 'text');
  parseArgument(stanceOptionsSchema, options, 'scoreStance()', 'options', 'INVALID_CONFIG');
  const score: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
  accumulateStance(text, 1, score);
  return finishStance(score, options.smoothing ?? 1);
}

/** Stance of several weighted texts (e.g. claims with the conclusion weighted up, or evidence by relevance). */
export function scoreWeightedStance(
  texts: ReadonlyArray<{ text: string; weight: number }>,
  options: StanceOptions = {},
): StanceScore {
  parseArgument(weightedTextsSchema, texts, 'scoreWeightedStance()', 'texts');
  parseArgument(stanceOptionsSchema, options, 'scoreWeightedStance()', 'options', 'INVALID_CONFIG');
  const score: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
  for (const { text, weight } of texts) if (weight > 0) accumulateStance(text, weight, score);
  return finishStance(score, options.smoothing ?? 1);
}

/**
 * Agreement in [0, 1] between a stance `t ∈ [−1, 1]` and a decision: `1 − min(1, |t − decisionSignal(d)|)^1.5`.
 */
export function stanceAgreement(stance: number, decision: Decision): number {
  assertNumber(stance, 'stanceAgreement()', 'stance');
  parseArgument(decisionSchema, decision, 'stanceAgreement()', 'decision', 'INVALID_DECISION');
  const t = Number.isFinite(stance) ? Math.max(-1, Math.min(1, stance)) : 0;
  return 1 - Math.min(1, Math.abs(t - decisionSignal(decision))) ** AGREEMENT_EXPONENT;
}

/** Exponent of the distance in {@link stanceAgreement}: > 1 forgives small strength mismatches (BUY vs STRONG_BUY). */
export const AGREEMENT_EXPONENT = 1.5;

const THINK_BLOCK = /<think(?:\s[^>]*)?>[\s\S]*?<\/think\s*>/gi;
const TAG = /\[\[\[?\s*(?:STRONG[\s_-]+BUY|STRONG[\s_-]+SELL|BUY|SELL|HOLD)\s*\]?\]\]/gi;

function blankOut(text: string, pattern: RegExp): string {
  return text.replace(pattern, (match) => ' '.repeat(match.length));
}

/**
 * Stance of a whole reasoning text: everything outside `<think>` blocks and decision tags counts, the conclusion
 * `conclusionWeight` times. The conclusion is the given spans (a `<conclusion>` section or a "Conclusion"
 * heading); without one, the last paragraph (or, for a single paragraph, its last two sentences).
 */
export function scoreReasoningStance(
  reasoning: string,
  options: {
    conclusionSpans?: ReadonlyArray<{ start: number; end: number }>;
    conclusionWeight?: number;
    smoothing?: number;
  } = {},
): StanceScore {
  assertString(reasoning, 'scoreReasoningStance()', 'reasoning');
  parseArgument(reasoningStanceOptionsSchema, options, 'scoreReasoningStance()', 'options', 'INVALID_CONFIG');
  const cleaned = blankOut(blankOut(reasoning, THINK_BLOCK), TAG).replace(/<\/?[A-Za-z][\w-]*[^>]*>/g, (match) =>
    ' '.repeat(match.length),
  );
  let spans = [...(options.conclusionSpans ?? [])];
  if (spans.length === 0) {
    const paragraphs = [...cleaned.matchAll(/[^\n]+(?:\n(?!\s*\n)[^\n]*)*/g)].filter((match) => match[0].trim() !== '');
    const last = paragraphs.at(-1);
    if (last && paragraphs.length > 1) spans = [{ start: last.index, end: last.index + last[0].length }];
    else if (last) {
      const sentences = [...last[0].matchAll(/[^.!?]+[.!?]*/g)].filter((match) => match[0].trim() !== '');
      const tail = sentences.slice(-2)[0];
      if (tail) spans = [{ start: last.index + tail.index, end: last.index + last[0].length }];
    }
  }
  const weight = options.conclusionWeight ?? 3;
  const pieces: Array<{ text: string; weight: number }> = [];
  let cursor = 0;
  for (const span of [...spans].sort((left, right) => left.start - right.start)) {
    if (span.start > cursor) pieces.push({ text: cleaned.slice(cursor, span.start), weight: 1 });
    pieces.push({ text: cleaned.slice(Math.max(span.start, cursor), span.end), weight });
    cursor = Math.max(cursor, span.end);
  }
  if (cursor < cleaned.length) pieces.push({ text: cleaned.slice(cursor), weight: 1 });
  const score: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
  for (const piece of pieces) {
    if (piece.weight <= 0 || piece.text.trim() === '') continue;
    // Sentence by sentence, so that facts already computed for the same sentence (a claim) are reused.
    for (const sentence of splitSentences(piece.text)) {
      accumulateStance(sentence.text, piece.weight, score, analyzeTextCached(sentence.text));
    }
  }
  return finishStance(score, options.smoothing ?? 1);
}
