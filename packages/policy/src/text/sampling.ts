/**
 * Pure next-token sampling math over one row of logits. No I/O, no hidden randomness: the uniform draw is an
 * argument, so the caller's seeded stream decides.
 */

import { TradeR1Error } from '@trade-r1/core';
import { assertInteger, assertNumber, assertRecord, assertVector } from '../arguments.ts';

/** Throw `INVALID_INPUT` unless `[start, end)` is an integer slice of an array of `length` items. */
function assertSlice(fn: string, length: number, start: unknown, end: unknown, startField: string, endField: string) {
  assertInteger(start, fn, startField);
  assertInteger(end, fn, endField);
  if (start < 0 || end < start || end > length) {
    throw new TradeR1Error('INVALID_INPUT', `${fn}: [${start}, ${end}) is outside the ${length} values`, {
      details: { function: fn, field: start < 0 || end < start ? startField : endField, start, end, length },
    });
  }
}

// Reusable typed-array scratch (sampling is synchronous, so a buffer is never shared between two calls): the weights
// of a row, the negated candidate weights that top-k / top-p select and sort, and a mask of banned token ids.
let weightBuffer = new Float64Array(0);
let candidateBuffer = new Float64Array(0);
let bannedBuffer = new Uint8Array(0);
function weightScratch(size: number): Float64Array {
  if (weightBuffer.length < size) weightBuffer = new Float64Array(size);
  return weightBuffer;
}
function candidateScratch(size: number): Float64Array {
  if (candidateBuffer.length < size) candidateBuffer = new Float64Array(size);
  return candidateBuffer;
}
function bannedScratch(size: number): Uint8Array {
  if (bannedBuffer.length < size) bannedBuffer = new Uint8Array(size);
  return bannedBuffer;
}

/**
 * Rearrange `values[0 … count)` so that its `k` smallest values (as a multiset) come first, in no particular order
 * (Hoare partitioning with a median-of-three pivot; expected O(count)). `0 < k < count`.
 */
function selectSmallest(values: Float64Array, count: number, k: number): void {
  const target = k - 1;
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const a = values[low] as number;
    const b = values[(low + high) >> 1] as number;
    const c = values[high] as number;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c)); // median of three
    let i = low;
    let j = high;
    while (i <= j) {
      while ((values[i] as number) < pivot) i += 1;
      while ((values[j] as number) > pivot) j -= 1;
      if (i <= j) {
        const swap = values[i] as number;
        values[i] = values[j] as number;
        values[j] = swap;
        i += 1;
        j -= 1;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else return;
  }
}

/** Sampling settings for one step. */
export interface SamplingSettings {
  /** Softmax temperature; `0` means greedy (argmax). */
  temperature: number;
  /** Nucleus mass in (0, 1]; `1` disables top-p. */
  topP: number;
  /** Keep only the `topK` most likely tokens; `0` disables top-k. */
  topK: number;
}

/** One sampled token. */
export interface SampledToken {
  /** The token id. */
  token: number;
  /**
   * log-probability of the token under the distribution actually sampled from (after temperature, top-k and
   * top-p, renormalised). `0` for greedy decoding.
   */
  logprob: number;
  /** log-probability of the token under the raw model distribution, `log_softmax(logits)` at temperature 1. */
  modelLogprob: number;
}

/** `log Σ exp(values)` of a slice, computed stably in float64. */
export function logSumExp(values: ArrayLike<number>, start = 0, end = values?.length, scale = 1): number {
  assertVector(values, 'logSumExp', 'values');
  assertSlice('logSumExp', values.length, start, end, 'start', 'end');
  assertNumber(scale, 'logSumExp', 'scale');
  let max = Number.NEGATIVE_INFINITY;
  for (let index = start; index < end; index += 1) {
    const value = (values[index] as number) * scale;
    if (value > max) max = value;
  }
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let index = start; index < end; index += 1) sum += Math.exp((values[index] as number) * scale - max);
  return max + Math.log(sum);
}

