/**
 * A point-in-time in-memory index of hot tickers' chunks (vectors and BM25 terms), filled from an evidence store
 * and keyed by its version. It answers `search(request)` with the store's contract — the same request validation,
 * the same filters (tickers, sourceKinds, documentIds, `publishedAt <= asOf` before any ranking), cosine / BM25 /
 * hybrid RRF ranking with deterministic tie-breaks — for requests it fully covers, and hands every other request
 * (cold tickers, no ticker filter) to the store. The store stays the durable copy.
 */
import {
  parseWith,
  type SourceKind,
  sourceKindSchema,
  TradeR1Error,
  throwIfAborted,
  tickerSchema,
  toInstant,
} from '@trade-r1/core';
import { z } from 'zod';
import type { Embedder } from '../embedders/types.ts';
import { type Bm25Corpus, type Bm25Document, bm25Corpus, bm25Document, bm25Score, bm25Terms } from './bm25.ts';
import { searchRequestSchema } from './evidence-store.ts';
import { DEFAULT_RRF_K, reciprocalRankFusion } from './rrf.ts';
import type { EvidenceStore, SearchHit, SearchRequest } from './types.ts';

/** Options of {@link createMemoryIndex}. */
export interface MemoryIndexOptions {
  /** The evidence store to load from and to hand uncovered requests to. */
  store: Pick<EvidenceStore, 'search' | 'version' | 'snapshot' | 'modelId' | 'dimension'>;
  /** Hot tickers: every chunk about one of them is loaded. */
  tickers: readonly string[];
  /** Source kinds loaded whole (e.g. `['macro']`, so market-wide requests are answered from memory too). @default [] */
  sourceKinds?: readonly SourceKind[];
  /**
   * Embeds query text for requests without a `vector` (must be the store's model). Without it such requests go to
   * the store. The verifier always passes vectors, so it is optional.
   */
  embedder?: Embedder;
  /**
   * How stale the snapshot may be, in milliseconds. Before answering, `search()` reads the store's version
   * (≈ 0.03 ms on a local table) unless it read it less than `maxStalenessMs` ago, and reloads the snapshot when the
   * version moved; so with the default 0 every search reflects every write committed before it started (this
   * handle's or another process's). Raise it for a store on object storage, where a version read is a round trip.
   * @default 0
   */
  maxStalenessMs?: number;
}

/** Counters of a {@link MemoryIndex}. */
export interface MemoryIndexStats {
  /** Store version of the loaded snapshot. */
  version: number;
  /** Chunks held. */
  chunks: number;
  /** Hot tickers (upper-cased). */
  tickers: string[];
  /** Source kinds held whole. */
  sourceKinds: SourceKind[];
  /** Searches answered from memory. */
  memorySearches: number;
  /** Searches handed to the store (not covered). */
  storeSearches: number;
  /** Snapshots loaded (1 + reloads after the store version moved). */
  loads: number;
  /** Store version reads (one per search and `version()` unless within `maxStalenessMs`, one per `refresh()`). */
  versionChecks: number;
}

/** A point-in-time in-memory index with the evidence store's `search` contract. */
export interface MemoryIndex {
  /**
   * Same request and hits as `EvidenceStore.search`. Answered from the loaded snapshot when every requested ticker
   * is hot (or, with no ticker filter, every requested source kind is held whole); otherwise by the store. The
   * snapshot is first brought to the store's current version (see `maxStalenessMs`).
   * @throws {TradeR1Error} `INVALID_INPUT`, `DIMENSION_MISMATCH`, `ABORTED`, `CLOSED`, and the store's errors
   */
  search(request: SearchRequest): Promise<SearchHit[]>;
  /**
   * The version searches are answered at now: the store's version read now, or, within `maxStalenessMs` of the last
   * read, the loaded snapshot's without a read (a store on object storage costs a round trip per read; the verifier
   * keys its search cache by this). When a read finds the version moved, the snapshot is reloaded first, so results
   * returned after this call reflect that version (or a later one). `refresh()` always reads.
   */
  version(): Promise<number>;
  /** Reload the snapshot if the store version moved (regardless of `maxStalenessMs`). Resolves to true when it reloaded. */
  refresh(): Promise<boolean>;
  /** The loaded chunks (copies, without vectors), in load order: e.g. to analyse their evidence ahead of time. */
  chunks(): SearchHit[];
  /** Counters. */
  stats(): MemoryIndexStats;
  /** Drop the snapshot (the store stays open; the caller owns it). Idempotent. */
  close(): void;
}

