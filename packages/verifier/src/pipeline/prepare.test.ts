import { describe, expect, it } from 'vitest';
import { verifierOptionsSchema } from '../verify/options.ts';
import { prepareReasoning } from './prepare.ts';

const settings = verifierOptionsSchema.parse({});

describe('prepareReasoning', () => {
  it('classes a recommendation without figures as an opinion, and a buyback event as a fact', () => {
    const prepared = prepareReasoning(
      {
        ticker: 'ACME',
        asOf: '2024-08-10',
        decision: 'BUY',
        reasoning:
          'Revenue rose 8% to $12.4 billion. Earnings momentum supports a buy. The company announced plans to buy back shares.',
      },
      settings,
    );
    const byText = new Map(prepared.claims.map((claim) => [claim.text, claim]));
    const recommendation = byText.get('Earnings momentum supports a buy.');
    expect(recommendation?.category).toBe('opinion');
    // A recommendation stays an opinion; cue-only opinions (an event with a bullish word) are re-checked for
    // topicality when judged, so a fabricated event cannot hide as an opinion.
    expect(prepared.cueOpinions.has(recommendation?.id ?? '')).toBe(false);
    expect(byText.get('Revenue rose 8% to $12.4 billion.')?.category).toBe('factual');
    const buyback = byText.get('The company announced plans to buy back shares.');
    expect(buyback?.category === 'factual' || prepared.cueOpinions.has(buyback?.id ?? '')).toBe(true);
  });

  it('counts the claims beyond maxClaims instead of dropping them silently', () => {
    const reasoning = Array.from(
      { length: 8 },
      (_, index) => `Revenue rose ${index + 1}% in segment number ${index}.`,
    ).join(' ');
    const prepared = prepareReasoning(
      { ticker: 'ACME', asOf: '2024-08-10', decision: 'BUY', reasoning },
      verifierOptionsSchema.parse({ maxClaims: 5 }),
    );
    expect(prepared.claims).toHaveLength(5);
    expect(prepared.unjudged).toBe(3);
    expect(prepared.reasons).toContain('CLAIM_LIMIT');
  });

  it('rejects a missing input with a typed error', () => {
    expect(() => prepareReasoning(undefined as never, settings)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
