import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sectionCountScore, sectionFeatures, sectionStructureScore, structureReward } from './structure.ts';

const SEED = 2509;

function words(count: number, word = 'alpha'): string {
  return Array.from({ length: count }, () => word).join(' ');
}

/** A section body with the requested features and at least `wordCount` words. */
function sectionBody(options: {
  headers: boolean;
  bullets: boolean;
  bold: boolean;
  tables: boolean;
  wordCount: number;
}): string {
  const lines: string[] = [];
  if (options.headers) lines.push('## Heading');
  if (options.bold) lines.push('**Bold intro**');
  lines.push(words(options.wordCount));
  if (options.bullets) lines.push('', '- one point', '- another point');
  if (options.tables) lines.push('', '| a | b |', '|---|---|', '| 1 | 2 |');
  return `\n${lines.join('\n')}\n`;
}

describe('sectionCountScore (R_count)', () => {
  it('follows the piecewise formula', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), (count) => {
        const expected =
          count >= 5 && count <= 7
            ? 1
            : count < 5
              ? Math.max(0.3, (count / 5) * 0.7)
              : Math.max(0.3, 1 - 0.15 * (count - 7));
        expect(sectionCountScore(count)).toBeCloseTo(expected, 15);
      }),
      { seed: SEED, numRuns: 200 },
    );
    expect(sectionCountScore(4)).toBeCloseTo(0.56, 15);
    expect(sectionCountScore(8)).toBeCloseTo(0.85, 15);
    expect(sectionCountScore(0)).toBe(0.3);
    expect(sectionCountScore(20)).toBe(0.3);
  });
});

describe('sectionStructureScore (R_struct)', () => {
  it('weights headers 0.3, bullets 0.4, bold 0.2, tables 0.1, and gives 0.2 below 50 words', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 120 }),
        (headers, bullets, bold, tables, wordCount) => {
          const features = sectionFeatures(sectionBody({ headers, bullets, bold, tables, wordCount }));
          expect(features.headers).toBe(headers);
          expect(features.bullets).toBe(bullets);
          expect(features.bold).toBe(bold);
          expect(features.tables).toBe(tables);
          const expected = features.words < 50 ? 0.2 : 0.3 * +headers + 0.4 * +bullets + 0.2 * +bold + 0.1 * +tables;
          expect(sectionStructureScore(features)).toBeCloseTo(expected, 15);
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('structureReward (R_structure)', () => {
  it('is 0.6·R_count(S) + 0.4·mean R_struct over the sections (think excluded)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            headers: fc.boolean(),
            bullets: fc.boolean(),
            bold: fc.boolean(),
            tables: fc.boolean(),
            wordCount: fc.integer({ min: 10, max: 80 }),
          }),
          { maxLength: 10 },
        ),
        (specs) => {
          const analysis = specs.map((spec, index) => `<section${index}>${sectionBody(spec)}</section${index}>`);
          const conclusion = `<conclusion>${sectionBody({ headers: false, bullets: false, bold: true, tables: false, wordCount: 60 })}</conclusion>`;
          const completion = `<think>${words(200)}</think>\n${analysis.join('\n')}\n${conclusion}\n[[[BUY]]]`;
          const result = structureReward({ completion });
          const scores = [...specs.map((spec) => sectionStructureScore(sectionFeatures(sectionBody(spec)))), 0.2];
          const expected =
            0.6 * sectionCountScore(specs.length) + 0.4 * (scores.reduce((a, b) => a + b, 0) / scores.length);
          expect(result.sectionCount).toBe(specs.length);
          expect(result.reward).toBeCloseTo(expected, 12);
        },
      ),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('scores a complete 6-section thesis near 1 and a missing conclusion 0', () => {
    const full = sectionBody({ headers: true, bullets: true, bold: true, tables: true, wordCount: 60 });
    const sections = ['fundamentals', 'technical', 'news', 'valuation', 'risk_assessment', 'macro']
      .map((name) => `<${name}>${full}</${name}>`)
      .join('\n');
    const thesis = `<think>plan</think>${sections}<conclusion>${full}</conclusion>`;
    expect(structureReward({ completion: thesis }).reward).toBeCloseTo(1, 12);
    const noConclusion = structureReward({ completion: `<think>plan</think>${sections}` });
    expect(noConclusion.hasConclusion).toBe(false);
    expect(noConclusion.reward).toBe(0);
    expect(structureReward({ completion: sections, missingConclusionReward: -1 }).reward).toBe(-1);
  });

  it('can leave the conclusion out of the mean', () => {
    const full = sectionBody({ headers: true, bullets: true, bold: true, tables: true, wordCount: 60 });
    const completion = `<a>${full}</a><conclusion>short</conclusion>`;
    expect(structureReward({ completion, includeConclusionInMean: false }).meanSectionScore).toBeCloseTo(1, 12);
    expect(structureReward({ completion }).meanSectionScore).toBeCloseTo(0.6, 12);
  });
});