const optionsSchema = z
  .object({
    store: z.custom<MemoryIndexOptions['store']>(
      (value) =>
        typeof value === 'object' &&
        value !== null &&
        ['search', 'version', 'snapshot'].every(
          (name) => typeof (value as unknown as Record<string, unknown>)[name] === 'function',
        ),
      'store must be an evidence store (openEvidenceStore)',
    ),
    tickers: z.array(tickerSchema),
    sourceKinds: z.array(sourceKindSchema).default([]),
    embedder: z
      .custom<Embedder>(
        (value) => typeof value === 'object' && value !== null && typeof (value as Embedder).embed === 'function',
        'embedder must implement Embedder',
      )
      .optional(),
    maxStalenessMs: z.number().min(0).max(86_400_000).default(0),
  })
  .strict();

interface Entry {
  hit: SearchHit;
  publishedAtMs: number;
  norm: number;
  terms: Bm25Document;
}

interface Snapshot {
  version: number;
  entries: Entry[];
  byTicker: Map<string, Entry[]>;
  byKind: Map<SourceKind, Entry[]>;
  corpus: Bm25Corpus;
}

/**
 * Load the hot tickers' chunks from the store and return an index with the store's `search` contract; pass it to
 * `createVerifier({ store: index, … })` unchanged.
 *
 * @example
 * const index = await createMemoryIndex({ store, tickers: ['AAPL', 'MSFT'], sourceKinds: ['macro'] });
 * const verifier = createVerifier({ store: index, embedder });
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options (misspelled keys included), `MODEL_MISMATCH` when the
 * embedder is not the store's, and the store's errors while loading
 */
