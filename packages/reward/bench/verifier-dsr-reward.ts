/**
 * The benchmark's verifier-based DSR reward module (served by `trade-r1-reward-server --reward` in every process,
 * or in every worker thread with `--workers`): r from the label's prices (Trade-R1's 0.15% one-way cost, excess
 * over the benchmark), s from `@trade-r1/verifier` over the response (k = 5), fused by DSR. Top-level code opens its
 * own default embedder, evidence-store handle and memory index of the hot tickers ($TRADE_R1_BENCH_TICKERS) on the
 * store at $TRADE_R1_BENCH_STORE. With TRADE_R1_BENCH_ANALYSE=1 it also analyses the loaded chunks' evidence before
 * serving (as createVerifierPool's `memoryIndex.analyse`), so verifications of hot tickers skip that work. The store
 * may be any LanceDB URI (`s3://…` with LanceDB storage options as JSON in $TRADE_R1_BENCH_STORAGE_OPTIONS); with
 * no hot tickers every verification searches the store itself. $TRADE_R1_BENCH_MAX_STALENESS_MS sets the memory
 * index's `maxStalenessMs` (default 0).
 */
import { decisionSchema } from '@trade-r1/core';
import {
  createDefaultEmbedder,
  createMemoryIndex,
  createVerifier,
  EVIDENCE_CACHE_LIMIT,
  openEvidenceStore,
  preparePool,
} from '@trade-r1/verifier';
import { z } from 'zod';
import {
  marketReward,
  rewardSampleSchema,
  scorerFromVerifier,
  semanticGatedReward,
  TRADE_R1_ONE_WAY_COST,
} from '../src/index.ts';

const uri = process.env.TRADE_R1_BENCH_STORE;
if (!uri) throw new Error('set TRADE_R1_BENCH_STORE to the evidence store URI');
const storageOptions = z
  .record(z.string(), z.string())
  .parse(JSON.parse(process.env.TRADE_R1_BENCH_STORAGE_OPTIONS ?? '{}'));
const tickers = (process.env.TRADE_R1_BENCH_TICKERS ?? '').split(',').filter(Boolean);

const embedder = await createDefaultEmbedder();
const store = await openEvidenceStore({ uri, embedder, storageOptions });
const maxStalenessMs = z.coerce
  .number()
  .int()
  .min(0)
  .parse(process.env.TRADE_R1_BENCH_MAX_STALENESS_MS ?? '0');
const index = tickers.length > 0 ? await createMemoryIndex({ store, embedder, tickers, maxStalenessMs }) : undefined;
if (index && process.env.TRADE_R1_BENCH_ANALYSE === '1') {
  await preparePool(index.chunks().slice(0, EVIDENCE_CACHE_LIMIT), embedder);
}
const verifier = createVerifier({ store: index ?? store, embedder, options: { k: 5 } });

const labelSchema = z.object({
  ticker: z.string(),
  asOf: z.string(),
  decision: decisionSchema,
  entryPrice: z.number().positive(),
  exitPrice: z.number().positive(),
  benchmarkReturn: z.number(),
});

const inputSchema = rewardSampleSchema.extend({ label: labelSchema });

export default semanticGatedReward({
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
