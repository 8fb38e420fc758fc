import { performance } from 'node:perf_hooks';
import { parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import type { AdvantageEstimator, AdvantageScale } from '../advantages.ts';
import {
  createReward,
  normalizeOutput,
  type Reward,
  type RewardContext,
  type RewardFallback,
  type RewardOutput,
  type RewardResult,
} from '../define-reward.ts';
import { DEFAULT_ASSISTANT_MARKERS } from './response-boundary.ts';
import { type RewardSample, rewardSampleSchema } from './schemas.ts';
import { type SampleScorer, scoreSample } from './score-sample.ts';
import { workerPoolOf } from './worker-pool.ts';

/** A plain reward function over one sample (wrapped into a {@link Reward} by the server). */
export type RewardFunction = (sample: RewardSample, context: RewardContext) => RewardOutput | Promise<RewardOutput>;

/** A reward over a whole GRPO group (e.g. one that normalises within the group); one output per sample. */
export type GroupRewardFunction = (
  samples: RewardSample[],
  context: RewardContext,
) => readonly RewardOutput[] | Promise<readonly RewardOutput[]>;

/** A warning the server raises (non-loopback bind without a token, undeclared log keys…). */
export interface RewardServerWarning {
  /** Stable identifier, e.g. `'INSECURE_BIND'`, `'UNDECLARED_LOG_KEY'`, `'STRAY_REJECTION'`. */
  code: 'INSECURE_BIND' | 'UNDECLARED_LOG_KEY' | 'STRAY_REJECTION';
  /** What happened and what to do about it. */
  message: string;
}

/** Options for {@link createRewardServer}. */
export interface RewardServerOptions {
  /** The reward; its input schema receives a {@link RewardSample}. Give this or `rewardFn`. */
  reward?: Reward<RewardSample> | Reward<unknown>;
  /** A plain function alternative to `reward`. */
  rewardFn?: RewardFunction;
  /** Scores a whole group at once for `POST /group`. @default per-sample `reward` over the group */
  groupReward?: GroupRewardFunction;
  /** Per-sample time limit in ms (passed to the reward). @default 30000 */
  sampleTimeoutMs?: number;
  /**
   * Whole-request time limit in ms, from the first byte to the answer, including time queued for scoring slots.
   * On expiry the request's samples are cancelled and the server answers 504. @default 60000
   */
  requestTimeoutMs?: number;
  /**
   * Value for samples that hit `sampleTimeoutMs` (or fail, if `on` includes 'error'). Such samples are flagged in
   * the response (`extra_logs.flagged`, `flagged`) and counted in metrics. Without it a timed-out sample fails the
   * request with 504. @default undefined
   */
  fallback?: RewardFallback;
  /** Largest accepted request body in bytes; larger bodies get 413. @default 1048576 (1 MiB) */
  maxBodyBytes?: number;
  /**
   * Largest number of samples in one `/get_reward` or `/group` request (413 above); at most
   * `maxConcurrency + maxQueue`, so every accepted request can be admitted. @default 4096
   */
  maxBatchSize?: number;
  /**
   * Samples scored at the same time, over all requests (the global budget). @default the pool's `capacity` when
   * `reward` is a worker pool (so a sample's time limit starts when a thread is free for it), else 64
   */
  maxConcurrency?: number;
  /**
   * Samples allowed to wait for a scoring slot, over all requests; a request whose samples do not fit gets 503 with
   * `Retry-After: 1` before any of them runs. @default 8192
   */
  maxQueue?: number;
  /** Open connections accepted at once; beyond it new connections are closed at once (counted). @default 1024 */
  maxConnections?: number;
  /** Time a client has to send the request headers, in ms (slow-header clients are cut off with 408). @default 20000 */
  headersTimeoutMs?: number;
  /** Idle time before a keep-alive connection is closed, in ms (≥ 20 s outlives aiohttp's 15 s pool). @default 30000 */
  keepAliveTimeoutMs?: number;
  /** Require `Authorization: Bearer <token>` on every route except `/health` (401 otherwise). @default undefined */
  token?: string;
  /**
   * Derive the response from OpenRLHF's `query` when `responses` is absent; return `null` when no boundary can be
   * found (the sample is then flagged, not scored). @default prompt prefix, else the last assistant marker
   */
  extractResponse?: (options: { query: string; prompt: string }) => string | null;
  /**
   * Chat-template markers that open the assistant's turn, used to find the response in `query` when the prompt is
   * not a prefix of it (left-truncated prompts, decodes that do not round-trip). @default Qwen/ChatML, Llama 3,
   * DeepSeek ({@link DEFAULT_ASSISTANT_MARKERS})
   */
  assistantMarkers?: readonly string[];
  /** OpenRLHF `scores` (used for dynamic filtering) from a result. @default the reward value */
  toScore?: (result: RewardResult) => number;
  /**
   * Number sent for a sample without a reward (reward returned `null`, or no response boundary) in `/get_reward`'s
   * `rewards`/`scores` and `/slime`'s `score` (trainers need a float); such samples are marked `missing`. @default 0
   */
  missingValue?: number;
  /**
   * The fixed set of per-sample log keys (reward details or component names) sent in `extra_logs` and `/slime`
   * besides `flagged` and `missing`. Every answer carries exactly these keys; a sample without a value gets
   * `logFill` (counted in `trade_r1_reward_log_fills_total`); keys a reward reports that are not listed are left out
   * and counted in `trade_r1_reward_log_keys_dropped_total`. @default [] (only `flagged` and `missing`)
   */
  extraLogKeys?: readonly string[];
  /**
   * Value for a log key a sample has no value for: a number, or `'NaN'` to write the JSON token `NaN` (Python's
   * `json`, as used by the trainers, reads it; strict JSON parsers do not). @default missingValue
   */
  logFill?: number | 'NaN';
  /** Advantage defaults for `/group` (a request may override them). @default TRL's: grpo, group, 1e-4, unbiased */
  advantage?: {
    estimator?: AdvantageEstimator;
    scale?: AdvantageScale;
    epsilon?: number;
    std?: 'unbiased' | 'population';
  };
  /** How long `close()` waits for requests being scored before aborting them. @default 30000 */
  shutdownTimeoutMs?: number;
  /** Monotonic clock in ms for latency metrics. @default performance.now */
  clock?: () => number;
  /**
   * How one sample is scored (the server's single reward-invocation point); swap it to run rewards in a worker
   * pool. @default {@link scoreSample} (in this thread)
   */
  scoreSample?: SampleScorer;
  /** Receives warnings. @default `process.emitWarning` */
  onWarning?: (warning: RewardServerWarning) => void;
}

const callable = (name: string) =>
  z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
    message: `${name} must be a function`,
  });
