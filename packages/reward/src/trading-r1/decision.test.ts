import { DECISIONS } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionReward, TRADING_R1_DECISION_MATRIX, UNPARSEABLE_DECISION_REWARD } from './decision.ts';
import { evidenceReward } from './evidence.ts';
import { investmentReward } from './investment.ts';
import { structureReward } from './structure.ts';

const decision = fc.constantFrom(...DECISIONS);

describe('decisionReward (R_decision)', () => {
  it('reads M[predicted][true] with rows-predicted and the transpose with rows-true', () => {
    fc.assert(
      fc.property(decision, decision, fc.double({ min: 0, max: 3, noNaN: true }), (predicted, truth, scale) => {
        const p = DECISIONS.indexOf(predicted);
        const t = DECISIONS.indexOf(truth);
        const rowsPredicted = decisionReward({ predicted, truth, orientation: 'rows-predicted', scale });
        const rowsTrue = decisionReward({ predicted, truth, orientation: 'rows-true', scale });
        expect(rowsPredicted.reward).toBeCloseTo((TRADING_R1_DECISION_MATRIX[p]?.[t] as number) * scale, 15);
        expect(rowsTrue.reward).toBeCloseTo((TRADING_R1_DECISION_MATRIX[t]?.[p] as number) * scale, 15);
      }),
      { seed: 99, numRuns: 200 },
    );
  });

  it('has the transcribed matrix values, incl. the orientation conflict', () => {
    expect(
      decisionReward({ predicted: 'STRONG_BUY', truth: 'STRONG_SELL', orientation: 'rows-predicted' }).reward,
    ).toBe(-2);
    expect(
      decisionReward({ predicted: 'STRONG_SELL', truth: 'STRONG_BUY', orientation: 'rows-predicted' }).reward,
    ).toBe(-2.25);
    expect(decisionReward({ predicted: 'STRONG_BUY', truth: 'STRONG_SELL', orientation: 'rows-true' }).reward).toBe(
      -2.25,
    );
    expect(decisionReward({ predicted: 'HOLD', truth: 'STRONG_SELL', orientation: 'rows-predicted' }).reward).toBe(
      -1.5,
    );
    for (const d of DECISIONS)
      expect(decisionReward({ predicted: d, truth: d, orientation: 'rows-true' }).reward).toBe(1);
  });

  it('parses the decision from the completion and gives −1.5 when none parses', () => {
    expect(
      decisionReward({ completion: 'thesis\n[[[BUY]]]', truth: 'STRONG_BUY', orientation: 'rows-predicted' }),
    ).toEqual({
      reward: 0.75,
      predicted: 'BUY',
      parsed: true,
    });
    expect(UNPARSEABLE_DECISION_REWARD).toBe(-1.5);
    const none = decisionReward({
      completion: '[[BUY]]\n1\n2\n3',
      truth: 'BUY',
      orientation: 'rows-predicted',
      scale: 2,
    });
    expect(none).toEqual({ reward: -1.5, predicted: null, parsed: false });
    expect(decisionReward({ predicted: null, truth: 'BUY', orientation: 'rows-true' }).reward).toBe(-1.5);
  });

  it('validates matrix, orientation and label', () => {
    expect(() =>
      decisionReward({ predicted: 'BUY', truth: 'BUY', orientation: 'rows-predicted', matrix: [[1]] }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => decisionReward({ predicted: 'BUY', truth: 'BUY', orientation: 'cols' as 'rows-true' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => decisionReward({ predicted: 'BUY', truth: 'MAYBE' as 'BUY', orientation: 'rows-true' })).toThrow(
      expect.objectContaining({ code: 'INVALID_DECISION' }),
    );
  });
});

describe('investmentReward (R_investment)', () => {
  it('is the λ-weighted sum of the three components', () => {
    const completion = '<think>p</think><a>\n- view *"q"* `s`\n</a><conclusion>done</conclusion>\n[[SELL]]';
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        decision,
        (structure, evidence, decisionWeight, truth) => {
          const result = investmentReward({
            completion,
            truth,
            orientation: 'rows-predicted',
            weights: { structure, evidence, decision: decisionWeight },
          });
          const s = structureReward({ completion }).reward;
          const e = evidenceReward({ completion }).reward;
          const d = decisionReward({ completion, truth, orientation: 'rows-predicted' }).reward;
          expect(result.components).toEqual({ structure: s, evidence: e, decision: d });
          expect(result.reward).toBeCloseTo(structure * s + evidence * e + decisionWeight * d, 12);
          expect(result.predicted).toBe('SELL');
        },
      ),
      { seed: 5, numRuns: 100 },
    );
    expect(() =>
      investmentReward({ completion, truth: 'BUY', orientation: 'rows-true', weights: { evidence: -1 } }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
});
