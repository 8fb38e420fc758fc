#!/usr/bin/env node
import cluster from 'node:cluster';
/**
 * `trade-r1-reward-server`: serve a reward module over HTTP for Python trainers.
 *
 *   trade-r1-reward-server --reward ./my-reward.mjs --port 8000 [--host 0.0.0.0] [--token …]
 *
 * The module's export (default, or `--export name`) is a reward from `defineReward`/`composeRewards` or a plain
 * `(sample, { signal }) => number | null | { value, details }` function. An optional `groupReward` export scores
 * whole groups for `POST /group`; an optional `extraLogKeys` export (string list) declares the log keys sent with
 * every answer. The URL is printed on stdout; SIGINT/SIGTERM shut down gracefully; warnings go to stderr.
 * `--workers N` evaluates the reward in N worker threads (createRewardWorkerPool); `--processes N` runs N such
 * servers behind one port (startRewardCluster).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { errorMessage, TradeR1Error } from '@trade-r1/core';
import type { Reward } from './define-reward.ts';
import { startRewardCluster } from './server/cluster.ts';
import {
  createRewardServer,
  type GroupRewardFunction,
  type RewardFunction,
  type RewardServerOptions,
} from './server/server.ts';
import { createRewardWorkerPool, type RewardWorkerPool } from './server/worker-pool.ts';

const USAGE = `Usage: trade-r1-reward-server --reward <module> [options]

  --reward <path>              module exporting the reward (required)
  --export <name>              export to use (default: default)
  --port <n>                   port, 0 = any free port (default: 8000)
  --host <addr>                interface (default: 127.0.0.1)
  --token <t>                  bearer token (default: $TRADE_R1_REWARD_TOKEN, none if unset)
  --sample-timeout-ms <n>      per-sample limit (default: 30000)
  --request-timeout-ms <n>     per-request limit (default: 60000)
  --fallback <x>               flagged value for timed-out samples (default: none -> 504)
  --max-concurrency <n>        samples scored at once, over all requests (default: 64; with --workers, the
                               number of threads, so a sample's time limit starts when a thread is free for it)
  --max-queue <n>              samples waiting beyond that; more get 503 (default: 8192)
  --max-body-bytes <n>         request size limit (default: 1048576)
  --max-connections <n>        open connections accepted (default: 1024)
  --missing-value <x>          reward sent for samples without one (default: 0)
  --extra-log-keys <a,b>       per-sample log keys (reward details) sent with every answer besides flagged and
                               missing (default: the module's extraLogKeys export without --workers, else none)
  --log-fill <x|NaN>           value for a log key a sample lacks (default: the missing value)
  --workers <n>                evaluate the reward in n worker threads, each importing the module (default: none,
                               in the server's thread); /group then scores sample by sample (no groupReward)
  --affinity-key <path>        with --workers: sample field (e.g. label.ticker) whose value picks a preferred thread
  --processes <n>              run n server processes behind the one port (Node cluster; default: 1)
  --help                       show this help`;

function numberOption(values: Record<string, unknown>, key: string): number | undefined {
  const raw = values[key];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    throw new TradeR1Error('INVALID_CONFIG', `--${key} must be a number, got ${String(raw)}`);
  }
  return value;
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      reward: { type: 'string' },
      export: { type: 'string', default: 'default' },
      port: { type: 'string', default: '8000' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      'sample-timeout-ms': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      fallback: { type: 'string' },
      'max-concurrency': { type: 'string' },
      'max-queue': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'extra-log-keys': { type: 'string' },
      'max-connections': { type: 'string' },
      'missing-value': { type: 'string' },
      'log-fill': { type: 'string' },
      workers: { type: 'string' },
      'affinity-key': { type: 'string' },
      processes: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help || values.reward === undefined) {
    process.stdout.write(`${USAGE}\n`);
    if (!values.help) process.exitCode = 2;
    return;
  }
  const processes = numberOption(values, 'processes');
  if (processes !== undefined && cluster.isPrimary) {
    const args = argv.filter((arg, index) => {
      const flag = /^--(processes|port|host)(=|$)/.test(arg);
      const value = index > 0 && /^--(processes|port|host)$/.test(argv[index - 1] as string);
      return !flag && !value;
    });
    const serving = await startRewardCluster({
      args,
      processes,
      port: numberOption(values, 'port') ?? 8000,
      host: values.host ?? '127.0.0.1',
    });
    process.stdout.write(`${serving.url}\n`);
    const stop = () => {
      void serving.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    return;
  }
  const options: RewardServerOptions = {};
  const workers = numberOption(values, 'workers');
  let pool: RewardWorkerPool | undefined;
  const module: Record<string, unknown> =
    workers === undefined
      ? ((await import(pathToFileURL(resolve(values.reward)).href)) as Record<string, unknown>)
      : {};
  const exported = module[values.export ?? 'default'];
  if (workers !== undefined) {
    pool = await createRewardWorkerPool({
      module: resolve(values.reward),
      export: values.export ?? 'default',
      workers,
    });
    options.reward = pool;
  } else if (typeof exported === 'function') options.rewardFn = exported as RewardFunction;
  else if (exported && typeof (exported as Reward).evaluate === 'function')
    options.reward = exported as Reward<unknown>;
  else {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `${values.reward} has no export "${values.export}" that is a reward (defineReward/composeRewards) or a function`,
    );
  }
  if (typeof module.groupReward === 'function') options.groupReward = module.groupReward as GroupRewardFunction;
  const token = values.token ?? process.env.TRADE_R1_REWARD_TOKEN;
  if (token) options.token = token;
  const fallback = numberOption(values, 'fallback');
  if (fallback !== undefined) options.fallback = { value: fallback };
  const sampleTimeoutMs = numberOption(values, 'sample-timeout-ms');
  if (sampleTimeoutMs !== undefined) options.sampleTimeoutMs = sampleTimeoutMs;
  const requestTimeoutMs = numberOption(values, 'request-timeout-ms');
  if (requestTimeoutMs !== undefined) options.requestTimeoutMs = requestTimeoutMs;
  const maxConcurrency = numberOption(values, 'max-concurrency');
  if (maxConcurrency !== undefined) options.maxConcurrency = maxConcurrency;
  const maxQueue = numberOption(values, 'max-queue');
  if (maxQueue !== undefined) options.maxQueue = maxQueue;
  const maxBodyBytes = numberOption(values, 'max-body-bytes');
  if (maxBodyBytes !== undefined) options.maxBodyBytes = maxBodyBytes;
  const maxConnections = numberOption(values, 'max-connections');
  if (maxConnections !== undefined) options.maxConnections = maxConnections;
  const missingValue = numberOption(values, 'missing-value');
  if (missingValue !== undefined) options.missingValue = missingValue;
  const logKeys =
    values['extra-log-keys'] !== undefined
      ? values['extra-log-keys']
          .split(',')
          .map((key) => key.trim())
          .filter((key) => key !== '')
      : module.extraLogKeys;
  if (logKeys !== undefined) options.extraLogKeys = logKeys as string[];
  const logFill = values['log-fill'];
  if (logFill !== undefined) options.logFill = logFill === 'NaN' ? 'NaN' : (numberOption(values, 'log-fill') as number);

  const server = createRewardServer(options);
  const url = await server.listen({ port: numberOption(values, 'port') ?? 8000, host: values.host ?? '127.0.0.1' });
  process.stdout.write(`${url}\n`);
  const shutdown = () => {
    void server
      .close()
      .then(() => pool?.close())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`trade-r1-reward-server: ${errorMessage(error)}\n`);
  // A usage error (unknown or malformed option) exits 2, like a missing --reward; anything else 1.
  process.exit(String((error as { code?: unknown } | null)?.code ?? '').startsWith('ERR_PARSE_ARGS') ? 2 : 1);
});
