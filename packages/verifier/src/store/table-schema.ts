import { Field, FixedSizeList, Float32, Int32, Int64, List, Schema, Utf8 } from 'apache-arrow';

/** Version of the evidence table layout (stored in the table's schema metadata). */
export const EVIDENCE_TABLE_VERSION = '1';

/** Schema metadata keys. */
export const METADATA_KEYS = {
  version: 'trade_r1.evidence_table_version',
  modelId: 'trade_r1.embedding_model_id',
  dimension: 'trade_r1.embedding_dimension',
} as const;

/** Columns of the evidence table, in order. */
export const COLUMNS = [
  'chunk_id',
  'document_id',
  'chunk_index',
  'chunk_count',
  'text',
  'title',
  'tickers',
  'published_at',
  'source_kind',
  'url',
  'char_start',
  'char_end',
  'content_hash',
  'metadata',
  'vector',
] as const;

/**
 * Arrow schema of an evidence table: one row per chunk, keyed by `chunk_id = documentId#chunkIndex`;
 * `published_at` is epoch milliseconds (Int64, BTREE-indexed, sortable); `vector` a fixed-size float32 list.
 */
export function evidenceTableSchema(modelId: string, dimension: number): Schema {
  return new Schema(
    [
      new Field('chunk_id', new Utf8(), false),
      new Field('document_id', new Utf8(), false),
      new Field('chunk_index', new Int32(), false),
      new Field('chunk_count', new Int32(), false),
      new Field('text', new Utf8(), false),
      new Field('title', new Utf8(), false),
      new Field('tickers', new List(new Field('item', new Utf8(), true)), false),
      new Field('published_at', new Int64(), false),
      new Field('source_kind', new Utf8(), false),
      new Field('url', new Utf8(), true),
      new Field('char_start', new Int32(), false),
      new Field('char_end', new Int32(), false),
      new Field('content_hash', new Utf8(), false),
      new Field('metadata', new Utf8(), true),
      new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
    ],
    new Map([
      [METADATA_KEYS.version, EVIDENCE_TABLE_VERSION],
      [METADATA_KEYS.modelId, modelId],
      [METADATA_KEYS.dimension, String(dimension)],
    ]),
  );
}

/** One row as written to LanceDB. */
export interface EvidenceRow {
  chunk_id: string;
  document_id: string;
  chunk_index: number;
  chunk_count: number;
  text: string;
  title: string;
  tickers: string[];
  published_at: bigint;
  source_kind: string;
  url: string | null;
  char_start: number;
  char_end: number;
  content_hash: string;
  metadata: string | null;
  vector: Float32Array;
}
