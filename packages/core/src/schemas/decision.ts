import { z } from 'zod';
import { TradeR1Error } from '../errors.ts';

/** The five-level decision scale of Trading-R1, from most bearish to most bullish. */
export const DECISIONS = ['STRONG_SELL', 'SELL', 'HOLD', 'BUY', 'STRONG_BUY'] as const;

/** A five-level trading decision. */
export const decisionSchema = z.enum(DECISIONS);
/** A five-level trading decision. */
export type Decision = z.infer<typeof decisionSchema>;

/** A mapping from each decision to a target exposure (fraction of capital; negative is short). */
export type ExposureMapping = Readonly<Record<Decision, number>>;

/**
 * Default decision → target exposure: STRONG_SELL −1, SELL −0.5, HOLD 0, BUY 0.5, STRONG_BUY 1.
 * Symmetric and linear in the decision's rank. Neither paper specifies its mapping (Trading-R1 only implies
 * long/short), so this is a documented convention; pass your own mapping wherever one is accepted.
 */
export const DEFAULT_EXPOSURE: ExposureMapping = Object.freeze({
  STRONG_SELL: -1,
  SELL: -0.5,
  HOLD: 0,
  BUY: 0.5,
  STRONG_BUY: 1,
});

/** Long-only variant of {@link DEFAULT_EXPOSURE}: sells go flat. */
export const LONG_ONLY_EXPOSURE: ExposureMapping = Object.freeze({
  STRONG_SELL: 0,
  SELL: 0,
  HOLD: 0,
  BUY: 0.5,
  STRONG_BUY: 1,
});

/** Target exposure of a decision under a mapping (default {@link DEFAULT_EXPOSURE}). */
function checkDecision(decision: unknown): Decision {
  if (typeof decision === 'string' && (DECISIONS as readonly string[]).includes(decision)) return decision as Decision;
  throw new TradeR1Error(
    'INVALID_DECISION',
    `Expected one of ${DECISIONS.join(', ')}, got ${JSON.stringify(String(decision))}`,
    {
      details: { field: 'decision', decision: String(decision) },
    },
  );
}

export function decisionToExposure(decision: Decision, mapping: ExposureMapping = DEFAULT_EXPOSURE): number {
  const level = checkDecision(decision);
  const value = (mapping as Record<string, unknown> | null | undefined)?.[level];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TradeR1Error('INVALID_INPUT', `The exposure mapping needs a finite number for ${level}`, {
      details: { field: `mapping.${level}` },
    });
  }
  return value;
}

/** Rank of a decision on the scale: STRONG_SELL 0 … STRONG_BUY 4. */
export function decisionRank(decision: Decision): number {
  return DECISIONS.indexOf(checkDecision(decision));
}

/** Direction of a decision: −1 (sell side), 0 (hold), +1 (buy side). */
export function decisionDirection(decision: Decision): -1 | 0 | 1 {
  const rank = decisionRank(decision);
  return rank < 2 ? -1 : rank > 2 ? 1 : 0;
}

/**
 * Signed conviction of a decision in [−1, 1]: STRONG_SELL −1, SELL −0.5, HOLD 0, BUY 0.5, STRONG_BUY 1.
 * Used to compare a decision with a stance score on the same scale.
 */
export function decisionSignal(decision: Decision): number {
  return (decisionRank(decision) - 2) / 2;
}
