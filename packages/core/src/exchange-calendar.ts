import { z } from 'zod';
import { isIsoDate } from './dates.ts';
import { parseWith, TradeR1Error } from './errors.ts';
import { NYSE_COVERAGE, NYSE_EARLY_CLOSES, NYSE_HOLIDAYS, SSE_COVERAGE, SSE_HOLIDAYS } from './exchange-holidays.ts';
import { dateInZone, zonedTimeToInstant } from './time-zones.ts';

/** ISO 10383 market identifiers of the exchanges with a calendar: NYSE, Nasdaq, Shanghai, Shenzhen. */
export const EXCHANGE_IDS = ['XNYS', 'XNAS', 'XSHG', 'XSHE'] as const;

/** One of {@link EXCHANGE_IDS}. */
export type ExchangeId = (typeof EXCHANGE_IDS)[number];

const ALIASES: Record<string, ExchangeId> = {
  XNYS: 'XNYS',
  NYSE: 'XNYS',
  XNAS: 'XNAS',
  NASDAQ: 'XNAS',
  XSHG: 'XSHG',
  SSE: 'XSHG',
  SH: 'XSHG',
  XSHE: 'XSHE',
  SZSE: 'XSHE',
  SZ: 'XSHE',
};

/** An exchange as callers name it: a MIC (`XNYS`) or a common name (`NYSE`, `Nasdaq`, `SSE`, `SZSE`), any case. */
export type ExchangeInput = ExchangeId | 'NYSE' | 'NASDAQ' | 'SSE' | 'SZSE' | (string & {});

/** zod schema of an exchange name; the output is its {@link ExchangeId}. */
export const exchangeSchema = z
  .string({ error: `expected an exchange: one of ${Object.keys(ALIASES).join(', ')}` })
  .transform((value, context) => {
    const id = ALIASES[value.trim().toUpperCase()];
    if (id) return id;
    context.addIssue({
      code: 'custom',
      message: `unknown exchange ${JSON.stringify(value)}; use one of ${Object.keys(ALIASES).join(', ')}`,
    });
    return z.NEVER;
  });

/** A wall-clock time of day in the exchange's zone. */
export interface LocalTime {
  readonly hour: number;
  readonly minute: number;
}

/** One continuous trading interval of a regular session, in local time. */
export interface SessionInterval {
  readonly open: LocalTime;
  readonly close: LocalTime;
}

/** A trading calendar: zone, regular session, holidays and early closes, and the dates the tables cover. */
export interface ExchangeCalendar {
  readonly id: ExchangeId;
  /** Display name. */
  readonly name: string;
  /** IANA time zone the session times are in. */
  readonly timeZone: string;
  /** Continuous-trading intervals of a regular session (two for Shanghai and Shenzhen, with the lunch break). */
  readonly sessions: readonly SessionInterval[];
  /** The close of an early-close day, when the exchange has them. */
  readonly earlyClose?: LocalTime;
  /** First and last date (inclusive) the holiday table covers; other dates are refused, never guessed. */
  readonly coverage: { readonly from: string; readonly to: string };
  /** Where the holiday table comes from. */
  readonly source: string;
}

interface CalendarTables {
  readonly calendar: ExchangeCalendar;
  readonly holidays: ReadonlySet<string>;
  readonly earlyCloses: ReadonlySet<string>;
}

const US_SESSION: readonly SessionInterval[] = [{ open: { hour: 9, minute: 30 }, close: { hour: 16, minute: 0 } }];
const CN_SESSIONS: readonly SessionInterval[] = [
  { open: { hour: 9, minute: 30 }, close: { hour: 11, minute: 30 } },
  { open: { hour: 13, minute: 0 }, close: { hour: 15, minute: 0 } },
];
const NYSE_SOURCE = 'NYSE holiday rules (nyse.com hours and calendars), checked against SPY daily bars 1998–2026-03';
const SSE_SOURCE = 'SSE/SZSE annual holiday notices, 2020–2025 checked against CSI 300 daily bars';

function usTables(id: 'XNYS' | 'XNAS', name: string): CalendarTables {
  return {
    calendar: Object.freeze({
      id,
      name,
      timeZone: 'America/New_York',
      sessions: US_SESSION,
      earlyClose: { hour: 13, minute: 0 },
      coverage: NYSE_COVERAGE,
      source: NYSE_SOURCE,
    }),
    holidays: new Set(NYSE_HOLIDAYS),
    earlyCloses: new Set(NYSE_EARLY_CLOSES),
  };
}

