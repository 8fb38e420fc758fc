/**
 * The default support model, written by `scripts/fit-support-model.ts` (do not edit by hand): a logistic regression
 * over the alignment features, fitted on 4784 claim–evidence pairs generated from real text — TAT-QA dev
 * tables and paragraphs (CC BY 4.0; Zhu et al., "TAT-QA: A Question Answering Benchmark on a Hybrid of Tabular and
 * Textual Content in Finance", ACL 2021) and FNSPID news sentences — with meaning-preserving rewrites as positives and
 * meaning-changing ones as negatives. Validation AUROC 0.838 on 1136 held-back pairs.
 * `DEFAULT_SUPPORT_THRESHOLD` keeps 95% of the validation positives at or above it.
 */
import type { SupportModel } from './support.ts';

/** Fitted weights (seed 20261203). */
export const FITTED_SUPPORT_MODEL: SupportModel = {
  bias: -1.171,
  weights: {
    lexical: -0.15,
    lexicalSentence: 2.39,
    softLexical: -0.81,
    semantic: 0.953,
    numbersMatched: 0.562,
    numbersMissing: 0.756,
    anyNumberMissing: -2.605,
    entitiesMissing: -2.31,
    periodsMissing: 0.554,
    directionsMatched: -0.289,
    keywordList: -2.337,
    specificsMatched: 0.156,
  },
};

/** Support at or above which a claim is supported (chosen on the validation pairs). */
export const DEFAULT_SUPPORT_THRESHOLD = 0.227;
