import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEncoderModel } from '../testing/encoder-model.ts';
import { createEntailmentModel, resolveNliLabels } from './entailment.ts';

// A tiny BERT-shaped classifier with the real MiniLM tokenizer and random weights, written locally: it tests the
// real loading, pair tokenisation, batching, softmax and label mapping (its outputs carry no meaning).
let directory: string;
let modelDir: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'nli-test-'));
  modelDir = join(directory, 'tiny-nli');
  await buildEncoderModel({
    dir: modelDir,
    hidden: 16,
    layers: 1,
    seed: 5,
    head: { numLabels: 3, id2label: { 0: 'CONTRADICTION', 1: 'NEUTRAL', 2: 'ENTAILMENT' } },
  });
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('createEntailmentModel', () => {
  it('scores premise–hypothesis pairs with probabilities that sum to 1, in input order', async () => {
    const model = await createEntailmentModel({ model: modelDir, batchSize: 2 });
    expect(model.modelId).toBe('nli:local:tiny-nli');
    const pairs = [
      { premise: 'Revenue rose 5% to $85.8 billion.', hypothesis: 'Revenue grew 5%.' },
      { premise: 'Revenue rose 5% to $85.8 billion.', hypothesis: 'Revenue fell sharply.' },
      { premise: 'Shares fell 3%.', hypothesis: 'The stock declined.' },
    ];
    const scores = await model.classify(pairs);
    expect(scores).toHaveLength(3);
    for (const score of scores) {
      expect(score.entailment + score.neutral + score.contradiction).toBeCloseTo(1, 5);
      for (const value of Object.values(score)) expect(value).toBeGreaterThanOrEqual(0);
    }
    // Batching does not change results: one pair at a time gives the same numbers.
    const single = await model.classify([pairs[2] as (typeof pairs)[number]]);
    expect(single[0]?.entailment).toBeCloseTo(scores[2]?.entailment ?? -1, 4);
    // Different inputs give different outputs (the graph really runs).
    expect(scores[0]?.entailment).not.toBeCloseTo(scores[1]?.entailment ?? -1, 6);
    await model.close();
    await model.close();
    await expect(model.classify(pairs)).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('fails clearly for a missing model', async () => {
    await expect(
      createEntailmentModel({ model: join(directory, 'missing'), localFilesOnly: true }),
    ).rejects.toMatchObject({
      code: 'MODEL_LOAD_FAILED',
    });
  });
});

describe('resolveNliLabels', () => {
  it('maps id2label names and accepts explicit indices', () => {
    expect(resolveNliLabels({ 0: 'contradiction', 1: 'entailment', 2: 'neutral' })).toEqual({
      entailment: 1,
      neutral: 2,
      contradiction: 0,
    });
    expect(resolveNliLabels({ 0: 'LABEL_0', 1: 'LABEL_1' }, { entailment: 1, contradiction: 0 })).toEqual({
      entailment: 1,
      neutral: null,
      contradiction: 0,
    });
    expect(() => resolveNliLabels({ 0: 'LABEL_0', 1: 'LABEL_1' })).toThrow(/pass options.labels/);
  });
});
