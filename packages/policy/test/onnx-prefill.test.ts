import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeLlamaTestModel } from '../src/testing/llama.ts';
import { createOnnxPolicy } from '../src/text/onnx-policy.ts';
import type { GenerateResult } from '../src/text/types.ts';
import { temporaryDirectory } from './helpers.ts';

let workspace: { dir: string; cleanup: () => Promise<void> };
let plainDir: string;
let trimmedDir: string;

beforeAll(async () => {
  workspace = await temporaryDirectory();
  plainDir = (await writeLlamaTestModel({ dir: join(workspace.dir, 'plain'), initStd: 0.25, seed: 12 })).dir;
  trimmedDir = (
    await writeLlamaTestModel({ dir: join(workspace.dir, 'trimmed'), initStd: 0.25, seed: 12, numLogitsToKeep: true })
  ).dir;
});

afterAll(async () => {
  await workspace?.cleanup();
});

const prompts = [
  'Revenue grew 12% year over year while margins held; guidance for the next quarter was raised twice. '.repeat(2),
  'Decision:',
];

async function run(model: string, prefillChunkSize: number): Promise<GenerateResult> {
  const policy = await createOnnxPolicy({ model, device: 'cpu', prefillChunkSize });
  const result = await policy.generate({ prompts, numSamples: 2, maxNewTokens: 8, seed: 3, temperature: 0.9 });
  await policy.close();
  return result;
}

describe('chunked prefill', () => {
  it('gives the samples and log-probs of a one-pass prefill, for any chunk size', async () => {
    for (const model of [plainDir, trimmedDir]) {
      const reference = await run(model, 100_000);
      const long = reference.completions[0]?.[0]?.promptTokenCount ?? 0;
      expect(long).toBeGreaterThan(64);
      for (const chunk of [1, 7, 64]) {
        const chunked = await run(model, chunk);
        expect(chunked.completions.flat().map((completion) => completion.tokenIds)).toEqual(
          reference.completions.flat().map((completion) => completion.tokenIds),
        );
        chunked.completions.flat().forEach((completion, index) => {
          const expected = reference.completions.flat()[index];
          completion.modelLogprobs.forEach((value, position) => {
            expect(value).toBeCloseTo(expected?.modelLogprobs[position] as number, 4);
          });
        });
      }
    }
  });

  it('rejects a bad chunk size', async () => {
    await expect(createOnnxPolicy({ model: plainDir, device: 'cpu', prefillChunkSize: 0 })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});
