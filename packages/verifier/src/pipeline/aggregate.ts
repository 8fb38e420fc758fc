/**
 * Stage 5 — aggregation: the three pair scores of the triangle from the claim verdicts, the reasoning and the
 * evidence pool, and the flags. Pure functions.
 */
import { type Decision, decisionSignal } from '@trade-r1/core';
import type { DecisionTag } from '../claims/extract.ts';
import { finishStance, type StanceScore, scoreReasoningStance, stanceAgreement } from '../stance/stance.ts';
import type { ResolvedVerifierOptions } from '../verify/options.ts';
import type { PoolEntry } from './pool.ts';
import type { ClaimVerdict } from './report.ts';

/**
 * A claim that is an opinion only by its polarity cues stays an opinion when its best evidence covers at least this
 * share of its weighted terms, or is at least this similar (semantic feature); otherwise it counts as factual.
 */
const OPINION_TOPIC_LEXICAL = 0.35;
const OPINION_TOPIC_SEMANTIC = 0.5;

/**
 * Re-class off-topic cue-only opinions as factual: evaluative wording alone does not make off-topic text an
 * opinion about this company ("regulators opened an investigation", fluent text with a positive word).
 */
export function reclassOffTopicOpinions(verdicts: ClaimVerdict[], cueOpinions: ReadonlySet<string>): void {
  for (const verdict of verdicts) {
    const offTopic =
      verdict.features.lexical < OPINION_TOPIC_LEXICAL && verdict.features.semantic < OPINION_TOPIC_SEMANTIC;
    if (verdict.category === 'opinion' && offTopic && cueOpinions.has(verdict.id)) {
      verdict.category = 'factual';
      verdict.opinion = false;
    }
  }
}

/** Factuality and hallucination rate. */
export interface FactualityScore {
  /** Factuality in [0, 1]. */
  factuality: number;
  /** Share of factual claims (judged or not) that are not supported. */
  hallucinationRate: number;
  /** True when nothing was checkable (no factual claim, none contradicted). */
  nothingCheckable: boolean;
}

/**
 * Factuality over the factual claims (opinions weigh `opinionWeight`, 0 by default; meta statements never count):
 * the weighted mean claim credit — supported 0.8–1 (by support), unsupported at most half its support, contradicted
 * 0 — where a claim the evidence fails to support weighs `unsupportedWeight`, times `contradictionPenalty` per
 * contradicted claim. `unjudged` claims (beyond `maxClaims`) count as unsupported factual claims with no credit.
 */
export function scoreFactuality(
  verdicts: readonly ClaimVerdict[],
  unjudged: number,
  settings: Pick<ResolvedVerifierOptions, 'opinionWeight' | 'unsupportedWeight' | 'contradictionPenalty'>,
): FactualityScore {
  let weightSum = unjudged * settings.unsupportedWeight;
  let supportSum = 0;
  let contradicted = 0;
  for (const verdict of verdicts) {
    if (verdict.category === 'meta') continue;
    if (verdict.verdict === 'contradicted') contradicted += 1;
    let weight = verdict.category === 'opinion' ? settings.opinionWeight : 1;
    if (verdict.verdict === 'contradicted' || (verdict.verdict !== 'supported' && verdict.category === 'factual')) {
      weight = settings.unsupportedWeight;
    }
    weightSum += weight;
    const credit =
      verdict.verdict === 'supported'
        ? 0.8 + 0.2 * verdict.support
        : verdict.verdict === 'contradicted'
          ? 0
          : 0.5 * verdict.support;
    supportSum += weight * credit;
  }
  const factual = verdicts.filter((verdict) => verdict.category === 'factual');
  const factualCount = factual.length + unjudged;
  const unsupported = factual.filter((verdict) => verdict.verdict !== 'supported').length + unjudged;
  const hallucinationRate = factualCount === 0 ? 0 : unsupported / factualCount;
  if (factualCount === 0 && contradicted === 0) return { factuality: 0.5, hallucinationRate, nothingCheckable: true };
  return {
    factuality: (weightSum > 0 ? supportSum / weightSum : 0) * settings.contradictionPenalty ** contradicted,
    hallucinationRate,
    nothingCheckable: false,
  };
}

/**
 * Deduction: the reasoning's stance (conclusion weighted) against the decision; a tag naming another decision caps
 * it at the tag's own agreement with the decision.
 */
export function scoreDeduction(
  reasoning: string,
  decision: Decision,
  options: {
    hasClaims: boolean;
    conclusionSpans: ReadonlyArray<{ start: number; end: number }>;
    conclusionWeight: number;
    decisionTag: DecisionTag | null;
  },
): { deduction: number; stance: number } {
  if (!options.hasClaims) return { deduction: 0, stance: 0 };
  const stance = scoreReasoningStance(reasoning, {
    conclusionSpans: [...options.conclusionSpans],
    conclusionWeight: options.conclusionWeight,
  }).stance;
  let deduction = stanceAgreement(stance, decision);
  if (options.decisionTag && options.decisionTag.decision !== decision) {
    deduction = Math.min(deduction, stanceAgreement(decisionSignal(options.decisionTag.decision), decision));
  }
  return { deduction, stance };
}

/**
 * Consistency: the stance of the evidence — cited chunks weighted by their relevance, plus the pool's top `k`
 * chunks at 0.5 — against the decision. Returns the weights too (the cited evidence an LLM judge reads).
 */
export function scoreConsistency(
  verdicts: readonly ClaimVerdict[],
  pool: readonly PoolEntry[],
  decision: Decision,
  k: number,
): { consistency: number; stance: number; weights: Map<string, number> } {
  const weights = new Map<string, number>();
  for (const verdict of verdicts) {
    for (const citation of verdict.citations) {
      weights.set(citation.chunkId, Math.max(weights.get(citation.chunkId) ?? 0, citation.score));
    }
  }
  for (const entry of pool.slice(0, k)) {
    if (!weights.has(entry.hit.chunkId)) weights.set(entry.hit.chunkId, 0.5);
  }
  const mass: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
  for (const entry of pool) {
    const weight = weights.get(entry.hit.chunkId);
    if (weight === undefined || weight <= 0) continue;
    mass.bullish += weight * entry.stance.bullish;
    mass.bearish += weight * entry.stance.bearish;
    mass.neutral += weight * entry.stance.neutral;
    mass.cues += entry.stance.cues;
  }
  const stance = finishStance(mass).stance;
  return { consistency: pool.length === 0 ? 0 : stanceAgreement(stance, decision), stance, weights };
}

/** The report's flags from its scores, counts and reasons. */
export function reportFlags(
  scores: { factuality: number; deduction: number; consistency: number },
  hallucinationRate: number,
  counts: { contradicted: number; unjudged: number },
  reasons: readonly string[],
  thresholds: ResolvedVerifierOptions['thresholds'],
): string[] {
  const flags: string[] = [];
  if (counts.contradicted > 0) flags.push('contradicted-claim');
  if (scores.factuality < thresholds.factuality) flags.push('low-factuality');
  if (hallucinationRate > thresholds.hallucinationRate) flags.push('high-hallucination-rate');
  if (scores.deduction < thresholds.deduction) flags.push('low-deduction');
  if (scores.consistency < thresholds.consistency) flags.push('low-consistency');
  if (reasons.includes('DECISION_TAG_MISMATCH')) flags.push('decision-tag-mismatch');
  if (counts.unjudged > 0) flags.push('claim-limit');
  return flags;
}
