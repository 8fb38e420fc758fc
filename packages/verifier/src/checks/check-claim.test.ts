import { describe, expect, it } from 'vitest';
import { loadTermSimilarity } from '../scoring/soft-match.ts';
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
  it('reads a sentence with two directions as confirming either, not refuting one', () => {
    const evidence = prepareEvidence({
      chunkId: 'news#0',
      documentId: 'news',
      chunkIndex: 0,
      publishedAt: '2024-01-30T12:00:00.000Z',
      tickers: ['PATH'],
      title: 'UiPath shares',
      text: 'It fell nearly 14% last year and missed a broader sector-wide rebound in high-growth technology shares.',
    });
    const run = (claim: string) =>
      checkClaim({
        claim: analyzeText(claim),
        claimNegated: false,
        evidence: [evidence],
        idf: new Map(),
        defaultIdf: 1,
      });
    const paraphrase = run('It fell nearly 14% last year and missed a broader sector-wide rebound in tech stocks.');
    expect(paraphrase.conflicts).toEqual([]);
    expect(paraphrase.directions.every((direction) => direction.status === 'matched')).toBe(true);
  });

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
    // The period is only in the title: the figure is not confirmed for another quarter (unsupported, not refuted).
    expect(check('In the fiscal second quarter, revenue was $85.8 billion.').numbers[0]?.status).not.toBe('matched');
    const stated = prepareEvidence({
      chunkId: 'q#0',
      documentId: 'q',
      chunkIndex: 0,
      publishedAt: '2024-08-01T20:30:00.000Z',
      tickers: ['AAPL'],
      title: 'Apple results',
      text: 'In the fiscal third quarter, Apple posted revenue of $85.8 billion.',
    });
    const periodSwap = checkClaim({
      claim: analyzeText('In the fiscal second quarter, revenue was $85.8 billion.'),
      claimNegated: false,
      evidence: [stated],
      idf: new Map(),
      defaultIdf: 1,
      subjectTicker: 'AAPL',
    });
    expect(periodSwap.conflicts.join(' ')).toMatch(/period/);
    const entity = check('Goldman Sachs reiterated its overweight rating with a price target of $273.');
    expect(entity.entities.find((item) => item.name === 'Goldman Sachs')?.status).toBe('conflict');
  });

  it('contradicts a company swapped into a near copy of an evidence sentence naming others', () => {
    const evidence = prepareEvidence({
      chunkId: 'wire#0',
      documentId: 'wire',
      chunkIndex: 0,
      publishedAt: '2024-01-31T21:00:00.000Z',
      tickers: ['AAPL'],
      title: 'Megacaps slip before earnings',
      text:
        'Microsoft MSFT.O also lost 1.3% after it forecast higher costs to develop new artificial-intelligence features. Apple AAPL.O, Meta Platforms META.O and ' +
        'Amazon.com AMZN.O, set to report earnings on Thursday, fell over 1% each.',
    });
    const run = (claim: string) =>
      checkClaim({
        claim: analyzeText(claim),
        claimNegated: false,
        evidence: [evidence],
        idf: new Map(),
        defaultIdf: 1,
        subjectTicker: 'AAPL',
      });
    // Microsoft is in the chunk, but the sentence the claim copies is about Meta.
    const swapped = run(
      'Apple AAPL.O, Meta Platforms MSFT.O and Amazon.com AMZN.O, set to report earnings on Thursday, fell over 1% each.',
    );
    expect(swapped.entities.find((item) => item.name.includes('MSFT'))?.status).toBe('conflict');
    expect(swapped.conflicts.join(' ')).toMatch(/not the company/);
    const faithful = run(
      'Apple AAPL.O, Meta Platforms META.O and Amazon.com AMZN.O, set to report earnings on Thursday, fell over 1% each.',
    );
    expect(faithful.conflicts).toEqual([]);
    expect(run('Microsoft MSFT.O also lost 1.3% after it forecast higher costs.').conflicts).toEqual([]);
    // The subject (Apple) put on Microsoft's sentence; a short claim that may describe the subject is left alone.
    const subject = run(
      'Apple also lost 1.3% after it forecast higher costs to develop new artificial-intelligence features.',
    );
    expect(subject.entities.find((item) => item.name === 'Apple')?.status).toBe('conflict');
    expect(run('Apple, like Microsoft, lost 1.3% after it forecast higher costs.').conflicts).toEqual([]);
  });

  it('reports facts the evidence does not state as missing, not as conflicts', () => {
    const result = check('Apple agreed to buy a Swiss startup for $4 billion.');
    expect(result.conflicts).toEqual([]);
    expect(result.numbers[0]?.status).toBe('missing');
  });
});

