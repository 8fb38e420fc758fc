/**
 * Scaling the reward server (`pnpm --filter @trade-r1/reward bench:scale`, or `bench:scale:quick`):
 *
 * 1. verifier DSR reward (bench/verifier-dsr-reward.ts: r from prices, s from @trade-r1/verifier with k = 5 over an
 *    8-claim reasoning, memory index of the hot tickers) on `/slime`, served by `trade-r1-reward-server` in a child
 *    process: in the server's thread (the old way), in 1 and 2 worker threads (`--workers`), and as 2 processes
 *    behind one port (`--processes 2`). Target: >= 150 req/s with `/health` p99 <= 20 ms under that load.
 * 2. the cheap market + DSR reward as 1 vs 2 processes (`--processes`), the pure request-path cost.
 *
 * Load: autocannon in this process (16 connections), each request a different reasoning (640 distinct ones over 80
 * tickers, cycled); a prober on its own keep-alive connection measures GET /health every 20 ms during the load.
 * Corpus: the verifier benchmarks' synthetic one (100 tickers × 20 documents), ingested into a fresh store first.
 * CPU per request is the server process tree's user + system time over the run (from /proc). On a shared 2-core
 * machine the load generator competes with the server: figures are wall-clock on the machine as it was (load
 * averages recorded). Writes bench-results/scale.json. Full ≈ 115 s, quick ≈ 50 s.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDefaultEmbedder, openEvidenceStore } from '@trade-r1/verifier';
import { startLoadMeter } from '../../verifier/bench/machine-load.ts';
import { benchCorpus, benchReasoning } from '../../verifier/bench/verify-corpus.ts';
import { environment, loadRun, packageRoot, QUICK, resultsDir, startServer, treeCpuSeconds } from './load.ts';

const CLI = join(packageRoot, 'src', 'cli.ts');
const NODE_ARGS = ['--import', 'tsx', '--conditions=@trade-r1/source', CLI];
const DURATION_S = QUICK ? 4 : 6;
const WARM_S = 2;
const CONNECTIONS = 16;

async function buildStore(directory: string): Promise<{ tickers: string[]; bodies: string[] }> {
  const embedder = await createDefaultEmbedder();
  const store = await openEvidenceStore({ uri: directory, embedder });
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
        `non2xx ${row.non2xx}, errors ${row.errors}, ${row.serverCpuMsPerRequest} CPU ms/req, other processes ${row.cores.others} cores`,
    );
    return row;
  } finally {
    await server.stop();
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
    const verifier: Awaited<ReturnType<typeof measure>>[] = [];
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
    const market: Awaited<ReturnType<typeof measure>>[] = [];
    for (const [name, extra] of [
      ['1 process', []],
      ['2 processes', ['--processes', '2']],
    ] as [string, string[]][]) {
      market.push(await measure(`market DSR, ${name}`, [...marketModule, ...extra], {}, marketBodies));
    }
    const best = verifier.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    const meets = (row: (typeof verifier)[number]) =>
      row.requestsPerSecond >= 150 && (row.health?.p99Ms ?? Infinity) <= 20 && row.non2xx === 0 && row.errors === 0;
    const report = {
      benchmark:
        'reward server scaling on loopback: verifier DSR reward in-thread vs worker threads vs 2 processes, and market DSR 1 vs 2 processes; autocannon (16 connections) in this process, /health probed every 20 ms',
      target: 'verifier DSR reward >= 150 req/s with /health p99 <= 20 ms under load',
      met: verifier.some(meets),
      best: best.name,
      corpus: { tickers: 100, documentsPerTicker: 20, ingestMs, distinctRequests: bodies.length, k: 5, claims: 8 },
      environment: environment(loadAtStart),
      verifier,
      market,
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
