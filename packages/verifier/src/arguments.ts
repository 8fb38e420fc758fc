import { type ErrorCode, parseWith, TradeR1Error } from '@trade-r1/core';
import type { z } from 'zod';

/**
 * Argument checks at the public boundary of the verifier's pure functions: a JavaScript caller passing `undefined`
 * or a wrong type gets a `TradeR1Error` naming the function and the field (`details.field`), never a `TypeError`
 * from inside. Primitive checks are plain `typeof` tests (these functions run per sentence and per claim); objects
 * are validated with zod through core's `parseWith`.
 */

function kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function fail(fn: string, field: string, expected: string, value: unknown, code: ErrorCode = 'INVALID_INPUT'): never {
  throw new TradeR1Error(code, `${fn}: ${field} must be ${expected}, got ${kind(value)}`, {
    details: { function: fn, field, type: kind(value) },
  });
}

/** Throw `INVALID_INPUT` unless `value` is a string. */
export function assertString(value: unknown, fn: string, field: string): asserts value is string {
  if (typeof value !== 'string') fail(fn, field, 'a string', value);
}

/** Throw `INVALID_INPUT` unless `value` is a number (NaN and ±Infinity allowed: callers map them). */
export function assertNumber(value: unknown, fn: string, field: string): asserts value is number {
  if (typeof value !== 'number') fail(fn, field, 'a number', value);
}

/** Throw `INVALID_INPUT` unless `value` is an array of numbers. */
export function assertNumberArray(value: unknown, fn: string, field: string): asserts value is readonly number[] {
  if (!Array.isArray(value)) fail(fn, field, 'an array of numbers', value);
  for (let index = 0; index < value.length; index += 1) {
    if (typeof value[index] !== 'number') fail(fn, `${field}[${index}]`, 'a number', value[index]);
  }
}

/** Throw `INVALID_INPUT` unless `value` is an array or a numeric typed array. */
export function assertVector(value: unknown, fn: string, field: string): asserts value is ArrayLike<number> {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    fail(fn, field, 'an array or a typed array of numbers', value);
  }
}

/** Throw `INVALID_INPUT` unless `value` is an array. */
export function assertArray(value: unknown, fn: string, field: string): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) fail(fn, field, 'an array', value);
}

/** Throw `INVALID_INPUT` unless `value` is a function. */
export function assertFunction(
  value: unknown,
  fn: string,
  field: string,
): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') fail(fn, field, 'a function', value);
}

/** Validate an object argument with a zod schema. @throws {TradeR1Error} `code` (default `INVALID_INPUT`) */
export function parseArgument<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  fn: string,
  field: string,
  code: ErrorCode = 'INVALID_INPUT',
): z.output<Schema> {
  return parseWith(schema, value, { code, label: `${fn} ${field}`, details: { function: fn, field } });
}

/** Throw `INVALID_INPUT` unless `value` is a non-null object. */
export function assertRecord(value: unknown, fn: string, field: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) fail(fn, field, 'an object', value);
}

/** Throw `INVALID_INPUT` unless `value` has a `has(key)` method (a Set of terms). */
export function assertSetLike(value: unknown, fn: string, field: string): asserts value is ReadonlySet<string> {
  if (typeof (value as { has?: unknown } | null)?.has !== 'function') fail(fn, field, 'a Set', value);
}

/**
 * Throw `INVALID_INPUT` unless `value` looks like a claim's `checks`: `numbers`, `entities`, `periods` and
 * `directions` arrays of objects (a per-claim hot path, so no schema parse).
 */
export function assertChecks(value: unknown, fn: string, field: string): void {
  assertRecord(value, fn, field);
  for (const list of ['numbers', 'entities', 'periods', 'directions']) {
    const items = value[list];
    assertArray(items, fn, `${field}.${list}`);
    items.forEach((item, index) => {
      assertRecord(item, fn, `${field}.${list}[${index}]`);
    });
  }
}
