import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTradeR1Error, type TradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasSharedData, SHARED_DATA } from '../../test/shared-data.ts';
import { parseBarsCsv, parseBarsJson, parseBarsNdjson, readBarsFile } from './bars.ts';

function caught(run: () => unknown): TradeR1Error {
  try {
    run();
  } catch (error) {
    if (isTradeR1Error(error)) return error;
    throw error;
  }
  throw new Error('expected a TradeR1Error');
}

async function caughtAsync(run: () => Promise<unknown>): Promise<TradeR1Error> {
  try {
    await run();
  } catch (error) {
    if (isTradeR1Error(error)) return error;
    throw error;
  }
  throw new Error('expected a TradeR1Error');
}

describe.skipIf(!hasSharedData('prices/us'))('real files in ../shared/data', () => {
  it('reads the Yahoo layout with time-zone-offset dates (AAPL) as trading dates', async () => {
    const result = await readBarsFile(`${SHARED_DATA}prices/us/AAPL.csv`);
    expect(result.bars).toHaveLength(2766);
    expect(result.rowCount).toBe(2766);
    expect(result.skipped).toEqual([]);
    expect(result.bars[0]).toEqual({
      timestamp: '2015-01-02',
      open: 24.648443422251393,
      high: 24.659508126434403,
      low: 23.754469685489944,
      close: 24.19260597229004,
      volume: 212818400,
    });
    expect(result.bars.at(-1)?.timestamp).toBe('2025-12-31');
    // One row has high below close by 1e-16 relative (float noise in adjusted prices): repaired, not rejected.
    expect(result.repairedCount).toBe(1);
    const repaired = result.bars.find((bar) => bar.timestamp === '2017-02-24');
    expect(repaired?.high).toBe(repaired?.close);
  });

  it('reads the reordered layout (SPY: Date, Close, High, Low, Open, Volume) by header name', async () => {
    const result = await readBarsFile(`${SHARED_DATA}prices/us/SPY.csv`);
    expect(result.bars).toHaveLength(8347);
    expect(result.bars[0]).toEqual({
      timestamp: '1993-01-29',
      open: 24.192586597643402,
      high: 24.192586597643402,
      low: 24.072225470291944,
      close: 24.175392150878906,
      volume: 1003200,
    });
    expect(result.columns).toEqual({
      date: 'Date',
      open: 'Open',
      high: 'High',
      low: 'Low',
      close: 'Close',
      volume: 'Volume',
    });
  });

  it('reads the plain date layout (TSLA) and every A-share file', async () => {
    const tsla = await readBarsFile(`${SHARED_DATA}prices/us/TSLA_2013-2023.csv`);
    expect(tsla.bars).toHaveLength(2768);
    expect(tsla.bars[0]?.close).toBeCloseTo(2.357332944869995, 12);
    const moutai = await readBarsFile(`${SHARED_DATA}cn/600519.SH.csv`);
    expect(moutai.bars).toHaveLength(1455);
    const day = moutai.bars.find((bar) => bar.timestamp === '2024-01-02');
    expect(day).toEqual({
      timestamp: '2024-01-02',
      open: 1715,
      high: 1718.19,
      low: 1678.1,
      close: 1685.01,
      volume: 3215644,
    });
    for (const file of ['000300.SH', '000858.SZ', '300750.SZ', '600036.SH', '601318.SH']) {
      const result = await readBarsFile(`${SHARED_DATA}cn/${file}.csv`);
      expect(result.bars.length, file).toBeGreaterThan(1300);
      expect(result.repairedCount, file).toBe(0);
    }
  });
});

