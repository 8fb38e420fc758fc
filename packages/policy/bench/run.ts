/**
 * Decode throughput of the ONNX text policy on the SmolLM2-135M architecture (random weights cost the same compute
 * as real ones), beside a plain transformers.js `model.generate` call on the same model.
 *
 *   pnpm --filter @trade-r1/policy bench            # full config: 512-token prompt, 128 new tokens
 *   BENCH_QUICK=1 pnpm --filter @trade-r1/policy bench   # smoke run: 64-token prompt, 16 new tokens
 *
 * The model is generated on first use into packages/policy/.generated/ (git-ignored, ~540 MB) and reused.
 * Writes bench-results/decode-throughput.json.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoModelForCausalLM, Tensor } from '@huggingface/transformers';
import ort from 'onnxruntime-node';
import { createOnnxPolicy } from '../src/index.ts';
import { SMOLLM2_135M_SHAPE, writeLlamaTestModel } from '../src/testing/index.ts';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.env.BENCH_QUICK === '1';
const promptTokens = quick ? 64 : 512;
const newTokens = quick ? 16 : 128;
const groupSize = 8;
const modelDir = join(packageDir, '.generated', 'smollm2-135m-random');
const marker = join(modelDir, 'generated.json');

async function ensureModel(): Promise<void> {
  const wanted = JSON.stringify({ ...SMOLLM2_135M_SHAPE, seed: 0 });
  if (existsSync(marker) && (await readFile(marker, 'utf8')) === wanted) return;
  const started = performance.now();
  const written = await writeLlamaTestModel({ dir: modelDir, ...SMOLLM2_135M_SHAPE, seed: 0 });
  await writeFile(marker, wanted);
  console.log(
    `generated ${written.parameterCount.toLocaleString()} parameters in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function time<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { seconds: (performance.now() - started) / 1000, value };
}

await ensureModel();
const policy = await createOnnxPolicy({ model: modelDir, device: 'auto' });
const info = policy.info();
console.log('policy', info);

// A deterministic prompt of exactly `promptTokens` ids from the tokenizer's learned (non-filler) range.
const base = policy.encodePrompt(
  'The company reported revenue growth and raised its full year guidance. Analysts upgraded the stock to buy. ',
);
const prompt = Array.from({ length: promptTokens }, (_, index) => base[index % base.length] as number);

const run = (numSamples: number, maxNewTokens: number, temperature: number) =>
  time(() =>
    policy.generate({ prompts: [prompt], numSamples, maxNewTokens, minNewTokens: maxNewTokens, temperature, seed: 1 }),
  );

await run(1, 2, 1); // warm-up
const prefillOnly = await run(1, 1, 1);
const oursGreedy1 = await run(1, newTokens, 0);
const oursSampled1 = await run(1, newTokens, 1);
const oursSampled8 = await run(groupSize, newTokens, 1);
const prefillSeconds = prefillOnly.seconds;
await policy.close();

const reference = await AutoModelForCausalLM.from_pretrained(modelDir, {
  local_files_only: true,
  device: 'cpu',
  dtype: 'fp32',
});
const referenceGenerate = (batch: number, doSample: boolean) =>
  time(() =>
    reference.generate({
      input_ids: new Tensor(
        'int64',
        BigInt64Array.from({ length: batch * promptTokens }, (_, index) =>
          BigInt(prompt[index % promptTokens] as number),
        ),
        [batch, promptTokens],
      ),
      attention_mask: new Tensor('int64', new BigInt64Array(batch * promptTokens).fill(1n), [batch, promptTokens]),
      max_new_tokens: newTokens,
      min_new_tokens: newTokens,
      do_sample: doSample,
      ...(doSample && { top_k: 0, temperature: 1 }),
    }),
  );
await time(() =>
  reference.generate({
    input_ids: new Tensor('int64', BigInt64Array.from(prompt.slice(0, 8), BigInt), [1, 8]),
    max_new_tokens: 2,
  }),
);
const referenceGreedy1 = await referenceGenerate(1, false);
const referenceSampled8 = await referenceGenerate(groupSize, true);
await reference.dispose();

const tokensPerSecond = (tokens: number, seconds: number): number => Number((tokens / seconds).toFixed(2));
// The first token of every sequence comes from the (shared) prompt prefill; the rest are decode steps.
const decodeOnly = (tokens: number, seconds: number): number =>
  Number(((tokens - tokens / newTokens) / Math.max(1e-9, seconds - prefillSeconds)).toFixed(2));
const rows = {
  ours_greedy_G1: {
    seconds: oursGreedy1.seconds,
    newTokens,
    tokensPerSecond: tokensPerSecond(newTokens, oursGreedy1.seconds),
    decodeTokensPerSecond: decodeOnly(newTokens, oursGreedy1.seconds),
  },
  ours_sampled_G1: {
    seconds: oursSampled1.seconds,
    newTokens,
    tokensPerSecond: tokensPerSecond(newTokens, oursSampled1.seconds),
    decodeTokensPerSecond: decodeOnly(newTokens, oursSampled1.seconds),
  },
  ours_sampled_G8_batched: {
    seconds: oursSampled8.seconds,
    newTokens: groupSize * newTokens,
    tokensPerSecond: tokensPerSecond(groupSize * newTokens, oursSampled8.seconds),
    decodeTokensPerSecond: decodeOnly(groupSize * newTokens, oursSampled8.seconds),
  },
  transformersjs_generate_greedy_G1: {
    seconds: referenceGreedy1.seconds,
    newTokens,
    tokensPerSecond: tokensPerSecond(newTokens, referenceGreedy1.seconds),
  },
  transformersjs_generate_sampled_G8_batch_of_copies: {
    seconds: referenceSampled8.seconds,
    newTokens: groupSize * newTokens,
    tokensPerSecond: tokensPerSecond(groupSize * newTokens, referenceSampled8.seconds),
  },
};
const result = {
  benchmark: 'decode-throughput',
  description:
    'New tokens per second (end to end, prompt prefill included) for one prompt, SmolLM2-135M architecture with random weights, fp32, CPU. decodeTokensPerSecond subtracts a separately measured prefill.',
  config: { promptTokens, newTokens, groupSize, quick, model: 'SmolLM2-135M shape (random weights)', dtype: 'fp32' },
  environment: {
    node: process.version,
    onnxruntimeNode: ort.env.versions?.common ?? 'unknown',
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCores: cpus().length,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    executionProvider: info.executionProvider,
    cuda:
      info.executionProvider === 'cuda'
        ? 'used'
        : `not available in this session (${info.fallbackReason ?? 'CPU requested'})`,
    note: 'Shared 2-core machine; single run per configuration, so expect noise of ±10–20%.',
  },
  prefillSeconds,
  results: rows,
  ratios: {
    ours_vs_transformersjs_G1_greedy: Number(
      (rows.ours_greedy_G1.tokensPerSecond / rows.transformersjs_generate_greedy_G1.tokensPerSecond).toFixed(2),
    ),
    ours_G8_batched_vs_ours_G1: Number(
      (rows.ours_sampled_G8_batched.tokensPerSecond / rows.ours_sampled_G1.tokensPerSecond).toFixed(2),
    ),
    ours_G8_vs_transformersjs_G8: Number(
      (
        rows.ours_sampled_G8_batched.tokensPerSecond /
        rows.transformersjs_generate_sampled_G8_batch_of_copies.tokensPerSecond
      ).toFixed(2),
    ),
  },
  targets: { ours_vs_transformersjs_G1: '>= 1.0', ours_G8_vs_G1: '>= 3.0' },
};
const outputDir = join(packageDir, 'bench-results');
await mkdir(outputDir, { recursive: true });
const file = join(outputDir, quick ? 'decode-throughput.quick.json' : 'decode-throughput.json');
await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
console.log(`wrote ${file}`);
