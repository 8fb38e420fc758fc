/**
 * Shared parts of the scale and peer benchmarks: start a server command in its own process (URL read from its
 * stdout), drive it with autocannon from this process while a prober measures `GET /health` latency on its own
 * keep-alive connection, and describe the machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const resultsDir = join(packageRoot, 'bench-results');
/** `--quick` (or BENCH_QUICK=1): shorter runs, fewer configurations. */
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

export function environment(loadAverageAtStart: number) {
  return {
    quick: QUICK,
    loadAverage1mAtStart: Number(loadAverageAtStart.toFixed(2)),
    loadAverage1mAtEnd: Number(loadavg()[0]?.toFixed(2)),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** A server process under test. */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, SIGKILL after 20 s. */
  stop(): Promise<void>;
}

/** Spawn `command args`, wait for a line starting with `http://` on stdout (at most `timeoutMs`). */
export function startServer(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {},
): Promise<ServerProcess> {
  const child = spawn(command, args, {
    cwd: options.cwd ?? packageRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not print its URL in time: ${err}`));
    }, options.timeoutMs ?? 120_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/[^\s]+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout?.resume();
        resolve({
          url: (match[1] as string).replace(/\/$/, ''),
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              const kill = setTimeout(() => child.kill('SIGKILL'), 20_000);
              child.once('exit', () => {
                clearTimeout(kill);
                done();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err = (err + chunk.toString()).slice(-4000);
      // uvicorn prints its address on stderr.
      const match = /Uvicorn running on (http:\/\/[^\s]+)/.exec(err);
      if (match) child.stdout?.emit('data', Buffer.from(`${match[1]}\n`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}: ${err}`));
    });
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Probe GET /health every `everyMs` on one keep-alive connection until stopped; latencies in ms. */
export function startHealthProbe(
  url: string,
  everyMs = 20,
): () => Promise<{ probes: number; p50Ms: number; p99Ms: number; maxMs: number; failed: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  let failed = 0;
  let running = true;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = request(`${url}/health`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) latencies.push(performance.now() - started);
          else failed += 1;
          resolve();
        });
      });
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end();
    });
  const loop = (async () => {
    while (running) {
      await once();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    agent.destroy();
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      probes: latencies.length,
      p50Ms: round(quantile(sorted, 0.5)),
      p99Ms: round(quantile(sorted, 0.99)),
      maxMs: round(sorted.at(-1) ?? Number.NaN),
      failed,
    };
  };
}

/** One autocannon run over `bodies` (cycled, one per request) with a /health probe beside it. */
export async function loadRun(options: {
  url: string;
  path: string;
  bodies: readonly string[];
  connections: number;
  durationS: number;
  probeHealth?: boolean;
}) {
  let next = 0;
  const probe = options.probeHealth === false ? undefined : startHealthProbe(options.url);
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    requests: [
      {
        method: 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (req) => ({ ...req, body: options.bodies[next++ % options.bodies.length] as string }),
      },
    ],
  });
  const health = probe ? await probe() : undefined;
  return {
    path: options.path,
    connections: options.connections,
    durationS: options.durationS,
    distinctBodies: options.bodies.length,
    requestsPerSecond: round(result.requests.total / options.durationS, 1),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    requests: result.requests.total,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count]),
    ),
    errors: result.errors,
    timeouts: result.timeouts,
    ...(health && { health }),
  };
}

/**
 * CPU seconds (user + system, all threads) used so far by `pid` and its descendants (cluster processes), from
 * /proc (Linux; NaN elsewhere). Children that already exited are not counted.
 */
export function treeCpuSeconds(pid: number): number {
  try {
    const stats = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .flatMap((name) => {
        try {
          const text = readFileSync(`/proc/${name}/stat`, 'utf8');
          const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
          return [{ pid: Number(name), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) }];
        } catch {
          return [];
        }
      });
    const tree = new Set([pid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const stat of stats) {
        if (!tree.has(stat.pid) && tree.has(stat.ppid)) {
          tree.add(stat.pid);
          grew = true;
        }
      }
    }
    const ticks = stats.filter((stat) => tree.has(stat.pid)).reduce((sum, stat) => sum + stat.ticks, 0);
    return ticks / 100; // USER_HZ
  } catch {
    return Number.NaN;
  }
}
