import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import {
  addCalendarDays,
  decisionCutoff,
  type ExchangeId,
  exchangeDateOf,
  exchangeForTicker,
  isTradeR1Error,
  zonedTimeToInstant,
} from '@trade-r1/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder, type DefaultEmbedder } from '../embedders/static/default-embedder.ts';
import { openEvidenceStore } from './evidence-store.ts';
import { isLegacyDateOnlyInstant, LEGACY_DATE_ONLY_SHIFT_MS, placeDateOnlyPublication } from './publication.ts';
import { evidenceTableSchema } from './table-schema.ts';

let directory: string;
let embedder: DefaultEmbedder;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'trade-r1-publication-'));
  embedder = await createDefaultEmbedder();
});
afterAll(async () => {
  await embedder.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('placeDateOnlyPublication', () => {
  const at = (publishedAt: string, tickers?: unknown) =>
    (
      placeDateOnlyPublication({ id: 'x', publishedAt, ...(tickers !== undefined && { tickers }) }) as {
        publishedAt: string;
      }
    ).publishedAt;

  it('places a date-only item at the end of its day on its tickers exchange', () => {
    // 23:59:59.999 New York (EDT) and Shanghai.
    expect(at('2024-05-22', ['NVDA'])).toBe('2024-05-23T03:59:59.999Z');
    expect(at('20240522', ['NVDA'])).toBe('2024-05-23T03:59:59.999Z');
    expect(at('2024-01-22', ['NVDA'])).toBe('2024-01-23T04:59:59.999Z');
    expect(at('2024-05-22', ['600519.SH'])).toBe('2024-05-22T15:59:59.999Z');
    expect(at('2024-05-22', ['000001.SZ'])).toBe('2024-05-22T15:59:59.999Z');
  });

  it('takes the latest end of day when the exchange is mixed or unknown', () => {
    expect(at('2024-05-22', ['600519.SH', 'NVDA'])).toBe('2024-05-23T03:59:59.999Z');
    expect(at('2024-05-22', [])).toBe('2024-05-23T03:59:59.999Z');
    expect(at('2024-05-22')).toBe('2024-05-23T03:59:59.999Z');
    expect(at('2024-05-22', ['7203.T'])).toBe('2024-05-23T03:59:59.999Z');
    expect(at('2024-05-22', [42])).toBe('2024-05-23T03:59:59.999Z');
  });

  it('leaves full timestamps, invalid values and non-objects to the schema', () => {
    expect(at('2024-05-22T20:20:00Z', ['NVDA'])).toBe('2024-05-22T20:20:00Z');
    expect(at('2024-02-30', ['NVDA'])).toBe('2024-02-30');
    expect(at('soon', ['NVDA'])).toBe('soon');
    expect(placeDateOnlyPublication(null)).toBeNull();
    expect(placeDateOnlyPublication('2024-05-22')).toBe('2024-05-22');
    expect(placeDateOnlyPublication({ id: 'x', publishedAt: 20240522 })).toEqual({ id: 'x', publishedAt: 20240522 });
  });

  it('places a date-only item when its day is over on every exchange it may be about, no later (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.subarray(['NVDA', 'BRK.B', '600519.SH', '000001.SZ', '7203.T']),
        (date, tickers) => {
          const day = date.toISOString().slice(0, 10);
          const instant = Date.parse(at(day, tickers));
          const known = new Set<ExchangeId>();
          let unknown = tickers.length === 0;
          for (const ticker of tickers) {
            try {
              known.add(exchangeForTicker(ticker));
            } catch {
              unknown = true;
            }
          }
          const exchanges: ExchangeId[] = unknown ? ['XNYS', 'XNAS', 'XSHG', 'XSHE'] : [...known];
          // The day is over (after any close of it) in each zone...
          for (const exchange of exchanges) expect(exchangeDateOf(instant + 1, exchange) > day).toBe(true);
          // ... and the instant is still that day in one of them (the latest end of day, not later).
          expect(exchanges.some((exchange) => exchangeDateOf(instant, exchange) === day)).toBe(true);
        },
      ),
      { seed: 1303, numRuns: 300 },
    );
  });
});

