import { TradeR1Error } from '../errors.ts';

/** Statuses an OpenAI-compatible server answers for a transient condition (as the OpenAI SDKs retry them). */
export function isRetryableStatus(status: number): boolean {
  if (!Number.isInteger(status)) {
    throw new TradeR1Error('INVALID_INPUT', `isRetryableStatus needs an integer status, got ${String(status)}`, {
      details: { field: 'status' },
    });
  }
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * How long a server asked the client to wait, in milliseconds, or `null` when it did not say: `retry-after-ms`
 * (OpenAI, milliseconds) first, then `Retry-After` as delay-seconds (`"2"`, `"1.5"`) or an HTTP date (measured from
 * `nowMs`; a date in the past is 0). Negative, non-numeric and unparseable values are ignored.
 */
export function retryAfterMs(headers: HeaderSource, nowMs: number): number | null {
  if (typeof headers !== 'object' || headers === null || typeof (headers as HeaderSource).get !== 'function') {
    throw new TradeR1Error('INVALID_INPUT', 'retryAfterMs needs a Headers object', { details: { field: 'headers' } });
  }
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) {
    throw new TradeR1Error('INVALID_INPUT', `retryAfterMs needs a finite nowMs, got ${String(nowMs)}`, {
      details: { field: 'nowMs' },
    });
  }
  const milliseconds = headers.get('retry-after-ms')?.trim();
  if (milliseconds && /^\d+(\.\d+)?$/.test(milliseconds)) return Math.ceil(Number(milliseconds));
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date has a weekday or month name; a bare number that failed the test above (e.g. "-1") is not one.
  if (!/[a-z]/i.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

/** Exponential backoff: `baseMs · 2^attempt` (attempt 0 is the first retry), capped at `maxMs`. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  for (const [field, value] of Object.entries({ attempt, baseMs, maxMs })) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new TradeR1Error('INVALID_INPUT', `backoffMs needs a non-negative ${field}, got ${String(value)}`, {
        details: { field },
      });
    }
  }
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
}
