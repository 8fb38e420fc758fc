// The README's parser and prompt examples, executed (docs that run).
import { describe, expect, it } from 'vitest';
import {
  buildFlagTraderPrompt,
  buildSelectionPrompt,
  buildTradingR1Prompt,
  createAnalystTemplatePolicy,
  parseDecisionText,
  parseDecisionTextOrThrow,
  parseSelectionText,
} from '../src/index.ts';
import { makeBars } from './fixtures.ts';

const bars = makeBars(60);
const evidence = [
  {
    id: 'n1',
    title: 'Beat',
    text: 'Revenue grew and guidance was raised.',
    publishedAt: '2024-03-01',
    sourceKind: 'news' as const,
  },
];

describe('README examples', () => {
  it('parses decisions as documented', () => {
    expect(parseDecisionText('…momentum is intact.\n[[[STRONG BUY]]]')).toMatchObject({
      ok: true,
      decision: 'STRONG_BUY',
      match: { kind: 'tag', inTail: true },
    });
    expect(parseDecisionText("{'Action': 'Sell'}")).toMatchObject({ ok: true, decision: 'SELL' });
    expect(parseDecisionText('This is not a buy.')).toMatchObject({
      ok: false,
      code: 'PARSE_FAILED',
      reason: 'negated',
    });
    expect(parseDecisionTextOrThrow('Decision: hold')).toBe('HOLD');
    expect(
      parseSelectionText('<selection>{"selections":[{"ticker":"AAPL","weight":0.5}]}</selection>', {
        candidates: ['AAPL', 'MSFT'],
      }),
    ).toMatchObject({ ok: true, selection: { selections: [{ ticker: 'AAPL', weight: 0.5 }] } });
  });

  it('builds the documented prompts and runs the analyst template', () => {
    const { messages, text, evidenceIds } = buildTradingR1Prompt({
      ticker: 'AAPL',
      asOf: '2024-03-05',
      bars,
      evidence,
    });
    expect(messages).toHaveLength(2);
    expect(text).toContain('[[[BUY]]]');
    expect(evidenceIds).toEqual(['n1']);
    const prices = bars.map((bar) => bar.close);
    expect(
      buildFlagTraderPrompt({ prices, cash: 10_000, position: 0, recentRewards: [], netValues: [], actions: [] }).user,
    ).toContain('"cash_balance": 10000');
    expect(
      buildSelectionPrompt({
        asOf: '2024-03-05',
        candidates: [
          { ticker: 'AAA', bars },
          { ticker: 'BBB', bars },
        ],
      }).tickers,
    ).toEqual(['AAA', 'BBB']);
    const { decision, thesis, citations } = createAnalystTemplatePolicy().analyze({
      ticker: 'AAPL',
      asOf: '2024-03-05',
      bars,
      evidence,
    });
    expect(parseDecisionTextOrThrow(thesis, { mode: 'strict' })).toBe(decision);
    expect(citations).toContain('n1');
  });
});
