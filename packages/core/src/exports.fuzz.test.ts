import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as core from './index.ts';

/** Every exported function of the package (classes and schemas excluded). */
const functions = Object.entries(core).filter(
  ([name, value]) => typeof value === 'function' && !/^[A-Z]/.test(name) && !('safeParse' in (value as object)),
) as Array<[string, (...args: unknown[]) => unknown]>;

describe('every export of @trade-r1/core fails only with TradeR1Error (property)', () => {
  it.each(functions)('%s', (_name, fn) => {
    fc.assert(
      fc.property(fc.array(fc.anything(), { maxLength: 3 }), (args) => {
        try {
          fn(...args);
        } catch (error) {
          expect(error).toBeInstanceOf(core.TradeR1Error);
          expect(typeof (error as core.TradeR1Error).code).toBe('string');
        }
      }),
      { seed: 16, numRuns: 200 },
    );
  });
});
