import { describe, expect, it } from 'vitest';
import { analyzeText } from './facts.ts';

describe('analyzeText', () => {
  it('anchors each figure to the nearest metric in its clause', () => {
    const facts = analyzeText(
      'Apple reported revenue of $85.8 billion, up 5% year over year, while services revenue grew 14% to $24.2bn.',
    );
    expect(
      facts.quantities.map((quantity) => [
        quantity.raw,
        quantity.metric?.id,
        quantity.metric?.qualifier,
        quantity.role,
      ]),
    ).toEqual([
      ['$85.8 billion', 'revenue', null, 'level'],
      ['5%', 'revenue', null, 'change'],
      ['14%', 'revenue', 'servic', 'change'],
      ['$24.2bn', 'revenue', 'servic', 'level'],
    ]);
  });

  it('marks estimates, prior-period values and tolerances', () => {
    const facts = analyzeText(
      'Gross margin was 46.3%, up from 45.2% a year ago; EPS of $1.40 beat the consensus estimate of $1.35.',
    );
    const byRaw = Object.fromEntries(facts.quantities.map((quantity) => [quantity.raw, quantity]));
    expect(byRaw['45.2%']?.role).toBe('prior');
    expect(byRaw['$1.35']?.estimate).toBe(true);
    expect(byRaw['$1.40']?.estimate).toBe(false);
    expect(analyzeText('revenue of $28.0 billion, plus or minus 2%').quantities[1]?.role).toBe('tolerance');
  });

  it('finds direction words and flips them under negation', () => {
    const facts = analyzeText('Revenue did not rise in the quarter, and margins failed to expand; shares fell 3%.');
    expect(facts.directions.map((direction) => [direction.word, direction.polarity, direction.negated])).toEqual([
      ['rise', -1, true],
      ['expand', -1, true],
      ['fell', -1, false],
    ]);
  });

  it('carries a negated verb of permission, plan or expectation to the move it introduces', () => {
    const read = (text: string) => analyzeText(text).directions.map((direction) => [direction.word, direction.negated]);
    expect(read('The board will not allow the company to expand output.')).toEqual([['expand', true]]);
    expect(read('Management does not expect gross margins to rise next year.')).toEqual([['rise', true]]);
    expect(read('Management expects gross margins to rise next year.')).toEqual([['rise', false]]);
    // A negation of something else, or across a comma, does not reach it.
    expect(read('It did not say whether output would expand.')).toEqual([['expand', false]]);
    expect(read('Nobody was surprised, and management expects margins to rise.')).toEqual([['rise', false]]);
  });

  it('finds companies by alias and ticker, and other proper names', () => {
    const facts = analyzeText('Nvidia and $AMD trail TSMC, said Jensen Huang at Computex.');
    const keys = facts.entities.map((entity) => entity.key);
    expect(keys).toContain('NVDA');
    expect(keys).toContain('AMD');
    expect(keys).toContain('TSM');
    expect(keys).toContain('jensen huang');
    expect(keys).toContain('computex');
  });
});

describe('figure roles', () => {
  it('reads the comparison base of a comparative or an earlier period as a prior-period figure', () => {
    const roles = (text: string) => analyzeText(text).quantities.map((quantity) => [quantity.raw, quantity.role]);
    expect(roles('Operating profit rose 8.2%, slower than the 12.5% growth of a year earlier.')).toContainEqual([
      '12.5%',
      'prior',
    ]);
    expect(roles('Growth re-accelerated to 31% from 27% in the previous quarter.')).toContainEqual(['27%', 'prior']);
    // A change measured against the prior period is not the prior figure.
    expect(roles('Revenue rose 8.2% from a year earlier.')).not.toContainEqual(['8.2%', 'prior']);
  });
});

describe('fact readers', () => {
  it('lets another language plug in without touching the checks', async () => {
    const { registerFactReader, englishFactReader } = await import('./facts.ts');
    const marker = 'ZZ-READER-TEST';
    registerFactReader({
      language: 'xx',
      accepts: (text) => text.includes(marker),
      read: (text) => ({ ...englishFactReader.read(text.replace(marker, 'revenue rose 8%')), source: text }),
    });
    expect(analyzeText(`${marker}.`).quantities.map((quantity) => quantity.value)).toEqual([8]);
    expect(analyzeText('profit fell 3%').quantities.map((quantity) => quantity.value)).toEqual([3]);
  });
});

describe('reference years', () => {
  it('does not make "since 1998" the period of a figure', () => {
    const facts = analyzeText('Shares fell 4% on Tuesday, the steepest drop since 1998.');
    expect(facts.quantities[0]?.periods).toEqual([]);
    expect(analyzeText('Revenue rose 5% in 2024.').quantities[0]?.periods.map((period) => period.raw)).toEqual([
      '2024',
    ]);
  });
});

describe('phrase look-ups (metrics, company aliases)', () => {
  it('needs a non-letter before a metric phrase and a non-alphanumeric before a company alias', () => {
    const ids = (text: string) => analyzeText(text).metrics.map((metric) => metric.id);
    // "revenue" inside "prerevenue" is no metric; after a digit or punctuation it is, and the search goes on after
    // a rejected start ("xrevenue revenue": the second one counts).
    expect(ids('prerevenue was flat')).toEqual([]);
    expect(ids('xrevenue revenue was flat')).toHaveLength(1);
    expect(ids('(revenue) was flat')).toHaveLength(1);
    expect(ids('2024revenue was flat')).toHaveLength(1);
    const companies = (text: string) =>
      analyzeText(text)
        .entities.filter((entity) => entity.kind === 'company')
        .map((entity) => entity.key);
    expect(companies('Microsoft rose.')).toEqual(['MSFT']);
    expect(companies('2Microsoft rose.')).not.toContain('MSFT');
    expect(companies('XMicrosoft rose; Microsoft fell.')).toEqual(['MSFT']);
  });
});

describe('period prefilters', () => {
  it('reads periods whatever the case of their words', () => {
    const kinds = (text: string) => analyzeText(text).periods.map((period) => [period.kind, period.raw]);
    expect(kinds('REVENUE IN THE THIRD QUARTER OF 2024 AND AUG. 1, 2024')).toEqual([
      ['quarter', 'THIRD QUARTER OF 2024'],
      ['date', 'AUG. 1, 2024'],
    ]);
    expect(kinds('Fy24 and Q3 and First Half')).toEqual([
      ['year', 'Fy24'],
      ['quarter', 'Q3'],
      ['half', 'First Half'],
    ]);
  });
});
