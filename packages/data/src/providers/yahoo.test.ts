import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, jsonFixture, startFixtureServer } from './__fixtures__/server.ts';
import { describeTransport } from './__fixtures__/transport-suite.ts';
import type { SkippedItem } from './shared.ts';
import { createYahooPriceSource } from './yahoo.ts';

const path = '/v8/finance/chart/AAPL';

describeTransport('Yahoo chart', {
  vendor: 'Yahoo Finance',
  path,
  success: jsonFixture('yahoo/chart-aapl.json'),
  schemaMismatch: jsonFixture('yahoo/chart-schema-mismatch.json'),
  vendorError: { reply: jsonFixture('yahoo/chart-not-found.json', 404), code: 'NOT_FOUND' },
  create: (options) => createYahooPriceSource(options),
  call: (source, signal) =>
    source.getDailyBars({ ticker: 'AAPL', start: '2024-01-02', end: '2024-01-08', ...(signal ? { signal } : {}) }),
});

describe('createYahooPriceSource', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('converts timestamps to New York trading dates, skips null rows with a report and never returns NaN', async () => {
    server.route(path, jsonFixture('yahoo/chart-aapl.json'));
    const reported: SkippedItem[] = [];
    const source = createYahooPriceSource({
      baseUrl: server.baseUrl,
      rateLimiter: null,
      onSkip: (item) => reported.push(item),
    });
    const { bars, skipped } = await source.getDailyBarsWithReport({
      ticker: 'aapl',
      start: '2024-01-02',
      end: '2024-01-08',
    });
    expect(bars.map((bar) => bar.timestamp)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-08']);
    expect(bars[0]).toMatchObject({ open: 187.14999389648438, close: 185.63999938964844, volume: 82488700 });
    for (const bar of bars) {
      for (const value of [bar.open, bar.high, bar.low, bar.close, bar.volume])
        expect(Number.isFinite(value)).toBe(true);
    }
    expect(skipped).toEqual([
      expect.objectContaining({ vendor: 'Yahoo Finance', kind: 'bar', subject: 'AAPL', date: '2024-01-05', index: 3 }),
    ]);
    expect(skipped[0]?.reason).toMatch(/missing open, high, low, close, volume/);
    expect(reported).toEqual(skipped);
    const request = server.requests.at(-1);
    expect(request?.query.get('interval')).toBe('1d');
    expect(Number(request?.query.get('period1'))).toBe(Date.parse('2024-01-01T00:00:00Z') / 1000);
    expect(Number(request?.query.get('period2'))).toBe(Date.parse('2024-01-10T00:00:00Z') / 1000);
  });

  it('restricts bars to the requested range', async () => {
    server.route(path, jsonFixture('yahoo/chart-aapl.json'));
    const source = createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null });
    const bars = await source.getDailyBars({ ticker: 'AAPL', start: '2024-01-03', end: '2024-01-04' });
    expect(bars.map((bar) => bar.timestamp)).toEqual(['2024-01-03', '2024-01-04']);
  });

  it('scales OHLC by adjclose / close when adjusted', async () => {
    server.route(path, jsonFixture('yahoo/chart-aapl.json'));
    const source = createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null, adjusted: true });
    const bars = await source.getDailyBars({ ticker: 'AAPL', start: '2024-01-02', end: '2024-01-02' });
    const factor = 184.93 / 185.63999938964844;
    expect(bars[0]?.close).toBeCloseTo(184.93, 10);
    expect(bars[0]?.open).toBeCloseTo(187.14999389648438 * factor, 10);
    expect(bars[0]?.high).toBeCloseTo(188.44000244140625 * factor, 10);
  });

  it('uses the exchange time zone: a Sydney open at 23:00 UTC belongs to the next calendar day', async () => {
    server.route('/v8/finance/chart/BHP.AX', jsonFixture('yahoo/chart-bhp-sydney.json'));
    const source = createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null });
    const bars = await source.getDailyBars({ ticker: 'BHP.AX', start: '2024-01-01', end: '2024-01-31' });
    expect(bars.map((bar) => bar.timestamp)).toEqual(['2024-01-03', '2024-01-04']);
  });

  it('leaves out the provisional bar of a session that has not closed', async () => {
    server.route(path, jsonFixture('yahoo/chart-aapl-open-session.json'));
    const source = createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null });
    const { bars, skipped } = await source.getDailyBarsWithReport({
      ticker: 'AAPL',
      start: '2024-01-05',
      end: '2024-01-08',
    });
    expect(bars.map((bar) => bar.timestamp)).toEqual(['2024-01-05']);
    expect(skipped).toEqual([
      expect.objectContaining({ date: '2024-01-08', reason: expect.stringMatching(/not closed/) }),
    ]);
  });

  it('raises INVALID_BAR for a row that breaks bar invariants, or skips it on request', async () => {
    const broken = JSON.parse(jsonFixture('yahoo/chart-aapl.json').body ?? '{}');
    broken.chart.result[0].indicators.quote[0].high[0] = 100;
    server.route(path, { status: 200, body: JSON.stringify(broken) });
    const strict = createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null });
    const error = await strict
      .getDailyBars({ ticker: 'AAPL', start: '2024-01-02', end: '2024-01-08' })
      .catch((caught) => caught);
    expect(isTradeR1Error(error, 'INVALID_BAR')).toBe(true);
    expect(error.details).toMatchObject({ vendor: 'Yahoo Finance', date: '2024-01-02' });
    const lenient = createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null, onInvalid: 'skip' });
    const { bars, skipped } = await lenient.getDailyBarsWithReport({
      ticker: 'AAPL',
      start: '2024-01-02',
      end: '2024-01-08',
    });
    expect(bars).toHaveLength(3);
    expect(skipped.map((item) => item.date)).toEqual(['2024-01-02', '2024-01-05']);
  });

  it('rejects column arrays of the wrong length', async () => {
    const broken = JSON.parse(jsonFixture('yahoo/chart-aapl.json').body ?? '{}');
    broken.chart.result[0].indicators.quote[0].close.pop();
    server.route(path, { status: 200, body: JSON.stringify(broken) });
    const source = createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null });
    await expect(source.getDailyBars({ ticker: 'AAPL', end: '2024-01-08' })).rejects.toMatchObject({
      code: 'BAD_RESPONSE',
      message: expect.stringContaining('indicators.quote.0.close'),
    });
  });

  it('validates the request before any network call', async () => {
    const before = server.count();
    const source = createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null });
    await expect(source.getDailyBars({ ticker: 'AAPL', start: '2024-02-01', end: '2024-01-01' })).rejects.toMatchObject(
      {
        code: 'INVALID_INPUT',
      },
    );
    await expect(source.getDailyBars({ ticker: 'AAPL', end: '2024-02-30' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(server.count()).toBe(before);
  });
});
