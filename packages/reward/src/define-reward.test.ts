import { isTradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { composeRewards } from './compose.ts';
import { defineReward } from './define-reward.ts';

const lengthReward = defineReward({
  name: 'length',
  input: z.object({ response: z.string() }),
  compute: ({ response }) => response.length / 10,
});

describe('defineReward', () => {
  it('validates the input and computes sync or async rewards', async () => {
    expect(await lengthReward.evaluate({ response: 'abcde' })).toEqual({
      name: 'length',
      value: 0.5,
      status: 'ok',
      flagged: false,
      details: {},
    });
    const asyncReward = defineReward({
      name: 'async',
      input: z.object({ x: z.number() }),
      compute: async ({ x }) => ({ value: x * 2, details: { x } }),
    });
    expect(await asyncReward.evaluate({ x: 2 })).toMatchObject({ value: 4, details: { x: 2 } });
  });

  it('throws INVALID_INPUT listing every problem', async () => {
    const reward = defineReward({
      name: 'strict',
      input: z.object({ a: z.number(), b: z.string() }),
      compute: () => 1,
    });
    const error = await reward.evaluate({ a: 'x' }).catch((thrown: unknown) => thrown);
    expect(isTradeR1Error(error, 'INVALID_INPUT')).toBe(true);
    if (!isTradeR1Error(error)) throw error;
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['a', 'b']);
    expect(error.message).toContain('strict');
  });

  it('returns the declared fallback, flagged, on timeout and aborts the computation', async () => {
    let abortedWith: unknown;
    const slow = defineReward({
      name: 'slow',
      input: z.object({}),
      timeoutMs: 20,
      fallback: { value: -1 },
      compute: (_input, { signal }) =>
        new Promise<number>((resolve) => {
          const timer = setTimeout(() => resolve(5), 5_000);
          signal.addEventListener('abort', () => {
            abortedWith = signal.reason;
            clearTimeout(timer);
          });
        }),
    });
    const result = await slow.evaluate({});
    expect(result).toMatchObject({ value: -1, status: 'timeout', flagged: true, error: { code: 'TIMEOUT' } });
    expect(isTradeR1Error(abortedWith, 'TIMEOUT')).toBe(true);
  });

  it('rejects with TIMEOUT when no fallback is declared (never a silent 0)', async () => {
    const hang = defineReward({
      name: 'hang',
      input: z.object({}),
      compute: () => new Promise<number>(() => undefined),
    });
    const error = await hang.evaluate({}, { timeoutMs: 10 }).catch((thrown: unknown) => thrown);
    expect(isTradeR1Error(error, 'TIMEOUT')).toBe(true);
  });

  it('uses the fallback on errors only when asked, and rejects non-finite values', async () => {
    const broken = defineReward({
      name: 'broken',
      input: z.object({}),
      compute: () => {
        throw new Error('judge down');
      },
    });
    await expect(broken.evaluate({})).rejects.toMatchObject({ code: 'INTERNAL', message: 'judge down' });
    await expect(broken.evaluate({}, { fallback: { value: 0 } })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await broken.evaluate({}, { fallback: { value: 0.25, on: ['error'] } })).toMatchObject({
      value: 0.25,
      status: 'error',
      flagged: true,
      error: { message: 'judge down' },
    });
    const nan = defineReward({ name: 'nan', input: z.object({}), compute: () => Number.NaN });
    await expect(nan.evaluate({})).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('reports null as skipped and honours the caller signal', async () => {
    const skip = defineReward({ name: 'skip', input: z.unknown(), compute: () => null });
    expect(await skip.evaluate(1)).toMatchObject({ value: null, status: 'skipped', flagged: false });
    const controller = new AbortController();
    const pending = defineReward({
      name: 'pending',
      input: z.unknown(),
      fallback: { value: 0, on: ['timeout', 'error'] },
      compute: () => new Promise<number>(() => undefined),
    }).evaluate(1, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('validates its configuration', () => {
    expect(() => defineReward({ name: '', input: z.unknown(), compute: () => 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => defineReward({ name: 'x', input: z.unknown(), compute: () => 1, timeoutMs: -5 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() =>
      defineReward({ name: 'x', input: z.unknown(), compute: () => 1, fallback: { value: Number.NaN } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});

describe('composeRewards', () => {
  const constant = (name: string, value: number | null) =>
    defineReward({ name, input: z.object({ response: z.string() }), compute: () => value });

  it('returns the weighted total and every component for logging', async () => {
    const total = composeRewards({
      components: {
        length: { reward: lengthReward, weight: 2 },
        bonus: { reward: constant('bonus', 0.25), weight: -1 },
        na: { reward: constant('na', null), weight: 3 },
      },
    });
    const result = await total.evaluate({ response: 'abcdefghij' });
    expect(result.value).toBeCloseTo(2 * 1 - 0.25, 15);
    expect(result.flagged).toBe(false);
    expect(result.components?.length).toMatchObject({ value: 1, weight: 2, weighted: 2, status: 'ok' });
    expect(result.components?.na).toMatchObject({ value: null, weighted: null, status: 'skipped' });
  });

  it('flags the total when a component falls back and passes the default timeout down', async () => {
    const slow = defineReward({
      name: 'slow',
      input: z.unknown(),
      fallback: { value: -0.5 },
      compute: () => new Promise<number>(() => undefined),
    });
    const total = composeRewards({
      components: { slow: { reward: slow }, length: { reward: lengthReward } },
      timeoutMs: 15,
    });
    const result = await total.evaluate({ response: 'abcde' });
    expect(result.flagged).toBe(true);
    expect(result.value).toBeCloseTo(-0.5 + 0.5, 15);
    expect(result.components?.slow).toMatchObject({ status: 'timeout', flagged: true });
  });

  it('propagates a component failure unless the composite declares a fallback', async () => {
    const hang = defineReward({
      name: 'hang',
      input: z.unknown(),
      compute: () => new Promise<number>(() => undefined),
    });
    const bare = composeRewards({ components: { hang: { reward: hang } }, timeoutMs: 10 });
    await expect(bare.evaluate({})).rejects.toMatchObject({ code: 'TIMEOUT' });
    const guarded = composeRewards({ components: { hang: { reward: hang } }, timeoutMs: 10, fallback: { value: 0 } });
    expect(await guarded.evaluate({})).toMatchObject({ value: 0, status: 'timeout', flagged: true });
    await expect(
      composeRewards({ components: { length: { reward: lengthReward } } }).evaluate({}),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(() => composeRewards({ components: {} })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
