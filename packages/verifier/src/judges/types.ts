import type { Decision } from '@trade-r1/core';

/** Probabilities of the three NLI labels for one premise–hypothesis pair (they sum to 1). */
export interface EntailmentScores {
  /** The premise entails the hypothesis. */
  entailment: number;
  /** Neither. */
  neutral: number;
  /** The premise contradicts the hypothesis. */
  contradiction: number;
}

/** A premise (evidence) and a hypothesis (claim). */
export interface EntailmentPair {
  /** Evidence text. */
  premise: string;
  /** Claim text. */
  hypothesis: string;
}

/**
 * A natural-language-inference model that scores whether evidence entails a claim. `createEntailmentModel`
 * implements it over a transformers.js cross-encoder; implement it yourself to plug in any other model.
 */
export interface EntailmentModel {
  /** Identifies the model (recorded in reports). */
  readonly modelId: string;
  /** Score a batch of pairs, in input order. */
  classify(pairs: readonly EntailmentPair[], options?: { signal?: AbortSignal }): Promise<EntailmentScores[]>;
  /** Release resources. Idempotent. */
  close(): Promise<void>;
}

/** An evidence excerpt shown to a pair judge. */
export interface JudgeEvidence {
  /** Citation id (`documentId#chunkIndex`). */
  id: string;
  /** Publication instant. */
  publishedAt: string;
  /** Title. */
  title: string;
  /** Excerpt text. */
  text: string;
}

/** What a pair judge sees. */
export interface PairJudgeInput {
  /** Ticker under analysis. */
  ticker: string;
  /** Decision time (UTC ISO instant). */
  asOf: string;
  /** The decision. */
  decision: Decision;
  /** The reasoning text. */
  reasoning: string;
  /** Retrieved point-in-time evidence. */
  evidence: readonly JudgeEvidence[];
}

/** A judge's scores of Trade-R1's three pairs, each in [0, 1]. */
export interface PairJudgement {
  /** Evidence → reasoning. */
  factuality: number;
  /** Reasoning → decision. */
  deduction: number;
  /** Evidence → decision. */
  consistency: number;
  /** The judge's short explanation, if it gave one. */
  rationale?: string;
}

/**
 * A judge of the three pairs (e.g. an LLM). `createLlmJudge` implements it over any OpenAI-compatible chat
 * endpoint; implement it yourself to plug in anything else.
 */
export interface PairJudge {
  /** Identifies the judge model (recorded in reports). */
  readonly modelId: string;
  /** Score one verification. */
  judge(input: PairJudgeInput, options?: { signal?: AbortSignal }): Promise<PairJudgement>;
  /** Release resources. Idempotent. */
  close?(): Promise<void>;
}
