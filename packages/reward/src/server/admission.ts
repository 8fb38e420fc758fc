import { TradeR1Error } from '@trade-r1/core';

/** The samples of one admitted request: each {@link AdmittedBatch.run} takes one scoring slot, first come first served. */
export interface AdmittedBatch {
  /**
   * Run one sample's work in a slot. Waits (FIFO, over all requests) while the global budget is used; rejects with
   * the signal's reason, without running, when the request is cancelled while waiting.
   */
  run<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Run work that scores `count` samples at once (a group reward) in `count` slots (at most the whole budget),
   * with the same waiting and cancellation as {@link AdmittedBatch.run}.
   */
  runMany<T>(count: number, work: () => Promise<T>): Promise<T>;
  /** Give back the reservations of samples that never ran (idempotent). Call when the request ends. */
  dispose(): void;
}

interface Waiter {
  batch: Batch;
  slots: number;
  start: () => void;
  cancel: (reason: unknown) => void;
}

interface Batch {
  reserved: number;
  disposed: boolean;
  /** Waiters of this batch in the queue (the abort listener is only registered while there are some). */
  waiting: number;
  signal: AbortSignal;
  onAbort: (() => void) | undefined;
}

/**
 * Admission control counted in samples, not requests: at most `maxActive` samples are scored at once over all
 * requests, and at most `maxQueued` more wait. A request is admitted whole or not at all (the caller answers 503),
 * so a request never starts some samples and then finds no room for the rest.
 */
export class SampleAdmission {
  #active = 0;
  #reserved = 0;
  readonly #waiters: Waiter[] = [];

  constructor(
    readonly maxActive: number,
    readonly maxQueued: number,
  ) {}

  /** Samples being scored now. */
  get active(): number {
    return this.#active;
  }

  /** Samples admitted but not started yet. */
  get queued(): number {
    return this.#reserved;
  }

  /** True when not even one more sample would be admitted (checked before reading a body). */
  saturated(): boolean {
    return this.#active + this.#reserved >= this.maxActive + this.maxQueued;
  }

  /** Reserve `count` samples for a request, or `undefined` when they do not fit. */
  admit(count: number, signal: AbortSignal): AdmittedBatch | undefined {
    if (this.#active + this.#reserved + count > this.maxActive + this.maxQueued) return undefined;
    const batch: Batch = { reserved: count, disposed: false, waiting: 0, signal, onAbort: undefined };
    this.#reserved += count;
    return {
      run: <T>(work: () => Promise<T>): Promise<T> => this.#run(batch, 1, work),
      runMany: <T>(count: number, work: () => Promise<T>): Promise<T> => this.#run(batch, count, work),
      dispose: () => {
        if (batch.disposed) return;
        // Only a batch with samples still waiting pays for an error object (the common case has none).
        if (batch.waiting > 0) this.#cancelWaiting(batch, new TradeR1Error('ABORTED', 'the request ended'));
        batch.disposed = true;
        this.#reserved -= batch.reserved;
        batch.reserved = 0;
        if (batch.onAbort) signal.removeEventListener('abort', batch.onAbort);
        this.#drain();
      },
    };
  }

  #run<T>(batch: Batch, count: number, work: () => Promise<T>): Promise<T> {
    if (batch.disposed || batch.reserved < count) {
      return Promise.reject(new TradeR1Error('INTERNAL', 'admission batch used beyond its reservation'));
    }
    const { signal } = batch;
    if (signal.aborted) return Promise.reject(signal.reason);
    const slots = Math.min(count, this.maxActive);
    const release = () => {
      this.#active -= slots;
      this.#drain();
    };
    const claim = () => {
      batch.reserved -= count;
      this.#reserved -= count;
      this.#active += slots;
    };
    if (this.#waiters.length === 0 && this.#active + slots <= this.maxActive) {
      // A free slot: run now, without a wrapper promise.
      claim();
      let settled: Promise<T>;
      try {
        settled = work();
      } catch (error) {
        settled = Promise.reject(error);
      }
      return settled.then(
        (value) => {
          release();
          return value;
        },
        (error: unknown) => {
          release();
          throw error;
        },
      );
    }
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        batch.waiting -= 1;
        claim();
        let settled: Promise<T>;
        try {
          settled = work();
        } catch (error) {
          settled = Promise.reject(error);
        }
        settled.then(
          (value) => {
            release();
            resolve(value);
          },
          (error: unknown) => {
            release();
            reject(error);
          },
        );
      };
      const cancel = (reason: unknown) => {
        batch.waiting -= 1;
        reject(reason);
      };
      batch.waiting += 1;
      if (batch.onAbort === undefined) {
        batch.onAbort = () => this.#cancelWaiting(batch, signal.reason);
        signal.addEventListener('abort', batch.onAbort, { once: true });
      }
      this.#waiters.push({ batch, slots, start, cancel });
    });
  }

  #cancelWaiting(batch: Batch, reason: unknown): void {
    if (batch.waiting === 0) return;
    for (let index = this.#waiters.length - 1; index >= 0; index -= 1) {
      const waiter = this.#waiters[index] as Waiter;
      if (waiter.batch !== batch) continue;
      this.#waiters.splice(index, 1);
      waiter.cancel(reason);
    }
  }

  #drain(): void {
    // First come, first served: a waiter needing several slots holds back those behind it.
    while (this.#waiters.length > 0 && this.#active + (this.#waiters[0] as Waiter).slots <= this.maxActive) {
      (this.#waiters.shift() as Waiter).start();
    }
  }
}
