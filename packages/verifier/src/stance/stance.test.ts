import { DECISIONS } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreReasoningStance, scoreStance, stanceAgreement } from './stance.ts';

describe('scoreStance', () => {
  it('is positive for bullish and negative for bearish text', () => {
    expect(
      scoreStance('Revenue beat estimates and the company raised guidance; strong demand and record margins.').stance,
    ).toBeGreaterThan(0.5);
    expect(
      scoreStance('Sales missed estimates, guidance was cut and the outlook is weak amid a probe.').stance,
    ).toBeLessThan(-0.5);
    expect(scoreStance('The annual meeting is in June.').stance).toBe(0);
  });

  it('handles negation, intensifiers and metrics whose rise is bad news', () => {
    expect(scoreStance('Results were not strong.').stance).toBeLessThan(0);
    expect(scoreStance('Demand was very strong.').stance).toBeGreaterThan(
      scoreStance('Demand was slightly strong.').stance,
    );
    expect(scoreStance('Operating expenses rose 20%.').stance).toBeLessThan(0);
    expect(scoreStance('Revenue rose 20%.').stance).toBeGreaterThan(0);
  });

  it('pulls toward neutral on hold vocabulary', () => {
    const plain = scoreStance('Strong quarter.').stance;
    expect(scoreStance('Strong quarter, but the risk-reward is balanced; hold.').stance).toBeLessThan(plain);
  });

  it('stays in (-1, 1) whatever the text (property)', () => {
    const words = [
      'strong',
      'weak',
      'beat',
      'missed',
      'not',
      'very',
      'hold',
      'rose',
      'fell',
      'revenue',
      'costs',
      'buy',
      'sell',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 40 }), (sequence) => {
        const { stance } = scoreStance(sequence.join(' '));
        expect(Number.isFinite(stance)).toBe(true);
        expect(Math.abs(stance)).toBeLessThan(1);
      }),
      { seed: 7, numRuns: 200 },
    );
  });
});

describe('scoreReasoningStance', () => {
  it('weights the conclusion and ignores the decision tag and think blocks', () => {
    const body = 'Revenue rose 5%. Costs rose too.';
    const bearishEnd = `${body}\n\nWe are bearish and would sell. [[BUY]]`;
    expect(scoreReasoningStance(bearishEnd).stance).toBeLessThan(0);
    const withThink = `<think>we are very bullish, strong buy</think>${body}`;
    expect(scoreReasoningStance(withThink).stance).toBeCloseTo(scoreReasoningStance(body).stance, 6);
  });
});

describe('stanceAgreement', () => {
  it('is 1 on the decision and 0 a full unit away', () => {
    expect(stanceAgreement(0.5, 'BUY')).toBeCloseTo(1);
    expect(stanceAgreement(0.6, 'SELL')).toBeCloseTo(0);
    expect(stanceAgreement(0, 'HOLD')).toBeCloseTo(1);
    expect(stanceAgreement(Number.NaN, 'HOLD')).toBeCloseTo(1);
  });

  it('stays in [0, 1] (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 5, noNaN: true }), fc.constantFrom(...DECISIONS), (stance, decision) => {
        const agreement = stanceAgreement(stance, decision);
        expect(agreement).toBeGreaterThanOrEqual(0);
        expect(agreement).toBeLessThanOrEqual(1);
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});
