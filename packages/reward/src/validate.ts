import { type ErrorCode, parseWith, TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';

/**
 * Hot-path argument checks for the pure reward math. They throw the same typed error a zod boundary would
 * (`INVALID_INPUT` with the offending value in `details`) without paying for a schema parse per call.
 */

/** Throw `INVALID_INPUT` unless `value` is a finite number. */
export function assertFinite(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TradeR1Error('INVALID_INPUT', `${name} must be a finite number, got ${safeString(value)}`, {
      details: { field: name, [name]: describe(value) },
    });
  }
}

/** Throw `INVALID_INPUT` unless `value` is a finite number in [0, 1]. */
export function assertUnitInterval(value: unknown, name: string): asserts value is number {
  assertFinite(value, name);
  if (value < 0 || value > 1) {
    throw new TradeR1Error('INVALID_INPUT', `${name} must lie in [0, 1], got ${value}`, {
      details: { field: name, [name]: value },
    });
  }
}

/** Throw `INVALID_CONFIG` unless `value` is a finite number ≥ 0. */
export function assertNonNegative(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TradeR1Error('INVALID_CONFIG', `${name} must be a finite number >= 0, got ${safeString(value)}`, {
      details: { field: name, [name]: describe(value) },
    });
  }
}

function describe(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value === undefined) return 'undefined';
  return value;
}

/**
 * Validate the options object of a public function with a strict zod schema (unknown, misspelled keys are
 * rejected). Fields whose values are checked further in the function are `z.unknown()` in the schema, so their
 * own typed errors (and codes) stay as they are. @throws {TradeR1Error} `code` (default `INVALID_INPUT`)
 */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  label: string,
  code: ErrorCode = 'INVALID_INPUT',
): z.output<Schema> {
  return parseWith(schema, value, { code, label: `${label} options`, details: { function: label } });
}

/** An array or a numeric typed array (what the reward math reads with `length` and indexing). */
export const arrayLikeSchema = z.custom<ArrayLike<unknown>>(
  (value) => Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)),
  { message: 'expected an array or a typed array' },
);

/** A zod schema (anything with `safeParse`). */
export const zodSchemaSchema = z.custom<z.ZodType>(
  (value) =>
    typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function',
  { message: 'expected a zod schema' },
);

/** A function. */
export const functionSchema = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
  message: 'expected a function',
});

/** Lines searched for a decision tag: a number >= 0, `Infinity` allowed. */
export const lastLinesSchema = z.custom<number>(
  (value) => typeof value === 'number' && !Number.isNaN(value) && value >= 0,
  { message: 'expected a number >= 0 (Infinity searches everywhere)' },
);

/** Throw `INVALID_INPUT` unless `value` is a string. */
export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') {
    throw new TradeR1Error('INVALID_INPUT', `${name} must be a string, got ${typeOf(value)}`, {
      details: { field: name, type: typeOf(value) },
    });
  }
}

/** Throw `INVALID_INPUT` unless `value` is a finite number >= 0 (a count or a word count). */
export function assertCount(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TradeR1Error('INVALID_INPUT', `${name} must be a finite number >= 0, got ${safeString(value)}`, {
      details: { field: name, [name]: describe(value) },
    });
  }
}

/** Throw `INVALID_INPUT` unless `values` is an array of finite numbers. */
export function assertFiniteArray(values: unknown, name: string): asserts values is readonly number[] {
  if (!Array.isArray(values)) {
    throw new TradeR1Error('INVALID_INPUT', `${name} must be an array of finite numbers, got ${typeOf(values)}`, {
      details: { field: name, type: typeOf(values) },
    });
  }
  for (let index = 0; index < values.length; index += 1) assertFinite(values[index], `${name}[${index}]`);
}

function typeOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** `String(value)` that never throws (objects without a prototype or with a throwing `toString`). */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