const positive = z.number().finite().positive();
const count = z.number().int().positive();

const optionsSchema = z
  .object({
    reward: z
      .custom<Reward<unknown>>(
        (value) =>
          typeof value === 'object' &&
          value !== null &&
          typeof (value as { evaluate?: unknown }).evaluate === 'function',
        { message: 'reward must be a reward from defineReward/composeRewards' },
      )
      .optional(),
    rewardFn: callable('rewardFn').optional(),
    groupReward: callable('groupReward').optional(),
    sampleTimeoutMs: positive.optional(),
    requestTimeoutMs: positive.optional(),
    fallback: z
      .object({
        value: z.number().finite(),
        on: z
          .array(z.enum(['timeout', 'error']))
          .readonly()
          .optional(),
      })
      .strict()
      .optional(),
    maxBodyBytes: count.optional(),
    maxBatchSize: count.optional(),
    maxConcurrency: count.optional(),
    maxQueue: z.number().int().min(0).optional(),
    maxConnections: count.optional(),
    headersTimeoutMs: positive.optional(),
    keepAliveTimeoutMs: positive.optional(),
    token: z.string().min(1, 'token must be a non-empty string').optional(),
    extractResponse: callable('extractResponse').optional(),
    assistantMarkers: z.array(z.string().min(1)).readonly().optional(),
    toScore: callable('toScore').optional(),
    missingValue: z.number().finite().optional(),
    extraLogKeys: z
      .array(
        z
          .string()
          .min(1)
          .refine((key) => key !== 'flagged' && key !== 'missing', 'flagged and missing are always sent'),
      )
      .readonly()
      .optional(),
    logFill: z.union([z.number().finite(), z.literal('NaN')]).optional(),
    advantage: z
      .object({
        estimator: z.enum(['grpo', 'rloo', 'dr_grpo']).optional(),
        scale: z.enum(['group', 'batch', 'none']).optional(),
        epsilon: z.number().min(0).optional(),
        std: z.enum(['unbiased', 'population']).optional(),
      })
      .strict()
      .optional(),
    shutdownTimeoutMs: z.number().finite().min(0).optional(),
    clock: callable('clock').optional(),
    scoreSample: callable('scoreSample').optional(),
    onWarning: callable('onWarning').optional(),
  })
  .strict();

