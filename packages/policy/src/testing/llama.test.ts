import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { llamaFeeds, logitsAt, maxAbsDiff, presentToPast } from '../../test/helpers.ts';
import { buildLlamaTestModel, type LlamaTestModelOptions } from './llama.ts';

const variants: Array<[string, LlamaTestModelOptions]> = [
  ['grouped KV heads, tied head', { numHeads: 4, numKeyValueHeads: 2 }],
  ['multi-query (1 KV head), untied head', { numHeads: 4, numKeyValueHeads: 1, tieWordEmbeddings: false }],
  ['full multi-head', { numHeads: 2, numKeyValueHeads: 2, hiddenSize: 16, numLayers: 3 }],
];

describe('buildLlamaTestModel', () => {
  it.each(variants)('prefill + cached decode equals a no-cache run (%s)', async (_name, options) => {
    const model = buildLlamaTestModel({ initStd: 0.3, seed: 11, ...options });
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = model.config;
    const session = await ort.InferenceSession.create(model.onnx);
    const sequence = [5, 17, 42, 99, 3, 250, 7];
    const full = await session.run(llamaFeeds({ ids: [sequence], layers, kvHeads, headDim }));
    expect(full.logits?.dims).toEqual([1, sequence.length, model.config.vocabSize]);

    const prefill = await session.run(llamaFeeds({ ids: [sequence.slice(0, 4)], layers, kvHeads, headDim }));
    expect(prefill['present.0.key']?.dims).toEqual([1, kvHeads, 4, headDim]);
    expect(
      maxAbsDiff(logitsAt(prefill.logits as ort.Tensor, 0, 3), logitsAt(full.logits as ort.Tensor, 0, 3)),
    ).toBeLessThan(1e-4);
    let past = presentToPast(prefill);
    for (let position = 4; position < sequence.length; position += 1) {
      const step = await session.run(
        llamaFeeds({ ids: [[sequence[position] as number]], past, layers, kvHeads, headDim }),
      );
      expect(step['present.0.value']?.dims).toEqual([1, kvHeads, position + 1, headDim]);
      const difference = maxAbsDiff(
        logitsAt(step.logits as ort.Tensor, 0, 0),
        logitsAt(full.logits as ort.Tensor, 0, position),
      );
      expect(difference).toBeLessThan(1e-4);
      past = presentToPast(step);
    }
    await session.release();
  });

  it('left padding with the attention mask and shifted positions changes nothing', async () => {
    const model = buildLlamaTestModel({ initStd: 0.3, seed: 5 });
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = model.config;
    const session = await ort.InferenceSession.create(model.onnx);
    const short = [8, 9, 10];
    const long = [20, 21, 22, 23, 24, 25];
    const alone = await session.run(llamaFeeds({ ids: [short], layers, kvHeads, headDim }));
    const batched = await session.run(
      llamaFeeds({
        ids: [[0, 0, 0, ...short], long],
        mask: [
          [0, 0, 0, 1, 1, 1],
          [1, 1, 1, 1, 1, 1],
        ],
        positions: [
          [1, 1, 1, 0, 1, 2],
          [0, 1, 2, 3, 4, 5],
        ],
        layers,
        kvHeads,
        headDim,
      }),
    );
    for (let index = 0; index < short.length; index += 1) {
      expect(
        maxAbsDiff(
          logitsAt(batched.logits as ort.Tensor, 0, 3 + index),
          logitsAt(alone.logits as ort.Tensor, 0, index),
        ),
      ).toBeLessThan(1e-4);
    }
    // A different padded row must not leak into the other row.
    const longAlone = await session.run(llamaFeeds({ ids: [long], layers, kvHeads, headDim }));
    expect(
      maxAbsDiff(logitsAt(batched.logits as ort.Tensor, 1, 5), logitsAt(longAlone.logits as ort.Tensor, 0, 5)),
    ).toBeLessThan(1e-4);
    await session.release();
  });

  it('is deterministic in its seed and applies logit biases', async () => {
    const first = buildLlamaTestModel({ seed: 3 });
    expect(Buffer.from(buildLlamaTestModel({ seed: 3 }).onnx).equals(Buffer.from(first.onnx))).toBe(true);
    expect(Buffer.from(buildLlamaTestModel({ seed: 4 }).onnx).equals(Buffer.from(first.onnx))).toBe(false);
    const biased = buildLlamaTestModel({ seed: 3, logitBias: { 2: 50 } });
    const session = await ort.InferenceSession.create(biased.onnx);
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = biased.config;
    const output = await session.run(llamaFeeds({ ids: [[4, 5]], layers, kvHeads, headDim }));
    const row = logitsAt(output.logits as ort.Tensor, 0, 1);
    expect(row.indexOf(Math.max(...row))).toBe(2);
    await session.release();
  });

  it('rejects inconsistent shapes', () => {
    expect(() => buildLlamaTestModel({ numHeads: 4, numKeyValueHeads: 3 })).toThrow(/divide/);
    expect(() => buildLlamaTestModel({ hiddenSize: 12, numHeads: 4 })).toThrow(/even/);
  });
});
