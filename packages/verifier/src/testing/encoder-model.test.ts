import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTradeR1Error } from '@trade-r1/core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEncoderModel, findMiniLmTokenizerDir } from './encoder-model.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'trade-r1-encoder-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function int64(values: number[][]): ort.Tensor {
  return new ort.Tensor('int64', BigInt64Array.from(values.flat(), BigInt), [values.length, values[0]?.length ?? 0]);
}

describe('buildEncoderModel', () => {
  it('writes a BERT-shaped encoder that onnxruntime runs with the expected shapes', async () => {
    const built = await buildEncoderModel({ dir: join(root, 'encoder'), hidden: 16, layers: 2, heads: 4, seed: 3 });
    expect(built.vocabSize).toBe(30522);
    const config = JSON.parse(readFileSync(join(built.dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'bert',
      hidden_size: 16,
      num_hidden_layers: 2,
      architectures: ['BertModel'],
    });
    const session = await ort.InferenceSession.create(built.modelPath);
    expect([...session.inputNames].sort()).toEqual(['attention_mask', 'input_ids', 'token_type_ids']);
    expect(session.outputNames).toEqual(['last_hidden_state']);
    const output = await session.run({
      input_ids: int64([
        [101, 2000, 3000, 102],
        [101, 2500, 102, 0],
      ]),
      attention_mask: int64([
        [1, 1, 1, 1],
        [1, 1, 1, 0],
      ]),
      token_type_ids: int64([
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ]),
    });
    const hidden = output.last_hidden_state as ort.Tensor;
    expect(hidden.dims).toEqual([2, 4, 16]);
    expect(Array.from(hidden.data as Float32Array).every(Number.isFinite)).toBe(true);
    await session.release();
  });

  it('is byte-for-byte reproducible from its seed', async () => {
    const first = await buildEncoderModel({ dir: join(root, 'a'), hidden: 8, seed: 11 });
    const second = await buildEncoderModel({ dir: join(root, 'b'), hidden: 8, seed: 11 });
    const third = await buildEncoderModel({ dir: join(root, 'c'), hidden: 8, seed: 12 });
    expect(readFileSync(first.modelPath).equals(readFileSync(second.modelPath))).toBe(true);
    expect(readFileSync(first.modelPath).equals(readFileSync(third.modelPath))).toBe(false);
  });

  it('adds a classification head with logits and label maps', async () => {
    const built = await buildEncoderModel({
      dir: join(root, 'classifier'),
      hidden: 16,
      layers: 1,
      head: { numLabels: 3, id2label: { 0: 'contradiction', 1: 'entailment', 2: 'neutral' } },
    });
    const config = JSON.parse(readFileSync(join(built.dir, 'config.json'), 'utf8'));
    expect(config.id2label).toEqual({ 0: 'contradiction', 1: 'entailment', 2: 'neutral' });
    expect(config.label2id).toEqual({ contradiction: 0, entailment: 1, neutral: 2 });
    const session = await ort.InferenceSession.create(built.modelPath);
    const output = await session.run({
      input_ids: int64([[101, 2000, 102]]),
      attention_mask: int64([[1, 1, 1]]),
      token_type_ids: int64([[0, 0, 0]]),
    });
    expect((output.logits as ort.Tensor).dims).toEqual([1, 3]);
    await session.release();

    // transformers.js loads it as a cross-encoder (text pairs → labelled scores), offline.
    const { pipeline } = await import('@huggingface/transformers');
    const classifier = (await pipeline('text-classification', built.dir, {
      device: 'cpu',
      dtype: 'fp32',
      local_files_only: true,
    } as never)) as unknown as ((
      text: string,
      options: { text_pair: string; top_k: number },
    ) => Promise<Array<{ label: string; score: number }>>) & { dispose(): Promise<void> };
    const scores = await classifier('Revenue rose 8%.', { text_pair: 'Revenue increased.', top_k: 3 });
    expect(scores.map((entry) => entry.label).sort()).toEqual(['contradiction', 'entailment', 'neutral']);
    expect(scores.reduce((sum, entry) => sum + entry.score, 0)).toBeCloseTo(1, 5);
    await classifier.dispose();
  });

  it('finds the shared tokenizer and validates options', async () => {
    expect(findMiniLmTokenizerDir()).toMatch(/all-MiniLM-L6-v2-tokenizer$/);
    await expect(buildEncoderModel({ dir: join(root, 'bad'), hidden: 10, heads: 3 })).rejects.toSatisfy((error) =>
      isTradeR1Error(error, 'INVALID_CONFIG'),
    );
  });
});
