/**
 * A pool of worker threads that evaluates a reward off the server's event loop. Each thread imports the reward
 * module itself, so each has its own verifier and evidence-store handle (one store on disk, opened once per thread);
 * the pool is a {@link Reward}, so `createRewardServer({ reward: pool })` serves it while `/health` and `/metrics`
 * stay on the main thread.
 *
 * A sample's time limit runs on the main thread from the moment the server asks, queue time included. When it
 * expires the sample is answered at once (the fallback, flagged, or `TIMEOUT`) and its work is stopped: a queued
 * sample is dropped before it starts; a running one is aborted through its signal and, if its thread is still busy
 * after `stopGraceMs` (synchronous CPU work cannot see a signal), that thread is terminated and replaced. The same
 * happens when the caller's signal aborts (a request that ended or failed).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import type { EvaluateOptions, Reward, RewardFallback, RewardResult } from '../define-reward.ts';
import type { WorkerError, WorkerReply, WorkerRequest } from './worker-protocol.ts';

/** Options of {@link createRewardWorkerPool}. */
export interface RewardWorkerPoolOptions {
  /**
   * The reward module (a path or `file:` URL), imported once in every worker thread. Its export is a reward from
   * `defineReward`/`composeRewards` or a plain `(sample, { signal }) => number | null | { value, details }`
   * function, as for the `trade-r1-reward-server` CLI. Top-level code runs per thread: open the evidence store and
   * build the verifier there.
   */
  module: string | URL;
  /** The export to use. @default 'default' */
  export?: string;
  /** Worker threads. @default availableParallelism() */
  workers?: number;
  /** Samples one thread runs at once (more than 1 only helps rewards that wait on I/O). @default 1 */
  concurrencyPerWorker?: number;
  /** Structured-clone value the module reads as `workerData` from `node:worker_threads`. @default undefined */
  workerData?: unknown;
  /** Per-sample limit in ms when `evaluate` is given none (the server always gives its `sampleTimeoutMs`). */
  timeoutMs?: number;
  /**
   * After a sample timed out or was cancelled, how long its thread may take to stop before it is terminated and a
   * new one started. @default 100
   */
  stopGraceMs?: number;
  /** Time a thread may take to import the module and become ready. @default 120000 */
  startupTimeoutMs?: number;
  /**
   * Dotted path of a sample field (e.g. `'label.ticker'`) whose value picks a preferred thread (by hash), so
   * samples about one ticker run where that ticker's evidence is already analysed (each thread has its own caches).
   * A free thread takes its own samples first, then any other (no thread idles while samples wait).
   * @default undefined (first come, first served)
   */
  affinityKey?: string;
}

/** Counters of a {@link RewardWorkerPool}. */
export interface RewardWorkerPoolStats {
  /** Threads configured. */
  workers: number;
  /** Threads ready now. */
  ready: number;
  /** Threads running at least one sample now. */
  busy: number;
  /** Samples waiting for a thread. */
  queued: number;
  /** Samples running in a thread (cancelled ones that have not stopped yet included). */
  running: number;
  /** Samples answered with a computed or fallback result from a thread. */
  completed: number;
  /** Samples that failed in a thread (the reward threw) or whose thread died. */
  failed: number;
  /** Samples that hit their time limit. */
  timedOut: number;
  /** Samples cancelled by the caller's signal. */
  cancelled: number;
  /** Timed-out or cancelled samples dropped from the queue before they started. */
  discarded: number;
  /** Timed-out or cancelled running samples that stopped within `stopGraceMs`. */
  stopped: number;
  /** Threads terminated because a cancelled sample kept running past `stopGraceMs`. */
  terminated: number;
  /** Threads that died on their own (a crash in reward code). */
  crashed: number;
  /** Threads started to replace terminated or crashed ones. */
  restarts: number;
  /** Unhandled rejections caught in reward code (the thread keeps running). */
  strayRejections: number;
}

