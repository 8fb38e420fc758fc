/** Messages between {@link createRewardWorkerPool} and its worker threads (structured-clone data only). */
import type { ErrorCode, ValidationIssue } from '@trade-r1/core';
import type { RewardFallback, RewardResult } from '../define-reward.ts';

/** A serialised TradeR1Error. */
export interface WorkerError {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
  issues: ValidationIssue[];
}

/** Parent → worker. */
export type WorkerRequest =
  | { type: 'init'; module: string; exportName: string }
  | { type: 'run'; id: number; sample: unknown; timeoutMs?: number; fallback?: RewardFallback }
  | { type: 'abort'; id: number };

/** Worker → parent. */
export type WorkerReply =
  | { type: 'ready'; rewardName: string; ms: number }
  | { type: 'failed'; error: WorkerError }
  | { type: 'result'; id: number; result: RewardResult }
  | { type: 'error'; id: number; error: WorkerError }
  | { type: 'stray'; message: string };
