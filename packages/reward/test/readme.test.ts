import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  composeRewards,
  defineReward,
  dsrReward,
  formatReward,
  groupAdvantages,
  marketReward,
  TRADE_R1_ONE_WAY_COST,
} from '../src/index.ts';

// The README's snippets, executed, so the documented numbers stay true.
describe('README examples', () => {
  it('quick start', () => {
    const { reward: r } = marketReward({
      entryPrice: 100,
      exitPrice: 104,
      benchmarkReturn: 0.01,
      oneWayCost: TRADE_R1_ONE_WAY_COST,
    });
    expect(r).toBeCloseTo(0.027, 12);
    expect(dsrReward({ r, s: 0.8 })).toBeCloseTo(0.027 * 1.3, 12);
    const groupRewards = [0.03, -0.01, 0.02, 0, 0.05, -0.02, 0.01, 0.01];
    const { advantages } = groupAdvantages({ rewards: Float64Array.from(groupRewards), groupSize: 8 });
    expect(advantages).toHaveLength(8);
    expect(advantages.reduce((sum, value) => sum + value, 0)).toBeCloseTo(0, 12);
  });

  it('custom rewards', async () => {
    const callMyJudge = async (response: string, _options: { signal: AbortSignal }) =>
      response.includes('evidence') ? 0.9 : 0.1;
    const format = defineReward({
      name: 'format',
      input: z.object({ response: z.string() }),
      compute: ({ response }) => formatReward({ completion: response }).reward,
    });
    const judge = defineReward({
      name: 'judge',
      input: z.object({ response: z.string() }),
      timeoutMs: 2_000,
      fallback: { value: 0, on: ['timeout'] },
      compute: async ({ response }, { signal }) => callMyJudge(response, { signal }),
    });
    const total = composeRewards({
      components: { judge: { reward: judge, weight: 1 }, format: { reward: format, weight: 0.1 } },
    });
    const result = await total.evaluate({ response: '<conclusion>evidence</conclusion>\n[[BUY]]' });
    expect(result.value).toBeCloseTo(0.9 + 0.1, 12);
    expect(result.components?.judge).toMatchObject({
      value: 0.9,
      weight: 1,
      weighted: 0.9,
      status: 'ok',
      flagged: false,
    });
    expect(result.components?.format).toMatchObject({ value: 1, weighted: 0.1 });
  });
});
