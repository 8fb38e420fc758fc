import { TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { z } from 'zod';
import { functionSchema, parseArgument } from '../validate.ts';
import { type Clock, realSleep, type Sleep, systemClock } from './sleep.ts';

// capacity and refillPerSecond ranges are checked below (INVALID_CONFIG naming the value).
const tokenBucketOptionsSchema = z.strictObject({
  capacity: z.number(),
  refillPerSecond: z.number(),
  now: functionSchema.optional(),
  sleep: functionSchema.optional(),
});

/** Grants permission to send one request; waits when the budget is spent. */
export interface RateLimiter {
  /** Resolves when a request may be sent. Rejects with `ABORTED` when the signal fires while waiting. */
  acquire(signal?: AbortSignal): Promise<void>;
}

/** Options for {@link createTokenBucket}. */
export interface TokenBucketOptions {
  /** Maximum burst: tokens held when idle. */
  capacity: number;
  /** Tokens added per second (the sustained request rate). */
  refillPerSecond: number;
  /** Clock in epoch ms. @default Date.now */
  now?: Clock;
  /** How to wait. @default a setTimeout-based sleep */
  sleep?: Sleep;
}

/** A token-bucket {@link RateLimiter} with an inspectable level. */
export interface TokenBucket extends RateLimiter {
  /** Tokens available now (fractional). */
  available(): number;
}

/**
 * A token bucket: up to `capacity` requests at once, then `refillPerSecond` sustained. Waiters are served in
 * FIFO order. Share one bucket between provider instances that use the same vendor account.
 * @throws {TradeR1Error} `INVALID_CONFIG` for a non-positive capacity or rate.
 */
export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  parseArgument(tokenBucketOptionsSchema, options, {
    fn: 'createTokenBucket()',
    field: 'options',
    code: 'INVALID_CONFIG',
  });
  const { capacity, refillPerSecond } = options;
  if (!(Number.isFinite(capacity) && capacity >= 1)) {
    throw new TradeR1Error('INVALID_CONFIG', `Token bucket capacity must be a number >= 1, got ${capacity}`, {
      details: { capacity },
    });
  }
  if (!(Number.isFinite(refillPerSecond) && refillPerSecond > 0)) {
    throw new TradeR1Error('INVALID_CONFIG', `Token bucket refillPerSecond must be > 0, got ${refillPerSecond}`, {
      details: { refillPerSecond },
    });
  }
  const now = options.now ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  let tokens = capacity;
  let last = now();
  let tail: Promise<void> = Promise.resolve();

  const refill = (): void => {
    const time = now();
    const elapsed = Math.max(0, time - last);
    tokens = Math.min(capacity, tokens + (elapsed * refillPerSecond) / 1000);
    last = time;
  };

  const take = async (signal: AbortSignal | undefined): Promise<void> => {
    for (;;) {
      throwIfAborted(signal);
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - tokens) * 1000) / refillPerSecond), signal);
    }
  };

  return {
    acquire(signal) {
      const turn = tail.then(() => take(signal));
      tail = turn.catch(() => undefined);
      return turn;
    },
    available() {
      refill();
      return tokens;
    },
  };
}
