/**
 * Peak memory of prefilling a long prompt (Trading-R1 theses run 15–23k tokens): the ONNX text policy's chunked
 * prefill (default 512 tokens a pass, last-position logits), the same policy with a one-pass prefill, and a plain
 * transformers.js `model.generate`, each in a fresh child process (peak RSS from the OS), on one generated model:
 * a 2-layer LLaMA-architecture decoder with a 32,000-token vocabulary and no `num_logits_to_keep` input (like many
 * exports), so a one-pass prefill materialises `prompt × vocab` logits and `prompt²` attention scores.
 *
 *   pnpm --filter @trade-r1/policy exec tsx --conditions=@trade-r1/source bench/prefill-memory.ts
 *   BENCH_QUICK=1 …  smoke run at 1,024 tokens
 *   BENCH_FULL=1 …   also runs the one-pass and transformers.js rows at 16k tokens (≈ 10 GB each; not on a shared box)
 *
 * Writes bench-results/prefill-memory.json.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const modelDir = join(packageDir, '.generated', 'prefill-memory');
const SHAPE = {
  vocabSize: 32_000,
  hiddenSize: 64,
  intermediateSize: 128,
  numLayers: 2,
  numHeads: 2,
  numKeyValueHeads: 1,
  maxPositionEmbeddings: 16_640,
  seed: 0,
} as const;
type Mode = 'ours-chunked' | 'ours-one-pass' | 'transformersjs';

async function child(mode: Mode, tokens: number): Promise<void> {
  const { AutoModelForCausalLM, Tensor } = await import('@huggingface/transformers');
  const { createOnnxPolicy } = await import('../src/index.ts');
  // Ids from the tokenizer's byte range, deterministic.
  const ids = Array.from({ length: tokens }, (_, index) => 40 + ((index * 7919) % 200));
  const started = performance.now();
  let loadedRss = 0;
  if (mode === 'transformersjs') {
    const model = await AutoModelForCausalLM.from_pretrained(modelDir, {
      local_files_only: true,
      device: 'cpu',
      dtype: 'fp32',
    });
    loadedRss = process.memoryUsage().rss;
    const input = new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, tokens]);
    const mask = new Tensor('int64', new BigInt64Array(tokens).fill(1n), [1, tokens]);
    await model.generate({ input_ids: input, attention_mask: mask, max_new_tokens: 1, do_sample: false });
    await model.dispose();
  } else {
    const policy = await createOnnxPolicy({
      model: modelDir,
      device: 'cpu',
      ...(mode === 'ours-one-pass' && { prefillChunkSize: 1_000_000 }),
    });
    loadedRss = process.memoryUsage().rss;
    await policy.generate({ prompts: [ids], maxNewTokens: 1, temperature: 0 });
    await policy.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ mode, tokens, peakRss, loadedRss, seconds })}\n`);
}

function spawnChild(mode: Mode, tokens: number): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--child', mode, String(tokens)],
      { maxBuffer: 1 << 20, timeout: 600_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${mode} ${tokens}: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}'));
      },
    );
  });
}

async function main(): Promise<void> {
  const { writeLlamaTestModel } = await import('../src/testing/index.ts');
  const marker = join(modelDir, 'generated.json');
  if (!existsSync(marker) || (await readFile(marker, 'utf8')) !== JSON.stringify(SHAPE)) {
    await writeLlamaTestModel({ dir: modelDir, ...SHAPE });
    await writeFile(marker, JSON.stringify(SHAPE));
  }
  const full = process.env.BENCH_FULL === '1';
  const quick = process.env.BENCH_QUICK === '1';
  const plan: Array<[Mode, number]> = quick
    ? [
        ['ours-chunked', 1024],
        ['ours-one-pass', 1024],
        ['transformersjs', 1024],
      ]
    : [
        ['ours-chunked', 4096],
        ['ours-one-pass', 4096],
        ['transformersjs', 4096],
        ['ours-chunked', 8192],
        ['ours-one-pass', 8192],
        ['transformersjs', 8192],
        ['ours-chunked', 16_384],
        ...(full
          ? ([
              ['ours-one-pass', 16_384],
              ['transformersjs', 16_384],
            ] as Array<[Mode, number]>)
          : []),
      ];
  const rows: Array<Record<string, number | string>> = [];
  for (const [mode, tokens] of plan) {
    const row = await spawnChild(mode, tokens);
    const mb = (bytes: number) => Math.round(bytes / 1e6);
    const summary = {
      mode,
      tokens,
      peakRssMB: mb(Number(row.peakRss)),
      rssAfterLoadMB: mb(Number(row.loadedRss)),
      prefillPeakOverLoadMB: mb(Number(row.peakRss) - Number(row.loadedRss)),
      seconds: Math.round(Number(row.seconds) * 100) / 100,
    };
    console.log(summary);
    rows.push(summary);
  }
  const at = (mode: Mode, tokens: number) => rows.find((row) => row.mode === mode && row.tokens === tokens);
  const ratio = (left: Mode, right: Mode, tokens: number) => {
    const a = at(left, tokens);
    const b = at(right, tokens);
    return a && b ? Math.round((Number(b.prefillPeakOverLoadMB) / Number(a.prefillPeakOverLoadMB)) * 10) / 10 : null;
  };
  const result = {
    benchmark: 'prefill-memory',
    model: { ...SHAPE, numLogitsToKeepInput: false },
    conditions: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      totalMemoryGB: Math.round(totalmem() / 1e9),
      loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
      node: process.version,
      measurement: 'peak RSS of a fresh child process (getrusage maxrss); G = 1, one new token',
    },
    rows,
    prefillMemoryRatios: {
      onePass_over_chunked_4096: ratio('ours-chunked', 'ours-one-pass', 4096),
      transformersjs_over_chunked_4096: ratio('ours-chunked', 'transformersjs', 4096),
      onePass_over_chunked_8192: ratio('ours-chunked', 'ours-one-pass', 8192),
      transformersjs_over_chunked_8192: ratio('ours-chunked', 'transformersjs', 8192),
    },
    notes: full
      ? []
      : [
          'one-pass and transformers.js rows at 16,384 tokens not run (BENCH_FULL=1): on this model they need ≈ 2.1 GB of logits plus ≈ 2.1 GB per attention-score tensor per layer',
        ],
  };
  const outputDir = join(packageDir, 'bench-results');
  await mkdir(outputDir, { recursive: true });
  const file = join(outputDir, quick ? 'prefill-memory.quick.json' : 'prefill-memory.json');
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

if (process.argv[2] === '--child') await child(process.argv[3] as Mode, Number(process.argv[4]));
else await main();
