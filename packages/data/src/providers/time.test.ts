import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateAtOffset, dateInTimeZone, isKnownTimeZone, wallTimeToInstant } from './time.ts';

describe('time zone helpers', () => {
  it('computes exchange-local dates across daylight saving', () => {
    expect(dateInTimeZone(Date.parse('2024-01-02T14:30:00Z'), 'America/New_York')).toBe('2024-01-02');
    expect(dateInTimeZone(Date.parse('2024-01-02T23:00:00Z'), 'Australia/Sydney')).toBe('2024-01-03');
    expect(dateInTimeZone(Date.parse('2024-07-02T03:30:00Z'), 'America/New_York')).toBe('2024-07-01');
    expect(dateAtOffset(Date.parse('2024-01-02T23:00:00Z'), 39_600)).toBe('2024-01-03');
    expect(isKnownTimeZone('Asia/Shanghai')).toBe(true);
    expect(isKnownTimeZone('Mars/Olympus')).toBe(false);
  });

  it('converts wall times to instants (EST, EDT, and the spring-forward gap)', () => {
    expect(
      new Date(
        wallTimeToInstant({ year: 2024, month: 1, day: 2, hour: 9, minute: 30 }, 'America/New_York'),
      ).toISOString(),
    ).toBe('2024-01-02T14:30:00.000Z');
    expect(
      new Date(
        wallTimeToInstant({ year: 2024, month: 7, day: 2, hour: 9, minute: 30 }, 'America/New_York'),
      ).toISOString(),
    ).toBe('2024-07-02T13:30:00.000Z');
    // 02:30 does not exist on 2024-03-10 in New York; the later reading (03:30 EDT = 07:30Z) is returned.
    expect(
      new Date(
        wallTimeToInstant({ year: 2024, month: 3, day: 10, hour: 2, minute: 30 }, 'America/New_York'),
      ).toISOString(),
    ).toBe('2024-03-10T07:30:00.000Z');
  });

  it('reads a repeated (fall-back) hour as the later instant', () => {
    // 01:30 happens twice on 2024-11-03 in New York: 05:30Z (EDT) and 06:30Z (EST).
    expect(
      new Date(
        wallTimeToInstant({ year: 2024, month: 11, day: 3, hour: 1, minute: 30 }, 'America/New_York'),
      ).toISOString(),
    ).toBe('2024-11-03T06:30:00.000Z');
    expect(
      new Date(wallTimeToInstant({ year: 2024, month: 11, day: 3, hour: 3 }, 'America/New_York')).toISOString(),
    ).toBe('2024-11-03T08:00:00.000Z');
  });

  it('round-trips wall time → instant → local date (property, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom('America/New_York', 'Europe/London', 'Asia/Shanghai', 'Australia/Sydney', 'UTC'),
        (epochMs, zone) => {
          const date = dateInTimeZone(epochMs, zone);
          const [year, month, day] = date.split('-').map(Number) as [number, number, number];
          const noon = wallTimeToInstant({ year, month, day, hour: 12 }, zone);
          expect(dateInTimeZone(noon, zone)).toBe(date);
        },
      ),
      { seed: 20_240_102, numRuns: 200 },
    );
  });
});
