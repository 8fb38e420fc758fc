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

/** Default {@link SampleScorer}: evaluate the reward in this thread. */
export const scoreSample: SampleScorer = async (reward, sample, options) => {
  if (typeof (reward as Partial<Reward<unknown>> | null | undefined)?.evaluate !== 'function') {
    throw new TradeR1Error('INVALID_INPUT', 'scoreSample needs a reward (from defineReward/composeRewards)', {
      details: { field: 'reward' },
    });
  }
  if (typeof options !== 'object' || options === null) {
    throw new TradeR1Error('INVALID_INPUT', 'scoreSample needs options { signal, timeoutMs, fallback? }', {
      details: { field: 'options' },
    });
  }
  return reward.evaluate(sample, {
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    ...(options.fallback && { fallback: options.fallback }),
  });
};
