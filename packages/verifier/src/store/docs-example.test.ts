/**
 * The code shown in docs/evidence-store.md. Regions between `// #region docs:` markers are copied into the docs
 * verbatim; this test runs them against a real LanceDB table in a temp folder.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import {
  createCachedEmbedder,
  createDefaultEmbedder,
  createMemoryIndex,
  createVerifier,
  createVerifierPool,
  openEvidenceStore,
} from '../index.ts';

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

it('runs the memory-index and worker-pool examples', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-docs-'));
  try {
    const uri = join(directory, 'evidence');
    const embedder = await createDefaultEmbedder();
    const store = await openEvidenceStore({ uri, embedder });
    await store.add([
      {
        id: 'aapl-2024q1',
        tickers: ['AAPL'],
        publishedAt: '2024-02-01T21:30:00Z',
        sourceKind: 'filing',
        title: 'Apple Q1 FY24 results',
        text: 'Revenue was $119.6 billion, up 2 percent year over year. Services set an all-time record.',
      },
    ]);
    const item = {
      ticker: 'AAPL',
      asOf: '2024-03-01',
      decision: 'BUY' as const,
      reasoning: 'Revenue was $119.6 billion, up 2 percent year over year. [[BUY]]',
    };
    const items = [item];
    // #region docs:memory-index
    // Hot tickers' chunks in memory (vectors and BM25 terms) at the store's current version; other tickers and
    // requests without a ticker filter still go to LanceDB. The verifier takes it in place of the store.
    const index = await createMemoryIndex({ store, tickers: ['AAPL', 'MSFT'], sourceKinds: ['macro'], embedder });
    const verifier = createVerifier({ store: index, embedder, options: { k: 5 } });
    const report = await verifier.verify(item);
    index.stats(); // { version, chunks, memorySearches, storeSearches, loads, … }

    // verifyBatch across worker threads, each with its own handle on the same on-disk store.
    const pool = await createVerifierPool({ storeUri: uri, workers: 2, verifierOptions: { k: 5 } });
    const progress: string[] = [];
    const reports = await pool.verifyBatch(items, {
      onProgress: ({ done, total }) => progress.push(`${done}/${total}`),
    });
    await pool.close();
    // #endregion docs:memory-index
    expect(report.claims[0]?.verdict).toBe('supported');
    expect(reports).toEqual([report]);
    expect(progress).toEqual(['1/1']);
    expect(index.stats().memorySearches).toBeGreaterThan(0);
    index.close();
    await store.close();
    await embedder.close();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}, 60_000);

it.each(['quick-start', 'memory-index'])('shows the %s region verbatim in docs/evidence-store.md', (name) => {
  const here = dirname(fileURLToPath(import.meta.url));
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  const region = new RegExp(`// #region docs:${name}\\n([\\s\\S]*?)\\n\\s*// #endregion docs:${name}`).exec(
    source,
  )?.[1];
  expect(region).toBeDefined();
  const lines = (region as string).split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim()).map((line) => /^ */.exec(line)?.[0].length ?? 0));
  const dedented = lines.map((line) => line.slice(indent)).join('\n');
  const docs = readFileSync(join(here, '..', '..', 'docs', 'evidence-store.md'), 'utf8');
  expect(docs).toContain(dedented);
});
