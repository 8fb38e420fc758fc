/**
 * Stage 2 — retrieval: the point-in-time evidence pool of one verification (or of a group sharing a ticker and
 * asOf), with an exact search cache keyed by the store's content version and the request.
 */
import { isAvailableAt, isTradeR1Error, toTradeR1Error } from '@trade-r1/core';
import type { TextFacts } from '../checks/facts.ts';
import type { Embedder } from '../embedders/types.ts';
import { contentHash, stableStringify } from '../scoring/text.ts';
import type { EvidenceStore, SearchHit, SearchRequest } from '../store/types.ts';
import type { ResolvedVerifierOptions } from '../verify/options.ts';
import type { PreparedReasoning } from './prepare.ts';

/** Distinct claims per pool query. */
const CLAIMS_PER_QUERY = 12;
/** Most pool queries per verification (later claims join the last query). */
const MAX_QUERIES_PER_GROUP = 4;
/** Longest BM25 query text (characters); the query's vector still averages every claim of its slice. */
const MAX_QUERY_CHARS = 4000;

const MACRO_METRICS = new Set(['rate', 'inflation', 'unemployment', 'gdp']);
const MACRO_WORDS =
  /\b(?:Fed|Federal Reserve|FOMC|central bank|Treasury|yields?|recession|tariffs?|payrolls|jobs report|CPI|PCE|GDP|oil prices?|crude|Brent|WTI|the economy|economic)\b/;

/** True when a claim is about the economy rather than the company (so market-wide evidence is admissible). */
export function mentionsMacro(facts: TextFacts): boolean {
  return facts.metrics.some((metric) => MACRO_METRICS.has(metric.id)) || MACRO_WORDS.test(facts.source);
}

/** A retriever bound to one store, embedder and configuration. */
export interface Retriever {
  /** Whether market-wide documents join the pool of these verifications. */
  needsMarketWide(items: readonly PreparedReasoning[]): boolean;
  /** Retrieve the pool of a group of verifications of the same (ticker, asOf). */
  retrieve(
    items: readonly PreparedReasoning[],
    vectors: readonly Float32Array[][],
    version: number | null,
    signal?: AbortSignal,
  ): Promise<SearchHit[]>;
  /** Forget cached search results. */
  clear(): void;
}

/**
 * Create the retriever. The group's distinct claims are cut into slices of 12 (at most 4 slices, the remaining
 * claims joining the last); each slice is one search (its claims as the query, the mean of their vectors as the
 * vector) for `candidatePool` chunks, and the pool is the union. Every hit is re-checked against `asOf`.
 */
export function createRetriever(
  store: Pick<EvidenceStore, 'search'>,
  embedder: Embedder,
  settings: ResolvedVerifierOptions,
): Retriever {
  const searchCache = new Map<string, Promise<SearchHit[]>>();
  const needsMarketWide = (items: readonly PreparedReasoning[]): boolean =>
    settings.marketWide === 'always' ||
    (settings.marketWide === 'auto' && items.some((item) => item.claimFacts.some((facts) => mentionsMacro(facts))));

  const retrieve: Retriever['retrieve'] = async (items, vectors, version, signal) => {
    const first = items[0];
    if (!first || items.every((item) => item.claims.length === 0)) return [];
    const distinct = new Map<string, Float32Array>();
    items.forEach((item, itemIndex) => {
      item.claims.forEach((claim, claimIndex) => {
        const vector = vectors[itemIndex]?.[claimIndex];
        if (vector && !distinct.has(claim.text)) distinct.set(claim.text, vector);
      });
    });
    const claims = [...distinct.entries()];
    const sliceCount = Math.max(1, Math.min(MAX_QUERIES_PER_GROUP, Math.ceil(claims.length / CLAIMS_PER_QUERY)));
    const slices = Array.from({ length: sliceCount }, (_, index) =>
      claims.slice(index * CLAIMS_PER_QUERY, index === sliceCount - 1 ? claims.length : (index + 1) * CLAIMS_PER_QUERY),
    );
    const search = (slice: Array<[string, Float32Array]>, request: Partial<SearchRequest>): Promise<SearchHit[]> => {
      const query = slice
        .map(([text]) => text)
        .join(' ')
        .slice(0, MAX_QUERY_CHARS);
      const mean = new Float32Array(embedder.dimension);
      for (const [, vector] of slice)
        for (let index = 0; index < mean.length; index += 1)
          mean[index] = (mean[index] as number) + (vector[index] ?? 0);
      let norm = 0;
      for (const value of mean) norm += value * value;
      norm = Math.sqrt(norm);
      if (norm > 0) for (let index = 0; index < mean.length; index += 1) mean[index] = (mean[index] as number) / norm;
      const run = () =>
        store.search({
          ...(settings.retrieval !== 'vector' && { query }),
          ...(settings.retrieval !== 'text' && norm > 0 && { vector: mean }),
          mode: settings.retrieval === 'vector' && norm === 0 ? ('text' as const) : settings.retrieval,
          asOf: first.input.asOf,
          includeVectors: true,
          ...(signal && { signal }),
          ...request,
        });
      if (version === null || settings.searchCacheSize === 0) return run();
      // The request is a function of these values (the vector is the mean of the claims' embeddings).
      const key = contentHash(
        stableStringify({
          version,
          asOf: first.input.asOf,
          texts: slice.map(([text]) => text),
          tickers: request.tickers ?? null,
          sourceKinds: request.sourceKinds ?? null,
          k: request.k ?? null,
        }),
      );
      const cached = searchCache.get(key);
      if (cached) {
        searchCache.delete(key);
        searchCache.set(key, cached);
        // A pending search runs under the signal of the verification that started it: when that one was aborted
        // (its sample timed out, its client left) but this one was not, search again under this one's signal
        // (the aborted search has left the cache by now, so the new one is shared in its place).
        return cached.catch((error: unknown): Promise<SearchHit[]> => {
          if (signal?.aborted || !isTradeR1Error(error) || error.code !== 'ABORTED') throw error;
          return search(slice, request);
        });
      }
      const pending = run();
      if (searchCache.size >= settings.searchCacheSize) {
        const oldest = searchCache.keys().next().value;
        if (oldest !== undefined) searchCache.delete(oldest);
      }
      searchCache.set(key, pending);
      // A failed or aborted search is not kept.
      pending.catch(() => {
        if (searchCache.get(key) === pending) searchCache.delete(key);
      });
      return pending;
    };
    try {
      const [marketWide, ...own] = await Promise.all([
        needsMarketWide(items)
          ? search(claims, { sourceKinds: ['macro'], k: Math.max(5, Math.round(settings.candidatePool / 4)) })
          : Promise.resolve([] as SearchHit[]),
        ...slices.map((slice) =>
          search(slice, { tickers: [first.input.ticker, ...settings.extraTickers], k: settings.candidatePool }),
        ),
      ]);
      const seen = new Set<string>();
      const hits: SearchHit[] = [];
      for (const hit of [...own.flat(), ...marketWide]) {
        if (seen.has(hit.chunkId)) continue;
        seen.add(hit.chunkId);
        hits.push(hit);
      }
      // Defence in depth: the store filters by asOf before ranking; never let a later document through anyway.
      return hits.filter((hit) => isAvailableAt(hit.publishedAt, first.input.asOf));
    } catch (error) {
      throw toTradeR1Error(error, 'STORE_ERROR');
    }
  };

  return { needsMarketWide, retrieve, clear: () => searchCache.clear() };
}
