import { describe, expect, it } from 'vitest';
import { checkClaim } from './check-claim.ts';
import { prepareEvidence } from './evidence.ts';
import { analyzeText } from './facts.ts';

const RELEASE = prepareEvidence({
  chunkId: 'release#0',
  documentId: 'release',
  chunkIndex: 0,
  publishedAt: '2024-08-01T20:30:00.000Z',
  tickers: ['AAPL'],
  title: 'Apple reports third quarter results (fiscal 2024)',
  text:
    'The Company posted quarterly revenue of $85.8 billion, up 5 percent year over year. Services revenue reached an ' +
    'all-time high of $24.2 billion, up 14 percent. iPhone revenue was $39.3 billion, down 1 percent. Revenue from ' +
    'Greater China fell 6.5% to $14.7 billion. Morgan Stanley reiterated its overweight rating with a price target of $273.',
});

function check(claim: string) {
  return checkClaim({
    claim: analyzeText(claim),
    claimNegated: /\bnot\b|n't/.test(claim),
    evidence: [RELEASE],
    idf: new Map(),
    defaultIdf: 1,
    subjectTicker: 'AAPL',
  });
}

describe('checkClaim', () => {
  it('confirms faithful figures written differently', () => {
    const result = check('Services sales rose 14% to a record $24.2bn.');
    expect(result.conflicts).toEqual([]);
    expect(result.numbers.map((number) => number.status)).toEqual(['matched', 'matched']);
  });

  it('contradicts an altered figure about the same metric', () => {
    const result = check('Services revenue reached a record $26.4 billion.');
    expect(result.numbers[0]).toMatchObject({ status: 'conflict', reason: 'value', evidence: '$24.2 billion' });
    expect(result.conflicts).toHaveLength(1);
  });

  it('does not let a figure about another metric contradict', () => {
    // 14% is services growth; 5% total growth must not be read as a conflict with it.
    expect(check('Services revenue rose 14 percent.').conflicts).toEqual([]);
  });

  it('contradicts a flipped direction and a negated predicate', () => {
    expect(check('Revenue from Greater China rose 6.5% to $14.7 billion.').directions[0]?.status).toBe('conflict');
    const negated = check('Morgan Stanley did not reiterate its overweight rating with a price target of $273.');
    expect(negated.conflicts.length).toBeGreaterThan(0);
  });

  it('contradicts a wrong period and a wrong company', () => {
    expect(check('In the fiscal second quarter, revenue was $85.8 billion.').conflicts.join(' ')).toMatch(/period/);
    const entity = check('Goldman Sachs reiterated its overweight rating with a price target of $273.');
    expect(entity.entities.find((item) => item.name === 'Goldman Sachs')?.status).toBe('conflict');
  });

  it('reports facts the evidence does not state as missing, not as conflicts', () => {
    const result = check('Apple agreed to buy a Swiss startup for $4 billion.');
    expect(result.conflicts).toEqual([]);
    expect(result.numbers[0]?.status).toBe('missing');
  });
});
