import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, jsonFixture, startFixtureServer } from './__fixtures__/server.ts';
import { createAlphaVantageSource } from './alpha-vantage.ts';
import { vendorSymbol } from './shared.ts';
import { createYahooPriceSource } from './yahoo.ts';

// Vendor spellings checked in each vendor's documentation: Yahoo Finance symbol lookup (BRK-B, 600519.SS),
// Alpha Vantage documentation (alphavantage.co/documentation/#daily: "TSCO.LON", "SHH" for Shanghai, "SHZ" for
// Shenzhen), Tushare Pro `daily` (tushare.pro/document/2?doc_id=27: ts_code 600519.SH / 000001.SZ).
describe('vendorSymbol', () => {
  it.each([
    ['yahoo', 'BRK.B', 'BRK-B'],
    ['yahoo', 'brk-b', 'BRK-B'],
    ['alphavantage', 'BRK-B', 'BRK.B'],
    ['finnhub', 'BRK-B', 'BRK.B'],
    ['yahoo', '600519.SH', '600519.SS'],
    ['yahoo', '000858.SZ', '000858.SZ'],
    ['alphavantage', '600519.SH', '600519.SHH'],
    ['alphavantage', '300750.SZ', '300750.SHZ'],
    ['tushare', '600519.SS', '600519.SH'],
    ['yahoo', 'AAPL', 'AAPL'],
  ] as const)('%s spells %s as %s', (vendor, ticker, expected) => {
    expect(vendorSymbol(vendor, ticker)).toBe(expected);
  });

  it('lets overrides win', () => {
    expect(vendorSymbol('yahoo', 'brk.b', { 'BRK.B': 'BRK-B.X' })).toBe('BRK-B.X');
  });
});

describe('adapters send the vendor spelling and keep the caller ticker', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('Yahoo asks for 600519.SS when given 600519.SH, Alpha Vantage for BRK.B when given BRK-B', async () => {
    server.route('/v8/finance/chart/600519.SS', {
      status: 404,
      body: '{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found"}}}',
    });
    await createYahooPriceSource({ baseUrl: server.baseUrl, rateLimiter: null, retries: 0 })
      .getDailyBars({ ticker: '600519.SH', start: '2024-01-02', end: '2024-01-05' })
      .catch(() => undefined);
    expect(server.requests.at(-1)?.path).toBe('/v8/finance/chart/600519.SS');
    server.route('/query', jsonFixture('alpha-vantage/time-series-daily-ibm.json'));
    const bars = await createAlphaVantageSource({
      baseUrl: server.baseUrl,
      rateLimiter: null,
      apiKey: 'demo-key-123456',
    }).getDailyBars({
      ticker: 'BRK-B',
      start: '2024-01-02',
      end: '2024-01-05',
    });
    expect(server.requests.at(-1)?.query.get('symbol')).toBe('BRK.B');
    expect(bars.length).toBeGreaterThan(0);
  });
});
