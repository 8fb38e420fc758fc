import { DECISIONS, type Decision, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { parseDecisionTag } from '../decision-tag.ts';
import { lastLinesSchema, parseOptions, safeString } from '../validate.ts';

// truth, orientation and matrix are checked below with their own codes (INVALID_DECISION / INVALID_CONFIG).
const decisionRewardOptionsSchema = z.strictObject({
  predicted: z.enum(DECISIONS).nullable().optional(),
  completion: z.string().optional(),
  truth: z.unknown(),
  orientation: z.unknown(),
  matrix: z.unknown().optional(),
  scale: z.number().optional(),
  unparseableReward: z.number().optional(),
  lastLines: lastLinesSchema.optional(),
});

/** A 5×5 reward matrix over {@link DECISIONS} (STRONG_SELL, SELL, HOLD, BUY, STRONG_BUY). */
export type DecisionMatrix = readonly (readonly number[])[];

/**
 * Trading-R1's decision matrix M as transcribed (papers.md §2.5), **rows = predicted d̂, columns = true d***, in the
 * order STRONG_SELL, SELL, HOLD, BUY, STRONG_BUY. Note the orientation conflict with the paper's prose (it says
 * false-bullish errors cost more, which holds only for the transpose); choose with `orientation`.
 */
export const TRADING_R1_DECISION_MATRIX: DecisionMatrix = Object.freeze([
  Object.freeze([1.0, 0.75, -1.25, -2.0, -2.25]),
  Object.freeze([0.75, 1.0, -0.75, -1.5, -2.0]),
  Object.freeze([-1.5, -1.0, 1.0, -1.0, -1.5]),
  Object.freeze([-1.75, -1.25, -0.75, 1.0, 0.75]),
  Object.freeze([-2.0, -1.5, -1.25, 0.75, 1.0]),
]);

/** Reward when no valid decision can be parsed (papers.md §2.5). */
export const UNPARSEABLE_DECISION_REWARD = -1.5;

/**
 * How the matrix is indexed. `'rows-predicted'`: `M[predicted][true]` (the table as transcribed);
 * `'rows-true'`: `M[true][predicted]` (the transpose, matching the paper's prose about false-bullish errors).
 */
export type MatrixOrientation = 'rows-predicted' | 'rows-true';

/** Options for {@link decisionReward}. */
export interface DecisionRewardOptions {
  /** The predicted decision, or `null` when none could be parsed. Alternative to `completion`. */
  predicted?: Decision | null;
  /** The completion to parse the decision from (`[[DECISION]]` in its last 3 lines). */
  completion?: string;
  /** The true (label) decision d*. */
  truth: Decision;
  /** Indexing of `matrix`. Required: the paper's table and prose disagree, so there is no safe default. */
  orientation: MatrixOrientation;
  /** The reward matrix. @default TRADING_R1_DECISION_MATRIX */
  matrix?: DecisionMatrix;
  /**
   * λ_dec inside R_decision (`M[d̂, d*]·λ_dec`). The same λ also weights R_decision in R_investment, which would
   * scale it twice; keep this at 1 and weight in the sum unless you mean that. Not applied to the −1.5 penalty.
   * @default 1
   */
  scale?: number;
  /** Reward for an unparseable decision. @default UNPARSEABLE_DECISION_REWARD (−1.5) */
  unparseableReward?: number;
  /** Lines searched for the tag when parsing `completion`. @default 3 */
  lastLines?: number;
}

/** R_decision and the decision it was computed from. */
export interface DecisionRewardResult {
  /** `M[d̂, d*]·scale`, or the unparseable reward. */
  reward: number;
  /** The predicted decision (`null` when unparseable). */
  predicted: Decision | null;
  /** Whether a decision was parsed. */
  parsed: boolean;
}

/**
 * Trading-R1's Stage III reward (papers.md §2.5): `R_decision = M[d̂, d*]·λ_dec`, or −1.5 when no valid decision can
 * be parsed from the completion.
 * @throws {TradeR1Error} `INVALID_CONFIG` for a malformed matrix or orientation, `INVALID_DECISION` for a bad label,
 *   `INVALID_INPUT` naming the field for a `predicted` that is not a decision or null, wrong types or unknown keys.
 */
export function decisionReward(options: DecisionRewardOptions): DecisionRewardResult {
  parseOptions(decisionRewardOptionsSchema, options, 'decisionReward()');
  const matrix = options.matrix ?? TRADING_R1_DECISION_MATRIX;
  assertMatrix(matrix);
  if (options.orientation !== 'rows-predicted' && options.orientation !== 'rows-true') {
    throw new TradeR1Error('INVALID_CONFIG', "orientation must be 'rows-predicted' or 'rows-true'", {
      details: { orientation: safeString(options.orientation) },
    });
  }
  const truthIndex = DECISIONS.indexOf(options.truth);
  if (truthIndex < 0) {
    throw new TradeR1Error('INVALID_DECISION', `truth must be one of ${DECISIONS.join(', ')}`, {
      details: { truth: safeString(options.truth) },
    });
  }
  const predicted =
    options.predicted !== undefined
      ? options.predicted
      : options.completion !== undefined
        ? parseDecisionTag({ text: options.completion, lastLines: options.lastLines ?? 3 })
        : null;
  const predictedIndex = predicted === null ? -1 : DECISIONS.indexOf(predicted);
  if (predictedIndex < 0) {
    return { reward: options.unparseableReward ?? UNPARSEABLE_DECISION_REWARD, predicted: null, parsed: false };
  }
  const scale = options.scale ?? 1;
  const row = options.orientation === 'rows-predicted' ? predictedIndex : truthIndex;
  const column = options.orientation === 'rows-predicted' ? truthIndex : predictedIndex;
  return { reward: ((matrix[row] as readonly number[])[column] as number) * scale, predicted, parsed: true };
}

function assertMatrix(matrix: DecisionMatrix): void {
  const ok =
    Array.isArray(matrix) &&
    matrix.length === 5 &&
    matrix.every((row) => Array.isArray(row) && row.length === 5 && row.every((value) => Number.isFinite(value)));
  if (!ok) {
    throw new TradeR1Error('INVALID_CONFIG', 'decision matrix must be 5×5 finite numbers (STRONG_SELL…STRONG_BUY)', {
      details: { rows: Array.isArray(matrix) ? matrix.length : 'not an array' },
    });
  }
}
