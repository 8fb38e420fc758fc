/**
 * The benchmark's reward server, run in its own process so the load generator does not share its event loop:
 * a market + DSR reward (Trade-R1's 0.15% one-way cost, excess return over a benchmark, s from the label).
 * Prints the URL on stdout, then serves until SIGTERM.
 */
import { z } from 'zod';
import {
  createRewardServer,
  defineReward,
  dsrReward,
  marketReward,
  rewardSampleSchema,
  TRADE_R1_ONE_WAY_COST,
} from '../src/index.ts';

const labelSchema = z.object({
  entryPrice: z.number().positive(),
  exitPrice: z.number().positive(),
  benchmarkReturn: z.number(),
  s: z.number().min(0).max(1),
});

const reward = defineReward({
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

const server = createRewardServer({ reward, sampleTimeoutMs: 5_000, maxConcurrency: 256 });
const url = await server.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${url}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
