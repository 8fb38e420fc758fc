import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder, type DefaultEmbedder } from '../embedders/static/default-embedder.ts';
import type { Embedder } from '../embedders/types.ts';
import { openEvidenceStore } from './evidence-store.ts';
import type { EvidenceStore, IngestProgressEvent } from './types.ts';

let directory: string;
let embedder: DefaultEmbedder;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'trade-r1-store-'));
  embedder = await createDefaultEmbedder();
});
afterAll(async () => {
  await embedder.close();
  rmSync(directory, { recursive: true, force: true });
});

let tableCounter = 0;
async function openFresh(options: { chunking?: { size?: number; overlap?: number } } = {}): Promise<EvidenceStore> {
  tableCounter += 1;
  return openEvidenceStore({ uri: directory, tableName: `t${tableCounter}`, embedder, ...options });
}

const documents = [
  {
    id: 'aapl-q1',
    tickers: ['AAPL'],
    publishedAt: '2024-02-01T21:30:00Z',
    sourceKind: 'filing' as const,
    title: 'Apple first quarter results',
    text: 'Apple reported quarterly revenue of $119.6 billion, up 2 percent year over year. iPhone sales grew 6 percent. Services revenue reached an all-time record.',
    url: 'https://example.com/aapl-q1',
  },
  {
    id: 'aapl-china',
    tickers: ['AAPL'],
    publishedAt: '2024-03-05',
    sourceKind: 'news' as const,
    title: 'iPhone shipments in China slump',
    text: 'Apple iPhone shipments in China fell 24 percent in the first six weeks of the year as competition from Huawei intensified.',
  },
  {
    id: 'msft-cloud',
    tickers: ['MSFT'],
    publishedAt: '2024-01-30',
    sourceKind: 'news' as const,
    title: 'Microsoft cloud growth',
    text: 'Microsoft Azure revenue grew 30 percent as demand for artificial intelligence services accelerated.',
  },
  {
    id: 'fed-march',
    tickers: [],
    publishedAt: '2024-03-20T18:00:00Z',
    sourceKind: 'macro' as const,
    title: 'Fed holds rates',
    text: 'The Federal Reserve kept interest rates unchanged and signalled three cuts later in the year.',
  },
];

function doc(index: number): (typeof documents)[number] {
  const document = documents[index];
  if (!document) throw new Error(`no fixture document ${index}`);
  return document;
}

