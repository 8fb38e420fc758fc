import { makeVector, Utf8, vectorFromArray } from 'apache-arrow';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EvidenceRow, evidenceTableSchema, rowsToArrowTable, utf8Column } from './table-schema.ts';

describe('utf8Column', () => {
  it('matches apache-arrow for any strings and nulls (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'binary' }), { nil: null }), { maxLength: 40 }), (values) => {
        const fast = utf8Column(values);
        expect(fast.length).toBe(values.length);
        expect(fast.nullCount).toBe(values.filter((value) => value === null).length);
        expect([...makeVector(fast)]).toEqual(values);
        expect([...makeVector(fast)]).toEqual([...vectorFromArray(values, new Utf8())]);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('rowsToArrowTable', () => {
  it('round-trips every column, including non-ASCII text and null url/metadata', () => {
    const row = (index: number, url: string | null): EvidenceRow => ({
      chunk_id: `doc-${index}#0`,
      document_id: `doc-${index}`,
      chunk_index: 0,
      chunk_count: 1,
      text: `Umsatz stieg um ${index} % — 売上高 ${index}億円 📈`,
      title: `Título ${index}`,
      tickers: index % 2 === 0 ? ['AAPL', 'MSFT'] : [],
      published_at: BigInt(1_700_000_000_000 + index),
      source_kind: 'news',
      url,
      char_start: index,
      char_end: index + 10,
      content_hash: 'f'.repeat(64),
      metadata: url === null ? null : JSON.stringify({ index }),
      payload: JSON.stringify({ index, note: 'ü' }),
      vector: Float32Array.from([index, -index, 0.5]),
    });
    const rows = [row(0, 'https://example.com/ä'), row(1, null), row(2, null), row(3, 'https://example.com/3')];
    const table = rowsToArrowTable(rows, evidenceTableSchema('test-model', 3));
    expect(table.numRows).toBe(rows.length);
    const back = table.toArray().map((value) => value.toJSON());
    rows.forEach((expected, index) => {
      const actual = back[index] as Record<string, unknown>;
      for (const key of [
        'chunk_id',
        'document_id',
        'text',
        'title',
        'source_kind',
        'url',
        'content_hash',
        'metadata',
        'payload',
      ] as const) {
        expect(actual[key]).toBe(expected[key]);
      }
      expect(actual.published_at).toBe(expected.published_at);
      expect([...(actual.tickers as Iterable<string>)]).toEqual(expected.tickers);
      expect([...(actual.vector as Iterable<number>)]).toEqual([...expected.vector]);
      expect(actual.char_end).toBe(expected.char_end);
    });
  });
});
