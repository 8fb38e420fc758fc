import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCalendarDays,
  assertAvailableAt,
  calendarDaysBetween,
  isAvailableAt,
  parseTimestamp,
  toInstant,
  toIsoInstant,
  toTradingDate,
} from './dates.ts';
import { isTradeR1Error } from './errors.ts';

describe('parseTimestamp', () => {
  it('reads the trading date in the source time zone', () => {
    expect(toTradingDate('2015-01-02 00:00:00-05:00')).toBe('2015-01-02');
    expect(parseTimestamp('2015-01-02 00:00:00-05:00').instant).toBe(Date.UTC(2015, 0, 2, 5));
    expect(toTradingDate('2024-06-03T23:30:00+08:00')).toBe('2024-06-03');
    expect(toTradingDate('20240105')).toBe('2024-01-05');
    expect(parseTimestamp('2024-01-05T14:30:00.250+0530').instant).toBe(Date.UTC(2024, 0, 5, 9, 0, 0, 250));
  });

  it.each(['2024-02-30', '2023-13-01', 'Jan 5 2024', '2024-01-05T25:00:00Z', '', '2024-01-05T10:00:00+15:00'])(
    'rejects %j with INVALID_DATE',
    (input) => {
      expect(() => parseTimestamp(input)).toThrowError(expect.objectContaining({ code: 'INVALID_DATE' }));
    },
  );
});

describe('offsets and zones', () => {
  it('rejects a date-time without an offset unless a zone is named', () => {
    expect(() => parseTimestamp('2024-06-04 10:00:00')).toThrowError(
      expect.objectContaining({ code: 'INVALID_DATE', details: expect.objectContaining({ reason: 'missing-offset' }) }),
    );
    expect(parseTimestamp('2024-06-04 10:00:00', { timeZone: 'America/New_York' }).instant).toBe(
      Date.UTC(2024, 5, 4, 14),
    );
    expect(parseTimestamp('2024-01-04T10:00', { timeZone: 'America/New_York' }).instant).toBe(Date.UTC(2024, 0, 4, 15));
    expect(toInstant('2024-06-04', { timeZone: 'Asia/Shanghai' })).toBe(Date.UTC(2024, 5, 4, 15, 59, 59, 999));
  });

  it.each(['-14:00', '-12:30', '+14:30', '+05:75'])('rejects the offset %s', (offset) => {
    expect(() => parseTimestamp(`2024-06-03T23:00${offset}`)).toThrowError(
      expect.objectContaining({
        code: 'INVALID_DATE',
        details: expect.objectContaining({ reason: 'offset-out-of-range' }),
      }),
    );
  });

  it('accepts the extreme offsets in use', () => {
    expect(parseTimestamp('2024-06-03T23:00-12:00').instant).toBe(Date.UTC(2024, 5, 4, 11));
    expect(parseTimestamp('2024-06-03T23:00+14:00').instant).toBe(Date.UTC(2024, 5, 3, 9));
  });

  it.each([{ timeZone: 'Mars/Olympus' }, { timezone: 'UTC' }, 'UTC'])('rejects the options %j', (options) => {
    expect(() => parseTimestamp('2024-06-03', options as never)).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});

describe('point-in-time comparison', () => {
  it('treats a date-only value as the end of that UTC day', () => {
    expect(toIsoInstant('2024-01-05')).toBe('2024-01-05T23:59:59.999Z');
    expect(isAvailableAt('2024-01-05T22:00:00Z', '2024-01-05')).toBe(true);
    expect(isAvailableAt('2024-01-05', '2024-01-05T14:00:00Z')).toBe(false);
    expect(isAvailableAt('2024-01-06T00:00:00Z', '2024-01-05')).toBe(false);
  });

  it('is consistent with instants for any pair of times', () => {
    const time = fc.date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('2030-01-01T00:00:00Z'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(time, time, (published, asOf) => {
        const available = isAvailableAt(published.toISOString(), asOf.toISOString());
        expect(available).toBe(published.getTime() <= asOf.getTime());
        if (!available) {
          try {
            assertAvailableAt(published.toISOString(), asOf.toISOString(), { id: 'x' });
            expect.unreachable();
          } catch (error) {
            expect(isTradeR1Error(error, 'LOOKAHEAD')).toBe(true);
          }
        }
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('does calendar arithmetic on trading dates', () => {
    expect(addCalendarDays('2024-02-28', 2)).toBe('2024-03-01');
    expect(addCalendarDays('2024-01-01', -1)).toBe('2023-12-31');
    expect(calendarDaysBetween('2024-01-01', '2024-03-01')).toBe(60);
    expect(toInstant('2024-01-01')).toBeGreaterThan(toInstant('2024-01-01T12:00:00Z'));
  });
});
