/**
 * The fp16-vs-fp32 comparison that onnx-fp16-node24.test.ts runs twice: in its own Node, and in a real Node 24 child
 * process (where JavaScript has a built-in Float16Array and onnxruntime-common hands float16 data over in it):
 *
 *   node24 --conditions=@trade-r1/source --import tsx test/fp16-comparison.ts <dir>
 *
 * prints the result as one JSON line. Both runs generate the same two test models (fp32, and fp16 I/O over the same
 * weights) under `dir`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ort from 'onnxruntime-node';
import { writeLlamaTestModel } from '../src/testing/llama.ts';
import { createOnnxPolicy } from '../src/text/onnx-policy.ts';
import { type HalfData, halfToFloat32 } from '../src/text/sampling.ts';
import type { GenerateResult } from '../src/text/types.ts';
import { llamaFeeds, maxAbsDiff } from './helpers.ts';

/** Tokens and per-token log-probs of every completion of one generate call. */
export interface Decoded {
  tokenIds: number[][];
  logprobs: number[][];
  modelLogprobs: number[][];
}

/** One policy (fp16 or fp32, one kvCache mode) over the same requests. */
export interface PolicyRun {
  kvCache: string;
  greedy: Decoded;
  seeded: Decoded;
  /** Log-prob of a given continuation under score(). */
  scored: number;
}

export interface Fp16Comparison {
  node: string;
  /** Whether this runtime has a built-in Float16Array. */
  builtInFloat16Array: boolean;
  /** Constructor names of the float16 data onnxruntime returned from a direct session run of the fp16 graph. */
  outputData: { logits: string; present: string };
  /** Largest |fp16 − fp32| logit over every position of a 2 × 6-token forward pass (direct session runs). */
  worstLogit: number;
  fp32: PolicyRun;
  fp16: PolicyRun;
  /** The fp16 model with kvCache: 'present' (the present outputs are fed back as the next past). */
  fp16Present: PolicyRun;
}

const SHAPE = { initStd: 0.25, seed: 9 } as const;
const REQUEST = { prompts: ['The stock rose after earnings.', 'Decision:'], numSamples: 2, maxNewTokens: 8 };

function decoded(result: GenerateResult): Decoded {
  const all = result.completions.flat();
  const numbers = (values: ReadonlyArray<number | null>) => values.map((value) => value as number);
  return {
    tokenIds: all.map((completion) => completion.tokenIds),
    logprobs: all.map((completion) => numbers(completion.logprobs)),
    modelLogprobs: all.map((completion) => numbers(completion.modelLogprobs)),
  };
}

async function runPolicy(model: string, options: { dtype: 'fp32' | 'fp16'; kvCache: 'auto' | 'present' }) {
  const policy = await createOnnxPolicy({ model, device: 'cpu', ...options });
  try {
    const greedy = await policy.generate({ ...REQUEST, temperature: 0, seed: 4 });
    const seeded = await policy.generate({ ...REQUEST, temperature: 0.8, topP: 0.95, seed: 11 });
    const scored = await policy.score({ prompt: 'Decision:', completions: [' Buy now'] });
    return {
      kvCache: policy.info().kvCache ?? 'unknown',
      greedy: decoded(greedy),
      seeded: decoded(seeded),
      scored: scored.scores[0]?.logprob as number,
    };
  } finally {
    await policy.close();
  }
}

/** Generate the fp32 and fp16 test models under `dir` and compare them in this runtime. */
export async function compareFp16(dir: string): Promise<Fp16Comparison> {
  const full = await writeLlamaTestModel({ dir: join(dir, 'fp32'), ...SHAPE });
  const half = await writeLlamaTestModel({ dir: join(dir, 'fp16'), ...SHAPE, ioDtype: 'float16' });
  const { numLayers: layers, numKeyValueHeads: kvHeads, headDim } = full.config;
  const ids = [
    [5, 80, 81, 82, 83, 84],
    [9, 120, 7, 200, 31, 66],
  ];
  const fullSession = await ort.InferenceSession.create(full.modelPath);
  const halfSession = await ort.InferenceSession.create(half.modelPath);
  let outputData: Fp16Comparison['outputData'];
  let worstLogit: number;
  try {
    const fullOut = await fullSession.run(llamaFeeds({ ids, layers, kvHeads, headDim }));
    const halfFeeds = llamaFeeds({ ids, layers, kvHeads, headDim });
    for (const [name, tensor] of Object.entries(halfFeeds)) {
      if (name.startsWith('past_key_values.'))
        halfFeeds[name] = new ort.Tensor('float16', new Uint16Array(0), tensor.dims);
    }
    const halfOut = await halfSession.run(halfFeeds);
    const logits = halfOut.logits as ort.Tensor;
    const present = halfOut['present.0.key'] as ort.Tensor;
    outputData = { logits: logits.data.constructor.name, present: present.data.constructor.name };
    worstLogit = maxAbsDiff(
      halfToFloat32(logits.data as HalfData),
      (fullOut.logits as ort.Tensor).data as Float32Array,
    );
  } finally {
    await fullSession.release();
    await halfSession.release();
  }
  return {
    node: process.version,
    builtInFloat16Array: typeof (globalThis as { Float16Array?: unknown }).Float16Array === 'function',
    outputData,
    worstLogit,
    fp32: await runPolicy(full.dir, { dtype: 'fp32', kvCache: 'auto' }),
    fp16: await runPolicy(half.dir, { dtype: 'fp16', kvCache: 'auto' }),
    fp16Present: await runPolicy(half.dir, { dtype: 'fp16', kvCache: 'present' }),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const dir = process.argv[2];
  if (dir === undefined) throw new Error('usage: fp16-comparison.ts <directory>');
  process.stdout.write(`${JSON.stringify(await compareFp16(dir))}\n`);
}
