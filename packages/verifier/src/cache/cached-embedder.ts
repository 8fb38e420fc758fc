import { createHash } from 'node:crypto';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWith, TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { z } from 'zod';
import { assertString, parseArgument } from '../arguments.ts';
import type { Embedder, EmbedOptions } from '../embedders/types.ts';
import { LruMap } from './lru.ts';

const embedderSchema = z.custom<Embedder>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Embedder).modelId === 'string' &&
    typeof (value as Embedder).dimension === 'number' &&
    typeof (value as Embedder).embed === 'function',
  'expected an embedder { modelId, dimension, embed() }',
);

/** Options of {@link createCachedEmbedder}. */
export interface CachedEmbedderOptions {
  /** Vectors kept in memory (least recently used evicted first). @default 10000 */
  maxEntries?: number;
  /**
   * Folder for a persistent cache shared across processes runs (one append-only file per model id and dimension).
   * Without it the cache lives in memory only.
   */
  directory?: string;
  /** Close the wrapped embedder when the cache is closed. @default true */
  closeInner?: boolean;
}

/** Counters of a {@link CachedEmbedder}. */
export interface EmbeddingCacheStats {
  /** Texts answered from memory. */
  memoryHits: number;
  /** Texts answered from the on-disk cache. */
  diskHits: number;
  /** Texts sent to the wrapped embedder. */
  misses: number;
  /** Entries held in memory. */
  memoryEntries: number;
  /** Entries in the on-disk cache (0 without `directory`). */
  diskEntries: number;
}

/** An {@link Embedder} that remembers vectors by content hash. */
export interface CachedEmbedder extends Embedder {
  /** The wrapped embedder. */
  readonly inner: Embedder;
  /** Hit and miss counters since creation. */
  stats(): EmbeddingCacheStats;
}

const optionsSchema = z.object({
  maxEntries: z.number().int().min(0).default(10_000),
  directory: z.string().min(1).optional(),
  closeInner: z.boolean().default(true),
});

const HASH_BYTES = 32;

/** The cache key of a text: sha256 over the model id, a NUL separator and the text (hex). */
export function embeddingCacheKey(modelId: string, text: string): string {
  assertString(modelId, 'embeddingCacheKey()', 'modelId');
  assertString(text, 'embeddingCacheKey()', 'text');
  return createHash('sha256').update(modelId).update('\u0000').update(text).digest('hex');
}

/**
 * Wrap an embedder with a content-hash cache: a text already embedded by the same model (same `modelId`) costs a
 * hash and a map lookup. Repeated texts inside one batch are embedded once. With `directory`, vectors also persist
 * in an append-only file `<directory>/<model-slug>-<dimension>.f32cache` (fixed-size records: 32-byte sha256 key,
 * then the float32 vector), so a re-run of an evaluation re-embeds nothing. A torn last record (crash mid-write) is
 * dropped on open.
 *
 * The returned vectors are copies: mutating them does not corrupt the cache.
 */
export function createCachedEmbedder(inner: Embedder, options: CachedEmbedderOptions = {}): CachedEmbedder {
  parseArgument(embedderSchema, inner, 'createCachedEmbedder()', 'inner', 'INVALID_CONFIG');
  const settings = parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'createCachedEmbedder options' });
  return new ContentHashCachedEmbedder(inner, settings);
}

class ContentHashCachedEmbedder implements CachedEmbedder {
  readonly inner: Embedder;
  readonly modelId: string;
  readonly dimension: number;
  readonly #memory: LruMap<string, Float32Array>;
  readonly #settings: z.output<typeof optionsSchema>;
  readonly #counters = { memoryHits: 0, diskHits: 0, misses: 0 };
  #disk: Promise<DiskCache | undefined> | undefined;
  #closed = false;

  constructor(inner: Embedder, settings: z.output<typeof optionsSchema>) {
    this.inner = inner;
    this.modelId = inner.modelId;
    this.dimension = inner.dimension;
    this.#settings = settings;
    this.#memory = new LruMap(settings.maxEntries);
  }

