import { parseTimestamp, TradeR1Error, zonedTimeToInstant, zoneOffsetMinutes } from '@trade-r1/core';
import { z } from 'zod';
import { parseArgument } from '../validate.ts';

/**
 * US time-zone handling for news timestamps written the way US publishers write them
 * (`January 25, 2024 — 03:33 am EST`, `FEB 2, 2024 9:32AM EST`, `Jan 5, 2024`).
 *
 * Abbreviations: fixed-offset ones (`EST` −5, `EDT` −4, `CST` −6, `CDT` −5, `MST` −7, `MDT` −6, `PST` −8,
 * `PDT` −7, `AKST` −9, `AKDT` −8, `HST` −10, `UTC`/`GMT`/`Z` 0) are taken literally, even when the publisher used
 * the wrong one for the season (`EST` in July means UTC−5, as written). Generic ones (`ET`, `CT`, `MT`, `PT`) follow
 * US daylight saving for that local date and time as the IANA database records it for `America/New_York` (read
 * through `@trade-r1/core`'s time zones): since 2007 from the second Sunday of March 02:00 to the first Sunday of
 * November 02:00; 1987–2006 from the first Sunday of April to the last Sunday of October; earlier years as recorded
 * (the 1974–75 energy-crisis dates included).
 */

const FIXED_OFFSETS: Readonly<Record<string, number>> = {
  EST: -5,
  EDT: -4,
  CST: -6,
  CDT: -5,
  MST: -7,
  MDT: -6,
  PST: -8,
  PDT: -7,
  AKST: -9,
  AKDT: -8,
  HST: -10,
  UTC: 0,
  GMT: 0,
  Z: 0,
};

const US_EASTERN = 'America/New_York';

const GENERIC_STANDARD: Readonly<Record<string, number>> = { ET: -5, CT: -6, MT: -7, PT: -8, AKT: -9 };

const MONTHS: Readonly<Record<string, number>> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  sept: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const FULL_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** A US time-zone name accepted by {@link parseUsDateTime}. */
export type UsTimeZone =
  | 'EST'
  | 'EDT'
  | 'CST'
  | 'CDT'
  | 'MST'
  | 'MDT'
  | 'PST'
  | 'PDT'
  | 'AKST'
  | 'AKDT'
  | 'HST'
  | 'UTC'
  | 'GMT'
  | 'ET'
  | 'CT'
  | 'MT'
  | 'PT'
  | 'AKT';

/**
 * True when US daylight-saving time is in effect at a local wall-clock time (minutes since local midnight).
 * Ambiguous/skipped hours at the transitions resolve to standard time before 02:00 and daylight time after.
 */
export function isUsDaylightTime(year: number, month: number, day: number, minutes = 12 * 60): boolean {
  parseArgument(z.number().int(), year, { fn: 'isUsDaylightTime()', field: 'year' });
  parseArgument(z.number().int().min(1).max(12), month, { fn: 'isUsDaylightTime()', field: 'month' });
  parseArgument(z.number().int().min(1).max(31), day, { fn: 'isUsDaylightTime()', field: 'day' });
  parseArgument(
    z
      .number()
      .min(0)
      .max(24 * 60),
    minutes,
    { fn: 'isUsDaylightTime()', field: 'minutes' },
  );
  const date = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  // A skipped wall time is read with the offset before the change (so it lands after it) and a repeated one as the
  // earlier instant (still daylight time): the rule stated above.
  const instant = zonedTimeToInstant(
    date,
    { hour: Math.floor(minutes / 60), minute: Math.floor(minutes % 60) },
    US_EASTERN,
  );
  return zoneOffsetMinutes(US_EASTERN, instant) === -240;
}

/** UTC offset in hours of a US zone abbreviation at a local date and time; `undefined` for an unknown name. */
export function usZoneOffsetHours(
  zone: string,
  year: number,
  month: number,
  day: number,
  minutes = 12 * 60,
): number | undefined {
  const name = zone.toUpperCase();
  const fixed = FIXED_OFFSETS[name];
  if (fixed !== undefined) return fixed;
  const standard = GENERIC_STANDARD[name];
  if (standard === undefined) return undefined;
  return isUsDaylightTime(year, month, day, minutes) ? standard + 1 : standard;
}

