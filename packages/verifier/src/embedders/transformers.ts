import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { errorMessage, parseWith, TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { z } from 'zod';
import { loadTransformers } from './load-transformers.ts';
import type { Embedder, EmbedOptions } from './types.ts';
import { assertEmbedTexts } from './validate.ts';
import { l2NormalizeInPlace } from './vector-math.ts';

/** Numeric precision of the ONNX weights to load (transformers.js file suffixes: `model_fp16.onnx`, `model_quantized.onnx`, …). */
export type TransformersDtype = 'auto' | 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'bnb4' | 'q4f16';

/** Options of {@link createTransformersEmbedder}. */
export interface TransformersEmbedderOptions {
  /**
   * A Hugging Face model id with ONNX weights (`Xenova/all-MiniLM-L6-v2`, `Xenova/bge-small-en-v1.5`; downloaded and
   * cached by transformers.js), a folder name under `localDir` / `TRADE_R1_MODELS`, or a path to a model folder
   * (`config.json`, tokenizer files, `onnx/model.onnx`).
   */
  model: string;
  /**
   * Root folder that holds model folders (`<localDir>/<model>/config.json`). Checked before the Hub.
   * @default process.env.TRADE_R1_MODELS
   */
  localDir?: string;
  /**
   * `'cpu'`, `'cuda'` (needs onnxruntime-node's CUDA provider libraries), or `'auto'`: try CUDA, fall back to CPU.
   * The device actually used is in `embedder.device`.
   * @default 'auto'
   */
  device?: 'auto' | 'cpu' | 'cuda';
  /** Weight precision to load. @default 'fp32' */
  dtype?: TransformersDtype;
  /** Texts per forward pass (padding is per batch). @default 32 */
  batchSize?: number;
  /** Pooling of token vectors: masked mean (sentence-transformers default) or the first (`[CLS]`) token. @default 'mean' */
  pooling?: 'mean' | 'cls';
  /** Only use local files, never download. @default false (true when the model resolves to a local folder) */
  localFilesOnly?: boolean;
  /** Model revision (branch, tag or commit) for Hub models. @default 'main' */
  revision?: string;
  /** Where transformers.js caches downloaded files. @default transformers.js's default cache */
  cacheDir?: string;
  /** Recorded model id (stores compare it). @default `<model>` for Hub ids, `local:<folder name>` for folders, with `:<dtype>` unless fp32 */
  modelId?: string;
}

/** An embedder running a transformers.js feature-extraction pipeline. */
export interface TransformersEmbedder extends Embedder {
  /** The execution device in use (`'cpu'` or `'cuda'`). */
  readonly device: 'cpu' | 'cuda';
  /** Where the model was loaded from (a folder path or a Hub id). */
  readonly source: string;
  /** Why `'auto'` fell back to CPU, when it did. */
  readonly fallbackReason?: string;
}

const optionsSchema = z.object({
  model: z.string().trim().min(1, 'model must not be empty'),
  localDir: z.string().min(1).optional(),
  device: z.enum(['auto', 'cpu', 'cuda']).default('auto'),
  dtype: z.enum(['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16']).default('fp32'),
  batchSize: z.number().int().min(1).max(4096).default(32),
  pooling: z.enum(['mean', 'cls']).default('mean'),
  localFilesOnly: z.boolean().optional(),
  revision: z.string().min(1).optional(),
  cacheDir: z.string().min(1).optional(),
  modelId: z.string().min(1).optional(),
});

interface FeatureTensor {
  data: Float32Array;
  dims: number[];
}
type FeatureExtractor = ((
  texts: string[],
  options: { pooling: 'mean' | 'cls'; normalize: boolean },
) => Promise<FeatureTensor>) & { dispose(): Promise<void> };

function isModelFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory() && existsSync(join(path, 'config.json'));
  } catch {
    return false;
  }
}

/** Resolve `model` to a local folder (absolute path) when one exists, else undefined (a Hub id). */
export function resolveLocalModel(model: string, localDir: string | undefined): string | undefined {
  const roots = [localDir, process.env.TRADE_R1_MODELS].filter((root): root is string => Boolean(root));
  for (const root of roots) {
    const candidate = resolve(root, model);
    if (isModelFolder(candidate)) return candidate;
  }
  if ((isAbsolute(model) || model.startsWith('.')) && isModelFolder(resolve(model))) return resolve(model);
  if (isModelFolder(resolve(model)) && !/^[\w.-]+\/[\w.-]+$/.test(model)) return resolve(model);
  return undefined;
}