  stats(): EmbeddingCacheStats {
    return { ...this.#counters, memoryEntries: this.#memory.size, diskEntries: this.#diskEntries };
  }

  #diskEntries = 0;

  async embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    if (this.#closed) throw new TradeR1Error('CLOSED', `Cached embedder ${this.modelId} is closed`);
    if (!Array.isArray(texts)) {
      throw new TradeR1Error('INVALID_INPUT', 'embed() expects an array of strings', {
        details: { received: typeof texts },
      });
    }
    throwIfAborted(options.signal);
    const disk = await this.#openDisk();
    const keys = texts.map((text, index) => {
      if (typeof text !== 'string') {
        throw new TradeR1Error('INVALID_INPUT', `embed() text ${index} is a ${typeof text}`, { details: { index } });
      }
      return embeddingCacheKey(this.modelId, text);
    });
    const results: Array<Float32Array | undefined> = new Array(texts.length);
    const missing = new Map<string, number[]>();
    for (let index = 0; index < texts.length; index += 1) {
      const key = keys[index] as string;
      const remembered = this.#memory.get(key);
      if (remembered) {
        this.#counters.memoryHits += 1;
        results[index] = remembered.slice();
        continue;
      }
      const pending = missing.get(key);
      if (pending) pending.push(index);
      else missing.set(key, [index]);
    }
    if (disk && missing.size > 0) {
      for (const [key, indices] of [...missing]) {
        const stored = await disk.read(key);
        if (!stored) continue;
        this.#counters.diskHits += indices.length;
        this.#memory.set(key, stored);
        for (const index of indices) results[index] = stored.slice();
        missing.delete(key);
      }
    }
    if (missing.size > 0) {
      const order = [...missing.keys()];
      const batch = order.map((key) => texts[(missing.get(key) as number[])[0] as number] as string);
      const vectors = await this.inner.embed(batch, options);
      if (vectors.length !== batch.length) {
        throw new TradeR1Error(
          'INFERENCE_FAILED',
          `${this.modelId} returned ${vectors.length} vectors for ${batch.length} texts`,
        );
      }
      for (let position = 0; position < order.length; position += 1) {
        const key = order[position] as string;
        const vector = vectors[position] as Float32Array;
        if (vector.length !== this.dimension) {
          throw new TradeR1Error('DIMENSION_MISMATCH', `${this.modelId} returned a vector of length ${vector.length}`, {
            details: { expected: this.dimension, actual: vector.length },
          });
        }
        const indices = missing.get(key) as number[];
        this.#counters.misses += indices.length;
        const stored = vector.slice();
        this.#memory.set(key, stored);
        for (const index of indices) results[index] = stored.slice();
      }
      if (disk) {
        await disk.append(
          order.map((key) => [
            key,
            this.#memory.get(key) ?? (results[(missing.get(key) as number[])[0] as number] as Float32Array),
          ]),
        );
      }
    }
    if (disk) this.#diskEntries = disk.size;
    return results as Float32Array[];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#memory.clear();
    const disk = await this.#disk?.catch(() => undefined);
    await disk?.close();
    if (this.#settings.closeInner) await this.inner.close();
  }

  #openDisk(): Promise<DiskCache | undefined> {
    const directory = this.#settings.directory;
    if (directory === undefined) return Promise.resolve(undefined);
    this.#disk ??= DiskCache.open(directory, this.modelId, this.dimension);
    return this.#disk;
  }
}

/** Append-only file of fixed-size records (sha256 key, float32 vector). */
class DiskCache {
  readonly #handle: FileHandle;
  readonly #recordBytes: number;
  readonly #dimension: number;
  readonly #offsets: Map<string, number>;
  #end: number;
  #writing: Promise<void> = Promise.resolve();

  private constructor(handle: FileHandle, dimension: number, offsets: Map<string, number>, end: number) {
    this.#handle = handle;
    this.#dimension = dimension;
    this.#recordBytes = HASH_BYTES + dimension * 4;
    this.#offsets = offsets;
    this.#end = end;
  }

  get size(): number {
    return this.#offsets.size;
  }

  static async open(directory: string, modelId: string, dimension: number): Promise<DiskCache> {
    const slug = modelId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
    const path = join(
      directory,
      `${slug}-${createHash('sha256').update(modelId).digest('hex').slice(0, 8)}-${dimension}.f32cache`,
    );
    try {
      await mkdir(directory, { recursive: true });
      const handle = await open(path, 'a+');
      const recordBytes = HASH_BYTES + dimension * 4;
      const { size } = await handle.stat();
      const complete = size - (size % recordBytes);
      if (complete !== size) await handle.truncate(complete);
      const offsets = new Map<string, number>();
      const header = Buffer.alloc(HASH_BYTES);
      for (let offset = 0; offset < complete; offset += recordBytes) {
        await handle.read(header, 0, HASH_BYTES, offset);
        offsets.set(header.toString('hex'), offset + HASH_BYTES);
      }
      return new DiskCache(handle, dimension, offsets, complete);
    } catch (cause) {
      throw new TradeR1Error('STORE_ERROR', `Cannot open the embedding cache file ${path}`, {
        cause,
        details: { path },
      });
    }
  }

  async read(key: string): Promise<Float32Array | undefined> {
    const offset = this.#offsets.get(key);
    if (offset === undefined) return undefined;
    const buffer = Buffer.alloc(this.#dimension * 4);
    await this.#handle.read(buffer, 0, buffer.byteLength, offset);
    const vector = new Float32Array(this.#dimension);
    for (let d = 0; d < this.#dimension; d += 1) vector[d] = buffer.readFloatLE(d * 4);
    return vector;
  }

  append(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    const fresh = entries.filter(([key]) => !this.#offsets.has(key));
    if (fresh.length === 0) return this.#writing;
    const buffer = Buffer.alloc(fresh.length * this.#recordBytes);
    fresh.forEach(([key, vector], position) => {
      const base = position * this.#recordBytes;
      buffer.write(key, base, 'hex');
      for (let d = 0; d < this.#dimension; d += 1) buffer.writeFloatLE(vector[d] as number, base + HASH_BYTES + d * 4);
    });
    const start = this.#end;
    this.#end += buffer.byteLength;
    fresh.forEach(([key], position) => {
      this.#offsets.set(key, start + position * this.#recordBytes + HASH_BYTES);
    });
    this.#writing = this.#writing.then(async () => {
      await this.#handle.write(buffer, 0, buffer.byteLength);
    });
    return this.#writing;
  }

  async close(): Promise<void> {
    await this.#writing.catch(() => undefined);
    await this.#handle.close();
  }
}
