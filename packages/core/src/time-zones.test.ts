import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TradeR1Error } from './errors.ts';
import { dateInZone, isTimeZone, zonedTimeToInstant, zoneOffsetMinutes } from './time-zones.ts';

const iso = (instant: number) => new Date(instant).toISOString();

describe('time zones', () => {
  it('computes zone-local dates across daylight saving', () => {
    expect(dateInZone(Date.parse('2024-01-02T14:30:00Z'), 'America/New_York')).toBe('2024-01-02');
    expect(dateInZone(Date.parse('2024-01-02T23:00:00Z'), 'Australia/Sydney')).toBe('2024-01-03');
    expect(dateInZone(Date.parse('2024-07-02T03:30:00Z'), 'America/New_York')).toBe('2024-07-01');
    expect(zoneOffsetMinutes('America/New_York', Date.parse('2024-07-02T03:30:00Z'))).toBe(-240);
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });

  it('converts wall times to instants (EST, EDT, and the spring-forward gap read with the offset before it)', () => {
    expect(iso(zonedTimeToInstant('2024-01-02', { hour: 9, minute: 30 }, 'America/New_York'))).toBe(
      '2024-01-02T14:30:00.000Z',
    );
    expect(iso(zonedTimeToInstant('2024-07-02', { hour: 9, minute: 30 }, 'America/New_York'))).toBe(
      '2024-07-02T13:30:00.000Z',
    );
    // 02:30 does not exist on 2024-03-10 in New York; read at EST it is 07:30Z (03:30 EDT), the later reading.
    for (const repeated of ['earlier', 'later'] as const) {
      expect(iso(zonedTimeToInstant('2024-03-10', { hour: 2, minute: 30 }, 'America/New_York', { repeated }))).toBe(
        '2024-03-10T07:30:00.000Z',
      );
    }
  });

  it('reads a repeated (fall-back) hour as the earlier instant, or the later one on request', () => {
    // 01:30 happens twice on 2024-11-03 in New York: 05:30Z (EDT) and 06:30Z (EST).
    const wall = { hour: 1, minute: 30 };
    expect(iso(zonedTimeToInstant('2024-11-03', wall, 'America/New_York'))).toBe('2024-11-03T05:30:00.000Z');
    expect(iso(zonedTimeToInstant('2024-11-03', wall, 'America/New_York', { repeated: 'later' }))).toBe(
      '2024-11-03T06:30:00.000Z',
    );
    // Sydney repeats 02:30 on 2024-04-07: 15:30Z (AEDT, +11) and 16:30Z (AEST, +10).
    expect(
      iso(zonedTimeToInstant('2024-04-07', { hour: 2, minute: 30 }, 'Australia/Sydney', { repeated: 'later' })),
    ).toBe('2024-04-06T16:30:00.000Z');
    expect(
      iso(zonedTimeToInstant('2024-11-03', { hour: 3, minute: 0 }, 'America/New_York', { repeated: 'later' })),
    ).toBe('2024-11-03T08:00:00.000Z');
  });

  it('rejects bad options with TradeR1Error', () => {
    for (const options of [null, 'later', { repeated: 'last' }, { repeat: 'later' }]) {
      expect(() =>
        zonedTimeToInstant('2024-11-03', { hour: 1, minute: 30 }, 'America/New_York', options as never),
      ).toThrow(TradeR1Error);
    }
  });

  it('round-trips wall time → instant → local date (property, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom('America/New_York', 'Europe/London', 'Asia/Shanghai', 'Australia/Sydney', 'UTC'),
        fc.constantFrom('earlier' as const, 'later' as const),
        (epochMs, zone, repeated) => {
          const date = dateInZone(epochMs, zone);
          const noon = zonedTimeToInstant(date, { hour: 12, minute: 0 }, zone, { repeated });
          expect(dateInZone(noon, zone)).toBe(date);
        },
      ),
      { seed: 20_240_102, numRuns: 200 },
    );
  });
});
