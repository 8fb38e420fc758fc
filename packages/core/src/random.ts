import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
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

const MASK_64 = (1n << 64n) - 1n;

/** SplitMix64 (Steele, Lea and Flood 2014), the seeding generator the xoroshiro authors recommend. */
function splitMix64(state: bigint): { state: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK_64;
  let value = next;
  value = ((value ^ (value >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  value = ((value ^ (value >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return { state: next, value: value ^ (value >> 31n) };
}

/**
 * The xoroshiro128+ state for a seed: two SplitMix64 outputs of the whole seed. (pure-rand's own
 * `xoroshiro128plus(seed)` puts the seed into the state unmixed, so the first draw of every small seed is
 * 0.99999… and neighbouring seeds' streams start almost equal.)
 */
function seedState(seed: number): [number, number, number, number] {
  const first = splitMix64(BigInt.asUintN(64, BigInt(seed)));
  const second = splitMix64(first.state);
  const word = (value: bigint, shift: bigint): number => Number(BigInt.asIntN(32, value >> shift));
  return [word(first.value, 32n), word(first.value, 0n), word(second.value, 32n), word(second.value, 0n)];
}

/**
 * Create a seeded {@link Rng}. The seed must be a safe integer; all of its bits count (it is spread over the
 * generator's 128-bit state with SplitMix64), so neighbouring seeds give unrelated streams.
 * @throws {TradeR1Error} `INVALID_INPUT` for a non-integer seed.
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new TradeR1Error('INVALID_INPUT', `Seed must be a safe integer, got ${seed}`, { details: { seed } });
  }
  return wrap(xoroshiro128plusFromState(seedState(seed)), seed);
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

/** murmur3's 32-bit finaliser: every input bit flips about half of the output bits. */
function fmix32(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * A stable 32-bit seed for one item from a base seed and a key (FNV-1a over the key, started from the mixed seed,
 * then murmur3's finaliser), for per-item streams: `createRng(deriveSeed(seed, prompt))`. Neighbouring keys
 * (`step:1`, `step:2`) and neighbouring seeds give unrelated values; all of a safe-integer seed's bits count.
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
  const high = Math.floor(seed / 4_294_967_296);
  let hash = 0x811c9dc5 ^ fmix32(fmix32(high) ^ (seed >>> 0));
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return fmix32(hash);
}