describe('openEvidenceStore', () => {
  it('adds documents idempotently and replaces changed documents, deleting surplus chunks', async () => {
    const store = await openFresh({ chunking: { size: 80, overlap: 0 } });
    const events: IngestProgressEvent[] = [];
    const first = await store.add(documents, { onProgress: (event) => events.push(event) });
    expect(first).toMatchObject({ documents: 4, insertedDocuments: 4, updatedDocuments: 0, unchangedDocuments: 0 });
    const rows = await store.count();
    expect(rows).toBe(first.chunksInserted);
    expect(rows).toBeGreaterThan(4);
    expect(events[0]).toMatchObject({ type: 'planned', documents: 4, chunks: rows });
    expect(events.some((event) => event.type === 'embedded' && event.chunksEmbedded === rows)).toBe(true);
    expect(events.some((event) => event.type === 'written' && event.chunksWritten === rows)).toBe(true);
    expect(events.some((event) => event.type === 'indexed' && event.column === 'text')).toBe(true);

    const again = await store.add(documents);
    expect(again).toMatchObject({ unchangedDocuments: 4, chunksInserted: 0, chunksUpdated: 0 });
    expect(await store.count()).toBe(rows);

    const longBefore = (
      await store.search({ query: 'Apple', documentIds: ['aapl-q1'], asOf: '2025-01-01', k: 50, mode: 'vector' })
    ).length;
    expect(longBefore).toBeGreaterThan(1);
    const shortened = { ...doc(0), text: 'Apple revenue was flat.' };
    const update = await store.add([shortened]);
    expect(update.updatedDocuments).toBe(1);
    expect(update.chunksUpdated).toBe(1);
    expect(update.chunksDeleted).toBe(longBefore - 1);
    const after = await store.search({ query: 'Apple revenue', documentIds: ['aapl-q1'], asOf: '2025-01-01', k: 50 });
    expect(after.map((hit) => hit.chunkId)).toEqual(['aapl-q1#0']);
    expect(after[0]?.text).toBe('Apple revenue was flat.');
    await store.close();
    await store.close();
    await expect(store.count()).rejects.toSatisfy((error) => isTradeR1Error(error, 'CLOSED'));
  });

  it('keeps chunk spans, metadata and document fields in hits', async () => {
    const store = await openFresh({ chunking: { size: 60, overlap: 20 } });
    const document = { ...doc(0), metadata: { form: '10-Q' } };
    await store.add([document]);
    const hits = await store.search({ query: 'iPhone sales', asOf: '2024-12-31', k: 10, includeVectors: true });
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) {
      expect(document.text.slice(hit.charStart, hit.charEnd)).toBe(hit.text);
      expect(hit).toMatchObject({
        documentId: 'aapl-q1',
        tickers: ['AAPL'],
        publishedAt: '2024-02-01T21:30:00.000Z',
        sourceKind: 'filing',
        title: 'Apple first quarter results',
        url: 'https://example.com/aapl-q1',
        metadata: { form: '10-Q' },
      });
      expect(hit.vector?.length).toBe(100);
    }
    await store.close();
  });

  it('searches by vector, text and hybrid with relevant results first', async () => {
    const store = await openFresh();
    await store.add(documents);
    const asOf = '2024-12-31';
    const vector = await store.search({ query: 'smartphone demand in China dropped', asOf, mode: 'vector', k: 4 });
    expect(vector[0]?.documentId).toBe('aapl-china');
    expect(vector[0]?.vectorScore).toBeCloseTo(vector[0]?.score ?? Number.NaN, 10);
    const text = await store.search({ query: 'Azure', asOf, mode: 'text', k: 4 });
    expect(text.map((hit) => hit.documentId)).toEqual(['msft-cloud']);
    expect(text[0]?.textScore).toBeGreaterThan(0);
    const hybrid = await store.search({ query: 'interest rates Federal Reserve', asOf, k: 2 });
    expect(hybrid[0]?.documentId).toBe('fed-march');
    expect(hybrid[0]?.score).toBeCloseTo(2 / 61, 10);
    const [queryVector] = await embedder.embed(['Huawei competition hurts iPhone']);
    const byVector = await store.search({ vector: queryVector as Float32Array, asOf, k: 1 });
    expect(byVector[0]?.documentId).toBe('aapl-china');
    await store.close();
  });

  it('pre-filters by asOf and tickers before ranking', async () => {
    const store = await openFresh();
    await store.add(documents);
    const beforeChina = await store.search({ query: 'iPhone shipments China', asOf: '2024-03-04', k: 10 });
    expect(beforeChina.map((hit) => hit.documentId)).not.toContain('aapl-china');
    expect(beforeChina.every((hit) => hit.publishedAt <= '2024-03-04T23:59:59.999Z')).toBe(true);
    // A date-only article could have appeared after the close: it is public at the end of its day in New York
    // (AAPL's exchange), 05:00 UTC the next morning in March, so not as of the end of the UTC day 2024-03-05.
    const sameDay = await store.search({ query: 'iPhone shipments China', asOf: '2024-03-05', k: 10, mode: 'text' });
    expect(sameDay.map((hit) => hit.documentId)).not.toContain('aapl-china');
    const nextDay = await store.search({ query: 'iPhone shipments China', asOf: '2024-03-06', k: 1, mode: 'text' });
    expect(nextDay[0]).toMatchObject({ documentId: 'aapl-china', publishedAt: '2024-03-06T04:59:59.999Z' });
    const msft = await store.search({ query: 'revenue growth', tickers: ['msft'], asOf: '2024-12-31', k: 10 });
    expect(msft.map((hit) => hit.documentId)).toEqual(['msft-cloud']);
    expect(await store.count({ asOf: '2024-02-01' })).toBe(2);
    expect(await store.count({ asOf: '2024-02-01T12:00:00Z' })).toBe(1);
    expect(await store.count({ tickers: ['AAPL'] })).toBe(2);
    const none = await store.search({ query: 'Apple', asOf: '2000-01-01', k: 5 });
    expect(none).toEqual([]);
    await expect(store.search({ query: 'x', tickers: ["A' OR 1=1 --"], asOf: '2024-12-31' })).rejects.toSatisfy(
      (error) => isTradeR1Error(error, 'INVALID_INPUT'),
    );
    await store.close();
  });

  it('never returns a document published after asOf, whatever the query and mode (property)', async () => {
    const store = await openFresh({ chunking: { size: 200, overlap: 0 } });
    const words = [
      'apple',
      'revenue',
      'iphone',
      'china',
      'rates',
      'fed',
      'cloud',
      'azure',
      'oil',
      'growth',
      'loss',
      'guidance',
    ];
    const corpus = Array.from({ length: 60 }, (_, index) => ({
      id: `doc-${index}`,
      tickers: [index % 3 === 0 ? 'AAPL' : index % 3 === 1 ? 'MSFT' : 'XOM'],
      publishedAt: new Date(Date.UTC(2024, 0, 1) + index * 86_400_000 * 3).toISOString(),
      sourceKind: 'news' as const,
      title: `Item ${index}`,
      text: `${words[index % words.length]} ${words[(index * 7) % words.length]} update number ${index}. ${words[(index * 5) % words.length]} outlook.`,
    }));
    await store.add(corpus);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: -5, max: 200 }),
        fc.subarray(words, { minLength: 1, maxLength: 3 }),
        fc.constantFrom('vector' as const, 'text' as const, 'hybrid' as const),
        fc.option(fc.subarray(['AAPL', 'MSFT', 'XOM'], { minLength: 1 }), { nil: undefined }),
        fc.integer({ min: 1, max: 30 }),
        async (day, queryWords, mode, tickers, k) => {
          const asOf = new Date(Date.UTC(2024, 0, 1) + day * 86_400_000).toISOString();
          const hits = await store.search({
            query: queryWords.join(' '),
            asOf,
            mode,
            k,
            ...(tickers ? { tickers } : {}),
          });
          for (const hit of hits) {
            expect(Date.parse(hit.publishedAt)).toBeLessThanOrEqual(Date.parse(asOf));
            if (tickers) expect(hit.tickers.some((ticker) => tickers.includes(ticker))).toBe(true);
          }
          // Pre-filtering: future documents never crowd out admissible ones.
          const admissible = corpus.filter(
            (document) =>
              Date.parse(document.publishedAt) <= Date.parse(asOf) &&
              (!tickers || document.tickers.some((ticker) => tickers.includes(ticker))),
          ).length;
          if (mode === 'vector') expect(hits.length).toBe(Math.min(k, admissible));
        },
      ),
      { seed: 20240105, numRuns: 60 },
    );
    await store.close();
  });

  it('rejects a whole invalid batch with typed errors without touching the table', async () => {
    const store = await openFresh();
    await store.add(documents.slice(0, 2));
    const before = await store.count();
    const snapshot = await store.search({ query: 'Apple', asOf: '2025-01-01', k: 20, mode: 'text' });
    const cases: unknown[][] = [
      [doc(2), { ...doc(3), text: '   ' }],
      [doc(2), { ...doc(3), publishedAt: undefined }],
      [{ ...doc(2), publishedAt: '2024-02-30' }],
      [{ ...doc(2), tickers: 'MSFT' }],
      [doc(2), { ...doc(2) }],
      [
        { ...doc(0), text: 'Changed text.' },
        { ...doc(3), sourceKind: 'rumour' },
      ],
    ];
    for (const batch of cases) {
      await expect(store.add(batch as never)).rejects.toSatisfy((error) => isTradeR1Error(error, 'INVALID_DOCUMENT'));
    }
    await expect(store.add('nope' as never)).rejects.toSatisfy((error) => isTradeR1Error(error, 'INVALID_INPUT'));
    expect(await store.count()).toBe(before);
    const unchanged = await store.search({ query: 'Apple', asOf: '2025-01-01', k: 20, mode: 'text' });
    expect(unchanged.map((hit) => [hit.chunkId, hit.text])).toEqual(snapshot.map((hit) => [hit.chunkId, hit.text]));
    await store.close();
  });

  it('refuses an embedder with another dimension or model, and a bad embedder output, without writing', async () => {
    tableCounter += 1;
    const tableName = `t${tableCounter}`;
    const store = await openEvidenceStore({ uri: directory, tableName, embedder });
    await store.add(documents.slice(0, 1));
    const rows = await store.count();
    await store.close();

    const wrongDimension: Embedder = {
      modelId: embedder.modelId,
      dimension: 8,
      embed: async (texts) => texts.map(() => new Float32Array(8).fill(1 / Math.sqrt(8))),
      close: async () => {},
    };
    await expect(openEvidenceStore({ uri: directory, tableName, embedder: wrongDimension })).rejects.toSatisfy(
      (error) => isTradeR1Error(error, 'DIMENSION_MISMATCH'),
    );
    const otherModel: Embedder = { ...wrongDimension, modelId: 'someone/else@1', dimension: 100 };
    await expect(openEvidenceStore({ uri: directory, tableName, embedder: otherModel })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'MODEL_MISMATCH'),
    );
    // An embedder that lies about its dimension is caught before anything is written.
    const lying: Embedder = {
      modelId: embedder.modelId,
      dimension: 100,
      embed: async (texts) => texts.map(() => new Float32Array(99)),
      close: async () => {},
    };
    const reopened = await openEvidenceStore({ uri: directory, tableName, embedder: lying });
    await expect(reopened.add(documents.slice(1, 3))).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'DIMENSION_MISMATCH'),
    );
    expect(await reopened.count()).toBe(rows);
    await expect(reopened.search({ vector: new Float32Array(3), asOf: '2024-12-31' })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'DIMENSION_MISMATCH'),
    );
    await reopened.close();
  });

  it('validates options and requests with typed errors', async () => {
    await expect(openEvidenceStore({ uri: directory, tableName: 'bad name!', embedder })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'INVALID_CONFIG'),
    );
    await expect(
      openEvidenceStore({ uri: directory, embedder, chunking: { size: 100, overlap: 100 } }),
    ).rejects.toSatisfy((error) => isTradeR1Error(error, 'INVALID_CONFIG'));
    const store = await openFresh();
    await expect(store.search({ query: 'x', asOf: 'yesterday' })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'INVALID_INPUT'),
    );
    await expect(store.search({ asOf: '2024-01-01' } as never)).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'INVALID_INPUT'),
    );
    await expect(store.search({ query: 'x', asOf: '2024-01-01', k: 0 })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'INVALID_INPUT'),
    );
    expect(await store.search({ query: 'anything', asOf: '2024-01-01' })).toEqual([]);
    await store.close();
  });

  it('reports a table version that changes with every write and only then', async () => {
    const store = await openFresh();
    const empty = await store.version();
    expect(Number.isInteger(empty)).toBe(true);
    await store.add([doc(0), doc(1)]);
    const afterAdd = await store.version();
    expect(afterAdd).toBeGreaterThan(empty);
    // Identical content: nothing is written, the version stays.
    const again = await store.add([doc(0), doc(1)]);
    expect(again.unchangedDocuments).toBe(2);
    expect(await store.version()).toBe(afterAdd);
    // A changed document is a write.
    await store.add([{ ...doc(1), text: `${doc(1).text} Analysts cut their forecasts.` }]);
    const afterChange = await store.version();
    expect(afterChange).toBeGreaterThan(afterAdd);
    // A new document is a write.
    await store.add([doc(2)]);
    const afterNew = await store.version();
    expect(afterNew).toBeGreaterThan(afterChange);
    // Deleting a stored document is a write.
    await store.deleteDocuments(['aapl-q1']);
    const afterDelete = await store.version();
    expect(afterDelete).toBeGreaterThan(afterNew);
    await store.optimize();
    expect(await store.version()).toBeGreaterThanOrEqual(afterDelete);
    // A second handle on the same table sees the first one's commits.
    const other = await openEvidenceStore({ uri: directory, tableName: store.tableName, embedder });
    expect(await other.version()).toBe(await store.version());
    await other.add([doc(3)]);
    expect(await store.version()).toBe(await other.version());
    await other.close();
    await store.close();
    await expect(store.version()).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('deletes documents, lists indexes and optimizes', async () => {
    const store = await openFresh();
    await store.add(documents);
    const indexes = await store.listIndexes();
    expect(indexes.map((index) => index.columns[0]).sort()).toEqual(
      ['chunk_id', 'document_id', 'published_at', 'source_kind', 'text', 'tickers'].sort(),
    );
    expect(indexes.find((index) => index.columns[0] === 'tickers')?.type).toBe('LabelList');
    expect(indexes.find((index) => index.columns[0] === 'published_at')?.type).toBe('BTree');
    const deleted = await store.deleteDocuments(['fed-march', "quote'id"]);
    expect(deleted).toBeGreaterThan(0);
    await store.add([{ ...doc(3), id: "quote'id" }]);
    await store.optimize();
    const hits = await store.search({ query: 'Federal Reserve', asOf: '2024-12-31', mode: 'text', k: 5 });
    expect(hits.map((hit) => hit.documentId)).toEqual(["quote'id"]);
    await store.close();
  });

  it('builds the vector index at minRows and keeps pre-filtering with it', async () => {
    tableCounter += 1;
    const store = await openEvidenceStore({
      uri: directory,
      tableName: `t${tableCounter}`,
      embedder,
      vectorIndex: { minRows: 256 },
    });
    const words = ['apple revenue', 'oil prices', 'bank rates', 'chip demand', 'retail sales', 'drug approval'];
    const corpus = Array.from({ length: 320 }, (_, index) => ({
      id: `v-${index}`,
      tickers: [index % 2 === 0 ? 'AAPL' : 'XOM'],
      publishedAt: new Date(Date.UTC(2020, 0, 1) + index * 86_400_000).toISOString(),
      sourceKind: 'news' as const,
      title: '',
      text: `${words[index % words.length]} update ${index}: ${words[(index * 5) % words.length]} moved.`,
    }));
    const events: IngestProgressEvent[] = [];
    await store.add(corpus, { onProgress: (event) => events.push(event) });
    expect(events.some((event) => event.type === 'indexed' && event.column === 'vector')).toBe(true);
    expect((await store.listIndexes()).find((index) => index.columns[0] === 'vector')?.type).toBe('IvfFlat');
    const asOf = '2020-06-01';
    for (const mode of ['vector', 'hybrid'] as const) {
      const hits = await store.search({ query: 'oil prices', tickers: ['XOM'], asOf, k: 20, mode });
      expect(hits.length).toBeGreaterThan(0);
      for (const hit of hits) {
        expect(hit.publishedAt <= '2020-06-01T23:59:59.999Z').toBe(true);
        expect(hit.tickers).toEqual(['XOM']);
      }
    }
    // Rows added after the index was built are found too (exact search over unindexed rows).
    await store.add([{ ...doc(2), publishedAt: '2020-02-01' }]);
    const late = await store.search({ query: 'Azure artificial intelligence', asOf, k: 3, mode: 'vector' });
    expect(late[0]?.documentId).toBe('msft-cloud');
    await store.optimize();
    const afterOptimize = await store.search({ query: 'Azure artificial intelligence', asOf, k: 3, mode: 'vector' });
    expect(afterOptimize[0]?.documentId).toBe('msft-cloud');
    await store.close();
  });

  it.each([
    ['ivf_hnsw_sq', 'IvfHnswSq'],
    ['ivf_pq', 'IvfPq'],
  ] as const)('builds a %s vector index on request and pre-filters with it', async (type, indexType) => {
    tableCounter += 1;
    const store = await openEvidenceStore({
      uri: directory,
      tableName: `t${tableCounter}`,
      embedder,
      vectorIndex: { minRows: 256, type, numPartitions: 2, nprobes: 2, ef: 40, refineFactor: 2 },
    });
    const corpus = Array.from({ length: 300 }, (_, index) => ({
      id: `w-${index}`,
      tickers: [index % 3 === 0 ? 'MSFT' : 'NVDA'],
      publishedAt: new Date(Date.UTC(2021, 0, 1) + index * 86_400_000).toISOString(),
      sourceKind: 'news' as const,
      title: '',
      text: `${index % 2 === 0 ? 'cloud revenue' : 'chip supply'} note ${index}: demand ${index % 5 === 0 ? 'rose' : 'fell'}.`,
    }));
    await store.add(corpus);
    expect((await store.listIndexes()).find((index) => index.columns[0] === 'vector')?.type).toBe(indexType);
    const hits = await store.search({ query: 'cloud revenue', tickers: ['MSFT'], asOf: '2021-05-01', k: 15 });
    expect(hits.length).toBe(15);
    for (const hit of hits) {
      expect(hit.publishedAt <= '2021-05-01T23:59:59.999Z').toBe(true);
      expect(hit.tickers).toEqual(['MSFT']);
    }
    await store.close();
  });

  it('stops an ingest when its signal fires, writing nothing after the abort', async () => {
    const store = await openFresh();
    const controller = new AbortController();
    controller.abort();
    await expect(store.add(documents, { signal: controller.signal })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'ABORTED'),
    );
    expect(await store.count()).toBe(0);
    const midway = new AbortController();
    const many = Array.from({ length: 40 }, (_, index) => ({ ...doc(index % 4), id: `m-${index}` }));
    await expect(
      store.add(many, {
        batchSize: 4,
        embedBatchSize: 4,
        signal: midway.signal,
        onProgress: (event) => {
          if (event.type === 'written') midway.abort();
        },
      }),
    ).rejects.toSatisfy((error) => isTradeR1Error(error, 'ABORTED'));
    const written = await store.count();
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(40);
    // Each committed batch holds whole documents: every stored document has all its chunks.
    const hits = await store.search({ query: 'revenue', asOf: '2030-01-01', k: 1000, mode: 'vector' });
    const byDocument = new Map<string, number[]>();
    for (const hit of hits) byDocument.set(hit.documentId, [...(byDocument.get(hit.documentId) ?? []), hit.chunkIndex]);
    for (const indices of byDocument.values()) expect(indices.sort((a, b) => a - b)).toEqual(indices.map((_, i) => i));
    await store.close();
  });

  it('accepts any LanceDB URI, e.g. an in-memory database', async () => {
    const store = await openEvidenceStore({ uri: 'memory://trade-r1-store-test', embedder });
    await store.add([doc(2)]);
    const hits = await store.search({ query: 'Azure revenue', asOf: '2024-02-01', k: 1 });
    expect(hits[0]?.documentId).toBe('msft-cloud');
    await store.close();
  });
});
