import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rolloutSchema } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { generateRollouts } from './rollouts.ts';
import { writeLlamaTestModel } from './testing/llama.ts';
import { createOnnxPolicy } from './text/onnx-policy.ts';
import type { Completion, GenerateOptions, GenerateResult, GenerationProgress, TextPolicy } from './text/types.ts';

// A scripted policy: completion text = script[promptIndex][sampleIndex]. Tests the rollout glue, not sampling.
function scripted(script: string[][]): TextPolicy & { calls: GenerateOptions[] } {
  const calls: GenerateOptions[] = [];
  return {
    calls,
    async generate(options: GenerateOptions): Promise<GenerateResult> {
      calls.push(options);
      const completions = options.prompts.map((_, promptIndex) =>
        Array.from({ length: options.numSamples ?? 1 }, (_, sampleIndex): Completion => {
          const text = script[promptIndex]?.[sampleIndex] ?? '';
          return {
            promptIndex,
            sampleIndex,
            text,
            tokenIds: [1, 2],
            logprobs: [-0.1, -0.2],
            modelLogprobs: [-0.3, -0.4],
            promptTokenCount: 5,
            completionTokenCount: 2,
            finishReason: 'stop',
          };
        }),
      );
      return { completions, usage: { promptTokens: 0, completionTokens: 0 } };
    },
    async *stream() {
      yield* [];
    },
    info: () => ({ backend: 'onnx', model: 'scripted', requestedDevice: 'cpu', executionProvider: 'cpu' }),
    close: async () => {},
  };
}

describe('generateRollouts', () => {
  it('parses each completion into core rollouts with metadata', async () => {
    const policy = scripted([
      ['Analysis… [[[BUY]]]', 'no idea'],
      ["{'Action': Sell}", 'Decision: hold'],
    ]);
    const { rollouts } = await generateRollouts({
      policy,
      prompts: [{ prompt: 'p0', metadata: { ticker: 'AAA' } }, [{ role: 'user', content: 'p1' }]],
      numSamples: 2,
      seed: 3,
      temperature: 0.6,
    });
    expect(policy.calls[0]).toMatchObject({
      numSamples: 2,
      seed: 3,
      temperature: 0.6,
      prompts: ['p0', [{ role: 'user', content: 'p1' }]],
    });
    expect(rollouts.map((group) => group.map((rollout) => rollout.decision))).toEqual([
      ['BUY', null],
      ['SELL', 'HOLD'],
    ]);
    const [first, failed] = rollouts[0] ?? [];
    expect(rolloutSchema.parse(first)).toEqual(first);
    expect(first?.metadata).toMatchObject({
      ticker: 'AAA',
      promptIndex: 0,
      sampleIndex: 0,
      finishReason: 'stop',
      // The processed (sampled-from) log-probs are the trainer's behaviour log-probs; raw ones ride along apart.
      logprobs: [-0.1, -0.2],
      modelLogprobs: [-0.3, -0.4],
    });
    expect(failed?.metadata.parseFailure).toBe('no_decision');
    expect(rollouts[1]?.[0]?.prompt).toBe('[{"role":"user","content":"p1"}]');
  });

  it('parses selections with per-prompt candidates and accepts custom parsers', async () => {
    const policy = scripted([
      ['<selection>{"tickers": ["AAA"]}</selection>', '<selection>{"tickers": ["ZZZ"]}</selection>'],
    ]);
    const { rollouts } = await generateRollouts({
      policy,
      prompts: [{ prompt: 'pick', candidates: ['AAA', 'BBB'] }],
      numSamples: 2,
      parse: 'selection',
    });
    expect(rollouts[0]?.[0]?.decision).toEqual({ selections: [{ ticker: 'AAA' }] });
    expect(rollouts[0]?.[1]).toMatchObject({ decision: null, metadata: { parseFailure: 'unknown_ticker' } });
    const custom = await generateRollouts({
      policy,
      prompts: ['pick'],
      parse: (text) => (text.includes('AAA') ? { decision: 'STRONG_BUY' } : { decision: null, failure: 'nope' }),
    });
    expect(custom.rollouts[0]?.[0]?.decision).toBe('STRONG_BUY');
  });
});

describe('generateRollouts progress (real ONNX test model)', () => {
  it('reports every finished completion with the count so far, and rejects misspelled options', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rollout-progress-'));
    try {
      const model = await writeLlamaTestModel({ dir, initStd: 0.25, seed: 2 });
      const policy = await createOnnxPolicy({ model: model.dir, device: 'cpu' });
      const seen: GenerationProgress[] = [];
      const { rollouts, result } = await generateRollouts({
        policy,
        prompts: ['Decision:', { prompt: 'AAPL as of 2024-06-14:', metadata: { ticker: 'AAPL' } }],
        numSamples: 3,
        maxNewTokens: 6,
        seed: 8,
        onProgress: (progress) => seen.push(progress),
      });
      expect(rollouts.flat()).toHaveLength(6);
      expect(seen.map((progress) => [progress.completed, progress.total])).toEqual([
        [1, 6],
        [2, 6],
        [3, 6],
        [4, 6],
        [5, 6],
        [6, 6],
      ]);
      const key = (completion: Completion) => `${completion.promptIndex}:${completion.sampleIndex}`;
      expect(seen.map((progress) => key(progress.completion)).sort()).toEqual(
        result.completions.flat().map(key).sort(),
      );
      const reported = new Map(seen.map((progress) => [key(progress.completion), progress.completion]));
      for (const completion of result.completions.flat()) expect(reported.get(key(completion))).toEqual(completion);
      await expect(generateRollouts({ policy, prompts: ['x'], onprogress: () => {} } as never)).rejects.toMatchObject({
        code: 'INVALID_INPUT',
      });
      await policy.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
