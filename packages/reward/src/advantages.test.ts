import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupAdvantages, OPENRLHF_GROUP_NORM_DEFAULTS, TRL_GRPO_DEFAULTS } from './advantages.ts';

const SEED = 4242;

// ---- Reference formulas, written independently from the trainers' code -------------------------------------
// torch.Tensor.std defaults to the unbiased (n − 1) estimator.
function torchMean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
function torchStd(values: number[]): number {
  const mean = torchMean(values);
  return Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1));
}
function chunk(values: number[], size: number): number[][] {
  return Array.from({ length: values.length / size }, (_, index) => values.slice(index * size, (index + 1) * size));
}

/**
 * TRL GRPOTrainer (trl/trainer/grpo_trainer.py, `_generate_and_score_completions`):
 *   mean_grouped_rewards = rewards.view(-1, G).mean(dim=1).repeat_interleave(G)
 *   advantages = rewards - mean_grouped_rewards
 *   std_rewards = rewards.view(-1, G).std(dim=1)  (scale_rewards="group")  |  rewards.std()  ("batch")
 *   if scale_rewards != "none": advantages = advantages / (std_rewards + 1e-4)
 */
function trlAdvantages(rewards: number[], groupSize: number, scale: 'group' | 'batch' | 'none'): number[] {
  const batchStd = torchStd(rewards);
  return chunk(rewards, groupSize).flatMap((group) => {
    const mean = torchMean(group);
    const std = scale === 'batch' ? batchStd : torchStd(group);
    return group.map((reward) => (scale === 'none' ? reward - mean : (reward - mean) / (std + 1e-4)));
  });
}

/**
 * OpenRLHF (openrlhf/trainer/ppo_utils/experience_maker.py, `process_experiences`), rewards reshaped to
 * (-1, n_samples_per_prompt):
 *   group_norm:          (rewards - rewards.mean(-1, keepdim=True)) / (rewards.std(-1, keepdim=True) + 1e-9)
 *   rloo:                baseline = (rewards.sum(-1, keepdim=True) - rewards) / (n_samples_per_prompt - 1)
 *                        rewards - baseline
 *   reinforce_baseline:  rewards - rewards.mean(-1, keepdim=True)
 */
function openRlhf(rewards: number[], n: number, estimator: 'group_norm' | 'rloo' | 'reinforce_baseline'): number[] {
  return chunk(rewards, n).flatMap((group) => {
    const mean = torchMean(group);
    const sum = group.reduce((a, b) => a + b, 0);
    const std = torchStd(group);
    return group.map((reward) =>
      estimator === 'group_norm'
        ? (reward - mean) / (std + 1e-9)
        : estimator === 'rloo'
          ? reward - (sum - reward) / (n - 1)
          : reward - mean,
    );
  });
}

function expectClose(actual: ArrayLike<number>, expected: number[], tolerance = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let index = 0; index < expected.length; index += 1) {
    const a = actual[index] as number;
    const e = expected[index] as number;
    expect(Math.abs(a - e)).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(e)));
  }
}

const batch = fc
  .record({ groupSize: fc.integer({ min: 2, max: 16 }), groups: fc.integer({ min: 1, max: 12 }) })
  .chain(({ groupSize, groups }) =>
    fc.record({
      groupSize: fc.constant(groupSize),
      rewards: fc.array(fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(0, 1, -1.5, 0.75)), {
        minLength: groupSize * groups,
        maxLength: groupSize * groups,
      }),
    }),
  );

