import type { Bar } from '@trade-r1/core';
import { isTradeR1Error } from '@trade-r1/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedBars } from '../dataset/embedded.ts';
import { barsAsOf, computeIndicators, INDICATOR_NAMES, type IndicatorName } from './indicators.ts';

// Independent reference implementations, written from the textbook definitions (not from the library).
type Series = Array<number | null>;

function sma(values: number[], period: number): Series {
  return values.map((_, index) => {
    if (index < period - 1) return null;
    let sum = 0;
    for (let offset = index - period + 1; offset <= index; offset += 1) sum += values[offset] as number;
    return sum / period;
  });
}

/** EMA seeded with the SMA of the first `period` values (TA-Lib / technicalindicators convention). */
function emaSeeded(values: number[], period: number): Series {
  const k = 2 / (period + 1);
  const out: Series = values.map(() => null);
  let previous: number | undefined;
  values.forEach((value, index) => {
    if (index === period - 1) previous = values.slice(0, period).reduce((a, b) => a + b, 0) / period;
    else if (previous !== undefined) previous = value * k + previous * (1 - k);
    if (previous !== undefined) out[index] = previous;
  });
  return out;
}

function wilderRsi(close: number[], period: number): Series {
  const out: Series = close.map(() => null);
  let averageGain = 0;
  let averageLoss = 0;
  for (let index = 1; index < close.length; index += 1) {
    const change = (close[index] as number) - (close[index - 1] as number);
    const gain = Math.max(change, 0);
    const loss = Math.max(-change, 0);
    if (index <= period) {
      averageGain += gain / period;
      averageLoss += loss / period;
    } else {
      averageGain = (averageGain * (period - 1) + gain) / period;
      averageLoss = (averageLoss * (period - 1) + loss) / period;
    }
    if (index >= period) out[index] = averageLoss === 0 ? 100 : 100 - 100 / (1 + averageGain / averageLoss);
  }
  return out;
}

function trueRange(bars: Bar[]): Series {
  return bars.map((bar, index) => {
    if (index === 0) return null;
    const previousClose = (bars[index - 1] as Bar).close;
    return Math.max(bar.high - bar.low, Math.abs(bar.high - previousClose), Math.abs(bar.low - previousClose));
  });
}

function wilderAtr(bars: Bar[], period: number): Series {
  const ranges = trueRange(bars);
  const out: Series = bars.map(() => null);
  let average = 0;
  for (let index = 1; index < bars.length; index += 1) {
    const range = ranges[index] as number;
    if (index <= period) average += range / period;
    else average = (average * (period - 1) + range) / period;
    if (index >= period) out[index] = average;
  }
  return out;
}

function bollinger(close: number[], period: number, width: number): { middle: Series; upper: Series; lower: Series } {
  const middle = sma(close, period);
  const sigma = close.map((_, index) => {
    const mean = middle[index];
    if (mean === null || mean === undefined) return null;
    let squares = 0;
    for (let offset = index - period + 1; offset <= index; offset += 1)
      squares += ((close[offset] as number) - mean) ** 2;
    return Math.sqrt(squares / period);
  });
  return {
    middle,
    upper: middle.map((mean, index) => (mean === null ? null : mean + width * (sigma[index] as number))),
    lower: middle.map((mean, index) => (mean === null ? null : mean - width * (sigma[index] as number))),
  };
}

function cci(bars: Bar[], period: number): Series {
  const typical = bars.map((bar) => (bar.high + bar.low + bar.close) / 3);
  const mean = sma(typical, period);
  return typical.map((value, index) => {
    const average = mean[index];
    if (average === null || average === undefined) return null;
    let deviation = 0;
    for (let offset = index - period + 1; offset <= index; offset += 1)
      deviation += Math.abs((typical[offset] as number) - average);
    return (value - average) / (0.015 * (deviation / period));
  });
}

function roc(close: number[], period: number): Series {
  return close.map((value, index) =>
    index < period ? null : (100 * (value - (close[index - period] as number))) / (close[index - period] as number),
  );
}

