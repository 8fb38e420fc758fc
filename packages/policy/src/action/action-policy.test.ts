import { createRng } from '@trade-r1/core';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildActionHeadModel } from '../testing/action-head.ts';
import { actionMask, maskedActionDistribution } from './masking.ts';
import { createOnnxActionPolicy, type OnnxActionPolicy } from './onnx-action-policy.ts';

describe('maskedActionDistribution', () => {
  it('zeroes masked actions and renormalises the rest (FLAG-Trader Eq. 8)', () => {
    const full = maskedActionDistribution([1, 2, 3]);
    expect(full.probabilities.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 12);
    const masked = maskedActionDistribution([1, 2, 3], [false, true, true]);
    expect(masked.probabilities[0]).toBe(0);
    expect(masked.logProbabilities[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(masked.probabilities[1]).toBeCloseTo(Math.exp(2) / (Math.exp(2) + Math.exp(3)), 12);
    expect(Math.exp(masked.logProbabilities[2])).toBeCloseTo(masked.probabilities[2], 12);
    expect(() => maskedActionDistribution([1, 2, 3], [false, false, false])).toThrow(/masked/);
    expect(() => maskedActionDistribution([1, 2])).toThrow(/3 action logits/);
    expect(() => maskedActionDistribution([1, Number.NaN, 2])).toThrow(/logit/);
  });

  it('masks SELL without a position and BUY without cash', () => {
    expect(actionMask({ position: 0, cash: 100 })).toEqual([false, true, true]);
    expect(actionMask({ position: 3, cash: 0 })).toEqual([true, true, false]);
    expect(actionMask({ position: 0, cash: 0 })).toEqual([false, true, false]);
  });

  it('always gives a distribution over allowed actions (property)', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.double({ min: -30, max: 30, noNaN: true }),
          fc.double({ min: -30, max: 30, noNaN: true }),
          fc.double({ min: -30, max: 30, noNaN: true }),
        ),
        fc.tuple(fc.boolean(), fc.constant(true), fc.boolean()),
        (logits, mask) => {
          const { probabilities } = maskedActionDistribution(logits, mask);
          expect(probabilities.reduce((sum, value) => sum + value, 0)).toBeCloseTo(1, 9);
          probabilities.forEach((probability, index) => {
            if (!mask[index]) expect(probability).toBe(0);
          });
        },
      ),
      { seed: 17, numRuns: 200 },
    );
  });
});

describe('createOnnxActionPolicy', () => {
  const bytes = buildActionHeadModel({ inputSize: 4, seed: 2, initStd: 1 });
  let policy: OnnxActionPolicy;
  const rng = createRng(5);
  const states = Array.from({ length: 6 }, (_, index) => ({
    features: Array.from({ length: 4 }, () => rng.normal()),
    position: index % 2,
    cash: index % 3 === 0 ? 0 : 1000,
  }));

  beforeAll(async () => {
    policy = await createOnnxActionPolicy({ model: bytes, device: 'auto' });
  });
  afterAll(async () => {
    await policy.close();
  });

  it('runs the graph, masks invalid actions and reports log-prob and value', async () => {
    const decisions = await policy.act({ states, seed: 1 });
    const session = await ort.InferenceSession.create(bytes);
    const reference = await session.run({
      features: new ort.Tensor('float32', Float32Array.from(states.flatMap((state) => state.features)), [6, 4]),
    });
    const logits = reference.logits?.data as Float32Array;
    const values = reference.value?.data as Float32Array;
    decisions.forEach((decision, index) => {
      const state = states[index] as (typeof states)[number];
      expect(decision.logits[0]).toBeCloseTo(logits[index * 3] as number, 5);
      expect(decision.value).toBeCloseTo(values[index] as number, 5);
      if (state.position <= 0) expect(decision.action).not.toBe('SELL');
      if (state.cash <= 0) expect(decision.action).not.toBe('BUY');
      expect(decision.mask).toEqual(actionMask(state));
      expect(Math.exp(decision.logprob)).toBeCloseTo(decision.probabilities[decision.action], 9);
    });
    await session.release();
    expect(policy.info()).toMatchObject({
      inputName: 'features',
      logitsName: 'logits',
      valueName: 'value',
      executionProvider: 'cpu',
    });
  });

  it('is reproducible by seed and greedy on request', async () => {
    const first = await policy.act({ states, seed: 9, step: 4 });
    expect(await policy.act({ states, seed: 9, step: 4 })).toEqual(first);
    const greedy = await policy.act({ states, greedy: true });
    for (const decision of greedy) {
      expect(decision.probabilities[decision.action]).toBe(Math.max(...Object.values(decision.probabilities)));
    }
    // sampling follows the masked probabilities
    const counts = { SELL: 0, HOLD: 0, BUY: 0 };
    const single = states[1] as (typeof states)[number];
    for (let seed = 0; seed < 400; seed += 1) {
      const [decision] = await policy.act({ states: [single], seed, step: 0 });
      if (decision) counts[decision.action] += 1;
    }
    const [reference] = await policy.act({ states: [single], greedy: true });
    for (const action of ['SELL', 'HOLD', 'BUY'] as const) {
      expect(counts[action] / 400).toBeCloseTo(reference?.probabilities[action] ?? 0, 1);
    }
  });

  it('draws a fresh stream per call from seed and step, so one seed is not one action forever', async () => {
    const single = states[1] as (typeof states)[number];
    const fresh = await createOnnxActionPolicy({ model: bytes, device: 'cpu' });
    const [reference] = await fresh.act({ states: [single], greedy: true });
    const counts = { SELL: 0, HOLD: 0, BUY: 0 };
    const draws: string[] = [];
    for (let call = 0; call < 300; call += 1) {
      const [decision] = await fresh.act({ states: [single], seed: 7 });
      if (decision) {
        counts[decision.action] += 1;
        draws.push(decision.action);
      }
    }
    for (const action of ['SELL', 'HOLD', 'BUY'] as const) {
      expect(counts[action] / 300).toBeCloseTo(reference?.probabilities[action] ?? 0, 1);
    }
    // Replayable: step t of a new policy with the same seed gives the same draw as call t did.
    const replay = await createOnnxActionPolicy({ model: bytes, device: 'cpu' });
    const [at12] = await replay.act({ states: [single], seed: 7, step: 12 });
    expect(at12?.action).toBe(draws[12]);
    await Promise.all([fresh.close(), replay.close()]);
  });

  it('accepts explicit masks, works without a value head and fails typed', async () => {
    const [decision] = await policy.act({
      states: [{ ...(states[1] as (typeof states)[number]), mask: [false, true, false] }],
    });
    expect(decision?.action).toBe('HOLD');
    expect(decision?.logprob).toBe(0);
    const noValue = await createOnnxActionPolicy({ model: buildActionHeadModel({ withValue: false }), device: 'cpu' });
    const [plain] = await noValue.act({ states: [{ features: new Float32Array(8), position: 1, cash: 1 }] });
    expect(plain?.value).toBeNull();
    await expect(noValue.act({ states: [{ features: [1, 2], position: 1, cash: 1 }] })).rejects.toMatchObject({
      code: 'INFERENCE_FAILED',
    });
    await noValue.close();
    await noValue.close();
    await expect(
      noValue.act({ states: [{ features: new Float32Array(8), position: 1, cash: 1 }] }),
    ).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(createOnnxActionPolicy({ model: new Uint8Array([1, 2, 3]), device: 'cpu' })).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
    });
    await expect(createOnnxActionPolicy({ model: bytes, device: 'cpu', logitsName: 'nope' })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
  });
});
