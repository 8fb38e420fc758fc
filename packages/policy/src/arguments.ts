import { type ErrorCode, parseWith, TradeR1Error } from '@trade-r1/core';
import type { z } from 'zod';

/**
 * Argument checks at the public boundary of the policy's functions: a JavaScript caller passing `undefined` or a
 * wrong type gets a `TradeR1Error` naming the function and the field (`details.field`), never a `TypeError` from
 * inside. Primitive checks are plain `typeof` tests (the indicator and sampling math runs per bar and per token);
 * objects are validated with zod through core's `parseWith`.
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

/** Throw `INVALID_INPUT` unless `value` is an integer. */
export function assertInteger(value: unknown, fn: string, field: string): asserts value is number {
  if (!Number.isInteger(value)) fail(fn, field, 'an integer', value);
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

/** Throw `INVALID_INPUT` unless `value` is a non-null object. */
export function assertRecord(value: unknown, fn: string, field: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) fail(fn, field, 'an object', value);
}

/** Throw `INVALID_INPUT` unless `value` is async-iterable. */
export function assertAsyncIterable(
  value: unknown,
  fn: string,
  field: string,
): asserts value is AsyncIterable<unknown> {
  if (typeof (value as { [Symbol.asyncIterator]?: unknown } | null)?.[Symbol.asyncIterator] !== 'function') {
    fail(fn, field, 'an async iterable', value);
  }
}

/** Validate an argument with a zod schema. @throws {TradeR1Error} `code` (default `INVALID_INPUT`) */
export function parseArgument<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  fn: string,
  field: string,
  code: ErrorCode = 'INVALID_INPUT',
): z.output<Schema> {
  return parseWith(schema, value, { code, label: `${fn} ${field}`, details: { function: fn, field } });
}
