import { z } from 'zod';
import { isIsoDate, parseTimestamp, toIsoInstant } from '../dates.ts';

/**
 * A ticker symbol, trimmed and upper-cased: `AAPL`, `BRK.B`, `600519.SH`, `^GSPC`, `BTC-USD`.
 */
export const tickerSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9^][A-Z0-9.\-^=_]{0,23}$/, 'ticker must be 1-24 characters of A-Z, 0-9, . - ^ = _');
/** A ticker symbol (see {@link tickerSchema}). */
export type Ticker = z.infer<typeof tickerSchema>;

/** An ISO calendar date `YYYY-MM-DD` that exists. */
export const isoDateSchema = z.string().refine(isIsoDate, 'expected an ISO date YYYY-MM-DD that exists');

function isParseableTimestamp(value: string): boolean {
  try {
    parseTimestamp(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * A publication or decision time: an ISO date or date-time with an offset. Normalised to the canonical UTC
 * instant string; a date-only value becomes the end of that UTC day (see `dates.ts`).
 */
export const instantSchema = z
  .string()
  .trim()
  .refine(isParseableTimestamp, 'expected an ISO date or date-time such as 2024-01-05 or 2024-01-05T14:30:00Z')
  .transform((value) => toIsoInstant(value));

/** A finite number (no NaN, no ±Infinity). */
export const finiteNumberSchema = z.number().refine(Number.isFinite, 'expected a finite number');