describe('metric alignment on market data', () => {
  const DAILY = (date: string, close: string, gain5: string, gain20: string) =>
    prepareEvidence({
      chunkId: `market:NVDA:${date}#0`,
      documentId: `market:NVDA:${date}`,
      chunkIndex: 0,
      publishedAt: `${date}T23:59:59.999Z`,
      tickers: ['NVDA'],
      title: `NVDA market data for ${date}`,
      text:
        `NVDA closed at ${close} on ${date} (open 120.30, high 123.03, low 116.94) on volume of 313.4 million shares. ` +
        'The close was 16.6% above the 20-day simple moving average of 113.03 and 29.0% above the 50-day average of ' +
        `94.34; the 20-day average was above the 50-day average. Over the last 5 sessions NVDA ${gain5}, and over the ` +
        `last 20 sessions it ${gain20}. The 14-day RSI was 80.8.`,
    });
  const run = (claim: string, evidence = [DAILY('2024-06-14', '131.82', 'gained 9.1%', 'gained 39.8%')]) =>
    checkClaim({
      claim: analyzeText(claim),
      claimNegated: false,
      evidence,
      idf: new Map(),
      defaultIdf: 1,
      subjectTicker: 'NVDA',
    });

  it('contradicts an altered closing price of the same date (a terse quote)', () => {
    const altered = run('2024-06-14 close 173.69');
    expect(altered.numbers[0]).toMatchObject({ status: 'conflict', metric: 'close_price', evidence: '131.82' });
    expect(run('2024-06-14 close 131.82').conflicts).toEqual([]);
  });

  it('does not contradict a metric the evidence does not state', () => {
    const result = run(
      'Relative to its 262-bar range the stock is at the 100.0% point between the low and the high. range 37.45–131.82, close 131.82',
    );
    expect(result.conflicts).toEqual([]);
    // The window length is not a figure.
    expect(result.numbers.map((number) => number.claimed)).not.toContain('262');
  });

  it('keeps figures and moves over different windows apart', () => {
    const evidence = [DAILY('2024-06-14', '131.82', 'lost 2.1%', 'gained 39.8%')];
    const confirmed = run('Over the last 20 sessions the stock gained 39.8%, and -2.1% over the last 5.', evidence);
    expect(confirmed.conflicts).toEqual([]);
    const wrongWindow = run('Over the last 5 sessions the stock gained 39.8%.', evidence);
    expect(wrongWindow.numbers[0]?.status).not.toBe('matched');
    expect(run('Over the last 20 sessions the stock lost 39.8%.', evidence).directions[0]?.status).toBe('conflict');
  });

  it('reads relative position (above/below, higher/lower than) against the matching clause', () => {
    expect(run('The 20-day average sits above the 50-day average.').conflicts).toEqual([]);
    expect(run('The 20-day average sits below the 50-day average.').directions[0]?.status).toBe('conflict');
    expect(run('NVDA is 16.6% higher than its 20-day moving average.').conflicts).toEqual([]);
  });

  it('lets the latest report supersede older ones for a claim without a date', () => {
    const older = DAILY('2024-03-05', '85.20', 'gained 1.0%', 'gained 5.0%');
    const latest = DAILY('2024-06-14', '131.82', 'gained 9.1%', 'gained 39.8%');
    const result = run('NVDA closed at 131.82.', [older, latest]);
    expect(result.conflicts).toEqual([]);
    expect(result.numbers[0]?.status).toBe('matched');
    expect(run('NVDA closed at 85.20.', [older, latest]).numbers[0]?.status).toBe('matched');
  });
});

