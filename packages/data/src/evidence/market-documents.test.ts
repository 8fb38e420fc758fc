import { type Bar, parseEvidenceDocument } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadEmbeddedBars } from '../dataset/embedded.ts';
import { marketDataDocuments, marketDataFigures } from './market-documents.ts';

describe('marketDataDocuments', () => {
  it('states each day from real bars, dated at that trading day', async () => {
    const bars = await loadEmbeddedBars('NVDA');
    const documents = marketDataDocuments({ ticker: 'nvda', bars, start: '2024-06-10', end: '2024-06-14' });
    expect(documents.map((document) => document.id)).toEqual([
      'market:NVDA:2024-06-10',
      'market:NVDA:2024-06-11',
      'market:NVDA:2024-06-12',
      'market:NVDA:2024-06-13',
      'market:NVDA:2024-06-14',
    ]);
    const last = documents.at(-1);
    const bar = bars.find((candidate) => candidate.timestamp === '2024-06-14') as Bar;
    // Public at the 16:00 New York close of its day: in a close-cutoff context of that day, not before.
    expect(last?.publishedAt).toBe('2024-06-14T20:00:00.000Z');
    expect(last?.text).toContain(`NVDA closed at ${bar.close.toFixed(2)} on 2024-06-14`);
    expect(last?.text).toMatch(/20-day simple moving average of \d+\.\d\d/);
    expect(last?.text).toMatch(/14-day RSI was \d+\.\d/);
    for (const document of documents) expect(parseEvidenceDocument(document)).toEqual(document);
  });

  it('computes figures that match direct definitions', async () => {
    const bars = await loadEmbeddedBars('AAPL', { end: '2024-03-28' });
    const figures = marketDataFigures({ ticker: 'AAPL', bars }).at(-1);
    const closes = bars.map((bar) => bar.close);
    const n = closes.length - 1;
    const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(figures?.sma20).toBeCloseTo(mean(closes.slice(n - 19)), 10);
    expect(figures?.sma50).toBeCloseTo(mean(closes.slice(n - 49)), 10);
    expect(figures?.return5d).toBeCloseTo((closes[n] as number) / (closes[n - 5] as number) - 1, 12);
    expect(figures?.rsi14).toBeGreaterThan(0);
    expect(figures?.rsi14).toBeLessThan(100);
  });

  it('never uses a bar after the document date (appending future bars changes nothing)', async () => {
    const bars = await loadEmbeddedBars('MSFT', { end: '2024-12-31' });
    fc.assert(
      fc.property(fc.integer({ min: 60, max: bars.length - 1 }), (cut) => {
        const early = marketDataDocuments({ ticker: 'MSFT', bars: bars.slice(0, cut) });
        const full = marketDataDocuments({ ticker: 'MSFT', bars, end: early.at(-1)?.publishedAt.slice(0, 10) });
        expect(full.map((document) => document.text)).toEqual(early.map((document) => document.text));
      }),
      { seed: 11, numRuns: 8 },
    );
  });

  it('rejects bad input with typed errors', () => {
    expect(() => marketDataDocuments({ ticker: 'not a ticker!', bars: [] })).toThrowError(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() =>
      marketDataDocuments({
        ticker: 'X',
        bars: [{ timestamp: '2024-01-02', open: 1, high: 0.5, low: 1, close: 1, volume: 1 }] as Bar[],
      }),
    ).toThrowError(expect.objectContaining({ code: 'INVALID_SERIES' }));
  });
});

describe('market document dating on the exchange', () => {
  it('dates an A-share document at the 15:00 Shanghai close and honours a named exchange', () => {
    const bars = Array.from({ length: 80 }, (_, index) => {
      const date = new Date(Date.UTC(2024, 3, 1) + index * 86_400_000).toISOString().slice(0, 10);
      return { timestamp: date, open: 10, high: 11, low: 9, close: 10 + (index % 3) / 10, volume: 100 };
    });
    const [first] = marketDataDocuments({ ticker: '600519.SH', bars, start: '2024-05-31', end: '2024-05-31' });
    expect(first?.publishedAt).toBe('2024-05-31T07:00:00.000Z');
    const [named] = marketDataDocuments({
      ticker: 'X',
      bars,
      start: '2024-05-31',
      end: '2024-05-31',
      exchange: 'SZSE',
    });
    expect(named?.publishedAt).toBe('2024-05-31T07:00:00.000Z');
    expect(() => marketDataDocuments({ ticker: 'VOD.L', bars })).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
