import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLlamaTestModel } from '../src/testing/llama.ts';
import { CACHE_GROWTH } from '../src/text/decode-cache.ts';
import { createOnnxPolicy, type OnnxTextPolicy } from '../src/text/onnx-policy.ts';
import { temporaryDirectory } from './helpers.ts';

// The same model decoded with the cache kept in place (new positions written into the policy's buffers, free
// slots masked) and with the whole present cache fetched every step.
let workspace: { dir: string; cleanup: () => Promise<void> };
let inPlace: OnnxTextPolicy;
let present: OnnxTextPolicy;
let half: OnnxTextPolicy;

beforeAll(async () => {
  workspace = await temporaryDirectory();
  const written = await writeLlamaTestModel({ dir: join(workspace.dir, 'fp32'), initStd: 0.25, seed: 5 });
  inPlace = await createOnnxPolicy({ model: written.dir, device: 'cpu' });
  present = await createOnnxPolicy({ model: written.dir, device: 'cpu', kvCache: 'present' });
  const halfModel = await writeLlamaTestModel({
    dir: join(workspace.dir, 'fp16'),
    initStd: 0.25,
    seed: 5,
    ioDtype: 'float16',
  });
  half = await createOnnxPolicy({ model: halfModel.dir, device: 'cpu', dtype: 'fp16' });
});

afterAll(async () => {
  await inPlace?.close();
  await present?.close();
  await half?.close();
  await workspace?.cleanup();
});

describe('KV cache modes', () => {
  it('keep the cache in place where the graph allows, and say why not elsewhere', () => {
    expect(inPlace.info()).toMatchObject({ kvCache: 'in-place' });
    expect(inPlace.info().kvCacheReason).toBeUndefined();
    expect(present.info()).toMatchObject({ kvCache: 'present', kvCacheReason: "kvCache: 'present' was requested" });
    // The fp16 interface casts the cache around the Concat, so its present outputs are not Concat(past, new).
    expect(half.info()).toMatchObject({
      kvCache: 'present',
      kvCacheReason: 'the present outputs are not Concat(past, new positions)',
    });
  });

  it('give the same samples and log-probs, across prompts of different lengths and cache growth', async () => {
    const tokens = 2 * CACHE_GROWTH + 11;
    const options = {
      prompts: ['The stock rose after earnings and the guidance was raised.', 'Decision:'],
      numSamples: 3,
      maxNewTokens: tokens,
      minNewTokens: tokens,
      temperature: 0.8,
      topK: 30,
      seed: 21,
    };
    const left = await inPlace.generate(options);
    const right = await present.generate(options);
    let compared = 0;
    left.completions.flat().forEach((completion, index) => {
      const other = right.completions.flat()[index];
      expect(completion.tokenIds).toHaveLength(tokens);
      expect(completion.tokenIds).toEqual(other?.tokenIds);
      completion.modelLogprobs.forEach((value, position) => {
        expect(Math.abs((value as number) - (other?.modelLogprobs[position] as number))).toBeLessThan(1e-5);
        expect(
          Math.abs((completion.logprobs[position] as number) - (other?.logprobs[position] as number)),
        ).toBeLessThan(1e-5);
        compared += 1;
      });
    });
    expect(compared).toBe(2 * 3 * tokens);
  });

  it('rejects an unknown kvCache mode', async () => {
    await expect(
      createOnnxPolicy({ model: workspace.dir, device: 'cpu', kvCache: 'static' as unknown as 'auto' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
