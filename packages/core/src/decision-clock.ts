import { z } from 'zod';
import { parseTimestamp, type TimeInput } from './dates.ts';
import { parseWith, TradeR1Error } from './errors.ts';
import {
  type ExchangeId,
  type ExchangeInput,
  exchangeDateOf,
  exchangeForTicker,
  exchangeSchema,
  getExchangeCalendar,
  previousTradingDate,
  type TradingSession,
  tradingSession,
} from './exchange-calendar.ts';
import { zonedTimeToInstant } from './time-zones.ts';

/**
 * The decision clock: what "a decision as of D on exchange X" means, as instants, for every Trade-R1 package.
 *
 * - The **cutoff** of a decision dated D is the close of D's session on X (`at: 'close'`, the default; 13:00 New
 *   York on an early-close day) or one millisecond before D's open (`at: 'pre-open'`). On a day without a session
 *   it is the end of D in X's zone. A full timestamp is its own cutoff (offset-less ones are read in X's zone).
 * - **Evidence** is admissible when it was published at or before the cutoff ({@link isAdmissible}).
 * - The **fill** — the first tradable price after the cutoff — is the open of the first session that opens
 *   strictly after it ({@link firstOpenAfter}); labels, forward returns, market rewards and the backtest all start
 *   there. The **decision bar** is the trading date before the fill's: a daily engine that fills "at the next
 *   bar's open" fills exactly at the fill when the decision sits on the decision bar.
 */

/** Where on the decision date the cutoff sits. */
export type CutoffAt = 'close' | 'pre-open';

const timeInputSchema = z.union([z.string(), z.number(), z.date()], {
  error: 'expected a date string (YYYY-MM-DD or ISO date-time), epoch milliseconds or a Date',
});

const cutoffOptionsSchema = z.strictObject({
  asOf: timeInputSchema,
  exchange: exchangeSchema,
  at: z.enum(['close', 'pre-open']).optional(),
});

/** Options of {@link decisionCutoff} and {@link decisionTiming}. */
export interface DecisionCutoffOptions {
  /** The decision date (`YYYY-MM-DD`) or the decision's exact time (offset-less date-times read in the exchange's zone). */
  asOf: TimeInput;
  /** The exchange the asset trades on (`XNYS`, `NYSE`, `XNAS`, `Nasdaq`, `XSHG`, `SSE`, `XSHE`, `SZSE`). */
  exchange: ExchangeInput;
  /** Where a date-only `asOf` places the cutoff. @default 'close' */
  at?: CutoffAt;
}

