/**
 * Pure next-token sampling math over one row of logits. No I/O, no hidden randomness: the uniform draw is an
 * argument, so the caller's seeded stream decides.
 */

import { TradeR1Error } from '@trade-r1/core';

// One reusable buffer of sampling weights (sampling is synchronous, so it is never shared between two calls).
let scratchBuffer = new Float64Array(0);
function scratch(size: number): Float64Array {
  if (scratchBuffer.length < size) scratchBuffer = new Float64Array(size);
  return scratchBuffer.subarray(0, size);
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
export function logSumExp(values: ArrayLike<number>, start = 0, end = values.length, scale = 1): number {
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
  const end = offset + vocab;
  // At temperature 1 without bans the sampling weights below are exp(logit - max) over the whole vocabulary, so the
  // raw model normaliser falls out of the same pass; otherwise it needs its own.
  const fused = settings.temperature === 1 && banned === undefined;
  let modelLogNormalizer = fused ? Number.NaN : logSumExp(logits, offset, end);
  const allowed = (token: number): boolean => banned === undefined || !banned.has(token);
  const hasAllowed = banned === undefined || banned.size < vocab;
  const isAllowed = (token: number): boolean => !hasAllowed || allowed(token);

  if (settings.temperature === 0) {
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let token = 0; token < vocab; token += 1) {
      const value = logits[offset + token] as number;
      if (isAllowed(token) && (best < 0 || value > bestValue)) {
        best = token;
        bestValue = value;
      }
    }
    return { token: best, logprob: 0, modelLogprob: bestValue - modelLogNormalizer };
  }

  const inverseTemperature = 1 / settings.temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let token = 0; token < vocab; token += 1) {
    if (!isAllowed(token)) continue;
    const value = (logits[offset + token] as number) * inverseTemperature;
    if (value > max) max = value;
  }
  const weights = scratch(vocab);
  let total = 0;
  for (let token = 0; token < vocab; token += 1) {
    if (!isAllowed(token)) {
      weights[token] = 0;
      continue;
    }
    const weight = Math.exp((logits[offset + token] as number) * inverseTemperature - max);
    weights[token] = weight;
    total += weight;
  }
  if (fused) modelLogNormalizer = max + Math.log(total);

  const useTopK = settings.topK > 0 && settings.topK < vocab;
  const useTopP = settings.topP < 1;
  if (useTopK || useTopP) {
    // Candidates sorted by weight (descending, ties by id); only tokens with non-negligible mass are sorted.
    const floor = total * 1e-12;
    const candidates: number[] = [];
    for (let token = 0; token < vocab; token += 1) if ((weights[token] as number) > floor) candidates.push(token);
    candidates.sort((left, right) => (weights[right] as number) - (weights[left] as number) || left - right);
    let keep = useTopK ? Math.min(settings.topK, candidates.length) : candidates.length;
    if (useTopP) {
      // Top-p runs over the distribution that top-k left, renormalised (Hugging Face applies TopKLogitsWarper then
      // TopPLogitsWarper to the masked scores; vLLM's top-k/top-p sampler does the same): the threshold is a share
      // of the kept mass, not of the whole vocabulary's.
      let keptMass = 0;
      for (let index = 0; index < keep; index += 1) keptMass += weights[candidates[index] as number] as number;
      let mass = 0;
      for (let index = 0; index < keep; index += 1) {
        mass += weights[candidates[index] as number] as number;
        if (mass >= settings.topP * keptMass) {
          keep = index + 1;
          break;
        }
      }
    }
    const keptTokens = candidates.slice(0, keep);
    const keptWeights = keptTokens.map((token) => weights[token] as number);
    weights.fill(0);
    total = 0;
    keptTokens.forEach((token, index) => {
      const weight = keptWeights[index] as number;
      weights[token] = weight;
      total += weight;
    });
  }

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
