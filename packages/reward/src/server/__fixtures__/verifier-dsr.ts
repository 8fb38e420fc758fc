// The verifier-based DSR reward of the object-storage cluster test, built the same way in the test process (the
// reference) and in every server process (s3-verifier-reward.ts): r from the label's prices (Trade-R1's 0.15%
// one-way cost, excess over the benchmark), s from @trade-r1/verifier (k = 5) over the response, fused by DSR.
import { decisionSchema } from '@trade-r1/core';
import { createVerifier, type Embedder, type EvidenceStore } from '@trade-r1/verifier';
import { z } from 'zod';
import {
  marketReward,
  rewardSampleSchema,
  scorerFromVerifier,
  semanticGatedReward,
  TRADE_R1_ONE_WAY_COST,
} from '../../index.ts';

const inputSchema = rewardSampleSchema.extend({
  label: z.object({
    ticker: z.string(),
    asOf: z.string(),
    decision: decisionSchema,
    entryPrice: z.number().positive(),
    exitPrice: z.number().positive(),
    benchmarkReturn: z.number(),
  }),
});

/** The reward over `store` (details `r`, `s`). */
export function verifierDsrReward(store: EvidenceStore, embedder: Embedder) {
  const verifier = createVerifier({ store, embedder, options: { k: 5 } });
  return semanticGatedReward({
    name: 'verifier_dsr',
    input: inputSchema,
    gate: 'dsr',
    marketReward: ({ label }) =>
      marketReward({
        entryPrice: label.entryPrice,
        exitPrice: label.exitPrice,
        benchmarkReturn: label.benchmarkReturn,
        oneWayCost: TRADE_R1_ONE_WAY_COST,
      }).reward,
    scorer: scorerFromVerifier<z.output<typeof inputSchema>, Parameters<typeof verifier.verify>[0]>({
      verifier,
      toVerifyInput: (sample) => ({
        ticker: sample.label.ticker,
        asOf: sample.label.asOf,
        decision: sample.label.decision,
        reasoning: sample.response,
      }),
    }),
  });
}