function cutoffOf(asOf: TimeInput, exchange: ExchangeId, at: CutoffAt): number {
  const { timeZone } = getExchangeCalendar(exchange);
  const parsed = parseTimestamp(asOf, { timeZone });
  if (!parsed.dateOnly) return parsed.instant;
  const session = tradingSession(parsed.tradingDate, exchange);
  if (!session) {
    const next = new Date(Date.parse(`${parsed.tradingDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    return zonedTimeToInstant(next, { hour: 0, minute: 0 }, timeZone) - 1;
  }
  return at === 'close' ? session.close : session.open - 1;
}

/**
 * The cutoff instant (epoch ms) of a decision: evidence published after it is inadmissible, and the first price
 * the decision can trade at comes after it.
 * @example decisionCutoff({ asOf: '2024-05-22', exchange: 'XNAS' }) // 2024-05-22T20:00:00.000Z (16:00 New York)
 * @throws {TradeR1Error} `INVALID_INPUT` (field named in `issues`), `INVALID_DATE` (bad date, missing calendar year).
 */
export function decisionCutoff(options: DecisionCutoffOptions): number {
  const parsed = parseWith(cutoffOptionsSchema, options, { label: 'decisionCutoff() options' });
  return cutoffOf(parsed.asOf, parsed.exchange, parsed.at ?? 'close');
}

/** Everything the clock says about one decision. */
export interface DecisionTiming {
  readonly exchange: ExchangeId;
  /** Cutoff instant (epoch ms). */
  readonly cutoff: number;
  /** The cutoff as a UTC ISO string. */
  readonly cutoffIso: string;
  /** The calendar date of the cutoff in the exchange's zone. */
  readonly cutoffDate: string;
  /** The session whose open is the fill (the first tradable price after the cutoff). */
  readonly fill: TradingSession;
  /** The trading date before the fill's: where a daily "fill at the next bar's open" engine places the decision. */
  readonly decisionBar: string;
}

/** The cutoff, the fill and the decision bar of a decision (see the module notes). */
export function decisionTiming(options: DecisionCutoffOptions): DecisionTiming {
  const parsed = parseWith(cutoffOptionsSchema, options, { label: 'decisionTiming() options' });
  const cutoff = cutoffOf(parsed.asOf, parsed.exchange, parsed.at ?? 'close');
  return timingAt(cutoff, parsed.exchange);
}

function timingAt(cutoff: number, exchange: ExchangeId): DecisionTiming {
  const fill = openAfter(cutoff, exchange);
  return Object.freeze({
    exchange,
    cutoff,
    cutoffIso: new Date(cutoff).toISOString(),
    cutoffDate: exchangeDateOf(cutoff, exchange),
    fill,
    decisionBar: previousTradingDate(fill.date, exchange),
  });
}

function openAfter(instant: number, exchange: ExchangeId): TradingSession {
  let date = exchangeDateOf(instant, exchange);
  // At most a long holiday away (the Spring Festival closes Shanghai for a week).
  for (let step = 0; step < 40; step += 1) {
    const session = tradingSession(date, exchange);
    if (session && session.open > instant) return session;
    date = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  throw new TradeR1Error('INTERNAL', `No ${exchange} session within 40 days after ${new Date(instant).toISOString()}`);
}

const instantOptionsSchema = z.strictObject({
  instant: z.union([z.number().refine(Number.isFinite, 'expected a finite epoch-ms number'), z.date()]),
  exchange: exchangeSchema,
});

/** The first session that opens strictly after `instant` (epoch ms or `Date`): where a decision at `instant` fills. */
export function firstOpenAfter(options: { instant: number | Date; exchange: ExchangeInput }): TradingSession {
  const parsed = parseWith(instantOptionsSchema, options, { label: 'firstOpenAfter() options' });
  return openAfter(parsed.instant instanceof Date ? parsed.instant.getTime() : parsed.instant, parsed.exchange);
}

const publicationOptionsSchema = z.strictObject({ publishedAt: timeInputSchema, exchange: exchangeSchema });

/**
 * The instant a publication time means on an exchange: exact for a timestamp with an offset, read in the exchange's
 * zone without one, and the end of that day in the exchange's zone for a date-only value (the latest moment it could
 * have appeared there, so it is never admitted early).
 */
export function publicationInstant(options: { publishedAt: TimeInput; exchange: ExchangeInput }): number {
  const parsed = parseWith(publicationOptionsSchema, options, { label: 'publicationInstant() options' });
  return publishedInstant(parsed.publishedAt, parsed.exchange);
}

function publishedInstant(publishedAt: TimeInput, exchange: ExchangeId): number {
  const { timeZone } = getExchangeCalendar(exchange);
  const parsed = parseTimestamp(publishedAt, { timeZone });
  if (!parsed.dateOnly) return parsed.instant;
  const next = new Date(Date.parse(`${parsed.tradingDate}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return zonedTimeToInstant(next, { hour: 0, minute: 0 }, timeZone) - 1;
}

const admissibleOptionsSchema = z.strictObject({
  publishedAt: timeInputSchema,
  cutoff: z.number().refine(Number.isFinite, 'expected the finite cutoff instant from decisionCutoff()'),
  exchange: exchangeSchema,
});

/** True when an item published at `publishedAt` may inform a decision with this `cutoff` (from {@link decisionCutoff}). */
export function isAdmissible(options: { publishedAt: TimeInput; cutoff: number; exchange: ExchangeInput }): boolean {
  const parsed = parseWith(admissibleOptionsSchema, options, { label: 'isAdmissible() options' });
  return publishedInstant(parsed.publishedAt, parsed.exchange) <= parsed.cutoff;
}

const decisionInstantOptionsSchema = z.strictObject({
  asOf: timeInputSchema,
  exchange: exchangeSchema.optional(),
  ticker: z.string().optional(),
  at: z.enum(['close', 'pre-open']).optional(),
});

/** Options of {@link decisionInstant}. */
export interface DecisionInstantOptions {
  /** The decision date (`YYYY-MM-DD`) or the decision's exact time. */
  asOf: TimeInput;
  /** The exchange whose clock places a date-only `asOf` (and reads an offset-less date-time). @default from `ticker` */
  exchange?: ExchangeInput | undefined;
  /** The asset, whose symbol names the exchange when `exchange` is not given (see `exchangeForTicker`). */
  ticker?: string | undefined;
  /** Where a date-only `asOf` places the cutoff. @default 'close' */
  at?: CutoffAt | undefined;
}

/**
 * The cutoff instant (epoch ms) of a decision when the exchange may be implied — the one rule the verifier, the
 * reward package and the data layer share for "as of":
 * - a timestamp with an offset (or a number / `Date`) is its own cutoff, whatever the exchange;
 * - a date-only `asOf` is {@link decisionCutoff} on `exchange`, or on the ticker's exchange when none is named
 *   (`exchangeForTicker`: `AAPL` New York, `600519.SH` Shanghai);
 * - a date-time without an offset is read in the zone of an `exchange` the caller names, and rejected otherwise
 *   (`INVALID_DATE`, `details.reason: 'missing-offset'`): a zone guessed from a symbol is not a zone the caller named.
 * @example decisionInstant({ asOf: '2024-05-22', ticker: 'NVDA' }) // 2024-05-22T20:00:00.000Z (16:00 New York)
 * @throws {TradeR1Error} `INVALID_INPUT` (bad options; `details.field: 'exchange'` when a date-only `asOf` has
 *   neither an exchange nor a ticker whose exchange is known), `INVALID_DATE` (bad or offset-less date).
 */
export function decisionInstant(options: DecisionInstantOptions): number {
  const parsed = parseWith(decisionInstantOptionsSchema, options, { label: 'decisionInstant() options' });
  const at = parsed.at ?? 'close';
  if (parsed.exchange !== undefined) return cutoffOf(parsed.asOf, parsed.exchange, at);
  const written = parseTimestamp(parsed.asOf);
  if (!written.dateOnly) return written.instant;
  if (parsed.ticker === undefined) {
    throw new TradeR1Error(
      'INVALID_INPUT',
      `A date-only asOf (${JSON.stringify(String(parsed.asOf))}) needs an exchange or a ticker to place its cutoff`,
      { details: { field: 'exchange' } },
    );
  }
  return cutoffOf(parsed.asOf, exchangeForTicker(parsed.ticker), at);
}
