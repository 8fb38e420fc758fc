import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLlamaTestModel } from '../src/testing/llama.ts';
import { createOnnxPolicy, type OnnxTextPolicy } from '../src/text/onnx-policy.ts';
import { temporaryDirectory } from './helpers.ts';

// An fp16 export's interface (float16 KV cache in and out, float16 logits) over the same weights as an fp32 model.
let workspace: { dir: string; cleanup: () => Promise<void> };
let fp32: OnnxTextPolicy;
let fp16: OnnxTextPolicy;

beforeAll(async () => {
  workspace = await temporaryDirectory();
  const shape = { initStd: 0.25, seed: 9 };
  const full = await writeLlamaTestModel({ dir: join(workspace.dir, 'fp32'), ...shape });
  const half = await writeLlamaTestModel({ dir: join(workspace.dir, 'fp16'), ...shape, ioDtype: 'float16' });
  expect(half.modelPath.endsWith('model_fp16.onnx')).toBe(true);
  fp32 = await createOnnxPolicy({ model: full.dir, device: 'cpu' });
  fp16 = await createOnnxPolicy({ model: half.dir, device: 'cpu', dtype: 'fp16' });
});

afterAll(async () => {
  await fp32?.close();
  await fp16?.close();
  await workspace?.cleanup();
});

describe('fp16 models', () => {
  it('decode with a float16 cache and logits like the fp32 model, within fp16 rounding', async () => {
    const options = {
      prompts: ['The stock rose after earnings.', 'Decision:'],
      numSamples: 3,
      maxNewTokens: 12,
      seed: 4,
    };
    const half = await fp16.generate({ ...options, temperature: 0 });
    const full = await fp32.generate({ ...options, temperature: 0 });
    expect(half.completions.flat().map((completion) => completion.tokenIds)).toEqual(
      full.completions.flat().map((completion) => completion.tokenIds),
    );
    let worst = 0;
    half.completions.flat().forEach((completion, index) => {
      const reference = full.completions.flat()[index]?.modelLogprobs ?? [];
      completion.modelLogprobs.forEach((value, position) => {
        worst = Math.max(worst, Math.abs((value as number) - (reference[position] as number)));
      });
    });
    expect(worst).toBeLessThan(0.02);
    const scoredHalf = await fp16.score({ prompt: 'Decision:', completions: [' Buy now'] });
    const scoredFull = await fp32.score({ prompt: 'Decision:', completions: [' Buy now'] });
    expect(scoredHalf.scores[0]?.logprob).toBeCloseTo(scoredFull.scores[0]?.logprob as number, 1);
  });
});
