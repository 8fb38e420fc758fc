import { type ErrorCode, parseWith } from '@trade-r1/core';
import { z } from 'zod';

/**
 * Argument checks at the public boundary of @trade-r1/data: a JavaScript caller passing `undefined`, a wrong type
 * or a misspelled option gets a `TradeR1Error` naming the field (`details.field` and the zod `issues`), never a
 * bare `TypeError` from deep inside.
 */

/** Validate one argument of `fn` with a zod schema. @throws {TradeR1Error} `code` (default `INVALID_INPUT`) */
export function parseArgument<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  where: { fn: string; field: string; code?: ErrorCode },
): z.output<Schema> {
  return parseWith(schema, value, {
    code: where.code ?? 'INVALID_INPUT',
    label: `${where.fn} ${where.field}`,
    details: { function: where.fn, field: where.field },
  });
}

/**
 * A strict object schema accepting exactly `keys` (all optional, any value): for options whose values are
 * checked further in, with their own messages. Unknown (misspelled) keys are rejected.
 */
export function keysOnly(keys: readonly string[]): z.ZodType<Record<string, unknown>> {
  return z.strictObject(Object.fromEntries(keys.map((key) => [key, z.unknown().optional()])));
}

/** A function value. */
export const functionSchema = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', {
  message: 'expected a function',
});

/** An array or a numeric typed array. */
export const arrayLikeSchema = z.custom<ArrayLike<unknown>>(
  (value) => Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView)),
  { message: 'expected an array or a typed array' },
);

/** A file path: a non-empty string or a `file:` URL. */
export const pathSchema = z.union([z.string().min(1), z.instanceof(URL)]);

/** An object with the given method names. */
export function withMethods(...methods: string[]): z.ZodType<object> {
  return z.custom<object>(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
    { message: `expected an object with ${methods.map((method) => `${method}()`).join(', ')}` },
  );
}

/** `String(value)` that never throws (objects without a prototype, throwing `toString`). */
export function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
