import { describe, expect, it } from 'vitest';
import { checkClaim } from './check-claim.ts';
import { prepareEvidence } from './evidence.ts';
import { analyzeText } from './facts.ts';
import { impliedDirection } from './implied-direction.ts';

const implied = (text: string) => {
  const facts = analyzeText(text);
  return facts.directions.map((direction) => [direction.word, impliedDirection(direction, facts)?.polarity ?? null]);
};

describe('impliedDirection', () => {
  it('reads the order of "to X from Y" and "from Y to X"', () => {
    expect(implied('Revenue rose to $10.2 billion in 2019 from $9.7 billion in 2018.')[0]).toEqual(['rose', 1]);
    expect(implied('Revenue fell to $10.2 billion in 2019 from $9.7 billion in 2018.')[0]).toEqual(['fell', 1]);
    expect(implied('Sales grew 5% to $10.2 billion from $9.7 billion.')[0]).toEqual(['grew', 1]);
    expect(implied('Sales fell from $9.7 billion to $10.2 billion.')[0]).toEqual(['fell', 1]);
    expect(implied('Net loss narrowed to $3 million from $5 million.')[0]).toEqual(['narrowed', -1]);
  });

  it('leaves quality words, ranges, other units and figures within rounding alone', () => {
    expect(implied('The operating loss improved to $3 million from $5 million.')[0]).toEqual(['improved', null]);
    expect(implied('Margin rose to 41% from $9 million.')[0]).toEqual(['rose', null]);
    expect(implied('Revenue rose to about $10.0 billion from $9.9 billion.')[0]).toEqual(['rose', null]);
    expect(implied('Revenue rose 5%.')[0]).toEqual(['rose', null]);
  });

  it('lets the word nearest the figures govern them, not a direction noun naming the line item', () => {
    // Line items named by a direction noun (real filings: "Gains on the sale of …", "Increase in receivables").
    expect(implied('Gains on the sale of restaurants fell to $1,366 thousand in 2019 from $46,164 thousand.')).toEqual([
      ['Gains', null],
      ['fell', -1],
    ]);
    expect(implied('Increase in receivables rose to $12 million from $9 million.')).toEqual([
      ['Increase', null],
      ['rose', 1],
    ]);
    // The opposite verb after the noun is still read against the figures.
    expect(implied('Gains on the sale of restaurants rose to $1,366 thousand from $46,164 thousand.')[1]).toEqual([
      'rose',
      -1,
    ]);
  });
});

describe('checkClaim with a claim’s own figures', () => {
  const table = prepareEvidence({
    chunkId: 't#0',
    documentId: 't',
    chunkIndex: 0,
    publishedAt: '2020-02-20T12:00:00.000Z',
    tickers: ['ACME'],
    title: 'Cash flow',
    text: '| | 2019 | 2018 |\n| | €m | €m |\n| --- | --- | --- |\n| Free cash flow | 4,411 | 4,044 |',
  });
  const run = (claim: string) =>
    checkClaim({ claim: analyzeText(claim), claimNegated: false, evidence: [table], idf: new Map(), defaultIdf: 1 });

  it('confirms the verb by arithmetic on two confirmed figures, and contradicts the opposite verb', () => {
    const faithful = run('Free cash flow rose to €4,411 million in 2019 from €4,044 million in 2018.');
    expect(faithful.conflicts).toEqual([]);
    expect(faithful.directions[0]).toMatchObject({ word: 'rose', status: 'matched' });
    const flipped = run('Free cash flow fell to €4,411 million in 2019 from €4,044 million in 2018.');
    expect(flipped.directions[0]).toMatchObject({ word: 'fell', status: 'conflict', chunkId: null });
    expect(flipped.conflicts[0]).toContain('own figures');
  });
});
