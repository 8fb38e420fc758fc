import { isTradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it('handles a BOM, quoted fields with delimiters, escaped quotes, embedded line breaks and CRLF', () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"multi\r\nline",z\r\n\r\n3,,\r\n';
    const records = parseCsv(text);
    expect(records).toEqual([
      { fields: ['a', 'b', 'c'], line: 1 },
      { fields: ['1', 'x, y', 'say "hi"'], line: 2 },
      { fields: ['2', 'multi\r\nline', 'z'], line: 3 },
      { fields: ['3', '', ''], line: 6 },
    ]);
  });

  it('handles LF and lone CR line endings and a missing final newline', () => {
    expect(parseCsv('a;b\n1;2').map((record) => record.fields)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(parseCsv('a,b\r1,2\r').map((record) => record.line)).toEqual([1, 2]);
  });

  it("honours Excel's sep= first line and keeps line numbers true to the file", () => {
    expect(parseCsv('sep=;\r\na;b\r\n1,5;2\r\n')).toEqual([
      { fields: ['a', 'b'], line: 2 },
      { fields: ['1,5', '2'], line: 3 },
    ]);
  });

  it('detects the delimiter from the header', () => {
    expect(detectDelimiter('date;open;high\n')).toBe(';');
    expect(detectDelimiter('date\topen\thigh')).toBe('\t');
    expect(detectDelimiter('"a,b";c;d')).toBe(';');
    expect(parseCsv('x\ty\n1\t2', { delimiter: '\t' })[1]?.fields).toEqual(['1', '2']);
  });

  it('raises PARSE_FAILED with the file and line for an unterminated quote or text after a quote', () => {
    try {
      parseCsv('a,b\n1,"open', { source: 'bad.csv' });
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'PARSE_FAILED')).toBe(true);
      expect((error as Error).message).toContain('bad.csv:2');
    }
    expect(() => parseCsv('a,b\n1,"x"y\n', { source: 'junk.csv' })).toThrow(
      /junk\.csv:2: unexpected text after a closing quote/,
    );
    expect(() => parseCsv('a,b', { delimiter: ',,' })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
