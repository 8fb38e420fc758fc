import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dot, l2Norm } from '../vector-math.ts';
import { createDefaultEmbedder, type DefaultEmbedder } from './default-embedder.ts';
import { DEFAULT_WORD_VECTOR_ASSET, defaultAssetsDir } from './word-vectors.ts';

let embedder: DefaultEmbedder;
beforeAll(async () => {
  embedder = await createDefaultEmbedder();
});
afterAll(async () => {
  await embedder.close();
});

async function similarity(left: string, right: string): Promise<number> {
  const [a, b] = await embedder.embed([left, right]);
  return dot(a as Float32Array, b as Float32Array);
}

describe('createDefaultEmbedder', () => {
  it('identifies its model and dimension', () => {
    expect(embedder.modelId).toBe('trade-r1/wink-sg100d-fin@1');
    expect(embedder.dimension).toBe(100);
    expect(embedder.vocabularySize).toBeGreaterThan(80_000);
  });

  it('ranks related financial sentences clearly above unrelated ones', async () => {
    const related = await similarity("Apple's quarterly revenue rose 8%", 'Apple sales increased this quarter');
    const unrelated = await similarity("Apple's quarterly revenue rose 8%", 'The weather in Paris is rainy');
    expect(related).toBeGreaterThan(0.6);
    expect(unrelated).toBeLessThan(0.3);
    expect(related - unrelated).toBeGreaterThan(0.4);
    const rates = await similarity('The central bank raised interest rates', 'The Fed hiked rates by 25 basis points');
    const mismatch = await similarity('The central bank raised interest rates', 'It is sunny in London today');
    expect(rates).toBeGreaterThan(mismatch + 0.3);
  });

  it('returns unit vectors, deterministically, and a batch equals texts embedded one by one', async () => {
    const texts = ['Nvidia beat consensus EPS estimates', 'Oil prices slumped after OPEC raised output', 'AAPL 10-K'];
    const batch = await embedder.embed(texts);
    const again = await embedder.embed(texts);
    for (const [index, text] of texts.entries()) {
      const [single] = await embedder.embed([text]);
      expect(Array.from(single as Float32Array)).toEqual(Array.from(batch[index] as Float32Array));
      expect(Array.from(again[index] as Float32Array)).toEqual(Array.from(batch[index] as Float32Array));
      expect(l2Norm(batch[index] as Float32Array)).toBeCloseTo(1, 5);
    }
    const other = await createDefaultEmbedder();
    const [fromOther] = await other.embed([texts[0] as string]);
    expect(Array.from(fromOther as Float32Array)).toEqual(Array.from(batch[0] as Float32Array));
  });

  it('matches out-of-vocabulary tokens exactly through hashed vectors', async () => {
    const same = await similarity('XYZQ guidance', 'XYZQ guidance');
    expect(same).toBeCloseTo(1, 6);
    const numbers = await similarity('revenue of 1,000 million', 'revenue of 1000 million');
    expect(numbers).toBeCloseTo(1, 6);
    const [punctuation] = await embedder.embed(['!!!']);
    expect(l2Norm(punctuation as Float32Array)).toBeCloseTo(1, 5);
    expect(embedder.coverage('Apple revenue rose')).toBe(1);
    expect(embedder.coverage('zzqx')).toBe(0);
  });

  it('backs off inflected forms to their stem', async () => {
    expect(embedder.coverage('repurchased rallies')).toBe(1);
  });

  it('rejects blank and non-string texts with INVALID_INPUT', async () => {
    await expect(embedder.embed(['ok', '   '])).rejects.toSatisfy((error) => isTradeR1Error(error, 'INVALID_INPUT'));
    await expect(embedder.embed([42 as unknown as string])).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'INVALID_INPUT'),
    );
    expect(await embedder.embed([])).toEqual([]);
  });

  it('encodes non-default weighting in the model id and rejects calls after close', async () => {
    const plain = await createDefaultEmbedder({ sifA: 0, removeCommonComponent: false, oov: 'ignore' });
    expect(plain.modelId).toBe('trade-r1/wink-sg100d-fin@1?sifA=0&pc=0&oov=ignore');
    await plain.close();
    await plain.close();
    await expect(plain.embed(['text'])).rejects.toSatisfy((error) => isTradeR1Error(error, 'CLOSED'));
  });

  it('rejects bad options and a missing asset with typed errors', async () => {
    await expect(createDefaultEmbedder({ sifA: -1 })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'INVALID_CONFIG'),
    );
    await expect(createDefaultEmbedder({ assetsDir: '/nonexistent/assets' })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'MODEL_LOAD_FAILED'),
    );
  });

  it('refuses a corrupted asset (sha256 check against the manifest)', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'trade-r1-asset-'));
    try {
      for (const suffix of ['.json', '.bin', '.vocab.txt']) {
        copyFileSync(
          join(defaultAssetsDir(), `${DEFAULT_WORD_VECTOR_ASSET}${suffix}`),
          join(directory, `${DEFAULT_WORD_VECTOR_ASSET}${suffix}`),
        );
      }
      const binary = join(directory, `${DEFAULT_WORD_VECTOR_ASSET}.bin`);
      const bytes = readFileSync(binary);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff;
      writeFileSync(binary, bytes);
      await expect(createDefaultEmbedder({ assetsDir: directory })).rejects.toSatisfy(
        (error) => isTradeR1Error(error, 'MODEL_LOAD_FAILED') && /Checksum mismatch/.test((error as Error).message),
      );
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed(['text'], { signal: controller.signal })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'ABORTED'),
    );
  });
});
