/**
 * A pool of worker threads, each running `createVerifier` over its own handle of one on-disk evidence store, so a
 * batch of verifications uses every core. Items are cut into chunks that idle workers take in turn; reports come
 * back in input order with progress after each chunk.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseWith, type SourceKind, sourceKindSchema, TradeR1Error, tickerSchema } from '@trade-r1/core';
import { z } from 'zod';
import type { VerificationReport } from '../pipeline/report.ts';
import { pickJob, planChunks } from './batch-plan.ts';
import { type VerifierOptions, type VerifyInput, verifierOptionsSchema, verifyInputSchema } from './options.ts';
import type { WorkerError, WorkerInit, WorkerReply, WorkerRequest, WorkerStartup } from './worker-protocol.ts';

export type { WorkerStartup } from './worker-protocol.ts';

/** Options of {@link createVerifierPool}. */
export interface VerifierPoolOptions {
  /** The evidence store's LanceDB URI (a local directory or an object-store URI), opened by each worker. */
  storeUri: string;
  /** Table name. @default 'evidence' */
  tableName?: string;
  /** LanceDB storage options (object stores). */
  storageOptions?: Record<string, string>;
  /** Worker threads. @default availableParallelism() */
  workers?: number;
  /** `createVerifier` options used by every worker (the embedder is the default embedder, the store's model). */
  verifierOptions?: VerifierOptions;
  /**
   * Give each worker a memory index (`createMemoryIndex`) of these tickers (and whole source kinds), with its
   * `maxStalenessMs` (default 0: every search first reads the store version). With `analyse: true` each worker also
   * analyses every loaded chunk's evidence (facts, tables, stance) before it is ready, so verifications of hot
   * tickers skip that work (about 1 ms per chunk per worker at start; at most `EVIDENCE_CACHE_LIMIT` chunks, the
   * rest counted in `startup[].notAnalysed` and analysed on first use). @default analyse false
   */
  memoryIndex?: {
    tickers: readonly string[];
    sourceKinds?: readonly SourceKind[];
    maxStalenessMs?: number;
    analyse?: boolean;
  };
  /** Concurrency of each worker's `verifyBatch`. @default 4 */
  concurrency?: number;
  /**
   * Items per chunk handed to a worker (progress is reported per chunk). Larger chunks let each worker's
   * `verifyBatch` share embedding and pool work across more items.
   * @default about four chunks per worker: clamp(⌈items / (4 · workers)⌉, 8, 64)
   */
  chunkSize?: number;
  /**
   * `'ticker'`: a ticker's items prefer one worker (a stable hash of the ticker), so its evidence is analysed and
   * cached in one worker, not in each; an idle worker still takes over other workers' queued chunks. `'none'`:
   * chunks in input order, taken by whichever worker is idle. Reports are the same either way.
   * @default 'ticker'
   */
  affinity?: 'ticker' | 'none';
}

/** Progress of a pool `verifyBatch`. */
export interface VerifierPoolProgress {
  /** Items verified so far. */
  done: number;
  /** Items in the call. */
  total: number;
}

/** Options of {@link VerifierPool.verifyBatch}. */
export interface VerifierPoolBatchOptions {
  /** Called after each chunk. */
  onProgress?: (progress: VerifierPoolProgress) => void;
  /** Cancels the call: queued chunks are dropped, running ones are aborted in their workers. */
  signal?: AbortSignal;
}

/** A pool of verifier worker threads. */
export interface VerifierPool {
  /** Worker threads. */
  readonly workers: number;
  /** What each worker loaded at start (time, memory-index chunks, chunks analysed ahead of time). */
  readonly startup: readonly WorkerStartup[];
  /**
   * Verify many reasonings across the workers; reports in input order, identical to a single verifier's with the
   * same options. Every item is validated first (nothing runs when one is invalid).
   * @throws {TradeR1Error} `INVALID_INPUT` (with `issues`), `ABORTED`, `CLOSED`, `INTERNAL` when a worker died, and
   * the verifier's errors
   */
  verifyBatch(items: readonly VerifyInput[], options?: VerifierPoolBatchOptions): Promise<VerificationReport[]>;
  /** Stop the workers (their store handles are closed). Idempotent. */
  close(): Promise<void>;
}

