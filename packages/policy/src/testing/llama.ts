import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { createWeightRng, ONNX_BOOL, ONNX_FLOAT, ONNX_FLOAT16, ONNX_INT64, OnnxGraphBuilder } from './onnx-graph.ts';
import { createTestTokenizer } from './tokenizer.ts';

/**
 * Shape and initialisation of a random-weight LLaMA-architecture decoder (embeddings, RMSNorm, rotary attention
 * with grouped KV heads, SwiGLU MLP, tied or untied lm_head).
 */
export const llamaTestModelOptionsSchema = z
  .strictObject({
    /** Vocabulary size (the generated tokenizer is padded to it). @default 320 */
    vocabSize: z.number().int().min(259).default(320),
    /** Hidden size. @default 32 */
    hiddenSize: z.number().int().min(2).default(32),
    /** MLP intermediate size. @default 64 */
    intermediateSize: z.number().int().min(1).default(64),
    /** Decoder layers. @default 2 */
    numLayers: z.number().int().min(1).default(2),
    /** Attention heads. @default 4 */
    numHeads: z.number().int().min(1).default(4),
    /** KV heads (grouped-query attention when below `numHeads`; must divide it). @default 2 */
    numKeyValueHeads: z.number().int().min(1).default(2),
    /** Head dimension (even). @default hiddenSize / numHeads */
    headDim: z.number().int().min(2).optional(),
    /** Longest position the rotary tables cover. @default 512 */
    maxPositionEmbeddings: z.number().int().min(1).default(512),
    /** RMSNorm epsilon. @default 1e-5 */
    rmsNormEps: z.number().positive().default(1e-5),
    /** Rotary base θ. @default 10000 */
    ropeTheta: z.number().positive().default(10_000),
    /** Share the embedding matrix with the lm_head. @default true */
    tieWordEmbeddings: z.boolean().default(true),
    /** Standard deviation of the random weights (larger → more peaked next-token distributions). @default 0.02 */
    initStd: z.number().positive().default(0.02),
    /** Weight seed. @default 0 */
    seed: z.number().int().default(0),
    /** Constant added to some token logits (e.g. make EOS likely in a test). @default {} */
    logitBias: z.record(z.string(), z.number()).default({}),
    /**
     * Add transformers.js' optional `num_logits_to_keep` input (int64 scalar): logits are computed for the last k
     * positions only (all positions when k = 0).
     * @default false
     */
    numLogitsToKeep: z.boolean().default(false),
    /**
     * Element type of the KV-cache inputs/outputs and the logits: `'float16'` gives the I/O of an fp16 export
     * (weights and arithmetic stay fp32 inside, behind Cast nodes) and writes `onnx/model_fp16.onnx`.
     * @default 'float32'
     */
    ioDtype: z.enum(['float32', 'float16']).default('float32'),
    /** Also return the weights by name (for reference implementations in tests). @default false */
    keepWeights: z.boolean().default(false),
  })
  .refine((options) => options.numHeads % options.numKeyValueHeads === 0, 'numKeyValueHeads must divide numHeads')
  .refine(
    (options) => (options.headDim ?? options.hiddenSize / options.numHeads) % 2 === 0,
    'headDim (default hiddenSize / numHeads) must be an even integer',
  );
/** Options of the LLaMA test-model generator. */
export type LlamaTestModelOptions = z.input<typeof llamaTestModelOptionsSchema>;
/** Resolved options. */
export type LlamaTestModelConfig = z.output<typeof llamaTestModelOptionsSchema> & { headDim: number };

/**
 * The real SmolLM2-135M architecture (HuggingFaceTB/SmolLM2-135M, the model FLAG-Trader used): hidden 576,
 * 30 layers, 9 heads, 3 KV heads, intermediate 1536, vocab 49152, rope θ 100000, tied embeddings. With random
 * weights it costs the same compute as the real model, which is what throughput benchmarks need.
 */
export const SMOLLM2_135M_SHAPE = Object.freeze({
  vocabSize: 49_152,
  hiddenSize: 576,
  intermediateSize: 1536,
  numLayers: 30,
  numHeads: 9,
  numKeyValueHeads: 3,
  maxPositionEmbeddings: 8192,
  rmsNormEps: 1e-5,
  ropeTheta: 100_000,
  tieWordEmbeddings: true,
}) satisfies LlamaTestModelOptions;

