import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';
import { TradeR1Error } from './errors.ts';

/**
 * A seeded random number generator. Every stochastic Trade-R1 API takes a `seed` (or an `Rng`), so the same
 * seed always gives the same output. Backed by pure-rand's xoroshiro128+.
 */
export interface Rng {
  /** The seed this generator (or its root) was created with. */
  readonly seed: number;
  /** A float in [0, 1) with 53 bits of randomness. */
  next(): number;
  /** An integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** A standard normal sample (Box–Muller). */
  normal(): number;
  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** `count` distinct items drawn without replacement, in draw order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>): number;
  /**
   * An independent generator for a sub-task (jumps 2^64 steps ahead). Use one per parallel stream so that
   * adding work to one stream never changes another's numbers.
   */
  fork(): Rng;
}

const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;

/**
 * Create a seeded {@link Rng}. The seed must be a finite integer (it is reduced to 32 bits).
 * @throws {TradeR1Error} `INVALID_INPUT` for a non-integer seed.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new TradeR1Error('INVALID_INPUT', `Seed must be a safe integer, got ${seed}`, { details: { seed } });
  }
  return wrap(xoroshiro128plus(seed | 0), seed);
}

function wrap(generator: JumpableRandomGenerator, seed: number): Rng {
  let spare: number | undefined;
  const uint32 = (): number => generator.next() >>> 0;
  const next = (): number => {
    // 53-bit float: 21 high bits from one draw, 32 from another.
    const high = uint32() >>> 11;
    const low = uint32();
    return (high * TWO_POW_32 + low) / TWO_POW_53;
  };
  const rng: Rng = {
    seed,
    next,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
        throw new TradeR1Error('INVALID_INPUT', `int(min, max) needs integers with min <= max, got ${min}, ${max}`, {
          details: { min, max },
        });
      }
      return min + Math.floor(next() * (max - min + 1));
    },
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const radius = Math.sqrt(-2 * Math.log(u));
      spare = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    shuffle(items) {
      const copy = items.slice();
      for (let index = copy.length - 1; index > 0; index -= 1) {
        const other = Math.floor(next() * (index + 1));
        const held = copy[index] as (typeof copy)[number];
        copy[index] = copy[other] as (typeof copy)[number];
        copy[other] = held;
      }
      return copy;
    },
    sample(items, count) {
      if (!Number.isInteger(count) || count < 0 || count > items.length) {
        throw new TradeR1Error('INVALID_INPUT', `Cannot sample ${count} of ${items.length} items`, {
          details: { count, available: items.length },
        });
      }
      return rng.shuffle(items).slice(0, count);
    },
    categorical(weights) {
      let total = 0;
      for (let index = 0; index < weights.length; index += 1) {
        const weight = weights[index] as number;
        if (!(weight >= 0) || !Number.isFinite(weight)) {
          throw new TradeR1Error('INVALID_INPUT', `Weight ${index} is ${weight}; weights must be finite and >= 0`, {
            details: { index, weight },
          });
        }
        total += weight;
      }
      if (total <= 0)
        throw new TradeR1Error('INVALID_INPUT', 'All weights are zero', { details: { length: weights.length } });
      let threshold = next() * total;
      for (let index = 0; index < weights.length; index += 1) {
        threshold -= weights[index] as number;
        if (threshold < 0) return index;
      }
      // Floating-point residue: return the last index with positive weight.
      for (let index = weights.length - 1; index >= 0; index -= 1) if ((weights[index] as number) > 0) return index;
      return weights.length - 1;
    },
    fork() {
      const child = generator.clone();
      child.jump();
      generator.jump();
      generator.jump();
      return wrap(child, seed);
    },
  };
  return rng;
}

/**
 * A stable 32-bit hash of a string (FNV-1a), for deriving per-item seeds from a base seed and a key:
 * `createRng(deriveSeed(seed, prompt))`.
 */
export function deriveSeed(seed: number, key: string): number {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new TradeR1Error('INVALID_INPUT', `deriveSeed needs a finite number seed, got ${String(seed)}`, {
      details: { field: 'seed' },
    });
  }
  if (typeof key !== 'string') {
    throw new TradeR1Error('INVALID_INPUT', 'deriveSeed needs a string key', { details: { field: 'key' } });
  }
  let hash = 0x811c9dc5 ^ (seed | 0);
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
