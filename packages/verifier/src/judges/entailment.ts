import { parseWith, TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { z } from 'zod';
import { parseArgument } from '../arguments.ts';
import { loadTransformers } from '../embedders/load-transformers.ts';
import { resolveLocalModel } from '../embedders/transformers.ts';
import type { EntailmentModel, EntailmentPair, EntailmentScores } from './types.ts';

const labelIndex = z.number().int().min(0);
const labelsOverrideSchema = z
  .strictObject({ entailment: labelIndex, neutral: labelIndex.optional(), contradiction: labelIndex })
  .optional();

/** Options of {@link createEntailmentModel}. */
export const entailmentModelOptionsSchema = z.object({
  /**
   * A Hugging Face model id of an NLI cross-encoder with ONNX weights (e.g. `Xenova/nli-deberta-v3-xsmall`,
   * downloaded and cached by transformers.js) or a local folder (`config.json`, `onnx/model.onnx`, tokenizer).
   */
  model: z.string().trim().min(1),
  /** A folder to look for `model` in (also `TRADE_R1_MODELS`). */
  localDir: z.string().min(1).optional(),
  /** Execution device. @default 'cpu' */
  device: z.enum(['cpu', 'cuda']).default('cpu'),
  /** Weight precision (transformers.js `dtype`). @default 'fp32' */
  dtype: z.enum(['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16']).default('fp32'),
  /** Pairs per forward pass. @default 16 */
  batchSize: z.number().int().min(1).max(1024).default(16),
  /** Longest tokenised pair (premise truncated first). @default 512 */
  maxLength: z.number().int().min(8).max(8192).default(512),
  /**
   * Label index of each class, when `config.json`'s `id2label` does not name them (`entailment`, `neutral`,
   * `contradiction`, matched case-insensitively by prefix). A two-class model may omit `neutral`.
   */
  labels: z
    .object({
      entailment: z.number().int().min(0),
      neutral: z.number().int().min(0).optional(),
      contradiction: z.number().int().min(0),
    })
    .optional(),
  /** Only use local files. @default true for local folders, false for Hub ids */
  localFilesOnly: z.boolean().optional(),
  /** Recorded model id. @default `nli:<model>` (`nli:local:<folder name>` for folders) */
  modelId: z.string().min(1).optional(),
});
/** Options of {@link createEntailmentModel}. */
export type EntailmentModelOptions = z.input<typeof entailmentModelOptionsSchema>;

interface Tensor {
  data: Float32Array | number[];
  dims: number[];
}

/** Map a model's `id2label` onto the three NLI classes. */
export function resolveNliLabels(
  id2label: Record<string, string> | undefined,
  override?: { entailment: number; neutral?: number | undefined; contradiction: number },
): { entailment: number; neutral: number | null; contradiction: number } {
  parseArgument(z.record(z.string(), z.string()).optional(), id2label, 'resolveNliLabels()', 'id2label');
  parseArgument(labelsOverrideSchema, override, 'resolveNliLabels()', 'override', 'INVALID_CONFIG');
  if (override)
    return {
      entailment: override.entailment,
      neutral: override.neutral ?? null,
      contradiction: override.contradiction,
    };
  const entries = Object.entries(id2label ?? {});
  const find = (prefix: string): number | null => {
    const found = entries.find(([, label]) => label.toLowerCase().startsWith(prefix));
    return found ? Number(found[0]) : null;
  };
  const entailment = find('entail');
  const contradiction = find('contra');
  if (entailment === null || contradiction === null) {
    throw new TradeR1Error(
      'MODEL_LOAD_FAILED',
      `The model's id2label (${JSON.stringify(id2label ?? {})}) does not name entailment and contradiction classes; pass options.labels`,
      { details: { id2label: id2label ?? null } },
    );
  }
  return { entailment, neutral: find('neutral'), contradiction };
}

function softmax(values: number[]): number[] {
  const max = Math.max(...values);
  const exps = values.map((value) => Math.exp(value - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

/**
 * An {@link EntailmentModel} over a transformers.js sequence-classification cross-encoder (an NLI model): each
 * (premise, hypothesis) pair is tokenised as a sentence pair, the logits are soft-maxed over the model's classes
 * and mapped to entailment / neutral / contradiction through `config.json`'s `id2label` (or `options.labels`).
 * Plug it into `createVerifier({ judges: { entailment } })` to blend claim support with entailment and to mark
 * claims the model finds contradicted.
 *
 * @example
 * const entailment = await createEntailmentModel({ model: 'Xenova/nli-deberta-v3-xsmall' });
 * @throws {TradeR1Error} `MODEL_LOAD_FAILED` when the model or its labels cannot be loaded
 */
export async function createEntailmentModel(options: EntailmentModelOptions): Promise<EntailmentModel> {
  const settings = parseWith(entailmentModelOptionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'createEntailmentModel options',
  });
  const localPath = resolveLocalModel(settings.model, settings.localDir);
  const source = localPath ?? settings.model;
  const localFilesOnly = settings.localFilesOnly ?? localPath !== undefined;
  const transformers = await loadTransformers('createEntailmentModel');
  type Tokenizer = (
    text: string[],
    options: { text_pair: string[]; padding: boolean; truncation: boolean; max_length: number },
  ) => Record<string, unknown>;
  type Classifier = ((inputs: Record<string, unknown>) => Promise<{ logits: Tensor }>) & {
    config: { id2label?: Record<string, string> };
    dispose(): Promise<unknown>;
  };
  let tokenizer: Tokenizer;
  let model: Classifier;
  try {
    const loadOptions = { local_files_only: localFilesOnly } as Record<string, unknown>;
    tokenizer = (await transformers.AutoTokenizer.from_pretrained(
      source,
      loadOptions as never,
    )) as unknown as Tokenizer;
    model = (await transformers.AutoModelForSequenceClassification.from_pretrained(source, {
      ...loadOptions,
      device: settings.device,
      dtype: settings.dtype,
    } as never)) as unknown as Classifier;
  } catch (cause) {
    throw new TradeR1Error('MODEL_LOAD_FAILED', `Could not load NLI model ${settings.model}: ${String(cause)}`, {
      cause,
      details: { model: settings.model, source },
    });
  }
  const labels = resolveNliLabels(model.config.id2label, settings.labels);
  const modelId =
    settings.modelId ??
    (localPath ? `nli:local:${localPath.split(/[\\/]/).pop() ?? 'model'}` : `nli:${settings.model}`);
  let closed = false;

  return {
    modelId,
    async classify(pairs: readonly EntailmentPair[], callOptions = {}): Promise<EntailmentScores[]> {
      if (closed) throw new TradeR1Error('CLOSED', 'This entailment model was closed');
      const results: EntailmentScores[] = [];
      for (let offset = 0; offset < pairs.length; offset += settings.batchSize) {
        throwIfAborted(callOptions.signal);
        const batch = pairs.slice(offset, offset + settings.batchSize);
        let logits: Tensor;
        try {
          const inputs = tokenizer(
            batch.map((pair) => pair.premise),
            {
              text_pair: batch.map((pair) => pair.hypothesis),
              padding: true,
              truncation: true,
              max_length: settings.maxLength,
            },
          );
          ({ logits } = await model(inputs));
        } catch (cause) {
          throw new TradeR1Error('INFERENCE_FAILED', `NLI inference failed: ${String(cause)}`, { cause });
        }
        const classes = logits.dims[1] ?? 0;
        for (let row = 0; row < batch.length; row += 1) {
          const values = Array.from({ length: classes }, (_, column) => Number(logits.data[row * classes + column]));
          const probabilities = softmax(values);
          const entailment = probabilities[labels.entailment] ?? 0;
          const contradiction = probabilities[labels.contradiction] ?? 0;
          const neutral =
            labels.neutral === null
              ? Math.max(0, 1 - entailment - contradiction)
              : (probabilities[labels.neutral] ?? 0);
          const total = entailment + neutral + contradiction;
          results.push(
            total > 0 && Number.isFinite(total)
              ? { entailment: entailment / total, neutral: neutral / total, contradiction: contradiction / total }
              : { entailment: 0, neutral: 1, contradiction: 0 },
          );
        }
      }
      return results;
    },
    async close() {
      if (closed) return;
      closed = true;
      await model.dispose();
    },
  };
}