describe('checkClaim precision first', () => {
  const older = prepareEvidence({
    chunkId: 'q1#0',
    documentId: 'q1',
    chunkIndex: 0,
    publishedAt: '2024-05-01T20:30:00.000Z',
    tickers: ['ACME'],
    title: 'Acme first quarter results',
    text: 'Acme said operating profit rose 6.1% year over year, and operating margin was 18.0%.',
  });
  const newer = prepareEvidence({
    chunkId: 'q2#0',
    documentId: 'q2',
    chunkIndex: 0,
    publishedAt: '2024-08-01T20:30:00.000Z',
    tickers: ['ACME'],
    title: 'Acme second quarter results',
    text: 'Acme said operating profit rose 8.2% year over year, after growth of 12.5% a year earlier.',
  });
  const claim = analyzeText('Operating profit rose 8.2%, slower than the 12.5% growth of a year earlier.');

  it('does not contradict a figure that admissible evidence states for the same slot', () => {
    const input = { claim, claimNegated: false, idf: new Map(), defaultIdf: 1, subjectTicker: 'ACME' };
    const topOnly = checkClaim({ ...input, evidence: [older] });
    const withPool = checkClaim({ ...input, evidence: [older], admissible: () => [older, newer] });
    expect(withPool.numbers.find((number) => number.claimed === '8.2%')?.status).toBe('matched');
    expect(withPool.conflicts.filter((text) => text.startsWith('8.2%'))).toEqual([]);
    // Without the pool the same top-k evidence is all the checks see.
    expect(topOnly.numbers.find((number) => number.claimed === '8.2%')?.status).not.toBe('matched');
  });

  it('never compares a prior-period figure with the current one', () => {
    const checks = checkClaim({ claim, claimNegated: false, evidence: [newer], idf: new Map(), defaultIdf: 1 });
    expect(checks.conflicts).toEqual([]);
    expect(checks.numbers.map((number) => number.status)).toEqual(['matched', 'matched']);
  });
});

describe('figures implied by the evidence', () => {
  const guidance = prepareEvidence({
    chunkId: 'g#0',
    documentId: 'g',
    chunkIndex: 0,
    publishedAt: '2024-10-29T12:00:00.000Z',
    tickers: ['ACME'],
    title: 'Acme raises guidance',
    text: 'Acme raised its full-year adjusted EPS guidance to $2.75 from $2.45, and expects revenue of $61 billion to $64 billion.',
  });
  const check = (claim: string) =>
    checkClaim({ claim: analyzeText(claim), claimNegated: false, evidence: [guidance], idf: new Map(), defaultIdf: 1 });

  it('confirms a difference, a change and a midpoint of stated figures, and never contradicts with them', () => {
    expect(check('Acme raised its EPS guidance by 30 cents.').numbers[0]).toMatchObject({
      status: 'matched',
      reason: 'derived',
    });
    expect(check('Acme raised its EPS guidance by about 12%.').numbers[0]?.status).toBe('matched');
    expect(check('Acme expects revenue of about $62.5 billion at the midpoint.').numbers[0]?.status).toBe('matched');
    const swapped = check('Acme raised its EPS guidance by 55 cents.');
    expect(swapped.numbers[0]?.status).not.toBe('matched');
  });
});

