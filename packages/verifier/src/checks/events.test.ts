import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventTypes } from './events.ts';

describe('eventTypes', () => {
  it('names the corporate-event types a sentence reports, in any of their usual words', () => {
    expect(eventTypes('The company agreed to acquire a payments start-up for $2 billion.')).toEqual(['acquisition']);
    expect(eventTypes('Its board approved a $10 billion share repurchase programme.')).toEqual(['buyback']);
    expect(eventTypes('The firm will buy back up to 5% of its stock.')).toEqual(['buyback']);
    expect(eventTypes('Regulators opened a probe into the unit; shareholders sued in March.')).toEqual([
      'investigation',
      'litigation',
    ]);
    expect(eventTypes('The automaker recalled 120,000 vehicles over a brake defect.')).toEqual(['recall']);
    expect(eventTypes('It announced a 3-for-1 stock split.')).toEqual(['stock-split']);
    expect(eventTypes('Management said it will cut 4,000 jobs by June.')).toEqual(['layoffs']);
    expect(eventTypes('The chief financial officer resigned; the board named a new CEO.')).toEqual([
      'leadership-change',
    ]);
    expect(eventTypes('The lender filed for Chapter 11 protection.')).toEqual(['bankruptcy']);
    expect(eventTypes('A ransomware attack disrupted its stores.')).toEqual(['cyber-incident']);
    expect(eventTypes('It plans to spin off its cloud division.')).toEqual(['divestiture']);
    expect(eventTypes('The quarterly dividend was raised to $0.52.')).toEqual(['dividend']);
    expect(eventTypes('Machinists went on strike at two plants.')).toEqual(['strike']);
    expect(eventTypes('The company restated its results for 2022.')).toEqual(['restatement']);
  });

  it('does not read ordinary results commentary as an event', () => {
    for (const sentence of [
      'Revenue rose 12% to $4.1 billion as cloud demand accelerated.',
      'Margins contracted on higher input costs; guidance was reaffirmed.',
      'The deal flow in investment banking improved, and the outlook is constructive.',
      'Shares trade at 21 times forward earnings, above the five-year average.',
      'Options traders bought calls at a strike of $150.',
      'Management expects a stronger second half.',
    ]) {
      expect(eventTypes(sentence), sentence).toEqual([]);
    }
  });

  it('never throws on arbitrary text and rejects a non-string with a typed error', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => {
        expect(Array.isArray(eventTypes(text))).toBe(true);
      }),
      { seed: 11, numRuns: 300 },
    );
    expect(() => eventTypes(undefined as unknown as string)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
