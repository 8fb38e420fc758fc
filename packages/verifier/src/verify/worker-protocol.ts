/** Messages between {@link createVerifierPool} and its worker threads (structured-clone data only). */
import type { ErrorCode, SourceKind, ValidationIssue } from '@trade-r1/core';
import type { VerificationReport } from '../pipeline/report.ts';
import type { VerifierOptions, VerifyInput } from './options.ts';

/** `workerData` of a pool worker. */
export interface WorkerInit {
  storeUri: string;
  tableName?: string;
  storageOptions?: Record<string, string>;
  verifierOptions?: VerifierOptions;
  memoryIndex?: { tickers: string[]; sourceKinds: SourceKind[]; maxStalenessMs: number; analyse: boolean };
  concurrency: number;
}

/** What a worker loaded at start. */
export interface WorkerStartup {
  /** Milliseconds from the worker's first line to ready (embedder, store, memory index, analysis). */
  ms: number;
  /** Chunks in its memory index (0 without one). */
  chunks: number;
  /** Chunks whose evidence was analysed ahead of time (`memoryIndex.analyse`). */
  analysed: number;
  /** Chunks not analysed ahead of time because the per-process evidence cache holds fewer (analysed on first use). */
  notAnalysed: number;
}

/** A serialised TradeR1Error. */
export interface WorkerError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  issues: ValidationIssue[];
}

/** Pool → worker. */
export type WorkerRequest =
  | { type: 'batch'; id: number; items: VerifyInput[] }
  | { type: 'abort'; id: number }
  | { type: 'close' };

/** Worker → pool. */
export type WorkerReply =
  | { type: 'ready'; startup: WorkerStartup }
  | { type: 'failed'; error: WorkerError }
  | { type: 'result'; id: number; reports: VerificationReport[] }
  | { type: 'error'; id: number; error: WorkerError }
  | { type: 'closed' };