const optionsSchema = z
  .object({
    storeUri: z.string().trim().min(1),
    tableName: z.string().min(1).optional(),
    storageOptions: z.record(z.string(), z.string()).optional(),
    workers: z.number().int().min(1).max(256).optional(),
    // Strict here: a misspelled verifier option is rejected before any worker starts.
    verifierOptions: verifierOptionsSchema.strict().optional(),
    memoryIndex: z
      .object({
        tickers: z.array(tickerSchema).min(1),
        sourceKinds: z.array(sourceKindSchema).default([]),
        maxStalenessMs: z.number().min(0).max(86_400_000).default(0),
        analyse: z.boolean().default(false),
      })
      .strict()
      .optional(),
    concurrency: z.number().int().min(1).max(1024).default(4),
    chunkSize: z.number().int().min(1).max(100_000).optional(),
    affinity: z.enum(['ticker', 'none']).default('ticker'),
  })
  .strict();

const batchOptionsSchema = z
  .object({
    onProgress: z.custom<(progress: VerifierPoolProgress) => void>((value) => typeof value === 'function').optional(),
    signal: z.custom<AbortSignal>((value) => value instanceof AbortSignal).optional(),
  })
  .strict();

/**
 * How to start a worker: the compiled JavaScript next to the bundle, or — running from the TypeScript source
 * (tests, tsx) — a bootstrap that registers tsx's loader in the worker and imports the source entry.
 */
