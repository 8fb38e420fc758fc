import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkText } from './chunk-text.ts';
import { splitSentences } from './sentences.ts';

describe('splitSentences', () => {
  it('splits on sentence punctuation but not on abbreviations, initials or decimals', () => {
    const text =
      'Apple Inc. reported revenue of $119.6 billion. Shares rose 3.5% in the U.S. market! Was it enough? J. Smith said yes.\n\nNew paragraph';
    const sentences = splitSentences(text).map((span) => text.slice(span.start, span.end));
    expect(sentences).toEqual([
      'Apple Inc. reported revenue of $119.6 billion.',
      'Shares rose 3.5% in the U.S. market!',
      'Was it enough?',
      'J. Smith said yes.',
      'New paragraph',
    ]);
    expect(splitSentences('   ')).toEqual([]);
  });
});

describe('chunkText', () => {
  const text =
    'First sentence is here. Second sentence follows it. Third one is a bit longer than the others. Fourth. Fifth sentence closes.';

  it('packs whole sentences up to size and keeps exact spans', () => {
    const chunks = chunkText(text, { size: 60, overlap: 0 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const [index, chunk] of chunks.entries()) {
      expect(chunk.index).toBe(index);
      expect(chunk.text.length).toBeLessThanOrEqual(60);
      expect(text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
      expect(chunk.text).toMatch(/[.]$/);
    }
    expect(chunks.map((chunk) => chunk.text).join(' ')).toBe(text);
  });

  it('repeats trailing sentences as overlap', () => {
    const chunks = chunkText(text, { size: 60, overlap: 30 });
    expect(chunks.length).toBeGreaterThan(1);
    const [first, second] = chunks;
    expect(second?.charStart).toBeLessThan(first?.charEnd ?? 0);
  });

  it('cuts an over-long sentence at word boundaries', () => {
    const long = `${'word '.repeat(100).trim()}.`;
    const chunks = chunkText(long, { size: 50, overlap: 10 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.text.length).toBeLessThanOrEqual(50);
      expect(chunk.text.startsWith('word')).toBe(true);
    }
    expect(chunks.at(-1)?.charEnd).toBe(long.length);
  });

  it('covers every non-space character, within size, for any text (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'Alpha',
            'beta.',
            'Gamma!',
            '3.5%',
            'U.S.',
            'x',
            'Delta?',
            'averyveryverylongwordwithoutspaces',
          ),
          {
            maxLength: 80,
          },
        ),
        fc.integer({ min: 16, max: 120 }),
        fc.integer({ min: 0, max: 15 }),
        (words, size, overlap) => {
          const source = words.join(' ');
          const chunks = chunkText(source, { size, overlap });
          const covered = new Array<boolean>(source.length).fill(false);
          let previousStart = -1;
          for (const chunk of chunks) {
            expect(chunk.text.length).toBeLessThanOrEqual(size);
            expect(source.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text);
            expect(chunk.charStart).toBeGreaterThan(previousStart);
            previousStart = chunk.charStart;
            for (let index = chunk.charStart; index < chunk.charEnd; index += 1) covered[index] = true;
          }
          for (let index = 0; index < source.length; index += 1) {
            if (!/\s/.test(source[index] as string)) expect(covered[index]).toBe(true);
          }
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('rejects overlap >= size with INVALID_CONFIG', () => {
    expect(() => chunkText(text, { size: 50, overlap: 50 })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    let caught: unknown;
    try {
      chunkText(text, { size: 5 });
    } catch (error) {
      caught = error;
    }
    expect(isTradeR1Error(caught, 'INVALID_CONFIG')).toBe(true);
  });
});
