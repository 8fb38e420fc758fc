/**
 * Does a real sentence encoder (Universal Sentence Encoder lite, `createUseLiteEmbedder`) tell meaning-preserving
 * rewrites from meaning-changing ones and from other sentences better than the default static embedder
 * (`createDefaultEmbedder`), and what does it cost? One run, one machine, both embedders.
 *
 * Pairs (`sentence-pairs.ts`) are built from real text: sentences with a figure from the FNSPID news sample
 * (../shared/data/news, CC BY-NC 4.0; read at run time, none of it is written out) and from TAT-QA annual-report
 * paragraphs (../shared/data/tatqa/tatqa_dataset_dev.json, CC BY 4.0, Zhu et al., ACL 2021; a few example pairs
 * are written out). For each anchor sentence:
 * - positives (same meaning): `synonym` (word substitutions), `reorder` (a leading phrase or a trailing
 *   attribution moved, two clauses swapped), `clause` (one self-contained clause of the sentence), `rounded` (one
 *   figure rounded and hedged with "about"), `combined` (two or three of these at once);
 * - negatives: another sentence of the same article or filing context (`same-document`) or of another article
 *   about the same ticker (`same-ticker`, news only), drawn at random or as the lexically closest one short of a
 *   near-copy (`…-closest`), and meaning-changing rewrites made by the package's own `perturb()`: `number` (a
 *   figure altered by 15–60%), `entity` (another company), `direction` (an antonym: rose → fell), `period`
 *   (another quarter or year).
 * Scores: cosine of the two texts' vectors for each embedder and, as a free reference, word-set Jaccard. AUROC of
 * positives against negatives overall, per source, per rewrite type and for edits of the same size (rounded vs
 * number, …), with 95% bootstrap intervals (anchors resampled) of the USE − default difference; and the
 * cross-validated AUROC of a logistic model over [Jaccard, default cosine] with and without the USE cosine (what
 * the encoder adds to signals the verifier already has).
 *
 * Cost: each embedder is loaded and timed in fresh child processes (load time, RSS, sentences/s in batches of 32
 * and one at a time) on the same sentences, alternating, the faster of two runs kept. TF.js's WebAssembly backend
 * runs single-threaded here (no multithreaded build in Node), as does the default embedder.
 *
 * Run (≈ 1.5–2 min on 2 shared cores): pnpm --filter @trade-r1/verifier bench:sentence-encoder
 * Writes bench-results/sentence-encoder.json. `… sentence-encoder.bench.ts --pairs 5` prints sample pairs only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng, deriveSeed } from '@trade-r1/core';
import { createDefaultEmbedder } from '../src/embedders/static/default-embedder.ts';
import type { Embedder } from '../src/embedders/types.ts';
import { createUseLiteEmbedder } from '../src/embedders/use-lite.ts';
import { dot } from '../src/embedders/vector-math.ts';
import { auroc, fitLogistic } from '../src/scoring/metrics.ts';
import {
  buildPairs,
  type CorpusOptions,
  jaccard,
  loadCorpus,
  NEGATIVE_TYPES,
  type Pair,
  POSITIVE_TYPES,
} from './sentence-pairs.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SHARED = join(here, '../../../../shared/data');
const NEWS_FILE = join(SHARED, 'news/fnspid_sample_aapl_news_contents.csv');
const TATQA_FILE = join(SHARED, 'tatqa/tatqa_dataset_dev.json');
const SEED = 20_261_203;
const ANCHORS_PER_SOURCE = 160;
const NEWS_PER_ARTICLE = 3;
const TATQA_PER_CONTEXT = 2;
const BOOTSTRAP = 400;
const FOLDS = 5;
const COST_SENTENCES = 256;
/** Each timing runs whole passes over the sentences until at least this long. */
const MIN_TIMED_SECONDS = 1;
const COST_SINGLE = 120;
const COST_ROUNDS = 2;
const CORPUS: CorpusOptions = {
  newsFile: NEWS_FILE,
  tatqaFile: TATQA_FILE,
  seed: SEED,
  anchorsPerSource: ANCHORS_PER_SOURCE,
  newsPerArticle: NEWS_PER_ARTICLE,
  tatqaPerContext: TATQA_PER_CONTEXT,
};

