import { TradeR1Error } from '@trade-r1/core';
import { describeExportProperty, junkValues, publicFunctions } from '@trade-r1/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as api from './index.ts';

/**
 * Every public function of @trade-r1/verifier, called with arbitrary JavaScript values (undefined, null, wrong
 * types, objects with misspelled or real option keys holding junk), either returns or fails with a TradeR1Error
 * that has a code — synchronously or as a rejection. No bare TypeError escapes. Fixed seed.
 */

/** Exports left out of the property, with the reason. */
const EXCLUDED: Record<string, string> = {
  openEvidenceStore: 'opens (creates) a LanceDB store on disk at the given path: needs a real store directory',
  createVerifierPool: 'starts worker threads, each opening a real store',
  createTransformersEmbedder: 'loads a transformer model (optional peer dependency and model files)',
  createUseLiteEmbedder: 'loads the Universal Sentence Encoder Lite model',
  createEntailmentModel: 'loads an NLI model (optional peer dependency and model files)',
};

const functions = publicFunctions(api, EXCLUDED);

const keys = [
  'ticker',
  'asOf',
  'reasoning',
  'decision',
  'text',
  'claim',
  'checks',
  'citations',
  'opinion',
  'verdict',
  'start',
  'end',
  'store',
  'embedder',
  'options',
  'smoothing',
  'conclusionSpans',
  'weights',
  'bias',
  'numbers',
  'entities',
  'periods',
  'directions',
  'modelId',
];

const junk = junkValues({
  keys,
  samples: ['2024-01-02', 'AAPL', 'Revenue rose 12% to $42.4 billion in Q2 2024. [[BUY]]'],
});

describeExportProperty({ packageName: '@trade-r1/verifier', functions, junk, minFunctions: 41 });

describe('errors name the offending field', () => {
  it('undefined, wrong types and misspelled options', async () => {
    const field = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(TradeR1Error);
        const { details, issues } = error as TradeR1Error;
        return [details.field, ...issues.map((issue) => issue.path)].filter(Boolean).join('|');
      }
      throw new Error('expected a throw');
    };
    expect(field(() => api.extractClaims(undefined as never))).toBe('reasoning');
    expect(field(() => api.splitSentences(null as never))).toBe('text');
    expect(field(() => api.cosineSimilarity([1], 'x' as never))).toBe('right');
    expect(field(() => api.aggregateScores([0.5, '1' as never]))).toBe('scores[1]');
    expect(field(() => api.scoreStance('up', { smothing: 1 } as never))).toBe('options');
    expect(() => api.scoreStance('up', { smothing: 1 } as never)).toThrow(/smothing/);
    expect(field(() => api.stanceAgreement(0.2, 'MAYBE' as never))).toBe('decision');
    expect(field(() => api.decisionLines({ checks: undefined, citations: [] } as never))).toContain('checks');
    expect(field(() => api.segmentReasoning('text', [{ start: 'a', end: 2 }] as never))).toContain('0.start');
    expect(field(() => api.fitLogistic([[1, 2]], [1, 0]))).toContain('labels');
    expect(field(() => api.hashedUnitVector('word', 2 ** 40))).toBe('dimension');
    expect(field(() => api.createCachedEmbedder(undefined as never))).toBe('inner');
    await expect(api.verify(undefined as never)).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'options' },
    });
  });
});

describe('the check building blocks reject broken records by field (property)', () => {
  const hit = {
    chunkId: 'MSFT-008#0',
    documentId: 'MSFT-008',
    chunkIndex: 0,
    publishedAt: '2025-04-30',
    tickers: ['MSFT'],
    title: 'Microsoft quarterly results',
    text: 'Revenue rose 13% to $70.1 billion in the third quarter of fiscal 2025. Cloud revenue grew 20%.',
  };
  const input = (): Parameters<typeof api.checkClaim>[0] => ({
    claim: api.analyzeText('Revenue rose 13% to $70.1 billion.'),
    claimNegated: false,
    evidence: [api.prepareEvidence(hit)],
    idf: new Map(),
    defaultIdf: 1,
  });

  it('valid records give the same checks as the pipeline, and a misspelled key is an error', () => {
    const checks = api.checkClaim(input());
    expect(checks.numbers.length).toBeGreaterThan(0);
    expect(checks.numbers.every((number) => number.status === 'matched')).toBe(true);
    expect(() => api.checkClaim({ ...input(), defaultIDF: 1 } as never)).toThrow(TradeR1Error);
  });

  /** Every path to a leaf of a record (objects and arrays, first three items of each array). */
  const leafPaths = (value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> => {
    if (value instanceof Map || value instanceof Set || value === null || typeof value !== 'object') return [prefix];
    const entries = Array.isArray(value)
      ? value.slice(0, 3).map((item, index) => [index, item] as const)
      : Object.entries(value);
    return [prefix, ...entries.flatMap(([key, item]) => leafPaths(item, [...prefix, key]))];
  };
  const paths = leafPaths(input()).filter((path) => path.length > 0 && typeof path.at(-1) === 'string');

  it('replacing any field of a real input with junk gives a TradeR1Error or a result, never a TypeError', () => {
    expect(paths.length).toBeGreaterThan(50);
    fc.assert(
      fc.property(fc.constantFrom(...paths), junk, (path, value) => {
        const broken = input() as unknown as Record<string | number, unknown>;
        let node = broken;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
        node[path.at(-1) as string] = value;
        try {
          api.checkClaim(broken as never);
        } catch (error) {
          expect(error).toBeInstanceOf(TradeR1Error);
          expect((error as TradeR1Error).issues.length).toBeGreaterThan(0);
        }
      }),
      { seed: 16, numRuns: 400 },
    );
  });

  it('periodRelation and compareQuantities read only validated records', () => {
    const [period] = api.extractPeriods('in Q3 2024');
    const [quantity] = api.extractQuantities('$42.4 billion');
    expect(api.periodRelation(period as never, period as never)).toBe('same');
    expect(api.compareQuantities(quantity as never, quantity as never)).toBe('match');
    expect(() => api.periodRelation({ ...period, kind: 'week' } as never, period as never)).toThrow(TradeR1Error);
    expect(() => api.compareQuantities(quantity as never, { ...quantity, value: '42' } as never)).toThrow(/value/);
  });
});
