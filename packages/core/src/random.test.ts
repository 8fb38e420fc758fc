import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from './random.ts';

describe('createRng', () => {
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
  });
});
