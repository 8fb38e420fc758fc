/**
 * The default support model, written by `scripts/fit-support-model.ts` (do not edit by hand): a logistic regression
 * over the alignment features, fitted on 4782 claim–evidence pairs generated from real text — TAT-QA dev
 * tables and paragraphs (CC BY 4.0; Zhu et al., "TAT-QA: A Question Answering Benchmark on a Hybrid of Tabular and
 * Textual Content in Finance", ACL 2021) and FNSPID news sentences — with meaning-preserving rewrites as positives and
 * meaning-changing ones as negatives. Validation AUROC 0.839 on 1135 held-back pairs.
 */
import type { SupportModel } from './support.ts';

/** Fitted weights (seed 20261203). */
export const FITTED_SUPPORT_MODEL: SupportModel = {
  bias: -1.128,
  weights: {
    lexical: -0.183,
    lexicalSentence: 2.355,
    softLexical: -0.769,
    semantic: 0.976,
    numbersMatched: 0.525,
    numbersMissing: 0.796,
    anyNumberMissing: -2.7,
    entitiesMissing: -2.331,
    periodsMissing: 0.535,
    directionsMatched: -0.274,
    keywordList: -2.358,
    specificsMatched: 0.157,
  },
};
