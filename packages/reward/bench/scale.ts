/**
 * Scaling the reward server (`pnpm --filter @trade-r1/reward bench:scale`, or `bench:scale:quick`):
 *
 * 1. verifier DSR reward (bench/verifier-dsr-reward.ts: r from prices, s from @trade-r1/verifier with k = 5 over an
 *    8-claim reasoning, memory index of the hot tickers) on `/slime`, served by `trade-r1-reward-server` in a child
 *    process: in the server's thread (the old way), in 1 and 2 worker threads (`--workers`), and as 2 processes
 *    behind one port (`--processes 2`). Target: >= 150 req/s with `/health` p99 <= 20 ms under that load.
 * 2. the cheap market + DSR reward as 1 vs 2 processes (`--processes`), the pure request-path cost.
 * 3. the evidence store on S3: a moto S3 server on 127.0.0.1 (started as the S3 tests start it,
 *    verifier/src/store/__fixtures__/s3-server.ts), the same corpus ingested into `s3://…`, and the verifier DSR
 *    reward served by 1 vs 2 processes (`--processes`), each process opening its own handle on that store: with no
 *    memory index (every verification searches the store on S3; full mode also runs this against the local store,
 *    the same run's reference) and, in full mode, with the memory index of the hot tickers loaded from S3 at start
 *    (1 process with the default maxStalenessMs 0: a store version read per search; 1 vs 2 processes with 1,000 ms).
 *    Beside it the raw store search the verifier issues (hybrid, ticker filter, k = 40, vectors returned) is timed
 *    sequentially in this process on the local and the S3 store, alternating. Without moto this part is skipped
 *    and the JSON says why.
 *
 * Load: autocannon in this process (16 connections), each request a different reasoning (640 distinct ones over 80
 * tickers, cycled); a prober on its own keep-alive connection measures GET /health every 20 ms during the load.
 * Corpus: the verifier benchmarks' synthetic one (100 tickers × 20 documents), ingested into a fresh store first.
 * CPU per request is the server process tree's user + system time over the run (from /proc). On a shared 2-core
 * machine the load generator competes with the server: figures are wall-clock on the machine as it was (load
 * averages recorded). Writes bench-results/scale.json. Full ≈ 3 min, quick ≈ 80 s.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultEmbedder, type DefaultEmbedder, type EvidenceStore, openEvidenceStore } from '@trade-r1/verifier';
import { startLoadMeter } from '../../verifier/bench/machine-load.ts';
import { benchCorpus, benchReasoning } from '../../verifier/bench/verify-corpus.ts';
import { findS3Server, startS3Server } from '../../verifier/src/store/__fixtures__/s3-server.ts';
import { environment, loadRun, packageRoot, QUICK, resultsDir, startServer, treeCpuSeconds } from './load.ts';

const CLI = join(packageRoot, 'src', 'cli.ts');
const NODE_ARGS = ['--import', 'tsx', '--conditions=@trade-r1/source', CLI];
const DURATION_S = QUICK ? 4 : 6;
const WARM_S = 2;
const CONNECTIONS = 16;
/** The memory index's `maxStalenessMs` in the S3 configurations that set it. */
const STALE_MS = 1000;

/** Ingest the corpus into a fresh store at `uri`; the measured tickers and request bodies. */
async function buildStore(
  uri: string,
  storageOptions?: Record<string, string>,
): Promise<{ tickers: string[]; bodies: string[] }> {
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({ uri, embedder, ...(storageOptions && { storageOptions }) });
  const { rng, tickers, documents, byTicker } = benchCorpus(2024);
  await store.add(documents);
  await store.close();
  await embedder.close();
  const measured = tickers.slice(20);
  const bodies: string[] = [];
  for (let round = 0; round < 8; round += 1) {
    measured.forEach((ticker, index) => {
      const item = benchReasoning(rng, byTicker, ticker, '2024-12-31', index + round);
      const entryPrice = 100 + (index % 13);
      bodies.push(
        JSON.stringify({
          prompt: `Analyse ${ticker} as of ${item.asOf}.`,
          response: item.reasoning,
          label: {
            ticker,
            asOf: item.asOf,
            decision: item.decision,
            entryPrice,
            exitPrice: entryPrice * (1 + (((index * 7 + round) % 11) - 5) / 100),
            benchmarkReturn: 0.004,
          },
        }),
      );
    });
  }
  return { tickers: measured, bodies };
}