function workerScript(): { script: string | URL; eval: boolean; execArgv: string[] } {
  if (import.meta.url.endsWith('.ts')) {
    // tsx's ESM API (its `import` export; `require.resolve` would give the CommonJS build).
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
  return { script: new URL('./worker-entry.js', import.meta.url), eval: false, execArgv: [] };
}

function fromWorkerError(error: WorkerError): TradeR1Error {
  return new TradeR1Error(error.code, error.message, { details: error.details, issues: error.issues });
}

interface Job {
  id: number;
  preferred: number;
  items: VerifyInput[];
  resolve: (reports: VerificationReport[]) => void;
  reject: (error: TradeR1Error) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
  alive: boolean;
  startup?: WorkerStartup;
}

/**
 * Start `workers` threads, each opening the store at `storeUri` with the default embedder (and a memory index of
 * `memoryIndex.tickers` when given) and a verifier with `verifierOptions`. Resolves once every worker is ready.
 *
 * @example
 * const pool = await createVerifierPool({ storeUri: './evidence', workers: 2, verifierOptions: { k: 5 } });
 * const reports = await pool.verifyBatch(items, { onProgress: ({ done, total }) => console.log(done, total) });
 * await pool.close();
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options (misspelled keys included); a worker's startup error
 * (e.g. `STORE_ERROR`, `MODEL_MISMATCH`)
 */
export async function createVerifierPool(options: VerifierPoolOptions): Promise<VerifierPool> {
  const settings = parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'createVerifierPool options' });
  const count = settings.workers ?? Math.max(1, availableParallelism());
  const init: WorkerInit = {
    storeUri: settings.storeUri,
    concurrency: settings.concurrency,
    ...(settings.tableName !== undefined && { tableName: settings.tableName }),
    ...(settings.storageOptions !== undefined && { storageOptions: settings.storageOptions }),
    // The caller's options as given (the worker's createVerifier resolves them exactly as a local one would).
    ...(options.verifierOptions !== undefined && { verifierOptions: options.verifierOptions }),
    ...(settings.memoryIndex !== undefined && { memoryIndex: settings.memoryIndex }),
  };
  const script = workerScript();
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 0;
  let closed = false;

  const fail = (slot: Slot, error: TradeR1Error): void => {
    slot.alive = false;
    slot.job?.reject(error);
    slot.job = undefined;
    if (slots.every((other) => !other.alive)) for (const job of queue.splice(0)) job.reject(error);
  };

  const pump = (): void => {
    for (const [index, slot] of slots.entries()) {
      if (!slot.alive || slot.job || queue.length === 0) continue;
      const picked = pickJob(queue, index, (worker) => slots[worker]?.alive === true);
      const job = queue.splice(picked, 1)[0] as Job;
      slot.job = job;
      slot.worker.postMessage({ type: 'batch', id: job.id, items: job.items } satisfies WorkerRequest);
    }
  };

  const start = (): Promise<Slot> =>
    new Promise((resolve, reject) => {
      const worker = new Worker(script.script, { workerData: init, execArgv: script.execArgv, eval: script.eval });
      const slot: Slot = { worker, job: undefined, alive: true };
      let ready = false;
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          ready = true;
          slot.startup = reply.startup;
          resolve(slot);
        } else if (reply.type === 'failed') {
          slot.alive = false;
          reject(fromWorkerError(reply.error));
        } else if ((reply.type === 'result' || reply.type === 'error') && slot.job?.id === reply.id) {
          const job = slot.job;
          slot.job = undefined;
          if (reply.type === 'result') job.resolve(reply.reports);
          else job.reject(fromWorkerError(reply.error));
          pump();
        }
      });
      const died = (cause: unknown): void => {
        const error = new TradeR1Error('INTERNAL', `A verifier worker stopped: ${String(cause)}`, { cause });
        if (!ready) reject(error);
        else if (!closed) fail(slot, error);
        slot.alive = false;
      };
      worker.on('error', died);
      worker.on('exit', (code) => {
        if (slot.alive) died(`exit code ${code}`);
      });
    });

  const started = await Promise.allSettled(Array.from({ length: count }, start));
  for (const result of started) if (result.status === 'fulfilled') slots.push(result.value);
  const failure = started.find((result) => result.status === 'rejected');
  if (failure) {
    closed = true;
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
    throw (failure as PromiseRejectedResult).reason;
  }

  return {
    workers: count,
    startup: slots.map((slot) => slot.startup as WorkerStartup),
    async verifyBatch(items, callOptions = {}) {
      if (closed) throw new TradeR1Error('CLOSED', 'The verifier pool is closed');
      const { onProgress, signal } = parseWith(batchOptionsSchema, callOptions, { label: 'verifyBatch options' });
      const parsed = parseWith(z.array(verifyInputSchema), items, { label: 'verifyBatch items' });
      if (signal?.aborted) throw new TradeR1Error('ABORTED', 'verifyBatch was aborted');
      if (items.length === 0) return [];
      const reports: VerificationReport[] = new Array(items.length);
      const jobs: Job[] = [];
      let done = 0;
      const all: Promise<void>[] = [];
      const chunkSize =
        settings.chunkSize ?? Math.min(64, Math.max(8, Math.ceil(items.length / (4 * Math.max(1, count)))));
      const plan = planChunks(
        parsed.map((item) => item.ticker),
        count,
        chunkSize,
        settings.affinity === 'ticker',
      );
      for (const { preferred, indices } of plan) {
        const chunk = indices.map((index) => items[index] as VerifyInput);
        all.push(
          new Promise<VerificationReport[]>((resolve, reject) => {
            const job: Job = { id: nextId++, preferred, items: chunk, resolve, reject };
            jobs.push(job);
            queue.push(job);
          }).then((chunkReports) => {
            chunkReports.forEach((report, position) => {
              reports[indices[position] as number] = report;
            });
            done += chunk.length;
            onProgress?.({ done, total: items.length });
          }),
        );
      }
      const cancel = (error: TradeR1Error): void => {
        for (const job of jobs) {
          const queued = queue.indexOf(job);
          if (queued >= 0) {
            queue.splice(queued, 1);
            job.reject(error);
          }
        }
        for (const slot of slots) {
          if (slot.job && jobs.includes(slot.job)) {
            slot.worker.postMessage({ type: 'abort', id: slot.job.id } satisfies WorkerRequest);
          }
        }
      };
      const onAbort = (): void => cancel(new TradeR1Error('ABORTED', 'verifyBatch was aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      pump();
      try {
        await Promise.all(all);
        return reports;
      } catch (error) {
        // One failed chunk fails the call; its other chunks are dropped or aborted.
        cancel(error instanceof TradeR1Error ? error : new TradeR1Error('INTERNAL', String(error)));
        await Promise.allSettled(all);
        throw signal?.aborted ? new TradeR1Error('ABORTED', 'verifyBatch was aborted') : error;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const job of queue.splice(0)) job.reject(new TradeR1Error('CLOSED', 'The verifier pool is closed'));
      await Promise.all(
        slots.map(async (slot) => {
          if (slot.alive) {
            const closedReply = new Promise<void>((resolve) => {
              slot.worker.on('message', (reply: WorkerReply) => reply.type === 'closed' && resolve());
              slot.worker.once('exit', () => resolve());
            });
            slot.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
            await closedReply;
          }
          slot.alive = false;
          await slot.worker.terminate();
        }),
      );
    },
  };
}
