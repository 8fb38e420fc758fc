/**
 * Several reward-server processes behind one address, with Node's `cluster` module: the primary forks
 * `processes` copies of the `trade-r1-reward-server` CLI, which all listen on one port (the primary accepts
 * connections and hands them round-robin to the processes). Trainers get a single URL that adds capacity —
 * what OpenRLHF's `--reward.remote_url` needs, instead of a comma-separated list. A process that dies is restarted.
 * Each process opens the evidence store itself (one store on disk or object storage, opened once per process, or
 * per worker thread with `--workers`).
 */
import cluster, { type Worker } from 'node:cluster';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';

/** Options of {@link startRewardCluster}. */
export interface RewardClusterOptions {
  /**
   * Arguments of each process's `trade-r1-reward-server`, without `--port` and `--host` (given here), e.g.
   * `['--reward', './dsr.mjs', '--workers', '2', '--fallback', '0']`.
   */
  args: readonly string[];
  /** Server processes. @default availableParallelism() */
  processes?: number;
  /** Port they share; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface. @default '127.0.0.1' */
  host?: string;
  /** Extra environment variables for the processes (the primary's environment is inherited). */
  env?: Record<string, string>;
  /** Restart a process that exits on its own. @default true */
  restart?: boolean;
  /** Time for all processes to listen. @default 120000 */
  startupTimeoutMs?: number;
  /** Time `close()` gives each process to finish after SIGTERM before SIGKILL. @default 35000 */
  shutdownTimeoutMs?: number;
  /** Receives the processes' stderr (stdout carries only their URL and is dropped). @default process.stderr */
  stderr?: (chunk: string) => void;
}

/** A running cluster of reward servers. */
export interface RewardCluster {
  /** The one address, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  /** Process ids of the live server processes. */
  pids(): number[];
  /** Processes restarted after exiting on their own. */
  readonly restarts: number;
  /** SIGTERM every process (each shuts down gracefully), SIGKILL after `shutdownTimeoutMs`. Idempotent. */
  close(): Promise<void>;
}

const optionsSchema = z
  .object({
    args: z.array(z.string()),
    processes: z.number().int().min(1).max(256).optional(),
    port: z.number().int().min(0).max(65_535).default(0),
    host: z.string().min(1).default('127.0.0.1'),
    env: z.record(z.string(), z.string()).default({}),
    restart: z.boolean().default(true),
    startupTimeoutMs: z.number().finite().positive().default(120_000),
    shutdownTimeoutMs: z.number().finite().min(0).default(35_000),
    stderr: z.custom<(chunk: string) => void>((value) => typeof value === 'function').optional(),
  })
  .strict()
  .refine((options) => !options.args.some((arg) => /^--(port|host)(=|$)/.test(arg)), {
    message: 'give port and host as options, not in args',
    path: ['args'],
  });

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (cause) =>
      reject(new TradeR1Error('INVALID_CONFIG', `cannot bind ${host}: ${String(cause)}`, { cause })),
    );
    probe.listen(0, host, () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** The CLI to fork: the compiled one next to the bundle, or the TypeScript source through tsx's loader. */
function cliScript(): { exec: string; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve('tsx/package.json');
    const manifest = require(manifestPath) as { exports: Record<string, unknown> };
    const loader = new URL(String(manifest.exports['.']), pathToFileURL(manifestPath)).href;
    return {
      exec: fileURLToPath(new URL('../cli.ts', import.meta.url)),
      execArgv: ['--import', loader, '--conditions=@trade-r1/source'],
    };
  }
  return { exec: fileURLToPath(new URL('./cli.js', import.meta.url)), execArgv: [] };
}

/**
 * Fork `processes` reward servers sharing one port and resolve once all listen. Call it in the primary process
 * (it throws `UNSUPPORTED` in a cluster worker). The `trade-r1-reward-server --processes N` flag does this.
 *
 * @example
 * const serving = await startRewardCluster({ processes: 2, port: 8000, args: ['--reward', './dsr.mjs'] });
 * console.log(serving.url); // OpenRLHF: --reward.remote_url ${url}/get_reward
 * process.once('SIGTERM', () => void serving.close());
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options; `INTERNAL` when a process exits before it listens (its
 * stderr is in the message); `TIMEOUT` past `startupTimeoutMs`
 */
export async function startRewardCluster(options: RewardClusterOptions): Promise<RewardCluster> {
  const settings = parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'startRewardCluster options' });
  if (!cluster.isPrimary) throw new TradeR1Error('UNSUPPORTED', 'startRewardCluster must run in the primary process');
  const count = settings.processes ?? Math.max(1, availableParallelism());
  const script = cliScript();
  const writeErr = settings.stderr ?? ((chunk: string) => process.stderr.write(chunk));
  const owned = new Map<number, Worker>();
  let closing = false;
  let restarts = 0;
  // Every process (restarted ones too) asks the primary for the same concrete port, so they share one handle.
  const port = settings.port === 0 ? await freePort(settings.host) : settings.port;
  let startupFailure: ((error: TradeR1Error) => void) | undefined;

  const fork = (): Worker => {
    cluster.setupPrimary({
      exec: script.exec,
      execArgv: script.execArgv,
      args: [...settings.args, '--port', String(port), '--host', settings.host],
      silent: true,
    });
    const worker = cluster.fork({ ...settings.env });
    owned.set(worker.id, worker);
    let stderr = '';
    worker.process.stdout?.resume();
    worker.process.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stderr = (stderr + text).slice(-4_000);
      writeErr(text);
    });
    worker.on('exit', (code, signal) => {
      owned.delete(worker.id);
      if (closing) return;
      if (startupFailure) {
        startupFailure(
          new TradeR1Error(
            'INTERNAL',
            `a reward server process exited (${signal ?? code}) before listening: ${stderr}`,
          ),
        );
        return;
      }
      if (settings.restart) {
        restarts += 1;
        fork();
      }
    });
    return worker;
  };

  const stop = async (): Promise<void> => {
    closing = true;
    await Promise.all(
      [...owned.values()].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const timer = setTimeout(() => worker.process.kill('SIGKILL'), settings.shutdownTimeoutMs);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
    owned.clear();
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new TradeR1Error('TIMEOUT', `the reward servers did not listen within ${settings.startupTimeoutMs} ms`),
          ),
        settings.startupTimeoutMs,
      );
      startupFailure = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      const listening = new Set<number>();
      const onListening = (worker: Worker) => {
        if (!owned.has(worker.id)) return;
        listening.add(worker.id);
        if (listening.size === count) {
          cluster.off('listening', onListening);
          clearTimeout(timer);
          resolve();
        }
      };
      cluster.on('listening', onListening);
      for (let index = 0; index < count; index += 1) fork();
    });
  } catch (error) {
    await stop();
    throw error;
  } finally {
    startupFailure = undefined;
  }

  let closed: Promise<void> | undefined;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    url: `http://${host}:${port}`,
    pids: () => [...owned.values()].flatMap((worker) => (worker.process.pid === undefined ? [] : [worker.process.pid])),
    get restarts() {
      return restarts;
    },
    close() {
      closed ??= stop();
      return closed;
    },
  };
}