describe('parseBarsCsv', () => {
  it('maps Chinese headers (日期, 开盘, 收盘, 最高, 最低, 成交量) in any order, with a BOM, CRLF and quotes', () => {
    const text =
      '\uFEFF日期,收盘,开盘,最高,最低,成交量,成交额\r\n"2024-01-03",101.5,100,"102",99.5,"1,234,500",9\r\n2024/1/4,102,101.5,103,101,2000,9\r\n';
    const result = parseBarsCsv(text, { source: 'cn.csv' });
    expect(result.bars).toEqual([
      { timestamp: '2024-01-03', open: 100, high: 102, low: 99.5, close: 101.5, volume: 1234500 },
      { timestamp: '2024-01-04', open: 101.5, high: 103, low: 101, close: 102, volume: 2000 },
    ]);
  });

  it('sorts newest-first files ascending and reads compact dates and $ prices', () => {
    const text =
      'Date,Close/Last,Volume,Open,High,Low\n20240105,$12.5,100,$12,$13,$11.5\n20240104,$12,100,$11,$12.5,$10.5\n';
    const result = parseBarsCsv(text);
    expect(result.bars.map((bar) => bar.timestamp)).toEqual(['2024-01-04', '2024-01-05']);
    expect(result.bars[1]?.close).toBe(12.5);
  });

  it('turns a date with a time-zone offset into the trading date as written', () => {
    const text =
      'date,open,high,low,close,volume\n2024-01-05 00:00:00-05:00,1,2,0.5,1.5,10\n2024-01-08T09:30:00+08:00,1,2,0.5,1.5,10\n';
    expect(parseBarsCsv(text).bars.map((bar) => bar.timestamp)).toEqual(['2024-01-05', '2024-01-08']);
  });

  it.each([
    [
      'a non-number',
      'date,open,high,low,close,volume\n2024-01-02,1,2,0.5,abc,10\n',
      'INVALID_BAR',
      2,
      /close .* "abc", not a number/,
    ],
    [
      'an empty cell',
      'date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1,10\n2024-01-03,1,,0.5,1,10\n',
      'INVALID_BAR',
      3,
      /high .* an empty value/,
    ],
    ['NaN text', 'date,open,high,low,close,volume\n2024-01-02,NaN,2,0.5,1,10\n', 'INVALID_BAR', 2, /open/],
    ['high below low', 'date,open,high,low,close,volume\n2024-01-02,1,0.9,0.95,1,10\n', 'INVALID_BAR', 2, /high/],
    ['a negative volume', 'date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1,-5\n', 'INVALID_BAR', 2, /volume/],
    ['a bad date', 'date,open,high,low,close,volume\n2024-02-30,1,2,0.5,1,5\n', 'INVALID_BAR', 2, /date/],
    [
      'a short row',
      'date,open,high,low,close,volume\n2024-01-02,1,2,0.5\n',
      'INVALID_BAR',
      2,
      /4 field\(s\), the header has 6/,
    ],
    [
      'a duplicate date',
      'date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1,5\n2024-01-02,1,2,0.5,1,5\n',
      'INVALID_SERIES',
      3,
      /duplicate date 2024-01-02 \(also on line 2\)/,
    ],
    ['a zero price', 'date,open,high,low,close,volume\n2024-01-02,0,2,0,1,5\n', 'INVALID_BAR', 2, /positive/],
  ])('raises a typed error naming file and line for %s', (_, text, code, line, message) => {
    const error = caught(() => parseBarsCsv(text, { source: 'prices.csv' }));
    expect(error.code).toBe(code);
    expect(error.message).toContain(`prices.csv:${line}:`);
    expect(error.message).toMatch(message);
    expect(error.details).toMatchObject({ file: 'prices.csv', line });
  });

  it('raises PARSE_FAILED naming the missing columns and the headers found', () => {
    const error = caught(() =>
      parseBarsCsv('Date,Open,High,Low,Adj Close\n2024-01-02,1,2,0.5,1\n', { source: 'x.csv' }),
    );
    expect(error.code).toBe('PARSE_FAILED');
    expect(error.message).toContain('missing column(s) close, volume');
    expect(caught(() => parseBarsCsv('', { source: 'empty.csv' })).code).toBe('PARSE_FAILED');
    expect(caught(() => parseBarsCsv('a,b\n1,2', { columns: { close: 'Nope' } })).code).toBe('PARSE_FAILED');
  });

  it("with onInvalid: 'skip' keeps the good rows and reports every skipped one", () => {
    const text = [
      'date,open,high,low,close,volume',
      '2024-01-02,1,2,0.5,1,10',
      '2024-01-03,1,2,0.5,oops,10',
      '2024-01-04,1,2,0.5,1,10',
      '2024-01-04,1,2,0.5,1,11',
      'not-a-date,1,2,0.5,1,10',
      '2024-01-05,1,2,0.5,1',
    ].join('\n');
    const result = parseBarsCsv(text, { onInvalid: 'skip', source: 's.csv' });
    expect(result.bars.map((bar) => bar.timestamp)).toEqual(['2024-01-02', '2024-01-04']);
    expect(result.rowCount).toBe(6);
    expect(result.skipped.map((row) => [row.line, row.code])).toEqual([
      [3, 'INVALID_BAR'],
      [5, 'INVALID_SERIES'],
      [6, 'INVALID_BAR'],
      [7, 'INVALID_BAR'],
    ]);
  });

  it("adjusts by 'Adj Close' when asked, and fills volume 0 only when asked", () => {
    const text = 'Date,Open,High,Low,Close,Adj Close\n2024-01-02,10,12,9,11,5.5\n';
    const adjusted = parseBarsCsv(text, { adjust: 'adjClose', missingVolume: 'zero' });
    expect(adjusted.bars[0]).toEqual({ timestamp: '2024-01-02', open: 5, high: 6, low: 4.5, close: 5.5, volume: 0 });
    expect(parseBarsCsv(text, { missingVolume: 'zero' }).bars[0]?.close).toBe(11);
    expect(caught(() => parseBarsCsv(text)).code).toBe('PARSE_FAILED');
  });

  it('never returns a NaN or a non-finite number, whatever the cells hold (property)', () => {
    const cell = fc.oneof(
      fc.constantFrom('', 'NaN', 'Infinity', '-1', '1e400', '1,5', '  2 ', '0x10', '1.2.3', '$', '-', '.', '3.'),
      fc.double({ noNaN: false }).map(String),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(cell, cell, cell, cell, cell), { minLength: 1, maxLength: 8 }), (rows) => {
        const text = [
          'date,open,high,low,close,volume',
          ...rows.map(
            (row, index) =>
              `2024-01-${String(index + 1).padStart(2, '0')},${row.map((value) => `"${value.replace(/"/g, '""')}"`).join(',')}`,
          ),
        ].join('\n');
        try {
          const result = parseBarsCsv(text, { onInvalid: 'skip' });
          expect(result.bars.length + result.skipped.length).toBe(rows.length);
          for (const bar of result.bars) {
            for (const value of [bar.open, bar.high, bar.low, bar.close, bar.volume])
              expect(Number.isFinite(value)).toBe(true);
          }
        } catch (error) {
          expect(isTradeR1Error(error)).toBe(true);
        }
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('JSON and NDJSON', () => {
  it('reads an array of rows, a wrapped array and a columnar object', () => {
    const rows = [
      { Date: '2024-01-02', Open: 1, High: 2, Low: 0.5, Close: 1.5, Volume: 10 },
      { Date: '2024-01-03', Open: '1.5', High: '2.5', Low: '1', Close: '2', Volume: '20' },
    ];
    const expected = [
      { timestamp: '2024-01-02', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
      { timestamp: '2024-01-03', open: 1.5, high: 2.5, low: 1, close: 2, volume: 20 },
    ];
    expect(parseBarsJson(JSON.stringify(rows)).bars).toEqual(expected);
    expect(parseBarsJson(JSON.stringify({ data: rows })).bars).toEqual(expected);
    const columnar = {
      date: ['2024-01-02', '2024-01-03'],
      open: [1, 1.5],
      high: [2, 2.5],
      low: [0.5, 1],
      close: [1.5, 2],
      volume: [10, 20],
    };
    expect(parseBarsJson(JSON.stringify(columnar)).bars).toEqual(expected);
    expect(parseBarsJson(JSON.stringify({ bars: columnar })).bars).toEqual(expected);
  });

  it('rejects malformed JSON, unknown shapes and null cells with typed errors', () => {
    expect(caught(() => parseBarsJson('{"a":', { source: 'b.json' })).code).toBe('PARSE_FAILED');
    expect(caught(() => parseBarsJson('42')).code).toBe('PARSE_FAILED');
    const error = caught(() =>
      parseBarsJson(JSON.stringify([{ date: '2024-01-02', open: null, high: 2, low: 1, close: 1.5, volume: 1 }]), {
        source: 'n.json',
      }),
    );
    expect(error.code).toBe('INVALID_BAR');
    expect(error.details).toMatchObject({ file: 'n.json', line: 1 });
  });

  it('reads NDJSON and reports a malformed line by number', () => {
    const text =
      '{"date":"2024-01-02","open":1,"high":2,"low":0.5,"close":1.5,"volume":10}\n\n{"date":"2024-01-03",\n{"date":"2024-01-04","open":1,"high":2,"low":0.5,"close":1.5,"volume":10}\n';
    const error = caught(() => parseBarsNdjson(text, { source: 'b.ndjson' }));
    expect(error.code).toBe('PARSE_FAILED');
    expect(error.message).toContain('b.ndjson:3');
    const skipped = parseBarsNdjson(text, { onInvalid: 'skip' });
    expect(skipped.bars).toHaveLength(2);
    expect(skipped.skipped).toEqual([expect.objectContaining({ line: 3, code: 'PARSE_FAILED' })]);
  });
});

describe('readBarsFile', () => {
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-bars-'));

  it('infers the format from the extension and names the file in errors', async () => {
    writeFileSync(
      join(directory, 'a.jsonl'),
      '{"date":"2024-01-02","open":1,"high":2,"low":0.5,"close":1.5,"volume":10}\n',
    );
    expect((await readBarsFile(join(directory, 'a.jsonl'))).bars).toHaveLength(1);
    writeFileSync(join(directory, 'bad.csv'), 'date,open,high,low,close,volume\n2024-01-02,1,2,0.5,x,10\n');
    const error = await caughtAsync(() => readBarsFile(join(directory, 'bad.csv')));
    expect(error.message).toContain(`${join(directory, 'bad.csv')}:2:`);
  });

  it('raises NOT_FOUND for a missing file, PARSE_FAILED for invalid UTF-8 and INVALID_CONFIG for bad options', async () => {
    expect((await caughtAsync(() => readBarsFile(join(directory, 'missing.csv')))).code).toBe('NOT_FOUND');
    writeFileSync(join(directory, 'latin1.csv'), Buffer.from([0x64, 0x61, 0x74, 0x65, 0x0a, 0xff, 0xfe, 0x0a]));
    expect((await caughtAsync(() => readBarsFile(join(directory, 'latin1.csv')))).code).toBe('PARSE_FAILED');
    expect(
      (await caughtAsync(() => readBarsFile(join(directory, 'a.jsonl'), { onInvalid: 'ignore' as 'skip' }))).code,
    ).toBe('INVALID_CONFIG');
  });

  it('decodes GBK-encoded Chinese CSVs with encoding: "gbk"', async () => {
    // "日期,开盘,最高,最低,收盘,成交量" in GBK, then one ASCII row.
    const header = Buffer.from('c8d5c6da2cbfaac5cc2cd7eeb8df2cd7eeb5cd2ccad5c5cc2cb3c9bdbbc1bf0a', 'hex');
    writeFileSync(join(directory, 'gbk.csv'), Buffer.concat([header, Buffer.from('2024-01-02,10,11,9,10.5,100\n')]));
    const result = await readBarsFile(join(directory, 'gbk.csv'), { encoding: 'gbk' });
    expect(result.bars).toEqual([{ timestamp: '2024-01-02', open: 10, high: 11, low: 9, close: 10.5, volume: 100 }]);
  });
});

describe('silent CSV errors caught', () => {
  it('reads decimal commas in ;-separated files instead of thousands (×1000)', () => {
    const result = parseBarsCsv(
      'Date;Open;High;Low;Close;Volume\n2024-01-02;12,5;13,25;12,1;13,0;1.234\n2024-01-03;13,0;13,5;12,75;13,25;2.000\n',
    );
    expect(result.bars[0]).toEqual({
      timestamp: '2024-01-02',
      open: 12.5,
      high: 13.25,
      low: 12.1,
      close: 13,
      volume: 1234,
    });
    expect(result.units.decimal).toBe(',');
    // A comma-separated file keeps `1,234.5` as grouping.
    expect(
      parseBarsCsv('Date,Open,High,Low,Close,Volume\n2024-01-02,"1,234.5","1,240",1230,1235,10\n').bars[0]?.open,
    ).toBe(1234.5);
  });

  it('converts lot volumes (手, Tushare vol) to shares', () => {
    const akshare = parseBarsCsv('日期,开盘,最高,最低,收盘,成交量(手)\n2024-06-03,1700,1710,1690,1705,25000\n');
    expect(akshare.bars[0]?.volume).toBe(2_500_000);
    const tushare = parseBarsCsv(
      'ts_code,trade_date,open,high,low,close,vol\n600519.SH,20240603,1700,1710,1690,1705,25000\n',
    );
    expect(tushare.bars[0]?.volume).toBe(2_500_000);
    expect(tushare.units.volumeFactor).toBe(100);
    const asShares = parseBarsCsv(
      'ts_code,trade_date,open,high,low,close,vol\n600519.SH,20240603,1700,1710,1690,1705,25000\n',
      {
        volumeUnit: 'shares',
      },
    );
    expect(asShares.bars[0]?.volume).toBe(25_000);
  });

  it('warns about weekend and holiday rows', () => {
    const text =
      'date,open,high,low,close,volume\n2024-06-07,1,1,1,1,1\n2024-06-08,1,1,1,1,1\n2024-06-10,1,1,1,1,1\n2024-06-11,1,1,1,1,1\n';
    expect(parseBarsCsv(text).warnings).toEqual([{ line: 3, date: '2024-06-08', reason: '2024-06-08 is a Saturday' }]);
    // 2024-06-10 is the Dragon Boat Festival in Shanghai.
    expect(parseBarsCsv(text, { exchange: 'SSE' }).warnings.map((warning) => warning.date)).toEqual([
      '2024-06-08',
      '2024-06-10',
    ]);
  });

  it('refuses two headers that map to one field', () => {
    expect(() => parseBarsCsv('Date,Open,High,Low,Close,Price,Volume\n2024-01-02,1,1,1,1,1,1\n')).toThrowError(
      expect.objectContaining({
        code: 'PARSE_FAILED',
        details: expect.objectContaining({ field: 'close', headers: ['Close', 'Price'] }),
      }),
    );
    expect(
      parseBarsCsv('Date,Open,High,Low,Close,Price,Volume\n2024-01-02,1,1,1,1,2,1\n', { columns: { close: 'Close' } })
        .bars[0]?.close,
    ).toBe(1);
  });
});