function mfi(bars: Bar[], period: number): Series {
  const typical = bars.map((bar) => (bar.high + bar.low + bar.close) / 3);
  return bars.map((_, index) => {
    if (index < period) return null;
    let positive = 0;
    let negative = 0;
    for (let offset = index - period + 1; offset <= index; offset += 1) {
      const flow = (typical[offset] as number) * (bars[offset] as Bar).volume;
      if ((typical[offset] as number) > (typical[offset - 1] as number)) positive += flow;
      else if ((typical[offset] as number) < (typical[offset - 1] as number)) negative += flow;
    }
    return negative === 0 ? 100 : 100 - 100 / (1 + positive / negative);
  });
}

function stochasticK(bars: Bar[], period: number): Series {
  return bars.map((bar, index) => {
    if (index < period - 1) return null;
    const window = bars.slice(index - period + 1, index + 1);
    const highest = Math.max(...window.map((entry) => entry.high));
    const lowest = Math.min(...window.map((entry) => entry.low));
    return (100 * (bar.close - lowest)) / (highest - lowest);
  });
}

function wilderAdx(bars: Bar[], period: number): { adx: Series; pdi: Series; mdi: Series } {
  const n = bars.length;
  const adx: Series = new Array(n).fill(null);
  const pdi: Series = new Array(n).fill(null);
  const mdi: Series = new Array(n).fill(null);
  let smoothTr = 0;
  let smoothPlus = 0;
  let smoothMinus = 0;
  const dx: number[] = [];
  let average: number | undefined;
  for (let index = 1; index < n; index += 1) {
    const bar = bars[index] as Bar;
    const previous = bars[index - 1] as Bar;
    const range = Math.max(bar.high - bar.low, Math.abs(bar.high - previous.close), Math.abs(bar.low - previous.close));
    const up = bar.high - previous.high;
    const down = previous.low - bar.low;
    const plus = up > down && up > 0 ? up : 0;
    const minus = down > up && down > 0 ? down : 0;
    if (index <= period) {
      smoothTr += range;
      smoothPlus += plus;
      smoothMinus += minus;
    } else {
      smoothTr = smoothTr - smoothTr / period + range;
      smoothPlus = smoothPlus - smoothPlus / period + plus;
      smoothMinus = smoothMinus - smoothMinus / period + minus;
    }
    if (index < period) continue;
    const plusDi = (100 * smoothPlus) / smoothTr;
    const minusDi = (100 * smoothMinus) / smoothTr;
    pdi[index] = plusDi;
    mdi[index] = minusDi;
    dx.push((100 * Math.abs(plusDi - minusDi)) / (plusDi + minusDi));
    if (dx.length === period) average = dx.reduce((a, b) => a + b, 0) / period;
    else if (average !== undefined) average = (average * (period - 1) + (dx.at(-1) as number)) / period;
    if (average !== undefined) adx[index] = average;
  }
  return { adx, pdi, mdi };
}

function expectClose(actual: Series | undefined, expected: Series, tolerance: number, absolute = false): void {
  expect(actual).toBeDefined();
  const series = actual as Series;
  expect(series.length).toBe(expected.length);
  let compared = 0;
  for (let index = 0; index < expected.length; index += 1) {
    const want = expected[index];
    const got = series[index];
    if (want === null || want === undefined || got === null || got === undefined) continue;
    compared += 1;
    const scale = absolute ? 1 : Math.max(1, Math.abs(want));
    if (Math.abs(got - want) > tolerance * scale) {
      throw new Error(`index ${index}: got ${got}, expected ${want} (tolerance ${tolerance})`);
    }
  }
  expect(compared).toBeGreaterThan(100);
}

