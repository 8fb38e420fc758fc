/**
 * The KV cache of a decode batch, and the loader of a decoder graph that returns only the new cache positions.
 *
 * onnxruntime-node copies every fetched output into a fresh JavaScript buffer, pre-allocated outputs included (they
 * are written by the graph, then copied once more into the returned tensor), so fetching the standard `present.*`
 * outputs moves the whole grown cache through the binding every decode step. When the graph's `present.*` is
 * `Concat(past, new)`, {@link loadNewPositionSession} adds the `new` operands as outputs and {@link DecodeCache} keeps
 * the cache in buffers of its own: each step feeds them as they are and writes the new positions into them.
 */

import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errorMessage, TradeR1Error } from '@trade-r1/core';
import ort from 'onnxruntime-node';
import { type CachePair, exposeNewCachePositions } from './cache-outputs.ts';
import { type HalfData, halfBits } from './sampling.ts';

/** One KV-cache input/output pair of a decoder. */
export interface CacheEntry {
  /** Input name `past_key_values.{i}.key`. */
  input: string;
  /** Output name `present.{i}.key`. */
  output: string;
  type: 'float32' | 'float16';
  /** Fixed dims: [kvHeads, headDim]. */
  heads: number;
  headDim: number;
}

type CacheData = Float32Array | Uint16Array;

/** Free cache slots added when an in-place cache runs full (unused slots are masked, so they cost attention work). */
export const CACHE_GROWTH = 32;

/** The prompt cache of one row: its prefill's `present` tensors and its prompt length. */
export interface PromptCache {
  length: number;
  tensors: ReadonlyMap<string, ort.Tensor>;
}

// A float16 cache is handled as bits (Node ≥ 24 hands it over as a Float16Array of numbers).
function cacheData(entry: CacheEntry, tensor: ort.Tensor): CacheData {
  return entry.type === 'float16' ? halfBits(tensor.data as HalfData) : (tensor.data as Float32Array);
}

function allocate(entry: CacheEntry, elements: number): CacheData {
  return entry.type === 'float16' ? new Uint16Array(elements) : new Float32Array(elements);
}

/**
 * The KV cache of `batch` rows during decoding, [batch, kvHeads, slots, headDim] per entry, prompts left padded to
 * `width`. Row r's prompt fills slots [width − promptLength, width); the token fed at step s goes to slot width + s.
 *
 * - In place (`newOutputs` given: present output → graph output holding only the new positions): the buffers have
 *   a capacity of at least `filled + 1` slots, grown by {@link CACHE_GROWTH} when full; each step feeds the whole
 *   capacity with the free slots masked out, fetches the new positions and writes them into slot `filled`.
 * - Returned: each step feeds exactly the `filled` slots and takes the `present` outputs as the next past.
 */
export class DecodeCache {
  private capacity: number;
  private buffers: CacheData[];
  private past: Map<string, ort.Tensor>;

  constructor(
    private readonly entries: readonly CacheEntry[],
    private readonly batch: number,
    private readonly width: number,
    /** The most slots ever fed: width + maxNewTokens − 1 (the last sampled token is not fed). */
    private readonly maxSlots: number,
    private readonly newOutputs: ReadonlyMap<string, string> | undefined,
  ) {
    this.capacity = newOutputs ? Math.max(width + 1, Math.min(width + CACHE_GROWTH, maxSlots)) : width;
    this.buffers = entries.map((entry) => allocate(entry, batch * entry.heads * this.capacity * entry.headDim));
    this.past = this.tensors();
  }

  /** Whether steps write the new positions into the policy's buffers (else they fetch `present`). */
  get inPlace(): boolean {
    return this.newOutputs !== undefined;
  }

  /** Copy row `rowIndex`'s prompt cache into its slots [width − length, width). */
  setPrompt(rowIndex: number, prompt: PromptCache): void {
    this.entries.forEach((entry, entryIndex) => {
      const source = cacheData(entry, prompt.tensors.get(entry.input) as ort.Tensor);
      const target = this.buffers[entryIndex] as CacheData;
      const { heads, headDim } = entry;
      const pad = this.width - prompt.length;
      for (let head = 0; head < heads; head += 1) {
        const from = head * prompt.length * headDim;
        const to = ((rowIndex * heads + head) * this.capacity + pad) * headDim;
        target.set(source.subarray(from, from + prompt.length * headDim), to);
      }
    });
  }

