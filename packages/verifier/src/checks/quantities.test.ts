import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareQuantities, extractQuantities, scaleMisquote } from './quantities.ts';

function first(text: string) {
  const [quantity] = extractQuantities(text);
  if (!quantity) throw new Error(`no quantity in ${text}`);
  return quantity;
}

describe('extractQuantities', () => {
  it('normalises currencies and scales', () => {
    expect(first('revenue of $1.2bn').value).toBeCloseTo(1.2e9);
    expect(first('revenue of 1,200 million dollars').value).toBeCloseTo(1.2e9);
    expect(first('US$1.2 billion').unit).toBe('currency');
    expect(first('€3.5m in fines').currency).toBe('EUR');
    expect(first('a $2 trillion market value').value).toBeCloseTo(2e12);
  });

  it('reads percent, percentage points, bps, multiples and ranges', () => {
    expect(first('up 5 percent').unit).toBe('percent');
    expect(first('margin widened 150 bps')).toMatchObject({ unit: 'pp', value: 1.5 });
    expect(first('up 1.5 percentage points')).toMatchObject({ unit: 'pp', value: 1.5 });
    expect(first('trades at 25x earnings')).toMatchObject({ unit: 'multiple', value: 25 });
    const range = first('sales of $89-93bn');
    expect(range.value).toBeCloseTo(89e9);
    expect(range.high).toBeCloseTo(93e9);
  });

  it('does not mistake a change and a level for a range', () => {
    const quantities = extractQuantities('iPhone sales declined 1% to $39.3 billion');
    expect(quantities.map((quantity) => quantity.unit)).toEqual(['percent', 'currency']);
    expect(quantities[1]?.high).toBeNull();
  });

  it('skips years, form names, day counts and split ratios', () => {
    expect(extractQuantities('In 2024 the 10-K and the 50-day average and a 10-for-1 split')).toEqual([]);
  });

  it('records qualifiers and rounding tolerance', () => {
    expect(first('more than 20% of sales').qualifier).toBe('atLeast');
    expect(first('about $5bn').qualifier).toBe('approx');
    expect(first('$94.9 billion').tolerance).toBeCloseTo(0.05e9);
  });
});

describe('compareQuantities', () => {
  const compare = (left: string, right: string) => compareQuantities(first(left), first(right));

  it('tolerates rounding and different spellings of the same amount', () => {
    expect(compare('$1.2bn', '$1,234 million')).toBe('match');
    expect(compare('$94.9 billion', '$94,930 million')).toBe('match');
    expect(compare('8%', '8.4%')).toBe('match');
    expect(compare('150 bps', '1.5 percentage points')).toBe('match');
  });

  it('flags different values of the same unit', () => {
    expect(compare('9%', '8.4%')).toBe('conflict');
    expect(compare('$26.4 billion', '$24.2 billion')).toBe('conflict');
  });

  it('never compares percent with percentage points, or currency with counts', () => {
    expect(compare('2%', '2 percentage points')).toBe('incomparable');
    expect(compare('$5 million', '5 million units')).toBe('incomparable');
  });

  it('treats two orders of magnitude as different quantities (per share vs total)', () => {
    expect(compare('$2.94', '$21.9 billion')).toBe('incomparable');
  });

  it('handles ranges and bounds', () => {
    expect(compare('$90bn', '$89-91bn')).toBe('match');
    expect(compare('$95bn', '$89-91bn')).toBe('conflict');
    expect(compare('more than 20%', '23%')).toBe('match');
    expect(compare('more than 20%', '15%')).toBe('conflict');
  });

  it('matches any written amount with itself and conflicts with a 20% change (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 0, max: 2 }), (integer, decimals) => {
        const value = integer / 10 ** decimals;
        const text = `$${value.toFixed(decimals)} million`;
        const altered = `$${(value * 1.2).toFixed(decimals)} million`;
        expect(compare(text, text)).toBe('match');
        if (value * 0.2 > 10 ** -decimals) expect(compare(text, altered)).toBe('conflict');
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('scaleMisquote', () => {
  const one = (text: string) => extractQuantities(text)[0] as ReturnType<typeof extractQuantities>[number];
  it('is the same figure written with scales a thousandfold apart', () => {
    expect(scaleMisquote(one('$45.1 billion'), one('$45.1 million'))).toBe(true);
    expect(scaleMisquote(one('$22,094 million'), one('$22,094 thousand'))).toBe(true);
    expect(compareQuantities(one('$45.1 billion'), one('$45.1 million'))).toBe('incomparable');
  });
  it('needs a scale written on both sides, one currency, and the same digits', () => {
    expect(scaleMisquote(one('$41,846'), one('$41,846 thousand'))).toBe(false);
    expect(scaleMisquote(one('$45.1 billion'), one('€45.1 million'))).toBe(false);
    expect(scaleMisquote(one('$45.1 billion'), one('$45.9 million'))).toBe(false);
    expect(scaleMisquote(one('$2.94'), one('$2,940 million'))).toBe(false);
  });
});
