// Score a piece of trading reasoning against the evidence that existed when the decision was made.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultEmbedder, createVerifier, openEvidenceStore } from '@trade-r1/verifier';

const embedder = await createDefaultEmbedder(); // offline word-vector model shipped with the package
const store = await openEvidenceStore({ uri: await mkdtemp(join(tmpdir(), 'evidence-')), embedder });
await store.add([
  {
    id: 'aapl-fy24-q1',
    tickers: ['AAPL'],
    publishedAt: '2024-02-01T21:30:00Z',
    sourceKind: 'filing',
    title: 'Apple reports first quarter results',
    text: 'Apple reported quarterly revenue of $119.6 billion, up 2 percent year over year, and quarterly diluted earnings per share of $2.18, up 16 percent year over year.',
  },
]);

const verifier = createVerifier({ store, embedder });
const report = await verifier.verify({
  ticker: 'AAPL',
  asOf: '2024-02-05', // only evidence published on or before this date is admissible
  reasoning:
    'Apple grew quarterly revenue 2% to $119.6 billion and diluted EPS rose 16% to $2.18. Earnings momentum supports a buy. [[BUY]]',
  decision: 'BUY',
});
console.log(report.scores); // { factuality, deduction, consistency, s } — each in [0, 1]
for (const claim of report.claims) console.log(claim.verdict, claim.text);
await store.close();
