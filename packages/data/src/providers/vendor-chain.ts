import { type ErrorCode, isTradeR1Error, TradeR1Error, toTradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { functionSchema, parseArgument } from '../validate.ts';

const vendorsSchema = z.array(
  z.custom<{ name: string }>(
    (value) => typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string',
    { message: 'expected a vendor object with a string name' },
  ),
);
const vendorChainOptionsSchema = z.strictObject({
  name: z.string().optional(),
  shouldFallback: functionSchema.optional(),
  fallbackOnEmpty: z.boolean().optional(),
  onReport: functionSchema.optional(),
});

/** One vendor's try within a chain call. */
export interface VendorAttempt {
  /** The vendor's `name`. */
  vendor: string;
  /** True for the vendor that answered. */
  ok: boolean;
  /** Error code, when it failed. */
  code?: ErrorCode;
  /** Error message, when it failed. */
  message?: string;
  /** Set when the vendor answered with an empty result and `fallbackOnEmpty` moved on. */
  empty?: boolean;
}

/** What happened during one chain call. */
export interface VendorChainReport {
  /** The method called (`getDailyBars`, `getNews`…). */
  method: string;
  /** The vendor whose answer was returned, if any. */
  answeredBy?: string;
  /** Every vendor tried, in order. */
  attempts: VendorAttempt[];
}

/** Codes that never trigger a fallback: the request itself is wrong, the caller cancelled, or data leaked. */
export const NO_FALLBACK_CODES: readonly ErrorCode[] = ['LOOKAHEAD', 'INVALID_INPUT', 'INVALID_DATE', 'ABORTED'];

/** Options for {@link createVendorChain}. */
export interface VendorChainOptions {
  /** Name of the chain. @default 'chain(<vendor names joined by ">">)' */
  name?: string;
  /**
   * Whether to try the next vendor after `error`. Errors with a code in {@link NO_FALLBACK_CODES} are rethrown
   * before this is consulted. @default () => true
   */
  shouldFallback?: (error: TradeR1Error, vendor: string) => boolean;
  /** Treat an empty array as a failure and try the next vendor (the empty answer is returned if all are empty). @default false */
  fallbackOnEmpty?: boolean;
  /** Receives the report of every call (success or failure). @default none */
  onReport?: (report: VendorChainReport) => void;
}

/** Thrown when every vendor of a chain failed: code `ALL_VENDORS_FAILED`, with each vendor's error. */
export class VendorChainError extends TradeR1Error {
  override readonly name: string = 'VendorChainError';
  /** Each vendor's failure, in chain order. */
  readonly failures: VendorAttempt[];
  /** The underlying errors, in chain order. */
  readonly errors: TradeR1Error[];

  constructor(method: string, failures: VendorAttempt[], errors: TradeR1Error[]) {
    const summary = failures.map((failure) => `${failure.vendor} (${failure.code}: ${failure.message})`).join('; ');
    super('ALL_VENDORS_FAILED', `All ${failures.length} vendors failed for ${method}: ${summary}`, {
      details: { method, failures },
      ...(errors.length > 0 ? { cause: errors[errors.length - 1] } : {}),
    });
    this.failures = failures;
    this.errors = errors;
  }
}

/** A chain: the vendors' common interface plus its reports. */
export type VendorChain<T> = T & {
  /** Vendor names in fallback order. */
  readonly vendors: readonly string[];
  /** The report of the most recently completed call. */
  readonly lastReport: VendorChainReport | undefined;
};

function methodNames(value: object): Set<string> {
  const names = new Set<string>();
  for (
    let current: object | null = value;
    current && current !== Object.prototype;
    current = Object.getPrototypeOf(current)
  ) {
    for (const key of Object.getOwnPropertyNames(current)) {
      if (key === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(current, key);
      if (descriptor && typeof descriptor.value === 'function') names.add(key);
    }
  }
  return names;
}

/**
 * Combine sources of one kind (all `PriceSource`s, all `NewsSource`s…) into one source that tries them in the
 * given order. Each call goes to the first vendor; on failure the next is tried, and so on. Errors coded
 * `LOOKAHEAD`, `INVALID_INPUT`, `INVALID_DATE` or `ABORTED` are rethrown at once (another vendor cannot fix a bad
 * request or a leak, and a cancelled call stays cancelled). When every vendor fails, a {@link VendorChainError}
 * (`ALL_VENDORS_FAILED`) lists why each one failed. Every call's report (who answered, who failed and why) goes
 * to `onReport` and `lastReport`.
 * @throws {TradeR1Error} `INVALID_CONFIG` for an empty list.
 */
export function createVendorChain<T extends { readonly name: string }>(
  vendors: readonly T[],
  options: VendorChainOptions = {},
): VendorChain<T> {
  parseArgument(vendorsSchema, vendors, { fn: 'createVendorChain()', field: 'vendors', code: 'INVALID_CONFIG' });
  parseArgument(vendorChainOptionsSchema, options, {
    fn: 'createVendorChain()',
    field: 'options',
    code: 'INVALID_CONFIG',
  });
  if (vendors.length === 0) {
    throw new TradeR1Error('INVALID_CONFIG', 'createVendorChain needs at least one vendor');
  }
  const names = vendors.map((vendor) => vendor.name);
  // Price vendors must agree on what their numbers are: Yahoo's split-adjusted prices and Alpha Vantage's raw
  // ones are ten times apart across a 10:1 split, and a fallback would splice them into one series.
  const bases = vendors.map((vendor) => (vendor as { priceBasis?: unknown }).priceBasis);
  const declared = bases.filter((basis) => basis !== undefined);
  if (declared.length > 0 && (declared.length < bases.length || new Set(declared).size > 1)) {
    const listing = vendors
      .map((vendor, index) => `${vendor.name}: ${String(bases[index] ?? 'undeclared')}`)
      .join(', ');
    throw new TradeR1Error(
      'INVALID_CONFIG',
      `createVendorChain: price vendors of different bases (${listing}); configure them alike (e.g. adjusted: true on each) or chain one basis only`,
      {
        details: {
          field: 'vendors',
          bases: Object.fromEntries(vendors.map((vendor, index) => [vendor.name, bases[index] ?? null])),
        },
      },
    );
  }
  let common: Set<string> | undefined;
  for (const vendor of vendors) {
    const own = methodNames(vendor);
    common = common ? new Set([...common].filter((name) => own.has(name))) : own;
  }
  let lastReport: VendorChainReport | undefined;
  const finish = (report: VendorChainReport): void => {
    lastReport = report;
    options.onReport?.(report);
  };
  const chain: Record<string, unknown> = {
    name: options.name ?? `chain(${names.join('>')})`,
    vendors: names,
    ...(declared.length > 0 && { priceBasis: declared[0] }),
  };
  Object.defineProperty(chain, 'lastReport', { get: () => lastReport, enumerable: true });

  for (const method of common ?? []) {
    chain[method] = async (...args: unknown[]): Promise<unknown> => {
      const attempts: VendorAttempt[] = [];
      const errors: TradeR1Error[] = [];
      const signal = (args[0] as { signal?: AbortSignal } | undefined)?.signal;
      let emptyAnswer: { value: unknown; vendor: string } | undefined;
      for (const vendor of vendors) {
        if (signal?.aborted) {
          const aborted = new TradeR1Error('ABORTED', `${method} aborted`, { cause: signal.reason });
          finish({ method, attempts });
          throw aborted;
        }
        try {
          const value = await (vendor as unknown as Record<string, (...inner: unknown[]) => Promise<unknown>>)[
            method
          ]?.(...args);
          if (options.fallbackOnEmpty && Array.isArray(value) && value.length === 0) {
            attempts.push({ vendor: vendor.name, ok: false, empty: true });
            emptyAnswer ??= { value, vendor: vendor.name };
            continue;
          }
          attempts.push({ vendor: vendor.name, ok: true });
          finish({ method, answeredBy: vendor.name, attempts });
          return value;
        } catch (thrown) {
          const error = isTradeR1Error(thrown) ? thrown : toTradeR1Error(thrown);
          attempts.push({ vendor: vendor.name, ok: false, code: error.code, message: error.message });
          if (NO_FALLBACK_CODES.includes(error.code) || !(options.shouldFallback?.(error, vendor.name) ?? true)) {
            finish({ method, attempts });
            throw error;
          }
          errors.push(error);
        }
      }
      if (emptyAnswer) {
        finish({ method, answeredBy: emptyAnswer.vendor, attempts });
        return emptyAnswer.value;
      }
      finish({ method, attempts });
      throw new VendorChainError(
        method,
        attempts.filter((attempt) => !attempt.ok),
        errors,
      );
    };
  }
  return chain as unknown as VendorChain<T>;
}
