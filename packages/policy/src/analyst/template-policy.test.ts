import { DECISIONS, parseDecisionText } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeBars } from '../../test/fixtures.ts';
import { textPolarity } from './sentiment.ts';
import { createAnalystTemplatePolicy, decisionFromScore, technicalScore } from './template-policy.ts';

const positiveNews = [
  {
    id: 'n1',
    title: 'Earnings beat',
    text: 'The company beat estimates and raised guidance. Margins expanded to a record.',
    publishedAt: '2024-03-04',
    sourceKind: 'news' as const,
  },
  {
    id: 'f1',
    title: '10-Q',
    text: 'Revenue grew 20% and profit improved. Cash flow was strong.',
    publishedAt: '2024-02-28',
    sourceKind: 'filing' as const,
  },
  {
    id: 'a1',
    text: 'Analysts upgraded the stock after the strong quarter.',
    publishedAt: '2024-03-01',
    sourceKind: 'analyst' as const,
  },
];
const negativeNews = [
  {
    id: 'n2',
    title: 'Guidance cut',
    text: 'The company missed estimates and cut guidance. A fraud investigation was announced.',
    publishedAt: '2024-03-04',
    sourceKind: 'news' as const,
  },
  {
    id: 'm1',
    text: 'Rates rose and growth is weaker; a slowdown is expected.',
    publishedAt: '2024-03-02',
    sourceKind: 'macro' as const,
  },
];

describe('textPolarity', () => {
  it('counts lexicon hits with negation', () => {
    expect(textPolarity('Revenue grew and margins expanded.').score).toBe(1);
    expect(textPolarity('The company missed and cut guidance.').score).toBe(-1);
    expect(textPolarity('The company did not miss estimates.')).toMatchObject({ positive: 1, negative: 0 });
    expect(textPolarity('Nothing to see here.').score).toBe(0);
  });
});

