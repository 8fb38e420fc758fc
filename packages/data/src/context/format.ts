/**
 * Compact number formatting for prompts (Trading-R1 abbreviates numbers to save tokens: 1000 → 1k).
 */
import { z } from 'zod';
import { parseArgument } from '../validate.ts';

const valueSchema = z.number().nullish();
const digitsSchema = z.number().int().min(1).max(100);

const UNITS: ReadonlyArray<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

function trimZeros(text: string): string {
  return text.includes('.') && !text.includes('e') ? text.replace(/\.?0+$/, '') : text;
}

/**
 * Format a number with `digits` significant digits, abbreviating thousands and above with k/M/B/T
 * (`1234567 → "1.23M"`, `0.012345 → "0.0123"`, `-4500 → "-4.5k"`). `null` and non-finite values print as `"NA"`.
 * @throws {TradeR1Error} `INVALID_INPUT` for a value that is not a number or null, or `digits` outside 1…100.
 */
export function formatCompactNumber(value: number | null | undefined, digits = 3): string {
  parseArgument(valueSchema, value, { fn: 'formatCompactNumber()', field: 'value' });
  parseArgument(digitsSchema, digits, { fn: 'formatCompactNumber()', field: 'digits' });
  if (value === null || value === undefined || !Number.isFinite(value)) return 'NA';
  const magnitude = Math.abs(value);
  for (const [scale, suffix] of UNITS) {
    if (magnitude >= scale) return `${trimZeros((value / scale).toPrecision(digits))}${suffix}`;
  }
  if (magnitude === 0) return '0';
  if (magnitude >= 1) return trimZeros(value.toFixed(Math.max(0, digits - 1 - Math.floor(Math.log10(magnitude)))));
  return trimZeros(value.toPrecision(digits));
}

/** Format a price: up to 6 significant digits without abbreviation (`123.456789 → "123.457"`). */
export function formatPrice(value: number): string {
  parseArgument(z.number(), value, { fn: 'formatPrice()', field: 'value' });
  if (!Number.isFinite(value)) return 'NA';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6) return formatCompactNumber(value, 6);
  return trimZeros(value.toPrecision(6));
}
