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

// A direct JavaScript LLaMA forward pass (HF semantics: rotate_half RoPE, kv head = head // group, RMSNorm,
// SwiGLU, tied lm_head) for one unpadded sequence, to check that the graph is the architecture it claims to be.
function referenceLogits(model: ReturnType<typeof buildLlamaTestModel>, ids: number[]): Float64Array[] {
  const {
    hiddenSize: H,
    numHeads: NH,
    numKeyValueHeads: KV,
    headDim: D,
    intermediateSize: I,
    vocabSize: V,
  } = model.config;
  const w = (name: string) => model.weights?.get(name) as Float32Array;
  const matmul = (x: Float64Array, matrix: Float32Array, rows: number, cols: number) => {
    const out = new Float64Array(cols);
    for (let r = 0; r < rows; r += 1)
      for (let c = 0; c < cols; c += 1)
        out[c] = (out[c] as number) + (x[r] as number) * (matrix[r * cols + c] as number);
    return out;
  };
  const rms = (x: Float64Array, weight: Float32Array) => {
    const mean = x.reduce((sum, value) => sum + value * value, 0) / x.length;
    const scale = 1 / Math.sqrt(mean + model.config.rmsNormEps);
    return x.map((value, index) => value * scale * (weight[index] as number));
  };
  const rope = (vector: Float64Array, position: number, head: number) => {
    const half = D / 2;
    const out = new Float64Array(D);
    for (let i = 0; i < half; i += 1) {
      const angle = position / model.config.ropeTheta ** ((2 * i) / D);
      const a = vector[head * D + i] as number;
      const b = vector[head * D + i + half] as number;
      out[i] = a * Math.cos(angle) - b * Math.sin(angle);
      out[i + half] = b * Math.cos(angle) + a * Math.sin(angle);
    }
    return out;
  };
  const embed = w('model.embed_tokens.weight');
  let xs = ids.map((id) => Float64Array.from(embed.subarray(id * H, (id + 1) * H)));
  for (let layer = 0; layer < model.config.numLayers; layer += 1) {
    const p = `model.layers.${layer}`;
    const normed = xs.map((x) => rms(x, w(`${p}.input_layernorm.weight`)));
    const q = normed.map((x) => matmul(x, w(`${p}.self_attn.q_proj.weight`), H, NH * D));
    const k = normed.map((x) => matmul(x, w(`${p}.self_attn.k_proj.weight`), H, KV * D));
    const v = normed.map((x) => matmul(x, w(`${p}.self_attn.v_proj.weight`), H, KV * D));
    xs = xs.map((x, s) => {
      const context = new Float64Array(NH * D);
      for (let head = 0; head < NH; head += 1) {
        const kvHead = Math.floor(head / (NH / KV));
        const query = rope(q[s] as Float64Array, s, head);
        const scores = Array.from({ length: s + 1 }, (_, t) => {
          const key = rope(k[t] as Float64Array, t, kvHead);
          return query.reduce((sum, value, index) => sum + value * (key[index] as number), 0) / Math.sqrt(D);
        });
        const max = Math.max(...scores);
        const exps = scores.map((score) => Math.exp(score - max));
        const total = exps.reduce((sum, value) => sum + value, 0);
        for (let t = 0; t <= s; t += 1) {
          for (let d = 0; d < D; d += 1)
            context[head * D + d] =
              (context[head * D + d] as number) +
              ((exps[t] as number) / total) * ((v[t] as Float64Array)[kvHead * D + d] as number);
        }
      }
      const attended = matmul(context, w(`${p}.self_attn.o_proj.weight`), NH * D, H).map(
        (value, index) => value + (x[index] as number),
      );
      const mlpIn = rms(attended, w(`${p}.post_attention_layernorm.weight`));
      const gate = matmul(mlpIn, w(`${p}.mlp.gate_proj.weight`), H, I);
      const up = matmul(mlpIn, w(`${p}.mlp.up_proj.weight`), H, I);
      const activated = gate.map((value, index) => (value / (1 + Math.exp(-value))) * (up[index] as number));
      return matmul(activated, w(`${p}.mlp.down_proj.weight`), I, H).map(
        (value, index) => value + (attended[index] as number),
      );
    });
  }
  return xs.map((x) => {
    const final = rms(x, w('model.norm.weight'));
    const logits = new Float64Array(V);
    for (let token = 0; token < V; token += 1) {
      let sum = 0;
      for (let index = 0; index < H; index += 1) sum += (final[index] as number) * (embed[token * H + index] as number);
      logits[token] = sum;
    }
    return logits;
  });
}

describe('LLaMA semantics', () => {
  it('matches a direct JavaScript LLaMA forward pass (RoPE, GQA, RMSNorm, SwiGLU, tied head)', async () => {
    const model = buildLlamaTestModel({ initStd: 0.3, seed: 21, numHeads: 4, numKeyValueHeads: 2, keepWeights: true });
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = model.config;
    const session = await ort.InferenceSession.create(model.onnx);
    const ids = [3, 77, 150, 9, 300];
    const output = await session.run(llamaFeeds({ ids: [ids], layers, kvHeads, headDim }));
    const expected = referenceLogits(model, ids);
    ids.forEach((_, position) => {
      expect(
        maxAbsDiff(logitsAt(output.logits as ort.Tensor, 0, position), expected[position] as Float64Array),
      ).toBeLessThan(1e-3);
    });
    await session.release();
  });
});
