import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEncoderModel } from '../testing/encoder-model.ts';
import { createTransformersEmbedder, cudaUnavailableReason, type TransformersEmbedder } from './transformers.ts';
import { dot, l2Norm } from './vector-math.ts';

let root: string;
let modelDir: string;
let embedder: TransformersEmbedder;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'trade-r1-transformers-'));
  modelDir = (await buildEncoderModel({ dir: join(root, 'tiny-bert'), hidden: 24, layers: 1, heads: 2, seed: 7 })).dir;
  embedder = await createTransformersEmbedder({ model: modelDir, device: 'auto', batchSize: 3 });
});
afterAll(async () => {
  await embedder.close();
  rmSync(root, { recursive: true, force: true });
});

describe('createTransformersEmbedder', () => {
  it('loads a local ONNX encoder with the real MiniLM tokenizer and reports the device it chose', () => {
    expect(embedder.dimension).toBe(24);
    expect(embedder.modelId).toBe('local:tiny-bert');
    expect(['cpu', 'cuda']).toContain(embedder.device);
    if (cudaUnavailableReason() !== undefined) {
      expect(embedder.device).toBe('cpu');
      expect(embedder.fallbackReason).toMatch(/CUDA|onnxruntime/);
    }
  });

  it('returns L2-normalised vectors that do not depend on batching or padding', async () => {
    const texts = [
      'Short text.',
      'Apple reported quarterly revenue of $119.6 billion, up 2 percent year over year, with a record in services.',
      'Fed holds rates',
      'A fourth text to force a second batch of three.',
      'Short text.',
    ];
    const batched = await embedder.embed(texts);
    expect(batched).toHaveLength(texts.length);
    for (const [index, text] of texts.entries()) {
      const [single] = await embedder.embed([text]);
      const vector = batched[index] as Float32Array;
      expect(vector).toHaveLength(24);
      expect(l2Norm(vector)).toBeCloseTo(1, 5);
      expect(dot(vector, single as Float32Array)).toBeGreaterThan(0.99999);
    }
    expect(dot(batched[0] as Float32Array, batched[4] as Float32Array)).toBeGreaterThan(0.99999);
    expect(dot(batched[0] as Float32Array, batched[1] as Float32Array)).toBeLessThan(0.999);
  });

  it('is deterministic for the same seed and differs for another seed', async () => {
    const again = await buildEncoderModel({ dir: join(root, 'same'), hidden: 24, layers: 1, heads: 2, seed: 7 });
    const other = await buildEncoderModel({ dir: join(root, 'other'), hidden: 24, layers: 1, heads: 2, seed: 8 });
    const [sameEmbedder, otherEmbedder] = await Promise.all([
      createTransformersEmbedder({ model: again.dir, device: 'cpu' }),
      createTransformersEmbedder({ model: other.dir, device: 'cpu' }),
    ]);
    const text = ['Microsoft cloud revenue grew 30 percent'];
    const [reference] = await embedder.embed(text);
    const [same] = await sameEmbedder.embed(text);
    const [different] = await otherEmbedder.embed(text);
    expect(Array.from(same as Float32Array)).toEqual(Array.from(reference as Float32Array));
    expect(dot(different as Float32Array, reference as Float32Array)).toBeLessThan(0.99);
    await sameEmbedder.close();
    await otherEmbedder.close();
  });

  it('resolves a model folder name under localDir or TRADE_R1_MODELS', async () => {
    const fromRoot = await createTransformersEmbedder({ model: 'tiny-bert', localDir: root, device: 'cpu' });
    expect(fromRoot.source).toBe(modelDir);
    await fromRoot.close();
    const previous = process.env.TRADE_R1_MODELS;
    process.env.TRADE_R1_MODELS = root;
    try {
      const fromEnvironment = await createTransformersEmbedder({ model: 'tiny-bert', device: 'cpu', pooling: 'cls' });
      expect(fromEnvironment.modelId).toBe('local:tiny-bert:cls');
      await fromEnvironment.close();
    } finally {
      if (previous === undefined) delete process.env.TRADE_R1_MODELS;
      else process.env.TRADE_R1_MODELS = previous;
    }
  });

  it('fails with typed errors for missing models, bad options, blank texts and use after close', async () => {
    await expect(
      createTransformersEmbedder({ model: 'no-such-model', localDir: root, localFilesOnly: true }),
    ).rejects.toSatisfy((error) => isTradeR1Error(error, 'MODEL_LOAD_FAILED'));
    await expect(
      createTransformersEmbedder({ model: join(root, 'missing-dir'), localFilesOnly: true }),
    ).rejects.toSatisfy((error) => isTradeR1Error(error, 'MODEL_LOAD_FAILED'));
    await expect(createTransformersEmbedder({ model: modelDir, batchSize: 0 })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'INVALID_CONFIG'),
    );
    if (cudaUnavailableReason() !== undefined) {
      await expect(createTransformersEmbedder({ model: modelDir, device: 'cuda' })).rejects.toSatisfy((error) =>
        isTradeR1Error(error, 'UNSUPPORTED'),
      );
    }
    await expect(embedder.embed(['fine', ''])).rejects.toSatisfy((error) => isTradeR1Error(error, 'INVALID_INPUT'));
    const controller = new AbortController();
    controller.abort();
    await expect(embedder.embed(['fine'], { signal: controller.signal })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'ABORTED'),
    );
    const closing = await createTransformersEmbedder({ model: modelDir, device: 'cpu' });
    await closing.close();
    await closing.close();
    await expect(closing.embed(['x'])).rejects.toSatisfy((error) => isTradeR1Error(error, 'CLOSED'));
  });
});
