import { describe, expect, it } from 'vitest';
import { compareQuantities, extractQuantities } from './quantities.ts';

const first = (text: string) => {
  const found = extractQuantities(text);
  expect(found.length).toBeGreaterThan(0);
  return found[0] as NonNullable<(typeof found)[number]>;
};
const figure = (text: string) => first(text);
const evidence = (text: string) => first(text);

describe('verbal figures', () => {
  it('reads multipliers, fractions, bands and number words as figures', () => {
    expect(figure('Profit more than doubled')).toMatchObject({ value: 100, unit: 'percent', qualifier: 'atLeast' });
    expect(figure('The dividend was halved')).toMatchObject({ value: 50, unit: 'percent' });
    expect(figure('Sales grew five-fold')).toMatchObject({ value: 5, unit: 'multiple' });
    expect(figure('Sales jumped by about a third')).toMatchObject({ unit: 'percent' });
    expect(figure('Sales jumped by about a third').value).toBeCloseTo(33.33, 1);
    expect(figure('roughly a fifth of revenue').value).toBeCloseTo(20, 6);
    expect(figure('two-thirds of sales').value).toBeCloseTo(66.67, 1);
    expect(figure('growth in the high single digits')).toMatchObject({ value: 7, high: 9, unit: 'percent' });
    expect(figure('about three and a quarter billion dollars')).toMatchObject({
      value: 3.25e9,
      unit: 'currency',
      currency: 'USD',
    });
    expect(figure('seven percent higher')).toMatchObject({ value: 7, unit: 'percent' });
    expect(figure('roughly 62 cents of every revenue dollar')).toMatchObject({ value: 62, unit: 'percent' });
    expect(extractQuantities('roughly 62 cents of every revenue dollar')).toHaveLength(1);
  });

  it('does not read periods or ordinary words as fractions', () => {
    expect(extractQuantities('In the third quarter the first half was strong')).toEqual([]);
    expect(extractQuantities('one of the largest banks')).toEqual([]);
  });

  it('matches the digits they round and conflicts with a misquote', () => {
    expect(compareQuantities(figure('more than doubled'), evidence('rose 115%'))).toBe('match');
    expect(compareQuantities(figure('by about a third'), evidence('up 34.5%'))).toBe('match');
    expect(compareQuantities(figure('by about a third'), evidence('up 52%'))).toBe('conflict');
    expect(compareQuantities(figure('three and a quarter billion dollars'), evidence('$3.27 billion'))).toBe('match');
    expect(compareQuantities(figure('three and a quarter billion dollars'), evidence('$4.1 billion'))).toBe('conflict');
    expect(compareQuantities(figure('high single digits'), evidence('8%'))).toBe('match');
    expect(compareQuantities(figure('62 cents of every dollar'), evidence('gross margin of 61.8%'))).toBe('match');
  });
});

describe('verbal figure prefilters', () => {
  it('finds verbal figures whatever the case of their words', () => {
    expect(figure('PROFIT MORE THAN DOUBLED')).toMatchObject({ value: 100, unit: 'percent', qualifier: 'atLeast' });
    expect(figure('Sales grew Five-Fold')).toMatchObject({ value: 5, unit: 'multiple' });
    expect(figure('growth in the High Single Digits')).toMatchObject({ value: 7, high: 9 });
    expect(figure('Seven Per Cent higher')).toMatchObject({ value: 7, unit: 'percent' });
    expect(figure('roughly 62 CENTS of every revenue DOLLAR')).toMatchObject({ value: 62, unit: 'percent' });
    expect(figure('by about a THIRD').value).toBeCloseTo(33.33, 1);
    // A number word without a scale or unit word is no figure.
    expect(extractQuantities('seven analysts and three funds')).toEqual([]);
  });
});
