import { TradeR1Error } from '@trade-r1/core';
import { describeExportProperty, junkValues, publicFunctions } from '@trade-r1/testkit';
import { describe, expect, it } from 'vitest';
import * as api from './index.ts';

/**
 * Every public function of @trade-r1/data, called with arbitrary JavaScript values (undefined, null, wrong
 * types, objects with misspelled or real option keys holding junk), either returns or fails with a TradeR1Error
 * that has a code — synchronously or as a rejection. No bare TypeError escapes. Fixed seed.
 */

/** Exports left out of the property, with the reason. */
const EXCLUDED: Record<string, string> = {
  // A valid junk delay (fc.integer() up to 2^31 − 1 ms) waits for real, up to 24.8 days; its checks are tested below.
  realSleep: 'waits real time for any valid ms',
};

const functions = publicFunctions(api, EXCLUDED);

const keys = [
  'ticker',
  'asOf',
  'bars',
  'text',
  'path',
  'rows',
  'series',
  'sources',
  'options',
  'window',
  'start',
  'end',
  'horizon',
  'values',
  'apiKey',
  'fetch',
  'baseUrl',
  'seed',
  'format',
  'timeZone',
  'indicators',
  'scores',
  'thresholds',
];

const junk = junkValues({ keys, samples: ['2024-01-02', 'AAPL'] });

describeExportProperty({ packageName: '@trade-r1/data', functions, junk, minFunctions: 41 });

describe('realSleep checks its arguments', () => {
  it('rejects a non-number, a delay setTimeout cannot wait and a non-signal', async () => {
    await expect(api.realSleep(undefined as never)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'ms' },
    });
    await expect(api.realSleep(2 ** 31)).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { field: 'ms' } });
    await expect(api.realSleep(1, {} as never)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      details: { field: 'signal' },
    });
    await expect(api.realSleep(1)).resolves.toBeUndefined();
  });
});

describe('errors name the offending field', () => {
  it('undefined, wrong types and misspelled options', async () => {
    const field = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(TradeR1Error);
        return (error as TradeR1Error).details.field;
      }
      throw new Error('expected a throw');
    };
    expect(field(() => api.parseCsv(undefined as never))).toBe('text');
    expect(field(() => api.parseBarsCsv('date,close', { delimitter: ';' } as never))).toBe(undefined);
    expect(() => api.parseBarsCsv('date,close', { delimitter: ';' } as never)).toThrow(/delimitter/);
    expect(field(() => api.estimateTokens(42 as never))).toBe('text');
    expect(field(() => api.formatCompactNumber(1000, 0))).toBe('digits');
    expect(field(() => api.createTokenBucket({ capacity: 1, refillPerSecond: 1, refil: 2 } as never))).toBe('options');
    expect(() => api.createFinnhubSource({ apiKey: 'k', baseURL: 'http://127.0.0.1' } as never)).toThrow(/baseURL/);
    expect(field(() => api.createFredSource(null as never))).toBe('options');
    expect(field(() => api.fitLabelThresholds(undefined as never))).toBe('scores');
    expect(field(() => api.labelFromScore(0.5, undefined as never))).toBe('thresholds');
    await expect(api.readNewsCsvFile({} as never)).rejects.toMatchObject({ details: { field: 'path' } });
    await expect(api.buildContextSeries(undefined as never)).rejects.toBeInstanceOf(TradeR1Error);
    await expect(
      api.buildContext({ ticker: 'AAPL', asOf: '2024-01-05', sources: {}, option: {} } as never),
    ).rejects.toThrow(/option/);
  });
});
