import { isTradeR1Error, TradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasSharedData, SHARED_DATA } from '../../test/shared-data.ts';
import { parseNewsCsv, readNewsCsvFile } from './news-csv.ts';
import { isUsDaylightTime, parseUsDateTime } from './us-time.ts';

describe('parseUsDateTime', () => {
  it('reads FNSPID/Nasdaq formats with fixed-offset zones', () => {
    expect(parseUsDateTime('January 25, 2024 — 03:33 am EST')).toEqual({
      instant: '2024-01-25T08:33:00.000Z',
      dateOnly: false,
    });
    expect(parseUsDateTime('February 03, 2024 — 01:07 pm EST').instant).toBe('2024-02-03T18:07:00.000Z');
    expect(parseUsDateTime('FEB 2, 2024 9:32AM EST').instant).toBe('2024-02-02T14:32:00.000Z');
    expect(parseUsDateTime('Jul 4, 2024 12:00 PM EDT').instant).toBe('2024-07-04T16:00:00.000Z');
    expect(parseUsDateTime('Jul 4, 2024 12:00 AM PDT').instant).toBe('2024-07-04T07:00:00.000Z');
    // A fixed abbreviation is taken as written even out of season.
    expect(parseUsDateTime('July 4, 2024 10:00 am EST').instant).toBe('2024-07-04T15:00:00.000Z');
    expect(parseUsDateTime('March 1, 2024 10:00 GMT').instant).toBe('2024-03-01T10:00:00.000Z');
  });

  it('applies US daylight-saving rules to generic zones (ET, CT, PT) around the transitions', () => {
    expect(parseUsDateTime('March 9, 2024 10:00 am ET').instant).toBe('2024-03-09T15:00:00.000Z');
    expect(parseUsDateTime('March 10, 2024 01:30 am ET').instant).toBe('2024-03-10T06:30:00.000Z');
    expect(parseUsDateTime('March 10, 2024 03:30 am ET').instant).toBe('2024-03-10T07:30:00.000Z');
    expect(parseUsDateTime('November 3, 2024 01:30 am ET').instant).toBe('2024-11-03T05:30:00.000Z');
    expect(parseUsDateTime('November 3, 2024 03:00 am ET').instant).toBe('2024-11-03T08:00:00.000Z');
    expect(parseUsDateTime('June 3, 2024 9:00 am PT').instant).toBe('2024-06-03T16:00:00.000Z');
    expect(parseUsDateTime('Dec 3, 2024 9:00 am CT').instant).toBe('2024-12-03T15:00:00.000Z');
    // Pre-2007 rules: first Sunday of April to last Sunday of October.
    expect(isUsDaylightTime(2005, 4, 2)).toBe(false);
    expect(isUsDaylightTime(2005, 4, 3)).toBe(true);
    expect(isUsDaylightTime(2005, 10, 29)).toBe(true);
    expect(isUsDaylightTime(2005, 10, 31)).toBe(false);
    expect(isUsDaylightTime(2024, 3, 10, 60)).toBe(false);
    expect(isUsDaylightTime(2024, 3, 10, 180)).toBe(true);
    // The skipped hour counts as daylight time, the repeated one too (then standard time from 02:00).
    expect(isUsDaylightTime(2024, 3, 10, 150)).toBe(true);
    expect(isUsDaylightTime(2024, 11, 3, 90)).toBe(true);
    expect(isUsDaylightTime(2024, 11, 3, 120)).toBe(false);
    // The IANA record, not a rule of thumb: daylight time from 1974-01-06 (the energy crisis).
    expect(isUsDaylightTime(1974, 2, 1)).toBe(true);
    expect(isUsDaylightTime(1973, 2, 1)).toBe(false);
    expect(() => isUsDaylightTime(2024, 3, 10, 1441)).toThrow(/minutes/);
    expect(() => isUsDaylightTime(undefined as unknown as number, 3, 10)).toThrow(/year/);
    expect(() => isUsDaylightTime(99_999, 3, 10)).toThrow(TradeR1Error);
  });

  it('follows the US statute from 1987 on (property, fixed seed)', () => {
    // Energy Policy Act of 2005 (from 2007: second Sunday of March to first Sunday of November, at 02:00 local);
    // Uniform Time Act as amended in 1986 (1987-2006: first Sunday of April to last Sunday of October).
    const sunday = (year: number, month: number, n: number) => {
      if (n > 0) return 1 + ((7 - new Date(Date.UTC(year, month - 1, 1)).getUTCDay()) % 7) + (n - 1) * 7;
      const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
      return last - new Date(Date.UTC(year, month - 1, last)).getUTCDay();
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1987, max: 2037 }),
        fc.integer({ min: 0, max: 364 }),
        fc.integer({ min: 0, max: 1439 }),
        (year, dayOfYear, minutes) => {
          const date = new Date(Date.UTC(year, 0, 1 + dayOfYear));
          const [month, day] = [date.getUTCMonth() + 1, date.getUTCDate()];
          const [startKey, endKey] =
            year >= 2007
              ? [300 + sunday(year, 3, 2), 1100 + sunday(year, 11, 1)]
              : [400 + sunday(year, 4, 1), 1000 + sunday(year, 10, -1)];
          const key = month * 100 + day;
          const expected =
            key === startKey ? minutes >= 120 : key === endKey ? minutes < 120 : key > startKey && key < endKey;
          expect(isUsDaylightTime(year, month, day, minutes)).toBe(expected);
        },
      ),
      { seed: 1987, numRuns: 500 },
    );
    // Every transition day of those years, on both sides of 02:00.
    for (let year = 1987; year <= 2037; year += 1) {
      const [sm, sd, em, ed] =
        year >= 2007
          ? [3, sunday(year, 3, 2), 11, sunday(year, 11, 1)]
          : [4, sunday(year, 4, 1), 10, sunday(year, 10, -1)];
      expect([119, 120, 150, 180].map((m) => isUsDaylightTime(year, sm, sd, m))).toEqual([false, true, true, true]);
      expect([60, 119, 120, 180].map((m) => isUsDaylightTime(year, em, ed, m))).toEqual([true, true, false, false]);
    }
  });

  it('reads a date without time as the end of that day in the zone (conservative), and ISO input', () => {
    expect(parseUsDateTime('JAN 25, 2024')).toEqual({ instant: '2024-01-26T04:59:59.999Z', dateOnly: true });
    expect(parseUsDateTime('JUL 25, 2024').instant).toBe('2024-07-26T03:59:59.999Z');
    expect(parseUsDateTime('Sept 5, 2024', { defaultZone: 'UTC' }).instant).toBe('2024-09-05T23:59:59.999Z');
    expect(parseUsDateTime('2024-01-05T14:30:00-05:00').instant).toBe('2024-01-05T19:30:00.000Z');
    expect(parseUsDateTime('2024-01-05').instant).toBe('2024-01-06T04:59:59.999Z');
  });

  it.each([
    '2 DAYS AGO',
    '2',
    '',
    'Febtember 3, 2024',
    'February 30, 2024',
    'January 5, 2024 13:00 pm EST',
    'January 5, 2024 10:00 XYZ',
  ])('rejects %j with INVALID_DATE', (text) => {
    try {
      parseUsDateTime(text);
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'INVALID_DATE')).toBe(true);
    }
  });
});

