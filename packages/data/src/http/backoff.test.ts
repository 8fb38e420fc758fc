import { createRng } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from './backoff.ts';

describe('backoffDelay', () => {
  it('grows exponentially with equal jitter and respects the cap', () => {
    expect(backoffDelay(0, { baseDelayMs: 100 }, () => 0)).toBe(50);
    expect(backoffDelay(0, { baseDelayMs: 100 }, () => 0.999999)).toBe(100);
    expect(backoffDelay(3, { baseDelayMs: 100 }, () => 0)).toBe(400);
    expect(backoffDelay(20, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.5)).toBe(750);
  });

  it('stays within [ceiling/2, ceiling] and is reproducible from a seed (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer(),
        (attempt, base, seed) => {
          const ceiling = Math.min(30_000, base * 2 ** attempt);
          const first = backoffDelay(attempt, { baseDelayMs: base }, createRng(seed).next);
          const again = backoffDelay(attempt, { baseDelayMs: base }, createRng(seed).next);
          expect(first).toBe(again);
          expect(first).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(first).toBeLessThanOrEqual(Math.ceil(ceiling));
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2015-10-21T07:28:00Z');
  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
  });
  it('returns undefined for absent or unparseable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
  });
});
