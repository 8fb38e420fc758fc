/**
 * The export property every package's suite runs: each public function, called with arbitrary JavaScript values
 * (undefined, null, wrong types, option objects with real or misspelled keys holding junk), either returns or fails
 * with a `TradeR1Error` that has a code — synchronously, as a rejection, or while an async iterator is drained.
 */
import { TradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A public function as the property calls it. */
export type AnyFunction = (...args: unknown[]) => unknown;

/**
 * The exported functions of a module: lower-case names only (classes and constants start upper case), zod schemas
 * and the `excluded` names (each with its reason) left out.
 */
export function publicFunctions(
  module: Record<string, unknown>,
  excluded: Readonly<Record<string, string>> = {},
  prefix = '',
): Array<[string, AnyFunction]> {
  return Object.entries(module)
    .filter(
      ([name, value]) =>
        typeof value === 'function' &&
        !/^[A-Z]/.test(name) &&
        !('safeParse' in (value as object)) &&
        !(name in excluded),
    )
    .map(([name, value]) => [`${prefix}${name}`, value as AnyFunction]);
}

/**
 * Arbitrary argument values: the JavaScript kinds a caller gets wrong, `samples` (strings or values a package reads,
 * so that some calls get past the first check), arrays of junk and objects whose keys are drawn from `keys` (the
 * package's real option and field names) holding anything.
 */
export function junkValues(options: { keys: readonly string[]; samples?: readonly unknown[] }): fc.Arbitrary<unknown> {
  const { keys, samples = [] } = options;
  return fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string(),
    ...samples.map((sample) => fc.constant(sample)),
    fc.array(fc.oneof(fc.double(), fc.string(), fc.constant(undefined)), { maxLength: 6 }),
    ...(keys.length > 0 ? [fc.dictionary(fc.constantFrom(...keys), fc.anything(), { maxKeys: 4 })] : []),
    fc.anything(),
  );
}

/** Call `fn`, await its result and drain it when it is an async iterator; the thrown value, or the result. */
export async function settle(fn: AnyFunction, args: readonly unknown[]): Promise<unknown> {
  try {
    const out = fn(...args);
    if (out && typeof (out as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      for await (const _ of out as AsyncIterable<unknown>) {
        // drain
      }
    }
    return await out;
  } catch (error) {
    return error;
  }
}

/** Fail unless `outcome` is a result or a `TradeR1Error` with a string code. */
export function expectTypedOutcome(name: string, args: readonly unknown[], outcome: unknown): void {
  if (!(outcome instanceof Error)) return;
  expect(outcome, `${name}(${args.map((arg) => typeof arg).join(', ')}): ${outcome.message}`).toBeInstanceOf(
    TradeR1Error,
  );
  expect(typeof (outcome as TradeR1Error).code).toBe('string');
}

/** Options of {@link describeExportProperty}. */
export interface ExportPropertyOptions {
  /** The package name, for the test titles. */
  packageName: string;
  /** The functions to call (see {@link publicFunctions}). */
  functions: ReadonlyArray<[string, AnyFunction]>;
  /** The argument values (see {@link junkValues}). */
  junk: fc.Arbitrary<unknown>;
  /** At least this many functions must be covered (guards against an export filter that matches nothing). */
  minFunctions: number;
  /** fast-check seed. @default 16 */
  seed?: number;
  /** Runs per function. @default 150 */
  numRuns?: number;
  /** Most arguments per call. @default 3 */
  maxArgs?: number;
}

/** Register the export property: one test per function, each `numRuns` calls with up to `maxArgs` junk arguments. */
export function describeExportProperty(options: ExportPropertyOptions): void {
  const { packageName, functions, junk, minFunctions, seed = 16, numRuns = 150, maxArgs = 3 } = options;
  describe(`every export of ${packageName} fails only with TradeR1Error (property)`, () => {
    it('covers the exported functions', () => {
      expect(functions.length).toBeGreaterThanOrEqual(minFunctions);
    });

    it.each(functions.map(([name, fn]) => [name, fn] as [string, AnyFunction]))('%s', async (name, fn) => {
      await fc.assert(
        fc.asyncProperty(fc.array(junk, { maxLength: maxArgs }), async (args) => {
          expectTypedOutcome(name, args, await settle(fn, args));
        }),
        { seed, numRuns },
      );
    });
  });
}

/**
 * The offending field named by the `TradeR1Error` that `run` throws: `details.field` and the schema issue paths,
 * joined by `|` (empty parts dropped). Fails when `run` does not throw, or throws something else.
 */
export function offendingField(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TradeR1Error);
    const { issues, details } = error as TradeR1Error;
    return [String(details?.field ?? ''), ...(issues ?? []).map((issue) => issue.path)].filter(Boolean).join('|');
  }
  throw new Error('expected a throw');
}
