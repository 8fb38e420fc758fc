import { AutoModelForCausalLM, Tensor } from '@huggingface/transformers';
import { isTradeR1Error } from '@trade-r1/core';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WrittenLlamaTestModel, writeLlamaTestModel } from '../src/testing/llama.ts';
import { createOnnxPolicy, type OnnxTextPolicy } from '../src/text/onnx-policy.ts';
import type { Completion, GenerationEvent } from '../src/text/types.ts';
import { llamaFeeds, logitsAt, temporaryDirectory } from './helpers.ts';

let workspace: { dir: string; cleanup: () => Promise<void> };
let written: WrittenLlamaTestModel;
let policy: OnnxTextPolicy;

beforeAll(async () => {
  workspace = await temporaryDirectory();
  written = await writeLlamaTestModel({ dir: `${workspace.dir}/tiny`, initStd: 0.25, seed: 1 });
  policy = await createOnnxPolicy({ model: written.dir, device: 'cpu' });
});

afterAll(async () => {
  await policy?.close();
  await workspace?.cleanup();
});

const prompts = ['The stock rose after earnings.', 'Decision:'];

function logSoftmax(row: Float32Array, token: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const value of row) max = Math.max(max, value);
  let sum = 0;
  for (const value of row) sum += Math.exp(value - max);
  return (row[token] as number) - max - Math.log(sum);
}

