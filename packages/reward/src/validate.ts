import { TradeR1Error } from '@trade-r1/core';

/**
 * Hot-path argument checks for the pure reward math. They throw the same typed error a zod boundary would
 * (`INVALID_INPUT` with the offending value in `details`) without paying for a schema parse per call.
 */

/** Throw `INVALID_INPUT` unless `value` is a finite number. */
export function assertFinite(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TradeR1Error('INVALID_INPUT', `${name} must be a finite number, got ${String(value)}`, {
      details: { [name]: describe(value) },
    });
  }
}

/** Throw `INVALID_INPUT` unless `value` is a finite number in [0, 1]. */
export function assertUnitInterval(value: unknown, name: string): asserts value is number {
  assertFinite(value, name);
  if (value < 0 || value > 1) {
    throw new TradeR1Error('INVALID_INPUT', `${name} must lie in [0, 1], got ${value}`, {
      details: { [name]: value },
    });
  }
}

/** Throw `INVALID_CONFIG` unless `value` is a finite number ≥ 0. */
export function assertNonNegative(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TradeR1Error('INVALID_CONFIG', `${name} must be a finite number >= 0, got ${String(value)}`, {
      details: { [name]: describe(value) },
    });
  }
}

function describe(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'undefined';
  return value;
}
