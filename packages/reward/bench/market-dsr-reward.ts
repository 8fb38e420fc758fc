/**
 * The benchmarks' cheap reward module: market + DSR (Trade-R1's 0.15% one-way cost, excess return over a
 * benchmark, s from the label). Used by server-process.ts and, through the CLI, by scale.ts; peer/fastapi_reward.py
 * computes the same.
 */
import { z } from 'zod';
import { defineReward, dsrReward, marketReward, rewardSampleSchema, TRADE_R1_ONE_WAY_COST } from '../src/index.ts';

const labelSchema = z.object({
  entryPrice: z.number().positive(),
  exitPrice: z.number().positive(),
  benchmarkReturn: z.number(),
  s: z.number().min(0).max(1),
});

export default defineReward({
  name: 'market_dsr',
  input: rewardSampleSchema.extend({ label: labelSchema }),
  compute: ({ label }) => {
    const market = marketReward({
      entryPrice: label.entryPrice,
      exitPrice: label.exitPrice,
      benchmarkReturn: label.benchmarkReturn,
      oneWayCost: TRADE_R1_ONE_WAY_COST,
    });
    return { value: dsrReward({ r: market.reward, s: label.s }), details: { r: market.reward, s: label.s } };
  },
});