const US_DATE_TIME =
  /^([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:\s*(?:—|–|-|,|at|@)?\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?\s*([A-Za-z]{1,5})?)?$/;

/** Options for {@link parseUsDateTime}. */
export interface ParseUsDateTimeOptions {
  /** Zone for a time without one, and for the end of day of a date without time. @default 'ET' */
  defaultZone?: UsTimeZone;
}

/** A parsed publication time. */
export interface ParsedUsDateTime {
  /** Canonical UTC ISO instant. */
  instant: string;
  /** True when the text had no time of day (the instant is then the END of that day in the zone: conservative). */
  dateOnly: boolean;
}

/**
 * Parse a US-style publication time (`January 25, 2024 — 03:33 am EST`, `FEB 2, 2024 9:32AM EST`,
 * `Jan 5, 2024`) or any ISO-8601 timestamp into a UTC instant. A date without a time becomes the last millisecond
 * of that day in `defaultZone` — the latest moment it could have been published, so it never leaks early.
 * @throws {TradeR1Error} `INVALID_DATE` for text it cannot read (relative dates such as `2 DAYS AGO` included).
 */
export function parseUsDateTime(text: string, options: ParseUsDateTimeOptions = {}): ParsedUsDateTime {
  parseArgument(z.string(), text, { fn: 'parseUsDateTime()', field: 'text' });
  parseArgument(z.strictObject({ defaultZone: z.string().optional() }), options, {
    fn: 'parseUsDateTime()',
    field: 'options',
    code: 'INVALID_CONFIG',
  });
  const input = text.trim();
  const match = US_DATE_TIME.exec(input);
  if (!match) {
    try {
      const parsed = parseTimestamp(input);
      if (!parsed.dateOnly) return { instant: new Date(parsed.instant).toISOString(), dateOnly: false };
      const [year, month, day] = parsed.tradingDate.split('-').map(Number) as [number, number, number];
      return endOfLocalDay(year, month, day, options.defaultZone ?? 'ET', input);
    } catch {
      throw new TradeR1Error(
        'INVALID_DATE',
        `Cannot read the date ${JSON.stringify(text)}: expected e.g. "January 25, 2024 — 03:33 am EST" or ISO-8601`,
        {
          details: { input: text },
        },
      );
    }
  }
  const monthName = (match[1] as string).toLowerCase();
  const month = MONTHS[monthName] ?? (FULL_MONTHS.includes(monthName) ? MONTHS[monthName.slice(0, 3)] : undefined);
  const day = Number(match[2]);
  const year = Number(match[3]);
  if (month === undefined)
    throw new TradeR1Error('INVALID_DATE', `Unknown month in ${JSON.stringify(text)}`, { details: { input: text } });
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth)
    throw new TradeR1Error('INVALID_DATE', `Day ${day} does not exist in ${JSON.stringify(text)}`, {
      details: { input: text },
    });
  if (match[4] === undefined) return endOfLocalDay(year, month, day, options.defaultZone ?? 'ET', text);
  let hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = match[6] === undefined ? 0 : Number(match[6]);
  const meridiem = match[7]?.replace(/\./g, '').toLowerCase();
  if (meridiem) {
    if (hour < 1 || hour > 12)
      throw new TradeR1Error('INVALID_DATE', `Hour ${hour} is not a 12-hour clock hour in ${JSON.stringify(text)}`, {
        details: { input: text },
      });
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59 || second > 59)
    throw new TradeR1Error('INVALID_DATE', `Time of day out of range in ${JSON.stringify(text)}`, {
      details: { input: text },
    });
  const zone = match[8] ?? options.defaultZone ?? 'ET';
  const offset = usZoneOffsetHours(zone, year, month, day, hour * 60 + minute);
  if (offset === undefined) {
    throw new TradeR1Error('INVALID_DATE', `Unknown time zone ${JSON.stringify(zone)} in ${JSON.stringify(text)}`, {
      details: { input: text, zone },
    });
  }
  const instant = Date.UTC(year, month - 1, day, hour, minute, second) - offset * 3_600_000;
  return { instant: new Date(instant).toISOString(), dateOnly: false };
}

function endOfLocalDay(year: number, month: number, day: number, zone: string, text: string): ParsedUsDateTime {
  const offset = usZoneOffsetHours(zone, year, month, day, 23 * 60 + 59);
  if (offset === undefined)
    throw new TradeR1Error('INVALID_DATE', `Unknown time zone ${JSON.stringify(zone)}`, {
      details: { input: text, zone },
    });
  const instant = Date.UTC(year, month - 1, day, 23, 59, 59, 999) - offset * 3_600_000;
  return { instant: new Date(instant).toISOString(), dateOnly: true };
}
