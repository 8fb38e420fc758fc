/**
 * @trade-r1/verifier — point-in-time RAG verification of trading reasoning: a LanceDB evidence store, offline
 * embedders, and Trade-R1's triangular consistency (factuality, deduction, consistency).
 * @packageDocumentation
 */

// #region evidence store, chunking, embedders, embedding cache (owner: verifier-store)
export {
  type CachedEmbedder,
  type CachedEmbedderOptions,
  createCachedEmbedder,
  type EmbeddingCacheStats,
  embeddingCacheKey,
} from './cache/cached-embedder.ts';
export {
  type ChunkingOptions,
  chunkingOptionsSchema,
  chunkText,
  resolveChunkingOptions,
  type TextChunk,
} from './chunking/chunk-text.ts';
export { splitSentences, type TextSpan } from './chunking/sentences.ts';
export {
  createDefaultEmbedder,
  type DefaultEmbedder,
  type DefaultEmbedderOptions,
} from './embedders/static/default-embedder.ts';
export { tokenizeWords, WORD_TOKEN_PATTERN } from './embedders/static/tokenize.ts';
export {
  createTransformersEmbedder,
  cudaUnavailableReason,
  type TransformersDtype,
  type TransformersEmbedder,
  type TransformersEmbedderOptions,
} from './embedders/transformers.ts';
export type { Embedder, EmbedOptions } from './embedders/types.ts';
export {
  createUseLiteEmbedder,
  USE_LITE_PACKAGES,
  type UseLiteEmbedder,
  type UseLiteEmbedderOptions,
} from './embedders/use-lite.ts';
export { cosineSimilarity, dot, hashedUnitVector, l2NormalizeInPlace } from './embedders/vector-math.ts';
export { openEvidenceStore } from './store/evidence-store.ts';
export {
  createMemoryIndex,
  type MemoryIndex,
  type MemoryIndexOptions,
  type MemoryIndexStats,
} from './store/memory-index.ts';
export { DEFAULT_RRF_K, type FusedItem } from './store/rrf.ts';
export type {
  AddOptions,
  AddResult,
  EvidenceSnapshot,
  EvidenceStore,
  EvidenceStoreOptions,
  IngestProgressEvent,
  OptimizeOptions,
  SearchHit,
  SearchRequest,
  SnapshotFilter,
  VectorIndexOptions,
} from './store/types.ts';
export {
  createVerifierPool,
  type VerifierPool,
  type VerifierPoolBatchOptions,
  type VerifierPoolOptions,
  type VerifierPoolProgress,
  type WorkerStartup,
} from './verify/worker-pool.ts';

// #endregion

// #endregion
// #region page
export { escapeHtml } from '@trade-r1/core';
// #region claims, checks, stance, judges, verify, perturb (owner: verifier-scoring)
export type {
  CheckClaimInput,
  CheckStatus,
  ClaimChecks,
  DirectionCheck,
  EntityCheck,
  EventCheck,
  NumberCheck,
  PeriodCheck,
} from './checks/check-claim.ts';
export { type EventType, eventTypes } from './checks/events.ts';
export type { EvidenceSentence, PreparedEvidence } from './checks/evidence.ts';
export {
  type AnchoredQuantity,
  type DirectionMention,
  type EntityMention,
  englishFactReader,
  type FactReader,
  type MetricMention,
  type QuantityRole,
  registerFactReader,
  type TextFacts,
} from './checks/facts.ts';
export {
  COMPANY_ALIASES,
  DIRECTION_WORDS,
  type DirectionAxis,
  METRICS,
  type MetricDefinition,
} from './checks/lexicon.ts';
export type { Period, PeriodRelation } from './checks/periods.ts';
export {
  analyzeText,
  checkClaim,
  compareQuantities,
  extractPeriods,
  extractQuantities,
  periodRelation,
  prepareEvidence,
  preparePool,
  readTables,
  reciprocalRankFusion,
} from './checks/public.ts';
export type {
  Quantity,
  QuantityComparison,
  QuantityQualifier,
  QuantityUnit,
} from './checks/quantities.ts';
export type { ReadTables, TableStatement } from './checks/tables.ts';
export {
  type Claim,
  type ClaimCategory,
  type ClaimKind,
  checkableCore,
  type DecisionTag,
  type ExtractClaimsOptions,
  type ExtractedClaims,
  extractClaims,
  extractClaimsOptionsSchema,
  findDecisionTag,
  isMetaStatement,
} from './claims/extract.ts';
export {
  createEntailmentModel,
  type EntailmentModelOptions,
  entailmentModelOptionsSchema,
  resolveNliLabels,
} from './judges/entailment.ts';
export {
  createLlmJudge,
  escapeDelimited,
  LLM_JUDGE_SYSTEM_PROMPT,
  type LlmJudge,
  type LlmJudgeOptions,
  llmJudgeOptionsSchema,
  pairJudgementSchema,
} from './judges/llm-judge.ts';
export type {
  EntailmentModel,
  EntailmentPair,
  EntailmentScores,
  JudgeEvidence,
  PairJudge,
  PairJudgeInput,
  PairJudgement,
} from './judges/types.ts';
export { type DecisionLine, decisionLines } from './page/evidence-lines.ts';
export { type ClaimMark, claimMark, type Segment, type Segmentation, segmentReasoning } from './page/highlight.ts';
export {
  renderVerificationPage,
  type VerificationPageEntry,
  type VerificationPageOptions,
} from './page/render.ts';
export {
  PERTURBATION_TYPES,
  type Perturbation,
  type PerturbationType,
  type PerturbOptions,
  perturb,
  perturbOptionsSchema,
} from './perturb/perturb.ts';
export type { FactualityScore } from './pipeline/aggregate.ts';
export type { ClaimJudgement, ClaimToJudge, RankedEvidence } from './pipeline/judge.ts';
export { EVIDENCE_CACHE_LIMIT, type EvidencePool, type PoolEntry } from './pipeline/pool.ts';
export { type PreparedReasoning, prepareReasoning } from './pipeline/prepare.ts';
export { createRetriever, type Retriever } from './pipeline/retrieve.ts';
export { auroc, fitLogistic } from './scoring/metrics.ts';
export { loadTermSimilarity, softCoverage, type TermSimilarity } from './scoring/soft-match.ts';
export {
  type Aggregate,
  aggregateScores,
  checkFeatures,
  DEFAULT_SUPPORT_MODEL,
  isKeywordList,
  SUPPORT_FEATURES,
  type SupportFeatures,
  type SupportModel,
  semanticFeature,
  sigmoid,
  supportProbability,
} from './scoring/support.ts';
export { INTENSIFIERS, NEUTRAL_PHRASES, POLARITY_PHRASES } from './stance/lexicon.ts';
export {
  AGREEMENT_EXPONENT,
  type StanceOptions,
  type StanceScore,
  scoreReasoningStance,
  scoreStance,
  scoreWeightedStance,
  stanceAgreement,
} from './stance/stance.ts';
export {
  type ResolvedVerifierOptions,
  type VerifierOptions,
  type VerifyInput,
  verifierOptionsSchema,
  verifyInputSchema,
} from './verify/options.ts';
export {
  type Citation,
  type ClaimVerdict,
  type ClaimVerdictLabel,
  type CreateVerifierOptions,
  createVerifier,
  type ReportReason,
  type VerificationReport,
  type Verifier,
  type VerifyBatchOptions,
  type VerifyCallOptions,
  type VerifyOptions,
  verify,
} from './verify/verifier.ts';
// #endregion
