import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { andFilters, publishedAtFilter, sqlInList, sqlString, tickersFilter } from './filters.ts';
import { reciprocalRankFusion } from './rrf.ts';

describe('SQL filter helpers', () => {
  it('quotes strings so that no value can close the literal', () => {
    expect(sqlString("O'Brien")).toBe("'O''Brien'");
    fc.assert(
      fc.property(
        fc.string().filter((value) => !value.includes('\u0000')),
        (value) => {
          const literal = sqlString(value);
          const inner = literal.slice(1, -1);
          expect(inner.replace(/''/g, '')).not.toContain("'");
          expect(inner.replace(/''/g, "'")).toBe(value);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
    expect(() => sqlString('a\u0000b')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('builds the point-in-time, ticker and list filters', () => {
    expect(publishedAtFilter(1_704_067_199_999)).toBe('published_at <= 1704067199999');
    expect(() => publishedAtFilter(1.5)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(tickersFilter(['aapl', 'BRK.B', 'AAPL'])).toBe("array_has_any(tickers, ['AAPL', 'BRK.B'])");
    expect(() => tickersFilter(["AAPL') OR (1=1"])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(sqlInList('document_id', [])).toBe('FALSE');
    expect(sqlInList('document_id', ['a', "b'"])).toBe("document_id IN ('a', 'b''')");
    expect(andFilters(['a = 1', undefined, '', 'b = 2'])).toBe('(a = 1) AND (b = 2)');
  });
});

describe('reciprocalRankFusion', () => {
  it('sums 1/(k + rank) over lists', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['c', 'a'],
    ]);
    expect(fused.map((item) => item.key)).toEqual(['a', 'c', 'b']);
    expect(fused[0]?.score).toBeCloseTo(1 / 61 + 1 / 62, 12);
    expect(fused[0]?.ranks).toEqual([1, 2]);
    expect(fused[2]?.ranks).toEqual([2, undefined]);
  });

  it('ranks an item found by both lists above one found by a single list at the same rank', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 20 }),
        (keys) => {
          const fused = reciprocalRankFusion([keys, [...keys].reverse()], 60);
          expect(fused).toHaveLength(keys.length);
          const scores = fused.map((item) => item.score);
          for (let index = 1; index < scores.length; index += 1) {
            expect(scores[index]).toBeLessThanOrEqual(scores[index - 1] as number);
          }
        },
      ),
      { seed: 3, numRuns: 100 },
    );
    expect(() => reciprocalRankFusion([['a']], -1)).toThrow(RangeError);
  });
});
