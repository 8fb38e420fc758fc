import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from './random.ts';

function chiSquare(draws: number[], bins = 10): number {
  const counts = new Array<number>(bins).fill(0);
  for (const draw of draws) counts[Math.floor(draw * bins)] = (counts[Math.floor(draw * bins)] as number) + 1;
  const expected = draws.length / bins;
  return counts.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
}

function lagCorrelation(draws: number[]): number {
  let sum = 0;
  for (let index = 1; index < draws.length; index += 1)
    sum += ((draws[index] as number) - 0.5) * ((draws[index - 1] as number) - 0.5);
  return (12 * sum) / (draws.length - 1);
}

// χ² with 9 degrees of freedom: 27.9 is the 0.1% tail; |lag-1 correlation| of 2,000 independent draws ≈ 0.022 (sd).
const CHI2_9_TAIL = 27.9;
const LAG_LIMIT = 0.08;

describe('createRng', () => {
  it('gives neighbouring seeds unrelated streams: first and second draws uniform and uncorrelated across seeds', () => {
    for (const start of [0, 1_000, 2 ** 32 - 1_000, -5_000, 2 ** 40]) {
      const generators = Array.from({ length: 2000 }, (_, offset) => createRng(start + offset));
      for (let draw = 0; draw < 2; draw += 1) {
        const draws = generators.map((rng) => rng.next());
        expect(chiSquare(draws), `start ${start}, draw ${draw}`).toBeLessThan(CHI2_9_TAIL);
        expect(Math.abs(lagCorrelation(draws)), `start ${start}, draw ${draw}`).toBeLessThan(LAG_LIMIT);
      }
    }
  });

  it('uses every bit of a safe-integer seed (seeds 2^32 apart differ)', () => {
    expect(createRng(7).next()).not.toBe(createRng(7 + 2 ** 32).next());
    expect(createRng(-1).next()).not.toBe(createRng(2 ** 32 - 1).next());
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 20 }, () => rng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
    expect(draw(42).every((value) => value >= 0 && value < 1)).toBe(true);
  });

  it('draws uniform-looking floats, integers in range and standard normals', () => {
    const rng = createRng(1);
    const values = Array.from({ length: 20_000 }, () => rng.next());
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
    const ints = Array.from({ length: 5_000 }, () => rng.int(-2, 2));
    expect(new Set(ints)).toEqual(new Set([-2, -1, 0, 1, 2]));
    const normals = Array.from({ length: 20_000 }, () => rng.normal());
    const normalMean = normals.reduce((sum, value) => sum + value, 0) / normals.length;
    const variance = normals.reduce((sum, value) => sum + (value - normalMean) ** 2, 0) / normals.length;
    expect(Math.abs(normalMean)).toBeLessThan(0.05);
    expect(variance).toBeGreaterThan(0.9);
    expect(variance).toBeLessThan(1.1);
  });

  it('shuffles, samples and draws categoricals reproducibly', () => {
    const items = Array.from({ length: 10 }, (_, index) => index);
    expect(createRng(5).shuffle(items)).toEqual(createRng(5).shuffle(items));
    expect([...createRng(5).shuffle(items)].sort((a, b) => a - b)).toEqual(items);
    expect(new Set(createRng(9).sample(items, 4)).size).toBe(4);
    const rng = createRng(3);
    const counts = [0, 0, 0];
    for (let index = 0; index < 10_000; index += 1) {
      const drawn = rng.categorical([1, 0, 3]);
      counts[drawn] = (counts[drawn] ?? 0) + 1;
    }
    expect(counts[1]).toBe(0);
    expect((counts[2] ?? 0) / 10_000).toBeCloseTo(0.75, 1);
  });

  it('forks independent streams', () => {
    const root = createRng(11);
    const first = root.fork();
    const second = root.fork();
    const a = Array.from({ length: 5 }, () => first.next());
    const b = Array.from({ length: 5 }, () => second.next());
    expect(a).not.toEqual(b);
    const again = createRng(11);
    expect(Array.from({ length: 5 }, () => again.fork().next())[0]).toBe(a[0]);
  });

  it('rejects unusable arguments', () => {
    expect(() => createRng(1.5)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => createRng(1).categorical([0, 0])).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => createRng(1).int(3, 1)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('derives stable per-key seeds', () => {
    expect(deriveSeed(1, 'prompt a')).toBe(deriveSeed(1, 'prompt a'));
    expect(deriveSeed(1, 'prompt a')).not.toBe(deriveSeed(2, 'prompt a'));
    expect(deriveSeed(1, 'prompt a')).not.toBe(deriveSeed(1 + 2 ** 32, 'prompt a'));
  });

  it('derives seeds whose streams are unrelated across neighbouring keys and seeds', () => {
    for (const seed of [0, 1, 7, 42, 12_345]) {
      for (const key of [(step: number) => `text-action:${step}`, (step: number) => `${step}:0`]) {
        const draws = Array.from({ length: 2000 }, (_, step) => createRng(deriveSeed(seed, key(step))).next());
        expect(chiSquare(draws), `seed ${seed}`).toBeLessThan(CHI2_9_TAIL);
        expect(Math.abs(lagCorrelation(draws)), `seed ${seed}`).toBeLessThan(LAG_LIMIT);
      }
    }
    const bySeed = Array.from({ length: 2000 }, (_, seed) => createRng(deriveSeed(seed, 'prompt')).next());
    expect(chiSquare(bySeed)).toBeLessThan(CHI2_9_TAIL);
    expect(Math.abs(lagCorrelation(bySeed))).toBeLessThan(LAG_LIMIT);
  });
});
