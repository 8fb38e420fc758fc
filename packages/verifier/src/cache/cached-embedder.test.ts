import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder, type DefaultEmbedder } from '../embedders/static/default-embedder.ts';
import type { Embedder, EmbedOptions } from '../embedders/types.ts';
import { createCachedEmbedder, embeddingCacheKey } from './cached-embedder.ts';

/** Wraps the real default embedder and records what reaches it. */
class CountingEmbedder implements Embedder {
  readonly calls: string[][] = [];
  closed = false;
  constructor(readonly inner: Embedder) {}
  get modelId(): string {
    return this.inner.modelId;
  }
  get dimension(): number {
    return this.inner.dimension;
  }
  async embed(texts: readonly string[], options?: EmbedOptions): Promise<Float32Array[]> {
    this.calls.push([...texts]);
    return this.inner.embed(texts, options);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

let directory: string;
let base: DefaultEmbedder;
beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'trade-r1-cache-'));
  base = await createDefaultEmbedder();
});
afterAll(async () => {
  await base.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('createCachedEmbedder', () => {
  it('embeds each distinct text once and returns the same vectors as the inner embedder', async () => {
    const counting = new CountingEmbedder(base);
    const cached = createCachedEmbedder(counting);
    const texts = ['Apple revenue rose', 'Oil fell', 'Apple revenue rose'];
    const first = await cached.embed(texts);
    expect(counting.calls).toEqual([['Apple revenue rose', 'Oil fell']]);
    const second = await cached.embed(['Oil fell', 'Apple revenue rose']);
    expect(counting.calls).toHaveLength(1);
    const direct = await base.embed(texts);
    expect(first.map((vector) => Array.from(vector))).toEqual(direct.map((vector) => Array.from(vector)));
    expect(Array.from(second[0] as Float32Array)).toEqual(Array.from(direct[1] as Float32Array));
    expect(cached.stats()).toMatchObject({ misses: 3, memoryHits: 2, diskHits: 0, memoryEntries: 2 });
    // Returned vectors are copies: mutating one does not poison the cache.
    (second[0] as Float32Array).fill(0);
    const [again] = await cached.embed(['Oil fell']);
    expect(Array.from(again as Float32Array)).toEqual(Array.from(direct[1] as Float32Array));
    await cached.close();
    expect(counting.closed).toBe(true);
  });

  it('evicts least recently used entries beyond maxEntries', async () => {
    const counting = new CountingEmbedder(base);
    const cached = createCachedEmbedder(counting, { maxEntries: 2, closeInner: false });
    await cached.embed(['a text', 'b text']);
    await cached.embed(['a text']);
    await cached.embed(['c text']);
    await cached.embed(['a text']);
    expect(counting.calls.flat()).toEqual(['a text', 'b text', 'c text']);
    await cached.embed(['b text']);
    expect(counting.calls.flat()).toEqual(['a text', 'b text', 'c text', 'b text']);
    await cached.close();
    expect(counting.closed).toBe(false);
  });

  it('persists vectors on disk across instances and survives a torn last record', async () => {
    const cacheDir = join(directory, 'persist');
    const firstInner = new CountingEmbedder(base);
    const first = createCachedEmbedder(firstInner, { directory: cacheDir });
    const vectors = await first.embed(['Fed holds rates', 'Nvidia beats estimates']);
    await first.close();
    const secondInner = new CountingEmbedder(base);
    const second = createCachedEmbedder(secondInner, { directory: cacheDir });
    const restored = await second.embed(['Nvidia beats estimates', 'Fed holds rates', 'New text']);
    expect(secondInner.calls).toEqual([['New text']]);
    expect(Array.from(restored[0] as Float32Array)).toEqual(Array.from(vectors[1] as Float32Array));
    expect(second.stats()).toMatchObject({ diskHits: 2, misses: 1, diskEntries: 3 });
    await second.close();

    const [file] = readdirSync(cacheDir);
    const path = join(cacheDir, file as string);
    truncateSync(path, statSync(path).size - 7);
    const thirdInner = new CountingEmbedder(base);
    const third = createCachedEmbedder(thirdInner, { directory: cacheDir });
    await third.embed(['Fed holds rates', 'Nvidia beats estimates', 'New text']);
    expect(thirdInner.calls).toEqual([['New text']]);
    await third.close();
  });

  it('keys by model id and text', () => {
    expect(embeddingCacheKey('m@1', 'text')).toMatch(/^[0-9a-f]{64}$/);
    expect(embeddingCacheKey('m@1', 'text')).not.toBe(embeddingCacheKey('m@2', 'text'));
    expect(embeddingCacheKey('m@1', 'ab')).not.toBe(embeddingCacheKey('m@1a', 'b'));
  });

  it('passes inner errors through, rejects bad options, and refuses use after close', async () => {
    const cached = createCachedEmbedder(base, { closeInner: false });
    await expect(cached.embed(['ok', ' '])).rejects.toSatisfy((error) => isTradeR1Error(error, 'INVALID_INPUT'));
    expect(() => createCachedEmbedder(base, { maxEntries: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    await cached.close();
    await cached.close();
    await expect(cached.embed(['ok'])).rejects.toSatisfy((error) => isTradeR1Error(error, 'CLOSED'));
  });
});
