import { describe, expect, it } from 'vitest';
import { boundToAnotherParty, clauseIds, clauseTermsAt } from './binding.ts';
import { analyzeText } from './facts.ts';
import { compareQuantities } from './quantities.ts';

/** Whether the claim's first figure is confirmed by the matching figure of the evidence sentence. */
function bound(claim: string, evidence: string, subject?: string, figure = 0): boolean {
  const claimFacts = analyzeText(claim);
  const evidenceFacts = analyzeText(evidence);
  const claimed = claimFacts.quantities[figure];
  if (!claimed) throw new Error('no figure in the claim');
  const matched = evidenceFacts.quantities.find((quantity) => compareQuantities(claimed, quantity) === 'match');
  if (!matched) throw new Error('no matching figure in the evidence');
  return boundToAnotherParty(claimFacts, claimed, evidenceFacts, matched, subject);
}

describe('binding a figure to the party of its clause', () => {
  const evidence = 'Revenue in the Americas rose 10% to $5.2 billion, while Europe fell 5% to $3.1 billion.';

  it('a figure moved onto the party of another clause is not confirmed there', () => {
    expect(bound('Europe revenue rose 10%.', evidence)).toBe(true);
    expect(bound('Revenue in Europe reached $5.2 billion.', evidence)).toBe(true);
  });

  it('the right party, a paraphrase and a claim naming both stay confirmed', () => {
    expect(bound('Americas revenue rose 10%.', evidence)).toBe(false);
    expect(bound('Sales grew 10% in the Americas.', evidence)).toBe(false);
    expect(bound('The Americas grew 10% while Europe fell 5%.', evidence)).toBe(false);
    expect(bound('Revenue rose 10%.', evidence)).toBe(false);
  });

  it('needs a rival figure of the same kind in another clause', () => {
    expect(bound('Europe revenue rose 10%.', 'Revenue in the Americas rose 10%, and Europe opened two stores.')).toBe(
      false,
    );
    expect(bound('Europe revenue rose 10%.', 'Revenue in the Americas and Europe rose 10% and 5%.')).toBe(false);
  });

  it('the subject company is a premise, not a party', () => {
    const sentence = 'Over the last 5 sessions AAPL lost 1.9%, and over the last 20 sessions it gained 6.6%.';
    expect(bound('AAPL gained 6.6% over 20 sessions.', sentence, 'AAPL')).toBe(false);
    expect(bound('AAPL gained 6.6% over 20 sessions.', sentence)).toBe(true);
  });

  it('a claim stating both figures in one clause binds them as the evidence does', () => {
    const release = 'Adjusted EPS was $2.40, up from $2.15 a year earlier.';
    expect(bound('Adjusted EPS of $2.40 was up from $2.15 a year earlier.', release, undefined, 1)).toBe(false);
    expect(bound('Adjusted EPS of $2.40 was up from $2.15 a year earlier.', release, undefined, 0)).toBe(false);
    // Two figures in the claim's clause, but the rival is not among them: the figure is still moved.
    expect(bound('Europe revenue rose 10% to $5.2 billion.', evidence)).toBe(true);
  });

  it('a capital that opens a sentence or a month is not a name', () => {
    expect(bound('March sales rose 10%.', 'Sales rose 10% in March. Returns fell 5%.')).toBe(false);
  });
});

describe('clauses', () => {
  it('cut at sentence ends, semicolons, commas and contrast words, not at colons or decimal commas', () => {
    const facts = analyzeText(
      'Greater China is weak: revenue fell 6.5% to $1,470 million; Mac rose 2%, while iPad jumped 24%.',
    );
    const ids = clauseIds(facts);
    const clauseOf = (word: string) => ids[facts.tokens.findIndex((token) => token.raw === word)];
    expect(clauseOf('China')).toBe(clauseOf('fell'));
    expect(clauseOf('Mac')).not.toBe(clauseOf('fell'));
    expect(clauseOf('iPad')).not.toBe(clauseOf('Mac'));
    expect(clauseTermsAt(facts, facts.source.indexOf('6.5%'))).toContain('china');
  });
});
