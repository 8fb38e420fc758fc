import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { ONNX_FLOAT, ONNX_INT64, OnnxGraphBuilder } from './onnx-graph.ts';

/** Tokenizer files copied next to a built model. */
export const TOKENIZER_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.txt',
] as const;

/** The size of the real `sentence-transformers/all-MiniLM-L6-v2` encoder (for benchmarks of realistic cost). */
export const MINILM_SHAPE = { hidden: 384, layers: 6, heads: 12, intermediate: 1536 } as const;

/** A classification head (BERT pooler + linear layer) producing `logits`. */
export interface ClassificationHead {
  /** Number of classes. */
  numLabels: number;
  /** Class names by index, written to `config.json` (`id2label` / `label2id`). */
  id2label: Record<number, string>;
}

/** Options of {@link buildEncoderModel}. */
export interface BuildEncoderModelOptions {
  /** Output directory (created): `config.json`, `onnx/model.onnx` and the tokenizer files go here. */
  dir: string;
  /** Hidden size. @default 32 */
  hidden?: number;
  /**
   * Transformer layers (self-attention + GELU feed-forward, post-LayerNorm as in BERT). `0` builds the cheapest
   * encoder: embeddings → LayerNorm → MatMul → Tanh.
   * @default 0
   */
  layers?: number;
  /** Attention heads (must divide `hidden`). @default max(1, hidden / 32) */
  heads?: number;
  /** Feed-forward size. @default 4 · hidden */
  intermediate?: number;
  /** `'none'` outputs `last_hidden_state` (feature extraction); a head outputs `logits` (text classification). @default 'none' */
  head?: 'none' | ClassificationHead;
  /** Seed of the random weights (same seed, same bytes). @default 0 */
  seed?: number;
  /**
   * Folder with a BERT WordPiece tokenizer (`tokenizer.json`, `vocab.txt`, …).
   * @default the MiniLM tokenizer found by {@link findMiniLmTokenizerDir}
   */
  tokenizerDir?: string;
  /** Longest sequence the position table covers. @default 512 */
  maxPositions?: number;
}

/** What {@link buildEncoderModel} wrote. */
export interface BuiltEncoderModel {
  /** The model directory (absolute); pass it as `model` to `createTransformersEmbedder`. */
  dir: string;
  /** Path of the ONNX graph. */
  modelPath: string;
  /** Vocabulary size taken from the tokenizer. */
  vocabSize: number;
  /** Hidden size (the embedding dimension for feature extraction). */
  hidden: number;
  /** Float parameters in the graph. */
  parameters: number;
}

const optionsSchema = z
  .object({
    dir: z.string().min(1),
    hidden: z.number().int().min(2).max(4096).default(32),
    layers: z.number().int().min(0).max(48).default(0),
    heads: z.number().int().min(1).optional(),
    intermediate: z.number().int().min(1).optional(),
    head: z
      .union([
        z.literal('none'),
        z.object({
          numLabels: z.number().int().min(1).max(1000),
          id2label: z.record(z.string(), z.string()),
        }),
      ])
      .default('none'),
    seed: z.number().int().default(0),
    tokenizerDir: z.string().min(1).optional(),
    maxPositions: z.number().int().min(8).max(8192).default(512),
  })
  .refine((value) => value.hidden % (value.heads ?? Math.max(1, Math.floor(value.hidden / 32))) === 0, {
    message: 'heads must divide hidden',
    path: ['heads'],
  });

/**
 * Find `shared/models/all-MiniLM-L6-v2-tokenizer` (the real tokenizer files of `all-MiniLM-L6-v2`, no weights) by
 * walking up from `start` (default: this file and the working directory). `TRADE_R1_TOKENIZER_DIR` overrides.
 * @throws {TradeR1Error} `NOT_FOUND`
 */
