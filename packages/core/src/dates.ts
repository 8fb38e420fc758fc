import { TradeR1Error } from './errors.ts';
import { isTimeZone, zonedTimeToInstant } from './time-zones.ts';

/**
 * Date and time helpers for point-in-time work.
 *
 * Conventions (used by every Trade-R1 package):
 * - A **trading date** is an ISO calendar date `YYYY-MM-DD`, read in the time zone the source wrote it in
 *   (`2015-01-02 00:00:00-05:00` is the trading date `2015-01-02`, not the UTC date).
 * - An **instant** is epoch milliseconds (UTC).
 * - A **date-only** value used as a publication time or a decision time means *the end of that UTC day*
 *   (`23:59:59.999Z`). For a publication that is the latest moment it could have appeared (conservative against
 *   look-ahead); for a decision date it is "decided after that day's data, traded at the next session".
 *   Pass full timestamps when you need intraday precision. For a decision on an exchange, use the decision
 *   clock (`decisionCutoff`, `decisionTiming`), which places "as of D" at that exchange's close or pre-open.
 * - A **date-time without an offset** is ambiguous (New York and Shanghai are 12–13 hours apart) and is rejected
 *   with `INVALID_DATE` (`details.reason: 'missing-offset'`) unless the caller names the zone to read it in
 *   (`{ timeZone: 'America/New_York' }`). Offsets outside the ones in use on Earth (−12:00 … +14:00) are rejected.
 */

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const MS_PER_DAY = 86_400_000;

/** A value accepted as a point in time. */
export type TimeInput = string | number | Date;

/** Options of {@link parseTimestamp} and {@link toInstant}. */
export interface TimestampOptions {
  /**
   * IANA zone in which to read date-times that carry no offset (and, in {@link toInstant}, the zone whose end of
   * day a date-only value means). @default none: offset-less date-times are rejected; date-only values are UTC days
   */
  timeZone?: string;
}

/** The parts of a parsed timestamp string. */
export interface ParsedTimestamp {
  /** Epoch milliseconds. For date-only input, see `dateOnly`. */
  instant: number;
  /** The calendar date as written in the source's own time zone. */
  tradingDate: string;
  /** True when the input had no time of day. `instant` is then the start of that UTC day. */
  dateOnly: boolean;
}

function invalidDate(input: unknown, reason: string, extra: Record<string, unknown> = {}): TradeR1Error {
  return new TradeR1Error('INVALID_DATE', `Invalid date ${JSON.stringify(String(input))}: ${reason}`, {
    details: { input: String(input), ...extra },
  });
}

function checkOptions(options: TimestampOptions | undefined): string | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw new TradeR1Error('INVALID_INPUT', 'Timestamp options must be an object such as { timeZone }', {
      details: { field: 'options' },
    });
  }
  for (const key of Object.keys(options)) {
    if (key !== 'timeZone') {
      throw new TradeR1Error('INVALID_INPUT', `Unknown timestamp option ${JSON.stringify(key)} (expected timeZone)`, {
        details: { field: key },
      });
    }
  }
  const { timeZone } = options;
  if (timeZone === undefined) return undefined;
  if (!isTimeZone(timeZone)) {
    throw new TradeR1Error('INVALID_INPUT', `Unknown time zone ${JSON.stringify(String(timeZone))}`, {
      details: { field: 'timeZone', timeZone: String(timeZone) },
    });
  }
  return timeZone;
}

function checkCalendar(input: unknown, year: number, month: number, day: number): void {
  if (month < 1 || month > 12) throw invalidDate(input, `month ${month} is out of range`);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) throw invalidDate(input, `day ${day} does not exist in ${year}-${pad(month)}`);
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function formatDate(year: number, month: number, day: number): string {
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

/**
 * Parse a timestamp string: ISO dates (`2024-01-05`), compact dates (`20240105`, as Tushare writes them),
 * ISO date-times with `T` or a space, optional seconds and fractions, and an offset (`Z`, `-05:00`, `+0800`).
 * A date-time without an offset is read in `options.timeZone`, and rejected when no zone is named. Numbers are
 * epoch milliseconds; `Date`s are taken as they are.
 * @throws {TradeR1Error} `INVALID_DATE` for anything else, including impossible calendar dates, offsets beyond
 *   −12:00 … +14:00 and (without `timeZone`) date-times without an offset (`details.reason: 'missing-offset'`).
 */
export function parseTimestamp(input: TimeInput, options?: TimestampOptions): ParsedTimestamp {
  const timeZone = checkOptions(options);
  if (input instanceof Date || typeof input === 'number') {
    const instant = input instanceof Date ? input.getTime() : input;
    // ECMAScript dates span ±8.64e15 ms around 1970.
    if (!Number.isFinite(instant) || Math.abs(instant) > 8.64e15) throw invalidDate(input, 'not a representable time');
    return { instant, tradingDate: new Date(instant).toISOString().slice(0, 10), dateOnly: false };
  }
  if (typeof input !== 'string') throw invalidDate(input, 'expected a string, number or Date');
  const text = input.trim();
  const dateOnly = DATE_ONLY.exec(text) ?? COMPACT_DATE.exec(text);
  if (dateOnly) {
    const [year, month, day] = [Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])];
    checkCalendar(input, year, month, day);
    const tradingDate = formatDate(year, month, day);
    const instant =
      timeZone === undefined
        ? Date.UTC(year, month - 1, day)
        : zonedTimeToInstant(tradingDate, { hour: 0, minute: 0 }, timeZone);
    return { instant, tradingDate, dateOnly: true };
  }
  const match = DATE_TIME.exec(text);
  if (!match) throw invalidDate(input, 'expected ISO-8601 such as 2024-01-05 or 2024-01-05T14:30:00-05:00');
  const [year, month, day, hour, minute] = [1, 2, 3, 4, 5].map((index) => Number(match[index])) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const millisecond = match[7] === undefined ? 0 : Math.floor(Number(`0.${match[7]}`) * 1000);
  checkCalendar(input, year, month, day);
  if (hour > 23 || minute > 59 || second > 59) throw invalidDate(input, 'time of day is out of range');
  const tradingDate = formatDate(year, month, day);
  const offset = match[8];
  if (offset === undefined) {
    if (timeZone === undefined) {
      throw invalidDate(input, 'a date-time needs an offset (Z, -05:00, +08:00) or a named time zone to be read in', {
        reason: 'missing-offset',
      });
    }
    const instant = zonedTimeToInstant(tradingDate, { hour, minute, second, millisecond }, timeZone);
    return { instant, tradingDate, dateOnly: false };
  }
  let offsetMinutes = 0;
  if (offset !== 'Z' && offset !== 'z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
    offsetMinutes = sign * (hours * 60 + minutes);
    // The offsets in use range from UTC−12:00 (Baker Island) to UTC+14:00 (Line Islands).
    if (minutes > 59 || offsetMinutes < -12 * 60 || offsetMinutes > 14 * 60) {
      throw invalidDate(input, `offset ${offset} is outside −12:00 … +14:00`, { reason: 'offset-out-of-range' });
    }
  }
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  return { instant: local - offsetMinutes * 60_000, tradingDate, dateOnly: false };
}

