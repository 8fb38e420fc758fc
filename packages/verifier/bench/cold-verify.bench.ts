/**
 * Cold sequential verification throughput with and without the in-memory index (createMemoryIndex), for 8-claim
 * reasoning with k = 5 on the default embedder, beside its limits measured in the same run: the raw embedder time
 * for each verification's claims and the raw query time of the very searches the verifier made (LanceDB, and the
 * memory index). Also the agreement of the two paths: overlap of their hits on those searches, and of the reports.
 *
 * "Cold": each measurement runs in a fresh process (no evidence analysed before, empty caches) on a new verifier
 * handle; warm-up verifications use other tickers than the measured ones (the JIT warms, the measured chunks stay
 * unanalysed). The measured items are 4 reasonings for each of 80 tickers (the first epoch over a corpus).
 *
 * Then the same items through createVerifierPool with 1 and 2 worker threads (memory index on), 2 (LanceDB path), and
 * 2 with every loaded chunk's evidence analysed at pool start (`memoryIndex.analyse`; not cold for evidence, so
 * reported beside the cold figure, never as it), and 2 on the same items shuffled (a GRPO-shaped order) with and
 * without the pool's ticker affinity. A new pool per repetition; the median of 3 is reported for the
 * cold 2-worker memory-index row. Each measured interval records the machine's load (load average, and from /proc/stat
 * the cores other processes kept busy): the figures are wall-clock throughput on a possibly shared machine.
 *
 * Run: `pnpm --filter @trade-r1/verifier bench:cold` (writes bench-results/cold-verify.json; ≈ 45 s on an idle
 * 2-core VM), or `bench:cold:quick` (`--quick`: the sequential memory-index path and one repetition of the two
 * 2-worker memory-index pools; ≈ 20 s).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@trade-r1/core';
import { extractClaims } from '../src/claims/extract.ts';
import { createDefaultEmbedder } from '../src/embedders/static/default-embedder.ts';
import { openEvidenceStore } from '../src/store/evidence-store.ts';
import { createMemoryIndex } from '../src/store/memory-index.ts';
import type { SearchHit, SearchRequest } from '../src/store/types.ts';
import { createVerifier } from '../src/verify/verifier.ts';
import { createVerifierPool } from '../src/verify/worker-pool.ts';
import { type MachineLoad, startLoadMeter } from './machine-load.ts';
import { type BenchItem, benchCorpus, benchReasoning } from './verify-corpus.ts';

const here = fileURLToPath(import.meta.url);
/** `--quick` (or BENCH_QUICK=1): the sequential memory-index path, and one repetition of the 2-worker pools. */
const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const WARM_TICKERS = 20;
const PER_TICKER = 4;

interface PoolRun {
  verificationsPerSecond: number;
  cpuMsPerVerification: number;
  startMs: number;
  analysedPerWorker: number[];
  progressEvents: number;
  load: MachineLoad;
}

interface PoolRow extends PoolRun {
  workers: number;
  memoryIndex: boolean;
  evidenceAnalysedAtStart: boolean;
  affinity: 'ticker' | 'none';
  order: string;
  repetitions: number[];
}
const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

function workload(): { tickers: string[]; warm: BenchItem[]; measured: BenchItem[] } {
  const { rng, tickers, byTicker } = benchCorpus(2024);
  const warm = tickers
    .slice(0, WARM_TICKERS)
    .flatMap((ticker, index) => [0, 1].map((n) => benchReasoning(rng, byTicker, ticker, '2024-12-31', index + n)));
  const measured = tickers
    .slice(WARM_TICKERS)
    .flatMap((ticker, index) =>
      Array.from({ length: PER_TICKER }, (_, n) => benchReasoning(rng, byTicker, ticker, '2024-12-31', index + n)),
    );
  return { tickers, warm, measured };
}

interface ChildResult {
  mode: 'lancedb' | 'memory';
  items: number;
  seconds: number;
  verificationsPerSecond: number;
  msPerVerification: number;
  cpuMsPerVerification: number;
  searches: number;
  searchMsPerVerification: number;
  memoryIndex?: { loadMs: number; chunks: number; memorySearches: number; storeSearches: number };
  rawEmbedderMsPerVerification: number;
  rawLanceDbQueryMsPerVerification: number;
  rawMemoryQueryMsPerVerification?: number;
  hitOverlap?: { searches: number; meanOverlapAtK: number; identicalLists: number; k: number };
  factuality: number[];
  verdicts: string[];
  load: MachineLoad;
}

