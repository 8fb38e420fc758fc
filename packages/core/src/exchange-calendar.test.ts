import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  barCloseInstant,
  exchangeForTicker,
  getExchangeCalendar,
  isTradingDay,
  nextTradingDate,
  previousTradingDate,
  tradingDatesBetween,
  tradingSession,
} from './exchange-calendar.ts';

const shared = (path: string): string => fileURLToPath(new URL(`../../../../shared/data/${path}`, import.meta.url));

/** Trading dates (first CSV column, ISO date prefix) of a shared price file. */
function barDates(path: string): Set<string> {
  const lines = readFileSync(shared(path), 'utf8').trim().split('\n').slice(1);
  return new Set(lines.map((line) => line.slice(0, 10)));
}

function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describe('holiday tables against real daily bars', () => {
  it('NYSE/Nasdaq: a weekday is a trading day exactly when SPY has a bar (1998-01-02 .. 2026-03-27)', () => {
    const spy = barDates('prices/us/SPY.csv');
    const mismatches = weekdays('1998-01-02', '2026-03-27').filter(
      (date) => isTradingDay(date, 'XNYS') !== spy.has(date) || isTradingDay(date, 'Nasdaq') !== spy.has(date),
    );
    expect(mismatches).toEqual([]);
  });

  it('SSE/SZSE: a weekday is a trading day exactly when the CSI 300 index has a bar (2020 .. 2025)', () => {
    const csi300 = barDates('cn/000300.SH.csv');
    const moutai = barDates('cn/600519.SH.csv');
    const catl = barDates('cn/300750.SZ.csv');
    const mismatches = weekdays('2020-01-01', '2025-12-31').filter(
      (date) =>
        isTradingDay(date, 'SSE') !== csi300.has(date) ||
        isTradingDay(date, 'XSHG') !== moutai.has(date) ||
        isTradingDay(date, 'SZSE') !== catl.has(date),
    );
    expect(mismatches).toEqual([]);
  });
});

describe('sessions', () => {
  it('places New York sessions in UTC across daylight-saving changes, with early closes', () => {
    expect(tradingSession('2024-03-08', 'XNYS')).toMatchObject({
      open: Date.parse('2024-03-08T14:30:00Z'),
      close: Date.parse('2024-03-08T21:00:00Z'),
      earlyClose: false,
    });
    expect(tradingSession('2024-03-11', 'XNYS')?.open).toBe(Date.parse('2024-03-11T13:30:00Z'));
    expect(tradingSession('2024-07-03', 'XNAS')).toMatchObject({
      close: Date.parse('2024-07-03T17:00:00Z'),
      earlyClose: true,
    });
    expect(tradingSession('2024-11-29', 'XNYS')?.close).toBe(Date.parse('2024-11-29T18:00:00Z'));
    expect(tradingSession('2024-12-24', 'XNYS')?.close).toBe(Date.parse('2024-12-24T18:00:00Z'));
    expect(tradingSession('2024-12-25', 'XNYS')).toBeUndefined();
    expect(tradingSession('2024-06-08', 'XNYS')).toBeUndefined();
  });

  it('gives Shanghai and Shenzhen two intervals around the lunch break', () => {
    const session = tradingSession('2024-06-04', 'XSHG');
    expect(session?.intervals).toEqual([
      [Date.parse('2024-06-04T01:30:00Z'), Date.parse('2024-06-04T03:30:00Z')],
      [Date.parse('2024-06-04T05:00:00Z'), Date.parse('2024-06-04T07:00:00Z')],
    ]);
    expect(getExchangeCalendar('szse')).toMatchObject({ id: 'XSHE', timeZone: 'Asia/Shanghai' });
  });

  it('steps over weekends and long holidays', () => {
    expect(nextTradingDate('2024-02-08', 'SSE')).toBe('2024-02-19');
    expect(previousTradingDate('2024-02-19', 'SSE')).toBe('2024-02-08');
    expect(nextTradingDate('2024-07-03', 'XNYS')).toBe('2024-07-05');
    expect(tradingDatesBetween('2024-12-23', '2024-12-27', 'XNYS')).toEqual([
      '2024-12-23',
      '2024-12-24',
      '2024-12-26',
      '2024-12-27',
    ]);
  });
});

describe('tickers and bar closes', () => {
  it('tells the calendar from the symbol and refuses to guess other markets', () => {
    expect(exchangeForTicker('600519.SH')).toBe('XSHG');
    expect(exchangeForTicker('600519.ss')).toBe('XSHG');
    expect(exchangeForTicker('300750.SZ')).toBe('XSHE');
    expect(exchangeForTicker('BRK-B')).toBe('XNYS');
    expect(exchangeForTicker('^GSPC')).toBe('XNYS');
    // Bare A-share codes (as Tushare, AKShare and FNSPID-style China files write them) by their board prefix.
    expect(exchangeForTicker('600519')).toBe('XSHG');
    expect(exchangeForTicker('688981')).toBe('XSHG');
    expect(exchangeForTicker('000858')).toBe('XSHE');
    expect(exchangeForTicker('002594')).toBe('XSHE');
    expect(exchangeForTicker('300750')).toBe('XSHE');
    expect(() => exchangeForTicker('830799')).toThrowError(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => exchangeForTicker('VOD.L')).toThrowError(
      expect.objectContaining({ code: 'INVALID_INPUT', details: expect.objectContaining({ field: 'exchange' }) }),
    );
  });

  it('dates a daily bar at its session close', () => {
    expect(barCloseInstant('2024-07-03', 'XNYS')).toBe(Date.parse('2024-07-03T17:00:00Z'));
    expect(barCloseInstant('2024-06-04', 'XSHG')).toBe(Date.parse('2024-06-04T07:00:00Z'));
    expect(barCloseInstant('1993-02-01', 'XNYS')).toBe(Date.parse('1993-02-01T21:00:00Z'));
    expect(barCloseInstant('2024-06-08', 'XNYS')).toBe(Date.parse('2024-06-09T03:59:59.999Z'));
  });
});

describe('validation', () => {
  it('refuses dates outside the committed tables instead of guessing', () => {
    expect(() => isTradingDay('2019-06-03', 'SSE')).toThrowError(
      expect.objectContaining({
        code: 'INVALID_DATE',
        details: expect.objectContaining({ field: 'date', exchange: 'XSHG' }),
      }),
    );
    expect(() => nextTradingDate('2027-12-31', 'XNYS')).toThrowError(expect.objectContaining({ code: 'INVALID_DATE' }));
  });

  it.each([undefined, null, 42, 'LSE', ''])(
    'rejects the exchange %j with INVALID_INPUT naming the field',
    (exchange) => {
      expect(() => getExchangeCalendar(exchange as never)).toThrowError(
        expect.objectContaining({ code: 'INVALID_INPUT', details: expect.objectContaining({ field: 'exchange' }) }),
      );
    },
  );

  it.each([undefined, 20240603, '2024-6-3', '2024-02-30'])('rejects the date %j with INVALID_DATE', (date) => {
    expect(() => isTradingDay(date as never, 'XNYS')).toThrowError(expect.objectContaining({ code: 'INVALID_DATE' }));
  });
});
