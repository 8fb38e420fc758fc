import { describe, expect, it } from 'vitest';
import type { ScoredReport } from '../metrics.ts';
import type { VerifierBCase, VerifierBType } from './load.ts';
import { formatVerifierB, summariseVerifierB } from './summary.ts';

const LABELS: Record<string, [boolean, boolean, boolean]> = {
  none: [true, true, true],
  paraphrase: [true, true, true],
  hedged_hold: [true, true, true],
  number_swap: [false, true, true],
  future_leak: [false, true, true],
  decision_flip: [true, false, false],
  irrelevant: [false, true, false],
};

function item(id: string, type: VerifierBType, scenario: string, format: VerifierBCase['truth']['format'] = 'prose') {
  const [factual, deductive, consistent] = LABELS[type] ?? [false, true, true];
  return {
    id,
    input: { ticker: 'ACME', asOf: '2024-03-01', reasoning: 'x', decision: 'BUY' as const },
    truth: { perturbation: type, labels: { factual, deductive, consistent }, scenario, format },
  };
}
const report = (factuality: number, deduction = 0.9, consistency = 0.8, flags: string[] = []): ScoredReport => ({
  scores: { factuality, deduction, consistency, s: (factuality + deduction + consistency) / 3 },
  flags,
});

describe('summariseVerifierB', () => {
  const cases = [
    item('a', 'none', 'S1'),
    item('b', 'paraphrase', 'S1', 'prose'),
    item('c', 'hedged_hold', 'S2', 'bullets'),
    item('d', 'number_swap', 'S1'),
    item('e', 'number_swap', 'S2', 'bullets'),
    item('f', 'future_leak', 'S1'),
    item('g', 'decision_flip', 'S1'),
    item('h', 'irrelevant', 'S2', 'bullets'),
  ];
  const reports = [
    report(0.9),
    report(0.6, 0.9, 0.8, ['low-factuality']),
    report(0.8, 0.9, 0.8, ['low-deduction']), // not a false-alarm flag
    report(0.3, 0.9, 0.8, ['contradicted-claim']),
    report(0.85),
    report(0.7, 0.9, 0.8, ['high-hallucination-rate']),
    report(0.9, 0.2, 0.3, ['low-deduction']),
    report(0.5, 0.6, 0.9),
  ];
  const summary = summariseVerifierB(cases, reports, 0.5);

  it('uses the three faithful types as positives and the labels for negatives', () => {
    expect(summary.positives).toBe(3);
    // number_swap: 0.3 below all three positives, 0.85 above 0.6 and 0.8 and below 0.9 → (3 + 1) / 6.
    expect(summary.factuality.perType.number_swap).toEqual({
      n: 2,
      auroc: 0.667,
      caught: { n: 2, count: 1, rate: 0.5 },
    });
    expect(summary.factuality.perType.future_leak?.auroc).toBe(0.667);
    expect(summary.factuality.perType.decision_flip).toBeUndefined(); // factual: true, not a factuality negative
    // Pooled: negatives 0.3, 0.85, 0.7, 0.5 against 0.9, 0.6, 0.8 → (3 + 1 + 2 + 3) / 12.
    expect(summary.factuality.pooledAuroc).toBe(0.75);
  });

  it('counts false-alarm flags per faithful type and together', () => {
    expect(summary.faithfulFlagged.none).toEqual({ n: 1, count: 0, rate: 0 });
    expect(summary.faithfulFlagged.paraphrase).toEqual({ n: 1, count: 1, rate: 1 });
    expect(summary.faithfulFlagged.hedged_hold).toEqual({ n: 1, count: 0, rate: 0 });
    expect(summary.faithfulFlagged.all).toEqual({ n: 3, count: 1, rate: 0.333 });
  });

  it('reports the protocol false-alarm rates (any score below 0.5; the threshold at 90% negative recall)', () => {
    // Positives' minimum scores: 0.8, 0.6, 0.8 → none below 0.5.
    expect(summary.faithfulAnyScoreBelowHalf.all).toEqual({ n: 3, count: 0, rate: 0 });
    // Negatives 0.3, 0.5, 0.7, 0.85: ceil(0.9 · 4) = 4th smallest = 0.85; faithful at or below it: 0.6 and 0.8.
    expect(summary.faithfulAtNegativeRecall90.threshold).toBe(0.85);
    expect(summary.faithfulAtNegativeRecall90.all).toEqual({ n: 3, count: 2, rate: 0.667 });
    expect(summary.faithfulAtNegativeRecall90.none).toEqual({ n: 1, count: 0, rate: 0 });
  });

  it('scores flips by deduction and consistency, and consistency against every inconsistent case', () => {
    expect(summary.decisionFlip.deductionAuroc).toBe(1);
    expect(summary.decisionFlip.caughtByDeduction).toEqual({ n: 1, count: 1, rate: 1 });
    expect(summary.decisionFlip.consistencyAuroc).toBe(1);
    // Inconsistent: the flip (0.3) and the irrelevant case (0.9) against three positives at 0.8 → (3 + 0) / 6.
    expect(summary.consistency.auroc).toBe(0.5);
    expect(summary.consistency.irrelevantAuroc).toBe(0);
  });

  it('averages within scenarios and splits by format', () => {
    // S1: positives 0.9, 0.6 vs 0.3, 0.7 → 3/4; S2: positive 0.8 vs 0.85, 0.5 → 1/2.
    expect(summary.factuality.scenarioMeanAuroc).toBe(0.625);
    expect(summary.byFormat.bullets.faithfulFlagged).toEqual({ n: 1, count: 0, rate: 0 });
    expect(summary.byFormat.structured.factualityAuroc).toBeNull();
  });

  it('prints only aggregate lines, each naming the split and its status', () => {
    const lines = formatVerifierB(summary);
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(line).toMatch(/^\[verifier-b · validation only \(not used for development\)\]/);
    expect(lines.join('\n')).not.toMatch(/\b[a-h]\b:/);
  });

  it('rejects reports that do not line up with the cases', () => {
    expect(() => summariseVerifierB(cases, reports.slice(1), 0.5)).toThrow(/8 cases but 7 reports/);
  });
});