  /**
   * Feeds (past tensors and attention mask) and fetches of the step whose past holds `filled` slots.
   * `promptLengths[r]` is row r's prompt length.
   */
  step(
    filled: number,
    promptLengths: readonly number[],
  ): { past: ReadonlyMap<string, ort.Tensor>; mask: BigInt64Array; fetches: Record<string, null> } {
    if (this.newOutputs && filled + 1 > this.capacity) this.grow(Math.min(filled + CACHE_GROWTH, this.maxSlots));
    const slots = this.newOutputs ? this.capacity : filled;
    const total = slots + 1;
    const mask = new BigInt64Array(this.batch * total);
    promptLengths.forEach((length, row) => {
      mask.fill(1n, row * total + (this.width - length), row * total + filled);
      mask[row * total + slots] = 1n;
    });
    const fetches: Record<string, null> = { logits: null };
    for (const entry of this.entries) fetches[this.newOutputs?.get(entry.output) ?? entry.output] = null;
    return { past: this.past, mask, fetches };
  }

  /** Take a step's outputs: write its new positions into slot `filled`, or keep its `present` as the next past. */
  update(filled: number, outputs: Record<string, ort.Tensor>): void {
    if (!this.newOutputs) {
      this.past = new Map(this.entries.map((entry) => [entry.input, outputs[entry.output] as ort.Tensor]));
      return;
    }
    this.entries.forEach((entry, entryIndex) => {
      const name = this.newOutputs?.get(entry.output) as string;
      const tensor = outputs[name] as ort.Tensor;
      const { heads, headDim } = entry;
      const [batch, tensorHeads, length, tensorDim] = tensor.dims;
      if (batch !== this.batch || tensorHeads !== heads || length !== 1 || tensorDim !== headDim) {
        throw new TradeR1Error(
          'UNSUPPORTED',
          `The new cache positions ${name} have shape [${tensor.dims.join(', ')}], expected [${this.batch}, ${heads}, 1, ${headDim}]; use kvCache: 'present'`,
          { details: { output: name, field: 'kvCache' } },
        );
      }
      const source = cacheData(entry, tensor);
      const target = this.buffers[entryIndex] as CacheData;
      for (let block = 0; block < this.batch * heads; block += 1) {
        target.set(source.subarray(block * headDim, (block + 1) * headDim), (block * this.capacity + filled) * headDim);
      }
    });
  }

  // Re-lay the buffers out with room for `capacity` slots per (row, head).
  private grow(capacity: number): void {
    this.buffers = this.entries.map((entry, entryIndex) => {
      const old = this.buffers[entryIndex] as CacheData;
      const grown = allocate(entry, this.batch * entry.heads * capacity * entry.headDim);
      const oldBlock = this.capacity * entry.headDim;
      for (let block = 0; block < this.batch * entry.heads; block += 1) {
        grown.set(old.subarray(block * oldBlock, (block + 1) * oldBlock), block * capacity * entry.headDim);
      }
      return grown;
    });
    this.capacity = capacity;
    this.past = this.tensors();
  }

  private tensors(): Map<string, ort.Tensor> {
    return new Map(
      this.entries.map((entry, entryIndex) => [
        entry.input,
        new ort.Tensor(entry.type, this.buffers[entryIndex] as CacheData, [
          this.batch,
          entry.heads,
          this.capacity,
          entry.headDim,
        ]),
      ]),
    );
  }
}

// Model file suffixes of transformers.js' dtypes (its DEFAULT_DTYPE_SUFFIX_MAPPING).
const DTYPE_SUFFIXES: Readonly<Record<string, string>> = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** Where transformers.js loaded a decoder from, and how. */
export interface NewPositionSessionRequest {
  /** The session transformers.js created (its `config.dtype` names the file it loaded). */
  session: { readonly inputNames: readonly string[]; config?: { dtype?: string }; release(): Promise<void> };
  entries: readonly CachePair[];
  /** The local model directory, or the directory of the hub model in transformers.js' file cache. */
  directory: string;
  modelFileName: string;
  /** The model's config.json. */
  config: Record<string, unknown>;
  sessionOptions: Record<string, unknown>;
  executionProvider: 'cuda' | 'cpu';
}