/** A generated model in memory. */
export interface LlamaTestModel {
  /** Serialised ONNX ModelProto. */
  onnx: Uint8Array;
  /** Resolved options. */
  config: LlamaTestModelConfig;
  /** Hugging Face `config.json` content. */
  configJson: Record<string, unknown>;
  /** Number of weights. */
  parameterCount: number;
  /** Weights by Hugging Face parameter name ([in, out] layout for projections), when `keepWeights` is set. */
  weights?: Map<string, Float32Array>;
}

/** Resolve options (defaults, derived head dimension). */
export function resolveLlamaTestModelOptions(options: LlamaTestModelOptions = {}): LlamaTestModelConfig {
  const parsed = parseWith(llamaTestModelOptionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'LLaMA test model options',
    details: { field: 'options' },
  });
  return { ...parsed, headDim: parsed.headDim ?? parsed.hiddenSize / parsed.numHeads };
}

/**
 * Build a random-weight LLaMA decoder as an ONNX graph with exactly the layout transformers.js uses for text
 * generation with a KV cache (as exported by Optimum):
 * - inputs `input_ids` [batch, seq] int64, `attention_mask` [batch, past+seq] int64, `position_ids` [batch, seq]
 *   int64, `past_key_values.{i}.key|value` [batch, kvHeads, past, headDim] float32;
 * - outputs `logits` [batch, seq, vocab] and `present.{i}.key|value` [batch, kvHeads, past+seq, headDim].
 * The attention mask combines causal masking with padding (left padding is supported).
 */
