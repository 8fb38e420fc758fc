import { TradeR1Error } from '@trade-r1/core';

/** Waits `ms` milliseconds; rejects with `ABORTED` when `signal` fires. Injected in tests to control time. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A clock returning epoch milliseconds. */
export type Clock = () => number;

/** The system clock (`Date.now`). The default wherever a `now` option is accepted. */
export const systemClock: Clock = () => Date.now();

function abortedError(signal: AbortSignal): TradeR1Error {
  return new TradeR1Error('ABORTED', 'Operation aborted', { cause: signal.reason });
}

/** A real-time {@link Sleep} based on `setTimeout`, cancelled by the signal. */
export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
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