async function cosines(embedder: Embedder, pairs: readonly Pair[]): Promise<number[]> {
  const texts = [...new Set(pairs.flatMap((pair) => [pair.left, pair.right]))];
  const vectors = await embedder.embed(texts);
  const byText = new Map(texts.map((text, index) => [text, vectors[index] as Float32Array]));
  return pairs.map((pair) => dot(byText.get(pair.left) as Float32Array, byText.get(pair.right) as Float32Array));
}

const round = (value: number | null, digits = 3): number | null =>
  value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits;

function aurocOf(scores: readonly number[], pairs: readonly Pair[], keep: (pair: Pair) => boolean): number | null {
  const positives: number[] = [];
  const negatives: number[] = [];
  pairs.forEach((pair, index) => {
    if (!keep(pair)) return;
    (pair.positive ? positives : negatives).push(scores[index] as number);
  });
  return auroc(positives, negatives);
}

/** 95% percentile interval of AUROC(a) − AUROC(b) over bootstrap resamples of anchors. */
function bootstrapDifference(
  a: readonly number[],
  b: readonly number[],
  pairs: readonly Pair[],
  keep: (pair: Pair) => boolean,
): { mean: number; low: number; high: number } | null {
  const anchors = [...new Set(pairs.filter(keep).map((pair) => pair.anchor))];
  const rowsOf = new Map<string, number[]>();
  pairs.forEach((pair, index) => {
    if (keep(pair)) rowsOf.set(pair.anchor, [...(rowsOf.get(pair.anchor) ?? []), index]);
  });
  const rng = createRng(deriveSeed(SEED, 'bootstrap'));
  const differences: number[] = [];
  for (let sample = 0; sample < BOOTSTRAP; sample += 1) {
    const posA: number[] = [];
    const negA: number[] = [];
    const posB: number[] = [];
    const negB: number[] = [];
    for (let draw = 0; draw < anchors.length; draw += 1) {
      for (const row of rowsOf.get(anchors[rng.int(0, anchors.length - 1)] as string) ?? []) {
        const positive = (pairs[row] as Pair).positive;
        (positive ? posA : negA).push(a[row] as number);
        (positive ? posB : negB).push(b[row] as number);
      }
    }
    const left = auroc(posA, negA);
    const right = auroc(posB, negB);
    if (left !== null && right !== null) differences.push(left - right);
  }
  if (differences.length === 0) return null;
  differences.sort((x, y) => x - y);
  const at = (q: number) => differences[Math.min(differences.length - 1, Math.floor(q * differences.length))] as number;
  const mean = differences.reduce((sum, value) => sum + value, 0) / differences.length;
  return { mean: round(mean) as number, low: round(at(0.025)) as number, high: round(at(0.975)) as number };
}

