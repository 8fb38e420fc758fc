import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WrittenLlamaTestModel, writeLlamaTestModel } from '../src/testing/llama.ts';
import { createOnnxPolicy } from '../src/text/onnx-policy.ts';
import { llamaFeeds, logitsAt, temporaryDirectory } from './helpers.ts';

let workspace: { dir: string; cleanup: () => Promise<void> };
let written: WrittenLlamaTestModel;

beforeAll(async () => {
  workspace = await temporaryDirectory();
  written = await writeLlamaTestModel({ dir: join(workspace.dir, 'tiny'), initStd: 0.25, seed: 6 });
});

afterAll(async () => {
  await workspace?.cleanup();
});

function logSoftmax(row: Float32Array, token: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of row) max = Math.max(max, value);
  let sum = 0;
  for (const value of row) sum += Math.exp(value - max);
  return (row[token] as number) - max - Math.log(sum);
}

// The model's log-probs of `tokens` after `prompt` in one no-cache pass with position ids from `first`.
async function reference(prompt: number[], tokens: number[], first: number): Promise<number[]> {
  const session = await ort.InferenceSession.create(join(written.dir, 'onnx', 'model.onnx'));
  const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = written.config;
  const ids = [...prompt, ...tokens];
  const output = await session.run(
    llamaFeeds({ ids: [ids], positions: [ids.map((_, index) => first + index)], layers, kvHeads, headDim }),
  );
  await session.release();
  return tokens.map((token, index) =>
    logSoftmax(logitsAt(output.logits as ort.Tensor, 0, prompt.length + index - 1), token),
  );
}

describe('position ids', () => {
  it('count from 1 for Gemma 3 model types (config model_type), and from firstPositionId when given', async () => {
    const configPath = join(written.dir, 'config.json');
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    for (const [label, options] of [
      ['explicit', { firstPositionId: 1 }],
      ['gemma3_text', {}],
    ] as const) {
      if (label === 'gemma3_text')
        await writeFile(configPath, JSON.stringify({ ...config, model_type: 'gemma3_text' }));
      const policy = await createOnnxPolicy({ model: written.dir, device: 'cpu', ...options });
      const prompt = policy.encodePrompt('Shares rose.');
      const { completions } = await policy.generate({ prompts: ['Shares rose.'], maxNewTokens: 6, seed: 2 });
      const completion = completions[0]?.[0];
      if (!completion) throw new Error('no completion');
      const oneBased = await reference(prompt, completion.tokenIds, 1);
      completion.modelLogprobs.forEach((value, index) => {
        expect(value).toBeCloseTo(oneBased[index] as number, 4);
      });
      const scored = await policy.score({ prompt: 'Shares rose.', completions: [' and fell'] });
      const expected = await reference(prompt, scored.scores[0]?.tokenIds ?? [], 1);
      scored.scores[0]?.logprobs.forEach((value, index) => {
        expect(value).toBeCloseTo(expected[index] as number, 4);
      });
      await policy.close();
    }
    await writeFile(configPath, JSON.stringify(config));
  });

  it('leave one position less for generation when they count from 1', async () => {
    // Rotary attention depends on position differences only, so the offset shows in the position limit: the rotary
    // table covers ids 0 … max − 1, and a 1-based sequence reaches id max − 1 one token earlier.
    const short = await writeLlamaTestModel({
      dir: join(workspace.dir, 'short'),
      initStd: 0.25,
      seed: 6,
      maxPositionEmbeddings: 24,
    });
    const lengths: number[] = [];
    for (const firstPositionId of [0, 1]) {
      const policy = await createOnnxPolicy({ model: short.dir, device: 'cpu', firstPositionId, eosTokenIds: [0] });
      const prompt = policy.encodePrompt('Shares rose.');
      const { completions } = await policy.generate({ prompts: ['Shares rose.'], maxNewTokens: 100, seed: 1 });
      expect(completions[0]?.[0]?.finishReason).toBe('length');
      lengths.push((completions[0]?.[0]?.completionTokenCount ?? 0) + prompt.length);
      await policy.close();
    }
    expect(lengths).toEqual([24, 23]);
  });
});
