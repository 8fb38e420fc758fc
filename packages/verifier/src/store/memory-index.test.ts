import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EvidenceDocumentInput, isTradeR1Error, type SourceKind, toInstant } from '@trade-r1/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder, type DefaultEmbedder } from '../embedders/static/default-embedder.ts';
import { createVerifier } from '../verify/verifier.ts';
import { openEvidenceStore } from './evidence-store.ts';
import { createMemoryIndex, type MemoryIndex } from './memory-index.ts';
import type { EvidenceStore, SearchHit, SearchRequest } from './types.ts';

const TICKERS = ['AAPL', 'MSFT', 'NVDA', 'TSLA'];
const KINDS: SourceKind[] = ['filing', 'news', 'analyst'];
const WORDS = [
  'revenue grew',
  'gross margin',
  'iPhone demand',
  'data center sales',
  'cloud growth slowed',
  'deliveries fell',
  'price target raised',
  'guidance cut',
  'operating profit rose',
  'buyback',
  'China shipments slumped',
  'record services revenue',
];

function corpus(): EvidenceDocumentInput[] {
  const documents: EvidenceDocumentInput[] = [];
  for (const [t, ticker] of TICKERS.entries()) {
    for (let index = 0; index < 15; index += 1) {
      const month = 1 + ((index * 5 + t) % 12);
      const day = 1 + ((index * 7 + t * 3) % 27);
      const first = WORDS[(index + t) % WORDS.length] as string;
      const second = WORDS[(index * 3 + t) % WORDS.length] as string;
      documents.push({
        id: `${ticker}-${index}`,
        tickers: index % 5 === 4 ? [ticker, TICKERS[(t + 1) % TICKERS.length] as string] : [ticker],
        publishedAt: `2024-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T${String(10 + (index % 10)).padStart(2, '0')}:30:00Z`,
        sourceKind: KINDS[index % KINDS.length] as SourceKind,
        title: `${ticker} update ${index}`,
        text: `${ticker} said ${first} ${index + 2}% in quarter ${1 + (index % 4)}. Analysts noted ${second} of $${(index * 1.7 + t).toFixed(1)} billion.`,
      });
    }
  }
  for (let index = 0; index < 6; index += 1) {
    documents.push({
      id: `macro-${index}`,
      tickers: [],
      publishedAt: `2024-${String(1 + index * 2).padStart(2, '0')}-15T18:00:00Z`,
      sourceKind: 'macro',
      title: `Fed decision ${index}`,
      text: `The Federal Reserve held rates at ${(5.25 + index / 4).toFixed(2)}% as inflation ${index % 2 ? 'cooled' : 'stayed firm'}.`,
    });
  }
  return documents;
}

let directory: string;
let embedder: DefaultEmbedder;
let store: EvidenceStore;
let index: MemoryIndex;
let documents: EvidenceDocumentInput[];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'trade-r1-memory-index-'));
  embedder = await createDefaultEmbedder();
  store = await openEvidenceStore({ uri: directory, embedder });
  documents = corpus();
  await store.add(documents);
  index = await createMemoryIndex({ store, tickers: TICKERS, sourceKinds: ['macro'], embedder });
});
afterAll(async () => {
  index?.close();
  await store?.close();
  await embedder?.close();
  rmSync(directory, { recursive: true, force: true });
});

const ids = (hits: readonly SearchHit[]): string[] => hits.map((hit) => hit.chunkId);

/** Which chunks the request's filters admit, computed from the documents themselves. */
function admittedIds(request: { tickers?: string[]; sourceKinds?: SourceKind[]; asOf: string }): Set<string> {
  const asOf = toInstant(request.asOf);
  return new Set(
    documents
      .filter(
        (document) =>
          toInstant(document.publishedAt) <= asOf &&
          (!request.tickers?.length || request.tickers.some((ticker) => document.tickers?.includes(ticker))) &&
          (!request.sourceKinds?.length || request.sourceKinds.includes(document.sourceKind as SourceKind)),
      )
      .map((document) => `${document.id}#0`),
  );
}

