import type { EvidenceDocumentInput, SourceKind } from '@trade-r1/core';
import type { ChunkingOptions } from '../chunking/chunk-text.ts';
import type { Embedder } from '../embedders/types.ts';

/** Vector index settings of an {@link EvidenceStore}. */
export interface VectorIndexOptions {
  /**
   * Build the approximate vector index once the table holds at least this many chunks (checked after each
   * `add()` and in `optimize()`). Below it, vector search is an exact pre-filtered scan, which is exact and fast at
   * that size. `Infinity` never builds one (always exact). Rows added after the index was built are searched
   * exactly until `optimize()` folds them into the index.
   * @default 10000
   */
  minRows?: number;
  /**
   * Index kind: `'ivf_flat'` (inverted file over full vectors: exact distances in the probed partitions, builds in
   * about a second at 100k rows, the fastest under selective pre-filters in our benchmark), `'ivf_hnsw_sq'` (HNSW
   * graphs over scalar-quantised vectors; slower to build, loses recall and speed when the pre-filter admits few
   * rows) or `'ivf_pq'` (product quantisation; smallest, slow to build, use with `refineFactor`).
   * @default 'ivf_flat'
   */
  type?: 'ivf_flat' | 'ivf_hnsw_sq' | 'ivf_pq';
  /**
   * IVF partitions.
   * @default max(1, round(√rows / 4)) for IVF_FLAT, max(1, round(rows / 50000)) for HNSW, round(√rows) for PQ
   */
  numPartitions?: number;
  /** Partitions probed per query (IVF). @default LanceDB's default (20) */
  nprobes?: number;
  /**
   * HNSW candidate list size per query (`'ivf_hnsw_sq'` only; raised to `limit · refineFactor` when smaller, as LanceDB
   * requires). @default LanceDB's default (1.5 · k)
   */
  ef?: number;
  /** Re-rank `k · refineFactor` candidates with the full vectors (raises recall, costs reads). @default none */
  refineFactor?: number;
}

/** Options of {@link openEvidenceStore}. */
export interface EvidenceStoreOptions {
  /**
   * Any LanceDB URI: a local directory (`./evidence`, `/data/lancedb`), `s3://bucket/path`, `gs://…`, `az://…`,
   * or `db://…` for LanceDB Cloud.
   */
  uri: string;
  /** Table name. @default 'evidence' */
  tableName?: string;
  /** Embedder for chunks and queries. Its `modelId` and `dimension` are recorded in the table and checked on open. */
  embedder: Embedder;
  /** How documents are split (see `chunkText`). Part of each document's content hash. @default { size: 1000, overlap: 150 } */
  chunking?: ChunkingOptions;
  /** Prefix each chunk with its document title when embedding (the stored text stays the chunk). @default true */
  embedTitle?: boolean;
  /** Vector index policy. */
  vectorIndex?: VectorIndexOptions;
  /** Storage options passed to LanceDB's `connect` (credentials, region, timeouts for object stores). */
  storageOptions?: Record<string, string>;
}

/** Progress of an `add()`, reported through `onProgress`. */
export type IngestProgressEvent =
  | {
      /** The batch is validated and compared with the table. */
      type: 'planned';
      /** Documents in the call. */
      documents: number;
      /** Documents whose content is already stored unchanged (skipped). */
      unchangedDocuments: number;
      /** Chunks to embed and write. */
      chunks: number;
    }
  | {
      /** A group of chunks was embedded. */
      type: 'embedded';
      chunksEmbedded: number;
      chunksTotal: number;
    }
  | {
      /** A write batch was committed (each is atomic per document). */
      type: 'written';
      documentsWritten: number;
      documentsTotal: number;
      chunksWritten: number;
      chunksTotal: number;
    }
  | {
      /** An index was built. */
      type: 'indexed';
      column: string;
      index: string;
    };

/** Options of {@link EvidenceStore.add}. */
export interface AddOptions {
  /** Called with {@link IngestProgressEvent}s. */
  onProgress?: (event: IngestProgressEvent) => void;
  /** Cancels between batches (already committed batches stay). */
  signal?: AbortSignal;
  /** Chunks per write batch (whole documents are never split across batches). @default 4096 */
  batchSize?: number;
  /** Texts per `embedder.embed()` call. @default 64 */
  embedBatchSize?: number;
}

