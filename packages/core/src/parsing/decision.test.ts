import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DECISIONS, isTradeR1Error } from '../index.ts';
import { normalizeDecisionWord, parseDecisionText, parseDecisionTextOrThrow } from './decision.ts';

const decide = (text: string, options = {}) => {
  const result = parseDecisionText(text, options);
  return result.ok ? result.decision : result.reason;
};

describe('parseDecisionText', () => {
  it.each([
    ['[[BUY]]', 'BUY'],
    ['[[[STRONG BUY]]]', 'STRONG_BUY'],
    ['[[[strong_sell]]]', 'STRONG_SELL'],
    ['[[ Strong-Sell ]]', 'STRONG_SELL'],
    ['[[[Hold]]]', 'HOLD'],
    ['Decision: Buy', 'BUY'],
    ['Final Decision: **STRONG BUY**', 'STRONG_BUY'],
    ['**Final recommendation:** Sell', 'SELL'],
    ["{'Action': 'Buy'}", 'BUY'],
    ["{'Action': Buy}", 'BUY'],
    ['{"action":"sell"}', 'SELL'],
    ['{"decision": "STRONG_BUY", "confidence": 0.7}', 'STRONG_BUY'],
    ['  \n  sell  \n', 'SELL'],
    ['**Hold**', 'HOLD'],
    ['We recommend a strong buy given the guidance raise.', 'STRONG_BUY'],
    ['Overall we rate the stock a sell.', 'SELL'],
    ['Decision = hold', 'HOLD'],
    ['<conclusion>\nThe balance of evidence is positive.\n[[[ BUY ]]]\n</conclusion>', 'BUY'],
  ])('parses %j', (text, expected) => {
    expect(decide(text)).toBe(expected);
  });

  it('prefers the tag in the last 3 lines over earlier tags (Trading-R1 rule)', () => {
    const text = ['Last quarter we said [[[SELL]]].', 'a', 'b', 'c', 'Now: [[[BUY]]]'].join('\n');
    const result = parseDecisionText(text);
    expect(result.ok && result.decision).toBe('BUY');
    expect(result.ok && result.match.inTail).toBe(true);
  });

  it('falls back to the whole text when the tail has no tag', () => {
    const text = ['<conclusion>[[[SELL]]]</conclusion>', 'x', 'y', 'z', 'Thanks for reading.'].join('\n');
    expect(decide(text)).toBe('SELL');
    // strict mode (Trading-R1's reward parser) only reads tags in the last 3 lines
    expect(decide(text, { mode: 'strict' })).toBe('no_decision');
    expect(decide(text, { mode: 'strict', tailLines: 5 })).toBe('SELL');
  });

  it('ranks tags above labelled values above bare lines above phrases', () => {
    expect(decide('Action: Sell\n[[BUY]]')).toBe('BUY');
    expect(decide('We recommend a buy.\nDecision: hold')).toBe('HOLD');
    expect(decide('We recommend a buy.\nSELL')).toBe('SELL');
  });

  it('resolves conflicts with the last tag, or fails when asked to', () => {
    const text = 'Risks are real. [[[BUY]]] [[[SELL]]]';
    expect(decide(text)).toBe('SELL');
    const strict = parseDecisionText(text, { onConflict: 'fail' });
    expect(strict.ok).toBe(false);
    expect(!strict.ok && strict.reason).toBe('conflict');
    expect(!strict.ok && strict.candidates.map((candidate) => candidate.decision)).toEqual(['BUY', 'SELL']);
    // repeated identical tags are not a conflict
    expect(decide('[[BUY]] and again [[BUY]]', { onConflict: 'fail' })).toBe('BUY');
  });

  it('ignores negated decisions', () => {
    expect(decide('This is not a buy.')).toBe('negated');
    expect(decide('We would not recommend a buy here. We recommend a hold.')).toBe('HOLD');
    expect(decide('I do not recommend to sell.')).toBe('negated');
    expect(decide('It is not [[BUY]] territory yet. [[HOLD]]')).toBe('HOLD');
    expect(decide('Not only are margins expanding; [[[BUY]]]')).toBe('BUY');
  });

  it('fails with typed reasons', () => {
    expect(parseDecisionText('')).toMatchObject({ ok: false, code: 'PARSE_FAILED', reason: 'empty' });
    expect(parseDecisionText('The outlook is mixed and I cannot decide.')).toMatchObject({
      ok: false,
      reason: 'no_decision',
    });
    expect(decide('[[BUY')).toBe('truncated');
    expect(decide('[[MAYBE]]')).toBe('no_decision');
    expect(decide('shareholders holdings buyback')).toBe('no_decision');
  });

  it('throws PARSE_FAILED from the throwing variant', () => {
    expect(parseDecisionTextOrThrow('[[[STRONG SELL]]]')).toBe('STRONG_SELL');
    try {
      parseDecisionTextOrThrow('nothing here');
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'PARSE_FAILED')).toBe(true);
      expect(isTradeR1Error(error) && error.details.reason).toBe('no_decision');
    }
  });

  it('normalises decision words', () => {
    expect(normalizeDecisionWord('Strong  Buy')).toBe('STRONG_BUY');
    expect(normalizeDecisionWord('STRONGSELL')).toBe('STRONG_SELL');
    expect(normalizeDecisionWord('short')).toBeUndefined();
  });

  const decisionWord = fc.constantFrom(...DECISIONS).chain((decision) =>
    fc
      .tuple(
        fc.constantFrom(' ', '_', '-', '  ', ''),
        fc.constantFrom('upper', 'lower', 'title'),
        fc.constantFrom('', ' ', '\t'),
      )
      .map(([separator, casing, pad]) => {
        let word = decision.replace('_', separator);
        if (casing === 'lower') word = word.toLowerCase();
        if (casing === 'title') word = word.toLowerCase().replace(/\b\w/g, (letter) => letter.toUpperCase());
        return { decision, written: `${pad}${word}${pad}` };
      }),
  );

  it('finds a final tag after arbitrary prose (property)', () => {
    const prose = fc.string({ maxLength: 200 }).map((text) => text.replace(/[[\]]/g, ''));
    fc.assert(
      fc.property(prose, decisionWord, fc.integer({ min: 2, max: 3 }), (body, { decision, written }, brackets) => {
        const text = `${body}\n${'['.repeat(brackets)}${written}${']'.repeat(brackets)}`;
        const result = parseDecisionText(text);
        expect(result.ok && result.decision).toBe(decision);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('never throws and always returns a well-formed result on arbitrary input (property)', () => {
    const noisy = fc.array(
      fc.oneof(
        fc.string({ maxLength: 30 }),
        fc.constantFrom('[[', ']]', '[[[', 'BUY', 'sell', 'Decision:', '{', "'Action'", ':', 'not', '\n', '**', 'Hold'),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(noisy, (parts) => {
        const result = parseDecisionText(parts.join(''));
        if (result.ok) expect(DECISIONS).toContain(result.decision);
        else {
          expect(result.code).toBe('PARSE_FAILED');
          expect([
            'empty',
            'no_decision',
            'conflict',
            'negated',
            'ambiguous',
            'refusal',
            'truncated',
            'only_in_reasoning',
          ]).toContain(result.reason);
        }
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