describe('checkClaim beyond the top-k chunks and the claim’s own words', () => {
  const traffic = prepareEvidence({
    chunkId: 'traffic#0',
    documentId: 'traffic',
    chunkIndex: 0,
    publishedAt: '2024-01-30T12:00:00.000Z',
    tickers: ['ACME'],
    title: 'Acme update',
    text: 'Shoppers flocked to the discount chain, and foot traffic surged 20% from a year earlier. The board met on Tuesday.',
  });
  const board = prepareEvidence({
    chunkId: 'board#0',
    documentId: 'board',
    chunkIndex: 0,
    publishedAt: '2024-01-30T12:00:00.000Z',
    tickers: ['ACME'],
    title: 'Acme board',
    text: 'The board named Jane Doe chair. Initech remains the largest supplier.',
  });
  const run = async (
    claim: string,
    options: { similarity?: boolean; evidence?: (typeof traffic)[]; admissible?: (typeof traffic)[] },
  ) =>
    checkClaim({
      claim: analyzeText(claim),
      claimNegated: false,
      evidence: options.evidence ?? [traffic],
      ...(options.admissible ? { admissible: () => options.admissible as (typeof traffic)[] } : {}),
      idf: new Map(),
      defaultIdf: 1,
      subjectTicker: 'ACME',
      similarity: options.similarity ? await loadTermSimilarity() : null,
    });

  it('confirms a figure restated in other words by word-vector coverage of the words around it', async () => {
    const claim = 'Store visitors numbered 20% more than a year before, with customers thronging the bargain retailer.';
    expect((await run(claim, {})).numbers.map((number) => number.status)).toEqual(['missing']);
    expect((await run(claim, { similarity: true })).numbers.map((number) => number.status)).toEqual(['matched']);
    // Soft coverage only confirms: the same figure about something else stays unconfirmed.
    const unrelated = await run('Board fees at the parent company amounted to 20% of the budget on Tuesday.', {
      similarity: true,
    });
    expect(unrelated.numbers.map((number) => number.status)).toEqual(['missing']);
  });

  it('confirms a figure stated in an admissible chunk outside the top k', async () => {
    const claim = 'Foot traffic surged 20% from a year earlier.';
    expect((await run(claim, { evidence: [board] })).numbers.map((number) => number.status)).toEqual(['missing']);
    const found = await run(claim, { evidence: [board], admissible: [board, traffic] });
    expect(found.numbers.map((number) => [number.status, number.chunkId])).toEqual([['matched', 'traffic#0']]);
  });

  it('marks an entity no admissible chunk names as absent, and one named elsewhere as only missing', async () => {
    const result = await run('The discount chain buys from Globex and from Initech.', { admissible: [traffic, board] });
    expect(result.entities.map((entity) => [entity.name, entity.status, entity.absent === true])).toEqual([
      ['Globex', 'missing', true],
      ['Initech', 'missing', false],
    ]);
  });
});

describe('checkClaim: amounts without a currency sign and directions implied by figures', () => {
  const table = prepareEvidence({
    chunkId: 'seg#0',
    documentId: 'seg',
    chunkIndex: 0,
    publishedAt: '2020-02-20T12:00:00.000Z',
    tickers: ['BCE'],
    title: 'Operating revenues',
    text: '(in millions)\n| OPERATING REVENUES | Q4 2019 | Q4 2018 | $ CHANGE |\n| --- | --- | --- | --- |\n| Bell Wireless | 2,493 | 2,407 | 86 |',
  });
  const run = (claim: string) =>
    checkClaim({ claim: analyzeText(claim), claimNegated: false, evidence: [table], idf: new Map(), defaultIdf: 1 });

  it('confirms an amount written without its currency sign, and never contradicts one', () => {
    expect(run('Bell Wireless in Q4 2019 was 2,493 million.').numbers[0]?.status).toBe('matched');
    expect(run('Bell Wireless in Q4 2019 was 2,600 million.').numbers[0]?.status).not.toBe('conflict');
  });

  it('confirms the direction two confirmed figures imply, and leaves it to the figures otherwise', () => {
    const claim = 'Revenue was 2,493 million in Q4 2019, compared with 2,407 million in Q4 2018.';
    expect(analyzeText(claim).directions.some((direction) => direction.derived)).toBe(true);
    const revenue = prepareEvidence({
      chunkId: 'rev#0',
      documentId: 'rev',
      chunkIndex: 0,
      publishedAt: '2020-02-20T12:00:00.000Z',
      tickers: ['BCE'],
      title: 'Revenue',
      text: '(in millions)\n| | Q4 2019 | Q4 2018 | $ CHANGE |\n| --- | --- | --- | --- |\n| Revenue | 2,493 | 2,407 | 86 |',
    });
    const result = checkClaim({
      claim: analyzeText(claim),
      claimNegated: false,
      evidence: [revenue],
      idf: new Map(),
      defaultIdf: 1,
    });
    expect(result.conflicts).toEqual([]);
    expect(result.directions.find((direction) => direction.word.includes(' vs '))?.status).toBe('matched');
  });
});

