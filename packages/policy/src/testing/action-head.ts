import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { createWeightRng, ONNX_FLOAT, OnnxGraphBuilder } from './onnx-graph.ts';

/** Options of {@link buildActionHeadModel} (misspelled keys are rejected). */
export const actionHeadModelOptionsSchema = z.strictObject({
  /** Length of the input feature vector. @default 8 */
  inputSize: z.number().int().min(1).default(8),
  /** Hidden width of the MLP. @default 16 */
  hiddenSize: z.number().int().min(1).default(16),
  /** Number of actions (3 for FLAG-Trader's SELL, HOLD, BUY). @default 3 */
  numActions: z.number().int().min(2).default(3),
  /** Also output a state value (FLAG-Trader's VALUE_NET). @default true */
  withValue: z.boolean().default(true),
  /** Input name. @default 'features' */
  inputName: z.string().min(1).default('features'),
  /** Weight scale. @default 0.5 */
  initStd: z.number().positive().default(0.5),
  /** Weight seed. @default 0 */
  seed: z.number().int().default(0),
});
/** Options of {@link buildActionHeadModel}. */
export type ActionHeadModelOptions = z.input<typeof actionHeadModelOptionsSchema>;

/**
 * Build a tiny FLAG-Trader-style policy/value head as an ONNX graph: `features` [batch, inputSize] →
 * ReLU MLP → `logits` [batch, numActions] and (optionally) `value` [batch, 1]. Random weights from `seed`.
 */
export function buildActionHeadModel(options: ActionHeadModelOptions = {}): Uint8Array {
  const config = parseWith(actionHeadModelOptionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'buildActionHeadModel options',
    details: { function: 'buildActionHeadModel', field: 'options' },
  });
  const rng = createWeightRng(config.seed);
  const g = new OnnxGraphBuilder('action_head');
  const weight = (name: string, dims: number[]): string => {
    const size = dims.reduce((product, dim) => product * dim, 1);
    const data = new Float32Array(size);
    for (let index = 0; index < size; index += 1) data[index] = config.initStd * rng.normal();
    return g.float(name, data, dims);
  };
  const input = g.input(config.inputName, ONNX_FLOAT, ['batch_size', config.inputSize]);
  const hidden = g.one('Relu', [
    g.one('Add', [
      g.one('MatMul', [input, weight('w1', [config.inputSize, config.hiddenSize])]),
      weight('b1', [config.hiddenSize]),
    ]),
  ]);
  g.one(
    'Add',
    [
      g.one('MatMul', [hidden, weight('w2', [config.hiddenSize, config.numActions])]),
      weight('b2', [config.numActions]),
    ],
    {},
    'logits',
  );
  g.output('logits', ONNX_FLOAT, ['batch_size', config.numActions]);
  if (config.withValue) {
    g.one('Add', [g.one('MatMul', [hidden, weight('w3', [config.hiddenSize, 1])]), weight('b3', [1])], {}, 'value');
    g.output('value', ONNX_FLOAT, ['batch_size', 1]);
  }
  return g.toBytes();
}

/** Build an action head (see {@link buildActionHeadModel}) and write it to `path`. */
export async function writeActionHeadModel(options: ActionHeadModelOptions & { path: string }): Promise<string> {
  if (typeof options !== 'object' || options === null || typeof options.path !== 'string' || options.path === '') {
    throw new TradeR1Error('INVALID_CONFIG', 'writeActionHeadModel needs options.path (a file path)', {
      details: { function: 'writeActionHeadModel', field: 'path' },
    });
  }
  const { path, ...rest } = options;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, buildActionHeadModel(rest));
  return path;
}