export function buildLlamaTestModel(options: LlamaTestModelOptions = {}): LlamaTestModel {
  const config = resolveLlamaTestModelOptions(options);
  const { vocabSize: V, hiddenSize: H, intermediateSize: I, numHeads: NH, numKeyValueHeads: KV, headDim: D } = config;
  const rng = createWeightRng(config.seed);
  const g = new OnnxGraphBuilder('llama_test_model');
  let parameterCount = 0;
  const kept = config.keepWeights ? new Map<string, Float32Array>() : undefined;
  const weight = (name: string, dims: number[], kind: 'normal' | 'norm' = 'normal'): string => {
    const size = dims.reduce((product, dim) => product * dim, 1);
    const data = new Float32Array(size);
    if (kind === 'norm') for (let index = 0; index < size; index += 1) data[index] = 1 + 0.1 * rng.normal();
    else for (let index = 0; index < size; index += 1) data[index] = config.initStd * rng.normal();
    parameterCount += size;
    kept?.set(name, data);
    return g.float(name, data, dims);
  };

  const inputIds = g.input('input_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  const attentionMask = g.input('attention_mask', ONNX_INT64, ['batch_size', 'total_sequence_length']);
  const positionIds = g.input('position_ids', ONNX_INT64, ['batch_size', 'sequence_length']);
  const half16 = config.ioDtype === 'float16';
  const ioType = half16 ? ONNX_FLOAT16 : ONNX_FLOAT;
  const pastNames: Array<{ key: string; value: string }> = [];
  for (let layer = 0; layer < config.numLayers; layer += 1) {
    const pastInput = (part: string): string => {
      const name = g.input(`past_key_values.${layer}.${part}`, ioType, ['batch_size', KV, 'past_sequence_length', D]);
      return half16 ? g.one('Cast', [name], { to: ONNX_FLOAT }) : name;
    };
    pastNames.push({ key: pastInput('key'), value: pastInput('value') });
  }

  // Rotary tables [maxPositions, D]: HF LLaMA's cos/sin of cat(freqs, freqs).
  const half = D / 2;
  const cosTable = new Float32Array(config.maxPositionEmbeddings * D);
  const sinTable = new Float32Array(config.maxPositionEmbeddings * D);
  for (let position = 0; position < config.maxPositionEmbeddings; position += 1) {
    for (let index = 0; index < half; index += 1) {
      const angle = position / config.ropeTheta ** ((2 * index) / D);
      const cos = Math.cos(angle);
      const sin = Math.sin(angle);
      cosTable[position * D + index] = cos;
      cosTable[position * D + index + half] = cos;
      sinTable[position * D + index] = sin;
      sinTable[position * D + index + half] = sin;
    }
  }
  g.float('rope_cos', cosTable, [config.maxPositionEmbeddings, D]);
  g.float('rope_sin', sinTable, [config.maxPositionEmbeddings, D]);
  const axis1 = g.int64([1]);
  const cos = g.one('Unsqueeze', [g.one('Gather', ['rope_cos', positionIds], { axis: 0 }), axis1]); // [B,1,S,D]
  const sin = g.one('Unsqueeze', [g.one('Gather', ['rope_sin', positionIds], { axis: 0 }), axis1]);

  // Additive attention bias [B,1,S,T]: causal (key index <= past + query index) AND not padding.
  const zero = g.int64([0], []);
  const one = g.int64([1], []);
  const idsShape = g.one('Shape', [inputIds]);
  const seqLength = g.one('Gather', [idsShape, one], { axis: 0 });
  const totalLength = g.one('Gather', [g.one('Shape', [attentionMask]), one], { axis: 0 });
  const pastLength = g.one('Sub', [totalLength, seqLength]);
  const keyIndex = g.one('Unsqueeze', [g.one('Range', [zero, totalLength, one]), g.int64([0])]); // [1,T]
  const queryIndex = g.one('Unsqueeze', [g.one('Range', [pastLength, totalLength, one]), g.int64([1])]); // [S,1]
  const causal = g.one('LessOrEqual', [keyIndex, queryIndex]); // [S,T]
  const notPadding = g.one('Unsqueeze', [g.one('Cast', [attentionMask], { to: ONNX_BOOL }), g.int64([1, 2])]); // [B,1,1,T]
  const allowed = g.one('And', [causal, notPadding]);
  const attentionBias = g.one('Where', [allowed, g.scalar(0), g.scalar(-1e9)]);

  const epsilon = g.scalar(config.rmsNormEps);
  const rmsNorm = (x: string, normWeight: string): string => {
    const meanSquare = g.one('ReduceMean', [g.one('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    return g.one('Mul', [g.one('Div', [x, g.one('Sqrt', [g.one('Add', [meanSquare, epsilon])])]), normWeight]);
  };
  const halfStart = g.int64([0]);
  const halfMiddle = g.int64([half]);
  const halfEnd = g.int64([D]);
  const lastAxis = g.int64([3]);
  const rotary = (x: string): string => {
    const first = g.one('Slice', [x, halfStart, halfMiddle, lastAxis]);
    const second = g.one('Slice', [x, halfMiddle, halfEnd, lastAxis]);
    const rotated = g.one('Concat', [g.one('Neg', [second]), first], { axis: 3 });
    return g.one('Add', [g.one('Mul', [x, cos]), g.one('Mul', [rotated, sin])]);
  };
  const scale = g.scalar(1 / Math.sqrt(D));
  const headsShape = (heads: number): string => g.int64([0, 0, heads, D]);
  const groupedShape = g.int64([0, KV, -1, D]);
  const scoresByHead = g.int64([0, NH, -1, 0]);
  const scoresByGroup = g.int64([0, KV, -1, 0]);
  const contextByHead = g.int64([0, NH, -1, D]);
  const mergedHeads = g.int64([0, 0, NH * D]);

  const embedding = weight('model.embed_tokens.weight', [V, H]);
  let hidden = g.one('Gather', [embedding, inputIds], { axis: 0 });
  for (let layer = 0; layer < config.numLayers; layer += 1) {
    const prefix = `model.layers.${layer}`;
    const past = pastNames[layer] as { key: string; value: string };
    const normed = rmsNorm(hidden, weight(`${prefix}.input_layernorm.weight`, [H], 'norm'));
    const project = (name: string, outputs: number, heads: number): string =>
      g.one(
        'Transpose',
        [
          g.one('Reshape', [
            g.one('MatMul', [normed, weight(`${prefix}.self_attn.${name}.weight`, [H, outputs])]),
            headsShape(heads),
          ]),
        ],
        {
          perm: [0, 2, 1, 3],
        },
      );
    const query = rotary(project('q_proj', NH * D, NH)); // [B,NH,S,D]
    const key = rotary(project('k_proj', KV * D, KV)); // [B,KV,S,D]
    const value = project('v_proj', KV * D, KV);
    const presentKey = g.one('Concat', [past.key, key], { axis: 2 }, half16 ? undefined : `present.${layer}.key`);
    const presentValue = g.one(
      'Concat',
      [past.value, value],
      { axis: 2 },
      half16 ? undefined : `present.${layer}.value`,
    );
    if (half16) {
      g.one('Cast', [presentKey], { to: ONNX_FLOAT16 }, `present.${layer}.key`);
      g.one('Cast', [presentValue], { to: ONNX_FLOAT16 }, `present.${layer}.value`);
    }
    // Grouped-query attention without repeating K/V: fold the query heads of one KV group into the sequence axis.
    const groupedQuery = g.one('Reshape', [query, groupedShape]); // [B,KV,G*S,D]
    const scores = g.one('MatMul', [groupedQuery, g.one('Transpose', [presentKey], { perm: [0, 1, 3, 2] })]);
    const biased = g.one('Add', [g.one('Mul', [g.one('Reshape', [scores, scoresByHead]), scale]), attentionBias]);
    const probabilities = g.one('Reshape', [g.one('Softmax', [biased], { axis: -1 }), scoresByGroup]);
    const context = g.one('Reshape', [g.one('MatMul', [probabilities, presentValue]), contextByHead]); // [B,NH,S,D]
    const merged = g.one('Reshape', [g.one('Transpose', [context], { perm: [0, 2, 1, 3] }), mergedHeads]);
    hidden = g.one('Add', [
      hidden,
      g.one('MatMul', [merged, weight(`${prefix}.self_attn.o_proj.weight`, [NH * D, H])]),
    ]);

    const normedMlp = rmsNorm(hidden, weight(`${prefix}.post_attention_layernorm.weight`, [H], 'norm'));
    const gate = g.one('MatMul', [normedMlp, weight(`${prefix}.mlp.gate_proj.weight`, [H, I])]);
    const up = g.one('MatMul', [normedMlp, weight(`${prefix}.mlp.up_proj.weight`, [H, I])]);
    const activated = g.one('Mul', [g.one('Mul', [gate, g.one('Sigmoid', [gate])]), up]);
    hidden = g.one('Add', [hidden, g.one('MatMul', [activated, weight(`${prefix}.mlp.down_proj.weight`, [I, H])])]);
  }
  let finalHidden = rmsNorm(hidden, weight('model.norm.weight', [H], 'norm'));
  if (config.numLogitsToKeep) {
    // Keep the last k positions: Slice(start = -k); k = 0 gives start 0, i.e. every position.
    const keep = g.input('num_logits_to_keep', ONNX_INT64, []);
    const start = g.one('Neg', [g.one('Unsqueeze', [keep, g.int64([0])])]);
    finalHidden = g.one('Slice', [finalHidden, start, g.int64([Number.MAX_SAFE_INTEGER]), g.int64([1])]);
  }
  let logits: string;
  if (config.tieWordEmbeddings) {
    const flat = g.one('Reshape', [finalHidden, g.int64([-1, H])]);
    const product = g.one('Gemm', [flat, embedding], { transB: 1 });
    const leading = g.one('Slice', [g.one('Shape', [finalHidden]), g.int64([0]), g.int64([2]), g.int64([0])]);
    logits = g.one('Reshape', [product, g.one('Concat', [leading, g.int64([V])], { axis: 0 })]);
  } else {
    logits = g.one('MatMul', [finalHidden, weight('lm_head.weight', [H, V])]);
  }
  const biasEntries = Object.entries(config.logitBias);
  if (biasEntries.length > 0) {
    const bias = new Float32Array(V);
    for (const [token, value] of biasEntries) bias[Number(token)] = value;
    logits = g.one('Add', [logits, g.float('logit_bias', bias, [V])]);
  }
  if (half16) g.one('Cast', [logits], { to: ONNX_FLOAT16 }, 'logits');
  else g.one('Identity', [logits], {}, 'logits');
  g.output('logits', ioType, ['batch_size', config.numLogitsToKeep ? 'logits_length' : 'sequence_length', V]);
  for (let layer = 0; layer < config.numLayers; layer += 1) {
    g.output(`present.${layer}.key`, ioType, ['batch_size', KV, 'total_sequence_length', D]);
    g.output(`present.${layer}.value`, ioType, ['batch_size', KV, 'total_sequence_length', D]);
  }
  const configJson = {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: V,
    hidden_size: H,
    intermediate_size: I,
    num_hidden_layers: config.numLayers,
    num_attention_heads: NH,
    num_key_value_heads: KV,
    head_dim: D,
    hidden_act: 'silu',
    max_position_embeddings: config.maxPositionEmbeddings,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: 1,
    eos_token_id: 2,
    pad_token_id: 0,
    torch_dtype: half16 ? 'float16' : 'float32',
    use_cache: true,
  };
  return {
    onnx: g.toBytes({ generator: '@trade-r1/policy/testing', seed: String(config.seed) }),
    config,
    configJson,
    parameterCount,
    ...(kept && { weights: kept }),
  };
}

/** Options of {@link writeLlamaTestModel}. */
export type WriteLlamaTestModelOptions = LlamaTestModelOptions & {
  /** Directory to write (created if missing). */
  dir: string;
};

/** What {@link writeLlamaTestModel} wrote. */
export interface WrittenLlamaTestModel {
  /** The model directory (load it with `createOnnxPolicy({ model: dir })` or transformers.js). */
  dir: string;
  /** Path of `onnx/model.onnx` (`onnx/model_fp16.onnx` with `ioDtype: 'float16'`). */
  modelPath: string;
  /** Resolved options. */
  config: LlamaTestModelConfig;
  /** Number of weights. */
  parameterCount: number;
  /** Special token ids (`eos` = `<|im_end|>`, `pad` = `<|endoftext|>`). */
  tokens: { bos: number; eos: number; pad: number };
}

/**
 * Write a complete Hugging Face-style model directory for a random-weight LLaMA test model: `onnx/model.onnx`,
 * `config.json`, `generation_config.json`, `tokenizer.json`, `tokenizer_config.json`, `special_tokens_map.json`.
 * Never commit the output; generate it at test or benchmark time.
 */
export async function writeLlamaTestModel(options: WriteLlamaTestModelOptions): Promise<WrittenLlamaTestModel> {
  if (typeof options !== 'object' || options === null || typeof options.dir !== 'string' || options.dir === '') {
    throw new TradeR1Error('INVALID_CONFIG', 'writeLlamaTestModel needs options.dir (a directory)', {
      details: { function: 'writeLlamaTestModel', field: 'dir' },
    });
  }
  const { dir, ...modelOptions } = options;
  const model = buildLlamaTestModel(modelOptions);
  const tokenizer = createTestTokenizer({ vocabSize: model.config.vocabSize });
  await mkdir(join(dir, 'onnx'), { recursive: true });
  const modelPath = join(dir, 'onnx', model.config.ioDtype === 'float16' ? 'model_fp16.onnx' : 'model.onnx');
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  await Promise.all([
    writeFile(modelPath, model.onnx),
    writeFile(join(dir, 'config.json'), json(model.configJson)),
    writeFile(
      join(dir, 'generation_config.json'),
      json({ bos_token_id: 1, eos_token_id: 2, pad_token_id: 0, do_sample: false }),
    ),
    writeFile(join(dir, 'tokenizer.json'), json(tokenizer.tokenizer)),
    writeFile(join(dir, 'tokenizer_config.json'), json(tokenizer.tokenizerConfig)),
    writeFile(join(dir, 'special_tokens_map.json'), json(tokenizer.specialTokensMap)),
  ]);
  return {
    dir,
    modelPath,
    config: model.config,
    parameterCount: model.parameterCount,
    tokens: { bos: tokenizer.ids.imStart, eos: tokenizer.ids.imEnd, pad: tokenizer.ids.endOfText },
  };
}
