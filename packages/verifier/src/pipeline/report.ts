/**
 * The report a verification returns: per-claim verdicts with their evidence, the three pair scores of the
 * triangle and their aggregate, flags and reasons. Plain JSON (no typed arrays, no NaN).
 */
import type { Decision } from '@trade-r1/core';
import type { ClaimChecks } from '../checks/check-claim.ts';
import type { ClaimCategory, ClaimKind } from '../claims/extract.ts';
import type { EntailmentScores, PairJudgement } from '../judges/types.ts';
import type { SupportFeatures } from '../scoring/support.ts';

/** Verdict of one claim. */
export type ClaimVerdictLabel = 'supported' | 'contradicted' | 'unsupported';

/** A piece of evidence a claim was checked against. */
export interface Citation {
  /** Document id. */
  documentId: string;
  /** `documentId#chunkIndex`. */
  chunkId: string;
  /** Chunk index in the document. */
  chunkIndex: number;
  /** Publication instant (always at or before the report's `asOf`). */
  publishedAt: string;
  /** Document title. */
  title: string;
  /** Relevance of the chunk to the claim in [0, 1] (lexical coverage and embedding similarity). */
  score: number;
}

/** The verdict on one claim. */
export interface ClaimVerdict {
  /** Claim id (`c0`, …). */
  id: string;
  /** Claim text. */
  text: string;
  /** Character span in the reasoning. */
  start: number;
  /** End of the span (exclusive). */
  end: number;
  /** XML section, if any. */
  section: string | null;
  /** How the claim was found (sentence, bullet, quote, table row, conclusion, summary line). */
  kind: ClaimKind;
  /** Factual (scored for factuality), opinion or meta (about the analysis itself); see `ClaimCategory`. */
  category: ClaimCategory;
  /** True when the claim is not factual (`category` is `opinion` or `meta`). */
  opinion: boolean;
  /** Supported, contradicted (a figure, period, entity, direction or negation conflicts), or unsupported. */
  verdict: ClaimVerdictLabel;
  /** Calibrated support in [0, 1] (near 0 for contradicted claims). */
  support: number;
  /** The support model's inputs. */
  features: SupportFeatures;
  /** Deterministic checks. */
  checks: ClaimChecks;
  /** Entailment model scores against the best evidence, when a model is plugged in. */
  entailment: EntailmentScores | null;
  /**
   * For a claim presented as a quotation (kind `quote`, at least six words): whether admissible evidence contains it
   * word for word (case, quote marks and punctuation aside; an ellipsis or `[…]` may stand for omitted text). A
   * quotation not found is at most `unsupported`. `null` for other claims.
   */
  quoteFound: boolean | null;
  /** The claim's top-k evidence, best first. */
  citations: Citation[];
}

/** Why scores are zero or degraded. */
export type ReportReason =
  | 'EMPTY_REASONING'
  | 'NO_CLAIMS'
  | 'NO_FACTUAL_CLAIMS'
  | 'NO_EVIDENCE'
  | 'DECISION_TAG_MISMATCH'
  /** More claims than `maxClaims`: the claims beyond it were not judged and count as unsupported factual claims. */
  | 'CLAIM_LIMIT';

/** The verification report. JSON-serialisable and deterministic for the same inputs and configuration. */
export interface VerificationReport {
  /** Ticker verified. */
  ticker: string;
  /** Decision time (UTC ISO instant); no evidence published after it was used. */
  asOf: string;
  /** The decision verified. */
  decision: Decision;
  /** The three pair scores and their aggregate, each in [0, 1]. */
  scores: {
    /**
     * Evidence → reasoning: the weighted mean credit of the factual claims (supported 0.8–1, unsupported
     * ≤ 0.5·support and weighing `unsupportedWeight`, contradicted 0), times `contradictionPenalty` per contradicted
     * claim; 0.5 when the reasoning has no factual claim (nothing checkable, reason `NO_FACTUAL_CLAIMS`).
     */
    factuality: number;
    /** Reasoning → decision: agreement of the reasoning's stance with the decision. */
    deduction: number;
    /** Evidence → decision: agreement of the evidence's stance with the decision. */
    consistency: number;
    /** Aggregate of the three (`aggregate`). */
    s: number;
  };
  /** How `s` was aggregated. */
  aggregate: 'mean' | 'min' | 'geometric';
  /** Share of factual claims that are unsupported or contradicted, in [0, 1] (0 when none is factual). */
  hallucinationRate: number;
  /** Stances in [−1, 1] and the decision's signal. */
  stance: { reasoning: number; evidence: number; decision: number };
  /** The decision tag written in the reasoning (`[[BUY]]`), if any. */
  decisionTag: Decision | null;
  /** Claim counts by verdict. */
  counts: {
    claims: number;
    supported: number;
    contradicted: number;
    unsupported: number;
    /** Claims beyond `maxClaims`, not judged: each counts as an unsupported factual claim (reason `CLAIM_LIMIT`). */
    unjudged: number;
  };
  /** Per-claim verdicts. */
  claims: ClaimVerdict[];
  /** Evidence pool size and how many chunks were cited. */
  evidence: { candidates: number; cited: number };
  /** Problems found, by the configured thresholds (e.g. `contradicted-claim`, `low-deduction`). */
  flags: string[];
  /** Why a score is zero or degraded. */
  reasons: ReportReason[];
  /** Scores of plugged-in judges before blending, if any. */
  judges: { llm: PairJudgement | null };
  /** Models used. */
  models: { embedder: string; entailment: string | null; llm: string | null };
  /** Hash of the configuration that produced the report. */
  configHash: string;
}