/** AUROC of a logistic model over `columns`, each pair scored by a model fitted on the other folds (by anchor). */
function crossValidatedAuroc(
  columns: ReadonlyArray<readonly number[]>,
  allPairs: readonly Pair[],
  keep: (pair: Pair) => boolean,
): number | null {
  const rows = allPairs.map((pair, row) => (keep(pair) ? row : -1)).filter((row) => row >= 0);
  const pairs = rows.map((row) => allPairs[row] as Pair);
  columns = columns.map((column) => rows.map((row) => column[row] as number));
  const anchors = [...new Set(pairs.map((pair) => pair.anchor))];
  const fold = new Map(
    createRng(deriveSeed(SEED, 'folds'))
      .shuffle(anchors)
      .map((anchor, index) => [anchor, index % FOLDS]),
  );
  const features = pairs.map((_, row) => columns.map((column) => column[row] as number));
  const labels = pairs.map((pair) => (pair.positive ? 1 : 0));
  const scores = new Array<number>(pairs.length).fill(0);
  for (let k = 0; k < FOLDS; k += 1) {
    const train = pairs.map((pair, row) => (fold.get(pair.anchor) === k ? -1 : row)).filter((row) => row >= 0);
    const model = fitLogistic(
      train.map((row) => features[row] as number[]),
      train.map((row) => labels[row] as number),
      { iterations: 3000, learningRate: 1, l2: 0.001 },
    );
    pairs.forEach((pair, row) => {
      if (fold.get(pair.anchor) !== k) return;
      const x = features[row] as number[];
      scores[row] = model.bias + x.reduce((sum, value, column) => sum + value * (model.weights[column] as number), 0);
    });
  }
  return aurocOf(scores, pairs, () => true);
}

// ---------------------------------------------------------------------------------------------------------------
// Cost, in a fresh child process per embedder

