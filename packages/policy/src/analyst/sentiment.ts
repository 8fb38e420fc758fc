import { TradeR1Error } from '@trade-r1/core';
import { assertString } from '../arguments.ts';

/**
 * A small, transparent finance lexicon for evidence polarity (in the spirit of Loughran–McDonald, much shorter).
 * Pure functions, no model: deterministic and explainable, which is what a baseline needs.
 */

const POSITIVE = new Set(
  `beat beats exceeded exceeds exceed raise raised raises upgrade upgraded upgrades growth grew grow grows record strong
  stronger strongest surge surged surges rally rallied rallies gain gains gained profit profits profitable outperform
  outperformed outperforms expand expanded expands expansion improve improved improves improving bullish buyback
  approval approved approves win wins won partnership higher rise rose rises rising upside robust accelerate accelerated
  accelerating optimistic positive boost boosted boosts jump jumped jumps soar soared soars tailwind tailwinds
  beat-and-raise exceeding resilient rebound rebounded recovery recovered`.split(/\s+/),
);

const NEGATIVE = new Set(
  `miss missed misses cut cuts downgrade downgraded downgrades decline declined declines declining loss losses weak weaker
  weakest weakness fall fell falls falling drop dropped drops plunge plunged plunges lawsuit lawsuits investigation probe
  recall fraud bearish lower lowered lowers layoffs layoff default defaults warning warned warns slowdown halt halted delay
  delayed delays underperform underperformed negative concern concerns pressure pressures headwind headwinds shortfall
  impairment bankruptcy slump slumped tumble tumbled sink sank downturn deteriorate deteriorated lawsuit penalty fine
  fined restatement volatile`.split(/\s+/),
);

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'without',
  "didn't",
  "doesn't",
  "don't",
  "isn't",
  "wasn't",
  "won't",
  'nor',
]);

/** Polarity of one text. */
export interface TextPolarity {
  /** (positive − negative) / max(1, positive + negative), in [−1, 1]. */
  score: number;
  /** Positive term hits (after negation). */
  positive: number;
  /** Negative term hits (after negation). */
  negative: number;
}

/**
 * Lexicon polarity of a text. A negator (`not`, `no`, `never`, `n't`…) within the 3 preceding words flips a hit
 * (`did not miss` counts as positive).
 */
export function textPolarity(text: string): TextPolarity {
  assertString(text, 'textPolarity', 'text');
  const words = text.toLowerCase().match(/[a-z][a-z'-]*/g) ?? [];
  let positive = 0;
  let negative = 0;
  words.forEach((word, index) => {
    const isPositive = POSITIVE.has(word);
    const isNegative = NEGATIVE.has(word);
    if (!isPositive && !isNegative) return;
    let negated = false;
    for (let back = Math.max(0, index - 3); back < index; back += 1) {
      const previous = words[back] as string;
      if (NEGATORS.has(previous) || previous.endsWith("n't")) negated = true;
    }
    if (isPositive !== negated) positive += 1;
    else negative += 1;
  });
  return { score: (positive - negative) / Math.max(1, positive + negative), positive, negative };
}

/** Split text into sentences (kept verbatim, so they can be quoted). */
export function splitSentences(text: string): string[] {
  assertString(text, 'splitSentences', 'text');
  return (text.match(/[^.!?\n]+[.!?]?/g) ?? [])
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** The sentence with the strongest polarity in the direction of `sign` (ties: the first), verbatim. */
export function mostPolarSentence(text: string, sign: -1 | 0 | 1): string {
  assertString(text, 'mostPolarSentence', 'text');
  if (sign !== -1 && sign !== 0 && sign !== 1) {
    throw new TradeR1Error('INVALID_INPUT', 'mostPolarSentence: sign must be -1, 0 or 1', {
      details: { function: 'mostPolarSentence', field: 'sign' },
    });
  }
  const sentences = splitSentences(text);
  let best = sentences[0] ?? text.trim();
  let bestValue = Number.NEGATIVE_INFINITY;
  for (const sentence of sentences) {
    const polarity = textPolarity(sentence);
    const value = sign === 0 ? polarity.positive + polarity.negative : sign * (polarity.positive - polarity.negative);
    if (value > bestValue) {
      best = sentence;
      bestValue = value;
    }
  }
  return best;
}