describe('computeIndicators against reference implementations (real NVDA bars)', () => {
  let bars: Bar[];
  let close: number[];
  let values: ReturnType<typeof computeIndicators>['values'];
  beforeAll(async () => {
    bars = await loadEmbeddedBars('NVDA');
    close = bars.map((bar) => bar.close);
    values = computeIndicators({ bars }).values;
  });

  it('computes every indicator with one value per bar', () => {
    for (const name of INDICATOR_NAMES) {
      expect(values[name], name).toHaveLength(bars.length);
      expect((values[name] as Series).at(-1), name).not.toBeNull();
      expect(
        (values[name] as Series).every((value) => value === null || Number.isFinite(value)),
        name,
      ).toBe(true);
    }
  });

  it('SMA, EMA (SMA-seeded) and MACD', () => {
    expectClose(values.sma50, sma(close, 50), 1e-9);
    expectClose(values.sma200, sma(close, 200), 1e-9);
    expectClose(values.ema10, emaSeeded(close, 10), 1e-9);
    expectClose(values.ema50, emaSeeded(close, 50), 1e-9);
    const fast = emaSeeded(close, 12);
    const slow = emaSeeded(close, 26);
    const line = close.map((_, index) =>
      slow[index] === null ? null : (fast[index] as number) - (slow[index] as number),
    );
    expectClose(values.macd, line, 1e-9);
    const first = line.findIndex((value) => value !== null);
    const signal: Series = new Array(first).fill(null).concat(emaSeeded(line.slice(first) as number[], 9));
    expectClose(values.macdSignal, signal, 1e-9);
    expectClose(
      values.macdHistogram,
      line.map((value, index) => (value === null || signal[index] === null ? null : value - (signal[index] as number))),
      1e-9,
    );
    // The first SMA50 is exactly the mean of the first 50 closes.
    expect(values.sma50?.[48]).toBeNull();
    expect(values.sma50?.[49]).toBeCloseTo(close.slice(0, 50).reduce((a, b) => a + b, 0) / 50, 10);
  });

  it('RSI (Wilder, library rounds to 2 decimals), ATR (Wilder), Bollinger (population σ)', () => {
    expectClose(values.rsi14, wilderRsi(close, 14), 0.0051, true);
    expectClose(values.atr14, wilderAtr(bars, 14), 1e-9);
    expectClose(values.atr5, wilderAtr(bars, 5), 1e-9);
    const bands = bollinger(close, 20, 2);
    expectClose(values.bollMiddle, bands.middle, 1e-9);
    expectClose(values.bollUpper, bands.upper, 1e-9);
    expectClose(values.bollLower, bands.lower, 1e-9);
  });

  it('CCI, ROC, MFI, stochastic and ADX', () => {
    expectClose(values.cci20, cci(bars, 20), 1e-9);
    expectClose(values.roc12, roc(close, 12), 1e-9);
    expectClose(values.mfi14, mfi(bars, 14), 0.0051, true);
    const k = stochasticK(bars, 14);
    expectClose(values.stochK, k, 1e-9);
    expectClose(
      values.stochD,
      k.map((_, index) =>
        index < 15 ? null : ((k[index] as number) + (k[index - 1] as number) + (k[index - 2] as number)) / 3,
      ),
      1e-9,
    );
    const reference = wilderAdx(bars, 14);
    expectClose(values.adx14, reference.adx, 1e-9);
    expectClose(values.pdi14, reference.pdi, 1e-9);
    expectClose(values.mdi14, reference.mdi, 1e-9);
  });

  it('KDJ, VWMA and z-score by hand on a small series', () => {
    const small: Bar[] = [10, 11, 12, 11, 13, 14, 13, 15, 16, 15].map((price, index) => ({
      timestamp: `2024-01-${String(index + 1).padStart(2, '0')}`,
      open: price,
      high: price + 1,
      low: price - 1,
      close: price,
      volume: 100 * (index + 1),
    }));
    const table = computeIndicators({ bars: small, indicators: ['kdjK', 'kdjD', 'kdjJ', 'vwma14'] });
    // Window of 9 at index 8: HHV = 17 (high of 16), LLV = 9 (low of 10); RSV = 100·(16−9)/8 = 87.5.
    const rsv8 = 87.5;
    const k8 = (2 / 3) * 50 + rsv8 / 3;
    const d8 = (2 / 3) * 50 + k8 / 3;
    expect(table.values.kdjK?.[7]).toBeNull();
    expect(table.values.kdjK?.[8]).toBeCloseTo(k8, 12);
    expect(table.values.kdjD?.[8]).toBeCloseTo(d8, 12);
    expect(table.values.kdjJ?.[8]).toBeCloseTo(3 * k8 - 2 * d8, 12);
    expect(table.values.vwma14?.every((value) => value === null)).toBe(true);
    const vwma3 = computeIndicators({ bars: small, indicators: ['vwma14'] });
    expect(Object.keys(vwma3.values)).toEqual(['vwma14']);
  });
});

