import { TradeR1Error } from '@trade-r1/core';
import { assertString, assertVector } from '../arguments.ts';

/** Largest vector {@link hashedUnitVector} makes (2^20 floats = 4 MiB; embedding tables use a few hundred). */
const MAX_DIMENSION = 2 ** 20;

/** Small, allocation-light vector helpers shared by the embedders, the store and the verifier. */

/** Dot product of two equal-length vectors (cosine similarity when both are L2-normalised). */
export function dot(left: ArrayLike<number>, right: ArrayLike<number>): number {
  assertVector(left, 'dot()', 'left');
  assertVector(right, 'dot()', 'right');
  const length = Math.min(left.length, right.length);
  let sum = 0;
  for (let index = 0; index < length; index += 1) sum += (left[index] as number) * (right[index] as number);
  return sum;
}

/** Euclidean norm. */
export function l2Norm(vector: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < vector.length; index += 1) sum += (vector[index] as number) ** 2;
  return Math.sqrt(sum);
}

/**
 * Scale `vector` in place to unit L2 norm and return it. A zero vector is left as it is (callers decide what a
 * text without signal means).
 */
export function l2NormalizeInPlace<T extends Float32Array | Float64Array>(vector: T): T {
  if (!(vector instanceof Float32Array) && !(vector instanceof Float64Array)) {
    throw new TradeR1Error('INVALID_INPUT', 'l2NormalizeInPlace(): vector must be a Float32Array or Float64Array', {
      details: { function: 'l2NormalizeInPlace()', field: 'vector' },
    });
  }
  const norm = l2Norm(vector);
  if (norm > 0) for (let index = 0; index < vector.length; index += 1) vector[index] = (vector[index] as number) / norm;
  return vector;
}

/**
 * Cosine similarity in [-1, 1]. Works for vectors of any norm; returns 0 when either vector is zero.
 * For L2-normalised embeddings it equals {@link dot}.
 */
export function cosineSimilarity(left: ArrayLike<number>, right: ArrayLike<number>): number {
  assertVector(left, 'cosineSimilarity()', 'left');
  assertVector(right, 'cosineSimilarity()', 'right');
  const denominator = l2Norm(left) * l2Norm(right);
  return denominator === 0 ? 0 : Math.max(-1, Math.min(1, dot(left, right) / denominator));
}

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A deterministic pseudo-random unit vector for a string (Gaussian coordinates from a mulberry32 stream seeded by
 * {@link fnv1a32}). Distinct strings give nearly orthogonal vectors in high dimension; the same string always gives
 * the same vector. Used for out-of-vocabulary tokens so that exact matches (tickers, numbers) still count.
 */
export function hashedUnitVector(text: string, dimension: number): Float32Array {
  assertString(text, 'hashedUnitVector()', 'text');
  if (!Number.isInteger(dimension) || dimension < 1 || dimension > MAX_DIMENSION) {
    throw new TradeR1Error('INVALID_INPUT', `hashedUnitVector(): dimension must be an integer in 1…${MAX_DIMENSION}`, {
      details: { function: 'hashedUnitVector()', field: 'dimension' },
    });
  }
  let state = fnv1a32(text) || 1;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
  const vector = new Float32Array(dimension);
  for (let index = 0; index < dimension; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - next()));
    const angle = 2 * Math.PI * next();
    vector[index] = radius * Math.cos(angle);
    if (index + 1 < dimension) vector[index + 1] = radius * Math.sin(angle);
  }
  return l2NormalizeInPlace(vector);
}
