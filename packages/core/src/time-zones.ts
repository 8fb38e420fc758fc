import { tzOffset } from '@date-fns/tz';
import { TradeR1Error } from './errors.ts';

/**
 * Time-zone arithmetic over the IANA database, through `@date-fns/tz` (which reads the zone rules of the
 * runtime's `Intl`). Two operations are all the decision clock needs: the calendar date of an instant in a zone,
 * and the instant of a wall-clock time in a zone.
 */

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const knownZones = new Map<string, boolean>();

/** True when `timeZone` is an IANA zone name the runtime knows (`America/New_York`, `Asia/Shanghai`, `UTC`). */
export function isTimeZone(timeZone: unknown): timeZone is string {
  if (typeof timeZone !== 'string' || timeZone.length === 0) return false;
  const cached = knownZones.get(timeZone);
  if (cached !== undefined) return cached;
  let known = true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    known = false;
  }
  knownZones.set(timeZone, known);
  return known;
}

function assertTimeZone(timeZone: unknown): asserts timeZone is string {
  if (!isTimeZone(timeZone)) {
    throw new TradeR1Error(
      'INVALID_INPUT',
      `Unknown time zone ${JSON.stringify(timeZone)}: expected an IANA name such as America/New_York`,
      {
        details: { field: 'timeZone', timeZone: String(timeZone) },
      },
    );
  }
}

/** The offset from UTC, in minutes, of `timeZone` at `instant` (epoch ms): −240 for New York in summer. */
export function zoneOffsetMinutes(timeZone: string, instant: number): number {
  assertTimeZone(timeZone);
  const offset = tzOffset(timeZone, new Date(instant));
  if (!Number.isFinite(offset)) {
    throw new TradeR1Error('INVALID_DATE', `No offset for ${timeZone} at ${instant}`, {
      details: { field: 'instant', timeZone, instant },
    });
  }
  return offset;
}

/** The calendar date `YYYY-MM-DD` that the wall clocks of `timeZone` show at `instant`. */
export function dateInZone(instant: number, timeZone: string): string {
  return new Date(instant + zoneOffsetMinutes(timeZone, instant) * MS_PER_MINUTE).toISOString().slice(0, 10);
}

/**
 * The instant (epoch ms) at which the wall clocks of `timeZone` show `date` at `hour:minute:second.millisecond`.
 * In a repeated hour (the autumn change) the earlier instant is returned (`options.repeated: 'later'` for the later
 * one, e.g. for a publication time, which must never be read early); in a skipped hour (the spring change) the time
 * is read with the offset in force before the change (the later of the two readings).
 */
export function zonedTimeToInstant(
  date: string,
  time: { hour: number; minute: number; second?: number; millisecond?: number },
  timeZone: string,
  options?: { repeated?: 'earlier' | 'later' },
): number {
  const repeated = options === undefined ? 'earlier' : options?.repeated;
  if (
    (options !== undefined && (typeof options !== 'object' || options === null)) ||
    (repeated !== undefined && repeated !== 'earlier' && repeated !== 'later') ||
    Object.keys(options ?? {}).some((key) => key !== 'repeated')
  ) {
    throw new TradeR1Error('INVALID_INPUT', "Expected options { repeated?: 'earlier' | 'later' }", {
      details: { field: 'options' },
    });
  }
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
    throw new TradeR1Error('INVALID_DATE', `Expected a date YYYY-MM-DD, got ${JSON.stringify(String(date))}`, {
      details: { field: 'date' },
    });
  }
  const parts = [time?.hour, time?.minute, time?.second ?? 0, time?.millisecond ?? 0];
  if (!parts.every((part) => typeof part === 'number' && Number.isInteger(part) && part >= 0 && part < 1000)) {
    throw new TradeR1Error('INVALID_INPUT', 'Expected a time { hour, minute, second?, millisecond? } of integers', {
      details: { field: 'time' },
    });
  }
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const local = Date.UTC(year, month - 1, day, time.hour, time.minute, time.second ?? 0, time.millisecond ?? 0);
  if (!Number.isFinite(local))
    throw new TradeR1Error('INVALID_DATE', `Invalid date ${date}`, { details: { field: 'date' } });
  // The offset two days earlier and later bracket any change; try both and keep the one that round-trips.
  const before = zoneOffsetMinutes(timeZone, local - MS_PER_DAY);
  const after = zoneOffsetMinutes(timeZone, local + MS_PER_DAY);
  const offsets = before === after ? [before] : [before, after];
  // In a repeated hour both offsets round-trip; the smaller one gives the later instant.
  if (repeated === 'later') offsets.sort((a, b) => a - b);
  for (const offset of offsets) {
    const candidate = local - offset * MS_PER_MINUTE;
    if (zoneOffsetMinutes(timeZone, candidate) === offset) return candidate;
  }
  return local - before * MS_PER_MINUTE;
}
