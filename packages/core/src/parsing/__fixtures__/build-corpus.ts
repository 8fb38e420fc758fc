/**
 * Writes `decision-corpus.json`: model outputs in the shapes real models produce (Qwen3 / DeepSeek-R1 think blocks,
 * Trading-R1 theses, JSON, markdown, Chinese, \boxed{}, <answer>, truncated, refusals), each with the expected
 * parse. The expected value is fixed by construction: the final answer states it, and every body mentions other
 * decisions as distractors. Run: `pnpm tsx packages/core/src/parsing/__fixtures__/build-corpus.ts`.
 */
import { writeFileSync } from 'node:fs';

type Expected = 'BUY' | 'SELL' | 'HOLD' | 'STRONG_BUY' | 'STRONG_SELL' | `fail:${string}`;
interface Fixture {
  id: string;
  shape: string;
  text: string;
  expected: Expected;
}

const DECISIONS = ['BUY', 'SELL', 'HOLD', 'STRONG_BUY', 'STRONG_SELL'] as const;
type D = (typeof DECISIONS)[number];
const other: Record<D, D> = { BUY: 'SELL', SELL: 'BUY', HOLD: 'STRONG_SELL', STRONG_BUY: 'HOLD', STRONG_SELL: 'BUY' };
const words: Record<D, string> = {
  BUY: 'Buy',
  SELL: 'Sell',
  HOLD: 'Hold',
  STRONG_BUY: 'Strong Buy',
  STRONG_SELL: 'Strong Sell',
};
const chinese: Record<D, string> = {
  BUY: '买入',
  SELL: '卖出',
  HOLD: '持有',
  STRONG_BUY: '强烈买入',
  STRONG_SELL: '强烈卖出',
};
const bodies = [
  (o: D) =>
    `Revenue grew 12% YoY while gross margin held at 44.1%. A sell-off in peers dragged the stock 6% lower, and some analysts argue for a ${words[o].toLowerCase()} here. Shareholders approved the buyback.`,
  (o: D) =>
    `## Technicals\n- RSI(14): 61\n- MACD above signal\n\n## News\nThe CFO said guidance "could support a ${words[o]} rating" from the street. Holdings of insiders were unchanged.`,
  (o: D) =>
    `<fundamentals>P/E 23.4 vs sector 19.8; FCF yield 3.1%.</fundamentals>\n<sentiment>Retail chatter is mixed; one note says "${words[o].toUpperCase()}".</sentiment>\n<risks>Supply-chain concentration; FX.</risks>`,
];
const thinks = [
  (o: D) =>
    `Okay, let me look at the data. The momentum is strong, but valuations... Maybe [[${words[o].toUpperCase()}]]? Wait, let me reconsider the earnings call.`,
  (o: D) => `First, the user wants a decision. I was leaning toward ${words[o].toLowerCase()}, hmm. Let me check risks again.`,
];

const fixtures: Fixture[] = [];
const add = (shape: string, text: string, expected: Expected) =>
  fixtures.push({ id: `${shape}-${fixtures.length}`, shape, text, expected });

for (const d of DECISIONS) {
  const o = other[d];
  const W = words[d];
  bodies.forEach((body, b) => {
    add('trading-r1-thesis', `${body(o)}\n\n<conclusion>\nOn balance the evidence favours the position.\n[[[${W.toUpperCase()}]]]\n</conclusion>`, d);
    add('qwen3-think', `<think>\n${thinks[b % 2]?.(o)}\n</think>\n\n${body(o)}\n\nFinal Decision: [[${W.toUpperCase()}]]`, d);
    add('deepseek-r1-lone-close', `${thinks[(b + 1) % 2]?.(o)}\n</think>\n\n${body(o)}\n\n**Recommendation:** ${W}`, d);
    add(
      'json-fenced',
      `${body(o)}\n\n\`\`\`json\n{"decision": "${d}", "confidence": 0.${b + 6}, "reasons": ["peers favour ${o.toLowerCase()}", "momentum"]}\n\`\`\``,
      d,
    );
    add('markdown-heading', `${body(o)}\n\n## Recommendation\n\n**${W.toUpperCase()}**\n`, d);
    add('restated-format', `I will answer with [[BUY]], [[SELL]] or [[HOLD]].\n\n${body(o)}\n\nFinal decision: ${W.toUpperCase()}`, d);
    add('boxed', `${body(o)}\n\nTherefore the answer is $\\boxed{\\text{${W.toUpperCase()}}}$.`, d);
    add('answer-tag', `<think>${thinks[b % 2]?.(o)}</think>\n<answer>\n${body(o)}\nDecision: ${W}\n</answer>`, d);
    add('full-width-colon', `${body(o)}\n\n最终决定 Final Decision：${W.toUpperCase()}`, d);
    add('chinese', `<think>\n用户需要一个决策。也许${chinese[o]}？\n</think>\n\n基本面稳健，但估值偏高。\n\n**最终决策：** ${chinese[d]}`, d);
    add('last-explicit-wins', `Initial view — Decision: ${words[o]}.\n\n${body(o)}\n\nAfter the risk review, the final decision is ${W.toLowerCase()}.`, d);
    add('phrase', `${body(o)}\n\nGiven all of the above, we recommend a ${W.toLowerCase()}.`, d);
  });
  if (d === 'BUY' || d === 'SELL' || d === 'HOLD') {
    add('recommendation-is-to', `${bodies[0]?.(o)}\n\nMy recommendation is to ${W.toLowerCase()}.`, d);
    add('chinese-phrase', `综合来看，技术面与基本面共振，建议${chinese[d]}。`, d);
  }
  // Typed failures: never a guess.
  add('truncated-tag', `${bodies[1]?.(o)}\n\nWe recommend a ${W.toLowerCase()}.\n\nFinal Decision: [[[${W.toUpperCase().slice(0, 3)}`, 'fail:truncated');
  add('truncated-label', `${bodies[2]?.(o)}\n\nI'd ${W.toLowerCase()} for now.\n\nFinal Decision:`, 'fail:truncated');
  add('truncated-think', `<think>\n${thinks[0]?.(d)}\nThe balance sheet`, 'fail:only_in_reasoning');
  add('truncated-answer', `<think>${thinks[1]?.(d)}</think>\n<answer>\n${bodies[0]?.(o).slice(0, 40)}`, 'fail:truncated');
  add('ambiguous', `${bodies[0]?.(o)}\n\nDecision: ${W.toUpperCase()} or ${words[o].toUpperCase()}, depending on the print.`, 'fail:ambiguous');
  add('negated', `${bodies[0]?.(o).replace(/for a \w+( \w+)?/, 'for caution')}\n\nWe would not recommend a ${W.toLowerCase()} at these levels.`, 'fail:negated');
}
for (const text of [
  'I cannot provide investment advice about specific securities.',
  "As an AI, I can't give financial recommendations. Please consult an adviser.",
  '我无法提供投资建议，请咨询专业人士。',
  '<think>The user wants advice.</think>\nI am unable to provide personalised investment advice.',
]) {
  add('refusal', text, 'fail:refusal');
}
add('empty', '   \n\n', 'fail:empty');
add('template-echo', 'Respond with [[BUY]], [[SELL]] or [[HOLD]].', 'fail:ambiguous');
add('no-decision', 'Revenue grew 12% and margins improved; shareholders approved a buyback.', 'fail:no_decision');

writeFileSync(new URL('./decision-corpus.json', import.meta.url), `${JSON.stringify(fixtures, null, 1)}\n`);
console.log(`${fixtures.length} fixtures`);