async function measure(name: string, args: string[], env: Record<string, string>, bodies: string[]) {
  // Each configuration starts cold: a fresh process, fresh caches.
  const loadAtStart = loadavg()[0] ?? 0;
  const began = performance.now();
  const server = await startServer(process.execPath, [...NODE_ARGS, ...args, '--port', '0'], { env });
  const startupMs = Math.round(performance.now() - began);
  try {
    await loadRun({
      url: server.url,
      path: '/slime',
      bodies,
      connections: CONNECTIONS,
      durationS: WARM_S,
      probeHealth: false,
    });
    const cpuBefore = treeCpuSeconds(server.child.pid as number);
    const meter = startLoadMeter();
    const run = await loadRun({
      url: server.url,
      path: '/slime',
      bodies,
      connections: CONNECTIONS,
      durationS: DURATION_S,
    });
    const load = meter();
    const cpu = treeCpuSeconds(server.child.pid as number) - cpuBefore;
    const serverCores = Math.round((cpu / DURATION_S) * 100) / 100;
    const row = {
      name,
      args,
      startupMs,
      ...run,
      serverCpuMsPerRequest: Math.round((cpu * 1e6) / Math.max(1, run.requests)) / 1000,
      loadAverage1mAtStart: Number(loadAtStart.toFixed(2)),
      // Cores busy during the run: the server's process tree, this process (autocannon, prober), everything else.
      cores: {
        busy: load.busyCores,
        server: serverCores,
        loadGenerator: load.ownCores,
        others: load.busyCores === null ? null : Math.round((load.busyCores - serverCores - load.ownCores) * 100) / 100,
        steal: load.stealCores,
      },
    };
    console.log(
      `${name}: ${row.requestsPerSecond} req/s, p99 ${row.latencyMs.p99} ms, /health p99 ${row.health?.p99Ms} ms, ` +
        `non2xx ${row.non2xx} ${JSON.stringify(row.statusCodes)}, errors ${row.errors}, ${row.serverCpuMsPerRequest} CPU ms/req, other processes ${row.cores.others} cores`,
    );
    return row;
  } finally {
    await server.stop();
  }
}

type Row = Awaited<ReturnType<typeof measure>>;

const round2 = (value: number) => Math.round(value * 100) / 100;

function summarise(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => round2(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN);
  return {
    searches: sorted.length,
    meanMs: round2(sorted.reduce((sum, time) => sum + time, 0) / Math.max(1, sorted.length)),
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    maxMs: round2(sorted.at(-1) ?? Number.NaN),
  };
}

/**
 * The search one verification issues (pipeline/retrieve.ts for an 8-claim reasoning: hybrid, the claims as the
 * query text and the mean of their vectors, ticker filter, k = candidatePool = 40, vectors returned), timed one at
 * a time on each store in turn. The query here is the reasoning's text (cut at the retriever's 4,000 characters)
 * with its vector computed beforehand, so only the store's work is timed.
 */
async function timeRawSearches(
  stores: { local: EvidenceStore; s3: EvidenceStore },
  embedder: DefaultEmbedder,
  bodies: string[],
) {
  const warm = 4;
  const count = QUICK ? 16 : 40;
  const samples = bodies
    .slice(0, warm + count)
    .map((body) => JSON.parse(body) as { response: string; label: { ticker: string; asOf: string } });
  const queries = samples.map((sample) => sample.response.slice(0, 4000));
  const vectors = await embedder.embed(queries);
  const times = { local: [] as number[], s3: [] as number[] };
  let sameHits = 0;
  for (const [index, sample] of samples.entries()) {
    const ids: Record<string, string> = {};
    for (const name of ['local', 's3'] as const) {
      const began = performance.now();
      const hits = await stores[name].search({
        query: queries[index] as string,
        vector: vectors[index] as Float32Array,
        mode: 'hybrid',
        tickers: [sample.label.ticker],
        asOf: sample.label.asOf,
        k: 40,
        includeVectors: true,
      });
      if (index >= warm) times[name].push(performance.now() - began);
      if (hits.length === 0) throw new Error(`no hits for ${sample.label.ticker} on the ${name} store`);
      ids[name] = hits.map((hit) => hit.chunkId).join(',');
    }
    if (index >= warm && ids.local === ids.s3) sameHits += 1;
  }
  const local = summarise(times.local);
  const s3 = summarise(times.s3);
  return { local, s3, s3OverLocalMean: round2(s3.meanMs / local.meanMs), sameHitsOnBoth: `${sameHits}/${count}` };
}