/** The validated configuration the server runs with. */
export interface ResolvedConfig {
  reward: Reward<unknown>;
  groupReward: GroupRewardFunction | undefined;
  sampleTimeoutMs: number;
  requestTimeoutMs: number;
  fallback: RewardFallback | undefined;
  maxBodyBytes: number;
  maxBatchSize: number;
  maxConcurrency: number;
  maxQueue: number;
  maxConnections: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  token: string | undefined;
  extractResponse: ((options: { query: string; prompt: string }) => string | null) | undefined;
  assistantMarkers: readonly string[];
  toScore: (result: RewardResult) => number;
  missingValue: number;
  extraLogKeys: readonly string[];
  logFill: number | 'NaN';
  advantage: { estimator: AdvantageEstimator; scale: AdvantageScale; epsilon: number; std: 'unbiased' | 'population' };
  shutdownTimeoutMs: number;
  clock: () => number;
  scoreSample: SampleScorer;
  onWarning: (warning: RewardServerWarning) => void;
}

/**
 * Validate the server options (misspelled or mistyped ones are rejected with `INVALID_CONFIG`) and fill defaults.
 */
export function resolveConfig(input: RewardServerOptions): ResolvedConfig {
  const options = parseWith(optionsSchema, input, { label: 'reward server options', code: 'INVALID_CONFIG' });
  if ((options.reward === undefined) === (options.rewardFn === undefined)) {
    throw new TradeR1Error('INVALID_CONFIG', 'createRewardServer needs exactly one of `reward` or `rewardFn`');
  }
  const rewardFn = options.rewardFn as RewardFunction | undefined;
  const rewardName = rewardFn?.name || 'reward';
  const reward: Reward<unknown> =
    options.reward ??
    (createReward<RewardSample>({
      name: rewardName,
      input: rewardSampleSchema,
      run: async (sample, context) =>
        normalizeOutput(rewardName, await (rewardFn as RewardFunction)(sample, { signal: context.signal })),
    }) as Reward<unknown>);
  const maxConcurrency = options.maxConcurrency ?? workerPoolOf(reward)?.capacity ?? 64;
  const maxQueue = options.maxQueue ?? 8192;
  const maxBatchSize = options.maxBatchSize ?? Math.min(4096, maxConcurrency + maxQueue);
  if (maxBatchSize > maxConcurrency + maxQueue) {
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `maxBatchSize (${maxBatchSize}) exceeds maxConcurrency + maxQueue (${maxConcurrency + maxQueue}): such a request could never be admitted`,
      { details: { maxBatchSize, maxConcurrency, maxQueue } },
    );
  }
  const missingValue = options.missingValue ?? 0;
  const extraLogKeys = [...new Set(options.extraLogKeys ?? [])];
  return {
    reward,
    groupReward: options.groupReward as GroupRewardFunction | undefined,
    sampleTimeoutMs: options.sampleTimeoutMs ?? 30_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    fallback: options.fallback as RewardFallback | undefined,
    maxBodyBytes: options.maxBodyBytes ?? 1_048_576,
    maxBatchSize,
    maxConcurrency,
    maxQueue,
    maxConnections: options.maxConnections ?? 1024,
    headersTimeoutMs: options.headersTimeoutMs ?? 20_000,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 30_000,
    token: options.token,
    extractResponse: options.extractResponse as ResolvedConfig['extractResponse'],
    assistantMarkers: options.assistantMarkers ?? DEFAULT_ASSISTANT_MARKERS,
    toScore: (options.toScore as ResolvedConfig['toScore'] | undefined) ?? ((result) => result.value ?? missingValue),
    missingValue,
    extraLogKeys,
    logFill: options.logFill ?? missingValue,
    advantage: {
      estimator: options.advantage?.estimator ?? 'grpo',
      scale: options.advantage?.scale ?? 'group',
      epsilon: options.advantage?.epsilon ?? 1e-4,
      std: options.advantage?.std ?? 'unbiased',
    },
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30_000,
    clock: (options.clock as (() => number) | undefined) ?? (() => performance.now()),
    scoreSample: (options.scoreSample as SampleScorer | undefined) ?? scoreSample,
    onWarning:
      (options.onWarning as ResolvedConfig['onWarning'] | undefined) ??
      ((warning) => process.emitWarning(warning.message, { code: `TRADE_R1_${warning.code}` })),
  };
}
