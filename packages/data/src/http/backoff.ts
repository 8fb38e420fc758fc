/**
 * Retry timing: exponential backoff with jitter, and the HTTP `Retry-After` header. Pure functions.
 */
import { z } from 'zod';
import { functionSchema, parseArgument } from '../validate.ts';

const backoffOptionsSchema = z.strictObject({
  baseDelayMs: z.number().min(0).optional(),
  maxDelayMs: z.number().min(0).optional(),
});

/** Exponential backoff settings. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. @default 500 */
  baseDelayMs?: number;
  /** Upper bound for any backoff delay. @default 30000 */
  maxDelayMs?: number;
}

/** Default backoff: 0.5 s doubling up to 30 s. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Delay before retry number `attempt` (0 for the first retry): exponential growth `base * 2^attempt`, capped at
 * `maxDelayMs`, with "equal jitter" (half fixed, half uniform from `random()`), so concurrent clients spread out
 * while every retry still waits at least half the exponential delay.
 * @param random a uniform [0, 1) source, e.g. a seeded `Rng.next`.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  parseArgument(z.number(), attempt, { fn: 'backoffDelay()', field: 'attempt' });
  parseArgument(backoffOptionsSchema, options, { fn: 'backoffDelay()', field: 'options', code: 'INVALID_CONFIG' });
  parseArgument(functionSchema, random, { fn: 'backoffDelay()', field: 'random' });
  const base = options.baseDelayMs ?? DEFAULT_BACKOFF.baseDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Milliseconds to wait according to a `Retry-After` header: either delay-seconds (`"120"`) or an HTTP-date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, relative to `nowMs`). `undefined` when absent or unparseable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  parseArgument(z.string().nullish(), value, { fn: 'parseRetryAfter()', field: 'value' });
  parseArgument(z.number(), nowMs, { fn: 'parseRetryAfter()', field: 'nowMs' });
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP-date always names a day or month ("Wed, 21 Oct 2015 07:28:00 GMT"); "-5" is no date.
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}