describe('date-only evidence in a LanceDB store', () => {
  const TICKERS = ['NVDA', 'AAPL', '600519.SH', '000001.SZ'] as const;
  const MIXED = ['NVDA', '600519.SH'];
  const FIRST_DAY = '2024-01-02';
  const DAYS = 90; // over the US switch to daylight time and the Spring Festival closure in China

  /** 120 items: two thirds dated only by day, the rest at an exact time of day (any hour, UTC). */
  function corpus() {
    return Array.from({ length: 120 }, (_, index) => {
      const tickers = index % 9 === 8 ? MIXED : [TICKERS[index % TICKERS.length] as string];
      const day = addCalendarDays(FIRST_DAY, (index * 37) % DAYS);
      const exact = index % 3 === 0;
      const hour = (index * 7) % 24;
      return {
        id: `item-${index}`,
        tickers,
        publishedAt: exact
          ? `${day}T${String(hour).padStart(2, '0')}:${String((index * 13) % 60).padStart(2, '0')}:00Z`
          : day,
        sourceKind: 'news' as const,
        title: `Item ${index}`,
        text: `${tickers.join(' ')} company update number ${index} about revenue, margins and guidance.`,
      };
    });
  }

  /**
   * An independent oracle: a date-only item dated D may have appeared any time on D in the zone of each exchange
   * it could be about, so only a cutoff at or after the end of D there may see it (a trading day's cutoff — its
   * close or pre-open — never is; the cutoff of a day without a session is the end of that day).
   */
  function mayAdmit(item: ReturnType<typeof corpus>[number], cutoff: number): boolean {
    if (item.publishedAt.length > 10) return Date.parse(item.publishedAt) <= cutoff;
    const exchanges = new Set(item.tickers.map(exchangeForTicker));
    // A mixed item's day may be the New York one: never before New York's day is over.
    if (exchanges.size > 1) exchanges.add('XNYS');
    return [...exchanges].every((exchange) => exchangeDateOf(cutoff + 1, exchange) > item.publishedAt);
  }

  it('admits no item published after the cutoff, across US and China zones (property)', async () => {
    const store = await openEvidenceStore({ uri: directory, tableName: 'zones', embedder });
    const items = corpus();
    await store.add(items);
    const [queryVector] = await embedder.embed(['company update revenue']);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TICKERS),
        fc.integer({ min: -2, max: DAYS + 2 }),
        fc.oneof(
          fc.constantFrom('close' as const, 'pre-open' as const),
          // A decision written as an instant in the New York evening, 20:00–23:59 (after the UTC day rolled over).
          fc.record({ hour: fc.integer({ min: 20, max: 23 }), minute: fc.integer({ min: 0, max: 59 }) }),
          // ... or in the Shanghai morning, 00:00–09:29.
          fc.record({ shanghaiHour: fc.integer({ min: 0, max: 9 }), minute: fc.integer({ min: 0, max: 29 }) }),
        ),
        async (ticker, offset, at) => {
          const exchange = exchangeForTicker(ticker);
          const day = addCalendarDays(FIRST_DAY, offset);
          const cutoff =
            typeof at === 'string'
              ? decisionCutoff({ asOf: day, exchange, at })
              : 'hour' in at
                ? zonedTimeToInstant(day, { hour: at.hour, minute: at.minute }, 'America/New_York')
                : zonedTimeToInstant(day, { hour: at.shanghaiHour, minute: at.minute }, 'Asia/Shanghai');
          const hits = await store.search({
            vector: queryVector as Float32Array,
            tickers: [ticker],
            asOf: cutoff,
            mode: 'vector',
            k: 1000,
          });
          const expected = items
            .filter((item) => item.tickers.includes(ticker) && mayAdmit(item, cutoff))
            .map((item) => item.id)
            .sort();
          // Nothing published after the cutoff, and everything the oracle admits (no over-correction).
          expect(hits.map((hit) => hit.documentId).sort()).toEqual(expected);
          for (const hit of hits) expect(Date.parse(hit.publishedAt)).toBeLessThanOrEqual(cutoff);
        },
      ),
      { seed: 1313, numRuns: 150 },
    );
    await store.close();
  });

  it('keeps NVDA’s date-only post-close release out of the decision at that day’s close', async () => {
    const store = await openEvidenceStore({ uri: directory, tableName: 'nvda', embedder });
    await store.add([
      {
        id: 'nvda-q1',
        tickers: ['NVDA'],
        publishedAt: '2024-05-22',
        sourceKind: 'news',
        title: 'NVIDIA first-quarter revenue',
        text: 'NVIDIA reported record quarterly revenue of $26.0 billion, up 262% from a year ago.',
      },
    ]);
    const search = (asOf: number) => store.search({ query: 'NVIDIA revenue', tickers: ['NVDA'], asOf, k: 5 });
    expect(await search(decisionCutoff({ asOf: '2024-05-22', exchange: 'XNAS' }))).toEqual([]);
    // 23:30 New York is 03:30 UTC the next day: past the end of the UTC day, still before New York's.
    expect(await search(zonedTimeToInstant('2024-05-22', { hour: 23, minute: 30 }, 'America/New_York'))).toEqual([]);
    const next = await search(decisionCutoff({ asOf: '2024-05-23', exchange: 'XNAS', at: 'pre-open' }));
    expect(next.map((hit) => [hit.documentId, hit.publishedAt])).toEqual([['nvda-q1', '2024-05-23T03:59:59.999Z']]);
    await store.close();
  });
});