describe('createOnnxPolicy', () => {
  it('samples G completions per prompt with per-token log-probabilities', async () => {
    const result = await policy.generate({ prompts, numSamples: 4, maxNewTokens: 12, seed: 1 });
    expect(result.completions).toHaveLength(2);
    for (const [promptIndex, group] of result.completions.entries()) {
      expect(group).toHaveLength(4);
      for (const [sampleIndex, completion] of group.entries()) {
        expect(completion.promptIndex).toBe(promptIndex);
        expect(completion.sampleIndex).toBe(sampleIndex);
        expect(completion.tokenIds.length).toBe(completion.completionTokenCount);
        expect(completion.tokenIds.length).toBeGreaterThan(0);
        expect(completion.tokenIds.length).toBeLessThanOrEqual(12);
        expect(completion.logprobs).toHaveLength(completion.tokenIds.length);
        expect(completion.modelLogprobs).toHaveLength(completion.tokenIds.length);
        for (const value of completion.modelLogprobs) expect(value).toBeLessThanOrEqual(0);
        // temperature 1, no filtering: the sampling distribution is the model's
        completion.logprobs.forEach((value, index) => {
          expect(value).toBeCloseTo(completion.modelLogprobs[index] as number, 4);
        });
        expect(['stop', 'length']).toContain(completion.finishReason);
        if (completion.finishReason === 'length') expect(completion.tokenIds).toHaveLength(12);
        expect(completion.promptTokenCount).toBe(policy.encodePrompt(prompts[promptIndex] as string).length);
      }
    }
    const texts = new Set(result.completions.flat().map((completion) => completion.tokenIds.join(',')));
    expect(texts.size).toBeGreaterThan(4);
    expect(result.usage.completionTokens).toBe(
      result.completions.flat().reduce((sum, completion) => sum + completion.completionTokenCount, 0),
    );
  });

  it('gives the same samples for the same seed, independent of batch composition', async () => {
    const first = await policy.generate({ prompts, numSamples: 3, maxNewTokens: 10, seed: 7, topP: 0.9 });
    const again = await policy.generate({ prompts, numSamples: 3, maxNewTokens: 10, seed: 7, topP: 0.9 });
    expect(again.completions).toEqual(first.completions);
    const other = await policy.generate({ prompts, numSamples: 3, maxNewTokens: 10, seed: 8, topP: 0.9 });
    expect(other.completions.flat().map((completion) => completion.text)).not.toEqual(
      first.completions.flat().map((completion) => completion.text),
    );
    const alone = await policy.generate({
      prompts: [prompts[1] as string],
      numSamples: 3,
      maxNewTokens: 10,
      seed: 7,
      topP: 0.9,
    });
    expect(alone.completions[0]?.map((completion) => completion.tokenIds)).toEqual(
      first.completions[1]?.map((completion) => completion.tokenIds),
    );
    const repeated = await policy.generate({
      prompts: [prompts[1] as string, prompts[1] as string],
      numSamples: 3,
      maxNewTokens: 10,
      seed: 7,
      topP: 0.9,
    });
    expect(repeated.completions[0]).toEqual(alone.completions[0]);
    expect(repeated.completions[1]?.map((completion) => completion.tokenIds)).not.toEqual(
      repeated.completions[0]?.map((completion) => completion.tokenIds),
    );
  });

  it('matches transformers.js greedy generate, with left padding across prompts of different lengths', async () => {
    const greedy = await policy.generate({ prompts, numSamples: 2, temperature: 0, maxNewTokens: 8, minNewTokens: 8 });
    const reference = await AutoModelForCausalLM.from_pretrained(written.dir, {
      local_files_only: true,
      device: 'cpu',
      dtype: 'fp32',
    });
    for (const [index, prompt] of prompts.entries()) {
      const ids = policy.encodePrompt(prompt);
      const output = (await reference.generate({
        input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
        attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
        max_new_tokens: 8,
        min_new_tokens: 8,
        do_sample: false,
      })) as Tensor;
      const expected = (output.tolist() as bigint[][])[0]?.slice(ids.length).map(Number);
      for (const completion of greedy.completions[index] ?? []) {
        expect(completion.tokenIds).toEqual(expected);
        expect(completion.logprobs.every((value) => value === 0)).toBe(true);
      }
    }
    await reference.dispose();
  });

  it('reports raw model log-probs equal to a no-cache forward pass', async () => {
    const result = await policy.generate({
      prompts: [prompts[0] as string],
      numSamples: 2,
      maxNewTokens: 6,
      seed: 3,
      temperature: 0.7,
      topK: 20,
    });
    const session = await ort.InferenceSession.create(`${written.dir}/onnx/model.onnx`);
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = written.config;
    const promptIds = policy.encodePrompt(prompts[0] as string);
    for (const completion of result.completions[0] ?? []) {
      const sequence = [...promptIds, ...completion.tokenIds];
      const output = await session.run(llamaFeeds({ ids: [sequence], layers, kvHeads, headDim }));
      completion.tokenIds.forEach((token, index) => {
        const row = logitsAt(output.logits as ort.Tensor, 0, promptIds.length + index - 1);
        expect(completion.modelLogprobs[index]).toBeCloseTo(logSoftmax(row, token), 3);
        // the sampling distribution: temperature 0.7, then the 20 most likely tokens, renormalised
        const scaled = Array.from(row, (value) => value / 0.7);
        const top = [...scaled].sort((left, right) => right - left).slice(0, 20);
        const max = top[0] as number;
        const normalizer = max + Math.log(top.reduce((sum, value) => sum + Math.exp(value - max), 0));
        expect(scaled[token] as number).toBeGreaterThanOrEqual(top.at(-1) as number);
        expect(completion.logprobs[index]).toBeCloseTo((scaled[token] as number) - normalizer, 3);
      });
    }
    await session.release();
  });

  it('keeps the KV cache exact when decoding grows past the pre-allocated length', async () => {
    const long = await policy.generate({
      prompts: [prompts[1] as string],
      numSamples: 2,
      maxNewTokens: 300,
      minNewTokens: 300,
      seed: 9,
    });
    const session = await ort.InferenceSession.create(`${written.dir}/onnx/model.onnx`);
    const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = written.config;
    const promptIds = policy.encodePrompt(prompts[1] as string);
    for (const completion of long.completions[0] ?? []) {
      expect(completion.tokenIds).toHaveLength(300);
      const output = await session.run(
        llamaFeeds({ ids: [[...promptIds, ...completion.tokenIds]], layers, kvHeads, headDim }),
      );
      for (const index of [0, 100, 255, 256, 257, 280, 299]) {
        const row = logitsAt(output.logits as ort.Tensor, 0, promptIds.length + index - 1);
        expect(completion.modelLogprobs[index]).toBeCloseTo(logSoftmax(row, completion.tokenIds[index] as number), 3);
      }
    }
    await session.release();
  });

  it('drives models with the optional num_logits_to_keep input identically', async () => {
    const trimmed = await writeLlamaTestModel({
      dir: `${workspace.dir}/keep`,
      initStd: 0.25,
      seed: 1,
      numLogitsToKeep: true,
    });
    const trimmedPolicy = await createOnnxPolicy({ model: trimmed.dir, device: 'cpu' });
    const options = { prompts, numSamples: 2, maxNewTokens: 8, seed: 4 };
    const expected = await policy.generate(options);
    const actual = await trimmedPolicy.generate(options);
    expect(actual.completions.map((group) => group.map((completion) => completion.tokenIds))).toEqual(
      expected.completions.map((group) => group.map((completion) => completion.tokenIds)),
    );
    actual.completions.flat().forEach((completion, index) => {
      const reference = expected.completions.flat()[index] as Completion;
      completion.modelLogprobs.forEach((value, position) => {
        expect(value).toBeCloseTo(reference.modelLogprobs[position] as number, 4);
      });
    });
    await trimmedPolicy.close();
    // transformers.js' own generate handles the input too
    const reference = await AutoModelForCausalLM.from_pretrained(trimmed.dir, {
      local_files_only: true,
      device: 'cpu',
      dtype: 'fp32',
    });
    const ids = policy.encodePrompt(prompts[0] as string);
    const output = (await reference.generate({
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      attention_mask: new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      max_new_tokens: 4,
      min_new_tokens: 4,
      do_sample: false,
    })) as Tensor;
    const greedy = await policy.generate({
      prompts: [prompts[0] as string],
      temperature: 0,
      maxNewTokens: 4,
      minNewTokens: 4,
    });
    expect((output.tolist() as bigint[][])[0]?.slice(ids.length).map(Number)).toEqual(
      greedy.completions[0]?.[0]?.tokenIds,
    );
    await reference.dispose();
  });

  it('streams tokens whose text adds up to the final completions', async () => {
    const events: GenerationEvent[] = [];
    for await (const event of policy.stream({ prompts, numSamples: 2, maxNewTokens: 10, seed: 5 })) events.push(event);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    const generated = await policy.generate({ prompts, numSamples: 2, maxNewTokens: 10, seed: 5 });
    expect(done.result).toEqual(generated);
    for (const completion of done.result.completions.flat()) {
      const mine = events.filter(
        (event): event is Extract<GenerationEvent, { type: 'token' }> =>
          event.type === 'token' &&
          event.promptIndex === completion.promptIndex &&
          event.sampleIndex === completion.sampleIndex,
      );
      expect(mine.map((event) => event.tokenId)).toEqual(completion.tokenIds);
      expect(mine.map((event) => event.text).join('')).toBe(completion.text);
    }
    const finishes = events.filter((event) => event.type === 'finish');
    expect(finishes).toHaveLength(4);
  });

  it('cuts completions at stop strings and honours minNewTokens and EOS', async () => {
    const base = await policy.generate({
      prompts: [prompts[0] as string],
      maxNewTokens: 16,
      seed: 11,
      minNewTokens: 16,
    });
    const text = base.completions[0]?.[0]?.text ?? '';
    expect(text.length).toBeGreaterThan(4);
    const stop = text.slice(3, 5);
    const stopped = await policy.generate({
      prompts: [prompts[0] as string],
      maxNewTokens: 16,
      seed: 11,
      minNewTokens: 16,
      stop: [stop],
    });
    const completion = stopped.completions[0]?.[0] as Completion;
    expect(completion.finishReason).toBe('stop');
    expect(text.startsWith(completion.text)).toBe(true);
    expect(completion.text.includes(stop)).toBe(false);
    expect(completion.text.length).toBeLessThanOrEqual(3);

    const eosModel = await writeLlamaTestModel({
      dir: `${workspace.dir}/eos`,
      initStd: 0.25,
      logitBias: { [written.tokens.eos]: 8 },
    });
    const eosPolicy = await createOnnxPolicy({ model: eosModel.dir, device: 'cpu' });
    const eos = await eosPolicy.generate({ prompts, numSamples: 2, maxNewTokens: 6, seed: 2 });
    for (const finished of eos.completions.flat()) {
      expect(finished.finishReason).toBe('stop');
      expect(finished.tokenIds.at(-1)).toBe(eosModel.tokens.eos);
    }
    const forced = await eosPolicy.generate({ prompts, maxNewTokens: 4, minNewTokens: 4, seed: 2 });
    for (const finished of forced.completions.flat()) {
      expect(finished.tokenIds).toHaveLength(4);
      expect(finished.tokenIds.slice(0, 4)).not.toContain(eosModel.tokens.eos);
    }
    await eosPolicy.close();
  });

  it('ends unfinished completions with finish reason abort', async () => {
    const controller = new AbortController();
    const finishes: Completion[] = [];
    let tokens = 0;
    for await (const event of policy.stream({
      prompts,
      numSamples: 2,
      maxNewTokens: 50,
      minNewTokens: 50,
      seed: 1,
      signal: controller.signal,
    })) {
      if (event.type === 'token' && ++tokens === 8) controller.abort();
      if (event.type === 'finish') finishes.push(event.completion);
    }
    expect(finishes).toHaveLength(4);
    for (const completion of finishes) {
      expect(completion.finishReason).toBe('abort');
      expect(completion.tokenIds.length).toBeLessThan(50);
    }
    controller.abort();
    await expect(policy.generate({ prompts, signal: controller.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it("stops at the model's position limit and rejects prompts longer than it", async () => {
    const limit = written.config.maxPositionEmbeddings;
    const nearLimit = Array.from({ length: limit - 3 }, (_, index) => 5 + (index % 200));
    const result = await policy.generate({
      prompts: [nearLimit],
      numSamples: 2,
      maxNewTokens: 10,
      minNewTokens: 10,
      seed: 1,
    });
    for (const completion of result.completions[0] ?? []) {
      expect(completion.tokenIds).toHaveLength(3);
      expect(completion.finishReason).toBe('length');
    }
    await expect(policy.generate({ prompts: [new Array(limit).fill(5)] })).rejects.toMatchObject({ code: 'TOO_LARGE' });
  });

  it('renders chat prompts and accepts token ids', async () => {
    const chat = await policy.generate({
      prompts: [[{ role: 'user', content: 'Buy or sell?' }]],
      maxNewTokens: 3,
      seed: 1,
    });
    const chatIds = policy.encodePrompt([{ role: 'user', content: 'Buy or sell?' }]);
    expect(chat.completions[0]?.[0]?.promptTokenCount).toBe(chatIds.length);
    const byIds = await policy.generate({ prompts: [chatIds], maxNewTokens: 3, seed: 1 });
    expect(byIds.completions[0]?.[0]?.tokenIds).toEqual(chat.completions[0]?.[0]?.tokenIds);
    await expect(policy.generate({ prompts: [[10_000]] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(policy.generate({ prompts: [] })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it("falls back to the CPU with device 'auto' and says so; 'cuda' fails typed without a GPU", async () => {
    const cpu = policy.info();
    expect(cpu).toMatchObject({ backend: 'onnx', executionProvider: 'cpu', requestedDevice: 'cpu', dtype: 'fp32' });
    expect(cpu.fallbackReason).toBeUndefined();
    const auto = await createOnnxPolicy({ model: 'tiny', localDir: workspace.dir, device: 'auto' });
    const info = auto.info();
    if (info.executionProvider === 'cpu') expect(info.fallbackReason).toMatch(/\w/);
    else expect(info.executionProvider).toBe('cuda');
    expect(info.localPath).toBe(written.dir);
    const sample = await auto.generate({ prompts: [prompts[0] as string], maxNewTokens: 4, seed: 1 });
    expect(sample.completions[0]?.[0]?.tokenIds).toHaveLength(4);
    await auto.close();
    await auto.close();
    await expect(auto.generate({ prompts })).rejects.toMatchObject({ code: 'CLOSED' });
    if (info.executionProvider === 'cpu') {
      await expect(createOnnxPolicy({ model: written.dir, device: 'cuda' })).rejects.toMatchObject({
        code: 'UNSUPPORTED',
      });
    }
  });

  it('fails typed for missing models', async () => {
    await expect(createOnnxPolicy({ model: `${workspace.dir}/nothing-here` })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const error = await createOnnxPolicy({
      model: 'no-such-org/no-such-model',
      allowRemote: false,
      device: 'cpu',
    }).catch((caught) => caught);
    expect(isTradeR1Error(error, 'MODEL_LOAD_FAILED')).toBe(true);
  });
});
