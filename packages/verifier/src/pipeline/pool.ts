/**
 * Stage 3 — evidence facts: each retrieved chunk split into sentences with their facts (figures, periods,
 * entities, directions; tables read cell by cell) and its stance, prepared once per process however often it is
 * retrieved, and the pool's term statistics (IDF) that relevance is weighed with.
 */
import { type PreparedEvidence, prepareEvidence } from '../checks/evidence.ts';
import type { Embedder } from '../embedders/types.ts';
import { contentHash } from '../scoring/text.ts';
import { accumulateStance, type StanceScore } from '../stance/stance.ts';
import type { SearchHit } from '../store/types.ts';

/** One chunk of the pool with its prepared facts and stance. */
export interface PoolEntry {
  /** The retrieved chunk (with its vector). */
  hit: SearchHit;
  /** Sentences and facts. */
  prepared: PreparedEvidence;
  /** Stance of the chunk. */
  stance: StanceScore;
}

/** The evidence pool of one verification. */
export interface EvidencePool {
  /** Chunks in retrieval order. */
  pool: PoolEntry[];
  /** IDF of each term over the pool's sentences. */
  idf: Map<string, number>;
  /** IDF of a term absent from the pool (the highest). */
  defaultIdf: number;
}

/** Most chunks whose prepared evidence a process keeps (least recently used evicted first). */
export const EVIDENCE_CACHE_LIMIT = 50_000;

/**
 * Prepared evidence (sentences, facts, stance) shared by every verifier in the process, keyed by chunk id,
 * content hash, publication time, title and tickers: the same chunk is analysed once however often it is retrieved.
 */
const evidenceCache = new Map<string, { prepared: PreparedEvidence; stance: StanceScore }>();

/** The prepared facts and stance of one chunk (cached per process, least recently used evicted first). */
export function prepareHit(hit: SearchHit): { prepared: PreparedEvidence; stance: StanceScore } {
  const key = `${hit.chunkId}\u0000${contentHash(hit.text)}\u0000${hit.publishedAt}\u0000${hit.title}\u0000${hit.tickers.join(',')}`;
  let entry = evidenceCache.get(key);
  if (entry) {
    evidenceCache.delete(key);
    evidenceCache.set(key, entry);
    return entry;
  }
  const evidence = prepareEvidence(hit);
  const stance: StanceScore = { stance: 0, bullish: 0, bearish: 0, neutral: 0, cues: 0 };
  accumulateStance(hit.title, 1, stance);
  for (const sentence of evidence.sentences) accumulateStance(sentence.text, 1, stance, sentence.facts);
  entry = { prepared: evidence, stance };
  if (evidenceCache.size >= EVIDENCE_CACHE_LIMIT) {
    const oldest = evidenceCache.keys().next().value;
    if (oldest !== undefined) evidenceCache.delete(oldest);
  }
  evidenceCache.set(key, entry);
  return entry;
}

/** IDF over a pool's sentences: rare terms weigh more; terms absent from the pool weigh the most. */
export function poolTermWeights(pool: readonly PoolEntry[]): Pick<EvidencePool, 'idf' | 'defaultIdf'> {
  const documentFrequency = new Map<string, number>();
  let sentenceCount = 0;
  for (const entry of pool) {
    for (const sentence of entry.prepared.sentences) {
      sentenceCount += 1;
      for (const term of sentence.termSet) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
  }
  const idf = new Map<string, number>();
  for (const [term, frequency] of documentFrequency) idf.set(term, Math.log(1 + sentenceCount / frequency));
  return { idf, defaultIdf: Math.log(1 + Math.max(1, sentenceCount)) + 0.5 };
}

/**
 * Prepare a retrieved pool: analysed chunks, vectors (chunks retrieved without one are embedded here), IDF.
 */
export async function preparePool(hits: SearchHit[], embedder: Embedder, signal?: AbortSignal): Promise<EvidencePool> {
  const pool = hits.map((hit) => ({ hit, ...prepareHit(hit) }));
  const missing = pool.filter((entry) => !entry.hit.vector);
  if (missing.length > 0) {
    const embedded = await embedder.embed(
      missing.map((entry) => entry.hit.text),
      signal ? { signal } : {},
    );
    missing.forEach((entry, index) => {
      entry.hit = { ...entry.hit, vector: embedded[index] as Float32Array };
    });
  }
  return { pool, ...poolTermWeights(pool) };
}
