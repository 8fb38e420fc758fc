import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EvidenceDocumentInput, parseWith, TradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder } from '../embedders/static/default-embedder.ts';
import type { Embedder } from '../embedders/types.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import type { EvidenceStore } from '../store/types.ts';
import { verifyInputSchema } from './options.ts';
import { createVerifier } from './verifier.ts';

const BASE = { reasoning: 'Revenue rose 8% to $12.4 billion.', decision: 'BUY' };

function resolve(input: Record<string, unknown>): string {
  return parseWith(verifyInputSchema, { ...BASE, ...input }, { label: 'verify() input' }).asOf;
}

function failure(input: Record<string, unknown>): TradeR1Error {
  try {
    resolve(input);
  } catch (error) {
    if (error instanceof TradeR1Error) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

describe('verify() asOf on the decision clock', () => {
  it('reads a date-only asOf as the close of the ticker’s exchange (NVDA’s 16:20 ET release is not evidence)', () => {
    // NVIDIA released its Q1 FY2025 results at 16:20 New York time on 2024-05-22, after the 16:00 close.
    expect(resolve({ ticker: 'NVDA', asOf: '2024-05-22' })).toBe('2024-05-22T20:00:00.000Z');
    expect(Date.parse('2024-05-22T16:20:00-04:00')).toBeGreaterThan(
      Date.parse(resolve({ ticker: 'NVDA', asOf: '2024-05-22' })),
    );
    // Shanghai closes at 15:00 (UTC+8); Shenzhen likewise; the early close of 2024-07-03 in New York is 13:00.
    expect(resolve({ ticker: '600519.SH', asOf: '2024-06-04' })).toBe('2024-06-04T07:00:00.000Z');
    expect(resolve({ ticker: '000858.SZ', asOf: '2024-06-04' })).toBe('2024-06-04T07:00:00.000Z');
    expect(resolve({ ticker: 'AAPL', asOf: '2024-07-03' })).toBe('2024-07-03T17:00:00.000Z');
  });

  it('takes the exchange and the pre-open cutoff from the request', () => {
    expect(resolve({ ticker: 'NVDA', asOf: '2024-05-22', cutoff: 'pre-open' })).toBe('2024-05-22T13:29:59.999Z');
    expect(resolve({ ticker: 'KWEB', asOf: '2024-06-04', exchange: 'SSE' })).toBe('2024-06-04T07:00:00.000Z');
    expect(resolve({ ticker: 'VOD.L', asOf: '2024-06-04', exchange: 'XNYS' })).toBe('2024-06-04T20:00:00.000Z');
    // A day without a session ends at midnight in the exchange's zone (2024-06-08 is a Saturday).
    expect(resolve({ ticker: 'NVDA', asOf: '2024-06-08' })).toBe('2024-06-09T03:59:59.999Z');
    expect(resolve({ ticker: '600519.SS', asOf: '2024-06-08' })).toBe('2024-06-08T15:59:59.999Z');
  });

  it('keeps a timestamp with an offset (or a Date) as given, on any exchange', () => {
    for (const exchange of [undefined, 'XNYS', 'XSHG']) {
      const extra = exchange ? { exchange } : {};
      expect(resolve({ ticker: 'NVDA', asOf: '2024-05-22T16:20:00-04:00', ...extra })).toBe('2024-05-22T20:20:00.000Z');
      expect(resolve({ ticker: 'NVDA', asOf: new Date('2024-05-22T01:02:03.004Z'), ...extra })).toBe(
        '2024-05-22T01:02:03.004Z',
      );
    }
  });

  it('rejects an offset-less date-time unless the caller names the exchange to read it in', () => {
    const error = failure({ ticker: 'NVDA', asOf: '2024-05-22T15:00:00' });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.issues?.[0]?.path).toBe('asOf');
    expect(error.message).toContain('offset');
    expect(resolve({ ticker: 'NVDA', asOf: '2024-05-22T15:00:00', exchange: 'XNAS' })).toBe('2024-05-22T19:00:00.000Z');
    expect(resolve({ ticker: 'NVDA', asOf: '2024-05-22 15:00', exchange: 'SZSE' })).toBe('2024-05-22T07:00:00.000Z');
  });

  it('asks for the exchange when a date-only asOf has a ticker of no known exchange, and rejects bad fields', () => {
    const foreign = failure({ ticker: 'VOD.L', asOf: '2024-06-04' });
    expect(foreign.code).toBe('INVALID_INPUT');
    expect(foreign.issues?.[0]?.path).toBe('exchange');
    expect(resolve({ ticker: 'VOD.L', asOf: '2024-06-04T16:30:00+01:00' })).toBe('2024-06-04T15:30:00.000Z');
    for (const bad of [
      { ticker: 'NVDA', asOf: undefined },
      { ticker: 'NVDA', asOf: 20240522 },
      { ticker: 'NVDA', asOf: '2024-02-30' },
      { ticker: 'NVDA', asOf: '2024-05-22T10:00-14:00' },
      { ticker: 'NVDA', asOf: '2024-05-22', exchange: 'LSE' },
      { ticker: 'NVDA', asOf: '2024-05-22', exchange: 7 },
      { ticker: 'NVDA', asOf: '2024-05-22', cutoff: 'open' },
    ]) {
      const error = failure(bad);
      expect(error.code).toBe('INVALID_INPUT');
      expect(['asOf', 'exchange', 'cutoff']).toContain(error.issues?.[0]?.path);
    }
  });
});

// Evidence every 45 minutes from 2024-06-02 to 2024-06-10 for a New York and a Shanghai ticker, written in assorted
// offsets; decisions on the trading days of that week and its weekend. The cutoffs below are written by hand (June:
// New York is UTC−4, Shanghai UTC+8; 2024-06-03…07 are trading days on both exchanges, 06-08/09 a weekend).
const OFFSETS = [
  ['Z', 0],
  ['-04:00', -240],
  ['+08:00', 480],
  ['+05:30', 330],
  ['-10:00', -600],
] as const;
const START = Date.UTC(2024, 5, 2);
const STEP = 45 * 60_000;
const COUNT = Math.round((8 * 86_400_000) / STEP);

function written(instant: number, index: number): string {
  const [suffix, minutes] = OFFSETS[index % OFFSETS.length] as (typeof OFFSETS)[number];
  return `${new Date(instant + minutes * 60_000).toISOString().slice(0, 19)}${suffix}`;
}

const TICKERS = { NVDA: 'XNYS', '600519.SH': 'XSHG' } as const;
const documents: Array<EvidenceDocumentInput & { instant: number }> = Object.keys(TICKERS).flatMap((ticker, t) =>
  Array.from({ length: COUNT }, (_, index) => {
    const instant = START + index * STEP + t * 60_000;
    return {
      id: `${ticker}-${index}`,
      tickers: [ticker],
      publishedAt: written(instant, index + t),
      sourceKind: 'news' as const,
      title: `${ticker} update ${index}`,
      text: `${ticker} revenue rose ${index % 17}% to $${(10 + index / 10).toFixed(1)} billion in update ${index}.`,
      instant,
    };
  }),
);

const hand = (iso: string) => Date.parse(iso);
const CUTOFFS: Record<keyof typeof TICKERS, Record<string, { close: number; 'pre-open': number }>> = {
  NVDA: Object.fromEntries(
    ['03', '04', '05', '06', '07'].map((day) => [
      `2024-06-${day}`,
      { close: hand(`2024-06-${day}T20:00:00Z`), 'pre-open': hand(`2024-06-${day}T13:30:00Z`) - 1 },
    ]),
  ),
  '600519.SH': Object.fromEntries(
    ['03', '04', '05', '06', '07'].map((day) => [
      `2024-06-${day}`,
      { close: hand(`2024-06-${day}T07:00:00Z`), 'pre-open': hand(`2024-06-${day}T01:30:00Z`) - 1 },
    ]),
  ),
};
CUTOFFS.NVDA['2024-06-08'] = { close: hand('2024-06-09T04:00:00Z') - 1, 'pre-open': hand('2024-06-09T04:00:00Z') - 1 };
CUTOFFS['600519.SH']['2024-06-08'] = {
  close: hand('2024-06-08T16:00:00Z') - 1,
  'pre-open': hand('2024-06-08T16:00:00Z') - 1,
};

describe('no evidence published after the cutoff is admissible (real LanceDB store, property)', () => {
  let directory: string;
  let embedder: Embedder;
  let store: EvidenceStore;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'verifier-as-of-'));
    embedder = await createDefaultEmbedder();
    store = await openEvidenceStore({ uri: directory, embedder });
    await store.add(documents.map(({ instant: _instant, ...document }) => document));
  });

  afterAll(async () => {
    await store?.close();
    await embedder?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('in New York and Shanghai, date-only and written decisions, under four process time zones', async () => {
    // A pool large enough to hold every admissible chunk of the ticker, so the pool is exactly the admissible set.
    const verifier = createVerifier({ store, embedder, options: { candidatePool: 1000, retrieval: 'vector' } });
    const saved = process.env.TZ;
    const decision = fc.record({
      ticker: fc.constantFrom(...(Object.keys(TICKERS) as Array<keyof typeof TICKERS>)),
      date: fc.constantFrom('2024-06-03', '2024-06-04', '2024-06-05', '2024-06-06', '2024-06-07', '2024-06-08'),
      cutoff: fc.constantFrom('close' as const, 'pre-open' as const),
      // Also the same cutoff written as an instant in another zone, which must admit exactly the same evidence.
      form: fc.constantFrom('date', 'date+exchange', 'written'),
      offsetIndex: fc.nat({ max: OFFSETS.length - 1 }),
    });
    try {
      for (const [zone, januaryOffset] of [
        ['America/New_York', 300],
        ['Asia/Shanghai', -480],
        ['Pacific/Kiritimati', -840],
        ['UTC', 0],
      ] as const) {
        process.env.TZ = zone;
        expect(new Date(Date.UTC(2024, 0, 15)).getTimezoneOffset()).toBe(januaryOffset);
        await fc.assert(
          fc.asyncProperty(decision, async ({ ticker, date, cutoff, form, offsetIndex }) => {
            const expected = (CUTOFFS[ticker][date] as { close: number; 'pre-open': number })[cutoff];
            const asOf =
              form === 'written'
                ? { asOf: written(expected, offsetIndex) }
                : { asOf: date, cutoff, ...(form === 'date+exchange' && { exchange: TICKERS[ticker] }) };
            const report = await verifier.verify({ ticker, reasoning: BASE.reasoning, decision: 'BUY', ...asOf });
            // Written instants carry whole seconds: the pre-open cutoff (…:59.999) is then written one ms early.
            const cutoffMs = form === 'written' ? Math.floor(expected / 1000) * 1000 : expected;
            expect(Date.parse(report.asOf)).toBe(cutoffMs);
            const admissible = documents.filter((doc) => doc.tickers?.includes(ticker) && doc.instant <= cutoffMs);
            expect(report.evidence.candidates).toBe(admissible.length);
            for (const claim of report.claims)
              for (const citation of claim.citations)
                expect(Date.parse(citation.publishedAt)).toBeLessThanOrEqual(cutoffMs);
          }),
          { seed: 13, numRuns: 25 },
        );
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
      await verifier.close();
    }
  });
});
