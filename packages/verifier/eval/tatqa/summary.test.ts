import { describe, expect, it } from 'vitest';
import type { TatqaCase } from './cases.ts';
import { formatTatqa, summariseTatqa, type TatqaReport } from './summary.ts';

function item(
  id: string,
  kind: TatqaCase['truth']['kind'],
  origin: TatqaCase['truth']['origin'],
  claims = 1,
): TatqaCase {
  return {
    id,
    input: { ticker: 'TQX0', asOf: '2020-06-30', reasoning: id, decision: 'HOLD' },
    truth: { kind, factual: kind === 'faithful', origin, claims, context: 0 },
  };
}
const report = (factuality: number, flags: string[] = [], contradicted = 0): TatqaReport => ({
  scores: { factuality, deduction: 0.5, consistency: 0.5, s: 0.5 },
  flags,
  counts: { contradicted },
});

describe('summariseTatqa', () => {
  const cases = [
    item('f1', 'faithful', 'table'),
    item('f2', 'faithful', 'text'),
    item('f3', 'faithful', 'table', 3),
    item('n1', 'other_period', 'table'),
    item('n2', 'other_row', 'table'),
    item('n3', 'number_swap', 'text'),
    item('n4', 'scale_swap', 'table', 3),
  ];
  const reports = [
    report(0.9),
    report(0.4, ['low-factuality']),
    report(0.8, ['contradicted-claim'], 1),
    report(0.2, ['contradicted-claim'], 1),
    report(0.95),
    report(0.1, ['low-factuality']),
    report(0.5, ['low-deduction']),
  ];
  const summary = summariseTatqa(cases, reports, {
    name: 'tatqa-test',
    usedForDevelopment: false,
    status: 'held out (not used for development)',
    contexts: 1,
    sampled: false,
  });

  it('computes AUROC per kind, origin and claim count', () => {
    // Pooled: faithful 0.9, 0.4, 0.8 vs 0.2, 0.95, 0.1, 0.5 → (3 + 0 + 3 + 2) / 12.
    expect(summary.factualityAuroc.pooled).toBe(0.667);
    expect(summary.factualityAuroc.byKind.other_row).toEqual({ n: 1, auroc: 0, caught: { n: 1, count: 0, rate: 0 } });
    expect(summary.factualityAuroc.byKind.other_period?.auroc).toBe(1);
    expect(summary.factualityAuroc.byKind.negation).toBeUndefined();
    expect(summary.factualityAuroc.multiClaim).toBe(1);
    // Single-claim table: 0.9 vs 0.2, 0.95 → 1/2.
    expect(summary.factualityAuroc.byOrigin).toEqual({ table: 0.5, text: 1 });
  });

  it('counts false alarms on faithful reasonings and negatives caught at the flag threshold', () => {
    expect(summary.faithfulFlagged.all).toEqual({ n: 3, count: 2, rate: 0.667 });
    expect(summary.faithfulFlagged.singleClaim).toEqual({ n: 2, count: 1, rate: 0.5 });
    expect(summary.faithfulFlagged.multiClaim).toEqual({ n: 1, count: 1, rate: 1 });
    expect(summary.faithfulFlagged.withContradictedClaim).toEqual({ n: 3, count: 1, rate: 0.333 });
    expect(summary.negativesCaught).toEqual({ n: 4, count: 2, rate: 0.5 });
  });

  it('tags every line with the split and its development status', () => {
    for (const line of formatTatqa(summary))
      expect(line.startsWith('[tatqa-test · held out (not used for development)]')).toBe(true);
  });

  it('rejects reports that do not line up', () => {
    expect(() =>
      summariseTatqa(cases, reports.slice(2), {
        name: 'x',
        usedForDevelopment: true,
        status: '',
        contexts: 1,
        sampled: false,
      }),
    ).toThrow(/7 cases but 5 reports/);
  });
});
