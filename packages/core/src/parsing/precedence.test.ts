import { describe, expect, it } from 'vitest';
import { isTradeR1Error } from '../errors.ts';
import { parseDecisionText } from './decision.ts';
import { parseSelectionText } from './selection.ts';

const decide = (text: string, options = {}) => {
  const result = parseDecisionText(text, options);
  return result.ok ? result.decision : result.reason;
};
const tickers = (text: string) => {
  const result = parseSelectionText(text);
  return result.ok ? result.selection.selections.map((item) => item.ticker) : result.reason;
};

describe('parseDecisionText precedence (issue cases)', () => {
  it.each([
    // final answer over reasoning
    ['<think>The drawdown argues for [[SELL]].</think>\nFinal Decision: [[BUY]]', 'BUY'],
    ['Considering both sides, maybe a sell.\n</think>\n\nDecision: **HOLD**', 'HOLD'],
    ['<think>I lean [[[STRONG SELL]]]</think>\n<answer>Decision: Buy</answer>', 'BUY'],
    ['<think>\nOkay, the user wants a decision. [[BUY]] seems right', 'only_in_reasoning'],
    ['<think>I think we should sell.</think>', 'only_in_reasoning'],
    // the last explicit decision over earlier mentions
    ['Thesis...\n[[BUY]] was my first instinct.\n\nRisks.\nMore risks.\nFinal Decision: SELL', 'SELL'],
    ['Decision: Sell-off risk is priced in, so HOLD', 'HOLD'],
    ['Decision: Buy, upgraded from Sell', 'BUY'],
    // typed non-answers
    ['We recommend a buy on strength.\n\nFinal Decision: [[[STRO', 'truncated'],
    ['We recommend a buy.\n\nFinal Decision:', 'truncated'],
    ['<answer>After weighing everything, the', 'truncated'],
    ['Decision: BUY or SELL depending on earnings', 'ambiguous'],
    ['Respond with [[BUY]], [[SELL]] or [[HOLD]]', 'ambiguous'],
    ['I cannot provide investment advice on this stock.', 'refusal'],
    ['我无法提供投资建议。', 'refusal'],
    // other spellings
    ['The answer is $\\boxed{\\text{SELL}}$', 'SELL'],
    ['\\boxed{STRONG BUY}', 'STRONG_BUY'],
    ['<answer>HOLD</answer>', 'HOLD'],
    ['最终决策：买入', 'BUY'],
    ['投资建议：强烈买入', 'STRONG_BUY'],
    ['综合来看，建议减持。', 'SELL'],
    ['结论：持有', 'HOLD'],
    ['[[卖出]]', 'SELL'],
    ['不建议买入。', 'negated'],
    ['Final Decision： SELL', 'SELL'],
    ['My recommendation is to buy.', 'BUY'],
    ['Our final recommendation is a strong sell.', 'STRONG_SELL'],
    ['{"decision": "SELL", "reasons": ["buy-side pressure faded", "HOLD was considered"]}', 'SELL'],
  ])('%j → %s', (text, expected) => {
    expect(decide(text)).toBe(expected);
  });

  it('rejects misspelled options and non-string text with INVALID_INPUT and the field', () => {
    for (const [text, options, field] of [
      ['x', { tailLine: 3 }, undefined],
      [undefined, {}, 'text'],
      [42, {}, 'text'],
    ] as const) {
      try {
        parseDecisionText(text as unknown as string, options as never);
        expect.unreachable();
      } catch (error) {
        expect(isTradeR1Error(error) && error.code).toBe('INVALID_INPUT');
        if (field) expect((error as { details?: { field?: string } }).details?.field).toBe(field);
      }
    }
  });
});

describe('parseSelectionText (issue cases)', () => {
  it.each([
    ['{"selections": [{"ticker": "AAPL"}, {"ticker": "MSFT"}], "rejected": ["TSLA"]}', ['AAPL', 'MSFT']],
    [
      '{"selections": [{"ticker": "NVDA", "reasons": ["strong growth", "AI demand"]}], "rejected": ["TSLA", "F"]}',
      ['NVDA'],
    ],
    ['<think>["TSLA"] looks tempting</think>\n{"tickers": ["AMZN"]}', ['AMZN']],
  ])('%j → %j', (text, expected) => {
    expect(tickers(text)).toEqual(expected);
  });
});