interface CostResult {
  embedder: string;
  modelId: string;
  dimension: number;
  importMs: number;
  loadMs: number;
  rssBeforeMb: number;
  rssAfterLoadMb: number;
  rssAfterEmbedMb: number;
  maxRssMb: number;
  firstPass: { sentences: number; seconds: number; sentencesPerSecond: number };
  batch32: { sentences: number; seconds: number; sentencesPerSecond: number };
  single: { sentences: number; medianMs: number; sentencesPerSecond: number };
  runtime?: Record<string, unknown>;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

async function measureCost(which: 'default' | 'use-lite', sentencesFile: string): Promise<CostResult> {
  const sentences = JSON.parse(readFileSync(sentencesFile, 'utf8')) as string[];
  const rssBefore = process.memoryUsage().rss;
  const importStart = performance.now();
  const factory =
    which === 'default'
      ? (await import('../src/embedders/static/default-embedder.ts')).createDefaultEmbedder
      : (await import('../src/embedders/use-lite.ts')).createUseLiteEmbedder;
  const importMs = performance.now() - importStart;
  const loadStart = performance.now();
  const embedder: Embedder = await factory();
  const loadMs = performance.now() - loadStart;
  const rssAfterLoad = process.memoryUsage().rss;
  // Warm-up: one full pass (JIT, TF.js kernels, the default embedder's token cache), as in a long-running verifier;
  // timed too, as the cost of text never seen before in a fresh process.
  const firstStart = performance.now();
  for (let start = 0; start < sentences.length; start += 32) await embedder.embed(sentences.slice(start, start + 32));
  const firstSeconds = (performance.now() - firstStart) / 1000;
  // Timed: whole passes until at least MIN_TIMED_SECONDS have elapsed.
  let batchSentences = 0;
  const batchStart = performance.now();
  do {
    for (let start = 0; start < sentences.length; start += 32) await embedder.embed(sentences.slice(start, start + 32));
    batchSentences += sentences.length;
  } while (performance.now() - batchStart < MIN_TIMED_SECONDS * 1000);
  const batchSeconds = (performance.now() - batchStart) / 1000;
  const latencies: number[] = [];
  const singleStart = performance.now();
  do {
    for (const sentence of sentences.slice(0, COST_SINGLE)) {
      const start = performance.now();
      await embedder.embed([sentence]);
      latencies.push(performance.now() - start);
    }
  } while (performance.now() - singleStart < MIN_TIMED_SECONDS * 1000);
  latencies.sort((a, b) => a - b);
  const medianMs = latencies[Math.floor(latencies.length / 2)] as number;
  let runtime: Record<string, unknown> | undefined;
  if (which === 'use-lite') {
    const core = (await import('@energetic-ai/core')) as unknown as {
      getBackend(): string;
      env(): { getBool(flag: string): boolean };
    };
    runtime = {
      backend: core.getBackend(),
      wasmMultithread: core.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
      wasmSimd: core.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    };
  }
  const result: CostResult = {
    embedder: which,
    modelId: embedder.modelId,
    dimension: embedder.dimension,
    importMs: Math.round(importMs),
    loadMs: Math.round(loadMs),
    rssBeforeMb: mb(rssBefore),
    rssAfterLoadMb: mb(rssAfterLoad),
    rssAfterEmbedMb: mb(process.memoryUsage().rss),
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    firstPass: {
      sentences: sentences.length,
      seconds: Math.round(firstSeconds * 1000) / 1000,
      sentencesPerSecond: Math.round(sentences.length / firstSeconds),
    },
    batch32: {
      sentences: batchSentences,
      seconds: Math.round(batchSeconds * 1000) / 1000,
      sentencesPerSecond: Math.round(batchSentences / batchSeconds),
    },
    single: {
      sentences: latencies.length,
      medianMs: Math.round(medianMs * 100) / 100,
      sentencesPerSecond: Math.round(1000 / medianMs),
    },
    ...(runtime ? { runtime } : {}),
  };
  await embedder.close();
  return result;
}

function costInChild(which: 'default' | 'use-lite', sentencesFile: string): CostResult {
  const output = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--cost', which, sentencesFile],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const line = output.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as CostResult;
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  for (const file of [NEWS_FILE, TATQA_FILE])
    if (!existsSync(file)) throw new Error(`${file} is missing: this benchmark needs ../shared/data`);
  const started = performance.now();
  const loadAverageAtStart = loadavg().map((value) => Math.round(value * 100) / 100);
  const corpus = await loadCorpus(CORPUS);
  const pairs = buildPairs(corpus, SEED);

  const defaultEmbedder = await createDefaultEmbedder();
  const useEmbedder = await createUseLiteEmbedder();
  const scores = {
    jaccard: pairs.map((pair) => jaccard(pair.left, pair.right)),
    default: await cosines(defaultEmbedder, pairs),
    useLite: await cosines(useEmbedder, pairs),
  };
  const modelIds = { default: defaultEmbedder.modelId, useLite: useEmbedder.modelId };
  await defaultEmbedder.close();
  await useEmbedder.close();

  const slices: Array<[string, (pair: Pair) => boolean]> = [
    ['all', () => true],
    ['news', (pair) => pair.source === 'news'],
    ['tatqa', (pair) => pair.source === 'tatqa'],
    ['positives vs other sentences', (pair) => pair.positive || pair.type.startsWith('same-')],
    ['positives vs closest other sentences', (pair) => pair.positive || pair.type.endsWith('-closest')],
    ['positives vs meaning-changing rewrites', (pair) => pair.positive || !pair.type.startsWith('same-')],
    ...POSITIVE_TYPES.map(
      (type) =>
        [`${type} vs all negatives`, (pair: Pair) => pair.type === type || !pair.positive] as [
          string,
          (pair: Pair) => boolean,
        ],
    ),
    ...NEGATIVE_TYPES.map(
      (type) =>
        [`all positives vs ${type}`, (pair: Pair) => pair.type === type || pair.positive] as [
          string,
          (pair: Pair) => boolean,
        ],
    ),
    // Edits of the same size, one keeping the meaning and one changing it.
    ...(
      [
        ['rounded', 'number'],
        ['synonym', 'direction'],
        ['synonym', 'entity'],
        ['reorder', 'period'],
      ] as const
    ).map(
      ([positive, negative]) =>
        [`${positive} vs ${negative}`, (pair: Pair) => pair.type === positive || pair.type === negative] as [
          string,
          (pair: Pair) => boolean,
        ],
    ),
  ];
  const auc = slices.map(([slice, keep]) => ({
    slice,
    positives: pairs.filter((pair) => keep(pair) && pair.positive).length,
    negatives: pairs.filter((pair) => keep(pair) && !pair.positive).length,
    jaccard: round(aurocOf(scores.jaccard, pairs, keep)),
    default: round(aurocOf(scores.default, pairs, keep)),
    useLite: round(aurocOf(scores.useLite, pairs, keep)),
    useLiteMinusDefault95: bootstrapDifference(scores.useLite, scores.default, pairs, keep),
  }));
  const meanCosine = [...POSITIVE_TYPES, ...NEGATIVE_TYPES].map((type) => {
    const rows = pairs.map((pair, index) => (pair.type === type ? index : -1)).filter((index) => index >= 0);
    const mean = (values: number[]) =>
      rows.length === 0 ? null : round(rows.reduce((sum, row) => sum + (values[row] as number), 0) / rows.length);
    return {
      type,
      pairs: rows.length,
      jaccard: mean(scores.jaccard),
      default: mean(scores.default),
      useLite: mean(scores.useLite),
    };
  });
  const combined = {
    note: `logistic regression fitted and scored within each slice, ${FOLDS}-fold cross-validation by anchor; out-of-fold AUROC`,
    slices: slices.slice(0, 6).map(([slice, keep]) => ({
      slice,
      'jaccard+default': round(crossValidatedAuroc([scores.jaccard, scores.default], pairs, keep)),
      'jaccard+useLite': round(crossValidatedAuroc([scores.jaccard, scores.useLite], pairs, keep)),
      'jaccard+default+useLite': round(
        crossValidatedAuroc([scores.jaccard, scores.default, scores.useLite], pairs, keep),
      ),
    })),
  };
  const qualitySeconds = (performance.now() - started) / 1000;

  // Cost: the same real sentences for both, in fresh processes.
  const costSentences = [...new Set(pairs.map((pair) => pair.left))].slice(0, COST_SENTENCES);
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-encoder-bench-'));
  const sentencesFile = join(directory, 'sentences.json');
  writeFileSync(sentencesFile, JSON.stringify(costSentences));
  // Alternating runs, the faster of two kept per embedder: other processes on a shared machine only slow a run down.
  const runs = { default: [] as CostResult[], useLite: [] as CostResult[] };
  for (let round = 0; round < COST_ROUNDS; round += 1) {
    runs.default.push(costInChild('default', sentencesFile));
    runs.useLite.push(costInChild('use-lite', sentencesFile));
  }
  const fastest = (results: CostResult[]) =>
    results.reduce((best, next) => (next.batch32.sentencesPerSecond > best.batch32.sentencesPerSecond ? next : best));
  const cost = {
    default: { ...fastest(runs.default), batch32PerRun: runs.default.map((run) => run.batch32.sentencesPerSecond) },
    useLite: { ...fastest(runs.useLite), batch32PerRun: runs.useLite.map((run) => run.batch32.sentencesPerSecond) },
  };
  rmSync(directory, { recursive: true, force: true });

  const examples = [...POSITIVE_TYPES, ...NEGATIVE_TYPES].flatMap((type) => {
    const index = pairs.findIndex((pair) => pair.type === type && pair.source === 'tatqa');
    const pair = pairs[index];
    return pair
      ? [
          {
            type,
            source: pair.source,
            left: pair.left,
            right: pair.right,
            default: round(scores.default[index] as number),
            useLite: round(scores.useLite[index] as number),
          },
        ]
      : [];
  });
  const result = {
    benchmark: 'sentence-encoder',
    date: new Date().toISOString().slice(0, 10),
    machine: {
      cpus: cpus().length,
      parallelism: availableParallelism(),
      model: cpus()[0]?.model.trim().split(' ').slice(0, 2).join(' ') ?? 'unknown',
      node: process.version,
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((value) => Math.round(value * 100) / 100),
    },
    embedders: modelIds,
    data: {
      news: 'FNSPID sample (AAPL articles with text), CC BY-NC 4.0; read at run time',
      tatqa: 'TAT-QA dev paragraphs (tatqa_dataset_dev.json), CC BY 4.0, Zhu et al., ACL 2021',
      anchorsPerSource: ANCHORS_PER_SOURCE,
      anchors: corpus.anchors.length,
      ...corpus.counts,
      pairs: pairs.length,
      positives: pairs.filter((pair) => pair.positive).length,
      negatives: pairs.filter((pair) => !pair.positive).length,
      pairsByType: Object.fromEntries(
        [...POSITIVE_TYPES, ...NEGATIVE_TYPES].map((type) => [type, pairs.filter((pair) => pair.type === type).length]),
      ),
      seed: SEED,
      usedForDevelopment:
        'no embedder or threshold was tuned on these pairs; the rewrite rules were fixed by reading generated pairs (grammar, meaning) before any scoring; the closest-sentence negatives and the combined rewrite were added after a first scored run showed random other sentences are separated perfectly by every method',
    },
    auroc: auc,
    bootstrap: { resamples: BOOTSTRAP, unit: 'anchor sentence' },
    meanCosine,
    combined,
    cost: {
      note: `fresh child process per embedder and run, ${COST_ROUNDS} alternating runs each, the faster kept; firstPass = the warm-up pass (batches of 32, text unseen in that process); then whole passes are timed for at least ${MIN_TIMED_SECONDS} s; batch32 = embed() calls of 32 texts; single = median latency of embed([text]); both single-threaded`,
      ...cost,
      throughputRatio: {
        firstPassDefaultOverUseLite:
          Math.round((cost.default.firstPass.sentencesPerSecond / cost.useLite.firstPass.sentencesPerSecond) * 10) / 10,
        batch32DefaultOverUseLite:
          Math.round((cost.default.batch32.sentencesPerSecond / cost.useLite.batch32.sentencesPerSecond) * 10) / 10,
        singleDefaultOverUseLite:
          Math.round((cost.default.single.sentencesPerSecond / cost.useLite.single.sentencesPerSecond) * 10) / 10,
      },
    },
    qualitySeconds: Math.round(qualitySeconds),
    examplesAttribution:
      'examples are TAT-QA sentences (Zhu et al., "TAT-QA: A Question Answering Benchmark on a Hybrid of Tabular and Textual Content in Finance", ACL 2021; CC BY 4.0) and rewrites of them; no FNSPID text is written out',
    examples,
  };
  const out = join(here, '../bench-results/sentence-encoder.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  const table = auc.map((row) => ({
    slice: row.slice,
    'P/N': `${row.positives}/${row.negatives}`,
    jaccard: row.jaccard,
    default: row.default,
    useLite: row.useLite,
    'diff 95%': row.useLiteMinusDefault95 ? `${row.useLiteMinusDefault95.low}..${row.useLiteMinusDefault95.high}` : '',
  }));
  console.table(table);
  console.log(JSON.stringify({ combined, cost: result.cost.throughputRatio }, null, 2));
  console.log(`wrote ${out}`);
}

const costIndex = process.argv.indexOf('--cost');
if (process.argv.includes('--pairs')) {
  // Inspect the generated pairs: `… sentence-encoder.bench.ts --pairs [perType]` prints them, scores nothing.
  const pairs = buildPairs(await loadCorpus(CORPUS), SEED);
  const perType = Number(process.argv[process.argv.indexOf('--pairs') + 1]) || 5;
  for (const type of [...POSITIVE_TYPES, ...NEGATIVE_TYPES]) {
    const ofType = pairs.filter((pair) => pair.type === type);
    console.log(`\n## ${type} (${ofType.length})`);
    for (const pair of createRng(deriveSeed(SEED, type)).sample(ofType, Math.min(perType, ofType.length)))
      console.log(`- [${pair.source}] ${pair.left}\n  → ${pair.right}`);
  }
} else if (costIndex >= 0) {
  const which = process.argv[costIndex + 1] === 'use-lite' ? 'use-lite' : 'default';
  const result = await measureCost(which, process.argv[costIndex + 2] as string);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  await main();
}
