import { describe, expect, it } from 'vitest';
import { chunkText } from '../chunking/chunk-text.ts';
import { checkClaim } from './check-claim.ts';
import { prepareEvidence } from './evidence.ts';
import { analyzeText } from './facts.ts';
import { chunkTableHead, readTables, type TableStatement, tableHeads } from './tables.ts';

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
    // The row's value of another year, claimed for 2019: the 2019 cell of the row the claim names in full says
    // otherwise (the row has no name in the metric lexicon); for 2018 it is right.
    const otherYear = run('Value added tax receivables, net, noncurrent in 2019 was $519 thousand.');
    expect(otherYear.numbers[0]).toMatchObject({ status: 'conflict', evidence: '$592 thousand' });
    expect(run('Value added tax receivables, net, noncurrent in 2018 was $519 thousand.').numbers[0]?.status).toBe(
      'matched',
    );
    expect(run('Tax receivables in 2019 were $519 thousand.').numbers[0]?.status).not.toBe('conflict');
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

describe('filing header layouts', () => {
  const texts = (text: string) => readTables(text).statements.map((item) => item.text);

  it('reads dated column headers, a period spanning sub-columns and a unit row below the periods', () => {
    const debt = texts(
      [
        '|  | December 31, 2019 |  | December 31, 2018 |  |',
        '| (In millions) | Carrying Amount | Fair Value | Carrying Amount | Fair Value |',
        '| --- | --- | --- | --- | --- |',
        '| Term loan | $ 474.6 | $ 474.6 | $ — | $ — |',
        '| Total debt | $ 3,774.4 | $ 4,073.9 | $ 3,474.2 | $ 3,535.1 |',
      ].join('\n'),
    );
    expect(debt).toContain('Total debt (December 31, 2019): $4,073.9 million.');
    expect(debt).toContain('Total debt (December 31, 2018): $3,535.1 million.');
    const receivables = texts(
      [
        '| | December 31, 2019 | December 31, 2018 | January 1, 2018 |',
        '| | $ | $ | $ |',
        '| --- | --- | --- | --- |',
        '| Other receivables | 6,665 | 8,620 | 4,403 |',
      ].join('\n'),
    );
    expect(receivables).toContain('Other receivables (December 31, 2018): $8,620.');
    // A blank column right of a period with nothing below it stays blank.
    expect(texts('| | 2019 | | 2018 |\n| --- | --- | --- | --- |\n| Revenue | 5 | 7 | 4 |')).toContain('Revenue: 7.');
  });

  it('reads the scale of "(in million)" and of a currency unit row such as RMB’Million', () => {
    expect(
      texts(
        '| (in million) | January 31, 2019 | January 31, 2018 |\n| --- | --- | --- |\n| Goodwill | $2,450.8 | $1,620.2 |',
      ),
    ).toContain('Goodwill (January 31, 2018): $1,620.2 million.');
    const rmb = texts(
      '|  | 2019 | 2018 |\n|  | RMB’Million | RMB’Million |\n| --- | --- | --- |\n| Notional amount | 29,423 | 77,630 |',
    );
    expect(rmb).toContain('Notional amount (2019): RMB 29,423 million.');
    expect(texts("| | 2019 | 2018 |\n| | HK$'m | HK$'m |\n|---|---|---|\n| Revenue | 120 | 110 |")).toContain(
      'Revenue (2019): HK$120 million.',
    );
  });
});

describe('a chunk that starts inside a table', () => {
  const filing = [
    'Long-term debt (in millions)',
    '|  | December 31, 2019 | December 31, 2018 |',
    '| --- | --- | --- |',
    ...Array.from({ length: 30 }, (_, row) => `| Senior notes series ${row + 1} | ${400 + row}.5 | ${300 + row}.5 |`),
    '| Total debt | $ 4,073.9 | $ 3,535.1 |',
  ].join('\n');

  it('reads the rows of a later chunk under the table’s caption and header rows', () => {
    const chunks = chunkText(filing, { size: 400, overlap: 0 });
    expect(chunks.length).toBeGreaterThan(2);
    const heads = tableHeads(filing);
    expect(heads).toHaveLength(1);
    const last = chunks.at(-1) as (typeof chunks)[number];
    const head = chunkTableHead(heads, last.charStart);
    expect(head).toBe(filing.slice(0, filing.indexOf('| Senior notes series 1 ')).replace(/\n$/, ''));
    // Without the head the chunk's cells have no period and no scale; with it they read as in the whole table.
    expect(readTables(last.text).statements.map((item) => item.text)).not.toContain(
      'Total debt (December 31, 2019): $4,073.9 million.',
    );
    const read = readTables(last.text, head);
    expect(read.statements.map((item) => item.text)).toContain('Total debt (December 31, 2019): $4,073.9 million.');
    // Offsets stay the chunk's own.
    const total = read.statements.find((item) => item.text.startsWith('Total debt')) as TableStatement;
    expect(last.text.slice(total.start, total.end)).toBe('| Total debt | $ 4,073.9 | $ 3,535.1 |');
    expect(read.spans.every((span) => span.start >= 0 && span.end <= last.text.length)).toBe(true);
    // The first chunk holds its own head: nothing to add.
    expect(chunkTableHead(heads, 0)).toBeNull();
  });
});

describe('a misquoted scale', () => {
  const run = (text: string, claim: string) =>
    checkClaim({
      claim: analyzeText(claim),
      claimNegated: false,
      evidence: [
        prepareEvidence({
          chunkId: 'e#0',
          documentId: 'e',
          chunkIndex: 0,
          publishedAt: '2020-02-20T12:00:00.000Z',
          tickers: ['ACME'],
          title: 'Acme annual report 2019',
          text,
        }),
      ],
      idf: new Map(),
      defaultIdf: 1,
    });

  it('contradicts a claim in prose that states the scale of the evidence’s figure wrongly', () => {
    const prose = 'Operating expenses were $45.1 million in 2019, compared with $39.0 million in 2018.';
    expect(run(prose, 'Operating expenses were $45.1 billion in 2019.').numbers[0]?.status).toBe('conflict');
    expect(run(prose, 'Operating expenses were $45.1 million in 2019.').numbers[0]?.status).toBe('matched');
  });

  it('leaves a table cell’s scale, which the caption supplies, unconfirmed but not contradicted', () => {
    const check = run(FILING, 'Revenue in 2019 was $5,012 billion.').numbers[0];
    expect(check?.status).not.toBe('matched');
    expect(check?.status).not.toBe('conflict');
  });
});
