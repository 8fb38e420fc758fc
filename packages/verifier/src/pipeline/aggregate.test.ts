import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { verifierOptionsSchema } from '../verify/options.ts';
import { reportFlags, scoreFactuality } from './aggregate.ts';
import type { ClaimVerdict } from './report.ts';

const settings = verifierOptionsSchema.parse({});

function verdict(label: ClaimVerdict['verdict'], support: number, category: ClaimVerdict['category'] = 'factual') {
  return { verdict: label, support, category } as ClaimVerdict;
}

describe('scoreFactuality', () => {
  it('counts unjudged claims as unsupported factual claims', () => {
    const supported = Array.from({ length: 64 }, () => verdict('supported', 1));
    const judged = scoreFactuality(supported, 0, settings);
    const withUnjudged = scoreFactuality(supported, 1, settings);
    expect(judged.factuality).toBeCloseTo(1, 10);
    expect(withUnjudged.factuality).toBeLessThan(judged.factuality);
    expect(withUnjudged.hallucinationRate).toBeCloseTo(1 / 65, 10);
  });

  it('gives 0.5 when nothing is checkable and stays in [0, 1] for any verdicts', () => {
    expect(scoreFactuality([verdict('supported', 1, 'opinion')], 0, settings)).toMatchObject({
      factuality: 0.5,
      nothingCheckable: true,
    });
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            verdict: fc.constantFrom('supported', 'unsupported', 'contradicted' as const),
            support: fc.double({ min: 0, max: 1, noNaN: true }),
            category: fc.constantFrom('factual', 'opinion', 'meta' as const),
          }),
        ),
        fc.nat(100),
        (items, unjudged) => {
          const { factuality, hallucinationRate } = scoreFactuality(items as ClaimVerdict[], unjudged, settings);
          return factuality >= 0 && factuality <= 1 && hallucinationRate >= 0 && hallucinationRate <= 1;
        },
      ),
      { seed: 11 },
    );
  });

  it('flags a report with unjudged claims', () => {
    const flags = reportFlags(
      { factuality: 0.9, deduction: 0.9, consistency: 0.9 },
      0,
      { contradicted: 0, unjudged: 2 },
      [],
      settings.thresholds,
    );
    expect(flags).toEqual(['claim-limit']);
  });
});
