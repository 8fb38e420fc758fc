/**
 * Stage 1 — claims: validate one verification request, extract its claims and class each one as factual, opinion
 * or meta. Pure (no I/O); the result is what retrieval and judgement work on.
 */
import { type Decision, parseWith, TradeR1Error } from '@trade-r1/core';
import { analyzeTextCached, type TextFacts } from '../checks/facts.ts';
import { type Claim, type DecisionTag, extractClaims, isEvaluative } from '../claims/extract.ts';
import { isKeywordList } from '../scoring/support.ts';
import { accumulateStance, type StanceScore } from '../stance/stance.ts';
import { type ResolvedVerifierOptions, type VerifyInput, verifyInputSchema } from '../verify/options.ts';
import type { ReportReason } from './report.ts';

/** A validated request with its classified claims. */
export interface PreparedReasoning {
  /** Claims classed as opinions only by their evaluative cues (no explicit marker): off topic, they count as facts. */
  cueOpinions: Set<string>;
  /** The validated input. */
  input: { ticker: string; asOf: string; reasoning: string; decision: Decision };
  /** Claims in reading order. */
  claims: Claim[];
  /** Facts of each claim (same order). */
  claimFacts: TextFacts[];
  /** Whether each claim carries a negation cue. */
  claimNegated: boolean[];
  /** The decision tag written in the reasoning. */
  decisionTag: DecisionTag | null;
  /** Conclusion spans (weighted in the reasoning stance). */
  conclusion: Array<{ start: number; end: number }>;
  /** Claims beyond `maxClaims`, not judged (they count against factuality). */
  unjudged: number;
  /** Reasons found so far. */
  reasons: ReportReason[];
}

const NEGATION_CUE = /\b(?:not|no|never|neither|nor|without|failed to|unable to)\b|n't\b/i;
/** A labelled conclusion line ("Conclusion: …", "Bottom line: …"). */
const CONCLUSION_LABEL = /^\W*(?:conclusion|in conclusion|bottom line|verdict|summary|overall|takeaway)\b\s*[:,-]/i;
/**
 * A recommendation: the sentence's point is the decision itself ("Earnings momentum supports a buy.", "We rate the
 * shares Overweight", "Accumulate on weakness"). Without a figure, period or other name it states no fact.
 */
const RECOMMENDATION =
  /\b(?:a|an|the|our|my)\s+(?:strong\s+)?(?:buy|sell|hold|overweight|underweight|outperform|underperform)\b(?!-)|\b(?:buy|sell|hold|overweight|underweight|outperform|underperform|accumulate)\s+(?:rating|recommendation|call|stance|signal|case|decision)\b|\b(?:we|i)\s+(?:recommend|reiterate|maintain|rate)\b|\brecommendation\b/i;

/**
 * Validate a request and extract its claims (see `extractClaims`), classing each one:
 * - keyword lists and statements naming another company are factual whatever their wording;
 * - a claim without a figure, period or other name is an opinion when it carries evaluative cues or is a
 *   recommendation ("Earnings momentum supports a buy."); cue-only opinions outside the conclusion are re-checked for
 *   topicality when judged (`cueOpinions`).
 */
export function prepareReasoning(raw: VerifyInput, settings: ResolvedVerifierOptions): PreparedReasoning {
  const input = parseWith(verifyInputSchema, raw, { label: 'verify() input' });
  if (input.reasoning.length > settings.maxReasoningChars) {
    throw new TradeR1Error(
      'TOO_LARGE',
      `Reasoning has ${input.reasoning.length} characters, more than maxReasoningChars (${settings.maxReasoningChars}); raise the option or shorten the text`,
      { details: { length: input.reasoning.length, maxReasoningChars: settings.maxReasoningChars } },
    );
  }
  const reasons: ReportReason[] = [];
  const empty = input.reasoning.trim() === '';
  const extracted = empty
    ? { claims: [], decisionTag: null, conclusionSpans: [], droppedClaims: 0 }
    : extractClaims(input.reasoning, { maxClaims: settings.maxClaims });
  if (empty) reasons.push('EMPTY_REASONING');
  else if (extracted.claims.length === 0) reasons.push('NO_CLAIMS');
  if (extracted.decisionTag && extracted.decisionTag.decision !== input.decision) reasons.push('DECISION_TAG_MISMATCH');
  if (extracted.droppedClaims > 0) reasons.push('CLAIM_LIMIT');
  const claimFacts = extracted.claims.map((claim) => analyzeTextCached(claim.text));
  const cueOpinions = new Set<string>();
  const claims = extracted.claims.map((claim, index): Claim => {
    const facts = claimFacts[index] as TextFacts;
    const companies = facts.entities.filter((entity) => entity.kind === 'company' && entity.key !== input.ticker);
    // Keyword lists and statements naming another company are checkable whatever their wording.
    if (claim.opinion && claim.kind !== 'quote' && (isKeywordList(facts.tokens) || companies.length > 0)) {
      return { ...claim, opinion: false, category: 'factual' };
    }
    if (claim.opinion) return claim;
    const specifics =
      facts.quantities.length +
      facts.periods.length +
      facts.entities.filter((entity) => entity.key !== input.ticker).length;
    if (specifics > 0 || claim.kind === 'quote' || isKeywordList(facts.tokens)) return claim;
    const cues: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
    accumulateStance(claim.text, 1, cues, facts);
    const marked = isEvaluative(claim.text);
    const concluding =
      claim.section === 'conclusion' || claim.kind === 'conclusion' || CONCLUSION_LABEL.test(claim.text);
    const recommends = RECOMMENDATION.test(claim.text);
    const evaluative = cues.cues > 0 || marked || recommends;
    // Opinions by stance cues alone are re-checked for topicality when judged; the conclusion's own evaluation
    // ("Conclusion: a mixed picture; hold.") and a recommendation are opinions wherever they stand.
    if (evaluative && !marked && !concluding && !recommends) cueOpinions.add(claim.id);
    return evaluative ? { ...claim, opinion: true, category: 'opinion' } : claim;
  });
  return {
    input,
    claims,
    claimFacts,
    claimNegated: extracted.claims.map((claim) => NEGATION_CUE.test(claim.text)),
    cueOpinions,
    decisionTag: extracted.decisionTag,
    conclusion: extracted.conclusionSpans,
    unjudged: extracted.droppedClaims,
    reasons,
  };
}