describe('parseNewsCsv', () => {
  it('reads quoted multi-line text, derives headline and id, and skips undated rows', () => {
    const text = [
      '\uFEFFDate,Url,Text,Mark',
      '"January 25, 2024 — 03:33 am EST",https://www.nasdaq.com/articles/apple-beats%3A-q1-results,"Line one.',
      'Line ""two"".",0',
      '2 DAYS AGO,https://www.nasdaq.com/articles/x,"Body",0',
      '"JAN 24, 2024",,"Only text here. More.",1',
    ].join('\r\n');
    const result = parseNewsCsv(text, { tickers: ['aapl'] });
    expect(result.items).toHaveLength(2);
    expect(result.items[0]).toMatchObject({
      tickers: ['AAPL'],
      publishedAt: '2024-01-25T08:33:00.000Z',
      headline: 'apple beats: q1 results',
      summary: 'Line one.\r\nLine "two".',
      source: 'www.nasdaq.com',
      url: 'https://www.nasdaq.com/articles/apple-beats%3A-q1-results',
    });
    expect(result.items[0]?.id).toMatch(/^[0-9a-f]{20}$/);
    expect(result.items[1]).toMatchObject({
      headline: 'Only text here.',
      publishedAt: '2024-01-25T04:59:59.999Z',
      source: 'unknown',
    });
    expect(result.skipped).toEqual([expect.objectContaining({ line: 4 })]);
  });

  it('refuses items about no ticker, and misspelled options', () => {
    const text = 'Date,Text\n"January 25, 2024 — 03:33 am EST",Apple shares rose.\n';
    expect(() => parseNewsCsv(text, { source: 'n.csv' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', details: expect.objectContaining({ field: 'tickers' }) }),
    );
    expect(() => parseNewsCsv(text, { tickers: [] })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => parseNewsCsv(text, { ticker: ['AAPL'] } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    const withColumn = parseNewsCsv(
      'Date,Text,Stock_symbol\n"January 25, 2024 — 03:33 am EST",Apple shares rose.,AAPL\n"January 25, 2024 — 04:00 am EST",Markets moved.,\n',
    );
    expect(withColumn.items.map((item) => item.tickers)).toEqual([['AAPL']]);
    expect(withColumn.items).toHaveLength(1);
    expect(withColumn.skipped).toEqual([
      expect.objectContaining({ line: 3, reason: expect.stringMatching(/no ticker/) }),
    ]);
  });

  it('requires a date column', () => {
    expect(() => parseNewsCsv('Url,Text\nx,y\n', { source: 'n.csv' })).toThrow(
      expect.objectContaining({ code: 'PARSE_FAILED' }),
    );
  });
});

// FNSPID is CC BY-NC: used from ../shared only, never copied into the package.
describe.skipIf(!hasSharedData('news/fnspid_sample_aapl_news_contents.csv', { optional: true }))(
  'FNSPID sample (../shared/data/news)',
  () => {
    it('reads every dated article and skips the relative or junk dates', async () => {
      const result = await readNewsCsvFile(`${SHARED_DATA}news/fnspid_sample_aapl_news_contents.csv`, {
        tickers: ['AAPL'],
      });
      // 904 rows: 35 "N DAYS AGO" and 6 junk ("2") dates cannot be placed in time.
      expect(result.items.length + result.skipped.length).toBe(904);
      expect(result.skipped).toHaveLength(41);
      expect(result.items.every((item) => item.publishedAt >= '2023-12-01' && item.publishedAt < '2024-03-01')).toBe(
        true,
      );
      expect(new Set(result.items.map((item) => item.id)).size).toBeGreaterThan(850);
      const first = result.items[0];
      expect(first?.publishedAt).toBe('2024-01-25T08:33:00.000Z');
      expect(first?.summary.length).toBeGreaterThan(1000);
    });
  },
);
