import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecisionText } from './decision.ts';

interface Fixture {
  id: string;
  shape: string;
  text: string;
  expected: string;
}
const corpus = JSON.parse(
  readFileSync(new URL('./__fixtures__/decision-corpus.json', import.meta.url), 'utf8'),
) as Fixture[];
const outcome = (text: string): string => {
  const result = parseDecisionText(text);
  return result.ok ? result.decision : `fail:${result.reason}`;
};

describe('decision corpus (__fixtures__/decision-corpus.json)', () => {
  it('holds at least 200 outputs across the real-model shapes', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(new Set(corpus.map((fixture) => fixture.shape)).size).toBeGreaterThanOrEqual(20);
  });

  it.each(corpus.map((fixture) => [fixture.id, fixture] as const))('%s', (_id, fixture) => {
    expect(outcome(fixture.text)).toBe(fixture.expected);
  });

  it('a wrong decision never comes out when corpus answers are cut at any point (property)', () => {
    // Truncating a completion may lose its decision (a typed failure) but never yields a different decision.
    const decided = corpus.filter((fixture) => !fixture.expected.startsWith('fail:'));
    fc.assert(
      fc.property(fc.constantFrom(...decided), fc.double({ min: 0, max: 1, noNaN: true }), (fixture, cut) => {
        const text = fixture.text.slice(0, Math.floor(fixture.text.length * cut));
        const result = parseDecisionText(text);
        if (result.ok && result.decision !== fixture.expected) {
          // An earlier explicit statement of another decision inside the answer may decide a cut text, never reasoning.
          expect(result.match.kind === 'tag' || result.match.kind === 'labelled').toBe(true);
        }
      }),
      { seed: 15, numRuns: 400 },
    );
  });

  it('noise around a final tag never changes the decision (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...corpus.filter((fixture) => fixture.shape === 'trading-r1-thesis')),
        fc.string({ maxLength: 200 }),
        (fixture, noise) => {
          const result = parseDecisionText(`${noise.replace(/[[\]<>\\]/g, ' ')}\n${fixture.text}`);
          expect(result.ok && result.decision).toBe(fixture.expected);
        },
      ),
      { seed: 15, numRuns: 300 },
    );
  });
});