async function child(mode: 'lancedb' | 'memory', directory: string): Promise<ChildResult> {
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({ uri: directory, embedder });
  try {
    const { tickers, warm, measured } = workload();
    let memoryIndex: ChildResult['memoryIndex'];
    let backend: Pick<typeof store, 'search' | 'version'> = store;
    const index =
      mode === 'memory' ? await createMemoryIndex({ store, tickers, sourceKinds: ['macro'], embedder }) : undefined;
    if (index) {
      const began = performance.now();
      await createMemoryIndex({ store, tickers, sourceKinds: ['macro'], embedder }).then((fresh) => fresh.close());
      memoryIndex = {
        loadMs: round(performance.now() - began),
        chunks: index.stats().chunks,
        memorySearches: 0,
        storeSearches: 0,
      };
      backend = index;
    }
    const recorded: SearchRequest[] = [];
    let searchMs = 0;
    const timed = {
      search: async (request: SearchRequest): Promise<SearchHit[]> => {
        const began = performance.now();
        try {
          return await backend.search(request);
        } finally {
          searchMs += performance.now() - began;
          recorded.push(request);
        }
      },
      version: () => backend.version(),
    };
    const warmVerifier = createVerifier({ store: backend, embedder, options: { k: 5 } });
    for (const item of warm) await warmVerifier.verify(item);

    const verifier = createVerifier({ store: timed, embedder, options: { k: 5 } });
    const reports = [];
    const meter = startLoadMeter();
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const item of measured) reports.push(await verifier.verify(item));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const load = meter();
    if (index && memoryIndex) {
      const stats = index.stats();
      memoryIndex.memorySearches = stats.memorySearches;
      memoryIndex.storeSearches = stats.storeSearches;
    }

    // Limits: the embedder on each verification's claims (one call per verification, as verify() makes), and the
    // searches the verifier made, replayed one at a time.
    const claimTexts = measured.map((item) => extractClaims(item.reasoning).claims.map((claim) => claim.text));
    let began = performance.now();
    for (const texts of claimTexts) await embedder.embed(texts);
    const embedMs = performance.now() - began;
    const replay = async (target: Pick<typeof store, 'search'>): Promise<{ ms: number; hits: SearchHit[][] }> => {
      const hits: SearchHit[][] = [];
      const start = performance.now();
      for (const request of recorded) hits.push(await target.search(request));
      return { ms: performance.now() - start, hits };
    };
    const lance = await replay(store);
    const result: ChildResult = {
      mode,
      items: measured.length,
      seconds: round(seconds, 3),
      load,
      verificationsPerSecond: Math.round(measured.length / seconds),
      msPerVerification: round((seconds * 1000) / measured.length),
      // CPU time of the process (all threads, LanceDB's included) per verification.
      cpuMsPerVerification: round((used.user + used.system) / 1000 / measured.length),
      searches: recorded.length,
      searchMsPerVerification: round(searchMs / measured.length, 3),
      rawEmbedderMsPerVerification: round(embedMs / measured.length, 3),
      rawLanceDbQueryMsPerVerification: round(lance.ms / measured.length, 3),
      factuality: reports.map((report) => report.scores.factuality),
      verdicts: reports.flatMap((report) => report.claims.map((claim) => claim.verdict)),
    };
    if (index) {
      began = performance.now();
      const memory = await replay(index);
      result.rawMemoryQueryMsPerVerification = round(memory.ms / measured.length, 3);
      let overlap = 0;
      let identical = 0;
      memory.hits.forEach((hits, position) => {
        const lanceIds = (lance.hits[position] ?? []).map((hit) => hit.chunkId);
        const ids = hits.map((hit) => hit.chunkId);
        overlap += ids.filter((id) => lanceIds.includes(id)).length / Math.max(1, lanceIds.length);
        if (ids.join() === lanceIds.join()) identical += 1;
      });
      result.hitOverlap = {
        searches: memory.hits.length,
        meanOverlapAtK: round(overlap / Math.max(1, memory.hits.length), 4),
        identicalLists: identical,
        k: recorded[0]?.k ?? 0,
      };
      result.memoryIndex = memoryIndex;
      index.close();
    }
    return result;
  } finally {
    await store.close();
    await embedder.close();
  }
}

