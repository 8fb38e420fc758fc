import { TradeR1Error } from '@trade-r1/core';
import { expectTypedOutcome, settle } from '@trade-r1/testkit';
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.ts';

/**
 * Every public function of the package, called with arbitrary JavaScript values (undefined, null, wrong types,
 * objects with misspelled keys, arrays of junk), either returns or throws a TradeR1Error with a code. Nothing else
 * escapes: no TypeError from reading a property of undefined. Fixed seed.
 */
const functions = Object.entries(api).filter(
  ([name, value]) => typeof value === 'function' && name !== 'DecisionLog',
) as [string, (...args: unknown[]) => unknown][];

const junk = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.string(),
  fc.constant('2024-01-02'),
  fc.array(fc.oneof(fc.double(), fc.string(), fc.constant(undefined)), { maxLength: 6 }),
  fc.array(fc.double({ min: -0.5, max: 0.5, noNaN: true }), { maxLength: 8 }),
  fc.dictionary(
    fc.constantFrom('panel', 'decisions', 'strategy', 'periodsPerYear', 'feeBp', 'series', 'rows'),
    fc.anything(),
    {
      maxKeys: 3,
    },
  ),
  fc.anything(),
);

describe('public API under arbitrary input', () => {
  it('covers the exported functions', () => {
    expect(functions.length).toBeGreaterThan(40);
  });

  it('throws only TradeR1Error (with a code) for bad input, from every export', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...functions), fc.array(junk, { maxLength: 3 }), async ([name, fn], args) => {
        expectTypedOutcome(name, args, await settle(fn, args));
      }),
      { seed: 20260601, numRuns: 1500 },
    );
  });

  it('names the offending field for undefined, wrong types and misspelled options', () => {
    const field = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(TradeR1Error);
        const { issues, details } = error as TradeR1Error & { issues?: { path: string }[] };
        return [...(issues ?? []).map((issue) => issue.path), String(details?.field ?? '')].join('|');
      }
      throw new Error('expected a throw');
    };
    expect(field(() => api.sharpeRatio(undefined as never))).toContain('returns');
    expect(field(() => api.hitRate([1], 'x' as never))).toContain('returns');
    expect(field(() => api.parseDecisionLogCsv(undefined as never))).toContain('text');
    expect(field(() => api.sharpeRatio([0.1, 0.2], { periodsPerYer: 252 } as never))).toMatch(/periodsPerYer|^\|?$/);
    expect(() => api.sharpeRatio([0.1, 0.2], { periodsPerYer: 252 } as never)).toThrow(/periodsPerYer/);
    expect(() => api.runBacktestSync({ panel: undefined } as never)).toThrow(TradeR1Error);
    expect(() => api.computeMetrics({ returns: [0.1] }, { riskfree: 0.04 } as never)).toThrow(/riskfree/);
    expect(field(() => api.toReportJson({} as never))).toMatch(/dates|equity/);
  });
});