/** The trading date (`YYYY-MM-DD`) of a timestamp, in the time zone it was written in. */
export function toTradingDate(input: TimeInput, options?: TimestampOptions): string {
  return parseTimestamp(input, options).tradingDate;
}

/** True when `value` is a valid ISO calendar date `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const match = DATE_ONLY.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12) return false;
  return day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The instant (epoch ms) at which a publication or decision time takes effect. Date-only values resolve to the
 * end of that UTC day (see the module conventions), or of that day in `options.timeZone`; full timestamps resolve
 * exactly.
 */
export function toInstant(input: TimeInput, options?: TimestampOptions): number {
  const parsed = parseTimestamp(input, options);
  if (!parsed.dateOnly) return parsed.instant;
  const timeZone = options?.timeZone;
  if (timeZone === undefined) return parsed.instant + MS_PER_DAY - 1;
  return zonedTimeToInstant(addCalendarDays(parsed.tradingDate, 1), { hour: 0, minute: 0 }, timeZone) - 1;
}

/** The canonical UTC ISO string (`2024-01-05T23:59:59.999Z`) of {@link toInstant}. */
export function toIsoInstant(input: TimeInput): string {
  return new Date(toInstant(input)).toISOString();
}

/**
 * True when something published at `publishedAt` was available to a decision made at `asOf`
 * (`publishedAt <= asOf`, both resolved with {@link toInstant}).
 */
export function isAvailableAt(publishedAt: TimeInput, asOf: TimeInput): boolean {
  return toInstant(publishedAt) <= toInstant(asOf);
}

/**
 * Throw `LOOKAHEAD` when `publishedAt` is after `asOf`. Use it where future data must never arrive
 * (a data source returning an item from the future is a bug, not something to filter silently).
 */
export function assertAvailableAt(
  publishedAt: TimeInput,
  asOf: TimeInput,
  context: Record<string, unknown> = {},
): void {
  if (!isAvailableAt(publishedAt, asOf)) {
    throw new TradeR1Error(
      'LOOKAHEAD',
      `Look-ahead: an item published at ${toIsoInstant(publishedAt)} reached a computation as of ${toIsoInstant(asOf)}`,
      { details: { ...context, publishedAt: String(publishedAt), asOf: String(asOf) } },
    );
  }
}

/** Add whole calendar days to a trading date. */
export function addCalendarDays(date: string, days: number): string {
  const parsed = parseTimestamp(date);
  if (!parsed.dateOnly) throw invalidDate(date, 'expected a date without time');
  if (typeof days !== 'number' || !Number.isInteger(days)) {
    throw new TradeR1Error('INVALID_INPUT', `addCalendarDays needs a whole number of days, got ${String(days)}`, {
      details: { field: 'days' },
    });
  }
  const instant = parsed.instant + days * MS_PER_DAY;
  if (Math.abs(instant) > 8.64e15) throw invalidDate(date, `${days} days away is not a representable date`);
  return new Date(instant).toISOString().slice(0, 10);
}

/** Whole calendar days from trading date `from` to trading date `to` (negative when `to` is earlier). */
export function calendarDaysBetween(from: string, to: string): number {
  const start = parseTimestamp(from);
  const end = parseTimestamp(to);
  if (!start.dateOnly || !end.dateOnly) throw invalidDate(`${from} / ${to}`, 'expected dates without time');
  return Math.round((end.instant - start.instant) / MS_PER_DAY);
}