/** A reward evaluated in worker threads. */
export interface RewardWorkerPool extends Reward<unknown> {
  /** Threads configured. */
  readonly workers: number;
  /**
   * Samples the pool runs at once (`workers × concurrencyPerWorker`). A server over the pool admits this many by
   * default, so a sample's time limit starts when a thread is free for it, not while it waits behind others.
   */
  readonly capacity: number;
  /** Milliseconds each thread took to import the module at start. */
  readonly startupMs: readonly number[];
  /** Current counters. */
  stats(): RewardWorkerPoolStats;
  /** Reject queued samples (`CLOSED`), abort running ones and stop every thread. Idempotent. */
  close(): Promise<void>;
}

const optionsSchema = z
  .object({
    module: z.union([z.string().trim().min(1), z.instanceof(URL)]),
    export: z.string().min(1).default('default'),
    workers: z.number().int().min(1).max(256).optional(),
    concurrencyPerWorker: z.number().int().min(1).max(1024).default(1),
    workerData: z.unknown().optional(),
    timeoutMs: z.number().finite().positive().optional(),
    stopGraceMs: z.number().finite().min(0).max(60_000).default(100),
    startupTimeoutMs: z.number().finite().positive().default(120_000),
    affinityKey: z
      .string()
      .regex(/^[^.]+(\.[^.]+)*$/, 'a dotted path such as label.ticker')
      .optional(),
  })
  .strict();

const evaluateOptionsSchema = z
  .object({
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
    timeoutMs: z.number().finite().positive().optional(),
    fallback: z
      .object({ value: z.number().finite(), on: z.array(z.enum(['timeout', 'error'])).optional() })
      .strict()
      .optional(),
  })
  .strict();

/**
 * How to start a thread: the compiled entry next to the bundle, or — running from the TypeScript source (tests,
 * tsx) — a bootstrap that registers tsx's loader in the thread and imports the source entry.
 */
function workerScript(): { script: string | URL; eval: boolean; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    const require = createRequire(import.meta.url);
    const manifestPath = require.resolve('tsx/package.json');
    const manifest = require(manifestPath) as { exports: Record<string, { import: { default: string } }> };
    const tsx = new URL(manifest.exports['./esm/api']?.import.default as string, pathToFileURL(manifestPath)).href;
    const entry = new URL('./worker-entry.ts', import.meta.url).href;
    return {
      script: `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`,
      eval: true,
      execArgv: ['--conditions=@trade-r1/source'],
    };
  }
  return { script: new URL('./reward-worker-entry.js', import.meta.url), eval: false, execArgv: [] };
}

function fromWorkerError(error: WorkerError): TradeR1Error {
  return new TradeR1Error(error.code, error.message, { details: error.details, issues: error.issues });
}

interface Task {
  id: number;
  sample: unknown;
  /** Hash of the affinity key's value (undefined: any thread). */
  affinity: number | undefined;
  fallback: RewardFallback | undefined;
  slot: Slot | undefined;
  /** The caller has its answer (result, timeout or cancellation); a late reply is dropped. */
  settled: boolean;
  resolve: (result: RewardResult) => void;
  reject: (error: TradeR1Error) => void;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** Terminated by the pool (a stuck sample or close), not crashed. */
  terminating: boolean;
  tasks: Map<number, Task>;
}

/**
 * Start `workers` threads, each importing `module`, and resolve once all are ready.
 *
 * @example
 * const pool = await createRewardWorkerPool({ module: './dsr-reward.mjs', workers: 2 });
 * const server = createRewardServer({ reward: pool, sampleTimeoutMs: 2000, fallback: { value: 0 } });
 * await server.listen({ port: 8000 });
 * // … on shutdown: await server.close(); await pool.close();
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options or a module without a reward export; a thread's startup
 * error (e.g. `STORE_ERROR` from the module's top-level code); `TIMEOUT` past `startupTimeoutMs`
 */
