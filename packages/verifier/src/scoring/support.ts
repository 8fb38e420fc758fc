/**
 * The support model: a logistic combination of a claim's evidence features (lexical coverage, semantic
 * similarity, and the share of its figures, entities, periods and directions the evidence confirms) into a
 * support probability in [0, 1]. Pure functions; the weights are data, fitted on the training split of the
 * evaluation set (`eval/run.ts --fit`) and overridable.
 */

import { TradeR1Error } from '@trade-r1/core';
import { assertArray, assertChecks, assertNumber, assertNumberArray, assertRecord } from '../arguments.ts';
import type { ClaimChecks } from '../checks/check-claim.ts';
import { FITTED_SUPPORT_MODEL } from './default-support-model.ts';

/** The features of one claim against its best evidence. Every feature is in [0, 1]. */
export interface SupportFeatures {
  /** IDF-weighted share of the claim's content terms present in its best evidence chunk. */
  lexical: number;
  /** The same share in the single best evidence sentence. */
  lexicalSentence: number;
  /**
   * Soft coverage of the claim's words by its best evidence sentence: words stated in other words count by their
   * word-vector similarity (see `softCoverage`).
   */
  softLexical: number;
  /** Cosine similarity of claim and best chunk embeddings, mapped from [0.3, 0.9] to [0, 1]. */
  semantic: number;
  /** Share of the claim's figures matched by the evidence (0 when it has none). */
  numbersMatched: number;
  /** Share of the claim's figures not found in the evidence (0 when it has none). */
  numbersMissing: number;
  /** 1 when at least one of the claim's figures is not found in the evidence, else 0. */
  anyNumberMissing: number;
  /** 1 when a company the claim names is not in the evidence, else the share of its other names not found. */
  entitiesMissing: number;
  /** Share of the claim's periods not found in the evidence. */
  periodsMissing: number;
  /** Share of the claim's direction words confirmed by the evidence. */
  directionsMatched: number;
  /** 1 when the claim reads as a keyword list (almost no function words), else 0. */
  keywordList: number;
  /** Share of the claim's specifics (figures, named entities, periods) the evidence confirms (0 when none). */
  specificsMatched: number;
}

/** Logistic model weights: `support = σ(bias + Σ weight·feature)`. */
export interface SupportModel {
  /** Intercept. */
  bias: number;
  /** One weight per feature. */
  weights: Readonly<Record<keyof SupportFeatures, number>>;
}

/** Feature names in a fixed order (for fitting and serialising). */
export const SUPPORT_FEATURES: ReadonlyArray<keyof SupportFeatures> = [
  'lexical',
  'lexicalSentence',
  'softLexical',
  'semantic',
  'numbersMatched',
  'numbersMissing',
  'anyNumberMissing',
  'entitiesMissing',
  'periodsMissing',
  'directionsMatched',
  'keywordList',
  'specificsMatched',
];

/** The default support model: fitted by `scripts/fit-support-model.ts` on pairs from real text (see that file). */
export const DEFAULT_SUPPORT_MODEL: SupportModel = FITTED_SUPPORT_MODEL;

/** Logistic function, safe for any finite input. */
export function sigmoid(value: number): number {
  assertNumber(value, 'sigmoid()', 'value');
  if (!Number.isFinite(value)) return value > 0 ? 1 : 0;
  return value >= 0 ? 1 / (1 + Math.exp(-value)) : Math.exp(value) / (1 + Math.exp(value));
}

/** Support probability of a feature vector under a model. */
export function supportProbability(features: SupportFeatures, model: SupportModel = DEFAULT_SUPPORT_MODEL): number {
  assertRecord(features, 'supportProbability()', 'features');
  assertRecord(model, 'supportProbability()', 'model');
  assertNumber(model.bias, 'supportProbability()', 'model.bias');
  assertRecord(model.weights, 'supportProbability()', 'model.weights');
  let z = model.bias;
  for (const name of SUPPORT_FEATURES) z += (model.weights[name] ?? 0) * (features[name] ?? 0);
  const probability = sigmoid(z);
  return Number.isFinite(probability) ? probability : 0;
}

function share(count: number, total: number): number {
  return total === 0 ? 0 : count / total;
}

/** The check-derived features. */
export function checkFeatures(
  checks: ClaimChecks,
): Pick<
  SupportFeatures,
  | 'numbersMatched'
  | 'numbersMissing'
  | 'anyNumberMissing'
  | 'entitiesMissing'
  | 'periodsMissing'
  | 'directionsMatched'
  | 'specificsMatched'