/**
 * Why CUDA cannot work in this process, or undefined when it might: onnxruntime-node ships CPU binaries, and its
 * CUDA provider (`libonnxruntime_providers_cuda.so`, Linux x64 only) must sit beside the native binding.
 */
export function cudaUnavailableReason(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return `CUDA needs Linux x64 (this is ${process.platform} ${process.arch})`;
  try {
    const require = createRequire(import.meta.url);
    const transformersEntry = require.resolve('@huggingface/transformers');
    const fromTransformers = createRequire(transformersEntry);
    const packageJson = fromTransformers.resolve('onnxruntime-node/package.json');
    const bindingDir = join(dirname(packageJson), 'bin', 'napi-v6', 'linux', 'x64');
    const library = join(bindingDir, 'libonnxruntime_providers_cuda.so');
    return existsSync(library) ? undefined : `onnxruntime-node has no CUDA provider library (${library} is missing)`;
  } catch (error) {
    return `onnxruntime-node could not be located: ${errorMessage(error)}`;
  }
}

/**
 * Create an embedder over `@huggingface/transformers` feature extraction: tokenise (the model's own tokenizer),
 * run the ONNX encoder through onnxruntime-node, masked mean pooling (or CLS), L2 normalisation, in batches of
 * `batchSize`. The vector dimension is measured with one probe text at creation.
 *
 * @example
 * const embedder = await createTransformersEmbedder({ model: 'Xenova/bge-small-en-v1.5', device: 'auto' });
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options, `MODEL_LOAD_FAILED` when the model cannot be found or
 * loaded, `UNSUPPORTED` when `device: 'cuda'` is requested and CUDA is unavailable.
 */
export async function createTransformersEmbedder(options: TransformersEmbedderOptions): Promise<TransformersEmbedder> {
  const settings = parseWith(optionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'createTransformersEmbedder options',
  });
  const localPath = resolveLocalModel(settings.model, settings.localDir);
  const source = localPath ?? settings.model;
  const localFilesOnly = settings.localFilesOnly ?? localPath !== undefined;
  if (localPath === undefined && localFilesOnly) {
    throw new TradeR1Error(
      'MODEL_LOAD_FAILED',
      `Model ${settings.model} was not found locally and localFilesOnly is set`,
      {
        details: { model: settings.model, localDir: settings.localDir ?? process.env.TRADE_R1_MODELS ?? null },
      },
    );
  }
  const transformers = await loadTransformers('createTransformersEmbedder');
  const load = async (device: 'cpu' | 'cuda'): Promise<FeatureExtractor> => {
    const pipelineOptions: Record<string, unknown> = {
      device,
      dtype: settings.dtype,
      local_files_only: localFilesOnly,
    };
    if (settings.revision) pipelineOptions.revision = settings.revision;
    if (settings.cacheDir) pipelineOptions.cache_dir = settings.cacheDir;
    const extractor = await transformers.pipeline('feature-extraction', source, pipelineOptions as never);
    return extractor as unknown as FeatureExtractor;
  };

  let extractor: FeatureExtractor;
  let device: 'cpu' | 'cuda';
  let fallbackReason: string | undefined;
  try {
    if (settings.device === 'cpu') {
      extractor = await load('cpu');
      device = 'cpu';
    } else if (cudaUnavailableReason() !== undefined) {
      if (settings.device === 'cuda') {
        throw new TradeR1Error(
          'UNSUPPORTED',
          `CUDA is not available for ${settings.model}: ${cudaUnavailableReason()}`,
          {
            details: { model: settings.model },
          },
        );
      }
      fallbackReason = cudaUnavailableReason();
      extractor = await load('cpu');
      device = 'cpu';
    } else {
      try {
        extractor = await load('cuda');
        device = 'cuda';
      } catch (cudaError) {
        if (settings.device === 'cuda') {
          throw new TradeR1Error(
            'UNSUPPORTED',
            `CUDA is not available for ${settings.model}: ${errorMessage(cudaError)}`,
            {
              cause: cudaError,
              details: { model: settings.model },
            },
          );
        }
        fallbackReason = errorMessage(cudaError);
        extractor = await load('cpu');
        device = 'cpu';
      }
    }
  } catch (error) {
    if (error instanceof TradeR1Error) throw error;
    throw new TradeR1Error('MODEL_LOAD_FAILED', `Cannot load ${settings.model}: ${errorMessage(error)}`, {
      cause: error,
      details: { model: settings.model, source },
    });
  }

  const modelId =
    settings.modelId ??
    `${localPath ? `local:${basename(localPath)}` : settings.model}${settings.dtype === 'fp32' ? '' : `:${settings.dtype}`}${settings.pooling === 'cls' ? ':cls' : ''}`;
  const embedder = new TransformersFeatureEmbedder(extractor, {
    modelId,
    device,
    source,
    batchSize: settings.batchSize,
    pooling: settings.pooling,
    ...(fallbackReason ? { fallbackReason } : {}),
  });
  try {
    await embedder.probe();
  } catch (error) {
    await embedder.close();
    throw new TradeR1Error(
      'MODEL_LOAD_FAILED',
      `${settings.model} loaded but a probe embedding failed: ${errorMessage(error)}`,
      {
        cause: error,
        details: { model: settings.model, source },
      },
    );
  }
  return embedder;
}

