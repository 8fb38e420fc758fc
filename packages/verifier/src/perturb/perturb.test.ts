import { describe, expect, it } from 'vitest';
import { extractClaims } from '../claims/extract.ts';
import { PERTURBATION_TYPES, perturb } from './perturb.ts';

const REASONING = `<fundamentals>
- Apple's fiscal Q3 2024 revenue rose 5% to $85.8 billion. \`Apple 10-Q, Q3 FY24\`
- Services revenue grew 14% to a record $24.2 billion, and Morgan Stanley raised its target.
</fundamentals>
<conclusion>
Strong services growth supports a buy. [[BUY]]
</conclusion>`;

describe('perturb', () => {
  it('is deterministic for a seed and records the changed span', () => {
    for (const type of PERTURBATION_TYPES) {
      const options = {
        reasoning: REASONING,
        decision: 'BUY' as const,
        type,
        seed: 3,
        ticker: 'AAPL',
        futureFacts: ['Apple booked a $10.2 billion tax charge in October.'],
      };
      const first = perturb(options);
      expect(first, type).not.toBeNull();
      expect(perturb(options)).toEqual(first);
      if (!first) continue;
      expect(first.type).toBe(type);
      if (type === 'flip') {
        expect(first.decision === 'SELL' || first.decision === 'STRONG_SELL').toBe(true);
        expect(first.reasoning).toMatch(/\[\[(?:STRONG )?SELL\]\]/);
      } else {
        expect(first.reasoning).not.toBe(REASONING);
        expect(first.span).not.toBeNull();
        const span = first.span as { start: number; end: number };
        expect(first.reasoning.slice(span.start, span.end)).toBe(first.replacement);
      }
    }
  });

  it('alters a figure by more than its rounding and never inside a cited source', () => {
    for (let seed = 0; seed < 20; seed += 1) {
      const result = perturb({ reasoning: REASONING, decision: 'BUY', type: 'number', seed });
      if (!result) throw new Error('expected a perturbation');
      const original = Number(result.original.replace(/[^\d.]/g, ''));
      const replaced = Number(result.replacement.replace(/[^\d.]/g, ''));
      expect(Math.abs(replaced - original) / original).toBeGreaterThan(0.09);
      expect(result.reasoning).toContain('`Apple 10-Q, Q3 FY24`');
    }
  });

  it('keeps the perturbed text inside a claim span', () => {
    const result = perturb({ reasoning: REASONING, decision: 'BUY', type: 'invented', seed: 1, ticker: 'AAPL' });
    if (!result?.span) throw new Error('expected an insertion');
    const { claims } = extractClaims(result.reasoning);
    expect(
      claims.some((claim) => claim.start <= (result.span?.start ?? -1) && claim.end >= (result.span?.end ?? -1)),
    ).toBe(true);
  });

  it('alters claims about the world, not statements about the analysis', () => {
    const thesis = `<technical>
**Technical score: 0.84 on a scale from -1 to 1.**
- NVDA trades above its 20-day average by 16.6%. *close 131.82 vs SMA20 113.03* \`indicators:sma20\`
</technical>`;
    for (let seed = 0; seed < 20; seed += 1) {
      const result = perturb({ reasoning: thesis, decision: 'BUY', type: 'number', seed });
      expect(result?.span?.start).toBeGreaterThan(thesis.indexOf('- NVDA'));
    }
  });

  it('returns null when there is nothing to perturb', () => {
    const plain = 'We like the company a lot.';
    expect(perturb({ reasoning: plain, decision: 'BUY', type: 'number' })).toBeNull();
    expect(perturb({ reasoning: plain, decision: 'BUY', type: 'future' })).toBeNull();
    expect(() => perturb({ reasoning: plain, decision: 'BUY', type: 'typo' as never })).toThrow(
      /Invalid perturb\(\) options/,
    );
  });
});
