import { describe, expect, it } from 'vitest';
import { checkClaim } from './check-claim.ts';
import { prepareEvidence } from './evidence.ts';
import { analyzeText } from './facts.ts';
import { readTables } from './tables.ts';

const FILING = `Consolidated results (in millions)
| | 2019 | 2018 |
|---|---|---|
| Revenue | $5,012 | $4,388 |
| Operating income | 1,204 | (96) |
| Gross margin | 41.2% | 38.9% |
Revenue grew on higher volumes.`;

const ALIGNED = `Segment revenue ($ in thousands)
                      2021        2020
Cloud services     125,400      98,310
Hardware            40,250      52,900`;

describe('readTables', () => {
  it('reads a pipe table cell by cell with the scale from the line before it', () => {
    const { statements, spans } = readTables(FILING);
    // Statements sign the first row only ("$5,012"): every amount of the table is in dollars.
    expect(statements.map((statement) => statement.text)).toEqual([
      'Revenue (2019): $5,012 million.',
      'Revenue (2018): $4,388 million.',
      'Operating income (2019): $1,204 million.',
      'Operating income (2018): -$96 million.',
      'Gross margin (2019): 41.2%.',
      'Gross margin (2018): 38.9%.',
    ]);
    expect(spans).toHaveLength(5);
    expect(statements[2]?.cell).toEqual({ table: 0, row: 'Operating income', column: '2019' });
  });

  it("reads a currency sign with a compact scale from a header row (€m, £m, $'000)", () => {
    const euros = readTables(
      '| | 2019 | 2018 |\n| | €m | €m |\n| --- | --- | --- |\n| Free cash flow | 4,411 | 4,044 |',
    );
    expect(euros.statements.map((statement) => statement.text)).toEqual([
      'Free cash flow (2019): €4,411 million.',
      'Free cash flow (2018): €4,044 million.',
    ]);
    const pounds = readTables(
      "Group results\n| | 2021 £'000 | 2020 £'000 |\n|---|---|---|\n| Revenue | 12,500 | 11,000 |",
    );
    expect(pounds.statements.map((statement) => statement.text)[0]).toBe("Revenue (2021 £'000): £12,500 thousand.");
  });

  it('reads a whitespace-aligned table with a currency scale header', () => {
    const texts = readTables(ALIGNED).statements.map((statement) => statement.text);
    expect(texts).toContain('Cloud services (2021): $125,400 thousand.');
    expect(texts).toContain('Hardware (2020): $52,900 thousand.');
  });

  it('leaves prose alone', () => {
    expect(readTables('Revenue rose 5%.  Margins fell.\nThe outlook  is unchanged.').statements).toEqual([]);
  });
});

describe('claims about table cells', () => {
  const evidence = prepareEvidence({
    chunkId: 'f#0',
    documentId: 'f',
    chunkIndex: 0,
    publishedAt: '2020-02-20T12:00:00.000Z',
    tickers: ['ACME'],
    title: 'Acme annual report 2019',
    text: FILING,
  });
  const check = (claim: string) =>
    checkClaim({ claim: analyzeText(claim), claimNegated: false, evidence: [evidence], idf: new Map(), defaultIdf: 1 });

  it('matches the right cell and conflicts with another period’s value', () => {
    expect(check('Revenue in 2019 was $5.0 billion.').numbers[0]?.status).toBe('matched');
    expect(check('Revenue in 2018 was $4.4 billion.').numbers[0]?.status).toBe('matched');
    const wrongCell = check('Revenue in 2019 was $4.4 billion.');
    expect(wrongCell.numbers[0]?.status).not.toBe('matched');
    expect(check('Gross margin was 41.2% in 2019.').numbers[0]?.status).toBe('matched');
  });

  it('does not confirm a figure read off another row, and contradicts it when the claim names its row in full', () => {
    const notes = prepareEvidence({
      chunkId: 'n#0',
      documentId: 'n',
      chunkIndex: 0,
      publishedAt: '2020-02-20T12:00:00.000Z',
      tickers: ['ACME'],
      title: 'Other assets',
      text: [
        '(in thousands)',
        '| | 2019 | 2018 |',
        '| --- | --- | --- |',
        '| Trade accounts receivable, net, noncurrent | $26,496 | $15,948 |',
        '| Value added tax receivables, net, noncurrent | 592 | 519 |',
        '| Other | 6,723 | 5,711 |',
      ].join('\n'),
    });
    const run = (claim: string) =>
      checkClaim({ claim: analyzeText(claim), claimNegated: false, evidence: [notes], idf: new Map(), defaultIdf: 1 });
    expect(run('Value added tax receivables, net, noncurrent in 2019 was $592 thousand.').numbers[0]?.status).toBe(
      'matched',
    );
    const otherRow = run('Value added tax receivables, net, noncurrent in 2019 was $26,496 thousand.');
    expect(otherRow.numbers[0]).toMatchObject({ status: 'conflict', evidence: '$592 thousand' });
    // A claim that names no row of the table in full is left unconfirmed, not contradicted.
    const vague = run('Tax receivables in 2019 were $6,723 thousand.');
    expect(vague.numbers[0]?.status).not.toBe('conflict');
  });
});

describe('multi-row headers', () => {
  it('takes the row of periods as the column headers (TAT-QA layout)', () => {
    const table = [
      '| | | Years Ended September 30, | |',
      '| | 2019 | 2018 | 2017 |',
      '| Fixed Price | $  1,452.4 | $  1,146.2 | $  1,036.9 |',
      '| Total sales | $1,496.5 | $1,202.9 | $1,107.7 |',
    ].join('\n');
    const texts = readTables(`Sales by contract type (in millions)\n${table}`).statements.map((item) => item.text);
    expect(texts).toContain('Total sales (2019): $1,496.5 million.');
    expect(texts).toContain('Fixed Price (2017): $1,036.9 million.');
  });
});
