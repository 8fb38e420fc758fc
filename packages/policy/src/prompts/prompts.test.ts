import { isTradeR1Error, parseSelectionText } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { makeBars } from '../../test/fixtures.ts';
import { buildFlagTraderPrompt, parseTradeActionText, truncateNumber } from './flag-trader.ts';
import { buildSelectionPrompt } from './selection.ts';
import { buildTradingR1Prompt } from './trading-r1.ts';

const evidence = [
  {
    id: 'news-1',
    title: 'Guidance raised',
    text: 'The company raised full-year guidance.',
    publishedAt: '2024-03-01',
    sourceKind: 'news' as const,
  },
  {
    id: 'filing-1',
    text: 'Revenue grew 12% year over year.',
    publishedAt: '2024-02-20',
    sourceKind: 'filing' as const,
  },
];

describe('buildTradingR1Prompt', () => {
  it('asks for sections, opinion–quote–source bullets and a final decision tag', () => {
    const prompt = buildTradingR1Prompt({ ticker: 'aapl', asOf: '2024-03-05', bars: makeBars(60), evidence });
    expect(prompt.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(prompt.user).toContain('<technical>');
    expect(prompt.user).toContain('<risk_assessment>');
    expect(prompt.user).toContain('*like this*');
    expect(prompt.user).toContain('`like-this`');
    expect(prompt.user).toContain('[[[STRONG BUY]]]');
    expect(prompt.user).toContain('[source: news-1]');
    expect(prompt.user).toContain('rsi14:');
    expect(prompt.user).toContain('for AAPL');
    expect(prompt.evidenceIds).toEqual(['news-1', 'filing-1']);
    expect(prompt.text.startsWith(prompt.system)).toBe(true);
  });

  it('rejects evidence and bars from after asOf', () => {
    const late = [...evidence, { id: 'late', text: 'Future news', publishedAt: '2024-03-06T00:00:01Z' }];
    expect(() => buildTradingR1Prompt({ ticker: 'AAPL', asOf: '2024-03-05', bars: [], evidence: late })).toThrow(
      expect.objectContaining({ code: 'LOOKAHEAD' }),
    );
    try {
      buildTradingR1Prompt({ ticker: 'AAPL', asOf: '2024-01-10', bars: makeBars(30), evidence: [] });
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'LOOKAHEAD')).toBe(true);
    }
  });

  it('reads asOf, bars and dates on the exchange clock (one decision clock with the verifier and data)', () => {
    const at =
      (publishedAt: string, ticker = 'NVDA', asOf = '2024-05-22') =>
      () =>
        buildTradingR1Prompt({ ticker, asOf, bars: [], evidence: [{ id: 'x', text: 'Results.', publishedAt }] });
    const lookahead = expect.objectContaining({ code: 'LOOKAHEAD' });
    // NVDA's release at 16:20 New York on 2024-05-22 came after that day's close: not in the close-of-day context.
    expect(at('2024-05-22T16:20:00-04:00')).toThrow(lookahead);
    expect(at('2024-05-22T15:59:00-04:00')).not.toThrow();
    // A date-only item may have appeared after the close: admissible from the next cutoff on.
    expect(at('2024-05-22')).toThrow(lookahead);
    expect(at('2024-05-22', 'NVDA', '2024-05-23')).not.toThrow();
    // Shanghai: 2024-06-04's close is 07:00 UTC; a bare A-share code is placed on its exchange too.
    expect(at('2024-06-04T06:59:00Z', '600519', '2024-06-04')).not.toThrow();
    expect(at('2024-06-04T07:01:00Z', '600519.SH', '2024-06-04')).toThrow(lookahead);
    expect(at('2024-06-04T07:01:00Z', '000858', '2024-06-04')).toThrow(lookahead);
    // A daily bar is complete at its session's close: the decision day's bar is in its close-of-day context.
    const bars = makeBars(3).map((bar, index) => ({ ...bar, timestamp: `2024-06-0${index + 3}` }));
    expect(() => buildTradingR1Prompt({ ticker: 'AAPL', asOf: '2024-06-05', bars, evidence: [] })).not.toThrow();
    expect(() =>
      buildTradingR1Prompt({ ticker: 'AAPL', asOf: '2024-06-05T12:00:00-04:00', bars, evidence: [] }),
    ).toThrow(lookahead);
    expect(
      buildTradingR1Prompt({ ticker: 'AAPL', asOf: '2024-06-05T20:00:00-04:00', bars, evidence: [] }).user,
    ).toContain('as of 2024-06-05.');
  });
});

describe('FLAG-Trader prompt', () => {
  it('truncates numbers to 6 characters without cutting the integer part', () => {
    expect(truncateNumber(123.456789)).toBe('123.45');
    expect(truncateNumber(0.123456789)).toBe('0.1234');
    expect(truncateNumber(12345.678)).toBe('12345');
    expect(truncateNumber(1234567.89)).toBe('1234567');
    expect(truncateNumber(-1.23456)).toBe('-1.234');
    expect(truncateNumber(42)).toBe('42');
  });

  it('renders the JSON state with the last 10 of each history', () => {
    const prices = Array.from({ length: 30 }, (_, index) => 100 + index + 0.123456);
    const prompt = buildFlagTraderPrompt({
      asset: 'MSFT',
      prices,
      cash: 1000.5,
      position: 3,
      recentRewards: Array.from({ length: 15 }, (_, index) => index / 100),
      netValues: [1000, 1001],
      actions: ['BUY', 'HOLD', 'SELL'],
    });
    expect(prompt.system).toContain('MSFT');
    expect(prompt.user).toContain('{Buy, Sell, Hold}');
    expect(prompt.user).toContain('"historical_prices": [120.12, 121.12');
    expect(prompt.user).toContain('129.12]');
    expect(prompt.user).toContain('"total_account_value": 1387.8');
    expect(prompt.user).toContain('"recent_rewards": [0.05, 0.06');
    expect(prompt.user).toContain('"actions": ["Buy", "Hold", "Sell"]');
    expect(prompt.user).toContain("{'Action': Buy}");
    expect(() => buildFlagTraderPrompt({ prices: [], cash: 0, position: 0 })).toThrow(/prices/);
  });

  it('parses FLAG-Trader answers into actions', () => {
    expect(parseTradeActionText("{'Action': Sell}")).toMatchObject({ ok: true, action: 'SELL' });
    expect(parseTradeActionText('[[[STRONG BUY]]]')).toMatchObject({ ok: true, action: 'BUY', decision: 'STRONG_BUY' });
    expect(parseTradeActionText('unclear')).toMatchObject({ ok: false, reason: 'no_decision' });
  });
});

describe('buildSelectionPrompt', () => {
  it('lists candidates and the answer format the selection parser reads', () => {
    const prompt = buildSelectionPrompt({
      asOf: '2024-03-05',
      candidates: [
        { ticker: 'AAA', bars: makeBars(25), evidence },
        { ticker: 'BBB', bars: makeBars(25) },
      ],
      maxSelections: 1,
    });
    expect(prompt.tickers).toEqual(['AAA', 'BBB']);
    expect(prompt.user).toContain('choose at most 1');
    expect(prompt.user).toContain('### BBB');
    expect(prompt.user).toContain('<selection>{"selections"');
    const example = /<selection>.*<\/selection>/.exec(prompt.user)?.[0] ?? '';
    expect(parseSelectionText(example)).toMatchObject({ ok: true, format: 'json' });
  });
});
