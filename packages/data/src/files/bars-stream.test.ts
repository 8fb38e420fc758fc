import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARED_DATA } from '../../test/shared-data.ts';
import { parseBarsCsv, readBarsFile } from './bars.ts';
import { readBarsCsvFileByTicker, streamBarsCsvFile } from './bars-stream.ts';

const folder = mkdtempSync(join(tmpdir(), 'trade-r1-stream-'));
let files = 0;
function file(text: string): string {
  files += 1;
  const path = join(folder, `bars-${files}.csv`);
  writeFileSync(path, text);
  return path;
}

describe('streamBarsCsvFile', () => {
  it('reads a multi-ticker Tushare-style file: lots ×100, per-ticker series, holiday rows warned', async () => {
    const path = file(
      [
        'ts_code,trade_date,open,high,low,close,vol',
        '600519.SH,20240607,1700,1710,1690,1705,25000',
        '000858.SZ,20240607,150,152,149,151,80000',
        '600519.SH,20240610,1705,1720,1700,1710,1000',
        '600519.SH,20240611,1710,1730,1705,1725,30000',
        '000858.SZ,20240611,151,153,150,152,90000',
      ].join('\n'),
    );
    const { bars, summary } = await readBarsCsvFileByTicker(path);
    expect(Object.keys(bars).sort()).toEqual(['000858.SZ', '600519.SH']);
    expect(bars['600519.SH']?.map((bar) => [bar.timestamp, bar.volume])).toEqual([
      ['2024-06-07', 2_500_000],
      ['2024-06-10', 100_000],
      ['2024-06-11', 3_000_000],
    ]);
    expect(summary).toMatchObject({ rowCount: 5, skippedCount: 0, units: { volumeFactor: 100, decimal: '.' } });
    // 2024-06-10 was the Dragon Boat Festival holiday in Shanghai.
    expect(summary.warnings).toEqual([expect.objectContaining({ ticker: '600519.SH', date: '2024-06-10', line: 4 })]);
  });

  it('reads ;-separated files with decimal commas and refuses a file without a ticker column', async () => {
    const text = 'Symbol;Date;Open;High;Low;Close;Volume\nSAP;2024-01-02;150,5;152,25;149,75;151,0;1.200\n';
    const { bars } = await readBarsCsvFileByTicker(file(text));
    expect(bars.SAP?.[0]).toEqual({
      timestamp: '2024-01-02',
      open: 150.5,
      high: 152.25,
      low: 149.75,
      close: 151,
      volume: 1200,
    });
    await expect(
      readBarsCsvFileByTicker(file('Date,Open,High,Low,Close,Volume\n2024-01-02,1,1,1,1,1\n')),
    ).rejects.toMatchObject({
      code: 'PARSE_FAILED',
    });
    await expect(readBarsCsvFileByTicker(join(folder, 'missing.csv'), { ticker: 'X' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('gives the same bars as the whole-file reader on a real file, in chunks of any size', async () => {
    const path = `${SHARED_DATA}prices/us/AAPL.csv`;
    const whole = await readBarsFile(path);
    for (const chunkBytes of [97, 4096, 1 << 20]) {
      const { bars } = await readBarsCsvFileByTicker(path, { ticker: 'AAPL', chunkBytes });
      expect(bars.AAPL).toEqual(whole.bars);
    }
  });

  it('matches parseBarsCsv for quoted fields and line breaks split across chunks (property)', async () => {
    const cell = fc.constantFrom('1', '2', '"3"', '"1,5"');
    const row = fc.tuple(fc.integer({ min: 0, max: 400 }), cell, fc.constantFrom('\n', '\r\n', '\r'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(row, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 64 }),
        async (rows, chunkBytes) => {
          const seen = new Set<number>();
          const unique = rows.filter(([day]) => !seen.has(day) && seen.add(day));
          const lines = unique.map(([day, volume, end]) => {
            const date = new Date(Date.UTC(2023, 0, 2) + day * 86_400_000).toISOString().slice(0, 10);
            return `"AB\nC",${date},10,12,9,11,${volume}${end}`;
          });
          const text = `name,date,open,high,low,close,volume\n${lines.join('')}`;
          const expected = parseBarsCsv(text.replace(/"AB\nC",/g, '').replace('name,', ''), { onInvalid: 'skip' });
          const { bars } = await readBarsCsvFileByTicker(file(text), { ticker: 'X', chunkBytes, onInvalid: 'skip' });
          expect(bars.X ?? []).toEqual(expected.bars);
        },
      ),
      { seed: 10, numRuns: 40 },
    );
  });

  it('yields batches without holding the file', async () => {
    const lines = ['ticker,date,open,high,low,close,volume'];
    for (let day = 0; day < 2500; day += 1) {
      const date = new Date(Date.UTC(2015, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
      lines.push(`A,${date},10,11,9,10,5`, `B,${date},20,21,19,20,7`);
    }
    const batches: number[] = [];
    const stream = streamBarsCsvFile(file(lines.join('\n')), { batchSize: 1000, chunkBytes: 8192 });
    let step = await stream.next();
    while (!step.done) {
      batches.push(step.value.bars.length);
      step = await stream.next();
    }
    expect(Math.max(...batches)).toBeLessThanOrEqual(1000);
    expect(batches.reduce((sum, count) => sum + count, 0)).toBe(5000);
    expect(step.value.rowCount).toBe(5000);
    expect(step.value.warnings.length).toBeGreaterThan(0);
  });
});
