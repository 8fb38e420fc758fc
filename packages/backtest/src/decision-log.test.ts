import { isTradeR1Error, type TradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import {
  DecisionLog,
  parseCsvRecords,
  parseDecisionLog,
  parseDecisionLogCsv,
  parseDecisionLogJson,
} from './decision-log.ts';
import { runBacktestSync } from './engine.ts';
import { createPricePanel } from './panel.ts';

function caught(run: () => unknown): TradeR1Error {
  try {
    run();
  } catch (error) {
    if (isTradeR1Error(error)) return error;
    throw error;
  }
  throw new Error('expected a TradeR1Error');
}

describe('parseDecisionLog', () => {
  it('validates, normalises and sorts rows', () => {
    const log = parseDecisionLog([
      { date: '2024-01-05', ticker: 'msft', decision: 'strong buy' },
      { date: '2024-01-04T20:00:00-05:00', ticker: 'AAPL', decision: 'Sell', score: -0.4 },
      { date: '2024-01-04', ticker: 'NVDA', score: 2 },
    ]);
    expect(log.rows.map((row) => [row.date, row.ticker, row.decision, row.score, row.index])).toEqual([
      ['2024-01-04', 'AAPL', 'SELL', -0.4, 1],
      ['2024-01-04', 'NVDA', undefined, 2, 2],
      ['2024-01-05', 'MSFT', 'STRONG_BUY', undefined, 0],
    ]);
    expect(log.tickers()).toEqual(['AAPL', 'NVDA', 'MSFT']);
    expect(parseDecisionLog(log)).toBe(log);
    expect(DecisionLog.isDecisionLog(log)).toBe(true);
  });

  it('names the bad row', () => {
    const error = caught(() =>
      parseDecisionLog([
        { date: '2024-01-05', ticker: 'MSFT', decision: 'BUY' },
        { date: '2024-02-30', ticker: 'MSFT', decision: 'BUY' },
      ]),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('decision log row 1');
    expect(error.details).toMatchObject({ row: 1 });
    expect(caught(() => parseDecisionLog([{ date: '2024-01-05', ticker: 'MSFT' }])).message).toMatch(
      /needs a decision or a score/,
    );
    expect(caught(() => parseDecisionLog([{ date: '2024-01-05', ticker: 'MSFT', decision: 'MAYBE' }])).code).toBe(
      'INVALID_INPUT',
    );
    expect(
      caught(() => parseDecisionLog([{ date: '2024-01-05', ticker: 'MSFT', score: Number.NaN }])).message,
    ).toContain('row 0');
  });

  it('rejects two decisions for one ticker on one date, naming both rows', () => {
    const error = caught(() =>
      parseDecisionLog([
        { date: '2024-01-05', ticker: 'MSFT', decision: 'BUY' },
        // 12:00 New York on 2024-01-05: during that session, so it fills at the next open like a decision at its close.
        { date: '2024-01-05T17:00:00Z', ticker: 'MSFT', decision: 'SELL' },
      ]),
    );
    expect(error.details).toMatchObject({ row: 1, duplicateOf: 0 });
  });
});

describe('decision times on the exchange clock (issue 13, item 2)', () => {
  const dateOf = (date: string, ticker: string, exchange?: string): string =>
    (parseDecisionLog([{ date, ticker, decision: 'BUY', ...(exchange && { exchange }) }]).rows[0] as { date: string })
      .date;

  it('reduces an instant to the bar before its fill, whatever zone it is written in', () => {
    // 23:00 New York on 2024-06-03 is 11:00 on 2024-06-04 in Shanghai, after that day's open: the fill is the
    // 2024-06-05 open, so the decision sits on the 2024-06-04 bar, the same for the UTC spelling of the instant.
    expect(dateOf('2024-06-03T23:00-04:00', '600519.SH')).toBe('2024-06-04');
    expect(dateOf('2024-06-04T03:00:00Z', '600519.SH')).toBe('2024-06-04');
    // Before the Shanghai open (09:30 = 01:30Z): filled at that day's open, so it sits on the bar before.
    expect(dateOf('2024-06-04T01:00:00Z', '600519.SH')).toBe('2024-06-03');
    // Offset-less times are read in the exchange's zone; a named exchange overrides the ticker's.
    expect(dateOf('2024-06-04 09:00', '600519.SH')).toBe('2024-06-03');
    expect(dateOf('2024-06-04 09:00', 'AAPL')).toBe('2024-06-03');
    expect(dateOf('2024-06-04 09:00', 'AAPL', 'SSE')).toBe('2024-06-03');
    expect(dateOf('2024-06-04 10:00', 'AAPL', 'SSE')).toBe('2024-06-04');
  });

  it('rejects absurd offsets and foreign tickers it has no calendar for', () => {
    for (const [date, ticker] of [
      ['2024-06-03T23:00-14:00', '600519.SH'],
      ['2024-06-03T10:00:00Z', 'VOD.L'],
    ] as const) {
      const error = caught(() => parseDecisionLog([{ date, ticker, decision: 'BUY' }]));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.issues.map((issue) => issue.path)).toContain('date');
    }
  });

  it('fills at the first open after the decision time in the engine', () => {
    const dates = ['2024-06-03', '2024-06-04', '2024-06-05', '2024-06-06'];
    const panel = createPricePanel({
      dates,
      tickers: ['600519.SH'],
      open: [[10, 11, 12, 13]],
      close: [[10.5, 11.5, 12.5, 13.5]],
    });
    const result = runBacktestSync({
      panel,
      decisions: [{ date: '2024-06-03T23:00-04:00', ticker: '600519.SH', decision: 'STRONG_BUY' }],
      strategy: { type: 'decisions' },
    });
    expect(result.trades[0]).toMatchObject({ date: '2024-06-05', decidedAt: '2024-06-04', ticker: '600519.SH' });
  });
});

describe('CSV and JSON', () => {
  it('parses RFC 4180 records with quotes, commas and line breaks', () => {
    const records = parseCsvRecords('a,b\r\n"x, y","he said ""hi""\nthere"\n\n3,4');
    expect(records).toEqual([
      { fields: ['a', 'b'], line: 1 },
      { fields: ['x, y', 'he said "hi"\nthere'], line: 2 },
      { fields: ['3', '4'], line: 5 },
    ]);
    expect(() => parseCsvRecords('a\n"open')).toThrow(/Unterminated/);
  });

  it('finds columns by name and reports the line of a bad row', () => {
    const log = parseDecisionLogCsv(
      'Symbol,Comment,Date,Action\nMSFT,"bullish, strong",2024-01-05,STRONG_BUY\nAAPL,,2024-01-05,hold\n',
    );
    expect(log.rows.map((row) => [row.ticker, row.decision, row.line])).toEqual([
      ['MSFT', 'STRONG_BUY', 2],
      ['AAPL', 'HOLD', 3],
    ]);
    const scores = parseDecisionLogCsv('date,ticker,score\n2024-01-05,A,1.5e-1\n2024-01-05,B,-2\n');
    expect(scores.rows.map((row) => row.score)).toEqual([0.15, -2]);
    const error = caught(() => parseDecisionLogCsv('date,ticker,score\n2024-01-05,A,1\n2024-01-06,B,high\n'));
    expect(error.message).toContain('row 1 (line 3)');
    expect(error.details).toMatchObject({ row: 1, line: 3 });
    expect(caught(() => parseDecisionLogCsv('when,ticker,decision\n')).code).toBe('PARSE_FAILED');
    expect(caught(() => parseDecisionLogCsv('')).code).toBe('PARSE_FAILED');
  });

  it('parses JSON arrays, { decisions } objects and JSON Lines', () => {
    const rows = [
      { date: '2024-01-05', ticker: 'A', decision: 'BUY' },
      { date: '2024-01-08', ticker: 'A', decision: 'SELL' },
    ];
    expect(parseDecisionLogJson(JSON.stringify(rows)).size).toBe(2);
    expect(parseDecisionLogJson(JSON.stringify({ decisions: rows })).size).toBe(2);
    const lines = rows.map((row) => JSON.stringify(row)).join('\n');
    expect(parseDecisionLogJson(lines).rows.map((row) => row.line)).toEqual([1, 2]);
    const error = caught(() => parseDecisionLogJson(`${lines}\n\n{"date":"2024-01-09","ticker":"A","decision":"UP"}`));
    expect(error.details).toMatchObject({ row: 2, line: 4 });
    expect(caught(() => parseDecisionLogJson('{"rows": []}')).code).toBe('PARSE_FAILED');
    expect(caught(() => parseDecisionLogJson('{oops')).code).toBe('PARSE_FAILED');
  });
});
