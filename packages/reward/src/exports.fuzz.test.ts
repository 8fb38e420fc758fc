import { describeExportProperty, junkValues, offendingField, publicFunctions } from '@trade-r1/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as api from './index.ts';

/**
 * Every public function of @trade-r1/reward, called with arbitrary JavaScript values (undefined, null, wrong
 * types, objects with misspelled or real option keys holding junk), either returns or fails with a TradeR1Error
 * that has a code — synchronously or as a rejection. No bare TypeError escapes. Fixed seed.
 */

/** Exports left out, with the reason (none at present). */
const EXCLUDED: Record<string, string> = {};

const functions = publicFunctions(api, EXCLUDED);

const keys = [
  'completion',
  'text',
  'decision',
  'returns',
  'rewards',
  'groups',
  'components',
  'options',
  'mode',
  'lastLines',
  'requiredTags',
  'requiredPatterns',
  'prices',
  'horizon',
  'semantic',
  'score',
  'lambda',
  'reasoning',
  'scorer',
  'verifier',
  'weights',
  'matrix',
  'section',
  'bullets',
  'markdown',
  'positions',
  'name',
  'fn',
];

const junk = junkValues({ keys, samples: ['[[BUY]]'] });

describeExportProperty({ packageName: '@trade-r1/reward', functions, junk, minFunctions: 31 });

describe('errors name the offending field', () => {
  it('undefined, wrong types and misspelled options', () => {
    expect(offendingField(() => api.formatReward({ completion: undefined } as never))).toBe('completion');
    expect(offendingField(() => api.formatReward({ completion: 'x', requiredTag: ['a'] } as never))).toBe('');
    expect(() => api.formatReward({ completion: 'x', requiredTag: ['a'] } as never)).toThrow(/requiredTag/);
    expect(offendingField(() => api.parseDecisionTag({ text: 42 } as never))).toBe('text');
    expect(offendingField(() => api.groupAdvantages({ rewards: 'abc', groupSize: 2 } as never))).toBe('rewards');
    expect(() => api.groupAdvantages({ rewards: [1, 2], groupsize: 2 } as never)).toThrow(/groupsize/);
    expect(() => api.dsrReward({ r: 0.1, s: 0.5, lamda: 1 } as never)).toThrow(/lamda/);
    expect(offendingField(() => api.dsrReward({ r: undefined, s: 0.5 } as never))).toBe('r');
    expect(offendingField(() => api.marketReward({ entryPrice: 100, exitPrice: '104' } as never))).toBe('exitPrice');
    expect(offendingField(() => api.countWords(undefined as never))).toBe('text');
    expect(offendingField(() => api.flooredHarmonicMean([0.5, Number.NaN]))).toBe('values[1]');
    expect(
      offendingField(() => api.decisionReward({ predicted: 'MAYBE', truth: 'BUY', orientation: 'rows-true' } as never)),
    ).toBe('predicted');
    expect(() => api.structureReward({ completion: '', ignoreTags: ['think'] } as never)).toThrow(/ignoreTags/);
    expect(() => api.evidenceReward({ completion: '', acceptPlainText: true } as never)).toThrow(/acceptPlainText/);
    expect(() =>
      api.investmentReward({ completion: '', truth: 'BUY', orientation: 'rows-true', weight: {} } as never),
    ).toThrow(/weight/);
    expect(offendingField(() => api.defineReward({ name: 'x', input: undefined, compute: () => 1 } as never))).toBe(
      'input',
    );
    expect(offendingField(() => api.composeRewards({ components: { a: { reward: {} } } } as never))).toBe(
      'components.a.reward',
    );
    expect(() => api.createSharpeDeltaTracker({ riskfree: 0 } as never)).toThrow(/riskfree/);
    expect(offendingField(() => api.portfolioPnl({ cash: 1 } as never))).toContain('previousCash');
  });

  it('rejects with a typed error from async boundaries', async () => {
    const reward = api.defineReward({ name: 'x', input: z.unknown(), compute: () => 1 });
    await expect(reward.evaluate({}, { timeout: 5 } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(reward.evaluate({}, { fallback: null } as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(api.scoreWith(42 as never, {}, { signal: new AbortController().signal })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    const scorer = api.scorerFromVerifier({ verifier: { verify: () => ({}) as never }, toVerifyInput: () => ({}) });
    await expect(api.scoreWith(scorer, {}, { signal: new AbortController().signal })).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
    });
  });
});