export async function createMemoryIndex(options: MemoryIndexOptions): Promise<MemoryIndex> {
  const settings = parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'createMemoryIndex options' });
  const { store, embedder } = settings;
  if (embedder && (embedder.modelId !== store.modelId || embedder.dimension !== store.dimension)) {
    throw new TradeR1Error(
      'MODEL_MISMATCH',
      `The memory index embedder ${embedder.modelId} is not the store's model ${store.modelId}`,
      { details: { embedderModelId: embedder.modelId, storeModelId: store.modelId } },
    );
  }
  const hotTickers = new Set(settings.tickers);
  const hotKinds = new Set(settings.sourceKinds);
  const { maxStalenessMs } = settings;
  const counters = { memorySearches: 0, storeSearches: 0, loads: 0, versionChecks: 0 };
  let closed = false;

  const load = async (): Promise<Snapshot> => {
    const { version, chunks } = await store.snapshot({ tickers: [...hotTickers], sourceKinds: [...hotKinds] });
    counters.loads += 1;
    return buildSnapshot(version, chunks);
  };
  let snapshot = await load();
  /** Loads started so far, and the one in flight (one at a time; concurrent callers share it). */
  let loadsStarted = 0;
  let inflight: { seq: number; done: Promise<void> } | undefined;
  /** When (performance.now()) the last version read that the snapshot is known to match began. */
  let checkedAt = performance.now();

  const assertOpen = (): void => {
    if (closed) throw new TradeR1Error('CLOSED', 'The memory index is closed');
  };

  /**
   * The next store version read, shared by every caller until it starts: it starts once the current turn of the
   * event loop is done (setImmediate), so the searches a batch starts together (a verifier's concurrent
   * verifications) share one read. Each caller still gets a read that began after it asked, so it sees every
   * write committed before its search started.
   */
  let nextRead: Promise<{ version: number; startedAt: number }> | undefined;
  const readVersion = (): Promise<{ version: number; startedAt: number }> => {
    nextRead ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      nextRead = undefined;
      const startedAt = performance.now();
      counters.versionChecks += 1;
      return { version: await store.version(), startedAt };
    });
    return nextRead;
  };

  /**
   * Bring the snapshot to the store's version as read now. A load in flight is joined only when it began after
   * this read began (it then saw every write committed before it); otherwise a fresh load follows it.
   */
  const sync = async (): Promise<boolean> => {
    const seenLoads = loadsStarted;
    const { version: latest, startedAt: started } = await readVersion();
    let reloaded = false;
    while (snapshot.version !== latest) {
      if (!inflight) {
        const seq = ++loadsStarted;
        const done = load().then((fresh) => {
          snapshot = fresh;
        });
        inflight = { seq, done };
        done.then(
          () => {
            if (inflight?.seq === seq) inflight = undefined;
          },
          () => {
            if (inflight?.seq === seq) inflight = undefined;
          },
        );
      }
      const { seq, done } = inflight;
      await done;
      reloaded = true;
      if (seq > seenLoads) break;
    }
    checkedAt = Math.max(checkedAt, started);
    return reloaded;
  };

  const refresh = async (): Promise<boolean> => {
    assertOpen();
    return sync();
  };

  const covered = (tickers: readonly string[], kinds: readonly SourceKind[]): boolean =>
    tickers.length > 0
      ? tickers.every((ticker) => hotTickers.has(ticker))
      : kinds.length > 0 && kinds.every((kind) => hotKinds.has(kind));

  return {
    async search(request) {
      assertOpen();
      const parsed = parseWith(searchRequestSchema, request, { label: 'search() request' });
      const tickers = parsed.tickers && parsed.tickers.length > 0 ? normaliseTickers(parsed.tickers) : [];
      const kinds = parsed.sourceKinds ?? [];
      const mode = parsed.mode ?? (parsed.query !== undefined ? 'hybrid' : 'vector');
      const needsEmbedding = mode !== 'text' && parsed.vector === undefined;
      if (!covered(tickers, kinds) || (needsEmbedding && !embedder)) {
        counters.storeSearches += 1;
        return store.search(request);
      }
      throwIfAborted(parsed.signal);
      if (maxStalenessMs === 0 || performance.now() - checkedAt > maxStalenessMs) await sync();
      const current = snapshot;
      let queryVector: Float32Array | undefined;
      if (mode !== 'text') {
        queryVector = parsed.vector
          ? Float32Array.from(parsed.vector)
          : ((
              await (embedder as Embedder).embed(
                [parsed.query as string],
                parsed.signal ? { signal: parsed.signal } : {},
              )
            )[0] as Float32Array);
        if (!queryVector || queryVector.length !== store.dimension) {
          throw new TradeR1Error(
            'DIMENSION_MISMATCH',
            `Query vector has ${queryVector?.length} dimensions; the table stores ${store.dimension}`,
            { details: { expected: store.dimension, actual: queryVector?.length ?? null } },
          );
        }
        throwIfAborted(parsed.signal);
      }
      counters.memorySearches += 1;
      const asOfMs = toInstant(parsed.asOf instanceof Date ? parsed.asOf.getTime() : parsed.asOf);
      const candidates = admissible(current, tickers, kinds, parsed.documentIds, asOfMs);
      const depth = mode === 'hybrid' ? (parsed.fusionDepth ?? Math.max(4 * parsed.k, 50)) : parsed.k;
      const vectorList = queryVector ? rankByVector(candidates, queryVector, depth) : [];
      const textList = mode !== 'vector' ? rankByText(candidates, parsed.query as string, current.corpus, depth) : [];
      const include = parsed.includeVectors;
      if (mode === 'vector')
        return vectorList.map(({ entry, score }) => toHit(entry, score, { vectorScore: score }, include));
      if (mode === 'text')
        return textList.map(({ entry, score }) => toHit(entry, score, { textScore: score }, include));
      const byId = new Map<string, { entry: Entry; vectorScore?: number; textScore?: number }>();
      for (const { entry, score } of vectorList) byId.set(entry.hit.chunkId, { entry, vectorScore: score });
      for (const { entry, score } of textList) {
        const known = byId.get(entry.hit.chunkId);
        if (known) known.textScore = score;
        else byId.set(entry.hit.chunkId, { entry, textScore: score });
      }
      const fused = reciprocalRankFusion(
        [vectorList.map(({ entry }) => entry.hit.chunkId), textList.map(({ entry }) => entry.hit.chunkId)],
        DEFAULT_RRF_K,
      );
      return fused.slice(0, parsed.k).map((item) => {
        const { entry, vectorScore, textScore } = byId.get(item.key) as {
          entry: Entry;
          vectorScore?: number;
          textScore?: number;
        };
        return toHit(entry, item.score, { vectorScore, textScore }, include);
      });
    },
    async version() {
      assertOpen();
      if (maxStalenessMs === 0 || performance.now() - checkedAt > maxStalenessMs) await sync();
      return snapshot.version;
    },
    refresh,
    chunks() {
      assertOpen();
      return snapshot.entries.map((entry) => toHit(entry, 0, {}, false));
    },
    stats: () => ({
      version: snapshot.version,
      chunks: snapshot.entries.length,
      tickers: [...hotTickers],
      sourceKinds: [...hotKinds],
      ...counters,
    }),
    close() {
      closed = true;
    },
  };
}

function normaliseTickers(tickers: readonly string[]): string[] {
  return [...new Set(parseWith(z.array(tickerSchema), tickers, { label: 'tickers filter' }))];
}