export async function createRewardWorkerPool(options: RewardWorkerPoolOptions): Promise<RewardWorkerPool> {
  const settings = parseWith(optionsSchema, options, {
    code: 'INVALID_CONFIG',
    label: 'createRewardWorkerPool options',
  });
  const count = settings.workers ?? Math.max(1, availableParallelism());
  const module =
    settings.module instanceof URL
      ? settings.module.href
      : /^file:/i.test(settings.module)
        ? settings.module
        : pathToFileURL(isAbsolute(settings.module) ? settings.module : resolvePath(settings.module)).href;
  const script = workerScript();
  const slots: Slot[] = [];
  const queue: Task[] = [];
  const counters = {
    completed: 0,
    failed: 0,
    timedOut: 0,
    cancelled: 0,
    discarded: 0,
    stopped: 0,
    terminated: 0,
    crashed: 0,
    restarts: 0,
    strayRejections: 0,
  };
  let rewardName = 'reward';
  let nextId = 0;
  let closed = false;
  let startupError: TradeR1Error | undefined;

  const free = (slot: Slot): boolean =>
    slot.ready && !slot.terminating && slot.tasks.size < settings.concurrencyPerWorker;

  const dispatch = (slot: Slot, task: Task): void => {
    task.slot = slot;
    slot.tasks.set(task.id, task);
    try {
      slot.worker.postMessage({
        type: 'run',
        id: task.id,
        sample: task.sample,
        ...(task.fallback !== undefined && { fallback: task.fallback }),
      } satisfies WorkerRequest);
    } catch (cause) {
      // Not structured-cloneable (a function or symbol in the sample).
      slot.tasks.delete(task.id);
      task.slot = undefined;
      settle(task, () =>
        task.reject(new TradeR1Error('INVALID_INPUT', 'the sample cannot be sent to a worker thread', { cause })),
      );
      counters.failed += 1;
    }
  };

  const pump = (): void => {
    // First each free thread takes the oldest sample that prefers it (affinity), then free threads take whatever
    // is left, oldest first; one sample per thread per round so load spreads when concurrencyPerWorker > 1.
    if (settings.affinityKey !== undefined) {
      let progress = true;
      while (progress && queue.length > 0) {
        progress = false;
        for (const [index, slot] of slots.entries()) {
          if (!free(slot)) continue;
          const own = queue.findIndex((task) => task.affinity !== undefined && task.affinity % slots.length === index);
          if (own < 0) continue;
          dispatch(slot, queue.splice(own, 1)[0] as Task);
          progress = true;
        }
      }
    }
    let progress = true;
    while (progress && queue.length > 0) {
      progress = false;
      for (const slot of slots) {
        if (queue.length === 0) break;
        if (!free(slot)) continue;
        dispatch(slot, queue.shift() as Task);
        progress = true;
      }
    }
  };

  const settle = (task: Task, answer: () => void): boolean => {
    if (task.settled) return false;
    task.settled = true;
    answer();
    return true;
  };

  /** Stop a task's work after its caller was answered: drop it from the queue, or abort it in its thread. */
  const cancel = (task: Task): void => {
    const queued = queue.indexOf(task);
    if (queued >= 0) {
      queue.splice(queued, 1);
      counters.discarded += 1;
      return;
    }
    const slot = task.slot;
    if (!slot?.tasks.has(task.id)) return;
    slot.worker.postMessage({ type: 'abort', id: task.id } satisfies WorkerRequest);
    task.graceTimer = setTimeout(() => {
      if (slot.tasks.has(task.id) && !slot.terminating) {
        counters.terminated += 1;
        replace(slot, 'terminated');
      }
    }, settings.stopGraceMs);
  };

  const failTask = (task: Task, error: TradeR1Error): void => {
    const kind = error.code === 'TIMEOUT' ? 'timeout' : 'error';
    const fallback = task.fallback;
    if (fallback !== undefined && (fallback.on ?? ['timeout']).includes(kind) && error.code !== 'INVALID_INPUT') {
      task.resolve({
        name: rewardName,
        value: fallback.value,
        status: kind,
        flagged: true,
        details: {},
        error: { code: error.code, message: error.message },
      });
    } else task.reject(error);
  };

  /** Retire a thread (terminated by the pool or crashed) and start another in its place. */
  const replace = (slot: Slot, why: 'terminated' | 'crashed', crash?: TradeR1Error): void => {
    const index = slots.indexOf(slot);
    if (index < 0) return;
    slot.terminating = true;
    slot.ready = false;
    for (const task of slot.tasks.values()) {
      if (task.graceTimer !== undefined) clearTimeout(task.graceTimer);
      task.slot = undefined;
      if (task.settled) {
        // Its caller was answered already; the work is gone with the thread.
        continue;
      }
      if (why === 'terminated') {
        // Another sample's work got stuck; this one is innocent: run it again elsewhere (its deadline still holds).
        queue.unshift(task);
      } else {
        counters.failed += 1;
        settle(task, () =>
          failTask(task, crash ?? new TradeR1Error('INTERNAL', 'the reward worker thread stopped unexpectedly')),
        );
      }
    }
    slot.tasks.clear();
    if (why === 'terminated') void slot.worker.terminate();
    if (closed) {
      slots.splice(index, 1);
      return;
    }
    counters.restarts += 1;
    const next = spawn();
    slots[index] = next.slot;
    next.ready.then(pump, (error: TradeR1Error) => {
      // The replacement could not start (the store went away?): drop the slot; with none left, fail the queue.
      const at = slots.indexOf(next.slot);
      if (at >= 0) slots.splice(at, 1);
      startupError = error;
      if (slots.length === 0) {
        for (const task of queue.splice(0)) {
          counters.failed += 1;
          settle(task, () => failTask(task, error));
        }
      }
    });
    pump();
  };

  const spawn = (): { slot: Slot; ready: Promise<number> } => {
    const worker = new Worker(script.script, {
      eval: script.eval,
      execArgv: script.execArgv,
      workerData: settings.workerData,
    });
    const slot: Slot = { worker, ready: false, terminating: false, tasks: new Map() };
    let settleStartup: { resolve: (ms: number) => void; reject: (error: TradeR1Error) => void } | undefined;
    const ready = new Promise<number>((resolve, reject) => {
      settleStartup = { resolve, reject };
    });
    const startupTimer = setTimeout(() => {
      settleStartup?.reject(
        new TradeR1Error('TIMEOUT', `a reward worker thread was not ready within ${settings.startupTimeoutMs} ms`, {
          details: { startupTimeoutMs: settings.startupTimeoutMs },
        }),
      );
      settleStartup = undefined;
      slot.terminating = true;
      void worker.terminate();
    }, settings.startupTimeoutMs);
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') {
        clearTimeout(startupTimer);
        rewardName = reply.rewardName;
        slot.ready = true;
        settleStartup?.resolve(reply.ms);
        settleStartup = undefined;
        return;
      }
      if (reply.type === 'failed') {
        clearTimeout(startupTimer);
        slot.terminating = true;
        settleStartup?.reject(fromWorkerError(reply.error));
        settleStartup = undefined;
        void worker.terminate();
        return;
      }
      if (reply.type === 'stray') {
        counters.strayRejections += 1;
        return;
      }
      if (reply.type !== 'result' && reply.type !== 'error') return;
      const task = slot.tasks.get(reply.id);
      if (!task) return;
      slot.tasks.delete(reply.id);
      task.slot = undefined;
      if (task.graceTimer !== undefined) {
        clearTimeout(task.graceTimer);
        counters.stopped += 1;
      }
      if (reply.type === 'result') {
        if (settle(task, () => task.resolve(reply.result))) counters.completed += 1;
      } else if (settle(task, () => task.reject(fromWorkerError(reply.error)))) counters.failed += 1;
      pump();
    });
    const died = (cause: unknown): void => {
      clearTimeout(startupTimer);
      const error = new TradeR1Error('INTERNAL', `a reward worker thread stopped: ${String(cause)}`, { cause });
      if (settleStartup) {
        settleStartup.reject(error);
        settleStartup = undefined;
        return;
      }
      if (slot.terminating) return;
      counters.crashed += 1;
      replace(slot, 'crashed', error);
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(`exit code ${code}`));
    worker.postMessage({ type: 'init', module, exportName: settings.export } satisfies WorkerRequest);
    return { slot, ready };
  };

  const started = Array.from({ length: count }, spawn);
  for (const { slot } of started) slots.push(slot);
  const outcomes = await Promise.allSettled(started.map(({ ready }) => ready));
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    closed = true;
    await Promise.all(
      slots.map((slot) => {
        slot.terminating = true;
        return slot.worker.terminate();
      }),
    );
    throw (failure as PromiseRejectedResult).reason;
  }
  const startupMs = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<number>).value);

  const pool: RewardWorkerPool = {
    get name() {
      return rewardName;
    },
    input: z.unknown(),
    workers: count,
    capacity: count * settings.concurrencyPerWorker,
    startupMs,
    async evaluate(sample: unknown, evaluateOptions: EvaluateOptions = {}): Promise<RewardResult> {
      if (closed) throw new TradeR1Error('CLOSED', 'the reward worker pool is closed');
      const { signal, timeoutMs, fallback } = parseWith(evaluateOptionsSchema, evaluateOptions, {
        code: 'INVALID_CONFIG',
        label: 'reward worker pool evaluate options',
      });
      if (slots.length === 0) {
        throw startupError ?? new TradeR1Error('INTERNAL', 'the reward worker pool has no thread left');
      }
      if (signal?.aborted) throw new TradeR1Error('ABORTED', `evaluation of reward "${rewardName}" was aborted`);
      const limit = timeoutMs ?? settings.timeoutMs;
      return new Promise<RewardResult>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = (): void => {
          if (
            !settle(task, () =>
              task.reject(new TradeR1Error('ABORTED', `evaluation of reward "${rewardName}" was aborted`)),
            )
          )
            return;
          counters.cancelled += 1;
          cancel(task);
        };
        const done = (): void => {
          if (timer !== undefined) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
        const task: Task = {
          id: nextId++,
          sample,
          affinity: affinityOf(sample, settings.affinityKey),
          fallback: fallback as RewardFallback | undefined,
          slot: undefined,
          settled: false,
          resolve: (result) => {
            done();
            resolve(result);
          },
          reject: (error) => {
            done();
            reject(error);
          },
          graceTimer: undefined,
        };
        if (limit !== undefined) {
          timer = setTimeout(() => {
            const error = new TradeR1Error('TIMEOUT', `reward "${rewardName}" exceeded its ${limit} ms time limit`, {
              details: { reward: rewardName, timeoutMs: limit },
            });
            if (!settle(task, () => failTask(task, error))) return;
            counters.timedOut += 1;
            cancel(task);
          }, limit);
        }
        signal?.addEventListener('abort', onAbort, { once: true });
        queue.push(task);
        pump();
      });
    },
    stats() {
      let running = 0;
      let busy = 0;
      for (const slot of slots) {
        running += slot.tasks.size;
        if (slot.tasks.size > 0) busy += 1;
      }
      return {
        workers: count,
        ready: slots.filter((slot) => slot.ready).length,
        busy,
        queued: queue.length,
        running,
        ...counters,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new TradeR1Error('CLOSED', 'the reward worker pool is closed');
      for (const task of queue.splice(0)) settle(task, () => task.reject(error));
      await Promise.all(
        slots.splice(0).map(async (slot) => {
          slot.terminating = true;
          for (const task of slot.tasks.values()) {
            if (task.graceTimer !== undefined) clearTimeout(task.graceTimer);
            settle(task, () => task.reject(error));
          }
          slot.tasks.clear();
          await slot.worker.terminate();
        }),
      );
    },
  };
  pools.add(pool);
  return pool;
}

const pools = new WeakSet<object>();

/** The pool when `reward` is one made by {@link createRewardWorkerPool} (the server reports its counters). */
export function workerPoolOf(reward: unknown): RewardWorkerPool | undefined {
  return typeof reward === 'object' && reward !== null && pools.has(reward) ? (reward as RewardWorkerPool) : undefined;
}

/** A stable hash of the value at `path` in `sample` (undefined when there is no path or no such value). */
function affinityOf(sample: unknown, path: string | undefined): number | undefined {
  if (path === undefined) return undefined;
  let value: unknown = sample;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  // FNV-1a over the string form.
  let hash = 0x811c9dc5;
  for (const char of String(value)) {
    hash ^= char.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
