import type { Decision } from '@trade-r1/core';
import { z } from 'zod';
import { assertNonNegative, parseOptions } from '../validate.ts';
import { type DecisionMatrix, decisionReward, type MatrixOrientation } from './decision.ts';
import { evidenceReward } from './evidence.ts';
import { structureReward } from './structure.ts';

/** λ weights of R_investment. The paper's values are NOT FOUND (papers.md §2.5). */
export interface InvestmentRewardWeights {
  /** λ_struct. @default 1 */
  structure?: number;
  /** λ_evid. @default 1 */
  evidence?: number;
  /** λ_dec. @default 1 */
  decision?: number;
}

/** Options for {@link investmentReward}. */
export interface InvestmentRewardOptions {
  /** The model's completion. */
  completion: string;
  /** The true decision label d*. */
  truth: Decision;
  /** Decision-matrix indexing (see `decisionReward`). */
  orientation: MatrixOrientation;
  /**
   * λ weights. The paper's λs are NOT FOUND, so the defaults (all 1) are a neutral choice, not the paper's; stage
   * your rewards as Trading-R1 did by zeroing the weights of the stages you are not training.
   */
  weights?: InvestmentRewardWeights;
  /** Decision matrix. @default TRADING_R1_DECISION_MATRIX */
  matrix?: DecisionMatrix;
  /** Accept `"…"` quotes and `SOURCES:` labels as evidence. @default false */
  acceptPlainTextEvidence?: boolean;
}

/** R_investment and its components. */
export interface InvestmentRewardResult {
  /** `λ_struct·R_structure + λ_evid·R_evidence + λ_dec·R_decision`. */
  reward: number;
  /** Unweighted component values. */
  components: { structure: number; evidence: number; decision: number };
  /** The weights used. */
  weights: Required<InvestmentRewardWeights>;
  /** The parsed decision (`null` when unparseable). */
  predicted: Decision | null;
}

// truth, orientation, matrix and the weights' values are checked by decisionReward and the asserts below.
const investmentRewardOptionsSchema = z.strictObject({
  completion: z.string(),
  truth: z.unknown(),
  orientation: z.unknown(),
  weights: z
    .strictObject({
      structure: z.unknown().optional(),
      evidence: z.unknown().optional(),
      decision: z.unknown().optional(),
    })
    .optional(),
  matrix: z.unknown().optional(),
  acceptPlainTextEvidence: z.boolean().optional(),
});

/**
 * Trading-R1's aggregate reward (papers.md §2.5):
 * `R_investment(x) = λ_struct·R_structure + λ_evid·R_evidence + λ_dec·R_decision`, with R_decision unscaled inside
 * (so λ_dec applies once).
 */
export function investmentReward(options: InvestmentRewardOptions): InvestmentRewardResult {
  parseOptions(investmentRewardOptionsSchema, options, 'investmentReward()');
  const weights = {
    structure: options.weights?.structure ?? 1,
    evidence: options.weights?.evidence ?? 1,
    decision: options.weights?.decision ?? 1,
  };
  assertNonNegative(weights.structure, 'weights.structure');
  assertNonNegative(weights.evidence, 'weights.evidence');
  assertNonNegative(weights.decision, 'weights.decision');
  const structure = structureReward({ completion: options.completion }).reward;
  const evidence = evidenceReward({
    completion: options.completion,
    acceptPlainTextEvidence: options.acceptPlainTextEvidence ?? false,
  }).reward;
  const decision = decisionReward({
    completion: options.completion,
    truth: options.truth,
    orientation: options.orientation,
    ...(options.matrix && { matrix: options.matrix }),
  });
  return {
    reward: weights.structure * structure + weights.evidence * evidence + weights.decision * decision.reward,
    components: { structure, evidence, decision: decision.reward },
    weights,
    predicted: decision.predicted,
  };
}
