import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTradeR1Error } from '../index.ts';
import { parseSelectionText, parseSelectionTextOrThrow } from './selection.ts';

describe('parseSelectionText', () => {
  it('reads a <selection> JSON block', () => {
    const result = parseSelectionText(
      'Reasoning… <selection>{"selections": [{"ticker": "aapl", "weight": 0.5}, {"ticker": "MSFT", "weight": "30%"}]}</selection>',
    );
    expect(result).toMatchObject({
      ok: true,
      format: 'json',
      selection: {
        selections: [
          { ticker: 'AAPL', weight: 0.5 },
          { ticker: 'MSFT', weight: 0.3 },
        ],
      },
    });
  });

  it('accepts several JSON shapes, single quotes and trailing commas', () => {
    const tickers = (text: string) => {
      const result = parseSelectionText(text);
      return result.ok ? result.selection.selections.map((item) => item.ticker) : result.reason;
    };
    expect(tickers('{"tickers": ["NVDA", "AMD"]}')).toEqual(['NVDA', 'AMD']);
    expect(tickers("Final: {'selections': [{'ticker': 'JNJ',},]}")).toEqual(['JNJ']);
    expect(tickers('```json\n["TSLA"]\n```')).toEqual(['TSLA']);
    expect(tickers('I pick [[[AAPL, MSFT]]]')).toEqual(['AAPL', 'MSFT']);
    expect(tickers('Selected: HON, UVV and JNJ')).toEqual(['HON', 'UVV', 'JNJ']);
    expect(tickers('{"selections": []}')).toEqual([]);
  });

  it('takes the last JSON block', () => {
    const result = parseSelectionText('draft {"tickers": ["A"]} final {"tickers": ["B"]}');
    expect(result.ok && result.selection.selections[0]?.ticker).toBe('B');
  });

  it('fails with typed reasons', () => {
    expect(parseSelectionText('')).toMatchObject({ ok: false, reason: 'empty' });
    expect(parseSelectionText('no answer')).toMatchObject({ ok: false, reason: 'no_selection' });
    expect(parseSelectionText('{"tickers": ["A", "A"]}')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(
      parseSelectionText('{"selections": [{"ticker": "A", "weight": 0.8}, {"ticker": "B", "weight": 0.5}]}'),
    ).toMatchObject({ ok: false, reason: 'invalid' });
    expect(parseSelectionText('{"tickers": ["ZZZ"]}', { candidates: ['AAPL'] })).toMatchObject({
      ok: false,
      reason: 'unknown_ticker',
    });
    expect(parseSelectionText('{"tickers": ["A", "B"]}', { maxSelections: 1 })).toMatchObject({
      ok: false,
      reason: 'too_many',
    });
    expect(parseSelectionText('{"tickers": []}', { allowEmpty: false })).toMatchObject({
      ok: false,
      reason: 'no_selection',
    });
    expect(() => parseSelectionTextOrThrow('nothing')).toThrow(/selection/);
    try {
      parseSelectionTextOrThrow('{"tickers": ["bad ticker!"]}');
    } catch (error) {
      expect(isTradeR1Error(error, 'PARSE_FAILED')).toBe(true);
    }
  });

  it('never throws on arbitrary input (property)', () => {
    const noisy = fc.array(
      fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.constantFrom('{', '}', '[', ']', '"tickers"', ':', ',', '"A"', "'", '<selection>'),
      ),
      { maxLength: 50 },
    );
    fc.assert(
      fc.property(noisy, (parts) => {
        const result = parseSelectionText(parts.join(''));
        expect(typeof result.ok).toBe('boolean');
      }),
      { seed: 3, numRuns: 400 },
    );
  });
});
