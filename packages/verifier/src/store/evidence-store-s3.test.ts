// The evidence store on object storage: an `s3://` URI with an endpoint override in `storageOptions`, against a real
// S3-compatible server (moto) started on 127.0.0.1 by this test. Required under CI=true (.ci/run installs it).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder, type DefaultEmbedder } from '../embedders/static/default-embedder.ts';
import { findS3Server, type S3TestServer, startS3Server } from './__fixtures__/s3-server.ts';
import { openEvidenceStore } from './evidence-store.ts';
import type { EvidenceDocumentInput, SearchRequest } from './types.ts';

const server = findS3Server();
const inCi = process.env.CI === 'true';
if (!server && !inCi) console.warn('moto_server not found: skipping the S3 evidence-store tests (required in CI)');

const documents: EvidenceDocumentInput[] = [
  {
    id: 'aapl-q1',
    tickers: ['AAPL'],
    publishedAt: '2024-02-01T21:30:00Z',
    sourceKind: 'filing',
    title: 'Apple first quarter results',
    text: 'Apple reported quarterly revenue of $119.6 billion, up 2 percent year over year. iPhone sales grew 6 percent.',
  },
  {
    id: 'aapl-china',
    tickers: ['AAPL'],
    publishedAt: '2024-03-05',
    sourceKind: 'news',
    title: 'iPhone shipments in China slump',
    text: 'Apple iPhone shipments in China fell 24 percent in the first six weeks of the year.',
  },
  {
    id: 'msft-cloud',
    tickers: ['MSFT'],
    publishedAt: '2024-01-30',
    sourceKind: 'news',
    title: 'Microsoft cloud growth',
    text: 'Microsoft Azure revenue grew 30 percent as demand for artificial intelligence services accelerated.',
  },
];

const searches: SearchRequest[] = [
  { query: 'smartphone demand in China dropped', asOf: '2024-12-31', mode: 'vector', k: 3 },
  { query: 'Azure', asOf: '2024-12-31', mode: 'text', k: 3 },
  { query: 'iPhone revenue', tickers: ['AAPL'], asOf: '2024-12-31', k: 3 },
  { query: 'iPhone shipments China', asOf: '2024-03-04', k: 3 },
];

describe.skipIf(!server && !inCi)('openEvidenceStore on S3 (moto on 127.0.0.1)', () => {
  let s3: S3TestServer;
  let embedder: DefaultEmbedder;
  let directory: string;
  beforeAll(async () => {
    if (!server) throw new Error('moto_server is not installed but CI=true requires it (.ci/run installs it)');
    s3 = await startS3Server(server);
    await s3.createBucket('evidence');
    embedder = await createDefaultEmbedder();
    directory = mkdtempSync(join(tmpdir(), 'trade-r1-s3-local-'));
  }, 60_000);
  afterAll(async () => {
    await embedder?.close();
    await s3?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('stores documents in the bucket and answers searches exactly as the same store on disk', async () => {
    const remote = await openEvidenceStore({
      uri: 's3://evidence/stores/a',
      embedder,
      storageOptions: s3.storageOptions,
    });
    const local = await openEvidenceStore({ uri: directory, embedder });
    const added = await remote.add(documents);
    await local.add(documents);
    expect(added).toMatchObject({ documents: 3, insertedDocuments: 3 });
    expect(await remote.count()).toBe(await local.count());
    for (const request of searches) {
      const [fromS3, fromDisk] = await Promise.all([remote.search(request), local.search(request)]);
      expect(fromS3.length).toBeGreaterThan(0);
      expect(fromS3.map((hit) => [hit.chunkId, hit.text])).toEqual(fromDisk.map((hit) => [hit.chunkId, hit.text]));
    }
    // Point in time on object storage too: nothing published after asOf.
    const early = await remote.search({ query: 'iPhone', tickers: ['AAPL'], asOf: '2024-02-15', k: 10 });
    expect(early.map((hit) => hit.documentId)).toEqual(['aapl-q1']);
    await remote.optimize();
    expect(await remote.count()).toBe(await local.count());
    await remote.close();
    await local.close();

    // The objects are really in the bucket.
    const listing = await (await fetch(`${s3.endpoint}/evidence?list-type=2&prefix=stores/a/`)).text();
    expect(listing).toContain('stores/a/evidence.lance/');
  }, 120_000);

  it('a second handle (another process or worker would open one the same way) reads the same store', async () => {
    const writer = await openEvidenceStore({
      uri: 's3://evidence/stores/b',
      embedder,
      storageOptions: s3.storageOptions,
    });
    await writer.add(documents);
    const reader = await openEvidenceStore({
      uri: 's3://evidence/stores/b',
      embedder,
      storageOptions: s3.storageOptions,
    });
    expect(await reader.count()).toBe(await writer.count());
    const request = searches[2] as SearchRequest;
    expect((await reader.search(request)).map((hit) => hit.chunkId)).toEqual(
      (await writer.search(request)).map((hit) => hit.chunkId),
    );
    // Re-adding through the second handle is idempotent: it saw the first handle's rows.
    expect(await reader.add(documents)).toMatchObject({ unchangedDocuments: 3, chunksInserted: 0 });
    await reader.close();
    await writer.close();
  }, 120_000);

  it('rejects storage options that are not string pairs, naming the field', async () => {
    const error = await openEvidenceStore({
      uri: 's3://evidence/stores/c',
      embedder,
      storageOptions: { endpoint: s3.endpoint, allow_http: true } as never,
    }).catch((thrown: unknown) => thrown);
    expect(isTradeR1Error(error, 'INVALID_CONFIG')).toBe(true);
    expect(JSON.stringify((error as { issues: unknown }).issues)).toContain('storageOptions');
  });
});