/** What an `add()` changed. */
export interface AddResult {
  /** Documents in the call. */
  documents: number;
  /** Documents not in the table before. */
  insertedDocuments: number;
  /** Documents whose stored chunks were replaced because their content changed. */
  updatedDocuments: number;
  /** Documents already stored with identical content (nothing written). */
  unchangedDocuments: number;
  /** Chunk rows inserted. */
  chunksInserted: number;
  /** Chunk rows overwritten in place. */
  chunksUpdated: number;
  /** Surplus chunk rows removed (a changed document that now has fewer chunks). */
  chunksDeleted: number;
}

/** The request of {@link EvidenceStore.search}. */
export interface SearchRequest {
  /** Query text (embedded for vector search, tokenised for BM25). Needed for `'text'` and `'hybrid'`. */
  query?: string;
  /** A precomputed query vector (overrides embedding `query` for the vector side). */
  vector?: Float32Array | readonly number[];
  /** Only chunks about at least one of these tickers (validated by core's `tickerSchema`; empty = no ticker filter). */
  tickers?: readonly string[];
  /** Only chunks of these source kinds (empty = no filter). */
  sourceKinds?: readonly SourceKind[];
  /** Only chunks of these documents. */
  documentIds?: readonly string[];
  /**
   * Decision time. Only chunks with `publishedAt <= asOf` are considered — applied as a pre-filter before any
   * ranking, so future documents can neither appear nor displace past ones. A date-only value means the end of
   * that UTC day.
   */
  asOf: string | number | Date;
  /** Hits to return. @default 10 */
  k?: number;
  /**
   * `'vector'` (cosine similarity), `'text'` (BM25 over the chunk text) or `'hybrid'` (both, fused by reciprocal
   * rank fusion with k = 60).
   * @default 'hybrid' when `query` is given, else 'vector'
   */
  mode?: 'vector' | 'text' | 'hybrid';
  /** Candidates taken from each list before fusion in hybrid mode. @default max(4·k, 50) */
  fusionDepth?: number;
  /** Return each hit's stored vector. @default false */
  includeVectors?: boolean;
  /** Cancels the search. */
  signal?: AbortSignal;
}

/** One retrieved chunk. */
export interface SearchHit {
  /** Id of the document the chunk belongs to. */
  documentId: string;
  /** Position of the chunk in its document. */
  chunkIndex: number;
  /** `documentId#chunkIndex`. */
  chunkId: string;
  /** Chunk text (a slice of the document text). */
  text: string;
  /** Document title. */
  title: string;
  /** Document tickers. */
  tickers: string[];
  /** Publication instant (UTC ISO string). */
  publishedAt: string;
  /** Source kind. */
  sourceKind: SourceKind;
  /** Source URL, when the document had one. */
  url?: string;
  /**
   * Ranking score, higher is better: cosine similarity (`'vector'`), BM25 (`'text'`) or the RRF sum (`'hybrid'`).
   */
  score: number;
  /** Cosine similarity to the query vector (vector and hybrid modes, when the chunk was a vector candidate). */
  vectorScore?: number;
  /** BM25 score (text and hybrid modes, when the chunk matched the text query). */
  textScore?: number;
  /** The stored vector, with `includeVectors`. */
  vector?: Float32Array;
  /** Start of the chunk in the document text. */
  charStart: number;
  /** End (exclusive) of the chunk in the document text. */
  charEnd: number;
  /** The document's metadata, when it had any. */
  metadata?: Record<string, unknown>;
  /**
   * When the chunk starts inside a table whose caption and header rows are in an earlier chunk: those head lines,
   * as written. The verifier reads the chunk's rows under them (their periods, scale and currency). Absent for
   * other chunks, and for chunks stored before this field existed (re-ingest the document to add it).
   */
  tableHead?: string;
}

