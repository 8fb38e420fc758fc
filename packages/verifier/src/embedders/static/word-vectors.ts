import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';

/** The manifest written next to a word-vector asset by `scripts/build-default-embedder.ts`. */
export const wordVectorManifestSchema = z.object({
  modelId: z.string().min(1),
  dimension: z.number().int().positive(),
  vocabularySize: z.number().int().positive(),
  formatVersion: z.literal(1),
  sifA: z.number().positive(),
  sourceVocabularySize: z.number().int().positive(),
  files: z.object({
    vectors: z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    vocabulary: z.object({ path: z.string(), bytes: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  }),
  source: z.object({ package: z.string(), version: z.string(), license: z.string() }).loose(),
});
/** Parsed {@link wordVectorManifestSchema}. */
export type WordVectorManifest = z.infer<typeof wordVectorManifestSchema>;

/** A loaded quantised word-vector table (see the binary layout in `scripts/build-default-embedder.ts`). */
export interface WordVectorTable {
  readonly manifest: WordVectorManifest;
  readonly dimension: number;
  /** Word → row. */
  readonly rows: ReadonlyMap<string, number>;
  /** Per-row dequantisation scale. */
  readonly scales: Float32Array;
  /** Per-row 1-based frequency rank in the source vocabulary. */
  readonly ranks: Uint32Array;
  /** Row-major int8 unit vectors (`vocabularySize × dimension`). */
  readonly vectors: Int8Array;
  /** Unit vector of the common discourse direction. */
  readonly commonComponent: Float32Array;
}

/** The base name of the default asset shipped in `assets/`. */
export const DEFAULT_WORD_VECTOR_ASSET = 'wink-sg100d-fin';

const MAGIC = 'TR1WEMB\0';

/**
 * Locate the package's `assets/` folder from source (`src/embedders/static/`) or from the bundle (`dist/`).
 */
export function defaultAssetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, '..', 'assets'),
    join(here, '..', '..', 'assets'),
    join(here, '..', '..', '..', 'assets'),
  ];
  for (const candidate of candidates) {
    if (existsSync(join(candidate, `${DEFAULT_WORD_VECTOR_ASSET}.json`))) return candidate;
  }
  throw new TradeR1Error(
    'MODEL_LOAD_FAILED',
    `The default embedder asset ${DEFAULT_WORD_VECTOR_ASSET}.json was not found next to @trade-r1/verifier; pass assetsDir`,
    { details: { searched: candidates } },
  );
}

const loaded = new Map<string, Promise<WordVectorTable>>();

/**
 * Load (once per process and path) a quantised word-vector table. Checks the sha256 of both files against the
 * manifest when `verifyIntegrity` is true.
 */
export function loadWordVectorTable(options: {
  assetsDir: string;
  name?: string;
  verifyIntegrity?: boolean;
}): Promise<WordVectorTable> {
  const name = options.name ?? DEFAULT_WORD_VECTOR_ASSET;
  const key = `${resolve(options.assetsDir, name)}|${options.verifyIntegrity !== false}`;
  let pending = loaded.get(key);
  if (!pending) {
    pending = readTable(options.assetsDir, name, options.verifyIntegrity !== false);
    loaded.set(key, pending);
    pending.catch(() => loaded.delete(key));
  }
  return pending;
}

async function readTable(assetsDir: string, name: string, verifyIntegrity: boolean): Promise<WordVectorTable> {
  const manifestPath = join(assetsDir, `${name}.json`);
  let manifestText: string;
  try {
    manifestText = await readFile(manifestPath, 'utf8');
  } catch (cause) {
    throw new TradeR1Error('MODEL_LOAD_FAILED', `Cannot read the word-vector manifest ${manifestPath}`, {
      cause,
      details: { path: manifestPath },
    });
  }
  const manifest = parseWith(wordVectorManifestSchema, JSON.parse(manifestText), {
    code: 'MODEL_LOAD_FAILED',
    label: `word-vector manifest ${manifestPath}`,
  });
  const vectorsPath = join(assetsDir, manifest.files.vectors.path);
  const vocabularyPath = join(assetsDir, manifest.files.vocabulary.path);
  let binary: Buffer;
  let vocabularyBuffer: Buffer;
  try {
    [binary, vocabularyBuffer] = await Promise.all([readFile(vectorsPath), readFile(vocabularyPath)]);
  } catch (cause) {
    throw new TradeR1Error('MODEL_LOAD_FAILED', `Cannot read the word-vector files of ${manifestPath}`, {
      cause,
      details: { vectorsPath, vocabularyPath },
    });
  }
  if (verifyIntegrity) {
    for (const [path, data, expected] of [
      [vectorsPath, binary, manifest.files.vectors.sha256],
      [vocabularyPath, vocabularyBuffer, manifest.files.vocabulary.sha256],
    ] as const) {
      const actual = createHash('sha256').update(data).digest('hex');
      if (actual !== expected) {
        throw new TradeR1Error('MODEL_LOAD_FAILED', `Checksum mismatch for ${path}: the asset is corrupt or modified`, {
          details: { path, expected, actual },
        });
      }
    }
  }
  if (binary.toString('latin1', 0, 8) !== MAGIC || binary.readUInt32LE(8) !== 1) {
    throw new TradeR1Error('MODEL_LOAD_FAILED', `${vectorsPath} is not a version-1 Trade-R1 word-vector file`, {
      details: { path: vectorsPath },
    });
  }
  const vocabularySize = binary.readUInt32LE(12);
  const dimension = binary.readUInt32LE(16);
  const expectedBytes = 24 + dimension * 4 + vocabularySize * 8 + vocabularySize * dimension;
  if (
    vocabularySize !== manifest.vocabularySize ||
    dimension !== manifest.dimension ||
    binary.byteLength !== expectedBytes
  ) {
    throw new TradeR1Error('MODEL_LOAD_FAILED', `${vectorsPath} does not match its manifest`, {
      details: { vocabularySize, dimension, bytes: binary.byteLength, expectedBytes },
    });
  }
  // Copy into aligned typed arrays (the Buffer may sit at any offset of a shared pool).
  let offset = 24;
  const commonComponent = new Float32Array(dimension);
  for (let d = 0; d < dimension; d += 1, offset += 4) commonComponent[d] = binary.readFloatLE(offset);
  const scales = new Float32Array(vocabularySize);
  for (let row = 0; row < vocabularySize; row += 1, offset += 4) scales[row] = binary.readFloatLE(offset);
  const ranks = new Uint32Array(vocabularySize);
  for (let row = 0; row < vocabularySize; row += 1, offset += 4) ranks[row] = binary.readUInt32LE(offset);
  const vectors = new Int8Array(vocabularySize * dimension);
  vectors.set(new Int8Array(binary.buffer, binary.byteOffset + offset, vocabularySize * dimension));
  const words = vocabularyBuffer.toString('utf8').split('\n');
  const rows = new Map<string, number>();
  for (let row = 0; row < vocabularySize; row += 1) {
    const word = words[row];
    if (word === undefined || word.length === 0) {
      throw new TradeR1Error('MODEL_LOAD_FAILED', `${vocabularyPath} has fewer than ${vocabularySize} words`, {
        details: { path: vocabularyPath, row },
      });
    }
    rows.set(word, row);
  }
  return { manifest, dimension, rows, scales, ranks, vectors, commonComponent };
}