function cnTables(id: 'XSHG' | 'XSHE', name: string): CalendarTables {
  return {
    calendar: Object.freeze({
      id,
      name,
      timeZone: 'Asia/Shanghai',
      sessions: CN_SESSIONS,
      coverage: SSE_COVERAGE,
      source: SSE_SOURCE,
    }),
    holidays: new Set(SSE_HOLIDAYS),
    earlyCloses: new Set<string>(),
  };
}

const TABLES: Record<ExchangeId, CalendarTables> = {
  XNYS: usTables('XNYS', 'New York Stock Exchange'),
  XNAS: usTables('XNAS', 'Nasdaq'),
  XSHG: cnTables('XSHG', 'Shanghai Stock Exchange'),
  XSHE: cnTables('XSHE', 'Shenzhen Stock Exchange'),
};

/** Resolve an exchange name to its id. @throws {TradeR1Error} `INVALID_INPUT` (field `exchange`). */
export function toExchangeId(exchange: ExchangeInput): ExchangeId {
  const id = typeof exchange === 'string' ? ALIASES[exchange.trim().toUpperCase()] : undefined;
  if (id) return id;
  return parseWith(exchangeSchema, exchange, { label: 'exchange', details: { field: 'exchange' } });
}

function tablesOf(exchange: ExchangeInput): CalendarTables {
  return TABLES[toExchangeId(exchange)];
}

/** The calendar of an exchange. */
export function getExchangeCalendar(exchange: ExchangeInput): ExchangeCalendar {
  return tablesOf(exchange).calendar;
}

function checkDate(tables: CalendarTables, date: unknown): string {
  if (typeof date !== 'string' || !isIsoDate(date)) {
    throw new TradeR1Error('INVALID_DATE', `Expected a date YYYY-MM-DD, got ${JSON.stringify(String(date))}`, {
      details: { field: 'date', input: String(date) },
    });
  }
  const { coverage, id } = tables.calendar;
  if (date < coverage.from || date > coverage.to) {
    throw new TradeR1Error(
      'INVALID_DATE',
      `${date} is outside the ${id} calendar (${coverage.from} .. ${coverage.to}); its holidays are not in the committed table`,
      { details: { field: 'date', date, exchange: id, coverage } },
    );
  }
  return date;
}

