import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decisionCutoff,
  decisionInstant,
  decisionTiming,
  firstOpenAfter,
  isAdmissible,
  publicationInstant,
} from './decision-clock.ts';
import { TradeR1Error } from './errors.ts';
import { EXCHANGE_IDS, isTradingDay, nextTradingDate, tradingSession } from './exchange-calendar.ts';
import { zoneOffsetMinutes } from './time-zones.ts';

describe('decisionCutoff', () => {
  it('puts a date-only decision at the exchange close, so a post-close release is not evidence (NVDA, 2024-05-22)', () => {
    const cutoff = decisionCutoff({ asOf: '2024-05-22', exchange: 'XNAS' });
    expect(new Date(cutoff).toISOString()).toBe('2024-05-22T20:00:00.000Z');
    // NVIDIA's Q1 FY2025 results were released at 16:20 New York time, after that day's close.
    expect(isAdmissible({ publishedAt: '2024-05-22T16:20:00-04:00', cutoff, exchange: 'XNAS' })).toBe(false);
    expect(isAdmissible({ publishedAt: '2024-05-22T15:59:59-04:00', cutoff, exchange: 'XNAS' })).toBe(true);
    const timing = decisionTiming({ asOf: '2024-05-22', exchange: 'Nasdaq' });
    expect(timing.fill.date).toBe('2024-05-23');
    expect(new Date(timing.fill.open).toISOString()).toBe('2024-05-23T13:30:00.000Z');
    expect(timing.decisionBar).toBe('2024-05-22');
  });

  it('places the pre-open cutoff just before the open, filling at that open', () => {
    const timing = decisionTiming({ asOf: '2024-05-22', exchange: 'XNYS', at: 'pre-open' });
    expect(timing.cutoffIso).toBe('2024-05-22T13:29:59.999Z');
    expect(timing.fill.date).toBe('2024-05-22');
    expect(timing.decisionBar).toBe('2024-05-21');
  });

  it('uses the early close and Shanghai afternoon close', () => {
    expect(new Date(decisionCutoff({ asOf: '2024-07-03', exchange: 'NYSE' })).toISOString()).toBe(
      '2024-07-03T17:00:00.000Z',
    );
    expect(new Date(decisionCutoff({ asOf: '2024-06-04', exchange: 'SSE' })).toISOString()).toBe(
      '2024-06-04T07:00:00.000Z',
    );
  });

  it('reduces an instant to the same fill whatever zone it is written in (issue 13, item 2)', () => {
    // 23:00 New York on 2024-06-03 is 11:00 in Shanghai on 2024-06-04: during the morning session, so the first
    // open after it is 2024-06-05's, never the 2024-06-04 open that came 1.5 hours earlier.
    const written = decisionTiming({ asOf: '2024-06-03T23:00-04:00', exchange: 'XSHG' });
    const utc = decisionTiming({ asOf: '2024-06-04T03:00:00Z', exchange: 'XSHG' });
    expect(written.fill.date).toBe('2024-06-05');
    expect(utc).toEqual(written);
    expect(written.decisionBar).toBe('2024-06-04');
  });

  it('reads offset-less times in the exchange zone and rejects impossible offsets', () => {
    expect(decisionCutoff({ asOf: '2024-06-04T10:00:00', exchange: 'XSHG' })).toBe(Date.parse('2024-06-04T02:00:00Z'));
    expect(decisionCutoff({ asOf: '2024-06-04 10:00', exchange: 'XNYS' })).toBe(Date.parse('2024-06-04T14:00:00Z'));
    expect(() => decisionCutoff({ asOf: '2024-06-03T23:00-14:00', exchange: 'XSHG' })).toThrowError(
      expect.objectContaining({
        code: 'INVALID_DATE',
        details: expect.objectContaining({ reason: 'offset-out-of-range' }),
      }),
    );
  });

  it('on a day without a session, cuts off at the end of that day in the exchange zone', () => {
    const timing = decisionTiming({ asOf: '2024-06-08', exchange: 'XNYS' });
    expect(timing.cutoffIso).toBe('2024-06-09T03:59:59.999Z');
    expect(timing.fill.date).toBe('2024-06-10');
    expect(timing.decisionBar).toBe('2024-06-07');
  });

  it('reads date-only publications as the end of that day in the exchange zone', () => {
    expect(new Date(publicationInstant({ publishedAt: '2024-06-04', exchange: 'SZSE' })).toISOString()).toBe(
      '2024-06-04T15:59:59.999Z',
    );
    expect(new Date(publicationInstant({ publishedAt: '2024-06-04', exchange: 'XNYS' })).toISOString()).toBe(
      '2024-06-05T03:59:59.999Z',
    );
  });

  it.each([
    [undefined],
    [{}],
    [{ asOf: '2024-05-22' }],
    [{ asOf: '2024-05-22', exchange: 'LSE' }],
    [{ asOf: '2024-05-22', exchange: 'XNYS', at: 'open' }],
    [{ asOf: '2024-05-22', exchange: 'XNYS', cutof: 'close' }],
    [{ asOf: {}, exchange: 'XNYS' }],
  ])('rejects %j with INVALID_INPUT', (options) => {
    expect(() => decisionCutoff(options as never)).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

const DAY = 86_400_000;
const FROM = Date.parse('2020-01-06T00:00:00Z');
const TO = Date.parse('2026-11-30T00:00:00Z');
const ZONES = ['America/New_York', 'Asia/Shanghai', 'UTC', 'Pacific/Kiritimati', 'Etc/GMT+12', 'Asia/Kolkata'];

/** Write `instant` as a local date-time with the numeric offset `offsetMinutes`. */
function withOffset(instant: number, offsetMinutes: number): string {
  const local = new Date(instant + offsetMinutes * 60_000).toISOString().slice(0, 23);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

describe('no look-ahead, across US and China zones (property)', () => {
  const exchange = fc.constantFrom(...EXCHANGE_IDS);
  const instant = fc.integer({ min: FROM, max: TO });
  const asOf = fc.oneof(
    fc
      .integer({ min: 0, max: Math.floor((TO - FROM) / DAY) })
      .map((days) => new Date(FROM + days * DAY).toISOString().slice(0, 10)),
    instant.chain((at) => fc.integer({ min: -12 * 60, max: 14 * 60 }).map((offset) => withOffset(at, offset))),
    instant,
  );

  it('admitted items are published at or before the cutoff, and the fill is the first open strictly after it', () => {
    fc.assert(
      fc.property(
        exchange,
        asOf,
        fc.constantFrom('close', 'pre-open') as fc.Arbitrary<'close' | 'pre-open'>,
        instant,
        fc.constantFrom(...ZONES),
        fc.boolean(),
        (id, decisionAt, at, published, zone, offsetLess) => {
          const timing = decisionTiming({ asOf: decisionAt, exchange: id, at });
          // A publication written in any zone, with or without an offset.
          const exchangeZone = id.startsWith('XN') ? 'America/New_York' : 'Asia/Shanghai';
          // Offset-less text is read in the exchange's zone.
          const text = offsetLess
            ? withOffset(published, zoneOffsetMinutes(exchangeZone, published)).slice(0, 23)
            : withOffset(published, zoneOffsetMinutes(zone, published));
          const publishedInstant = publicationInstant({ publishedAt: text, exchange: id });
          if (!offsetLess) expect(publishedInstant).toBe(published);
          const admitted = isAdmissible({ publishedAt: text, cutoff: timing.cutoff, exchange: id });
          expect(admitted).toBe(publishedInstant <= timing.cutoff);
          if (admitted) expect(publishedInstant).toBeLessThan(timing.fill.open);
          // The fill opens after the cutoff, and no session opens in between.
          expect(timing.fill.open).toBeGreaterThan(timing.cutoff);
          for (let day = timing.cutoff - DAY; day < timing.fill.open; day += DAY) {
            const date = new Date(day).toISOString().slice(0, 10);
            const session = isTradingDay(date, id) ? tradingSession(date, id) : undefined;
            if (session && session.open > timing.cutoff) expect(session.open).toBeGreaterThanOrEqual(timing.fill.open);
          }
          expect(nextTradingDate(timing.decisionBar, id)).toBe(timing.fill.date);
          expect(firstOpenAfter({ instant: timing.cutoff, exchange: id })).toEqual(timing.fill);
        },
      ),
      { seed: 13, numRuns: 2000 },
    );
  });
});

describe('decisionInstant', () => {
  const iso = (options: Parameters<typeof decisionInstant>[0]) => new Date(decisionInstant(options)).toISOString();
  const code = (options: unknown) => {
    try {
      decisionInstant(options as Parameters<typeof decisionInstant>[0]);
    } catch (error) {
      expect(error).toBeInstanceOf(TradeR1Error);
      return [(error as TradeR1Error).code, (error as TradeR1Error).details.field];
    }
    return null;
  };

  it('places a date-only asOf on the named exchange, else on the ticker’s', () => {
    expect(iso({ asOf: '2024-05-22', ticker: 'NVDA' })).toBe('2024-05-22T20:00:00.000Z');
    expect(iso({ asOf: '2024-05-22', ticker: 'NVDA', at: 'pre-open' })).toBe('2024-05-22T13:29:59.999Z');
    expect(iso({ asOf: '2024-06-04', ticker: '600519.SH' })).toBe('2024-06-04T07:00:00.000Z');
    expect(iso({ asOf: '2024-06-04', ticker: 'NVDA', exchange: 'SSE' })).toBe('2024-06-04T07:00:00.000Z');
    expect(decisionInstant({ asOf: '2024-06-04', exchange: 'XSHE' })).toBe(
      decisionCutoff({ asOf: '2024-06-04', exchange: 'XSHE' }),
    );
  });

  it('keeps instants with offsets; reads offset-less ones only in a named exchange zone', () => {
    expect(iso({ asOf: '2024-06-03T23:00-04:00' })).toBe('2024-06-04T03:00:00.000Z');
    expect(iso({ asOf: '2024-06-03T23:00-04:00', exchange: 'SSE' })).toBe('2024-06-04T03:00:00.000Z');
    expect(iso({ asOf: '2024-06-03T23:00', exchange: 'SSE' })).toBe('2024-06-03T15:00:00.000Z');
    expect(code({ asOf: '2024-06-03T23:00', ticker: '600519.SH' })).toEqual(['INVALID_DATE', undefined]);
  });

  it('asks for an exchange it cannot infer, and rejects bad or misspelled options', () => {
    expect(code({ asOf: '2024-06-04' })).toEqual(['INVALID_INPUT', 'exchange']);
    expect(code({ asOf: '2024-06-04', ticker: 'VOD.L' })).toEqual(['INVALID_INPUT', 'exchange']);
    expect(code({ asOf: '2024-06-04', ticker: 'NVDA', exchnage: 'SSE' })?.[0]).toBe('INVALID_INPUT');
    expect(code(undefined)?.[0]).toBe('INVALID_INPUT');
    expect(code({ asOf: undefined, ticker: 'NVDA' })?.[0]).toBe('INVALID_INPUT');
  });
});
