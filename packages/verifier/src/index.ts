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
export { cosineSimilarity, dot, hashedUnitVector, l2NormalizeInPlace } from './embedders/vector-math.ts';
export { openEvidenceStore } from './store/evidence-store.ts';
export { DEFAULT_RRF_K, type FusedItem, reciprocalRankFusion } from './store/rrf.ts';
export type {
  AddOptions,
  AddResult,
  EvidenceStore,
  EvidenceStoreOptions,
  IngestProgressEvent,
  OptimizeOptions,
  SearchHit,
  SearchRequest,
  VectorIndexOptions,
} from './store/types.ts';
// #endregion

// #region claims, checks, stance, judges, verify, perturb (owner: verifier-scoring)
// #endregion