/** Options of {@link EvidenceStore.optimize}. */
export interface OptimizeOptions {
  /**
   * Remove table versions older than this instant (the current version is always kept).
   * @default LanceDB's default, 7 days before now
   */
  cleanupOlderThan?: Date;
}

/** What {@link EvidenceStore.snapshot} reads: chunks about any of `tickers` plus every chunk of the `sourceKinds`. */
export interface SnapshotFilter {
  /** Chunks about at least one of these tickers (validated like `SearchRequest.tickers`). */
  tickers?: readonly string[];
  /** Every chunk of these source kinds (e.g. `['macro']` for market-wide documents). */
  sourceKinds?: readonly SourceKind[];
}

/** The chunks of a {@link SnapshotFilter} as stored at one table version (each hit with its vector, `score` 0). */
export interface EvidenceSnapshot {
  /** The table version the chunks were read at (see {@link EvidenceStore.version}). */
  version: number;
  /** Every matching chunk, with `vector` set; no `asOf` filter is applied (the reader filters per request). */
  chunks: SearchHit[];
}

/** A point-in-time evidence store on a LanceDB table. */
export interface EvidenceStore {
  /** The embedder's model id recorded in the table. */
  readonly modelId: string;
  /** Vector dimension of the table. */
  readonly dimension: number;
  /** Table name. */
  readonly tableName: string;
  /**
   * Chunk, embed and upsert documents. Idempotent: a document is keyed by id; re-adding identical content writes
   * nothing, changed content replaces all its chunks (surplus chunks are deleted). The whole call is validated
   * before anything is written. A date-only `publishedAt` is stored as the end of that day on the tickers'
   * exchange (core's `publicationInstant`; the latest such instant over every supported exchange when the tickers
   * span exchanges, trade on an unknown one or are empty). A document with `tickers: []` must be `'macro'`.
   * @throws {TradeR1Error} `INVALID_DOCUMENT` (with `issues` for every bad document), `INVALID_INPUT`,
   * `DIMENSION_MISMATCH`, `ABORTED`, `STORE_ERROR`, `CLOSED`
   */
  add(documents: readonly EvidenceDocumentInput[], options?: AddOptions): Promise<AddResult>;
  /** Point-in-time retrieval; see {@link SearchRequest}. */
  search(request: SearchRequest): Promise<SearchHit[]>;
  /**
   * Read every chunk about `tickers` or of `sourceKinds`, with vectors, at one table version (the version is read
   * again afterwards and the read repeated if another writer committed in between). Feeds in-memory indexes such
   * as {@link createMemoryIndex}; with neither filter it returns no chunks.
   * @throws {TradeR1Error} `INVALID_INPUT`, `STORE_ERROR`, `CLOSED`
   */
  snapshot(filter?: SnapshotFilter): Promise<EvidenceSnapshot>;
  /** Remove documents (all their chunks) by id. Returns the number of chunk rows deleted. */
  deleteDocuments(documentIds: readonly string[]): Promise<number>;
  /** Number of chunk rows (optionally only those matching `{ asOf, tickers }`). */
  count(filter?: { asOf?: string | number | Date; tickers?: readonly string[] }): Promise<number>;
  /** Compact files, prune old versions, bring every index up to date and build the vector index when due. */
  optimize(options?: OptimizeOptions): Promise<void>;
  /**
   * The table's current LanceDB version: a number that grows with every commit (add, update, delete, index build,
   * compaction) and stays the same while nothing is written — an `add()` of documents already stored unchanged
   * writes nothing and leaves it as it is. Use it as a cache key for anything derived from the table's content
   * (equal versions imply equal content; a new version may also come from a commit that did not change content,
   * such as `optimize()`). Reflects writes made through this store; with several writers to one table, each
   * store sees the others' commits when it reads the latest version, which this call does.
   * @throws {TradeR1Error} `STORE_ERROR`, `CLOSED`
   */
  version(): Promise<number>;
  /** Names and kinds of the table's indexes. */
  listIndexes(): Promise<Array<{ name: string; type: string; columns: string[] }>>;
  /** Close the table and connection (not the embedder, which the caller owns). Idempotent. */
  close(): Promise<void>;
}

export type { EvidenceDocumentInput };
