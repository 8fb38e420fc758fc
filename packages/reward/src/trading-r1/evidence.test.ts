import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bulletCountScore, bulletScore, evidenceReward, flooredHarmonicMean, opinionScore } from './evidence.ts';
import { analyzeBullet, countWords, extractBullets } from './markdown.ts';

const SEED = 1142;

function opinion(count: number): string {
  return Array.from({ length: count }, (_, index) => `word${index}`).join(' ');
}

/** Reference R_opinion straight from papers.md §2.5. */
function referenceOpinion(w: number, c: boolean): number {
  if (!c) return Math.min(0.3, (w / 15) * 0.3);
  if (w >= 15 && w <= 90) return 1;
  if (w < 15) return w / 15;
  return Math.max(0.5, 1 - 0.02 * (w - 90));
}

const bulletSpec = fc.record({
  words: fc.integer({ min: 0, max: 140 }),
  quote: fc.boolean(),
  source: fc.boolean(),
});

function renderBullet(spec: { words: number; quote: boolean; source: boolean }): string {
  const parts = [`- ${opinion(spec.words)}`];
  if (spec.quote) parts.push('*"Revenue grew 12% year over year"*');
  if (spec.source) parts.push('`10-Q, 2024-05-01`');
  return parts.join(' ');
}

function referenceBullet(spec: { words: number; quote: boolean; source: boolean }): number {
  return 0.4 * referenceOpinion(spec.words, spec.quote && spec.source) + 0.35 * +spec.quote + 0.25 * +spec.source;
}

function referenceHarmonic(values: number[]): number {
  if (values.length === 0) return 0;
  return values.length / values.reduce((sum, value) => sum + 1 / Math.max(value, 0.01), 0);
}

function referenceCount(count: number): number {
  if (count >= 4 && count <= 7) return 1;
  if (count < 4) return count / 4;
  return Math.max(0.3, 1 - 0.1 * (count - 7));
}

describe('Trading-R1 evidence pieces', () => {
  it('opinionScore follows the piecewise formula', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.boolean(), (w, c) => {
        expect(opinionScore({ opinionWords: w, complete: c })).toBeCloseTo(referenceOpinion(w, c), 15);
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(opinionScore({ opinionWords: 100, complete: true })).toBeCloseTo(0.8, 15);
    expect(opinionScore({ opinionWords: 500, complete: true })).toBe(0.5);
  });

  it('bulletCountScore and the floored harmonic mean follow the formulas', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), (count) => {
        expect(bulletCountScore(count)).toBeCloseTo(referenceCount(count), 15);
      }),
      { seed: SEED },
    );
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (values) => {
        expect(flooredHarmonicMean(values)).toBeCloseTo(referenceHarmonic(values), 12);
      }),
      { seed: SEED },
    );
    expect(flooredHarmonicMean([1, 0])).toBeCloseTo(2 / 101, 15);
  });

  it('analyzeBullet finds italic quotes, backtick sources and w_op before the first quote', () => {
    const evidence = analyzeBullet('Margins expand as mix shifts to services *"services grew 14%"* `10-K 2024`');
    expect(evidence.quotes).toEqual(['"services grew 14%"']);
    expect(evidence.sources).toEqual(['10-K 2024']);
    expect(evidence.opinionWords).toBe(7);
    const bold = analyzeBullet('**Bold** is not a quote and neither is `*code*`');
    expect(bold.quotes).toEqual([]);
    expect(bold.sources).toEqual(['*code*']);
    expect(analyzeBullet('Some view _quoted text_ here').quotes).toEqual(['quoted text']);
    const plain = analyzeBullet(
      'Demand is strong. Supporting evidence: "orders doubled" SOURCES: Reuters, 2024-06-01',
      {
        acceptPlainTextEvidence: true,
      },
    );
    expect(plain.quotes).toEqual(['orders doubled']);
    expect(plain.sources).toEqual(['Reuters, 2024-06-01']);
    expect(plain.opinionWords).toBe(5);
    expect(analyzeBullet('Demand "orders doubled"').quotes).toEqual([]);
  });

  it('countWords counts tokens with a letter or digit, Unicode-aware', () => {
    expect(countWords('市场 上涨 — 5% … 𝔸bc\u00a0x\u3000y')).toBe(6);
    expect(countWords('  -- ** `` ')).toBe(0);
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 8, unit: 'binary' }), { maxLength: 20 }), (tokens) => {
        const text = tokens.join(' ');
        const expected = text.split(/\s+/).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;
        expect(countWords(text)).toBe(expected);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('extractBullets keeps indented continuation lines with their bullet', () => {
    expect(extractBullets('intro\n- first\n  continued\n* second\n1. third\n\n**summary**')).toEqual([
      'first continued',
      'second',
      'third',
    ]);
  });
});

describe('evidenceReward (R_evidence)', () => {
  it('equals the harmonic-mean formula on generated theses', () => {
    fc.assert(
      fc.property(fc.array(fc.array(bulletSpec, { maxLength: 10 }), { maxLength: 8 }), (sections) => {
        const body = sections
          .map((bullets, index) => `<s${index}>\n**Intro**\n${bullets.map(renderBullet).join('\n')}\n</s${index}>`)
          .join('\n');
        const completion = `<think>- plan *"x"* \`y\`</think>\n${body}\n<conclusion>\n- ignored\n</conclusion>\n[[BUY]]`;
        const sectionScores = sections.map((bullets) => {
          const scores = bullets.map(referenceBullet);
          return 0.3 * referenceCount(bullets.length) + 0.7 * referenceHarmonic(scores);
        });
        const result = evidenceReward({ completion });
        expect(result.sections).toHaveLength(sections.length);
        expect(result.reward).toBeCloseTo(referenceHarmonic(sectionScores), 12);
        result.sections.forEach((section, index) => {
          section.bullets.forEach((bullet, bulletIndex) => {
            const spec = (sections[index] ?? [])[bulletIndex];
            if (!spec) throw new Error('missing spec');
            expect(bullet.opinionWords).toBe(spec.words);
            expect(bullet.score).toBeCloseTo(
              bulletScore({ opinionWords: spec.words, quoteCount: +spec.quote, sourceCount: +spec.source }),
              15,
            );
          });
        });
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('gives 1 to a fully grounded thesis and drags down with one ungrounded section', () => {
    const good = Array.from({ length: 5 }, () => renderBullet({ words: 20, quote: true, source: true })).join('\n');
    const bad = Array.from({ length: 5 }, () => `- ${opinion(20)}`).join('\n');
    expect(evidenceReward({ completion: `<a>\n${good}\n</a><b>\n${good}\n</b>` }).reward).toBeCloseTo(1, 12);
    const mixed = evidenceReward({ completion: `<a>\n${good}\n</a><b>\n${bad}\n</b>` }).reward;
    // Bad section: 0.3 + 0.7 × 0.4 × 0.3 = 0.384; harmonic mean with 1 = 2 / (1 + 1/0.384).
    expect(mixed).toBeCloseTo(2 / (1 + 1 / 0.384), 12);
    expect(evidenceReward({ completion: 'no sections at all' }).reward).toBe(0);
  });
});
