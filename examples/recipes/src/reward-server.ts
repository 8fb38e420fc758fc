// Serve a Trade-R1 DSR reward to an RL trainer: r = 10-day excess return, s = the verifier's score.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDecisionTextOrThrow } from '@trade-r1/policy';
import { createRewardServer, marketReward, scorerFromVerifier, semanticGatedReward } from '@trade-r1/reward';
import { createDefaultEmbedder, createVerifier, openEvidenceStore } from '@trade-r1/verifier';
import { z } from 'zod';

const embedder = await createDefaultEmbedder();
const store = await openEvidenceStore({ uri: await mkdtemp(join(tmpdir(), 'evidence-')), embedder });
await store.add([
  {
    id: 'nvda-fy25-q1',
    tickers: ['NVDA'],
    publishedAt: '2024-05-22T20:20:00Z',
    sourceKind: 'filing',
    text: 'NVIDIA reported revenue for the first quarter of $26.0 billion, up 262% from a year ago. Data Center revenue was a record $22.6 billion.',
  },
]);
const verifier = createVerifier({ store, embedder });

// The label the trainer sends with each prompt: who, when, and the realised returns over the horizon.
const label = z.object({ ticker: z.string(), asOf: z.string(), assetReturn: z.number(), benchmarkReturn: z.number() });
const sample = z.object({ response: z.string(), label });
const reward = semanticGatedReward({
  name: 'dsr',
  input: sample,
  marketReward: ({ label }) =>
    marketReward({ assetReturn: label.assetReturn, benchmarkReturn: label.benchmarkReturn, oneWayCost: 0.0015 }).reward,
  scorer: scorerFromVerifier({
    verifier,
    toVerifyInput: ({ response, label }: z.infer<typeof sample>) => ({
      ticker: label.ticker,
      asOf: label.asOf,
      reasoning: response,
      decision: parseDecisionTextOrThrow(response), // [[BUY]], Decision: Buy, {'Action': 'Buy'}…
    }),
  }),
  gate: 'dsr',
});

// A sample that times out or has no parseable decision gets the declared fallback, flagged — never a silent 0.
const server = createRewardServer({
  reward,
  sampleTimeoutMs: 10_000,
  fallback: { value: 0, on: ['timeout', 'error'] },
  extraLogKeys: ['r', 's'], // one fixed key set in every answer (veRL and OpenRLHF batch them by key)
});
const url = await server.listen({ port: 0, host: '127.0.0.1' });
// What slime (--rm-url), or the Python shim for TRL/veRL, would send:
const response = await fetch(new URL('/slime', url), {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    prompt: 'Decide on NVDA as of 2024-05-24.',
    response: 'Revenue rose 262% to $26.0 billion and Data Center hit a record $22.6 billion. [[BUY]]',
    label: { ticker: 'NVDA', asOf: '2024-05-24', assetReturn: 0.081, benchmarkReturn: 0.012 },
  }),
});
console.log(await response.json()); // { score, r, s, … }
await server.close();
await store.close();
