import { AsyncLocalStorage } from 'node:async_hooks';

/** What a stray rejection raised inside a sample's scoring is reported to. */
export interface SampleScope {
  /** Fail the sample (no-op once it has settled). */
  fail(reason: unknown): void;
}

const scopes = new AsyncLocalStorage<SampleScope>();
const listeners = new Set<(reason: unknown) => void>();

function onUnhandledRejection(reason: unknown): void {
  const scope = scopes.getStore();
  if (scope === undefined) {
    // Not from reward code: leave it to the application's own handler, or keep Node's default (end the process).
    if (process.listenerCount('unhandledRejection') === 1) throw reason;
    return;
  }
  scope.fail(reason);
  for (const listener of listeners) listener(reason);
}

/**
 * Run one sample's scoring so that a promise rejection its code leaves unhandled (a floating `fetch`, a timer that
 * rejects) is attributed to the sample instead of ending the process. Async context follows timers and promises
 * created inside `work`, so the rejection is traced to the sample that started it.
 */
export function inSampleScope<T>(scope: SampleScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

/**
 * Listen for unhandled rejections raised by reward code while a server runs (one process-wide handler shared by all
 * servers). Rejections outside any sample keep Node's default behaviour unless the application has its own handler. Returns the
 * function that stops listening.
 */
export function watchStrayRejections(listener: (reason: unknown) => void): () => void {
  if (listeners.size === 0) process.on('unhandledRejection', onUnhandledRejection);
  listeners.add(listener);
  return () => {
    if (!listeners.delete(listener)) return;
    if (listeners.size === 0) process.off('unhandledRejection', onUnhandledRejection);
  };
}
