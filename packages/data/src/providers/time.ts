/**
 * Time-zone helpers for vendor timestamps (pure, `Intl`-based, no dependencies).
 */

const DAY_MS = 86_400_000;

const dateFormatters = new Map<string, Intl.DateTimeFormat>();
const partFormatters = new Map<string, Intl.DateTimeFormat>();

function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when `timeZone` is an IANA zone this runtime knows (`America/New_York`). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    dateFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date `YYYY-MM-DD` of an instant in an IANA time zone (daylight saving handled by `Intl`). */
export function dateInTimeZone(epochMs: number, timeZone: string): string {
  return dateFormatter(timeZone).format(new Date(epochMs));
}

/** The calendar date `YYYY-MM-DD` of an instant shifted by a fixed UTC offset in seconds. */
export function dateAtOffset(epochMs: number, offsetSeconds: number): string {
  return new Date(epochMs + offsetSeconds * 1000).toISOString().slice(0, 10);
}

function offsetMs(epochMs: number, timeZone: string): number {
  let formatter = partFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    partFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return wall - (epochMs - (epochMs % 1000));
}

/**
 * The instant (epoch ms) of a wall-clock time in an IANA time zone. For a time skipped by a daylight-saving jump
 * the later interpretation is returned; for a repeated hour, the later one (both err towards "published later").
 */
export function wallTimeToInstant(
  wall: { year: number; month: number; day: number; hour?: number; minute?: number; second?: number },
  timeZone: string,
): number {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour ?? 0, wall.minute ?? 0, wall.second ?? 0);
  // The offsets in force a day before and a day after cover both sides of any daylight-saving transition.
  const candidates = [offsetMs(guess - DAY_MS, timeZone), offsetMs(guess + DAY_MS, timeZone)].map((offset) => ({
    instant: guess - offset,
    offset,
  }));
  const valid = candidates.filter((candidate) => offsetMs(candidate.instant, timeZone) === candidate.offset);
  const pool = valid.length > 0 ? valid : candidates;
  return Math.max(...pool.map((candidate) => candidate.instant));
}