describe('groupAdvantages parity', () => {
  it('matches TRL for scale group / batch / none (std + 1e-4, unbiased)', () => {
    fc.assert(
      fc.property(
        batch,
        fc.constantFrom('group', 'batch', 'none') as fc.Arbitrary<'group' | 'batch' | 'none'>,
        ({ groupSize, rewards }, scale) => {
          const ours = groupAdvantages({ rewards, groupSize, ...TRL_GRPO_DEFAULTS, scale });
          expectClose(ours.advantages, trlAdvantages(rewards, groupSize, scale));
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it("matches OpenRLHF's group_norm (std + 1e-9), rloo and reinforce_baseline (dr_grpo)", () => {
    fc.assert(
      fc.property(batch, ({ groupSize, rewards }) => {
        const norm = groupAdvantages({ rewards, groupSize, ...OPENRLHF_GROUP_NORM_DEFAULTS });
        // 1e-9 instead of 1e-4 makes tiny-but-nonzero stds explode identically in both; compare relatively.
        expectClose(norm.advantages, openRlhf(rewards, groupSize, 'group_norm'), 1e-6);
        expectClose(
          groupAdvantages({ rewards, groupSize, estimator: 'rloo' }).advantages,
          openRlhf(rewards, groupSize, 'rloo'),
        );
        expectClose(
          groupAdvantages({ rewards, groupSize, estimator: 'dr_grpo' }).advantages,
          openRlhf(rewards, groupSize, 'reinforce_baseline'),
        );
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('gives the same numbers for Float64Array, Float32Array inputs and plain arrays', () => {
    const rewards = [0.5, -1, 2, 0.25, 1, 1, 1, 3];
    const plain = groupAdvantages({ rewards, groupSize: 4 }).advantages;
    expectClose(groupAdvantages({ rewards: Float64Array.from(rewards), groupSize: 4 }).advantages, Array.from(plain));
    const f32 = groupAdvantages({ rewards: Float32Array.from(rewards), groupSize: 4, output: new Float32Array(8) });
    expect(f32.advantages).toBeInstanceOf(Float32Array);
    expectClose(f32.advantages, Array.from(plain), 1e-6);
  });

  it('is exact on a worked example', () => {
    const result = groupAdvantages({ rewards: [1, 0, 0, 1], groupSize: 4, epsilon: 0 });
    const std = Math.sqrt(1 / 3);
    expectClose(result.advantages, [0.5 / std, -0.5 / std, -0.5 / std, 0.5 / std], 1e-15);
    expect(result.groupMean[0]).toBe(0.5);
    expect(result.groupStd[0]).toBeCloseTo(std, 15);
    const population = groupAdvantages({ rewards: [1, 0, 0, 1], groupSize: 4, epsilon: 0, std: 'population' });
    expectClose(population.advantages, [1, -1, -1, 1], 1e-15);
  });

  it('keeps precision for rewards far from zero', () => {
    // Advantages are shift-invariant; a naive Σx² − (Σx)²/n would lose the ±1 spread at 1e9.
    const rewards = [1e9 + 1, 1e9 - 1, 1e9 + 1, 1e9 - 1];
    expectClose(groupAdvantages({ rewards, groupSize: 4 }).advantages, trlAdvantages([1, -1, 1, -1], 4, 'group'), 1e-9);
  });
});

describe('groupAdvantages missing rewards and edge cases', () => {
  it("'exclude' leaves NaN/null out of the statistics and gives them advantage 0", () => {
    const result = groupAdvantages({ rewards: [1, null, 3, Number.NaN, 5, undefined], groupSize: 3 });
    expect(result.groupCount).toEqual(new Uint32Array([2, 1]));
    expect(result.groupMean[0]).toBe(2);
    const std = Math.SQRT2;
    expectClose(result.advantages, [-1 / (std + 1e-4), 0, 1 / (std + 1e-4), 0, 0, 0]);
    expect(Array.from(result.advantages).every(Number.isFinite)).toBe(true);
    const typed = groupAdvantages({ rewards: Float64Array.from([1, Number.NaN, 3]), groupSize: 3 });
    expectClose(typed.advantages, [-1 / (std + 1e-4), 0, 1 / (std + 1e-4)]);
  });

  it("'zero' counts missing rewards as 0, like TRL's nansum over all-None reward functions", () => {
    const zero = groupAdvantages({ rewards: [1, null, 3, Number.NaN], groupSize: 4, missing: 'zero' });
    expectClose(zero.advantages, trlAdvantages([1, 0, 3, 0], 4, 'group'));
    const typed = groupAdvantages({ rewards: Float32Array.from([1, Number.NaN, 3, 0]), groupSize: 4, missing: 'zero' });
    expectClose(typed.advantages, trlAdvantages([1, 0, 3, 0], 4, 'group'), 1e-6);
  });

  it('never returns NaN: constant groups, singletons, all-missing groups', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constant(null),
            fc.constant(Number.NaN),
            fc.double({ min: -3, max: 3, noNaN: true }),
            fc.constant(1),
          ),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        fc.constantFrom('grpo', 'rloo', 'dr_grpo') as fc.Arbitrary<'grpo' | 'rloo' | 'dr_grpo'>,
        fc.constantFrom('group', 'batch', 'none') as fc.Arbitrary<'group' | 'batch' | 'none'>,
        (rewards, estimator, scale) => {
          const result = groupAdvantages({ rewards, groupSizes: [rewards.length], estimator, scale });
          expect(Array.from(result.advantages).every(Number.isFinite)).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
    expectClose(groupAdvantages({ rewards: [2, 2, 2], groupSize: 3 }).advantages, [0, 0, 0]);
    expectClose(groupAdvantages({ rewards: [7], groupSize: 1, estimator: 'rloo' }).advantages, [0]);
  });

  it('supports variable group sizes', () => {
    const rewards = [1, 2, 3, 10, 20];
    const result = groupAdvantages({ rewards, groupSizes: [3, 2], estimator: 'dr_grpo' });
    expectClose(result.advantages, [-1, 0, 1, -5, 5]);
  });

  it('rejects infinities, ragged batches and bad options with typed errors', () => {
    expect(() => groupAdvantages({ rewards: [1, Number.POSITIVE_INFINITY], groupSize: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => groupAdvantages({ rewards: Float64Array.from([1, Number.NEGATIVE_INFINITY]), groupSize: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => groupAdvantages({ rewards: [1, 2, 3], groupSize: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => groupAdvantages({ rewards: [1, 2, 3], groupSizes: [1, 1] })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => groupAdvantages({ rewards: [1, 2], groupSize: 2, epsilon: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => groupAdvantages({ rewards: [1, 2], groupSize: 2, scale: 'rows' as 'group' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => groupAdvantages({ rewards: [1, 2] })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => groupAdvantages({ rewards: ['1' as unknown as number, 2], groupSize: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
