/**
 * Reward server vs a FastAPI peer on `/slime` (`pnpm --filter @trade-r1/reward bench:peer`, or `bench:peer:quick`):
 * the same market + DSR reward (market-dsr-reward.ts, through server-process.ts) and peer/fastapi_reward.py
 * (FastAPI + uvicorn with uvloop and httptools, no access log, pydantic validation), each in its own process,
 * driven in turn by autocannon from this process (32 connections, 64 distinct bodies cycled). Rounds alternate
 * ours/peer (2 in full mode, 1 quick); each run reports req/s, latency and the server's CPU µs per request (from
 * /proc). Both answers to the same body are compared first (the score, and `r` and `s`, which both send). The peer
 * needs Debian's python3-fastapi and python3-uvicorn (`/usr/bin/python3`); without them it is skipped and the file
 * says so. Writes bench-results/peer.json. Full ≈ 60 s, quick ≈ 25 s.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import {
  environment,
  loadRun,
  packageRoot,
  QUICK,
  resultsDir,
  type ServerProcess,
  startServer,
  treeCpuSeconds,
} from './load.ts';

const PYTHON = '/usr/bin/python3';
const DURATION_S = QUICK ? 5 : 8;
const ROUNDS = QUICK ? 1 : 2;
const CONNECTIONS = 32;

function peerAvailable(): { ok: true } | { ok: false; reason: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import fastapi, uvicorn'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return {
      ok: false,
      reason: `${PYTHON} cannot import fastapi and uvicorn (apt-get install python3-fastapi python3-uvicorn python3-uvloop python3-httptools)`,
    };
  }
  return { ok: true };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

async function startPeer(): Promise<ServerProcess> {
  const port = await freePort();
  // The peer logs nothing at level warning; a tiny wrapper prints the URL once /health answers.
  const script = `
import subprocess, sys, time, urllib.request
child = subprocess.Popen([${JSON.stringify(PYTHON)}, ${JSON.stringify(join(packageRoot, 'bench', 'peer', 'fastapi_reward.py'))}, "${port}"])
for _ in range(300):
    try:
        urllib.request.urlopen("http://127.0.0.1:${port}/health", timeout=1).read()
        break
    except Exception:
        time.sleep(0.1)
print("http://127.0.0.1:${port}", flush=True)
import signal
signal.signal(signal.SIGTERM, lambda *_: (child.terminate(), child.wait(), sys.exit(0)))
child.wait()
`;
  return startServer(PYTHON, ['-c', script]);
}

function startOurs(): Promise<ServerProcess> {
  return startServer(process.execPath, ['--import', 'tsx', '--conditions=@trade-r1/source', 'bench/server-process.ts']);
}

const bodies = Array.from({ length: 64 }, (_, index) =>
  JSON.stringify({
    prompt: `Analyse T${index} as of 2024-06-03.`,
    response: 'Thesis … [[[BUY]]]',
    label: { entryPrice: 100, exitPrice: 95 + index / 5, benchmarkReturn: 0.011, s: (index % 11) / 10 },
  }),
);

async function answer(url: string, body: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/slime`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  return (await response.json()) as Record<string, unknown>;
}

async function run(server: ServerProcess) {
  await loadRun({
    url: server.url,
    path: '/slime',
    bodies,
    connections: CONNECTIONS,
    durationS: 2,
    probeHealth: false,
  });
  const before = treeCpuSeconds(server.child.pid as number);
  const result = await loadRun({
    url: server.url,
    path: '/slime',
    bodies,
    connections: CONNECTIONS,
    durationS: DURATION_S,
    probeHealth: false,
  });
  const cpu = treeCpuSeconds(server.child.pid as number) - before;
  return { ...result, cpuMicrosecondsPerRequest: Math.round((cpu * 1e6) / Math.max(1, result.requests)) };
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0] ?? 0;
  const available = peerAvailable();
  const ours: Awaited<ReturnType<typeof run>>[] = [];
  const peer: Awaited<ReturnType<typeof run>>[] = [];
  let agreement: { bodies: number; maxAbsScoreDiff: number; maxAbsLogDiff: number } | undefined;
  for (let round = 0; round < ROUNDS; round += 1) {
    const server = await startOurs();
    try {
      ours.push(await run(server));
    } finally {
      await server.stop();
    }
    if (!available.ok) continue;
    const peerServer = await startPeer();
    try {
      if (!agreement) {
        const check = await startOurs();
        try {
          let maxAbsScoreDiff = 0;
          let maxAbsLogDiff = 0;
          for (const body of bodies) {
            const [a, b] = await Promise.all([answer(check.url, body), answer(peerServer.url, body)]);
            maxAbsScoreDiff = Math.max(maxAbsScoreDiff, Math.abs(Number(a.score) - Number(b.score)));
            for (const key of ['r', 's']) {
              maxAbsLogDiff = Math.max(maxAbsLogDiff, Math.abs(Number(a[key]) - Number(b[key])));
            }
          }
          agreement = { bodies: bodies.length, maxAbsScoreDiff, maxAbsLogDiff };
        } finally {
          await check.stop();
        }
      }
      peer.push(await run(peerServer));
    } finally {
      await peerServer.stop();
    }
  }
  const mean = (rows: typeof ours, pick: (row: (typeof ours)[number]) => number) =>
    rows.length === 0
      ? Number.NaN
      : Math.round((rows.reduce((sum, row) => sum + pick(row), 0) / rows.length) * 10) / 10;
  const summary = {
    oursRequestsPerSecond: mean(ours, (row) => row.requestsPerSecond),
    peerRequestsPerSecond: mean(peer, (row) => row.requestsPerSecond),
    oursP99Ms: mean(ours, (row) => row.latencyMs.p99),
    peerP99Ms: mean(peer, (row) => row.latencyMs.p99),
    oursCpuMicrosecondsPerRequest: mean(ours, (row) => row.cpuMicrosecondsPerRequest),
    peerCpuMicrosecondsPerRequest: mean(peer, (row) => row.cpuMicrosecondsPerRequest),
  };
  const ratio = Math.round((summary.oursRequestsPerSecond / summary.peerRequestsPerSecond) * 100) / 100;
  const report = {
    benchmark:
      'POST /slime, market + DSR reward: @trade-r1/reward server vs FastAPI + uvicorn (uvloop, httptools, no access log), each in its own process, autocannon (32 connections) in this process, alternating rounds',
    target: 'ours ahead of the peer: throughput ratio > 1',
    peer: available.ok ? { python: PYTHON, ran: true } : { ran: false, skipped: available.reason },
    met: available.ok ? ratio > 1 : null,
    throughputRatioOursOverPeer: available.ok ? ratio : null,
    agreement,
    summary,
    environment: environment(loadAtStart),
    ours,
    peerRuns: peer,
  };
  writeFileSync(join(resultsDir, 'peer.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    available.ok
      ? `ours ${summary.oursRequestsPerSecond} req/s (p99 ${summary.oursP99Ms} ms, ${summary.oursCpuMicrosecondsPerRequest} µs CPU) vs peer ${summary.peerRequestsPerSecond} req/s (p99 ${summary.peerP99Ms} ms, ${summary.peerCpuMicrosecondsPerRequest} µs CPU): ${ratio}×`
      : `peer skipped: ${available.reason}; ours ${summary.oursRequestsPerSecond} req/s`,
  );
}

await main();