function isOpenOn(tables: CalendarTables, date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !tables.holidays.has(date);
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** True when the exchange holds a session on `date` (`YYYY-MM-DD`, a date in the exchange's zone). */
export function isTradingDay(date: string, exchange: ExchangeInput): boolean {
  const tables = tablesOf(exchange);
  return isOpenOn(tables, checkDate(tables, date));
}

/** The first trading day strictly after `date`. */
export function nextTradingDate(date: string, exchange: ExchangeInput): string {
  const tables = tablesOf(exchange);
  let current = checkDate(tables, date);
  do current = checkDate(tables, shiftDate(current, 1));
  while (!isOpenOn(tables, current));
  return current;
}

/** The last trading day strictly before `date`. */
export function previousTradingDate(date: string, exchange: ExchangeInput): string {
  const tables = tablesOf(exchange);
  let current = checkDate(tables, date);
  do current = checkDate(tables, shiftDate(current, -1));
  while (!isOpenOn(tables, current));
  return current;
}

/** The trading days from `from` to `to`, both inclusive. */
export function tradingDatesBetween(from: string, to: string, exchange: ExchangeInput): string[] {
  const tables = tablesOf(exchange);
  const dates: string[] = [];
  for (let current = checkDate(tables, from); current <= checkDate(tables, to); current = shiftDate(current, 1)) {
    if (current > tables.calendar.coverage.to) break;
    if (isOpenOn(tables, current)) dates.push(current);
  }
  return dates;
}

/** One day's session as instants (epoch ms). */
export interface TradingSession {
  /** The trading date, in the exchange's zone. */
  readonly date: string;
  /** The opening auction's time (first interval's open). */
  readonly open: number;
  /** The close (13:00 New York on an early-close day). */
  readonly close: number;
  /** True on an early-close day. */
  readonly earlyClose: boolean;
  /** The continuous-trading intervals, `[open, close]` each. */
  readonly intervals: readonly (readonly [number, number])[];
}

const sessionCache = new Map<string, TradingSession | null>();

/** The session of `date`, or `undefined` when the exchange is closed that day. */
export function tradingSession(date: string, exchange: ExchangeInput): TradingSession | undefined {
  const tables = tablesOf(exchange);
  const key = `${tables.calendar.id}|${date}`;
  const cached = sessionCache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  checkDate(tables, date);
  if (!isOpenOn(tables, date)) {
    sessionCache.set(key, null);
    return undefined;
  }
  const { timeZone, sessions, earlyClose } = tables.calendar;
  const early = earlyClose !== undefined && tables.earlyCloses.has(date);
  const intervals: (readonly [number, number])[] = [];
  for (const interval of sessions) {
    const open = zonedTimeToInstant(date, interval.open, timeZone);
    if (early && earlyClose) {
      const close = zonedTimeToInstant(date, earlyClose, timeZone);
      if (open >= close) break;
      intervals.push([open, Math.min(close, zonedTimeToInstant(date, interval.close, timeZone))]);
    } else {
      intervals.push([open, zonedTimeToInstant(date, interval.close, timeZone)]);
    }
  }
  const session: TradingSession = Object.freeze({
    date,
    open: (intervals[0] as readonly [number, number])[0],
    close: (intervals.at(-1) as readonly [number, number])[1],
    earlyClose: early,
    intervals: Object.freeze(intervals),
  });
  if (sessionCache.size > 100_000) sessionCache.clear();
  sessionCache.set(key, session);
  return session;
}

/** The calendar date in the exchange's zone at `instant` (epoch ms). */
export function exchangeDateOf(instant: number, exchange: ExchangeInput): string {
  return dateInZone(instant, tablesOf(exchange).calendar.timeZone);
}

/**
 * The exchange calendar a ticker trades on, from its suffix: `.SH`/`.SS` Shanghai, `.SZ` Shenzhen; a bare
 * six-digit A-share code by its prefix (`600519` Shanghai, `000858`/`300750` Shenzhen); and a plain US symbol
 * (`AAPL`, `BRK-B`, `BRK.B`) New York (NYSE and Nasdaq share one calendar, so `XNYS` stands for both).
 * @throws {TradeR1Error} `INVALID_INPUT` (field `exchange`) for any other suffix (`7203.T`, `VOD.L`): name the exchange.
 */
export function exchangeForTicker(ticker: string): ExchangeId {
  if (typeof ticker !== 'string' || ticker.trim() === '') {
    throw new TradeR1Error('INVALID_INPUT', `Expected a ticker string, got ${JSON.stringify(String(ticker))}`, {
      details: { field: 'ticker' },
    });
  }
  const upper = ticker.trim().toUpperCase();
  if (/\.(SH|SS)$/.test(upper)) return 'XSHG';
  if (/\.SZ$/.test(upper)) return 'XSHE';
  // A bare six-digit code is an A-share (no US symbol is six digits): 60xxxx/68xxxx/90xxxx list in Shanghai,
  // 00xxxx/30xxxx/20xxxx in Shenzhen; other six-digit codes (Beijing 8xxxxx/4xxxxx) need the exchange named.
  if (/^(?:60|68|90)\d{4}$/.test(upper)) return 'XSHG';
  if (/^(?:00|30|20)\d{4}$/.test(upper)) return 'XSHE';
  if (/^\d{6}$/.test(upper)) {
    throw new TradeR1Error(
      'INVALID_INPUT',
      `Cannot tell the exchange of the six-digit code ${JSON.stringify(ticker)}; pass exchange (one of ${EXCHANGE_IDS.join(', ')})`,
      { details: { field: 'exchange', ticker } },
    );
  }
  // A share-class suffix (BRK.B, BRK-B) is US; any other dotted suffix names a foreign market (VOD.L, 7203.T).
  if (/^\^?[A-Z0-9]{1,6}(-[A-Z]{1,2}|\.[A-C])?$/.test(upper)) return 'XNYS';
  throw new TradeR1Error(
    'INVALID_INPUT',
    `Cannot tell the exchange of ${JSON.stringify(ticker)} from its symbol; pass exchange (one of ${EXCHANGE_IDS.join(', ')})`,
    { details: { field: 'exchange', ticker } },
  );
}

/**
 * The instant (epoch ms) at which the daily bar of `date` is complete: that day's close (13:00 New York on an
 * early-close day). A date outside the calendar's table gets the regular close time; a date inside it without a
 * session (a weekend row in a file) gets the end of that day in the exchange's zone.
 */
export function barCloseInstant(date: string, exchange: ExchangeInput): number {
  const tables = tablesOf(exchange);
  const { coverage, timeZone, sessions } = tables.calendar;
  if (typeof date === 'string' && isIsoDate(date) && (date < coverage.from || date > coverage.to)) {
    return zonedTimeToInstant(date, (sessions.at(-1) as SessionInterval).close, timeZone);
  }
  const session = tradingSession(date, exchange);
  if (session) return session.close;
  return zonedTimeToInstant(shiftDate(date, 1), { hour: 0, minute: 0 }, timeZone) - 1;
}
