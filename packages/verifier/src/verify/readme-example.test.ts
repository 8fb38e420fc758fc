/**
 * The usage example of the package README. The region between `// #region docs:usage` markers is the README's code
 * block verbatim (checked below); this test runs it against a real LanceDB table in a temp folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createDefaultEmbedder, createVerifier, openEvidenceStore, perturb } from '../index.ts';

const here = dirname(fileURLToPath(import.meta.url));

it('runs the README usage example', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-readme-'));
  try {
    const documents = [
      {
        id: 'aapl-q3',
        tickers: ['AAPL'],
        publishedAt: '2024-08-01T20:30:00Z',
        sourceKind: 'filing' as const,
        title: 'Apple reports third quarter results',
        text: 'Apple posted quarterly revenue of $85.8 billion, up 5 percent. Services revenue reached a record $24.2 billion.',
      },
    ];
    const reasoning =
      'Apple grew revenue 5% to $85.8 billion, and services hit a record $24.2 billion. We would buy. [[BUY]]';
    const items = [{ ticker: 'AAPL', asOf: '2024-08-10', reasoning, decision: 'BUY' as const }];
    // #region docs:usage
    const embedder = await createDefaultEmbedder();
    const store = await openEvidenceStore({ uri: join(directory, 'evidence'), embedder });
    await store.add(documents); // { id, tickers, publishedAt, sourceKind, title, text }[]

    const verifier = createVerifier({ store, embedder });
    const report = await verifier.verify({ ticker: 'AAPL', asOf: '2024-08-10', reasoning, decision: 'BUY' });

    report.scores; // { factuality, deduction, consistency, s } — each in [0, 1]
    report.hallucinationRate; // in [0, 1]
    report.claims; // per-claim verdict, support, checks and citations
    const reports = await verifier.verifyBatch(items, { concurrency: 4 }); // one embedding call for all claims
    // #endregion
    expect(report.counts.supported).toBe(report.counts.claims - report.claims.filter((claim) => claim.opinion).length);
    expect(report.scores.factuality).toBeGreaterThan(0.8);
    expect(reports[0]?.scores).toEqual(report.scores);

    const broken = perturb({ reasoning, decision: 'BUY', type: 'number', seed: 7, ticker: 'AAPL' });
    const second = await verifier.verify({
      ticker: 'AAPL',
      asOf: '2024-08-10',
      reasoning: broken?.reasoning ?? '',
      decision: 'BUY',
    });
    expect(second.counts.contradicted).toBe(1);
    await store.close();
    await embedder.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

it('keeps the README code block identical to the tested region', () => {
  const source = readFileSync(join(here, 'readme-example.test.ts'), 'utf8');
  const region = /\/\/ #region docs:usage\n([\s\S]*?)\n\s*\/\/ #endregion/.exec(source)?.[1] ?? '';
  const dedented = region
    .split('\n')
    .map((line) => line.replace(/^ {4}/, ''))
    .join('\n');
  const readme = readFileSync(join(here, '../../README.md'), 'utf8');
  expect(dedented.length).toBeGreaterThan(100);
  expect(readme).toContain(dedented);
});