export function findMiniLmTokenizerDir(start?: string): string {
  const fromEnvironment = process.env.TRADE_R1_TOKENIZER_DIR;
  if (fromEnvironment && existsSync(join(fromEnvironment, 'tokenizer.json'))) return resolve(fromEnvironment);
  const starts = start ? [start] : [dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const origin of starts) {
    let current = resolve(origin);
    for (;;) {
      for (const candidate of [
        join(current, 'shared', 'models', 'all-MiniLM-L6-v2-tokenizer'),
        join(current, 'models', 'all-MiniLM-L6-v2-tokenizer'),
      ]) {
        if (existsSync(join(candidate, 'tokenizer.json'))) return candidate;
      }
      const parent = dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  throw new TradeR1Error(
    'NOT_FOUND',
    'The all-MiniLM-L6-v2 tokenizer folder was not found; pass tokenizerDir or set TRADE_R1_TOKENIZER_DIR',
    { details: { searched: starts } },
  );
}

/**
 * Build a BERT-shaped ONNX model with seeded random weights, loadable by transformers.js like a model from the
 * Hub: inputs `input_ids`, `attention_mask`, `token_type_ids` (int64, batch × sequence); output
 * `last_hidden_state` (float32, batch × sequence × hidden) or, with a classification `head`, `logits`
 * (batch × numLabels). The graph has word, position and token-type embeddings, an embedding LayerNorm, then
 * either `layers` transformer blocks (multi-head self-attention with the padding mask, GELU feed-forward,
 * residuals, LayerNorm) or a MatMul + Tanh. With {@link MINILM_SHAPE} it costs about what the real MiniLM-L6 does.
 *
 * The weights are random: the outputs carry no meaning. It exists to test and benchmark the real loading,
 * tokenisation, batching, padding, pooling and device code paths offline.
 */
export async function buildEncoderModel(options: BuildEncoderModelOptions): Promise<BuiltEncoderModel> {
  const settings = parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'buildEncoderModel options' });
  const tokenizerDir = settings.tokenizerDir ?? findMiniLmTokenizerDir();
  const vocabulary = await readFile(join(tokenizerDir, 'vocab.txt'), 'utf8');
  const vocabSize = vocabulary.split('\n').filter((line) => line.length > 0).length;
  const hidden = settings.hidden;
  const heads = settings.heads ?? Math.max(1, Math.floor(hidden / 32));
  const intermediate = settings.intermediate ?? 4 * hidden;
  const rng = createRng(settings.seed);
  const random = (count: number, scale: number): Float32Array => {
    const values = new Float32Array(count);
    for (let index = 0; index < count; index += 1) values[index] = rng.normal() * scale;
    return values;
  };
  const ones = (count: number): Float32Array => new Float32Array(count).fill(1);
  const zeros = (count: number): Float32Array => new Float32Array(count);

  const graph = new OnnxGraphBuilder();
  const inputIds = graph.input('input_ids', ONNX_INT64, ['batch', 'sequence']);
  const attentionMask = graph.input('attention_mask', ONNX_INT64, ['batch', 'sequence']);
  const tokenTypeIds = graph.input('token_type_ids', ONNX_INT64, ['batch', 'sequence']);

  const layerNorm = (input: string): string =>
    graph.node(
      'LayerNormalization',
      [input, graph.floatTensor([hidden], ones(hidden)), graph.floatTensor([hidden], zeros(hidden))],
      {
        axis: { int: -1 },
        epsilon: { float: 1e-12 },
      },
    );
  const linear = (input: string, inputSize: number, outputSize: number, scale = 0.02): string =>
    graph.node('Add', [
      graph.node('MatMul', [input, graph.floatTensor([inputSize, outputSize], random(inputSize * outputSize, scale))]),
      graph.floatTensor([outputSize], zeros(outputSize)),
    ]);

  // Embeddings: word + position + token type, then LayerNorm.
  const words = graph.node(
    'Gather',
    [graph.floatTensor([vocabSize, hidden], random(vocabSize * hidden, 1)), inputIds],
    {
      axis: { int: 0 },
    },
  );
  const types = graph.node('Gather', [graph.floatTensor([2, hidden], random(2 * hidden, 0.1)), tokenTypeIds], {
    axis: { int: 0 },
  });
  const sequenceLength = graph.node('Gather', [graph.node('Shape', [inputIds]), graph.int64Tensor([], [1])], {
    axis: { int: 0 },
  });
  const positionIds = graph.node('Range', [graph.int64Tensor([], [0]), sequenceLength, graph.int64Tensor([], [1])]);
  const positions = graph.node(
    'Gather',
    [graph.floatTensor([settings.maxPositions, hidden], random(settings.maxPositions * hidden, 0.1)), positionIds],
    { axis: { int: 0 } },
  );
  let state = layerNorm(graph.node('Add', [graph.node('Add', [words, types]), positions]));

  if (settings.layers === 0) {
    state = graph.node('Tanh', [
      graph.node('MatMul', [
        state,
        graph.floatTensor([hidden, hidden], random(hidden * hidden, 1 / Math.sqrt(hidden))),
      ]),
    ]);
  } else {
    const headSize = hidden / heads;
    // Additive mask: 0 for real tokens, -10000 for padding, shaped batch × 1 × 1 × sequence.
    const maskFloat = graph.node('Cast', [attentionMask], { to: { int: ONNX_FLOAT } });
    const maskBias = graph.node('Mul', [
      graph.node('Sub', [graph.node('Unsqueeze', [maskFloat, graph.int64Tensor([2], [1, 2])]), graph.floatScalar(1)]),
      graph.floatScalar(10_000),
    ]);
    const splitHeads = graph.int64Tensor([4], [0, 0, heads, headSize]);
    const mergeHeads = graph.int64Tensor([3], [0, 0, hidden]);
    const inverseSqrtHead = graph.floatScalar(1 / Math.sqrt(headSize));
    const inverseSqrt2 = graph.floatScalar(Math.SQRT1_2);
    const half = graph.floatScalar(0.5);
    const one = graph.floatScalar(1);
    for (let layer = 0; layer < settings.layers; layer += 1) {
      const query = graph.node('Transpose', [graph.node('Reshape', [linear(state, hidden, hidden), splitHeads])], {
        perm: { ints: [0, 2, 1, 3] },
      });
      const keyT = graph.node('Transpose', [graph.node('Reshape', [linear(state, hidden, hidden), splitHeads])], {
        perm: { ints: [0, 2, 3, 1] },
      });
      const value = graph.node('Transpose', [graph.node('Reshape', [linear(state, hidden, hidden), splitHeads])], {
        perm: { ints: [0, 2, 1, 3] },
      });
      const scores = graph.node('Add', [
        graph.node('Mul', [graph.node('MatMul', [query, keyT]), inverseSqrtHead]),
        maskBias,
      ]);
      const probabilities = graph.node('Softmax', [scores], { axis: { int: -1 } });
      const context = graph.node('Reshape', [
        graph.node('Transpose', [graph.node('MatMul', [probabilities, value])], { perm: { ints: [0, 2, 1, 3] } }),
        mergeHeads,
      ]);
      state = layerNorm(graph.node('Add', [state, linear(context, hidden, hidden)]));
      const expanded = linear(state, hidden, intermediate);
      // GELU(x) = 0.5 · x · (1 + erf(x / √2))
      const gelu = graph.node('Mul', [
        graph.node('Mul', [expanded, half]),
        graph.node('Add', [graph.node('Erf', [graph.node('Mul', [expanded, inverseSqrt2])]), one]),
      ]);
      state = layerNorm(graph.node('Add', [state, linear(gelu, intermediate, hidden)]));
    }
  }

  let config: Record<string, unknown> = {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: hidden,
    num_hidden_layers: settings.layers,
    num_attention_heads: heads,
    intermediate_size: intermediate,
    hidden_act: 'gelu',
    vocab_size: vocabSize,
    max_position_embeddings: settings.maxPositions,
    type_vocab_size: 2,
    pad_token_id: 0,
    layer_norm_eps: 1e-12,
    _trade_r1_test_model: { seed: settings.seed, note: 'random weights, built by @trade-r1/verifier/testing' },
  };
  if (settings.head === 'none') {
    graph.node('Identity', [state], {}, 'last_hidden_state');
    graph.output('last_hidden_state', ONNX_FLOAT, ['batch', 'sequence', hidden]);
  } else {
    const { numLabels, id2label } = settings.head;
    const cls = graph.node('Gather', [state, graph.int64Tensor([], [0])], { axis: { int: 1 } });
    const pooled = graph.node('Tanh', [linear(cls, hidden, hidden, 1 / Math.sqrt(hidden))]);
    graph.node(
      'Add',
      [
        graph.node('MatMul', [
          pooled,
          graph.floatTensor([hidden, numLabels], random(hidden * numLabels, 1 / Math.sqrt(hidden))),
        ]),
        graph.floatTensor([numLabels], zeros(numLabels)),
      ],
      {},
      'logits',
    );
    graph.output('logits', ONNX_FLOAT, ['batch', numLabels]);
    const labels = Object.fromEntries(
      Array.from({ length: numLabels }, (_, index) => [String(index), id2label[index] ?? `LABEL_${index}`]),
    );
    config = {
      ...config,
      architectures: ['BertForSequenceClassification'],
      num_labels: numLabels,
      id2label: labels,
      label2id: Object.fromEntries(Object.entries(labels).map(([index, label]) => [label, Number(index)])),
    };
  }

  const dir = resolve(settings.dir);
  const modelPath = join(dir, 'onnx', 'model.onnx');
  await mkdir(join(dir, 'onnx'), { recursive: true });
  await writeFile(
    modelPath,
    graph.encode({ graphName: settings.head === 'none' ? 'bert_encoder' : 'bert_classifier' }),
  );
  await writeFile(join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  for (const file of TOKENIZER_FILES) {
    if (existsSync(join(tokenizerDir, file))) await copyFile(join(tokenizerDir, file), join(dir, file));
  }
  return { dir, modelPath, vocabSize, hidden, parameters: graph.parameterCount };
}
