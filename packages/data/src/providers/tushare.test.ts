import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, jsonFixture, startFixtureServer } from './__fixtures__/server.ts';
import { describeTransport, expectNoSecret } from './__fixtures__/transport-suite.ts';
import { createTushareSource } from './tushare.ts';

const SECRET = 'ts0123456789abcdef0123456789abcdef0123456789abcdef01234567';

describeTransport('Tushare Pro daily', {
  vendor: 'Tushare Pro',
  secret: SECRET,
  path: '/',
  success: jsonFixture('tushare/daily-600519.json'),
  schemaMismatch: jsonFixture('tushare/daily-schema-mismatch.json'),
  vendorError: { reply: jsonFixture('tushare/error-permission.json'), code: 'UNAUTHORIZED' },
  create: (options, secret) => createTushareSource({ ...options, ...(secret ? { token: secret } : {}) }),
  call: (source, signal) =>
    source.getDailyBars({ ticker: '600519.SH', start: '2024-01-02', end: '2024-01-08', ...(signal ? { signal } : {}) }),
});

describe('createTushareSource', () => {
  let server: FixtureServer;
  const base = () => ({ baseUrl: server.baseUrl, token: SECRET, rateLimiter: null, sleep: async () => {} });
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('POSTs {api_name, token, params, fields} and converts lots to shares', async () => {
    server.route('/', jsonFixture('tushare/daily-600519.json'));
    const bars = await createTushareSource(base()).getDailyBars({
      ticker: '600519.SH',
      start: '2024-01-02',
      end: '2024-01-08',
    });
    expect(bars.map((bar) => bar.timestamp)).toEqual([
      '2024-01-02',
      '2024-01-03',
      '2024-01-04',
      '2024-01-05',
      '2024-01-08',
    ]);
    expect(bars[0]).toEqual({
      timestamp: '2024-01-02',
      open: 1715,
      high: 1718.19,
      low: 1678.1,
      close: 1685.01,
      volume: 3215644,
    });
    const request = server.requests.at(-1);
    expect(request?.method).toBe('POST');
    expect(JSON.parse(request?.body ?? '{}')).toEqual({
      api_name: 'daily',
      token: SECRET,
      params: { ts_code: '600519.SH', start_date: '20240102', end_date: '20240108' },
      fields: 'ts_code,trade_date,open,high,low,close,vol',
    });
  });

  it('treats code != 0 with HTTP 200 as an error: rate limit (retried), token', async () => {
    server.route('/', jsonFixture('tushare/error-rate-limit.json'), jsonFixture('tushare/daily-600519.json'));
    let before = server.count('/');
    await expect(
      createTushareSource(base()).getDailyBars({ ticker: '600519.SH', end: '2024-01-08' }),
    ).resolves.toHaveLength(5);
    expect(server.count('/') - before).toBe(2);
    server.route('/', jsonFixture('tushare/error-token.json'));
    before = server.count('/');
    const error = await createTushareSource(base())
      .getDailyBars({ ticker: '600519.SH', end: '2024-01-08' })
      .catch((caught) => caught);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED', details: { vendorCode: -2001 } });
    expect(server.count('/') - before).toBe(1);
    expectNoSecret(error, SECRET);
  });

  it('follows has_more pages backwards', async () => {
    server.route('/', jsonFixture('tushare/daily-600519-page-1.json'), jsonFixture('tushare/daily-600519-page-2.json'));
    const before = server.count('/');
    const bars = await createTushareSource(base()).getDailyBars({
      ticker: '600519.SH',
      start: '2024-01-02',
      end: '2024-01-08',
    });
    expect(bars.map((bar) => bar.timestamp)).toEqual(['2024-01-04', '2024-01-05', '2024-01-08']);
    expect(server.count('/') - before).toBe(2);
    expect(JSON.parse(server.requests.at(-1)?.body ?? '{}').params.end_date).toBe('20240104');
  });

  it('skips rows with null prices and reports them', async () => {
    server.route('/', jsonFixture('tushare/daily-null-row.json'));
    const { bars, skipped } = await createTushareSource(base()).getDailyBarsWithReport({
      ticker: '600519.SH',
      end: '2024-01-08',
    });
    expect(bars.map((bar) => bar.timestamp)).toEqual(['2024-01-02']);
    expect(skipped).toEqual([
      expect.objectContaining({ date: '2024-01-03', reason: expect.stringMatching(/missing open, high, low, volume/) }),
    ]);
  });

  it('needs TUSHARE_TOKEN', () => {
    expect(() => createTushareSource({ env: {} })).toThrow(/TUSHARE_TOKEN/);
  });
});
