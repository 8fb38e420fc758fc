import { randomUUID } from 'node:crypto';
import type { RewardResult } from '../define-reward.ts';

/** Keys every answer carries, before the declared ones. */
export const BASE_LOG_KEYS = Object.freeze(['flagged', 'missing'] as const);

/** What building logs found: fills per key (a sample lacked the key) and reported keys that were not declared. */
export interface LogAccounting {
  fills: Map<string, number>;
  undeclared: Map<string, number>;
}

/** The value a result reports for a log key: a detail, else a component's value; `undefined` when absent. */
function loggedValue(result: RewardResult, key: string): number | undefined {
  const detail = result.details[key];
  if (detail !== undefined) return detail;
  const component = result.components?.[key]?.value;
  return component === null ? undefined : component;
}

/**
 * One sample's log values over the fixed key set: `flagged`, `missing`, then `keys` in order, a missing value
 * replaced by `fill` (`NaN` for the `'NaN'` fill) and counted in `accounting`.
 */
export function sampleLogs(
  result: RewardResult | undefined,
  keys: readonly string[],
  fill: number,
  accounting: LogAccounting,
): number[] {
  const values = [result?.flagged ? 1 : 0, result === undefined || result.value === null ? 1 : 0];
  for (const key of keys) {
    const value = result === undefined ? undefined : loggedValue(result, key);
    if (value === undefined) accounting.fills.set(key, (accounting.fills.get(key) ?? 0) + 1);
    values.push(value ?? fill);
  }
  if (result !== undefined) {
    for (const key of Object.keys(result.details)) noteUndeclared(key, keys, accounting);
    for (const key of Object.keys(result.components ?? {})) noteUndeclared(key, keys, accounting);
  }
  return values;
}

function noteUndeclared(key: string, keys: readonly string[], accounting: LogAccounting): void {
  if (key === 'flagged' || key === 'missing' || keys.includes(key)) return;
  accounting.undeclared.set(key, (accounting.undeclared.get(key) ?? 0) + 1);
}

/**
 * Column-wise logs for a batch (OpenRLHF's `extra_logs`: one list per key, aligned with the samples). Every key of
 * the fixed set is present, also for an empty batch.
 */
export function batchLogs(
  results: readonly (RewardResult | undefined)[],
  keys: readonly string[],
  fill: number,
  accounting: LogAccounting,
): Record<string, number[]> {
  const names = [...BASE_LOG_KEYS, ...keys];
  const columns: number[][] = names.map(() => []);
  for (const result of results) {
    const values = sampleLogs(result, keys, fill, accounting);
    values.forEach((value, index) => {
      (columns[index] as number[]).push(value);
    });
  }
  return Object.fromEntries(names.map((name, index) => [name, columns[index] as number[]]));
}

/** True when `value` holds a non-finite number anywhere JSON.stringify would write one (cycles are not followed). */
function hasNonFinite(value: unknown, depth = 0): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object' || value === null || depth > 64) return depth > 64;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (hasNonFinite(item, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (Object.hasOwn(value, key) && hasNonFinite((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/**
 * `JSON.stringify`, except that non-finite numbers are written as the tokens `NaN`, `Infinity`, `-Infinity`
 * (which Python's `json` reads) instead of `null`. Only numbers become such tokens: strings are untouched. A value
 * without non-finite numbers (the common case) is written by plain `JSON.stringify`.
 */
export function stringifyWithNaN(value: unknown): string {
  // Deep or toJSON-bearing values go through the replacer (hasNonFinite answers true for them), so nothing is missed.
  if (!hasNonFinite(value)) return JSON.stringify(value);
  const tokens = new Map<string, string>();
  // An unguessable placeholder, so no string in the value can be mistaken for one.
  const marker = `\u0000${randomUUID()}:`;
  const text = JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'number' && !Number.isFinite(item)) {
      const token = Number.isNaN(item) ? 'NaN' : item > 0 ? 'Infinity' : '-Infinity';
      tokens.set(token, `${marker}${token}`);
      return `${marker}${token}`;
    }
    return item;
  });
  if (tokens.size === 0) return text;
  let out = text;
  for (const [token, placeholder] of tokens) out = out.split(JSON.stringify(placeholder)).join(token);
  return out;
}
