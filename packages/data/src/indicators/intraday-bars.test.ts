import { type Bar, isTradeR1Error, tradingSession, zonedTimeToInstant } from '@trade-r1/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barsAsOf, computeIndicators } from './indicators.ts';

/** Start-stamped intraday bars of `minutes` over each session's continuous-trading intervals (lunch break kept). */
function intradayBars(dates: readonly string[], exchange: 'XNYS' | 'XSHG', minutes: number): Bar[] {
  const bars: Bar[] = [];
  let price = 100;
  for (const date of dates) {
    const session = tradingSession(date, exchange);
    if (!session) continue;
    for (const [open, close] of session.intervals) {
      for (let start = open; start + minutes * 60_000 <= close; start += minutes * 60_000) {
        price *= 1 + (((start / 60_000) % 7) - 3) / 1000;
        const next = price * (1 + (((start / 60_000) % 5) - 2) / 2000);
        bars.push({
          timestamp: new Date(start).toISOString().replace('.000Z', 'Z'),
          open: price,
          high: Math.max(price, next) + 0.01,
          low: Math.min(price, next) - 0.01,
          close: next,
          volume: 1000,
        });
        price = next;
      }
    }
  }
  return bars;
}

const US_DAYS = ['2024-03-08', '2024-03-11', '2024-07-03', '2024-07-05'];
const CN_DAYS = ['2024-02-08', '2024-02-19', '2024-06-07', '2024-06-11'];

describe('intraday bars are public at their end', () => {
  it('a decision inside a bar’s interval never sees that bar, in New York and Shanghai (property)', () => {
    const series = {
      XNYS: { 5: intradayBars(US_DAYS, 'XNYS', 5), 30: intradayBars(US_DAYS, 'XNYS', 30) },
      XSHG: { 5: intradayBars(CN_DAYS, 'XSHG', 5), 30: intradayBars(CN_DAYS, 'XSHG', 30) },
    } as const;
    fc.assert(
      fc.property(
        fc.constantFrom('XNYS' as const, 'XSHG' as const),
        fc.constantFrom(5 as const, 30 as const),
        fc.nat(),
        fc.integer({ min: 0, max: 30 * 60_000 - 1 }),
        fc.constantFrom('declared', 'string', 'inferred', 'exchange'),
        (exchange, minutes, pick, into, how) => {
          const bars = series[exchange][minutes];
          const inside = bars[pick % bars.length] as Bar;
          const start = Date.parse(inside.timestamp);
          const length = minutes * 60_000;
          // A decision instant inside the bar [start, start + length).
          const asOf = start + (into % length);
          const options =
            how === 'declared'
              ? { barInterval: length }
              : how === 'string'
                ? { barInterval: `${minutes}m` as const }
                : how === 'exchange'
                  ? { exchange, barInterval: `${minutes}min` as const }
                  : {};
          const seen = barsAsOf(bars, new Date(asOf).toISOString(), options);
          expect(seen.map((bar) => bar.timestamp)).not.toContain(inside.timestamp);
          // Every bar seen had ended by the decision; the next one had not.
          for (const bar of seen) expect(Date.parse(bar.timestamp) + length).toBeLessThanOrEqual(asOf);
          const next = bars[seen.length];
          if (next) expect(Date.parse(next.timestamp) + length).toBeGreaterThan(asOf);
          // At the bar's end it is seen.
          expect(barsAsOf(bars, new Date(start + length).toISOString(), options).at(-1)?.timestamp).toBe(
            inside.timestamp,
          );
        },
      ),
      { seed: 1302, numRuns: 400 },
    );
  });

  it('places the 15:55 New York bar at 16:00 and the Shanghai pre-lunch bar at 11:30', () => {
    const us = intradayBars(['2024-07-05'], 'XNYS', 5);
    const at = (bars: Bar[], asOf: string, options = {}) => barsAsOf(bars, asOf, options).at(-1)?.timestamp;
    expect(at(us, '2024-07-05T15:59:59.999-04:00', { barInterval: '5m' })).toBe('2024-07-05T19:50:00Z');
    expect(at(us, '2024-07-05T16:00:00-04:00', { barInterval: '5m' })).toBe('2024-07-05T19:55:00Z');
    // A date-only decision at the close sees the whole day; pre-open none of it.
    expect(at(us, '2024-07-05', { ticker: 'AAPL' })).toBe('2024-07-05T19:55:00Z');
    expect(barsAsOf(us, '2024-07-05', { ticker: 'AAPL', cutoff: 'pre-open' })).toEqual([]);
    const cn = intradayBars(['2024-06-07'], 'XSHG', 30);
    const lunch = zonedTimeToInstant('2024-06-07', { hour: 11, minute: 30 }, 'Asia/Shanghai');
    expect(at(cn, new Date(lunch - 1).toISOString())).toBe('2024-06-07T02:30:00Z'); // 10:30–11:00 Shanghai
    expect(at(cn, new Date(lunch).toISOString())).toBe('2024-06-07T03:00:00Z'); // 11:00–11:30
  });

  it('reads end-stamped bars at their timestamp, and indicators follow the same rule', () => {
    const bars = intradayBars(['2024-07-05'], 'XNYS', 5);
    const asOf = '2024-07-05T14:00:00Z';
    expect(barsAsOf(bars, asOf, { barStamp: 'end' }).at(-1)?.timestamp).toBe('2024-07-05T14:00:00Z');
    expect(barsAsOf(bars, asOf).at(-1)?.timestamp).toBe('2024-07-05T13:55:00Z');
    const table = computeIndicators({ bars, asOf, indicators: ['sma50'], barInterval: '5m' });
    expect(table.dates.at(-1)).toBe('2024-07-05T13:55:00Z');
    expect(computeIndicators({ bars, asOf, indicators: ['sma50'], barStamp: 'end' }).dates.at(-1)).toBe(
      '2024-07-05T14:00:00Z',
    );
  });

  it('needs barInterval for a single bar, and rejects bad or misspelled options', () => {
    const [one] = intradayBars(['2024-07-05'], 'XNYS', 5) as [Bar];
    const fail = (run: () => unknown, field: string) => {
      try {
        run();
        expect.unreachable(field);
      } catch (error) {
        expect(isTradeR1Error(error, 'INVALID_INPUT')).toBe(true);
        expect(JSON.stringify((error as { details?: unknown; issues?: unknown }).details ?? {})).toContain(field);
      }
    };
    fail(() => barsAsOf([one], '2024-07-05T14:00:00Z'), 'barInterval');
    expect(barsAsOf([one], '2024-07-05T13:35:00Z', { barInterval: 300_000 })).toEqual([one]);
    expect(barsAsOf([one], '2024-07-05T13:34:59Z', { barInterval: '5min' })).toEqual([]);
    expect(barsAsOf([one], '2024-07-05T13:30:00Z', { barStamp: 'end' })).toEqual([one]);
    for (const bad of [0, -5, 1.5, '5', '5s', '0m', 'five minutes', null]) {
      expect(() => barsAsOf([one], '2024-07-05T14:00:00Z', { barInterval: bad as never })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    expect(() => barsAsOf([one], '2024-07-05T14:00:00Z', { barStamp: 'middle' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => barsAsOf([one], '2024-07-05T14:00:00Z', { interval: '5m' } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