async function main(): Promise<void> {
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-cold-verify-'));
  // Other processes' load at the start (the figures are wall-clock throughput on a possibly shared machine).
  const loadAverage1mAtStart = round(loadavg()[0] ?? 0);
  try {
    const embedder = await createDefaultEmbedder();
    const store = await openEvidenceStore({ uri: directory, embedder });
    const { documents } = benchCorpus(2024);
    await store.add(documents);
    await store.optimize();
    await store.close();
    await embedder.close();

    const runs: ChildResult[] = [];
    for (const mode of QUICK ? (['memory'] as const) : (['lancedb', 'memory'] as const)) {
      const spawned = spawnSync(process.execPath, [...process.execArgv, here, '--child', mode, directory], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (spawned.status !== 0) throw new Error(`child ${mode} failed: ${spawned.stderr}`);
      runs.push(JSON.parse(spawned.stdout.trim().split('\n').at(-1) as string) as ChildResult);
    }
    const memory = runs.at(-1) as ChildResult;
    const lance = QUICK ? undefined : (runs[0] as ChildResult);

    // Worker pool (createVerifierPool): fresh worker threads (own module instances, so cold caches), warmed on the
    // warm-up tickers, then one verifyBatch of the measured items. Each configuration starts a new pool per
    // repetition (so each repetition is cold); the median repetition is reported.
    const { tickers, warm, measured } = workload();
    // A GRPO-shaped order as well: the same items shuffled (a ticker's reasonings spread over the batch), with the
    // pool's default ticker affinity and without it (chunks in input order, so both workers analyse most tickers).
    const shuffled = createRng(7).shuffle([...measured]);
    type Configuration = [string, number, boolean, boolean, number, 'ticker' | 'none', BenchItem[]];
    const configurations: Configuration[] = QUICK
      ? [
          ['memory-2', 2, true, false, 1, 'ticker', measured],
          ['memory-2-analysed', 2, true, true, 1, 'ticker', measured],
        ]
      : [
          ['memory-1', 1, true, false, 1, 'ticker', measured],
          ['memory-2', 2, true, false, 3, 'ticker', measured],
          ['lancedb-2', 2, false, false, 1, 'ticker', measured],
          ['memory-2-analysed', 2, true, true, 1, 'ticker', measured],
          ['memory-2-shuffled', 2, true, false, 1, 'ticker', shuffled],
          ['memory-2-shuffled-no-affinity', 2, true, false, 1, 'none', shuffled],
        ];
    const pools: Record<string, PoolRow> = {};
    for (const [name, workers, memoryIndex, analyse, repetitions, affinity, batch] of configurations) {
      const rows: PoolRun[] = [];
      for (let repetition = 0; repetition < repetitions; repetition += 1) {
        const began = performance.now();
        const pool = await createVerifierPool({
          storeUri: directory,
          workers,
          affinity,
          verifierOptions: { k: 5 },
          ...(memoryIndex && { memoryIndex: { tickers, sourceKinds: ['macro'] as const, analyse } }),
        });
        const startMs = round(performance.now() - began, 0);
        try {
          await pool.verifyBatch(warm);
          const meter = startLoadMeter();
          const started = performance.now();
          const cpu = process.cpuUsage();
          let progressEvents = 0;
          await pool.verifyBatch(batch, {
            onProgress: () => {
              progressEvents += 1;
            },
          });
          const seconds = (performance.now() - started) / 1000;
          const used = process.cpuUsage(cpu);
          rows.push({
            verificationsPerSecond: Math.round(measured.length / seconds),
            // CPU time of the whole process (all threads) per verification: the cost a core count divides.
            cpuMsPerVerification: round((used.user + used.system) / 1000 / measured.length),
            startMs,
            analysedPerWorker: pool.startup.map((startup) => startup.analysed),
            progressEvents,
            load: meter(),
          });
        } finally {
          await pool.close();
        }
      }
      const sorted = [...rows].sort((left, right) => left.verificationsPerSecond - right.verificationsPerSecond);
      const median = sorted[Math.floor(sorted.length / 2)] as PoolRun;
      pools[name] = {
        workers,
        memoryIndex,
        evidenceAnalysedAtStart: analyse,
        affinity,
        order: batch === measured ? 'grouped by ticker' : 'shuffled (seed 7)',
        ...median,
        repetitions: rows.map((row) => row.verificationsPerSecond),
      };
    }
    const agreement = (reference: ChildResult) => {
      const same = reference.verdicts.filter((verdict, position) => verdict === memory.verdicts[position]).length;
      const diff = reference.factuality.map((value, position) => Math.abs(value - (memory.factuality[position] ?? 0)));
      return {
        claimVerdictsIdentical: `${same}/${reference.verdicts.length}`,
        factualityMeanAbsDiff: round(diff.reduce((sum, value) => sum + value, 0) / diff.length, 4),
        factualityMaxAbsDiff: round(Math.max(...diff), 4),
      };
    };
    const strip = ({ factuality: _f, verdicts: _v, ...rest }: ChildResult) => rest;
    const result = {
      benchmark: 'cold-verify',
      machine: {
        cpus: cpus().length,
        parallelism: availableParallelism(),
        model: cpus()[0]?.model ?? 'unknown',
        node: process.version,
        loadAverage1mAtStart,
      },
      setup: {
        documents: documents.length,
        tickers: 100,
        measuredItems: memory.items,
        warmUpItems: WARM_TICKERS * 2,
        claimsPerReasoning: 8,
        k: 5,
        retrieval: 'hybrid',
        quick: QUICK,
        note: 'sequential paths: each mode in a fresh process; new verifier handle; measured tickers not seen in warm-up; memory index holds all 100 tickers',
      },
      ...(lance && { lancedb: strip(lance) }),
      memoryIndex: strip(memory),
      ...(lance && { speedup: round(memory.verificationsPerSecond / lance.verificationsPerSecond) }),
      workerPool: {
        note: 'createVerifierPool verifyBatch of the measured items (default chunks: about 4 per worker, concurrency 4 per worker) after a warm-up batch, a new pool per repetition, median reported; startMs = worker start-up incl. store open, memory index load and (analysed) the evidence analysis of every loaded chunk; load = machine load during the measured call (otherCores: cores other processes kept busy)',
        ...pools,
        ...(pools['memory-1'] && {
          speedup2vs1: round(
            (pools['memory-2']?.verificationsPerSecond ?? 0) / (pools['memory-1']?.verificationsPerSecond ?? 1),
          ),
        }),
      },
      limits: {
        note: 'raw costs measured in the same run, as verifications/s: the embedder alone on each verification’s claims, and the very LanceDB / memory-index searches the verifier made replayed one at a time (single thread); cpuCeiling = cores × 1000 / CPU ms per verification of memory-2 (what the CPU allows if nothing else ran)',
        embedderOnlyVerificationsPerSecond: Math.round(1000 / Math.max(1e-6, memory.rawEmbedderMsPerVerification)),
        lanceDbQueriesOnlyVerificationsPerSecond: Math.round(
          1000 / Math.max(1e-6, memory.rawLanceDbQueryMsPerVerification),
        ),
        memoryIndexQueriesOnlyVerificationsPerSecond: Math.round(
          1000 / Math.max(1e-6, memory.rawMemoryQueryMsPerVerification ?? 0),
        ),
        cpuCeilingOnAllCores: Math.round(
          (cpus().length * 1000) / Math.max(1e-6, pools['memory-2']?.cpuMsPerVerification ?? 0),
        ),
      },
      headline: {
        coldVerificationsPerSecond: pools['memory-2']?.verificationsPerSecond ?? 0,
        evidencePreAnalysedVerificationsPerSecond: pools['memory-2-analysed']?.verificationsPerSecond ?? 0,
        ...(pools['memory-2-shuffled'] && {
          shuffledOrderVerificationsPerSecond: {
            tickerAffinity: pools['memory-2-shuffled']?.verificationsPerSecond ?? 0,
            noAffinity: pools['memory-2-shuffled-no-affinity']?.verificationsPerSecond ?? 0,
          },
        }),
        target: 200,
        targetMet: (pools['memory-2']?.verificationsPerSecond ?? 0) >= 200,
        otherCoresBusyDuring: pools['memory-2']?.load.otherCores ?? null,
      },
      ...(lance && { agreement: agreement(lance) }),
      loadAverage1mAtEnd: round(loadavg()[0] ?? 0),
      target: '>= 200 cold verifications/s (8 claims, k = 5) on 2 cores',
    };
    const output = join(dirname(here), '..', 'bench-results');
    mkdirSync(output, { recursive: true });
    writeFileSync(join(output, 'cold-verify.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const result = await child(process.argv[3] as 'lancedb' | 'memory', process.argv[4] as string);
  console.log(JSON.stringify(result));
} else {
  await main();
}