describe('point in time', () => {
  it('ignores bars after asOf; appending future bars never changes values at or before asOf', async () => {
    const bars = await loadEmbeddedBars('AAPL');
    const asOf = '2024-06-28';
    const cut = barsAsOf(bars, asOf);
    expect(cut.at(-1)?.timestamp).toBe('2024-06-28');
    const reference = computeIndicators({ bars: cut });
    const withFuture = computeIndicators({ bars, asOf });
    expect(withFuture).toEqual(reference);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            drift: fc.double({ min: -0.2, max: 0.2, noNaN: true }),
            volume: fc.integer({ min: 0, max: 1e9 }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 30, max: cut.length - 1 }),
        (future, cutIndex) => {
          const base = cut.slice(0, cutIndex + 1);
          const last = base.at(-1) as Bar;
          const extra: Bar[] = [];
          let price = last.close;
          let day = new Date(`${last.timestamp}T00:00:00Z`).getTime();
          for (const step of future) {
            day += 86_400_000;
            const next = price * (1 + step.drift);
            extra.push({
              timestamp: new Date(day).toISOString().slice(0, 10),
              open: price,
              high: Math.max(price, next) * 1.01,
              low: Math.min(price, next) * 0.99,
              close: next,
              volume: step.volume,
            });
            price = next;
          }
          const names: IndicatorName[] = [
            'sma50',
            'ema10',
            'macdSignal',
            'rsi14',
            'atr14',
            'adx14',
            'kdjJ',
            'mfi14',
            'pvo',
          ];
          const without = computeIndicators({ bars: base, indicators: names });
          const withExtra = computeIndicators({ bars: [...base, ...extra], asOf: last.timestamp, indicators: names });
          expect(withExtra).toEqual(without);
        },
      ),
      { seed: 42, numRuns: 25 },
    );
  });

  it('an intraday asOf before the close of a bar date excludes that bar (it is published at the close)', async () => {
    const bars = await loadEmbeddedBars('MSFT', { end: '2024-07-10' });
    const last = (asOf: string, options = {}) => barsAsOf(bars, asOf, options).at(-1)?.timestamp;
    expect(last('2024-07-10T15:00:00Z', { ticker: 'MSFT' })).toBe('2024-07-09');
    // The close of 2024-07-10 is 16:00 New York = 20:00Z.
    expect(last('2024-07-10T19:59:59.999Z', { ticker: 'MSFT' })).toBe('2024-07-09');
    expect(last('2024-07-10T16:00:00-04:00', { exchange: 'XNAS' })).toBe('2024-07-10');
    expect(last('2024-07-10T16:00:00', { exchange: 'XNAS' })).toBe('2024-07-10');
    expect(last('2024-07-10')).toBe('2024-07-10');
    expect(last('2024-07-10', { cutoff: 'pre-open' })).toBe('2024-07-09');
    expect(last('2024-07-10', { ticker: 'MSFT', cutoff: 'pre-open' })).toBe('2024-07-09');
    expect(barsAsOf(bars, '2000-01-01')).toEqual([]);
    // A date-time over daily bars needs the exchange's clock; an offset-less one a named exchange.
    for (const [asOf, options, field] of [
      ['2024-07-10T15:00:00Z', {}, 'exchange'],
      ['2024-07-10T15:00:00', { ticker: 'MSFT' }, undefined],
      ['2024-07-10', { exchnage: 'XNYS' }, undefined],
      ['2024-07-10', { ticker: 'VOD.L' }, 'exchange'],
    ] as const) {
      try {
        barsAsOf(bars, asOf, options as never);
        expect.unreachable(`${asOf} ${JSON.stringify(options)}`);
      } catch (error) {
        expect(isTradeR1Error(error)).toBe(true);
        if (field) expect((error as { details: { field?: string } }).details.field).toBe(field);
      }
    }
    expect(
      computeIndicators({ bars, asOf: '2024-07-10T15:00:00Z', ticker: 'MSFT', indicators: ['sma50'] }).dates.at(-1),
    ).toBe('2024-07-09');
  });

  it('puts daily bars on their exchange’s trading date whatever the asOf offset and process zone (property)', () => {
    // Trading days of June 2024 on both exchanges (Juneteenth closes New York on 06-19, the Dragon Boat Festival
    // Shanghai on 06-10), and their closes written by hand: 16:00 New York = 20:00Z, 15:00 Shanghai = 07:00Z.
    const june = Array.from({ length: 30 }, (_, index) => `2024-06-${String(index + 1).padStart(2, '0')}`).filter(
      (date) => ![0, 6].includes(new Date(`${date}T12:00:00Z`).getUTCDay()),
    );
    const markets = {
      NVDA: { dates: june.filter((date) => date !== '2024-06-19'), closeUtc: 'T20:00:00Z' },
      '600519.SH': { dates: june.filter((date) => date !== '2024-06-10'), closeUtc: 'T07:00:00Z' },
    } as const;
    const barsOf = (dates: readonly string[]): Bar[] =>
      dates.map((timestamp) => ({ timestamp, open: 10, high: 11, low: 9, close: 10.5, volume: 100 }));
    const offsets = ['Z', '-04:00', '+08:00', '+05:30', '-12:00', '+14:00'];
    const saved = process.env.TZ;
    try {
      for (const zone of ['America/New_York', 'Asia/Shanghai', 'Pacific/Kiritimati', 'UTC']) {
        process.env.TZ = zone;
        fc.assert(
          fc.property(
            fc.constantFrom(...(Object.keys(markets) as Array<keyof typeof markets>)),
            fc.integer({ min: Date.UTC(2024, 5, 1), max: Date.UTC(2024, 6, 1) }),
            fc.constantFrom(...offsets),
            (ticker, instant, offset) => {
              const sign = offset.startsWith('-') ? -1 : 1;
              const minutes =
                offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
              const written = `${new Date(instant + minutes * 60_000).toISOString().slice(0, 23)}${offset}`;
              const { dates, closeUtc } = markets[ticker];
              const expected = dates.filter((date) => Date.parse(`${date}${closeUtc}`) <= instant);
              const got = barsAsOf(barsOf(dates), written, { ticker }).map((bar) => bar.timestamp);
              expect(got).toEqual(expected);
              // The same decision as a Date, or with the exchange named instead of implied, admits the same bars.
              expect(barsAsOf(barsOf(dates), new Date(instant), { ticker }).length).toBe(expected.length);
              const exchange = ticker === 'NVDA' ? 'XNAS' : 'SSE';
              expect(barsAsOf(barsOf(dates), written, { exchange }).length).toBe(expected.length);
            },
          ),
          { seed: 13, numRuns: 150 },
        );
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('gives nulls, not NaN, when history is too short', () => {
    const bars: Bar[] = [{ timestamp: '2024-01-02', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 }];
    const table = computeIndicators({ bars });
    for (const name of INDICATOR_NAMES) expect(table.values[name]).toEqual([null]);
  });

  it('rejects unsorted bars and unknown indicators with typed errors', () => {
    const bars: Bar[] = [
      { timestamp: '2024-01-03', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
      { timestamp: '2024-01-02', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
    ];
    expect(() => computeIndicators({ bars })).toThrow(expect.objectContaining({ code: 'INVALID_SERIES' }));
    try {
      computeIndicators({ bars: [], indicators: ['nope' as IndicatorName] });
      expect.unreachable();
    } catch (error) {
      expect(isTradeR1Error(error, 'INVALID_CONFIG')).toBe(true);
    }
  });
});
