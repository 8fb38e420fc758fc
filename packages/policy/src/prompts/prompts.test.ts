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
