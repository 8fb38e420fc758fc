import { parseWith, TradeR1Error, tickerSchema } from '@trade-r1/core';
import { z } from 'zod';

/**
 * SQL filter fragments for LanceDB `where()` clauses. Every value that reaches SQL passes through here: strings
 * are validated and quoted with {@link sqlString}, numbers must be safe integers. Pure functions.
 */

/** Quote a string as a SQL literal (`'` doubled). Rejects NUL characters, which no identifier needs. */
export function sqlString(value: string): string {
  if (typeof value !== 'string' || value.includes('\u0000')) {
    throw new TradeR1Error('INVALID_INPUT', 'A value used in a store filter must be a string without NUL characters', {
      details: { value: String(value) },
    });
  }
  return `'${value.replace(/'/g, "''")}'`;
}

/** A safe integer as a SQL literal. */
export function sqlInteger(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new TradeR1Error('INVALID_INPUT', `Expected a safe integer in a store filter, got ${value}`, {
      details: { value },
    });
  }
  return String(value);
}

/** `column IN ('a', 'b')` (or `FALSE` for an empty list). */
export function sqlInList(column: string, values: readonly string[]): string {
  if (values.length === 0) return 'FALSE';
  return `${column} IN (${values.map(sqlString).join(', ')})`;
}

/**
 * The point-in-time filter: only rows published at or before `asOfMs` (epoch milliseconds). With `legacy` (a table
 * of layout version 1), a row stamped `23:59:59.999Z` — how that version stored a date-only `publishedAt` — counts
 * as published `legacy.dateOnlyShiftMs` later (see `publication.ts`).
 */
export function publishedAtFilter(asOfMs: number, legacy?: { dateOnlyShiftMs: number }): string {
  const plain = `published_at <= ${sqlInteger(asOfMs)}`;
  if (legacy === undefined) return plain;
  const shifted = sqlInteger(asOfMs - legacy.dateOnlyShiftMs);
  return `${plain} AND NOT (((published_at % 86400000) + 86400000) % 86400000 = 86399999 AND published_at > ${shifted})`;
}

/**
 * Rows about at least one of `tickers` (validated and upper-cased with core's `tickerSchema`), using the
 * LABEL_LIST index on the `tickers` column.
 */
export function tickersFilter(tickers: readonly string[]): string {
  const valid = parseWith(z.array(tickerSchema).min(1), tickers, { label: 'tickers filter' });
  return `array_has_any(tickers, [${[...new Set(valid)].map(sqlString).join(', ')}])`;
}

/** AND-join the non-empty clauses, each parenthesised. */
export function andFilters(clauses: ReadonlyArray<string | undefined>): string {
  return clauses
    .filter((clause): clause is string => clause !== undefined && clause.length > 0)
    .map((clause) => `(${clause})`)
    .join(' AND ');
}