/** Part 3: the evidence store on a moto S3 server on 127.0.0.1, 1 vs 2 processes. */
async function measureS3(directory: string, tickers: string[], bodies: string[], verifierModule: string[]) {
  const found = findS3Server();
  if (!found) {
    const reason = 'moto_server not found (Debian python3-moto or pip moto[server]): S3 part skipped';
    console.log(reason);
    return { skipped: true as const, reason };
  }
  const s3 = await startS3Server(found);
  const embedder = await createDefaultEmbedder();
  const stores: EvidenceStore[] = [];
  try {
    await s3.createBucket('evidence');
    const uri = 's3://evidence/stores/scale';
    const ingestBegan = performance.now();
    await buildStore(uri, s3.storageOptions);
    const ingestMs = Math.round(performance.now() - ingestBegan);
    const local = await openEvidenceStore({ uri: directory, embedder });
    stores.push(local);
    const remote = await openEvidenceStore({ uri, embedder, storageOptions: s3.storageOptions });
    stores.push(remote);
    const rawSearch = await timeRawSearches({ local, s3: remote }, embedder, bodies);
    console.log(
      `raw store search: local mean ${rawSearch.local.meanMs} ms, S3 mean ${rawSearch.s3.meanMs} ms (${rawSearch.s3OverLocalMean}×), same hits ${rawSearch.sameHitsOnBoth}`,
    );
    const onS3 = { TRADE_R1_BENCH_STORE: uri, TRADE_R1_BENCH_STORAGE_OPTIONS: JSON.stringify(s3.storageOptions) };
    const direct = { TRADE_R1_BENCH_TICKERS: '' };
    const indexed = { TRADE_R1_BENCH_TICKERS: tickers.join(',') };
    const stale = { ...indexed, TRADE_R1_BENCH_MAX_STALENESS_MS: String(STALE_MS) };
    const configs: [string, string[], Record<string, string>][] = [
      ...(QUICK
        ? []
        : ([['local store, no memory index, 1 process', [], { TRADE_R1_BENCH_STORE: directory, ...direct }]] as [
            string,
            string[],
            Record<string, string>,
          ][])),
      ['store on S3, no memory index, 1 process', [], { ...onS3, ...direct }],
      ['store on S3, no memory index, 2 processes', ['--processes', '2'], { ...onS3, ...direct }],
      ...(QUICK
        ? []
        : ([
            ['store on S3, memory index loaded from S3 at start, 1 process', [], { ...onS3, ...indexed }],
            [`store on S3, memory index, maxStalenessMs ${STALE_MS}, 1 process`, [], { ...onS3, ...stale }],
            [
              `store on S3, memory index, maxStalenessMs ${STALE_MS}, 2 processes`,
              ['--processes', '2'],
              { ...onS3, ...stale },
            ],
          ] as [string, string[], Record<string, string>][])),
    ];
    const rows: Row[] = [];
    for (const [name, extra, variables] of configs) {
      rows.push(await measure(`verifier DSR, ${name}`, [...verifierModule, ...extra], variables, bodies));
    }
    const rate = (name: string) => rows.find((row) => row.name === `verifier DSR, ${name}`)?.requestsPerSecond;
    const ratio = (a?: number, b?: number) => (a === undefined || b === undefined ? null : round2(a / b));
    return {
      skipped: false as const,
      server: `moto ${found.command === 'moto_server' ? 'moto_server' : 'python -m moto.server'} on 127.0.0.1 (a single Python process on the same cores)`,
      uri,
      ingestMs,
      rawSearch,
      verifier: rows,
      ratios: {
        noIndex2Over1Processes: ratio(
          rate('store on S3, no memory index, 2 processes'),
          rate('store on S3, no memory index, 1 process'),
        ),
        noIndexS3OverLocal1Process: ratio(
          rate('store on S3, no memory index, 1 process'),
          rate('local store, no memory index, 1 process'),
        ),
        memoryIndexStale2Over1Processes: ratio(
          rate(`store on S3, memory index, maxStalenessMs ${STALE_MS}, 2 processes`),
          rate(`store on S3, memory index, maxStalenessMs ${STALE_MS}, 1 process`),
        ),
      },
    };
  } finally {
    for (const store of stores) await store.close();
    await embedder.close();
    await s3.close();
  }
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  mkdirSync(resultsDir, { recursive: true });
  const directory = mkdtempSync(join(tmpdir(), 'trade-r1-scale-bench-'));
  try {
    const ingestBegan = performance.now();
    const { tickers, bodies } = await buildStore(directory);
    const ingestMs = Math.round(performance.now() - ingestBegan);
    const env = { TRADE_R1_BENCH_STORE: directory, TRADE_R1_BENCH_TICKERS: tickers.join(',') };
    const verifierModule = ['--reward', 'bench/verifier-dsr-reward.ts', '--sample-timeout-ms', '10000'];
    const affinity = ['--affinity-key', 'label.ticker'];
    const analysed = { ...env, TRADE_R1_BENCH_ANALYSE: '1' };
    const verifierConfigs: [string, string[], Record<string, string>][] = QUICK
      ? [
          ['in the server thread', [], env],
          ['1 worker thread, evidence analysed at start', ['--workers', '1'], analysed],
          ['2 worker threads, ticker affinity, evidence analysed at start', ['--workers', '2', ...affinity], analysed],
        ]
      : [
          ['in the server thread', [], env],
          ['1 worker thread', ['--workers', '1'], env],
          ['1 worker thread, evidence analysed at start', ['--workers', '1'], analysed],
          ['2 worker threads, ticker affinity', ['--workers', '2', ...affinity], env],
          ['2 worker threads, ticker affinity, evidence analysed at start', ['--workers', '2', ...affinity], analysed],
          ['2 processes', ['--processes', '2'], env],
        ];
    const verifier: Row[] = [];
    for (const [name, extra, variables] of verifierConfigs) {
      verifier.push(await measure(`verifier DSR, ${name}`, [...verifierModule, ...extra], variables, bodies));
    }
    const marketBodies = Array.from({ length: 64 }, (_, index) =>
      JSON.stringify({
        prompt: 'p',
        response: 'r',
        label: { entryPrice: 100, exitPrice: 100 + index / 10, benchmarkReturn: 0.01, s: (index % 10) / 10 },
      }),
    );
    const marketModule = ['--reward', 'bench/market-dsr-reward.ts'];
    const market: Row[] = [];
    for (const [name, extra] of [
      ['1 process', []],
      ['2 processes', ['--processes', '2']],
    ] as [string, string[]][]) {
      market.push(await measure(`market DSR, ${name}`, [...marketModule, ...extra], {}, marketBodies));
    }
    const s3 = await measureS3(directory, tickers, bodies, verifierModule);
    const best = verifier.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const meets = (row: (typeof verifier)[number]) =>
      row.requestsPerSecond >= 150 && (row.health?.p99Ms ?? Infinity) <= 20 && row.non2xx === 0 && row.errors === 0;
    const report = {
      benchmark:
        'reward server scaling on loopback: verifier DSR reward in-thread vs worker threads vs 2 processes, market DSR 1 vs 2 processes, and verifier DSR with the evidence store on a moto S3 server 1 vs 2 processes; autocannon (16 connections) in this process, /health probed every 20 ms',
      target: 'verifier DSR reward >= 150 req/s with /health p99 <= 20 ms under load',
      met: verifier.some(meets),
      best: best.name,
      corpus: { tickers: 100, documentsPerTicker: 20, ingestMs, distinctRequests: bodies.length, k: 5, claims: 8 },
      environment: environment(loadAtStart),
      verifier,
      market,
      s3,
      ratios: {
        verifierBestOverInThread:
          Math.round((best.requestsPerSecond / (verifier[0]?.requestsPerSecond ?? 1)) * 100) / 100,
        market2Over1Processes:
          Math.round(((market[1]?.requestsPerSecond ?? 0) / (market[0]?.requestsPerSecond ?? 1)) * 100) / 100,
      },
    };
    writeFileSync(join(resultsDir, 'scale.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`target met: ${report.met} (best: ${best.name})`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
