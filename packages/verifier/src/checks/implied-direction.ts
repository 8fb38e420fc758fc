/**
 * The direction a claim's own figures imply: "revenue rose to $10.2 billion from $9.7 billion" states a level and its
 * comparison base, so the verb must agree with their order. A claim whose verb disagrees with its own figures ("fell
 * to $12 million from $9 million") is wrong whatever the evidence says; one whose figures both match the evidence
 * confirms its direction by arithmetic even where the evidence (a table) states no direction word. Pure functions.
 */
import type { AnchoredQuantity, DirectionMention, TextFacts } from './facts.ts';

/**
 * Verbs of plain magnitude whose polarity is the sign of (current − prior). Quality words ("improved",
 * "deteriorated", "strengthened") are left out: a loss that "improved" to $3 million from $5 million fell.
 */
const MAGNITUDE_VERBS = new Set(
  (
    'rose rise rises risen grew grow grows increased increase increases climbed climb climbs jumped jump jumps ' +
    'surged surge surges soared soars gained gains expanded expand expands advanced rebounded rallied widened ' +
    'fell fall falls fallen declined decline declines dropped drop drops decreased decrease decreases shrank ' +
    'shrink shrinks contracted slid slides plunged plunge plunges tumbled sank slumped narrowed retreated'
  ).split(' '),
);

/** Longest distance (characters) from the verb to the figures it governs. */
const REACH = 90;

/** The figures a direction word governs and the direction they imply. */
export interface ImpliedDirection {
  /** +1 when the current figure is above the prior one, −1 when below. */
  polarity: 1 | -1;
  /** The level the claim says it reached ("to $10.2 billion"). */
  current: AnchoredQuantity;
  /** The comparison base ("from $9.7 billion"). */
  prior: AnchoredQuantity;
  /** True for one "from … to …" figure (`current` and `prior` are then the same quantity). */
  movement: boolean;
}

function usable(quantity: AnchoredQuantity): boolean {
  return (
    quantity.high === null && !quantity.verbal && quantity.qualifier !== 'atLeast' && quantity.qualifier !== 'atMost'
  );
}

/**
 * The direction implied by the level and the comparison base a magnitude verb governs in the claim's text, or null
 * when the verb governs no such pair (no "from" figure, figures of different units, a range, words, or figures too
 * close to order within rounding).
 */
export function impliedDirection(direction: DirectionMention, claim: TextFacts): ImpliedDirection | null {
  if (direction.negated || direction.axis !== 'change' || !MAGNITUDE_VERBS.has(direction.word.toLowerCase()))
    return null;
  // Another magnitude word between this one and a figure governs that figure: in "Gains on the sale fell to $1.4
  // million from $46.2 million" the subject's "Gains" names the line item, "fell" states the move.
  const governs = (quantity: AnchoredQuantity) =>
    !claim.directions.some(
      (other) =>
        other !== direction &&
        !other.derived &&
        other.start > direction.start &&
        other.start < quantity.start &&
        MAGNITUDE_VERBS.has(other.word.toLowerCase()),
    );
  const near = claim.quantities.filter(
    (quantity) =>
      governs(quantity) &&
      quantity.start > direction.start &&
      quantity.start - direction.start <= REACH &&
      !/[;!?]|\.\s/.test(claim.source.slice(direction.start, quantity.start)) &&
      usable(quantity),
  );
  // "rose from $9.7 billion to $10.2 billion" is read as one figure with a high end: the move from its low end.
  const movement = claim.quantities.find(
    (quantity) =>
      quantity.high !== null &&
      governs(quantity) &&
      quantity.start > direction.start &&
      quantity.start - direction.start <= REACH &&
      /^\s*from\s*$/i.test(claim.source.slice(direction.start + direction.word.length, quantity.start)) &&
      /\sto\s/.test(quantity.raw) &&
      !quantity.verbal,
  );
  if (movement && movement.high !== null) {
    const difference = movement.high - movement.value;
    if (Math.abs(difference) <= movement.tolerance) return null;
    return { polarity: difference > 0 ? 1 : -1, current: movement, prior: movement, movement: true };
  }
  const prior = near.find((quantity) => quantity.role === 'prior');
  if (!prior) return null;
  const current = near.find(
    (quantity) =>
      quantity !== prior &&
      quantity.role !== 'prior' &&
      quantity.role !== 'change' &&
      quantity.role !== 'tolerance' &&
      quantity.unit === prior.unit &&
      quantity.currency === prior.currency,
  );
  if (!current) return null;
  const slack =
    Math.max(current.tolerance, prior.tolerance) +
    (current.qualifier === 'approx' || prior.qualifier === 'approx' ? 0.03 * Math.abs(prior.value) : 0);
  const difference = current.value - prior.value;
  if (Math.abs(difference) <= slack) return null;
  return { polarity: difference > 0 ? 1 : -1, current, prior, movement: false };
}
