import { describeExportProperty, junkValues, offendingField, publicFunctions } from '@trade-r1/testkit';
import { describe, expect, it } from 'vitest';
import * as api from './index.ts';
import * as testing from './testing/index.ts';

/**
 * Every public function of @trade-r1/policy, called with arbitrary JavaScript values (undefined, null, wrong
 * types, objects with misspelled or real option keys holding junk), either returns or fails with a TradeR1Error
 * that has a code — synchronously or as a rejection. No bare TypeError escapes. Fixed seed.
 */

/** Exports left out of the property, with the reason. */
const EXCLUDED: Record<string, string> = {};

/** Exports of `@trade-r1/policy/testing` left out of the property, with the reason. */
const EXCLUDED_TESTING: Record<string, string> = {
  writeLlamaTestModel: 'writes a model directory at the given path (its option checks are tested below)',
  writeActionHeadModel: 'writes a model file at the given path (its option checks are tested below)',
};

const functions = [...publicFunctions(api, EXCLUDED), ...publicFunctions(testing, EXCLUDED_TESTING, 'testing.')];

/**
 * Keys of the junk option objects. No `model` or `baseUrl`: a string there is a valid option of createOnnxPolicy /
 * createOpenAICompatiblePolicy and would start a Hugging Face download or a request (those paths have their own
 * tests on a local model and a 127.0.0.1 server).
 */
const keys = [
  'ticker',
  'asOf',
  'text',
  'prompt',
  'messages',
  'bars',
  'close',
  'prices',
  'evidence',
  'options',
  'temperature',
  'topK',
  'topP',
  'seed',
  'maxNewTokens',
  'samples',
  'logits',
  'banned',
  'state',
  'mask',
  'values',
  'period',
  'policy',
  'prompts',
  'onProgress',
];

const junk = junkValues({ keys, samples: ['2024-01-02', 'AAPL', '<think>up</think> [[BUY]]'] });

describeExportProperty({ packageName: '@trade-r1/policy', functions, junk, minFunctions: 31 });

describe('errors name the offending field', () => {
  const context = {
    ticker: 'AAPL',
    asOf: '2024-01-05',
    bars: [{ timestamp: '2024-01-04', open: 10, high: 11, low: 9, close: 10.5, volume: 1000 }],
  };

  it('undefined, wrong types and misspelled options', () => {
    expect(offendingField(() => api.splitSentences(undefined as never))).toBe('text');
    expect(offendingField(() => api.sma([1, 2, '3'] as never, 2))).toBe('closes[2]');
    expect(offendingField(() => api.rsi([1, 2, 3], '14' as never))).toBe('period');
    expect(offendingField(() => api.actionMask({ position: 1 } as never))).toBe('state.cash');
    expect(offendingField(() => api.maskedActionDistribution([1, 2, 3], [true, 'no'] as never))).toBe('mask');
    expect(offendingField(() => api.truncateNumber({} as never))).toBe('value');
    expect(offendingField(() => api.technicalScore({ close: '10' } as never))).toBe('indicators.close');
    expect(offendingField(() => api.sampleToken([0, 1], 0, 2, { temperature: 1, topP: 1, topK: 0 }, 1))).toBe(
      'uniform',
    );
    expect(offendingField(() => api.logSumExp([1, 2], 0, 5))).toBe('end');
    expect(() => api.createAnalystTemplatePolicy({ technicalWieght: 1 } as never)).toThrow(/technicalWieght/);
    expect(offendingField(() => api.createAnalystTemplatePolicy({ thresholds: [1, 0, 2, 3] } as never))).toContain(
      'thresholds',
    );
    expect(() => api.buildTradingR1Prompt(context, { maxEvidenceChar: 100 } as never)).toThrow(/maxEvidenceChar/);
    expect(() => api.buildTradingR1Prompt({ ...context, evidences: [] } as never)).toThrow(/evidences/);
    expect(() => api.buildFlagTraderPrompt({ prices: [1], cash: 1, position: 0, recentReward: [] } as never)).toThrow(
      /recentReward/,
    );
    expect(() =>
      api.buildSelectionPrompt({
        asOf: '2024-01-05',
        candidates: [{ ...context, asOf: undefined }],
        maxSelection: 2,
      } as never),
    ).toThrow(/maxSelection/);
    expect(offendingField(() => api.renderEvidence(context as never, '5' as never, 100))).toBe('maxEvidence');
    expect(() => testing.buildLlamaTestModel({ hiddenSise: 8 } as never)).toThrow(/hiddenSise/);
    expect(offendingField(() => testing.createTestTokenizer({ vocabSize: 10 }))).toContain('vocabSize');
    expect(offendingField(() => testing.createWeightRng('1' as never))).toBe('seed');
  });

  it('rejects with a typed error from async boundaries', async () => {
    const policy = { generate: async () => ({ completions: [[]], usage: { promptTokens: 0, completionTokens: 0 } }) };
    await expect(api.generateRollouts({ policy, prompts: ['x'], numSample: 2 } as never)).rejects.toThrow(/numSample/);
    await expect(api.generateRollouts({ policy: {}, prompts: ['x'] } as never)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      issues: [{ path: 'policy' }],
    });
    await expect(api.generateRollouts({ policy, prompts: ['x', 'y'] } as never)).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
    });
    await expect(api.collectStream(undefined as never)).rejects.toMatchObject({ details: { field: 'events' } });
    await expect(testing.writeLlamaTestModel({ seed: 1 } as never)).rejects.toMatchObject({
      details: { field: 'dir' },
    });
    await expect(testing.writeActionHeadModel(undefined as never)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
  });
});

describe('answers of caller-supplied models are checked', () => {
  it('textModelAction: a scorer without scores is BAD_RESPONSE', async () => {
    for (const answer of [undefined, null, {}, { scores: 'x' }, { scores: [null, { logprob: '1' }, {}] }]) {
      const policy = { score: async () => answer as never };
      await expect(api.textModelAction({ policy, prompt: 'Action?', greedy: true } as never)).rejects.toMatchObject({
        code: 'BAD_RESPONSE',
      });
    }
  });
});
