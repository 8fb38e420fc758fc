import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TradeR1Error } from '@trade-r1/core';
import { afterAll, describe, expect, it } from 'vitest';
import { cellValue, headerScale, measureOf, parseTable, readTatqa, renderTable, TATQA_FILES } from './read.ts';

const directory = mkdtempSync(join(tmpdir(), 'tatqa-read-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('TAT-QA tables', () => {
  it('reads cells as numbers', () => {
    expect(cellValue('1,496.5')).toBe(1496.5);
    expect(cellValue('$ 1,452.4')).toBe(1452.4);
    expect(cellValue('(3,491,626)')).toBe(-3491626);
    expect(cellValue('40.0%')).toBe(40);
    expect(cellValue('Total')).toBeNull();
    expect(cellValue('')).toBeNull();
  });

  it('reads scales and currencies from headers', () => {
    expect(headerScale('2019 €m')).toEqual({ scale: 'million', currency: '€' });
    expect(headerScale('US$’000')).toEqual({ scale: 'thousand', currency: 'US$' });
    expect(headerScale('Appropriation of earnings (in thousand NT dollars)')).toEqual({
      scale: 'thousand',
      currency: 'NT$',
    });
    expect(headerScale('Net sales (in thousands)')).toEqual({ scale: 'thousand', currency: null });
    expect(measureOf('Years Ended September 30, 2019')).toBe('');
    expect(measureOf('Fiscal Year 2018 % of Total')).toBe('% total');
  });

  it('finds header rows, carries spanning headers and gives each column its period and unit', () => {
    const table = parseTable([
      ['', 'Appropriation of earnings (in thousand NT dollars)', '', 'Cash dividend per share (NT dollars)', ''],
      ['', '2018', '2019', '2018', '2019'],
      ['Legal reserve', '$707,299', '$963,947', '', ''],
      ['Cash dividends', '6,916,105', '9,765,155', '$0.58', '$0.75'],
    ]);
    expect(table.headerRows).toBe(2);
    expect(table.columns.map((column) => column.period)).toEqual([null, '2018', '2019', '2018', '2019']);
    expect(table.columns[2]).toMatchObject({ scale: 'thousand', currency: 'NT$', unscaled: false });
    // The per-share columns carry no scale although the table's other columns are in thousands.
    expect(table.columns[4]).toMatchObject({ scale: null, currency: 'NT$', unscaled: true });
    expect(table.columns[1]?.measure).not.toBe(table.columns[3]?.measure);
    expect(table.body.map((row) => row.label)).toEqual(['Legal reserve', 'Cash dividends']);
    expect(table.body[1]?.values).toEqual([null, 6916105, 9765155, 0.58, 0.75]);
  });

  it('renders a pipe table with the rule under the headers and a caption only when the headers lack a scale', () => {
    const table = parseTable([
      ['', '', 'Years Ended September 30,', ''],
      ['', '2019', '2018', '2017'],
      ['Total sales', '$1,496.5', '$1,202.9', '$1,107.7'],
    ]);
    expect(renderTable(table, 'million')).toBe(
      [
        '(in millions)',
        '|  |  | Years Ended September 30, |  |',
        '|  | 2019 | 2018 | 2017 |',
        '| --- | --- | --- | --- |',
        '| Total sales | $1,496.5 | $1,202.9 | $1,107.7 |',
      ].join('\n'),
    );
    expect(table.columns.map((column) => column.period)).toEqual([null, '2019', '2018', '2017']);
    const scaled = parseTable([
      ['Net sales (in thousands)', '2018', '2019'],
      ['Total', '1', '2'],
    ]);
    expect(renderTable(scaled, 'thousand').startsWith('| Net sales (in thousands) |')).toBe(true);
  });

  it('reads a file, rejects a malformed one by field, and returns null when absent', () => {
    const file = join(directory, 'bad.json');
    writeFileSync(file, JSON.stringify([{ table: { uid: 'x', table: [['a', 1]] }, paragraphs: [], questions: [] }]));
    expect(() => readTatqa(file)).toThrow(TradeR1Error);
    expect(() => readTatqa(file)).toThrow(/0\.table\.table\.0\.1/);
    expect(readTatqa(join(directory, 'missing.json'))).toBeNull();
    expect(readTatqa(TATQA_FILES.dev)).toHaveLength(278);
    expect(readTatqa(TATQA_FILES.test)).toHaveLength(277);
  });
});
