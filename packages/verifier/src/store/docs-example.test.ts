/**
 * The code shown in docs/evidence-store.md. Regions between `// #region docs:` markers are copied into the docs
 * verbatim; this test runs them against a real LanceDB table in a temp folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { createCachedEmbedder, createDefaultEmbedder, openEvidenceStore } from '../index.ts';

it('runs the evidence-store quick start', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-docs-'));
  try {
    // #region docs:quick-start
    const embedder = createCachedEmbedder(await createDefaultEmbedder());
    const store = await openEvidenceStore({ uri: join(directory, 'evidence'), embedder });

    await store.add([
      {
        id: 'aapl-2024q1',
        tickers: ['AAPL'],
        publishedAt: '2024-02-01T21:30:00Z',
        sourceKind: 'filing',
        title: 'Apple Q1 FY24 results',
        text: 'Revenue was $119.6 billion, up 2 percent year over year. Services set an all-time record.',
      },
      {
        id: 'aapl-china',
        tickers: ['AAPL'],
        publishedAt: '2024-03-05',
        sourceKind: 'news',
        title: 'iPhone sales in China slump',
        text: 'iPhone shipments in China fell 24 percent in the first six weeks of the year.',
      },
    ]);

    // Only evidence published on or before the decision time can come back.
    const hits = await store.search({ query: 'iPhone demand in China', tickers: ['AAPL'], asOf: '2024-03-01', k: 5 });
    // hits[0].documentId === 'aapl-2024q1'; the March article is invisible on 1 March.

    await store.close();
    await embedder.close();
    // #endregion docs:quick-start
    expect(hits.map((hit) => hit.documentId)).toEqual(['aapl-2024q1']);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

it('shows the quick-start region verbatim in docs/evidence-store.md', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const region = /\/\/ #region docs:quick-start\n([\s\S]*?)\n\s*\/\/ #endregion docs:quick-start/.exec(source)?.[1];
  expect(region).toBeDefined();
  const lines = (region as string).split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)?.[0].length ?? 0));
  const dedented = lines.map((line) => line.slice(indent)).join('\n');
  const docs = readFileSync(join(here, '..', '..', 'docs', 'evidence-store.md'), 'utf8');
  expect(docs).toContain(dedented);
});