> {
  assertChecks(checks, 'checkFeatures()', 'checks');
  const count = (items: ReadonlyArray<{ status: string }>, status: string): number =>
    items.filter((item) => item.status === status).length;
  return {
    numbersMatched: share(count(checks.numbers, 'matched'), checks.numbers.length),
    numbersMissing: share(count(checks.numbers, 'missing'), checks.numbers.length),
    anyNumberMissing: count(checks.numbers, 'missing') > 0 ? 1 : 0,
    entitiesMissing: checks.entities.some((entity) => entity.status === 'missing' && entity.kind === 'company')
      ? 1
      : share(count(checks.entities, 'missing'), checks.entities.length),
    periodsMissing: share(count(checks.periods, 'missing'), checks.periods.length),
    directionsMatched: share(count(checks.directions, 'matched'), checks.directions.length),
    specificsMatched: share(
      count(checks.numbers, 'matched') + count(checks.entities, 'matched') + count(checks.periods, 'matched'),
      checks.numbers.length + checks.entities.length + checks.periods.length,
    ),
  };
}

/** Map a cosine similarity onto [0, 1] (0 at or below `low`, 1 at or above `high`). */
export function semanticFeature(cosine: number, low = 0.3, high = 0.9): number {
  assertNumber(cosine, 'semanticFeature()', 'cosine');
  assertNumber(low, 'semanticFeature()', 'low');
  assertNumber(high, 'semanticFeature()', 'high');
  if (!Number.isFinite(cosine)) return 0;
  return Math.max(0, Math.min(1, (cosine - low) / (high - low)));
}

/** How the three pair scores are combined into `s`. */
export type Aggregate = 'mean' | 'min' | 'geometric';

/** Combine factuality, deduction and consistency into `s ∈ [0, 1]`. */
export function aggregateScores(scores: readonly number[], aggregate: Aggregate = 'mean'): number {
  assertNumberArray(scores, 'aggregateScores()', 'scores');
  if (aggregate !== 'mean' && aggregate !== 'min' && aggregate !== 'geometric') {
    throw new TradeR1Error('INVALID_INPUT', "aggregateScores(): aggregate must be 'mean', 'min' or 'geometric'", {
      details: { function: 'aggregateScores()', field: 'aggregate' },
    });
  }
  const clean = scores.map((score) => (Number.isFinite(score) ? Math.max(0, Math.min(1, score)) : 0));
  if (clean.length === 0) return 0;
  if (aggregate === 'min') return Math.min(...clean);
  if (aggregate === 'geometric') {
    if (clean.some((score) => score === 0)) return 0;
    return Math.exp(clean.reduce((sum, score) => sum + Math.log(score), 0) / clean.length);
  }
  return clean.reduce((sum, score) => sum + score, 0) / clean.length;
}

/**
 * True when a text reads as (or contains) a list of keywords: at least 6 words with under 12% function words, or
 * a run of 8 or more consecutive lower-case content words (`hasKeywordRun`; prose rarely strings more than five
 * together).
 */
export function isKeywordList(tokens: ReadonlyArray<{ stop: boolean; lower: string; raw?: string }>): boolean {
  assertArray(tokens, 'isKeywordList()', 'tokens');
  tokens.forEach((token, index) => {
    if (typeof (token as { lower?: unknown } | null)?.lower !== 'string') {
      throw new TradeR1Error(
        'INVALID_INPUT',
        `isKeywordList(): tokens[${index}] must be a word token { lower, stop }`,
        {
          details: { function: 'isKeywordList()', field: `tokens[${index}]` },
        },
      );
    }
  });
  const words = tokens.filter((token) => /[a-z]/.test(token.lower));
  if (words.length < 6) return false;
  const stopShare = words.filter((token) => token.stop).length / words.length;
  return stopShare < 0.12 || hasKeywordRun(tokens);
}

/**
 * True when a text strings 8 or more content words together without a function word or a figure between them —
 * a keyword list hidden inside otherwise terse text (a quote such as "RSI14 66.4 ahead technical growth trend
 * average neutral macro thresholds looks stretched" is stuffed; "close 131.82 vs SMA20 113.03" is not).
 */
export function hasKeywordRun(
  tokens: ReadonlyArray<{ stop: boolean; lower: string; raw?: string }>,
  length = 8,
): boolean {
  let run = 0;
  for (const token of tokens) {
    // Capitalised words neither extend nor break a run: names string content words together in ordinary prose
    // ("the European Commission's State Aid decision cut diluted EPS").
    if (token.raw !== undefined && /^[A-Z]/.test(token.raw) && !token.stop) continue;
    // Figures break a run ("cloud services climbed 31%; AI workloads added…" is prose).
    run = token.stop || !/[a-z]/.test(token.lower) ? 0 : run + 1;
    if (run >= length) return true;
  }
  return false;
}
