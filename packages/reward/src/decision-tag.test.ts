import { DECISIONS } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDecisionTag } from './decision-tag.ts';

describe('parseDecisionTag', () => {
  it('parses double and triple brackets, any case, spaces, underscores or hyphens', () => {
    expect(parseDecisionTag({ text: 'x\n[[BUY]]' })).toBe('BUY');
    expect(parseDecisionTag({ text: 'x\n[[[STRONG BUY]]]' })).toBe('STRONG_BUY');
    expect(parseDecisionTag({ text: '[[ strong_sell ]]' })).toBe('STRONG_SELL');
    expect(parseDecisionTag({ text: 'Decision: [[Strong-Buy]].' })).toBe('STRONG_BUY');
    expect(parseDecisionTag({ text: '[[hold]]\n\n\n' })).toBe('HOLD');
    expect(parseDecisionTag({ text: '[[[  Sell  ]]]' })).toBe('SELL');
  });

  it('only searches the last 3 lines and takes the last tag there', () => {
    expect(parseDecisionTag({ text: '[[BUY]]\na\nb\nc' })).toBeNull();
    expect(parseDecisionTag({ text: '[[BUY]]\na\nb\nc', lastLines: 4 })).toBe('BUY');
    expect(parseDecisionTag({ text: 'a\n[[BUY]] then [[SELL]]' })).toBe('SELL');
    expect(parseDecisionTag({ text: '[[BUY]]\na\nb\nc', lastLines: Number.POSITIVE_INFINITY })).toBe('BUY');
  });

  it('returns null for anything else', () => {
    for (const text of ['', 'BUY', '[BUY]', '[[MAYBE]]', '[[BUY', '**BUY**', '[[ STRONG HOLD ]]']) {
      expect(parseDecisionTag({ text })).toBeNull();
    }
  });

  it('round-trips every decision in every bracket style (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DECISIONS),
        fc.constantFrom(2, 3),
        fc.constantFrom(' ', '_', '-'),
        fc.boolean(),
        fc.string({ maxLength: 40 }).filter((text) => !text.includes('[') && !text.includes(']')),
        (decision, brackets, separator, lower, prefix) => {
          const word = decision.replace('_', separator);
          const tag = `${'['.repeat(brackets)}${lower ? word.toLowerCase() : word}${']'.repeat(brackets)}`;
          expect(parseDecisionTag({ text: `${prefix.replace(/\n/g, ' ')}\n${tag}` })).toBe(decision);
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});
