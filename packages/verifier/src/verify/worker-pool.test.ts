import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchCorpus, benchReasoning } from '../../bench/verify-corpus.ts';
import { createDefaultEmbedder, type DefaultEmbedder } from '../embedders/static/default-embedder.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import { createMemoryIndex } from '../store/memory-index.ts';
import type { EvidenceStore } from '../store/types.ts';
import { createVerifier } from './verifier.ts';
import { createVerifierPool, type VerifierPool, type VerifierPoolProgress } from './worker-pool.ts';

let directory: string;
let embedder: DefaultEmbedder;
let store: EvidenceStore;
let pool: VerifierPool;
const corpus = benchCorpus(7);
const tickers = corpus.tickers.slice(0, 8);
const rng = createRng(99);
const items = Array.from({ length: 40 }, (_, index) =>
  benchReasoning(rng, corpus.byTicker, tickers[index % tickers.length] as string, '2024-12-31', index),
);

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'trade-r1-verifier-pool-'));
  embedder = await createDefaultEmbedder();
  store = await openEvidenceStore({ uri: directory, embedder });
  await store.add(corpus.documents.filter((document) => tickers.includes(document.tickers?.[0] ?? '')));
  pool = await createVerifierPool({
    storeUri: directory,
    workers: 2,
    verifierOptions: { k: 5 },
    chunkSize: 4,
    affinity: 'none',
  });
}, 120_000);
afterAll(async () => {
  await pool?.close();
  await store?.close();
  await embedder?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('createVerifierPool', () => {
  it('returns the reports a single verifier gives, in input order, with progress per chunk', async () => {
    const progress: VerifierPoolProgress[] = [];
    const reports = await pool.verifyBatch(items, { onProgress: (event) => progress.push(event) });
    const local = await createVerifier({ store, embedder, options: { k: 5 } }).verifyBatch(items);
    expect(reports).toEqual(local);
    expect(pool.workers).toBe(2);
    expect(progress).toHaveLength(10);
    expect(progress.map((event) => event.done)).toEqual([4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
    expect(progress.every((event) => event.total === 40)).toBe(true);
    expect(await pool.verifyBatch([])).toEqual([]);
  }, 60_000);

  it('answers from a memory index in each worker with the same reports', async () => {
    const indexed = await createVerifierPool({
      storeUri: directory,
      workers: 2,
      verifierOptions: { k: 5, retrieval: 'vector' },
      memoryIndex: { tickers },
    });
    try {
      const local = await createVerifier({ store, embedder, options: { k: 5, retrieval: 'vector' } }).verifyBatch(
        items.slice(0, 12),
      );
      expect(await indexed.verifyBatch(items.slice(0, 12))).toEqual(local);
    } finally {
      await indexed.close();
    }
  }, 60_000);

  it('is deterministic: equal to sequential verify() calls for any worker count and chunk size, with analysed evidence', async () => {
    const subset = items.slice(0, 16);
    const index = await createMemoryIndex({ store, tickers });
    const sequential = [];
    const verifier = createVerifier({ store: index, embedder, options: { k: 5 } });
    for (const item of subset) sequential.push(await verifier.verify(item));
    index.close();
    for (const [workers, chunkSize, analyse] of [
      [1, 16, false],
      [2, 3, true],
    ] as const) {
      const indexed = await createVerifierPool({
        storeUri: directory,
        workers,
        chunkSize,
        verifierOptions: { k: 5 },
        memoryIndex: { tickers, analyse },
      });
      try {
        expect(indexed.startup).toHaveLength(workers);
        for (const startup of indexed.startup) {
          expect(startup.chunks).toBe(tickers.length * 20);
          expect(startup.analysed).toBe(analyse ? startup.chunks : 0);
          expect(startup.notAnalysed).toBe(0);
        }
        const progress: number[] = [];
        const reports = await indexed.verifyBatch(subset, { onProgress: ({ done }) => progress.push(done) });
        expect(reports).toEqual(sequential);
        expect(progress.at(-1)).toBe(subset.length);
        expect(progress).toEqual([...progress].sort((left, right) => left - right));
        // The same call again gives the same reports (caches warm).
        expect(await indexed.verifyBatch(subset)).toEqual(sequential);
      } finally {
        await indexed.close();
      }
    }
  }, 90_000);

  it('workers’ memory indexes see evidence written to the store after they started', async () => {
    const tableName = 'pool-late';
    const writer = await openEvidenceStore({ uri: directory, tableName, embedder });
    await writer.add(corpus.documents.filter((document) => document.tickers?.[0] === tickers[0]));
    const indexed = await createVerifierPool({
      storeUri: directory,
      tableName,
      workers: 2,
      chunkSize: 1,
      verifierOptions: { k: 5, retrieval: 'vector' },
      memoryIndex: { tickers: [tickers[0] as string] },
    });
    try {
      const claim = `${tickers[0]} said wearables revenue collapsed 47% in December.`;
      const item = {
        ticker: tickers[0] as string,
        asOf: '2024-12-31',
        decision: 'SELL' as const,
        reasoning: `${claim} [[SELL]]`,
      };
      const before = await indexed.verifyBatch([item, item]);
      expect(before.map((report) => report.claims[0]?.verdict)).not.toContain('supported');
      await writer.add([
        {
          id: 'late-1',
          tickers: [tickers[0] as string],
          publishedAt: '2024-12-30T12:00:00Z',
          sourceKind: 'news',
          title: 'Late news',
          text: claim,
        },
      ]);
      // Both workers answer from their own index, each reloaded at the new version: the same report as LanceDB's.
      const after = await indexed.verifyBatch([item, item]);
      const direct = await createVerifier({ store: writer, embedder, options: { k: 5, retrieval: 'vector' } }).verify(
        item,
      );
      expect(after).toEqual([direct, direct]);
      expect(direct.claims[0]?.verdict).toBe('supported');
    } finally {
      await indexed.close();
      await writer.close();
    }
  }, 60_000);

  it('rejects invalid items before any work, misspelled options, aborted and closed calls', async () => {
    const bad = [...items.slice(0, 3), { ticker: 'AAPL', asOf: 'not a date', reasoning: 'x', decision: 'BUY' }];
    await expect(pool.verifyBatch(bad as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(pool.verifyBatch(undefined as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(pool.verifyBatch(items, { onProgres: () => {} } as never)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(createVerifierPool({ storeUri: directory, worker: 2 } as never)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    await expect(
      createVerifierPool({ storeUri: directory, verifierOptions: { kk: 5 } } as never),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(createVerifierPool({ storeUri: directory, affinity: 'tickers' } as never)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
    for (const memoryIndex of [
      { tickers, analyze: true },
      { tickers, maxStalenessMs: -1 },
      { tickers, analyse: 'yes' },
    ]) {
      await expect(createVerifierPool({ storeUri: directory, memoryIndex } as never)).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
      });
    }
    await expect(createVerifierPool(undefined as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    // A worker's startup failure reaches the caller typed.
    await expect(
      createVerifierPool({ storeUri: directory, tableName: 'no such table!', workers: 1 }),
    ).rejects.toMatchObject({ code: 'INVALID_CONFIG' });

    const controller = new AbortController();
    const call = pool.verifyBatch([...items, ...items], {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(call).rejects.toMatchObject({ code: 'ABORTED' });
    // The pool still works after an aborted call.
    expect(await pool.verifyBatch(items.slice(0, 2))).toHaveLength(2);

    const closing = await createVerifierPool({ storeUri: directory, workers: 1 });
    await closing.close();
    await closing.close();
    await expect(closing.verifyBatch(items.slice(0, 1))).rejects.toMatchObject({ code: 'CLOSED' });
  }, 90_000);
});
