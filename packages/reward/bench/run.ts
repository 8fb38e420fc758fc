/**
 * Benchmarks for @trade-r1/reward (`pnpm --filter @trade-r1/reward bench`):
 * 1. GRPO advantages over 1M rewards (target ≤ 10 ms);
 * 2. reward-server throughput and latency on loopback with autocannon (target ≥ 5,000 req/s, p99 ≤ 20 ms).
 * Writes bench-results/advantages.json and bench-results/server.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRng } from '@trade-r1/core';
import autocannon from 'autocannon';
import { dsrReward, groupAdvantages, investmentReward, marketReward, TRADE_R1_ONE_WAY_COST } from '../src/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, '..', 'bench-results');
mkdirSync(resultsDir, { recursive: true });

function environment(loadAverageAtStart: number) {
  return {
    loadAverage1mAtStart: Number(loadAverageAtStart.toFixed(2)),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1mAtEnd: Number(loadavg()[0]?.toFixed(2)),
    date: new Date().toISOString(),
  };
}

function summary(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  return {
    runs: times.length,
    minMs: round(at(0)),
    medianMs: round(at(0.5)),
    p90Ms: round(at(0.9)),
    maxMs: round(at(1 - 1e-9)),
  };
}

function benchAdvantages() {
  const loadAtStart = loadavg()[0] ?? 0;
  const n = 1_000_000;
  const groupSize = 8;
  const rng = createRng(7);
  const f64 = new Float64Array(n);
  for (let index = 0; index < n; index += 1) f64[index] = rng.normal() * 0.05;
  const f32 = Float32Array.from(f64);
  const plain = Array.from(f64);
  const output64 = new Float64Array(n);
  const output32 = new Float32Array(n);
  const cases = {
    'grpo-group-float64': () => groupAdvantages({ rewards: f64, groupSize, output: output64 }),
    'grpo-group-float64-alloc': () => groupAdvantages({ rewards: f64, groupSize }),
    'grpo-batch-float64': () => groupAdvantages({ rewards: f64, groupSize, scale: 'batch', output: output64 }),
    'rloo-float64': () => groupAdvantages({ rewards: f64, groupSize, estimator: 'rloo', output: output64 }),
    'grpo-group-float32': () => groupAdvantages({ rewards: f32, groupSize, output: output32 }),
    'grpo-group-plain-array': () => groupAdvantages({ rewards: plain, groupSize, output: output64 }),
  };
  const results: Record<string, ReturnType<typeof summary>> = {};
  for (const [name, run] of Object.entries(cases)) {
    for (let warm = 0; warm < 10; warm += 1) run();
    const times: number[] = [];
    for (let iteration = 0; iteration < 40; iteration += 1) {
      const start = performance.now();
      run();
      times.push(performance.now() - start);
    }
    results[name] = summary(times);
    console.log(`advantages ${name}: median ${results[name].medianMs} ms (min ${results[name].minMs})`);
  }
  const report = {
    benchmark: 'groupAdvantages over 1,000,000 rewards, groups of 8',
    target: 'median <= 10 ms (grpo-group-float64)',
    met: (results['grpo-group-float64']?.medianMs ?? Infinity) <= 10,
    environment: environment(loadAtStart),
    results,
  };
  writeFileSync(join(resultsDir, 'advantages.json'), `${JSON.stringify(report, null, 2)}\n`);
}

function benchRewards() {
  const loadAtStart = loadavg()[0] ?? 0;
  const bullet = (index: number) =>
    `- Data-centre revenue keeps compounding as hyperscalers expand accelerated computing capacity, point ${index} ` +
    '*"Data Center revenue was a record $22.6 billion, up 427% from a year ago"* `NVDA 10-Q, 2024-05-29`';
  const section = (name: string) =>
    `<${name}>\n## ${name}\n\n**Intro.**\n\n${[1, 2, 3, 4, 5].map(bullet).join('\n')}\n\n| Metric | Value |\n|---|---|\n| Revenue | 26.0B |\n\n**Summary.**\n</${name}>`;
  const thesis = `<think>plan</think>\n${['fundamentals', 'technical', 'news', 'valuation', 'risk_assessment', 'macro'].map(section).join('\n')}\n<conclusion>\n**Constructive.**\n</conclusion>\n[[[BUY]]]\n`;
  const measure = (iterations: number, run: () => unknown) => {
    for (let warm = 0; warm < Math.min(200, iterations); warm += 1) run();
    const start = performance.now();
    for (let iteration = 0; iteration < iterations; iteration += 1) run();
    const totalMs = performance.now() - start;
    return { iterations, microsecondsPerCall: Math.round((totalMs * 1000 * 100) / iterations) / 100 };
  };
  const results = {
    [`investmentReward (Trading-R1 thesis, ${thesis.length} chars)`]: measure(2_000, () =>
      investmentReward({ completion: thesis, truth: 'BUY', orientation: 'rows-predicted' }),
    ),
    'marketReward + dsrReward': measure(1_000_000, () =>
      dsrReward({
        r: marketReward({ entryPrice: 100, exitPrice: 103, benchmarkReturn: 0.01, oneWayCost: TRADE_R1_ONE_WAY_COST })
          .reward,
        s: 0.7,
      }),
    ),
  };
  for (const [name, result] of Object.entries(results))
    console.log(`reward ${name}: ${result.microsecondsPerCall} µs/call`);
  writeFileSync(
    join(resultsDir, 'rewards.json'),
    `${JSON.stringify({ benchmark: 'pure reward functions, single thread', environment: environment(loadAtStart), results }, null, 2)}\n`,
  );
}

async function startServerProcess(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@trade-r1/source', join(here, 'server-process.ts')],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: join(here, '..'),
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function load(url: string, path: string, body: unknown, connections: number, duration: number) {
  const result = await autocannon({
    url: `${url}${path}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    connections,
    duration,
  });
  return {
    path,
    connections,
    durationS: duration,
    requestsPerSecond: { average: result.requests.average, p50: result.requests.p50, min: result.requests.min },
    latencyMs: {
      average: result.latency.average,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      p99_9: result.latency.p99_9,
      max: result.latency.max,
    },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function benchServer() {
  const loadAtStart = loadavg()[0] ?? 0;
  const { url, stop } = await startServerProcess();
  const label = { entryPrice: 100, exitPrice: 103.2, benchmarkReturn: 0.011, s: 0.72 };
  const slimeBody = { prompt: 'Analyse NVDA as of 2024-06-03.', response: 'Thesis … [[[BUY]]]', label };
  const openRlhfBody = { query: ['Analyse NVDA. Thesis … [[[BUY]]]'], prompts: ['Analyse NVDA. '], labels: [label] };
  try {
    await load(url, '/slime', slimeBody, 16, 3); // warm-up (JIT, sockets)
    const runs = [await load(url, '/slime', slimeBody, 32, 10), await load(url, '/get_reward', openRlhfBody, 32, 10)];
    for (const run of runs) {
      console.log(
        `server ${run.path}: ${Math.round(run.requestsPerSecond.average)} req/s, p99 ${run.latencyMs.p99} ms, non2xx ${run.non2xx}, errors ${run.errors}`,
      );
    }
    const main = runs[0] as (typeof runs)[number];
    const report = {
      benchmark:
        'reward server (market + DSR reward) on loopback, autocannon in this process, server in a child process',
      target: '>= 5,000 req/s and p99 <= 20 ms on 2 cores (/slime run)',
      met: main.requestsPerSecond.average >= 5000 && main.latencyMs.p99 <= 20 && main.non2xx === 0 && main.errors === 0,
      environment: environment(loadAtStart),
      runs,
    };
    writeFileSync(join(resultsDir, 'server.json'), `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await stop();
  }
}

benchAdvantages();
benchRewards();
await benchServer();
