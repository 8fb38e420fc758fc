import { TradeR1Error } from '@trade-r1/core';
import type { Reward, RewardFallback, RewardResult } from '../define-reward.ts';
import type { RewardSample } from './schemas.ts';

/** What the server passes when it scores one sample. */
export interface ScoreSampleOptions {
  /** Aborts when the request ends (client gone, failure of another sample, shutdown) or times out. */
  signal: AbortSignal;
  /** The per-sample time limit in ms. */
  timeoutMs: number;
  /** The declared fallback for timed-out (or failed) samples, if any. */
  fallback?: RewardFallback;
}

/**
 * The one place where the server invokes a reward on one sample. Replace it (option `scoreSample` of
 * `createRewardServer`) to run rewards elsewhere, e.g. in a pool of worker threads; a replacement must honour
 * `signal` and `timeoutMs` and resolve to a {@link RewardResult} (or reject with a `TradeR1Error`).
 */
export type SampleScorer = (
  reward: Reward<unknown>,
  sample: RewardSample,
  options: ScoreSampleOptions,
) => Promise<RewardResult>;

/** Default {@link SampleScorer}: evaluate the reward in this thread (bad arguments reject, they never throw). */
export const scoreSample: SampleScorer = (reward, sample, options) => {
  if (typeof (reward as Partial<Reward<unknown>> | null | undefined)?.evaluate !== 'function') {
    return Promise.reject(
      new TradeR1Error('INVALID_INPUT', 'scoreSample needs a reward (from defineReward/composeRewards)', {
        details: { field: 'reward' },
      }),
    );
  }
  if (typeof options !== 'object' || options === null) {
    return Promise.reject(
      new TradeR1Error('INVALID_INPUT', 'scoreSample needs options { signal, timeoutMs, fallback? }', {
        details: { field: 'options' },
      }),
    );
  }
  // Passed straight through: the reward's own evaluate is the promise (no async wrapper on the hot path).
  return reward.evaluate(sample, {
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.fallback && { fallback: options.fallback }),
  });
};