describe('checkClaim: moves over a window', () => {
  const market = (text: string) =>
    prepareEvidence({
      chunkId: 'm#0',
      documentId: 'm',
      chunkIndex: 0,
      publishedAt: '2024-03-01T21:00:00.000Z',
      tickers: ['NVDA'],
      title: 'NVDA market data for 2024-03-01',
      text,
    });
  const run = (claim: string, text: string) =>
    checkClaim({
      claim: analyzeText(claim),
      claimNegated: false,
      evidence: [market(text)],
      idf: new Map(),
      defaultIdf: 1,
    });

  it('contradicts the opposite move of the same size over the same window below the usual overlap bar', () => {
    const text = 'Over the last 5 sessions NVDA gained 4.4%, and over the last 20 sessions it gained 30.5%.';
    const flipped = run('Over the last 20 sessions the stock lost 30.5%.', text);
    expect(flipped.directions[0]).toMatchObject({ word: 'lost', status: 'conflict' });
    const faithful = run('Over the last 20 sessions the stock gained 30.5%.', text);
    expect(faithful.conflicts).toEqual([]);
  });

  it('reads the sign of a signed return figure as its direction', () => {
    const text = '20-day return -6.2%, 5-day return 1.5%.';
    expect(run('Over 20 days the shares fell 6.2%.', text).directions[0]).toMatchObject({ status: 'matched' });
    expect(run('Over 20 days the shares rose 6.2%.', text).directions[0]).toMatchObject({ status: 'conflict' });
  });
});

describe('checkClaim: a claim that moves things both ways', () => {
  const evidence = prepareEvidence({
    chunkId: 'deliveries#0',
    documentId: 'deliveries',
    chunkIndex: 0,
    publishedAt: '2024-06-03T12:00:00.000Z',
    tickers: ['NWND'],
    title: 'Northwind May deliveries',
    text: 'Northwind said May deliveries rose 38% to 410,000 vehicles, while its gross margin fell to 11%.',
  });
  const deliveries = prepareEvidence({
    chunkId: 'deliveries#1',
    documentId: 'deliveries',
    chunkIndex: 1,
    publishedAt: '2024-06-03T12:00:00.000Z',
    tickers: ['NWND'],
    title: 'Northwind May deliveries',
    text: 'Northwind said May deliveries of its electric vehicles rose 38% to 410,000 vehicles from a year earlier.',
  });
  const run = (claim: string, chunk = evidence) =>
    checkClaim({ claim: analyzeText(claim), claimNegated: false, evidence: [chunk], idf: new Map(), defaultIdf: 1 });

  it('does not refute a direction word whose own clause the evidence never states', () => {
    const checks = run(
      'The cuts worked: May deliveries of electric vehicles rose 38% to 410,000 vehicles from a year earlier.',
      deliveries,
    );
    expect(checks.conflicts).toEqual([]);
    expect(checks.directions.find((direction) => direction.word === 'cuts')?.status).toBe('missing');
    expect(checks.directions.find((direction) => direction.word === 'rose')?.status).toBe('matched');
  });

  it('still refutes a reversed word whose clause the evidence restates', () => {
    const checks = run('May deliveries fell 38% to 410,000 vehicles, while its gross margin rose to 11%.');
    expect(checks.directions.find((direction) => direction.word === 'fell')?.status).toBe('conflict');
    expect(checks.directions.find((direction) => direction.word === 'rose')?.status).toBe('conflict');
  });
});

describe('checkClaim: negations worded differently', () => {
  const chunk = (text: string) =>
    prepareEvidence({
      chunkId: 'outlook#0',
      documentId: 'outlook',
      chunkIndex: 0,
      publishedAt: '2024-06-03T12:00:00.000Z',
      tickers: ['NWND'],
      title: 'Northwind update',
      text,
    });
  const run = (claim: string, text: string) =>
    checkClaim({
      claim: analyzeText(claim),
      claimNegated: /\bno\b|\bnot\b|n't/.test(claim),
      evidence: [chunk(text)],
      idf: new Map(),
      defaultIdf: 1,
    });

  it('reads two negations of one statement as agreeing, one negation against an assertion as a conflict', () => {
    const claim = 'Northwind gave no outlook for its 2025 margins.';
    expect(run(claim, 'Northwind did not issue an outlook for its 2025 margins.').negation).toBe(null);
    expect(run(claim, 'Northwind issued an outlook for its 2025 margins.').negation).toBe('conflict');
  });

  it('reads a negated permission as negating the move it governs', () => {
    const evidence = 'The regulator said it will not allow Northwind to expand output beyond 40 vehicles a week.';
    const agree = run('The regulator will not let Northwind expand output beyond 40 vehicles a week.', evidence);
    expect(agree.conflicts).toEqual([]);
    const reversed = run('The regulator will let Northwind expand output beyond 40 vehicles a week.', evidence);
    expect(reversed.directions.find((direction) => direction.word === 'expand')?.status).toBe('conflict');
  });
});
