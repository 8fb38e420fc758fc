import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_TRADER_ACTION_TEXTS, textModelAction } from '../src/action/text-action.ts';
import { buildFlagTraderPrompt } from '../src/prompts/flag-trader.ts';
import { type WrittenLlamaTestModel, writeLlamaTestModel } from '../src/testing/llama.ts';
import { createOnnxPolicy, type OnnxTextPolicy } from '../src/text/onnx-policy.ts';
import { llamaFeeds, logitsAt, temporaryDirectory } from './helpers.ts';

let workspace: { dir: string; cleanup: () => Promise<void> };
let written: WrittenLlamaTestModel;
let policy: OnnxTextPolicy;
let trimmedPolicy: OnnxTextPolicy;

beforeAll(async () => {
  workspace = await temporaryDirectory();
  written = await writeLlamaTestModel({
    dir: `${workspace.dir}/tiny`,
    initStd: 0.25,
    seed: 5,
    maxPositionEmbeddings: 4096,
  });
  policy = await createOnnxPolicy({ model: written.dir, device: 'cpu' });
  // The same weights with transformers.js' num_logits_to_keep input: scoring must ask for every completion position.
  const trimmed = await writeLlamaTestModel({
    dir: `${workspace.dir}/trimmed`,
    initStd: 0.25,
    seed: 5,
    maxPositionEmbeddings: 4096,
    numLogitsToKeep: true,
  });
  trimmedPolicy = await createOnnxPolicy({ model: trimmed.dir, device: 'cpu' });
});

afterAll(async () => {
  await policy?.close();
  await trimmedPolicy?.close();
  await workspace?.cleanup();
});

function logSoftmax(row: Float32Array, token: number, temperature: number): number {
  const scaled = Array.from(row, (value) => value / temperature);
  const max = Math.max(...scaled);
  return (scaled[token] as number) - max - Math.log(scaled.reduce((sum, value) => sum + Math.exp(value - max), 0));
}

const prompt = buildFlagTraderPrompt({ prices: [10, 10.5, 10.2, 10.9], cash: 10_000, position: 0 }).text;

describe('OnnxTextPolicy.score', () => {
  it('gives the per-token log-probs of a no-cache forward pass over prompt + completion', async () => {
    const session = await ort.InferenceSession.create(`${written.dir}/onnx/model.onnx`);
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = written.config;
    const promptIds = policy.encodePrompt(prompt);
    for (const temperature of [1, 0.7]) {
      const { scores, promptTokenCount } = await policy.score({
        prompt,
        completions: [...FLAG_TRADER_ACTION_TEXTS, ' and then some more words'],
        temperature,
        includeEos: true,
      });
      expect(promptTokenCount).toBe(promptIds.length);
      for (const scored of scores) {
        expect(scored.tokenIds.at(-1)).toBe(written.tokens.eos);
        const sequence = [...promptIds, ...scored.tokenIds.slice(0, -1)];
        const output = await session.run(llamaFeeds({ ids: [sequence], layers, kvHeads, headDim }));
        scored.tokenIds.forEach((token, index) => {
          const row = logitsAt(output.logits as ort.Tensor, 0, promptIds.length + index - 1);
          expect(scored.logprobs[index]).toBeCloseTo(logSoftmax(row, token, temperature), 4);
        });
        expect(scored.logprob).toBeCloseTo(
          scored.logprobs.reduce((sum, value) => sum + value, 0),
          9,
        );
      }
    }
    await session.release();
    const trimmed = await trimmedPolicy.score({ prompt, completions: [...FLAG_TRADER_ACTION_TEXTS] });
    const full = await policy.score({ prompt, completions: [...FLAG_TRADER_ACTION_TEXTS] });
    trimmed.scores.forEach((scored, index) => {
      expect(scored.logprob).toBeCloseTo(full.scores[index]?.logprob as number, 4);
    });
  });

  it('rejects bad input with typed errors', async () => {
    await expect(policy.score({ prompt, completions: [] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(policy.score({ prompt, completion: ['x'] } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(policy.score({ prompt, completions: ['x'.repeat(9000)] })).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
  });
});

describe('textModelAction', () => {
  it('never picks a masked action and samples the others by their masked probabilities', async () => {
    const counts = { SELL: 0, HOLD: 0, BUY: 0 };
    let probabilities: [number, number, number] = [0, 0, 0];
    const steps = 300;
    const short = 'Action:';
    for (let step = 0; step < steps; step += 1) {
      const result = await textModelAction({
        policy,
        prompt: short,
        state: { position: 0, cash: 10_000 },
        seed: 7,
        step,
      });
      counts[result.action] += 1;
      probabilities = result.probabilities;
      expect(result.mask).toEqual([false, true, true]);
      expect(result.logprob).toBeCloseTo(
        Math.log(result.probabilities[['SELL', 'HOLD', 'BUY'].indexOf(result.action)] as number),
        9,
      );
    }
    expect(counts.SELL).toBe(0);
    expect(probabilities[0]).toBe(0);
    // Softmax of the sequence log-probs over HOLD and BUY.
    const { scores } = await policy.score({
      prompt: short,
      completions: [...FLAG_TRADER_ACTION_TEXTS],
      includeEos: true,
    });
    const [hold, buy] = [scores[1]?.logprob as number, scores[2]?.logprob as number];
    expect(probabilities[2]).toBeCloseTo(1 / (1 + Math.exp(hold - buy)), 9);
    // 300 draws: within 4 standard deviations of the expected BUY count.
    const p = probabilities[2];
    expect(Math.abs(counts.BUY - steps * p)).toBeLessThan(4 * Math.sqrt(steps * p * (1 - p)) + 1);
  });

  it('replays a step, draws afresh per step, takes the argmax when greedy, and validates its options', async () => {
    const options = { policy, prompt, seed: 3, step: 12 };
    expect((await textModelAction(options)).action).toBe((await textModelAction(options)).action);
    const greedy = await textModelAction({ policy, prompt, greedy: true, mask: [true, false, true] });
    expect(greedy.probabilities[1]).toBe(0);
    expect(greedy.action).toBe(greedy.probabilities[0] >= greedy.probabilities[2] ? 'SELL' : 'BUY');
    await expect(textModelAction({ policy, prompt, seed: 1 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(textModelAction({ policy, prompt, greedy: true, mask: [false, false, false] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(textModelAction({ policy, prompt, greedy: true, masks: [] } as never)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