const requestArbitrary = fc.record({
  tickers: fc.subarray(TICKERS, { minLength: 1, maxLength: 3 }),
  sourceKinds: fc.subarray(KINDS, { maxLength: 2 }),
  asOf: fc
    .integer({ min: 0, max: 400 })
    .map((day) => new Date(Date.UTC(2023, 11, 1) + day * 86_400_000 + (day % 24) * 3_600_000).toISOString()),
  query: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(' ')),
  k: fc.integer({ min: 1, max: 80 }),
});

describe('createMemoryIndex', () => {
  it('loads every chunk of the hot tickers and the whole kinds, at the store version', async () => {
    const stats = index.stats();
    expect(stats.chunks).toBe(documents.length);
    expect(stats.version).toBe(await store.version());
    expect(stats.tickers).toEqual(TICKERS);
    expect(stats.loads).toBe(1);
    // chunks(): the loaded chunks, as a vector search returns them (without vectors and scores).
    const loaded = index.chunks();
    expect(new Set(ids(loaded))).toEqual(new Set(documents.map((document) => `${document.id}#0`)));
    const [first] = await store.search({
      documentIds: [loaded[0]?.documentId as string],
      asOf: '2030-01-01',
      vector: new Float32Array(embedder.dimension).fill(1),
      mode: 'vector',
      k: 1,
    });
    expect(loaded[0]).toEqual({ ...first, score: 0, vectorScore: undefined });
  });

  it('store.snapshot reads the chunks of tickers or whole kinds, with vectors, at one version', async () => {
    expect(await store.snapshot()).toEqual({ version: await store.version(), chunks: [] });
    const { chunks } = await store.snapshot({ tickers: ['tsla'], sourceKinds: ['macro'] });
    const expected = documents.filter(
      (document) => document.tickers?.includes('TSLA') || document.sourceKind === 'macro',
    );
    expect(new Set(chunks.map((chunk) => chunk.documentId))).toEqual(new Set(expected.map((document) => document.id)));
    expect(chunks.every((chunk) => chunk.vector?.length === embedder.dimension)).toBe(true);
    await expect(store.snapshot({ ticker: ['AAPL'] } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.snapshot({ tickers: ['bad ticker!'] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('admits exactly what the store admits point-in-time, never a later document (property)', async () => {
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (request) => {
        // With k above the corpus size, a vector search returns every admissible chunk.
        const all: SearchRequest = { ...request, mode: 'vector', k: 1000 };
        const [memory, lance] = await Promise.all([index.search(all), store.search(all)]);
        const expected = admittedIds(request);
        expect(new Set(ids(memory))).toEqual(expected);
        expect(new Set(ids(lance))).toEqual(expected);
        for (const mode of ['text', 'hybrid'] as const) {
          const hits = await index.search({ ...request, mode });
          expect(hits.length).toBeLessThanOrEqual(request.k);
          for (const hit of hits) {
            expect(expected.has(hit.chunkId)).toBe(true);
            expect(toInstant(hit.publishedAt)).toBeLessThanOrEqual(toInstant(request.asOf));
          }
        }
      }),
      { seed: 20241203, numRuns: 120 },
    );
    expect(index.stats().storeSearches).toBe(0);
  });

  it('never returns a chunk published after asOf, whatever the process time zone and the asOf offset', async () => {
    const saved = process.env.TZ;
    // asOf written in assorted offsets (and date-only = end of that UTC day); expected instants computed here by
    // hand, independently of the library's parser.
    const offsets = ['Z', '+14:00', '-12:00', '+05:30', '-03:30', '+08:00'];
    const asOfArbitrary = fc
      .record({
        day: fc.integer({ min: 0, max: 400 }),
        minute: fc.integer({ min: 0, max: 1439 }),
        offset: fc.constantFrom(...offsets, 'date-only'),
      })
      .map(({ day, minute, offset }) => {
        const local = new Date(Date.UTC(2023, 11, 1) + day * 86_400_000 + minute * 60_000);
        const stamp = local.toISOString().slice(0, 19);
        if (offset === 'date-only') {
          return { asOf: stamp.slice(0, 10), instant: Date.UTC(2023, 11, 1) + (day + 1) * 86_400_000 - 1 };
        }
        const sign = offset.startsWith('-') ? -1 : 1;
        const minutes = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
        return { asOf: `${stamp}${offset}`, instant: local.getTime() - minutes * 60_000 };
      });
    try {
      // Zones and their January UTC offset in minutes as Date reports it (the process zone really changed).
      for (const [zone, januaryOffset] of [
        ['Pacific/Kiritimati', -840],
        ['America/Los_Angeles', 480],
        ['Asia/Kolkata', -330],
        ['UTC', 0],
      ] as const) {
        process.env.TZ = zone;
        expect(new Date(Date.UTC(2024, 0, 15)).getTimezoneOffset()).toBe(januaryOffset);
        await fc.assert(
          fc.asyncProperty(
            asOfArbitrary,
            fc.subarray(TICKERS, { minLength: 1, maxLength: 4 }),
            fc.constantFrom('vector', 'text', 'hybrid'),
            async ({ asOf, instant }, tickers, mode) => {
              const request: SearchRequest = {
                query: 'revenue grew buyback guidance cut',
                tickers,
                asOf,
                k: 1000,
                mode,
              };
              const hits = await index.search(request);
              for (const hit of hits) expect(Date.parse(hit.publishedAt)).toBeLessThanOrEqual(instant);
              const expected = documents
                .filter(
                  (document) =>
                    Date.parse(document.publishedAt as string) <= instant &&
                    tickers.some((ticker) => document.tickers?.includes(ticker)),
                )
                .map((document) => `${document.id}#0`);
              // A vector search with k above the corpus returns exactly the admissible chunks, as LanceDB does.
              if (mode === 'vector') {
                expect(new Set(ids(hits))).toEqual(new Set(expected));
                expect(new Set(ids(await store.search(request)))).toEqual(new Set(expected));
              }
              // The same instant given as a Date or epoch milliseconds admits the same chunks.
              expect(ids(await index.search({ ...request, asOf: new Date(instant) }))).toEqual(ids(hits));
              expect(ids(await index.search({ ...request, asOf: instant }))).toEqual(ids(hits));
            },
          ),
          { seed: 42, numRuns: 40 },
        );
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('ranks by vector exactly as LanceDB does, and its text and hybrid lists overlap LanceDB’s (property)', async () => {
    let overlap = 0;
    let total = 0;
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (request) => {
        const vector: SearchRequest = { ...request, mode: 'vector', includeVectors: true };
        const [memory, lance] = await Promise.all([index.search(vector), store.search(vector)]);
        expect(ids(memory)).toEqual(ids(lance));
        for (const [position, hit] of memory.entries()) {
          expect(hit.score).toBeCloseTo(lance[position]?.score as number, 5);
          expect(hit).toEqual({ ...lance[position], score: hit.score, vectorScore: hit.vectorScore });
        }
        for (const mode of ['text', 'hybrid'] as const) {
          const [m, l] = await Promise.all([index.search({ ...request, mode }), store.search({ ...request, mode })]);
          expect(m.length).toBe(l.length);
          const lanceIds = new Set(ids(l));
          overlap += ids(m).filter((id) => lanceIds.has(id)).length;
          total += l.length;
        }
      }),
      { seed: 7, numRuns: 80 },
    );
    // BM25 term statistics differ slightly from tantivy's (stemmer, stop list), so top-k lists may differ at the
    // margin; measured overlap on this corpus is recorded by the benchmark.
    expect(overlap / total).toBeGreaterThan(0.9);
  });

  it('answers a hybrid request without a vector with its embedder, as the store does', async () => {
    const request = { query: 'iPhone demand China shipments', tickers: ['aapl'], asOf: '2024-12-31', k: 5 };
    const [memory, lance] = await Promise.all([index.search(request), store.search(request)]);
    expect(ids(memory).length).toBe(5);
    expect(ids(memory).filter((id) => ids(lance).includes(id)).length).toBeGreaterThanOrEqual(4);
  });

  it('hands cold tickers and unfiltered requests to the store', async () => {
    const cold = await createMemoryIndex({ store, tickers: ['AAPL'] });
    const request: SearchRequest = { query: 'data center sales', tickers: ['NVDA'], asOf: '2024-12-31', k: 5 };
    expect(await cold.search(request)).toEqual(await store.search(request));
    const open: SearchRequest = { query: 'rates', asOf: '2024-12-31', k: 3, mode: 'text' };
    expect(await cold.search(open)).toEqual(await store.search(open));
    // A hot ticker but no vector and no embedder: the store embeds.
    const text: SearchRequest = { query: 'iPhone demand', tickers: ['AAPL'], asOf: '2024-12-31', k: 3 };
    expect(await cold.search(text)).toEqual(await store.search(text));
    expect(cold.stats()).toMatchObject({ memorySearches: 0, storeSearches: 3, chunks: 15 + 3 });
    cold.close();
  });

  it('rejects what the store rejects, and misspelled or missing options', async () => {
    const bad = [
      { tickers: ['AAPL'], asOf: 'yesterday', query: 'x' },
      { tickers: ['AAPL'], asOf: '2024-01-01' },
      { tickers: ['AAPL'], asOf: '2024-01-01', query: '   ' },
      { tickers: ['AAPL'], asOf: '2024-01-01', vector: [1, 2, 3], mode: 'vector' },
      { tickers: ['not a ticker!'], asOf: '2024-01-01', query: 'x' },
      { ticker: ['AAPL'], asOf: '2024-01-01', query: 'x' },
      undefined,
    ];
    for (const request of bad) {
      const memory = await index.search(request as unknown as SearchRequest).catch((error: unknown) => error);
      const lance = await store.search(request as unknown as SearchRequest).catch((error: unknown) => error);
      expect(isTradeR1Error(memory) && isTradeR1Error(lance)).toBe(true);
      expect((memory as { code: string }).code).toBe((lance as { code: string }).code);
    }
    for (const options of [
      { store, tickers: ['AAPL'], sourceKind: ['macro'] },
      { store, tickers: 'AAPL' },
      { store: { search: () => [] }, tickers: ['AAPL'] },
      undefined,
    ]) {
      await expect(createMemoryIndex(options as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    }
    const aborted = AbortSignal.abort();
    await expect(
      index.search({ query: 'x', tickers: ['AAPL'], asOf: '2024-12-31', signal: aborted }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('never lets query text act as syntax', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), async (query) => {
        if (query.trim().length === 0) return;
        const hits = await index.search({ query, tickers: ['AAPL'], asOf: '2024-12-31', k: 5 });
        expect(hits.length).toBeLessThanOrEqual(5);
      }),
      { seed: 11, numRuns: 300 },
    );
  });

  it('reloads when the store version moves, and serves the verifier unchanged', async () => {
    const local = await openEvidenceStore({ uri: directory, tableName: 'reload', embedder });
    await local.add(documents.slice(0, 15));
    const hot = await createMemoryIndex({ store: local, tickers: ['AAPL'] });
    // A second handle on the same table (another process's writes look the same), and an index allowed to be stale.
    const writer = await openEvidenceStore({ uri: directory, tableName: 'reload', embedder });
    const lazy = await createMemoryIndex({ store: local, tickers: ['AAPL'], maxStalenessMs: 3_600_000 });
    const late: EvidenceDocumentInput = {
      id: 'AAPL-late',
      tickers: ['AAPL'],
      publishedAt: '2024-12-30T12:00:00Z',
      sourceKind: 'news',
      title: 'Apple late news',
      text: 'Apple said wearables revenue collapsed 40% in December.',
    };
    const request: SearchRequest = {
      query: 'wearables collapsed',
      tickers: ['AAPL'],
      asOf: '2024-12-31',
      mode: 'text',
    };
    expect(ids(await hot.search(request))).not.toContain('AAPL-late#0');
    await writer.add([late]);
    // Every search reads the store version first (default maxStalenessMs 0): the write is visible at once.
    expect(ids(await hot.search(request))[0]).toBe('AAPL-late#0');
    expect(hot.stats().loads).toBe(2);
    expect(hot.stats().version).toBe(await writer.version());
    expect(await hot.refresh()).toBe(false);
    // Within maxStalenessMs the snapshot is served as loaded and version() says so without a store read (a round
    // trip on object storage); refresh() brings it up to date.
    const loaded = lazy.stats().version;
    expect(ids(await lazy.search(request))).not.toContain('AAPL-late#0');
    expect(await lazy.version()).toBe(loaded);
    expect(lazy.stats().versionChecks).toBe(0);
    expect(await lazy.refresh()).toBe(true);
    expect(lazy.stats().versionChecks).toBe(1);
    expect(await lazy.version()).toBe(await writer.version());
    expect(ids(await lazy.search(request))[0]).toBe('AAPL-late#0');
    // A delete is seen too: the deleted chunk is never served again.
    await writer.deleteDocuments(['AAPL-late']);
    expect(ids(await hot.search(request))).not.toContain('AAPL-late#0');
    expect(hot.stats().loads).toBe(3);
    // Concurrent searches across a write share reloads; the one started after the write sees it.
    const again = await Promise.all(
      Array.from({ length: 6 }, async (_, n) => {
        if (n === 3) await writer.add([late]);
        return ids(await hot.search(request));
      }),
    );
    expect(again[3]?.[0]).toBe('AAPL-late#0');
    expect(hot.stats().loads).toBeLessThanOrEqual(5);
    // Searches started together share one version read; one started after a write still reads after it.
    const checks = hot.stats().versionChecks;
    await Promise.all(Array.from({ length: 4 }, () => hot.search(request)));
    expect(hot.stats().versionChecks).toBe(checks + 1);
    await writer.deleteDocuments(['AAPL-late']);
    expect(ids(await hot.search(request))).not.toContain('AAPL-late#0');
    expect(hot.stats().versionChecks).toBe(checks + 2);
    await writer.add([late]);
    expect(ids(await hot.search(request))[0]).toBe('AAPL-late#0');
    lazy.close();
    await writer.close();
    await local.add([{ ...late, id: 'AAPL-late-2', text: 'Apple said wearables revenue collapsed 50% again.' }]);

    const item = {
      ticker: 'AAPL',
      asOf: '2024-12-31',
      decision: 'SELL' as const,
      reasoning: 'Apple said wearables revenue collapsed 40% in December. [[SELL]]',
    };
    const viaIndex = await createVerifier({ store: hot, embedder, options: { retrieval: 'vector' } }).verify(item);
    const viaStore = await createVerifier({ store: local, embedder, options: { retrieval: 'vector' } }).verify(item);
    expect(viaIndex.scores).toEqual(viaStore.scores);
    expect(viaIndex.claims).toEqual(viaStore.claims);
    expect(viaIndex.claims[0]?.verdict).toBe('supported');
    expect(hot.stats().memorySearches).toBeGreaterThan(0);
    hot.close();
    await expect(hot.search(request)).rejects.toMatchObject({ code: 'CLOSED' });
    await local.close();
  });
});
