import { isTradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { alignPriceSeries, createPricePanel, lastIndexAtOrBefore } from './panel.ts';

const bar = (timestamp: string, open: number, close: number) => ({
  timestamp,
  open,
  high: Math.max(open, close) + 1,
  low: Math.min(open, close) - 1,
  close,
  volume: 100,
});

describe('createPricePanel', () => {
  it('marks NaN cells missing and fills them without NaN', () => {
    const panel = createPricePanel({
      dates: ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'],
      tickers: ['aaa', 'BBB'],
      open: [
        [Number.NaN, 10, Number.NaN, 12],
        [5, 5.5, 6, 6.5],
      ],
      close: [
        [Number.NaN, 11, Number.NaN, 13],
        [5.2, 5.7, 6.1, 6.6],
      ],
    });
    expect(panel.tickers).toEqual(['AAA', 'BBB']);
    expect(Array.from(panel.available[0] as Uint8Array)).toEqual([0, 1, 0, 1]);
    // before the first bar: the first open; after: the last close carried.
    expect(Array.from(panel.open[0] as Float64Array)).toEqual([10, 10, 11, 12]);
    expect(Array.from(panel.close[0] as Float64Array)).toEqual([10, 11, 11, 13]);
    expect(Array.from(panel.available[1] as Uint8Array)).toEqual([1, 1, 1, 1]);
  });

  it('honours an explicit availability mask and rejects available cells without prices', () => {
    const panel = createPricePanel({
      dates: ['2024-01-02', '2024-01-03'],
      tickers: ['A'],
      open: [[1, 2]],
      close: [[1, 2]],
      available: [[1, 0]],
    });
    expect(Array.from(panel.close[0] as Float64Array)).toEqual([1, 1]);
    expect(() =>
      createPricePanel({ dates: ['2024-01-02'], tickers: ['A'], open: [[Number.NaN]], close: [[1]], available: [[1]] }),
    ).toThrow(/marked available/);
  });

  it('rejects unsorted dates, duplicate tickers and length mismatches', () => {
    const base = { tickers: ['A'], open: [[1, 1]], close: [[1, 1]] };
    for (const input of [
      { ...base, dates: ['2024-01-03', '2024-01-02'] },
      { ...base, dates: ['2024-01-02', '2024-01-02'] },
      { ...base, dates: ['2024-01-02', '2024-13-02'] },
      {
        dates: ['2024-01-02', '2024-01-03'],
        tickers: ['A', 'A'],
        open: [
          [1, 1],
          [1, 1],
        ],
        close: [
          [1, 1],
          [1, 1],
        ],
      },
      { ...base, dates: ['2024-01-02', '2024-01-03', '2024-01-04'] },
    ]) {
      try {
        createPricePanel(input);
        expect.unreachable();
      } catch (error) {
        expect(isTradeR1Error(error, 'INVALID_SERIES')).toBe(true);
      }
    }
  });
});

describe('alignPriceSeries', () => {
  const series = {
    AAA: [bar('2024-01-02', 10, 11), bar('2024-01-03', 11, 12), bar('2024-01-05', 12, 13)],
    BBB: [bar('2024-01-03', 20, 21), bar('2024-01-04', 21, 22), bar('2024-01-05', 22, 23)],
  };

  it('builds a union calendar with explicit missing cells', () => {
    const panel = alignPriceSeries({ series });
    expect(panel.dates).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    expect(Array.from(panel.available[0] as Uint8Array)).toEqual([1, 1, 0, 1]);
    expect(Array.from(panel.available[1] as Uint8Array)).toEqual([0, 1, 1, 1]);
    expect((panel.close[0] as Float64Array)[2]).toBe(12);
    expect((panel.open[1] as Float64Array)[0]).toBe(20);
  });

  it('builds an intersection or an explicit calendar', () => {
    expect(alignPriceSeries({ series, calendar: 'intersection' }).dates).toEqual(['2024-01-03', '2024-01-05']);
    const explicit = alignPriceSeries({
      series: [{ ticker: 'AAA', bars: series.AAA }],
      calendar: ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'],
    });
    expect(Array.from(explicit.available[0] as Uint8Array)).toEqual([1, 1, 0, 1]);
  });

  it('rejects invalid bars with the ticker in details, and intraday duplicates', () => {
    try {
      alignPriceSeries({ series: { BAD: [bar('2024-01-02', 10, 11), { ...bar('2024-01-03', 10, 11), high: 1 }] } });
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'INVALID_SERIES')).toBe(true);
      expect((error as { details: { ticker: string } }).details.ticker).toBe('BAD');
    }
    expect(() =>
      alignPriceSeries({ series: { A: [bar('2024-01-02T14:30:00Z', 5, 5), bar('2024-01-02T15:30:00Z', 5, 5)] } }),
    ).toThrow(/two bars on 2024-01-02/);
  });

  it('finds the last date at or before a date', () => {
    const dates = ['2024-01-02', '2024-01-03', '2024-01-05'];
    expect(lastIndexAtOrBefore(dates, '2024-01-01')).toBe(-1);
    expect(lastIndexAtOrBefore(dates, '2024-01-03')).toBe(1);
    expect(lastIndexAtOrBefore(dates, '2024-01-04')).toBe(1);
    expect(lastIndexAtOrBefore(dates, '2030-01-01')).toBe(2);
  });
});