describe('evidence about no ticker', () => {
  it('rejects a non-macro document with tickers: [] (nothing written), accepts a macro one', async () => {
    const store = await openEvidenceStore({ uri: directory, tableName: 'untickered', embedder });
    const news = {
      id: 'orphan',
      tickers: [],
      publishedAt: '2024-05-22T12:00:00Z',
      sourceKind: 'news' as const,
      title: 'Chip stocks rally',
      text: 'Semiconductor shares rallied on strong AI demand.',
    };
    const macro = { ...news, id: 'fed', sourceKind: 'macro' as const, text: 'The Fed held rates.' };
    const error = await store.add([macro, news, { ...news, id: 'orphan-2', tickers: undefined }]).catch((e) => e);
    expect(isTradeR1Error(error, 'INVALID_DOCUMENT')).toBe(true);
    expect(error.details).toMatchObject({ invalidDocuments: [1, 2], field: 'tickers' });
    expect(error.issues.map((issue: { path: string }) => issue.path)).toEqual(['1.tickers', '2.tickers']);
    expect(error.message).toMatch(/news document needs at least one ticker/);
    expect(await store.count()).toBe(0);
    await store.add([macro]);
    const found = await store.search({ query: 'Fed rates', sourceKinds: ['macro'], asOf: '2024-06-01', k: 5 });
    expect(found.map((hit) => hit.documentId)).toEqual(['fed']);
    await store.close();
  });
});

describe('a table of layout version 1', () => {
  it('reads its UTC-end-of-day rows as published 5 h later, and keeps its version when written to', async () => {
    const uri = join(directory, 'legacy');
    const connection = await lancedb.connect(uri);
    await connection.createEmptyTable('evidence', evidenceTableSchema(embedder.modelId, embedder.dimension, '1'));
    connection.close();
    const open = () => openEvidenceStore({ uri, embedder });
    const store = await open();
    // How version 1 stored the date-only '2024-05-22': the end of the UTC day.
    await store.add([
      {
        id: 'old',
        tickers: ['NVDA'],
        publishedAt: '2024-05-22T23:59:59.999Z',
        sourceKind: 'news',
        title: 'NVIDIA revenue',
        text: 'NVIDIA reported record revenue.',
      },
    ]);
    await store.close();
    const reopened = await open();
    const search = (asOf: string) => reopened.search({ query: 'NVIDIA revenue', tickers: ['NVDA'], asOf, k: 5 });
    expect(await search('2024-05-23T03:59:59.999Z')).toEqual([]);
    expect(await reopened.count({ asOf: '2024-05-23T04:59:59.998Z' })).toBe(0);
    const hits = await search('2024-05-23T04:59:59.999Z');
    expect(hits.map((hit) => hit.publishedAt)).toEqual(['2024-05-23T04:59:59.999Z']);
    expect(await reopened.count({ asOf: '2024-05-23T04:59:59.999Z' })).toBe(1);
    await reopened.close();
    const table = await (await lancedb.connect(uri)).openTable('evidence');
    expect((await table.schema()).metadata.get('trade_r1.evidence_table_version')).toBe('1');
    table.close();
  });

  it('recognises the stored form of a version-1 date-only value', () => {
    expect(isLegacyDateOnlyInstant(Date.parse('2024-05-22T23:59:59.999Z'))).toBe(true);
    expect(isLegacyDateOnlyInstant(Date.parse('1969-05-22T23:59:59.999Z'))).toBe(true);
    expect(isLegacyDateOnlyInstant(Date.parse('2024-05-23T03:59:59.999Z'))).toBe(false);
    expect(LEGACY_DATE_ONLY_SHIFT_MS).toBe(5 * 3_600_000);
  });

  it('refuses a table of a newer layout version', async () => {
    const uri = join(directory, 'future');
    const connection = await lancedb.connect(uri);
    await connection.createEmptyTable('evidence', evidenceTableSchema(embedder.modelId, embedder.dimension, '9'));
    connection.close();
    await expect(openEvidenceStore({ uri, embedder })).rejects.toSatisfy(
      (error) => isTradeR1Error(error, 'STORE_ERROR') && /version 9/.test((error as Error).message),
    );
  });
});