class TransformersFeatureEmbedder implements TransformersEmbedder {
  readonly modelId: string;
  readonly device: 'cpu' | 'cuda';
  readonly source: string;
  readonly fallbackReason?: string;
  #dimension = 0;
  readonly #extractor: FeatureExtractor;
  readonly #batchSize: number;
  readonly #pooling: 'mean' | 'cls';
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(
    extractor: FeatureExtractor,
    settings: {
      modelId: string;
      device: 'cpu' | 'cuda';
      source: string;
      batchSize: number;
      pooling: 'mean' | 'cls';
      fallbackReason?: string;
    },
  ) {
    this.#extractor = extractor;
    this.modelId = settings.modelId;
    this.device = settings.device;
    this.source = settings.source;
    this.#batchSize = settings.batchSize;
    this.#pooling = settings.pooling;
    if (settings.fallbackReason) this.fallbackReason = settings.fallbackReason;
  }

  get dimension(): number {
    return this.#dimension;
  }

  async probe(): Promise<void> {
    const tensor = await this.#extractor(['dimension probe'], { pooling: this.#pooling, normalize: true });
    const dimension = tensor.dims[tensor.dims.length - 1];
    if (tensor.dims.length !== 2 || dimension === undefined || dimension <= 0) {
      throw new TradeR1Error('MODEL_LOAD_FAILED', `Unexpected feature shape [${tensor.dims.join(', ')}]`);
    }
    this.#dimension = dimension;
  }

  embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    // One forward pass at a time per session: onnxruntime sessions are not re-entrant across awaits.
    const run = this.#queue.then(() => this.#embed(texts, options));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #embed(texts: readonly string[], options: EmbedOptions): Promise<Float32Array[]> {
    if (this.#closed) throw new TradeR1Error('CLOSED', `Embedder ${this.modelId} is closed`);
    assertEmbedTexts(texts);
    const output: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.#batchSize) {
      throwIfAborted(options.signal);
      const batch = texts.slice(start, start + this.#batchSize) as string[];
      let tensor: FeatureTensor;
      try {
        tensor = await this.#extractor(batch, { pooling: this.#pooling, normalize: true });
      } catch (cause) {
        throw new TradeR1Error(
          'INFERENCE_FAILED',
          `${this.modelId} failed on a batch of ${batch.length}: ${errorMessage(cause)}`,
          {
            cause,
            details: { modelId: this.modelId, batchStart: start },
          },
        );
      }
      const dimension = this.#dimension;
      for (let row = 0; row < batch.length; row += 1) {
        // Copy out of the shared output buffer; re-normalise in float32 to absorb rounding.
        output.push(l2NormalizeInPlace(tensor.data.slice(row * dimension, (row + 1) * dimension)));
      }
    }
    return output;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    await this.#extractor.dispose();
  }
}