/**
 * Sample one token from `logits[offset … offset+vocab)`.
 *
 * Order of operations (as in Hugging Face `generate`): temperature, then top-k, then top-p over the renormalised top-k set (the
 * smallest set of most likely tokens whose share of the top-k mass reaches `topP`, always at least one token), renormalise, then inverse-CDF with `uniform`
 * in [0, 1). `banned` token ids get probability 0 (used for `minNewTokens`); if every token is banned the ban is
 * ignored.
 */
export function sampleToken(
  logits: ArrayLike<number>,
  offset: number,
  vocab: number,
  settings: SamplingSettings,
  uniform: number,
  banned?: ReadonlySet<number>,
): SampledToken {
  assertVector(logits, 'sampleToken', 'logits');
  assertInteger(offset, 'sampleToken', 'offset');
  assertInteger(vocab, 'sampleToken', 'vocab');
  assertSlice('sampleToken', logits.length, offset, offset + vocab, 'offset', 'vocab');
  if (!(vocab > 0)) {
    throw new TradeR1Error('INVALID_INPUT', 'sampleToken: vocab must be >= 1', {
      details: { function: 'sampleToken', field: 'vocab' },
    });
  }
  assertRecord(settings, 'sampleToken', 'settings');
  assertNumber(settings.temperature, 'sampleToken', 'settings.temperature');
  assertNumber(settings.topP, 'sampleToken', 'settings.topP');
  assertInteger(settings.topK, 'sampleToken', 'settings.topK');
  if (!(settings.temperature >= 0) || !(settings.topP > 0 && settings.topP <= 1) || settings.topK < 0) {
    throw new TradeR1Error('INVALID_INPUT', 'sampleToken: settings need temperature >= 0, topP in (0, 1], topK >= 0', {
      details: { function: 'sampleToken', field: 'settings' },
    });
  }
  assertNumber(uniform, 'sampleToken', 'uniform');
  if (!(uniform >= 0 && uniform < 1)) {
    throw new TradeR1Error('INVALID_INPUT', `sampleToken: uniform must be in [0, 1), got ${uniform}`, {
      details: { function: 'sampleToken', field: 'uniform' },
    });
  }
  if (
    banned !== undefined &&
    (typeof banned !== 'object' ||
      banned === null ||
      typeof banned.size !== 'number' ||
      typeof (banned as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function')
  ) {
    throw new TradeR1Error('INVALID_INPUT', 'sampleToken: banned must be a Set of token ids', {
      details: { function: 'sampleToken', field: 'banned' },
    });
  }
  // Bans apply unless they cover the whole vocabulary; they are read through a byte mask (set here, cleared below).
  let mask: Uint8Array | undefined;
  if (banned !== undefined && banned.size > 0 && banned.size < vocab) {
    mask = bannedScratch(vocab);
    for (const token of banned) if (Number.isInteger(token) && token >= 0 && token < vocab) mask[token] = 1;
  }
  try {
    return sampleRow(logits, offset, vocab, settings, uniform, mask);
  } finally {
    if (mask !== undefined && banned !== undefined) {
      for (const token of banned) if (Number.isInteger(token) && token >= 0 && token < vocab) mask[token] = 0;
    }
  }
}

// The kernel of sampleToken over typed arrays: two passes over the row (maxima, then weights and both normalisers), a
// partial selection (top-k) or a native typed-array sort (top-p) of candidate weights, one inverse-CDF pass.
function sampleRow(
  logits: ArrayLike<number>,
  offset: number,
  vocab: number,
  settings: SamplingSettings,
  uniform: number,
  mask: Uint8Array | undefined,
): SampledToken {
  if (settings.temperature === 0) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    let maxAll = Number.NEGATIVE_INFINITY;
    for (let token = 0; token < vocab; token += 1) {
      const value = logits[offset + token] as number;
      if (value > maxAll) maxAll = value;
      if ((mask === undefined || mask[token] === 0) && (best < 0 || value > bestValue)) {
        best = token;
        bestValue = value;
      }
    }
    return { token: best, logprob: 0, modelLogprob: bestValue - normalizer(logits, offset, vocab, maxAll) };
  }

  // Pass 1: the largest scaled logit among allowed tokens, and the largest raw logit of all tokens.
  const inverseTemperature = 1 / settings.temperature;
  let max = Number.NEGATIVE_INFINITY;
  let maxAll = Number.NEGATIVE_INFINITY;
  for (let token = 0; token < vocab; token += 1) {
    const logit = logits[offset + token] as number;
    if (logit > maxAll) maxAll = logit;
    if (mask !== undefined && mask[token] !== 0) continue;
    const value = logit * inverseTemperature;
    if (value > max) max = value;
  }
  // Pass 2: the sampling weights exp(logit / T - max) and their total, and the raw model normaliser's terms
  // exp(logit - maxAll) over all tokens, both summed in token order (as logSumExp sums). At temperature 1 with the
  // same maximum (no bans, or none on the top token) a weight is that term exactly, so one exp serves both sums.
  const weights = weightScratch(vocab);
  const sameScale = inverseTemperature === 1 && max === maxAll;
  let total = 0;
  let modelSum = 0;
  if (sameScale) {
    for (let token = 0; token < vocab; token += 1) {
      const weight = Math.exp((logits[offset + token] as number) - max);
      modelSum += weight;
      if (mask !== undefined && mask[token] !== 0) {
        weights[token] = 0;
      } else {
        weights[token] = weight;
        total += weight;
      }
    }
  } else {
    for (let token = 0; token < vocab; token += 1) {
      const logit = logits[offset + token] as number;
      modelSum += Math.exp(logit - maxAll);
      if (mask !== undefined && mask[token] !== 0) {
        weights[token] = 0;
      } else {
        const weight = Math.exp(logit * inverseTemperature - max);
        weights[token] = weight;
        total += weight;
      }
    }
  }
  const modelLogNormalizer = maxAll === Number.NEGATIVE_INFINITY ? maxAll : maxAll + Math.log(modelSum);

  const useTopK = settings.topK > 0 && settings.topK < vocab;
  const useTopP = settings.topP < 1;
  if (!useTopK && !useTopP) {
    let threshold = uniform * total;
    let chosen = -1;
    for (let token = 0; token < vocab; token += 1) {
      const weight = weights[token] as number;
      if (weight <= 0) continue;
      chosen = token;
      threshold -= weight;
      if (threshold < 0) break;
    }
    const logprob = Math.log((weights[chosen] as number) / total);
    return { token: chosen, logprob, modelLogprob: (logits[offset + chosen] as number) - modelLogNormalizer };
  }

  // Candidates: tokens with non-negligible mass. Their order is weight descending, ties by token id; sums over them
  // run in that order. Only weights are needed for the sums, so the candidate weights are negated into a typed
  // array and the smallest negations (largest weights) selected and sorted natively; ids come back in the last pass.
  const floor = total * 1e-12;
  const candidates = candidateScratch(vocab);
  let count = 0;
  for (let token = 0; token < vocab; token += 1) {
    const weight = weights[token] as number;
    if (weight > floor) {
      candidates[count] = -weight;
      count += 1;
    }
  }
  let keep = useTopK ? Math.min(settings.topK, count) : count;
  if (keep < count) selectSmallest(candidates, count, keep);
  candidates.subarray(0, keep).sort();
  if (useTopP) {
    // Top-p runs over the distribution that top-k left, renormalised (Hugging Face applies TopKLogitsWarper then
    // TopPLogitsWarper to the masked scores; vLLM's top-k/top-p sampler does the same): the threshold is a share
    // of the kept mass, not of the whole vocabulary's.
    let keptMass = 0;
    for (let index = 0; index < keep; index += 1) keptMass -= candidates[index] as number;
    let mass = 0;
    for (let index = 0; index < keep; index += 1) {
      mass -= candidates[index] as number;
      if (mass >= settings.topP * keptMass) {
        keep = index + 1;
        break;
      }
    }
  }
  total = 0;
  for (let index = 0; index < keep; index += 1) total -= candidates[index] as number;
  // The kept tokens: every weight above the cut-off, and the first `ties` tokens (by id) at the cut-off.
  const cutoff = keep > 0 ? -(candidates[keep - 1] as number) : Number.POSITIVE_INFINITY;
  let ties = 0;
  for (let index = keep - 1; index >= 0 && -(candidates[index] as number) === cutoff; index -= 1) ties += 1;

  let threshold = uniform * total;
  let chosen = -1;
  let chosenWeight: number | undefined;
  for (let token = 0; keep > 0 && token < vocab; token += 1) {
    const weight = weights[token] as number;
    if (weight < cutoff) continue;
    if (weight === cutoff) {
      if (ties === 0) continue;
      ties -= 1;
    }
    chosen = token;
    chosenWeight = weight;
    threshold -= weight;
    if (threshold < 0) break;
  }
  const logprob = Math.log((chosenWeight as number) / total);
  return { token: chosen, logprob, modelLogprob: (logits[offset + chosen] as number) - modelLogNormalizer };
}

// log Σ exp(logits) over the row given its maximum, as logSumExp computes it.
function normalizer(logits: ArrayLike<number>, offset: number, vocab: number, maxAll: number): number {
  if (maxAll === Number.NEGATIVE_INFINITY) return maxAll;
  let sum = 0;
  for (let token = 0; token < vocab; token += 1) sum += Math.exp((logits[offset + token] as number) - maxAll);
  return maxAll + Math.log(sum);
}

/** Float16 tensor data as onnxruntime hands it over: bits in a Uint16Array, or a built-in Float16Array view. */
export type HalfData =
  | Uint16Array
  | { readonly buffer: ArrayBufferLike; readonly byteOffset: number; readonly byteLength: number };

/**
 * The IEEE 754 half-precision bits of float16 tensor data, without copying. onnxruntime gives float16 data as a
 * `Uint16Array` of bits where JavaScript has no `Float16Array` (Node < 24), and as a `Float16Array` view — whose
 * elements read as numbers, not bits — where it has one (Node ≥ 24, or a polyfill); both share the same bytes.
 */
export function halfBits(data: HalfData): Uint16Array {
  if (data instanceof Uint16Array) return data;
  // Duck-typed: any view over bytes (the built-in Float16Array, or a polyfill) is read through its buffer.
  const view = data as { buffer?: unknown; byteOffset?: unknown; byteLength?: unknown } | null;
  if (
    typeof view !== 'object' ||
    view === null ||
    !(view.buffer instanceof ArrayBuffer || view.buffer instanceof SharedArrayBuffer) ||
    !Number.isInteger(view.byteOffset) ||
    !Number.isInteger(view.byteLength)
  ) {
    throw new TradeR1Error('INVALID_INPUT', 'halfBits needs a Uint16Array or a Float16Array', {
      details: { field: 'data' },
    });
  }
  return new Uint16Array(view.buffer, view.byteOffset as number, (view.byteLength as number) / 2);
}

/**
 * Make a float16 tensor's data its bits as a `Uint16Array` (an own `data` property over the same bytes), so that
 * onnxruntime-node can take it as an input. Where JavaScript has a built-in `Float16Array` (Node ≥ 24),
 * onnxruntime-common re-wraps float16 data in one — also a `Uint16Array` given to the constructor, and every float16
 * output — and onnxruntime-node's binding (1.30) reads a `Float16Array` input's byte length as 0, so the run fails
 * with "not enough space: expected N, got 0" (microsoft/onnxruntime#32323). The binding accepts `Uint16Array` bits
 * on every Node. Other tensors are returned unchanged.
 */
export function feedableHalf<T extends { readonly type: string; readonly data: unknown }>(tensor: T): T {
  if (tensor.type !== 'float16' || tensor.data instanceof Uint16Array) return tensor;
  Object.defineProperty(tensor, 'data', { value: halfBits(tensor.data as HalfData), configurable: true });
  return tensor;
}

/**
 * Convert float16 tensor data to numbers: IEEE 754 half-precision bits (a `Uint16Array`), or a built-in
 * `Float16Array` (read through its bytes, see {@link halfBits}).
 */
export function halfToFloat32(data: HalfData): Float32Array {
  const bits = halfBits(data);
  const output = new Float32Array(bits.length);
  for (let index = 0; index < bits.length; index += 1) {
    const half = bits[index] as number;
    const sign = half & 0x8000 ? -1 : 1;
    const exponent = (half >> 10) & 0x1f;
    const fraction = half & 0x3ff;
    if (exponent === 0) output[index] = sign * 2 ** -14 * (fraction / 1024);
    else if (exponent === 0x1f) output[index] = fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else output[index] = sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }
  return output;
}