describe('createAnalystTemplatePolicy', () => {
  const policy = createAnalystTemplatePolicy();

  it('buys an uptrend with positive evidence and sells a downtrend with negative evidence', () => {
    const up = policy.analyze({
      ticker: 'AAA',
      asOf: '2024-03-05',
      bars: makeBars(80, { drift: 0.006 }),
      evidence: positiveNews,
    });
    expect(['BUY', 'STRONG_BUY']).toContain(up.decision);
    expect(up.components.technical).toBeGreaterThan(0);
    expect(up.components.evidence).toBeGreaterThan(0);
    const down = policy.analyze({
      ticker: 'BBB',
      asOf: '2024-03-05',
      bars: makeBars(80, { drift: -0.006 }),
      evidence: negativeNews,
    });
    expect(['SELL', 'STRONG_SELL']).toContain(down.decision);
    const flat = policy.analyze({ ticker: 'CCC', asOf: '2024-03-05', bars: makeBars(80, { drift: 0 }) });
    expect(flat.components.evidence).toBeNull();
    expect(Math.abs(flat.score)).toBeLessThan(Math.abs(up.score));
  });

  it('writes a Trading-R1 thesis: think block, 5–7 sections of cited bullets, a final decision tag', () => {
    const result = policy.analyze({
      ticker: 'AAA',
      asOf: '2024-03-05',
      bars: makeBars(80),
      evidence: [...positiveNews, ...negativeNews],
    });
    expect(result.thesis.startsWith('<think>')).toBe(true);
    const tags = [...result.thesis.matchAll(/^<([a-z_]+)>$/gm)].map((match) => match[1]);
    const analysis = tags.filter((tag) => tag !== 'think' && tag !== 'conclusion');
    expect(analysis.length).toBeGreaterThanOrEqual(5);
    expect(analysis.length).toBeLessThanOrEqual(7);
    expect(tags.at(-1)).toBe('conclusion');
    for (const tag of analysis) expect(result.thesis).toContain(`</${tag}>`);
    const strict = parseDecisionText(result.thesis, { mode: 'strict' });
    expect(strict.ok && strict.decision).toBe(result.decision);
    const bullets = result.thesis.split('\n').filter((line) => line.startsWith('- '));
    expect(bullets.length).toBeGreaterThanOrEqual(8);
    for (const bullet of bullets) expect(bullet).toMatch(/^- .+ \*[^*]+\* `[^`]+`$/);
    // evidence quotes are verbatim sentences of the cited documents
    const byId = new Map([...positiveNews, ...negativeNews].map((item) => [item.id, item.text]));
    for (const section of result.sections) {
      for (const bullet of section.bullets) {
        const words = bullet.opinion.split(/\s+/).length;
        expect(words).toBeGreaterThanOrEqual(15);
        expect(words).toBeLessThanOrEqual(90);
        const text = byId.get(bullet.source);
        if (text) expect(text).toContain(bullet.quote);
      }
    }
    expect(result.citations).toEqual(expect.arrayContaining(['n1', 'f1', 'a1', 'n2', 'm1']));
    expect(result.thesis).toContain('not a language model');
  });

  it('is deterministic and rejects look-ahead', () => {
    const context = { ticker: 'AAA', asOf: '2024-03-05', bars: makeBars(40), evidence: positiveNews };
    expect(policy.analyze(context)).toEqual(policy.analyze(context));
    expect(() =>
      policy.analyze({
        ...context,
        evidence: [...positiveNews, { id: 'late', text: 'Beat.', publishedAt: '2024-03-06' }],
      }),
    ).toThrow(expect.objectContaining({ code: 'LOOKAHEAD' }));
    expect(() => policy.analyze({ ...context, bars: makeBars(40, { end: '2024-03-08' }) })).toThrow(
      expect.objectContaining({ code: 'LOOKAHEAD' }),
    );
    expect(policy.info()).toMatchObject({ backend: 'analyst-template', isLanguageModel: false });
  });

  it('uses given indicators over computed ones and handles empty history', () => {
    const given = policy.analyze({ ticker: 'AAA', asOf: '2024-03-05', bars: makeBars(30), indicators: { rsi14: 85 } });
    expect(given.indicators.rsi14).toBe(85);
    const empty = policy.analyze({ ticker: 'AAA', asOf: '2024-03-05', bars: [] });
    expect(empty.decision).toBe('HOLD');
    expect(parseDecisionText(empty.thesis, { mode: 'strict' })).toMatchObject({ ok: true, decision: 'HOLD' });
  });

  it('maps scores to decisions with ascending thresholds', () => {
    const thresholds = [-0.45, -0.12, 0.12, 0.45] as const;
    expect([-0.9, -0.2, 0, 0.2, 0.9].map((score) => decisionFromScore(score, thresholds))).toEqual(DECISIONS);
    expect(() => createAnalystTemplatePolicy({ thresholds: [0.5, 0.1, 0.2, 0.3] })).toThrow(/increase/);
    expect(
      technicalScore({
        close: null,
        sma20: null,
        sma50: null,
        rsi14: null,
        return5d: null,
        return20d: null,
        volatility20d: null,
        macdRatio: null,
      }),
    ).toBeNull();
  });

  it('always produces a parseable thesis and a valid decision (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 120 }),
        fc.double({ min: -0.03, max: 0.03, noNaN: true }),
        (count, drift) => {
          const result = policy.analyze({ ticker: 'ZZZ', asOf: '2024-03-05', bars: makeBars(count, { drift }) });
          expect(DECISIONS).toContain(result.decision);
          expect(result.score).toBeGreaterThanOrEqual(-1);
          expect(result.score).toBeLessThanOrEqual(1);
          expect(parseDecisionText(result.thesis, { mode: 'strict' })).toMatchObject({
            ok: true,
            decision: result.decision,
          });
        },
      ),
      { seed: 23, numRuns: 60 },
    );
  });
});