/**
 * The outcome of {@link loadNewPositionSession}: `newOutputs` (present output → new-position output) when the
 * graph returns the new positions; `session`, when given, replaces (and has released) the request's session;
 * `reason` says why the new positions are not available.
 */
export interface NewPositionSession {
  session?: ort.InferenceSession;
  newOutputs?: Map<string, string>;
  reason?: string;
}

/**
 * Load the decoder again with the new positions of every cache entry as extra outputs (see
 * {@link exposeNewCachePositions}), for {@link DecodeCache}'s in-place mode. Weights in external data files stay
 * where they are (the edited graph is written beside the model under a temporary name while it loads; where that
 * directory is read-only, the reason says so). Returns a reason instead when
 * the model file cannot be found, uses a sliding attention window (whose masks
 * count slots, and an in-place cache has free slots between the past and the newest position), has no
 * `attention_mask` input, or its `present` outputs are not `Concat(past, new)`. The request's session is released
 * before the new one loads (so the weights are not held twice); if the new graph does not load, the original file
 * is loaded again and returned with the reason.
 */
export async function loadNewPositionSession(request: NewPositionSessionRequest): Promise<NewPositionSession> {
  const dtype = request.session.config?.dtype ?? 'fp32';
  const suffix = DTYPE_SUFFIXES[dtype];
  if (suffix === undefined) return { reason: `no known model file for dtype ${dtype}` };
  const file = join(request.directory, 'onnx', `${request.modelFileName}${suffix}.onnx`);
  if (!existsSync(file)) return { reason: `model file not found at ${file}` };
  if (!request.session.inputNames.includes('attention_mask'))
    return { reason: 'the graph has no attention_mask input' };
  const window = request.config.sliding_window;
  if (typeof window === 'number' && request.config.use_sliding_window !== false) {
    return { reason: `the model uses a sliding attention window (${window})` };
  }
  if (request.entries.length === 0) return { reason: 'the graph has no KV cache' };
  let bytes: Uint8Array | undefined = new Uint8Array(await readFile(file));
  const exposed = exposeNewCachePositions(bytes, request.entries);
  bytes = undefined;
  if (!exposed) return { reason: 'the present outputs are not Concat(past, new positions)' };
  const options = {
    executionProviders: [request.executionProvider],
    ...request.sessionOptions,
  } as ort.InferenceSession.SessionOptions;
  // Weights in external data files (`model.onnx_data`…) are found relative to the model file, and ONNX Runtime
  // refuses data outside the model's directory (links included), so an edited graph with such siblings is written
  // beside the original under a temporary name, loaded, and removed.
  const external = (await readdir(dirname(file))).some(
    (name) => name.startsWith(`${basename(file)}_data`) || name.startsWith(`${basename(file)}.data`),
  );
  await request.session.release();
  let staging: string | undefined;
  try {
    let source: Uint8Array | string = exposed.bytes;
    if (external) {
      staging = join(dirname(file), `.${basename(file)}.in-place-${process.pid}-${Date.now()}.onnx`);
      await writeFile(staging, exposed.bytes);
      source = staging;
    }
    const session =
      typeof source === 'string'
        ? await ort.InferenceSession.create(source, options)
        : await ort.InferenceSession.create(source, options);
    return { session, newOutputs: exposed.outputs };
  } catch (error) {
    const reason = `the graph with new-position outputs did not load: ${errorMessage(error)}`;
    try {
      return { session: await ort.InferenceSession.create(file, options), reason };
    } catch (again) {
      throw new TradeR1Error('MODEL_LOAD_FAILED', `Could not load ${file} again: ${errorMessage(again)} (${reason})`, {
        details: { file },
        cause: again,
      });
    }
  } finally {
    if (staging !== undefined) await rm(staging, { force: true });
  }
}
