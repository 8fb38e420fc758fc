import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auroc, fitLogistic } from './metrics.ts';
import {
  aggregateScores,
  DEFAULT_SUPPORT_MODEL,
  hasKeywordRun,
  isKeywordList,
  SUPPORT_FEATURES,
  sigmoid,
  supportProbability,
} from './support.ts';
import { tokenize } from './text.ts';

describe('supportProbability', () => {
  it('is high for a grounded claim and low for an unmatched one', () => {
    const grounded = {
      lexical: 0.9,
      lexicalSentence: 0.8,
      softLexical: 0.8,
      semantic: 0.9,
      numbersMatched: 1,
      numbersMissing: 0,
      anyNumberMissing: 0,
      entitiesMissing: 0,
      periodsMissing: 0,
      directionsMatched: 1,
      keywordList: 0,
      specificsMatched: 1,
    };
    const unmatched = {
      ...grounded,
      lexical: 0.2,
      lexicalSentence: 0.1,
      softLexical: 0.1,
      semantic: 0.3,
      numbersMatched: 0,
      numbersMissing: 1,
      anyNumberMissing: 1,
      directionsMatched: 0,
      specificsMatched: 0,
    };
    expect(supportProbability(grounded)).toBeGreaterThan(0.7);
    expect(supportProbability(unmatched)).toBeLessThan(0.1);
  });

  it('is always within [0, 1] (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: SUPPORT_FEATURES.length,
          maxLength: SUPPORT_FEATURES.length,
        }),
        (values) => {
          const features = Object.fromEntries(SUPPORT_FEATURES.map((name, index) => [name, values[index] ?? 0]));
          const probability = supportProbability(features as never, DEFAULT_SUPPORT_MODEL);
          expect(probability).toBeGreaterThanOrEqual(0);
          expect(probability).toBeLessThanOrEqual(1);
        },
      ),
      { seed: 3, numRuns: 200 },
    );
    expect(sigmoid(Number.POSITIVE_INFINITY)).toBe(1);
    expect(sigmoid(-1000)).toBeGreaterThanOrEqual(0);
  });
});

describe('aggregateScores', () => {
  it('computes mean, min and geometric mean and clamps bad input', () => {
    expect(aggregateScores([0.2, 0.5, 0.8])).toBeCloseTo(0.5);
    expect(aggregateScores([0.2, 0.5, 0.8], 'min')).toBeCloseTo(0.2);
    expect(aggregateScores([0.25, 1, 1], 'geometric')).toBeCloseTo(0.25 ** (1 / 3));
    expect(aggregateScores([0, 1, 1], 'geometric')).toBe(0);
    expect(aggregateScores([Number.NaN, 2, -1])).toBeCloseTo(1 / 3);
    expect(aggregateScores([])).toBe(0);
  });
});

describe('isKeywordList', () => {
  it('detects keyword stuffing but not prose', () => {
    expect(isKeywordList(tokenize('Apple revenue services record margin buyback dividend iPhone China growth'))).toBe(
      true,
    );
    expect(isKeywordList(tokenize('Services revenue hit a record of $24.2 billion in the quarter.'))).toBe(false);
  });

  it('finds a run of bare content words in terse quotes, not figures with labels', () => {
    expect(
      hasKeywordRun(tokenize('RSI14 66.4 ahead technical growth trend average neutral macro thresholds looks')),
    ).toBe(true);
    expect(hasKeywordRun(tokenize('close 131.82 vs SMA20 113.03, RSI14 66.4, 20-day return 4.1%'))).toBe(false);
    // Names string content words together in ordinary prose.
    const prose =
      "A one-time $10.2 billion income tax charge tied to the European Commission's State Aid decision cut diluted EPS to $0.97.";
    expect(isKeywordList(tokenize(prose))).toBe(false);
  });
});

describe('auroc', () => {
  it('is 1 for perfect separation, 0.5 for ties and null without a class', () => {
    expect(auroc([0.9, 0.8], [0.1, 0.2])).toBe(1);
    expect(auroc([0.5], [0.5])).toBe(0.5);
    expect(auroc([0.1], [0.9])).toBe(0);
    expect(auroc([], [1])).toBeNull();
  });

  it('matches the pairwise definition (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 }),
        (positives, negatives) => {
          let wins = 0;
          for (const positive of positives)
            for (const negative of negatives) wins += positive > negative ? 1 : positive === negative ? 0.5 : 0;
          expect(auroc(positives, negatives)).toBeCloseTo(wins / (positives.length * negatives.length), 9);
        },
      ),
      { seed: 5, numRuns: 100 },
    );
  });
});

describe('fitLogistic', () => {
  it('separates a linearly separable set', () => {
    const rows = [[0], [0.1], [0.2], [0.8], [0.9], [1]];
    const labels = [0, 0, 0, 1, 1, 1];
    const model = fitLogistic(rows, labels, { iterations: 2000, learningRate: 1, l2: 0 });
    expect(model.weights[0]).toBeGreaterThan(0);
    expect(sigmoid(model.bias + (model.weights[0] ?? 0) * 0.95)).toBeGreaterThan(0.5);
    expect(sigmoid(model.bias + (model.weights[0] ?? 0) * 0.05)).toBeLessThan(0.5);
  });
});
