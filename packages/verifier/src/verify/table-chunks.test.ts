import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDefaultEmbedder, type DefaultEmbedder } from '../embedders/static/default-embedder.ts';
import { openEvidenceStore } from '../store/evidence-store.ts';
import { createMemoryIndex, type MemoryIndex } from '../store/memory-index.ts';
import type { EvidenceStore } from '../store/types.ts';
import { createVerifier } from './verifier.ts';

// A filing table longer than one chunk (default size 1000): its last rows are stored in a chunk without the caption
// and the header rows that give their periods and scale.
const ROWS = [
  'Term Loan A Facility due July 2022',
  'Term Loan A Facility due July 2023',
  '6.50% Senior Notes due December 2020',
  '4.875% Senior Notes due December 2022',
  '5.25% Senior Notes due April 2023',
  '4.50% Senior Notes due September 2023',
  '5.125% Senior Notes due December 2024',
  '5.50% Senior Notes due September 2025',
  '4.00% Senior Notes due December 2027',
  '6.875% Senior Notes due July 2033',
  'Other foreign borrowings',
  'Other domestic borrowings',
];
const TABLE = [
  'Carrying amounts of the company’s debt (in millions)',
  '|  | December 31, 2019 | December 31, 2018 |',
  '| --- | --- | --- |',
  ...[...ROWS, ...ROWS.map((row) => `${row} (current portion)`)].map(
    (row, index) => `| ${row} | ${(420 + index * 3.1).toFixed(1)} | ${(400 + index * 2.7).toFixed(1)} |`,
  ),
  '| Total long-term debt including the current portion | $ 4,073.9 | $ 3,535.1 |',
].join('\n');
const ASOF = '2020-06-30';

let directory: string;
let embedder: DefaultEmbedder;
let store: EvidenceStore;
let index: MemoryIndex;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'trade-r1-table-chunks-'));
  embedder = await createDefaultEmbedder();
  store = await openEvidenceStore({ uri: directory, embedder });
  await store.add([
    {
      id: 'ACME-10K',
      tickers: ['ACME'],
      publishedAt: '2020-02-28T21:00:00Z',
      sourceKind: 'filing',
      title: 'ACME 10-K',
      text: TABLE,
    },
  ]);
  index = await createMemoryIndex({ store, tickers: ['ACME'], embedder });
});
afterAll(async () => {
  index?.close();
  await store?.close();
  await embedder?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('a table longer than a chunk', () => {
  it('stores the head lines of the table with the chunks that start inside it', async () => {
    const hits = await store.search({ query: 'total long-term debt', tickers: ['ACME'], asOf: ASOF, k: 5 });
    const last = hits.find((hit) => hit.text.includes('Total long-term debt'));
    expect(last).toBeDefined();
    expect(last?.chunkIndex).toBeGreaterThan(0);
    expect(last?.tableHead).toBe(
      TABLE.slice(0, TABLE.indexOf('| Term Loan A Facility due July 2022')).replace(/\n$/, ''),
    );
    const first = hits.find((hit) => hit.chunkIndex === 0);
    expect(first?.tableHead).toBeUndefined();
  });

  for (const path of ['store', 'memory index'] as const) {
    it(`checks a figure of a late row against its period and scale (${path})`, async () => {
      const verifier = createVerifier({ store: path === 'store' ? store : index, embedder });
      const report = (reasoning: string) =>
        verifier.verify({ ticker: 'ACME', asOf: ASOF, reasoning, decision: 'HOLD' });
      const right = await report('Total long-term debt including the current portion was $4,073.9 million in 2019.');
      expect(right.claims[0]?.checks.numbers[0]?.status).toBe('matched');
      expect(right.claims[0]?.checks.periods[0]?.status).toBe('matched');
      expect(right.claims[0]?.verdict).toBe('supported');
      // The other year's figure for 2019, and the figure in another scale, are not confirmed (the store-only reading
      // without the head confirmed neither the right figure nor its period).
      const otherYear = await report(
        'Total long-term debt including the current portion was $3,535.1 million in 2019.',
      );
      expect(otherYear.claims[0]?.checks.numbers[0]?.status).not.toBe('matched');
      expect(otherYear.claims[0]?.support).toBeLessThan(right.claims[0]?.support as number);
      const otherScale = await report(
        'Total long-term debt including the current portion was $4,073.9 billion in 2019.',
      );
      expect(otherScale.claims[0]?.checks.numbers[0]?.status).not.toBe('matched');
      await verifier.close();
    });
  }
});
