import fc from 'fast-check';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { llamaFeeds } from '../../test/helpers.ts';
import { buildLlamaTestModel } from '../testing/llama.ts';
import { ONNX_FLOAT, OnnxGraphBuilder } from '../testing/onnx-graph.ts';
import { type CachePair, exposeNewCachePositions } from './cache-outputs.ts';

const pairsOf = (layers: number): CachePair[] =>
  Array.from({ length: layers }, (_, layer) =>
    ['key', 'value'].map((part) => ({
      input: `past_key_values.${layer}.${part}`,
      output: `present.${layer}.${part}`,
    })),
  ).flat();

function sameData(left: ort.Tensor, right: ort.Tensor): boolean {
  const a = left.data as Float32Array;
  const b = right.data as Float32Array;
  return a.length === b.length && a.every((value, index) => Object.is(value, b[index]));
}

describe('exposeNewCachePositions', () => {
  const model = buildLlamaTestModel({ initStd: 0.25, seed: 4, numLayers: 2, numKeyValueHeads: 2 });
  const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = model.config;

  it('adds the new positions of every cache entry as outputs and leaves every other output as it was', async () => {
    const exposed = exposeNewCachePositions(model.onnx, pairsOf(layers));
    expect(exposed).toBeDefined();
    expect([...(exposed?.outputs.keys() ?? [])]).toEqual(pairsOf(layers).map((pair) => pair.output));
    const original = await ort.InferenceSession.create(model.onnx);
    const session = await ort.InferenceSession.create(exposed?.bytes as Uint8Array);
    expect(session.outputNames.slice(0, original.outputNames.length)).toEqual(original.outputNames);
    expect(session.outputNames.slice(original.outputNames.length)).toEqual([...(exposed?.outputs.values() ?? [])]);
    // A prefill of 5 tokens, then a step of 2 over its cache (two rows, one left padded).
    const prefillFeeds = llamaFeeds({
      ids: [
        [3, 4, 5, 6, 7],
        [0, 0, 8, 9, 10],
      ],
      mask: [
        [1, 1, 1, 1, 1],
        [0, 0, 1, 1, 1],
      ],
      positions: [
        [0, 1, 2, 3, 4],
        [0, 0, 0, 1, 2],
      ],
      layers,
      kvHeads,
      headDim,
    });
    const prefill = await original.run(prefillFeeds);
    const past = Object.fromEntries(pairsOf(layers).map((pair) => [pair.input, prefill[pair.output] as ort.Tensor]));
    const stepFeeds = llamaFeeds({
      ids: [
        [11, 12],
        [13, 14],
      ],
      mask: [
        [1, 1, 1, 1, 1, 1, 1],
        [0, 0, 1, 1, 1, 1, 1],
      ],
      positions: [
        [5, 6],
        [3, 4],
      ],
      past,
      layers,
      kvHeads,
      headDim,
    });
    const expected = await original.run(stepFeeds);
    const actual = await session.run(stepFeeds);
    for (const name of original.outputNames)
      expect(sameData(actual[name] as ort.Tensor, expected[name] as ort.Tensor)).toBe(true);
    for (const [present, fresh] of exposed?.outputs ?? []) {
      const grown = expected[present] as ort.Tensor;
      const added = actual[fresh] as ort.Tensor;
      expect(added.dims).toEqual([2, kvHeads, 2, headDim]);
      // The new positions are the last two slots of present, block by block.
      const grownData = grown.data as Float32Array;
      const addedData = added.data as Float32Array;
      for (let block = 0; block < 2 * kvHeads; block += 1) {
        const tail = grownData.subarray((block * 7 + 5) * headDim, (block * 7 + 7) * headDim);
        const head = addedData.subarray(block * 2 * headDim, (block + 1) * 2 * headDim);
        expect(Array.from(head)).toEqual(Array.from(tail));
      }
    }
    await original.release();
    await session.release();
  });

  it('returns undefined when a present output is not Concat(past, new) on the position axis', () => {
    // The fp16 interface casts around the cache: present = Cast(Concat(Cast(past), new)).
    const half = buildLlamaTestModel({ initStd: 0.25, seed: 4, numLayers: 1, ioDtype: 'float16' });
    expect(exposeNewCachePositions(half.onnx, pairsOf(1))).toBeUndefined();
    // Concat on another axis, and Concat with the operands swapped.
    for (const [axis, order] of [
      [1, 'past-first'],
      [2, 'new-first'],
    ] as const) {
      const g = new OnnxGraphBuilder('cache');
      g.input('past_key_values.0.key', ONNX_FLOAT, ['b', 2, 'p', 4]);
      g.input('fresh', ONNX_FLOAT, ['b', 2, 's', 4]);
      const inputs = order === 'past-first' ? ['past_key_values.0.key', 'fresh'] : ['fresh', 'past_key_values.0.key'];
      g.one('Concat', inputs, { axis }, 'present.0.key');
      g.output('present.0.key', ONNX_FLOAT, ['b', 2, 't', 4]);
      expect(
        exposeNewCachePositions(g.toBytes(), [{ input: 'past_key_values.0.key', output: 'present.0.key' }]),
      ).toBeUndefined();
    }
    // A present output no node produces, and no cache at all.
    expect(
      exposeNewCachePositions(model.onnx, [{ input: 'past_key_values.0.key', output: 'present.9.key' }]),
    ).toBeUndefined();
    expect(exposeNewCachePositions(model.onnx, [])).toBeUndefined();
  });

  it('never throws on arbitrary or truncated bytes (property)', () => {
    const prefix = model.onnx.subarray(0, 4096);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: prefix.length }), (bytes, cut) => {
        const pairs = pairsOf(1);
        expect(exposeNewCachePositions(bytes, pairs)).toBeUndefined();
        const truncated = exposeNewCachePositions(prefix.subarray(0, cut), pairs);
        expect(truncated === undefined || truncated.outputs instanceof Map).toBe(true);
      }),
      { seed: 15, numRuns: 300 },
    );
  });
});
