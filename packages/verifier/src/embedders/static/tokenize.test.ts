import { describe, expect, it } from 'vitest';
import { canonicalNumber, splitClitics, stemCandidates, tokenizeWords } from './tokenize.ts';

describe('word tokenizer', () => {
  it('lowercases, keeps numbers, symbols, hyphenated words and clitics', () => {
    expect(tokenizeWords("Apple’s Q3 revenue rose 8.5% to $1,000.50 year-over-year; don't panic!")).toEqual([
      "apple's",
      'q3',
      'revenue',
      'rose',
      '8.5',
      '%',
      'to',
      '$',
      '1,000.50',
      'year-over-year',
      "don't",
      'panic',
    ]);
    expect(tokenizeWords('  ... !!! ')).toEqual([]);
  });

  it('splits clitics as GloVe was tokenised', () => {
    expect(splitClitics("apple's")).toEqual(['apple']);
    expect(splitClitics("don't")).toEqual(['do', 'not']);
    expect(splitClitics("won't")).toEqual(['will', 'not']);
    expect(splitClitics("can't")).toEqual(['can', 'not']);
    expect(splitClitics('plain')).toEqual(['plain']);
  });

  it('canonicalises numbers and proposes stems', () => {
    expect(canonicalNumber('1,000')).toBe('1000');
    expect(canonicalNumber('8.50')).toBe('8.5');
    expect(canonicalNumber('2.0')).toBe('2');
    expect(stemCandidates('rallies')).toContain('rally');
    expect(stemCandidates('repurchased')).toContain('repurchase');
    expect(stemCandidates('slipped')).toContain('slip');
    expect(stemCandidates('its')).toEqual([]);
  });
});
