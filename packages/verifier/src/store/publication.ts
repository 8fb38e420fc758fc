import { EXCHANGE_IDS, type ExchangeId, exchangeForTicker, parseTimestamp, publicationInstant } from '@trade-r1/core';

/**
 * When a stored document became public, on the decision clock of core (`publicationInstant`, the rule the data
 * layer's context builder applies to date-only news too).
 *
 * A date-only `publishedAt` ("2024-05-22") could have appeared at any time of that day, after the close included,
 * so it is placed at the END of that day in the zone of the exchange its tickers trade on: never admitted to a
 * decision at that day's close (or earlier), admitted from the next trading day's pre-open on. A document whose
 * tickers trade on several exchanges, whose tickers' exchange is unknown (`7203.T`) or that has no tickers (macro)
 * gets the LATEST of those instants over every exchange Trade-R1 has a calendar for (New York's end of day, the
 * westernmost zone), so no decision on any of those exchanges sees it early. Full timestamps are exact.
 */

const DAY_MS = 86_400_000;

/** The exchanges whose end of day may place a date-only document about `tickers` (all of them when unknown). */
function exchangesOf(tickers: unknown): readonly ExchangeId[] {
  if (!Array.isArray(tickers) || tickers.length === 0) return EXCHANGE_IDS;
  const found = new Set<ExchangeId>();
  for (const ticker of tickers) {
    if (typeof ticker !== 'string') return EXCHANGE_IDS;
    try {
      found.add(exchangeForTicker(ticker));
    } catch {
      return EXCHANGE_IDS;
    }
  }
  return [...found];
}

/** True for `YYYY-MM-DD` / `YYYYMMDD`; false for anything else, invalid strings included (the schema reports those). */
function isDateOnly(value: string): boolean {
  try {
    return parseTimestamp(value).dateOnly;
  } catch {
    return false;
  }
}

/**
 * A raw evidence document with a date-only `publishedAt` replaced by its publication instant (UTC ISO) on its
 * tickers' exchange(s) (see the module notes); any other value is returned unchanged for the schema to read.
 */
export function placeDateOnlyPublication<T>(document: T): T {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return document;
  const { publishedAt, tickers } = document as { publishedAt?: unknown; tickers?: unknown };
  if (typeof publishedAt !== 'string' || !isDateOnly(publishedAt)) return document;
  let latest = Number.NEGATIVE_INFINITY;
  for (const exchange of exchangesOf(tickers)) {
    latest = Math.max(latest, publicationInstant({ publishedAt: publishedAt.trim(), exchange }));
  }
  return { ...document, publishedAt: new Date(latest).toISOString() };
}

/**
 * Tables written with layout version 1 stored a date-only `publishedAt` as the end of its UTC day
 * (`23:59:59.999Z`), up to 5 hours before the end of that day in New York. Such a table is still read, with every
 * row stamped `23:59:59.999Z` taken as published {@link LEGACY_DATE_ONLY_SHIFT_MS} later — New York's end of the
 * day in winter (EST), the latest end of day of any supported exchange — so it never admits such an item early.
 * Re-adding the documents (or rebuilding the table) stores their exact instants.
 */
export const LEGACY_DATE_ONLY_SHIFT_MS = 5 * 3_600_000;

/** True when a version-1 row's instant is how that version stored a date-only `publishedAt`. */
export function isLegacyDateOnlyInstant(instant: number): boolean {
  return ((instant % DAY_MS) + DAY_MS) % DAY_MS === DAY_MS - 1;
}

/** The instant a stored `published_at` means in a table of layout version 1 (see {@link LEGACY_DATE_ONLY_SHIFT_MS}). */
export function legacyPublicationInstant(instant: number): number {
  return isLegacyDateOnlyInstant(instant) ? instant + LEGACY_DATE_ONLY_SHIFT_MS : instant;
}
