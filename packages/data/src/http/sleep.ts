import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { parseArgument } from '../validate.ts';

/** The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** Waits `ms` milliseconds; rejects with `ABORTED` when `signal` fires. Injected in tests to control time. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A clock returning epoch milliseconds. */
export type Clock = () => number;

/** The system clock (`Date.now`). The default wherever a `now` option is accepted. */
export const systemClock: Clock = () => Date.now();

function abortedError(signal: AbortSignal): TradeR1Error {
  return new TradeR1Error('ABORTED', 'Operation aborted', { cause: signal.reason });
}

/**
 * A real-time {@link Sleep} based on `setTimeout`, cancelled by the signal. Rejects with `INVALID_INPUT` for a
 * non-number `ms`, `ms` above 2^31 − 1 (what setTimeout can wait), or a `signal` that is not an AbortSignal.
 */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    // setTimeout fires at once for delays above 2^31 − 1 ms; say so instead of not waiting.
    parseArgument(z.number().max(MAX_TIMEOUT_MS), ms, { fn: 'realSleep()', field: 'ms' });
    parseArgument(z.instanceof(AbortSignal).optional(), signal, { fn: 'realSleep()', field: 'signal' });
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal as AbortSignal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