function buildSnapshot(version: number, chunks: readonly SearchHit[]): Snapshot {
  const entries: Entry[] = [];
  const byTicker = new Map<string, Entry[]>();
  const byKind = new Map<SourceKind, Entry[]>();
  const seen = new Set<string>();
  for (const hit of chunks) {
    if (seen.has(hit.chunkId)) continue;
    seen.add(hit.chunkId);
    const vector = hit.vector ?? new Float32Array(0);
    let norm = 0;
    for (const value of vector) norm += value * value;
    const entry: Entry = {
      hit: { ...hit, vector },
      publishedAtMs: Date.parse(hit.publishedAt),
      norm: Math.sqrt(norm),
      terms: bm25Document(hit.text),
    };
    entries.push(entry);
    for (const ticker of new Set(hit.tickers)) byTicker.set(ticker, [...(byTicker.get(ticker) ?? []), entry]);
    byKind.set(hit.sourceKind, [...(byKind.get(hit.sourceKind) ?? []), entry]);
  }
  return { version, entries, byTicker, byKind, corpus: bm25Corpus(entries.map((entry) => entry.terms)) };
}

/** The snapshot's chunks a request admits: the filters of the store, `publishedAt <= asOf` included. */
function admissible(
  snapshot: Snapshot,
  tickers: readonly string[],
  kinds: readonly SourceKind[],
  documentIds: readonly string[] | undefined,
  asOfMs: number,
): Entry[] {
  const pools =
    tickers.length > 0
      ? tickers.map((ticker) => snapshot.byTicker.get(ticker) ?? [])
      : kinds.map((kind) => snapshot.byKind.get(kind) ?? []);
  const kindSet = kinds.length > 0 ? new Set(kinds) : undefined;
  const idSet = documentIds ? new Set(documentIds) : undefined;
  const out: Entry[] = [];
  const seen = new Set<Entry>();
  for (const pool of pools) {
    for (const entry of pool) {
      if (seen.has(entry)) continue;
      seen.add(entry);
      if (entry.publishedAtMs > asOfMs) continue;
      if (kindSet && !kindSet.has(entry.hit.sourceKind)) continue;
      if (idSet && !idSet.has(entry.hit.documentId)) continue;
      out.push(entry);
    }
  }
  return out;
}

interface Ranked {
  entry: Entry;
  score: number;
}

function byScoreThenId(left: Ranked, right: Ranked): number {
  return (
    right.score - left.score ||
    (left.entry.hit.chunkId < right.entry.hit.chunkId ? -1 : left.entry.hit.chunkId > right.entry.hit.chunkId ? 1 : 0)
  );
}

/** Exact cosine similarity ranking (what LanceDB's flat scan computes), best first, ties by chunk id. */
function rankByVector(candidates: readonly Entry[], query: Float32Array, depth: number): Ranked[] {
  let queryNorm = 0;
  for (const value of query) queryNorm += value * value;
  queryNorm = Math.sqrt(queryNorm);
  const ranked: Ranked[] = [];
  for (const entry of candidates) {
    const vector = entry.hit.vector as Float32Array;
    let dot = 0;
    for (let index = 0; index < vector.length; index += 1) dot += (vector[index] as number) * (query[index] as number);
    const denominator = entry.norm * queryNorm;
    ranked.push({ entry, score: denominator > 0 ? dot / denominator : 0 });
  }
  return ranked.sort(byScoreThenId).slice(0, depth);
}

/** BM25 ranking of the chunks that contain at least one query term, best first, ties by chunk id. */
function rankByText(candidates: readonly Entry[], query: string, corpus: Bm25Corpus, depth: number): Ranked[] {
  const terms = [...new Set(bm25Terms(query))];
  if (terms.length === 0) return [];
  const ranked: Ranked[] = [];
  for (const entry of candidates) {
    const score = bm25Score(terms, entry.terms, corpus);
    if (score > 0) ranked.push({ entry, score });
  }
  return ranked.sort(byScoreThenId).slice(0, depth);
}

function toHit(
  entry: Entry,
  score: number,
  scores: { vectorScore?: number | undefined; textScore?: number | undefined },
  includeVector: boolean,
): SearchHit {
  const source = entry.hit;
  // Built field by field (an object spread is several times slower on this hot path); same key order as the store.
  const hit: SearchHit = {
    documentId: source.documentId,
    chunkIndex: source.chunkIndex,
    chunkId: source.chunkId,
    text: source.text,
    title: source.title,
    tickers: [...source.tickers],
    publishedAt: source.publishedAt,
    sourceKind: source.sourceKind,
    score,
    charStart: source.charStart,
    charEnd: source.charEnd,
  };
  if (source.url !== undefined) hit.url = source.url;
  if (scores.vectorScore !== undefined) hit.vectorScore = scores.vectorScore;
  if (scores.textScore !== undefined) hit.textScore = scores.textScore;
  if (includeVector && source.vector) hit.vector = source.vector.slice();
  if (source.metadata !== undefined) hit.metadata = structuredClone(source.metadata);
  if (source.tableHead !== undefined) hit.tableHead = source.tableHead;
  return hit;
}
