import {
  type Data,
  Field,
  FixedSizeList,
  Float32,
  Int32,
  Int64,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';

/**
 * Version of the evidence table layout (stored in the table's schema metadata). Version 2: a date-only
 * `publishedAt` is stored as the end of that day on its tickers' exchange (`publication.ts`); version 1 stored the
 * end of the UTC day, and is still read (conservatively, see `LEGACY_DATE_ONLY_SHIFT_MS`).
 */
export const EVIDENCE_TABLE_VERSION = '2';

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
  'payload',
  'vector',
] as const;

/**
 * Arrow schema of an evidence table: one row per chunk, keyed by `chunk_id = documentId#chunkIndex`;
 * `published_at` is epoch milliseconds (Int64, BTREE-indexed, sortable); `vector` a fixed-size float32 list.
 * Every field is its own column (for filters, indexes and users querying the table directly); `payload`
 * repeats the small hit fields as one JSON string because each extra column a search returns costs one random
 * read per hit. `version` is the layout version written in the metadata (an older table keeps its own).
 */
export function evidenceTableSchema(modelId: string, dimension: number, version = EVIDENCE_TABLE_VERSION): Schema {
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
      new Field('payload', new Utf8(), false),
      new Field('vector', new FixedSizeList(dimension, new Field('item', new Float32(), true)), false),
    ],
    new Map([
      [METADATA_KEYS.version, version],
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
  /** JSON of {@link HitPayload}: the hit fields in one column, so a search reads 5 columns instead of 12. */
  payload: string;
  vector: Float32Array;
}

/** The per-chunk fields a search hit needs beyond id, index, text and date, stored together as JSON. */
export interface HitPayload {
  title: string;
  tickers: string[];
  sourceKind: string;
  url: string | null;
  charStart: number;
  charEnd: number;
  metadata: Record<string, unknown> | null;
  /** Head lines of the table the chunk starts inside, when they lie in an earlier chunk (absent otherwise). */
  tableHead?: string;
}

/** Largest byte length of one Utf8 column (32-bit offsets). */
const MAX_UTF8_BYTES = 2 ** 31 - 1;

/**
 * A Utf8 column built in two native passes (byte lengths, then `Buffer.write` into one buffer): several times
 * faster than apache-arrow's generic builder, which dominated the store's share of ingest time. Falls back to the
 * builder when the column would overflow 32-bit offsets (the builder then throws a clear error).
 */
export function utf8Column(values: ReadonlyArray<string | null>): Data<Utf8> {
  const length = values.length;
  const valueOffsets = new Int32Array(length + 1);
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  let total = 0;
  for (let index = 0; index < length; index += 1) {
    const value = values[index];
    if (value === null || value === undefined) {
      if (nullBitmap === undefined) {
        nullBitmap = new Uint8Array(Math.ceil(length / 8)).fill(0xff);
      }
      nullBitmap[index >> 3] = (nullBitmap[index >> 3] as number) & ~(1 << (index & 7));
      nullCount += 1;
    } else {
      total += Buffer.byteLength(value, 'utf8');
      if (total > MAX_UTF8_BYTES) return vectorFromArray(values, new Utf8()).data[0] as Data<Utf8>;
    }
    valueOffsets[index + 1] = total;
  }
  const bytes = Buffer.allocUnsafe(total);
  let position = 0;
  for (const value of values) {
    if (value !== null && value !== undefined) position += bytes.write(value, position, 'utf8');
  }
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, total);
  return makeData({
    type: new Utf8(),
    length,
    nullCount,
    nullBitmap: nullCount > 0 ? nullBitmap : undefined,
    valueOffsets,
    data,
  });
}

/**
 * Build an Arrow table of evidence rows for `schema` (the table's own schema), column by column. About three times
 * faster than handing LanceDB plain objects, which it converts row by row.
 */
export function rowsToArrowTable(rows: readonly EvidenceRow[], schema: Schema): Table {
  const length = rows.length;
  const children = schema.fields.map((field) => {
    const name = field.name as keyof EvidenceRow;
    switch (name) {
      case 'vector': {
        const dimension = (field.type as FixedSizeList).listSize;
        const flat = new Float32Array(length * dimension);
        rows.forEach((row, index) => {
          flat.set(row.vector, index * dimension);
        });
        return makeData({
          type: field.type as FixedSizeList,
          length,
          nullCount: 0,
          child: makeData({ type: new Float32(), length: length * dimension, nullCount: 0, data: flat }),
        });
      }
      case 'published_at':
        return makeData({
          type: new Int64(),
          length,
          nullCount: 0,
          data: BigInt64Array.from(rows, (row) => row.published_at),
        });
      case 'chunk_index':
      case 'chunk_count':
      case 'char_start':
      case 'char_end':
        return makeData({ type: new Int32(), length, nullCount: 0, data: Int32Array.from(rows, (row) => row[name]) });
      case 'chunk_id':
      case 'document_id':
      case 'text':
      case 'title':
      case 'source_kind':
      case 'url':
      case 'content_hash':
      case 'metadata':
      case 'payload':
        return utf8Column(rows.map((row) => row[name]));
      default: {
        const values = rows.map((row) => row[name]);
        const data = vectorFromArray(values, field.type).data[0];
        if (!data) throw new Error(`Could not build column ${field.name}`);
        return data;
      }
    }
  });
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: children as never }),
  );
  return new Table(schema, [batch]);
}
