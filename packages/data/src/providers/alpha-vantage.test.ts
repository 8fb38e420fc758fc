import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, fixtureText, jsonFixture, jsonReply, startFixtureServer } from './__fixtures__/server.ts';
import { describeTransport, expectNoSecret } from './__fixtures__/transport-suite.ts';
import { createAlphaVantageSource } from './alpha-vantage.ts';

const SECRET = 'AVKEY-9f8e7d6c5b4a';

describeTransport('Alpha Vantage TIME_SERIES_DAILY', {
  vendor: 'Alpha Vantage',
  secret: SECRET,
  path: '/query',
  success: jsonFixture('alpha-vantage/time-series-daily-ibm.json'),
  schemaMismatch: {
    status: 200,
    body: JSON.stringify({ 'Meta Data': {}, 'Time Series (Daily)': { '2024-01-02': { '1. open': 'abc' } } }),
  },
  vendorError: { reply: jsonFixture('alpha-vantage/error-message.json'), code: 'NOT_FOUND' },
  create: (options, secret) => createAlphaVantageSource({ ...options, ...(secret ? { apiKey: secret } : {}) }),
  call: (source, signal) =>
    source.getDailyBars({ ticker: 'IBM', start: '2024-01-02', end: '2024-01-08', ...(signal ? { signal } : {}) }),
});

describe('createAlphaVantageSource', () => {
  let server: FixtureServer;
  const options = () => ({ baseUrl: server.baseUrl, apiKey: SECRET, rateLimiter: null, sleep: async () => {} });
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('parses TIME_SERIES_DAILY into ascending validated bars and sends the key as apikey', async () => {
    server.route('/query', jsonFixture('alpha-vantage/time-series-daily-ibm.json'));
    const bars = await createAlphaVantageSource(options()).getDailyBars({
      ticker: 'IBM',
      start: '2024-01-03',
      end: '2024-01-05',
    });
    expect(bars).toEqual([
      { timestamp: '2024-01-03', open: 161, high: 161.73, low: 160.08, close: 160.1, volume: 4086133 },
      { timestamp: '2024-01-04', open: 161, high: 161.08, low: 159.47, close: 160.07, volume: 4046213 },
      { timestamp: '2024-01-05', open: 160.84, high: 161.41, low: 159.74, close: 159.88, volume: 4211512 },
    ]);
    const query = server.requests.at(-1)?.query;
    expect(query?.get('function')).toBe('TIME_SERIES_DAILY');
    expect(query?.get('apikey')).toBe(SECRET);
    // Alpha Vantage documentation (alphavantage.co/documentation/#daily): outputsize=compact, the latest 100 data
    // points, is the default; full history is a premium feature, so a free key asking for it is refused.
    expect(query?.get('outputsize')).toBe('compact');
  });

  it('reports the bars compact output could not cover instead of silently starting later', async () => {
    server.route('/query', jsonFixture('alpha-vantage/time-series-daily-ibm.json'));
    const skipped: unknown[] = [];
    const result = await createAlphaVantageSource({
      ...options(),
      onSkip: (item) => skipped.push(item),
    }).getDailyBarsWithReport({
      ticker: 'IBM',
      start: '2023-06-01',
      end: '2024-01-05',
    });
    const oldest = result.bars[0]?.timestamp;
    expect(result.skipped).toEqual([
      expect.objectContaining({ kind: 'bar', subject: 'IBM', date: oldest, reason: expect.stringMatching(/compact/) }),
    ]);
    expect(skipped).toEqual(result.skipped);
    server.route('/query', jsonFixture('alpha-vantage/time-series-daily-ibm.json'));
    const full = await createAlphaVantageSource({ ...options(), outputSize: 'full' }).getDailyBarsWithReport({
      ticker: 'IBM',
      start: '2023-06-01',
      end: '2024-01-05',
    });
    expect(full.skipped).toEqual([]);
    expect(server.requests.at(-1)?.query.get('outputsize')).toBe('full');
  });

  it('scales by the adjusted close with TIME_SERIES_DAILY_ADJUSTED', async () => {
    server.route('/query', jsonFixture('alpha-vantage/time-series-daily-adjusted-ibm.json'));
    const source = createAlphaVantageSource({ ...options(), adjusted: true });
    const bars = await source.getDailyBars({ ticker: 'IBM', end: '2024-01-03' });
    expect(server.requests.at(-1)?.query.get('function')).toBe('TIME_SERIES_DAILY_ADJUSTED');
    expect(bars[0]).toMatchObject({ timestamp: '2024-01-02', close: 158.27, volume: 3825045 });
    expect(bars[0]?.open).toBeCloseTo(162.83 * (158.27 / 161.5), 10);
  });

  it('treats a "Note" body (HTTP 200) as RATE_LIMITED and retries it', async () => {
    server.route(
      '/query',
      jsonFixture('alpha-vantage/note-call-frequency.json'),
      jsonFixture('alpha-vantage/time-series-daily-ibm.json'),
    );
    const before = server.count('/query');
    const bars = await createAlphaVantageSource(options()).getDailyBars({ ticker: 'IBM', end: '2024-01-08' });
    expect(bars).toHaveLength(5);
    expect(server.count('/query') - before).toBe(2);
  });

  it('fails with RATE_LIMITED after retries of "Note" and never caches it', async () => {
    server.route('/query', jsonFixture('alpha-vantage/note-call-frequency.json'));
    const error = await createAlphaVantageSource({ ...options(), retries: 1 })
      .getDailyBars({ ticker: 'IBM', end: '2024-01-08' })
      .catch((caught) => caught);
    expect(isTradeR1Error(error, 'RATE_LIMITED')).toBe(true);
    expect(error.message).toContain('call frequency');
    expectNoSecret(error, SECRET);
  });

  it('maps "Information" bodies: daily limit → RATE_LIMITED, premium endpoint → UNAUTHORIZED (no retry)', async () => {
    server.route('/query', jsonFixture('alpha-vantage/information-daily-limit.json'));
    let before = server.count('/query');
    await expect(
      createAlphaVantageSource(options()).getDailyBars({ ticker: 'IBM', end: '2024-01-08' }),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(server.count('/query') - before).toBe(1);
    server.route('/query', jsonFixture('alpha-vantage/information-premium.json'));
    before = server.count('/query');
    await expect(
      createAlphaVantageSource({ ...options(), adjusted: true }).getDailyBars({ ticker: 'IBM', end: '2024-01-08' }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('premium endpoint') });
    expect(server.count('/query') - before).toBe(1);
  });

  it('reads NEWS_SENTIMENT, dating time_published as US Eastern and keeping only the window', async () => {
    server.route('/query', jsonFixture('alpha-vantage/news-sentiment-aapl.json'));
    const news = await createAlphaVantageSource(options()).getNews({
      ticker: 'AAPL',
      from: '2024-01-02',
      to: '2024-01-10',
    });
    expect(news.map((item) => item.publishedAt)).toEqual(['2024-01-02T14:30:00.000Z', '2024-01-08T18:05:12.000Z']);
    expect(news[0]).toMatchObject({
      tickers: ['AAPL'],
      headline: 'Apple Stock Slips As Barclays Downgrades On iPhone Demand',
      source: 'Example Wire',
      url: 'https://www.example-news.com/apple-barclays-downgrade',
    });
    expect(news[1]?.tickers).toEqual(['AAPL', 'MSFT']);
    expect(news[0]?.id).toMatch(/^alphavantage:[0-9a-f]{24}$/);
    const query = server.requests.at(-1)?.query;
    expect(query?.get('function')).toBe('NEWS_SENTIMENT');
    expect(query?.get('time_from')).toBe('20240101T0000');
    expect(query?.get('sort')).toBe('LATEST');
  });

  // Alpha Vantage documentation (alphavantage.co/documentation/#news-sentiment): time_from/time_to in
  // YYYYMMDDTHHMM, sort LATEST (default) | EARLIEST | RELEVANCE, limit up to 1000, no offset parameter.
  it('pages a full NEWS_SENTIMENT window newest first, ending each page at the oldest article, without repeats', async () => {
    const article = JSON.parse(fixtureText('alpha-vantage/news-sentiment-aapl.json')).feed[0];
    const feedAt = (stamps: string[]) => ({
      items: String(stamps.length),
      feed: stamps.map((time) => ({
        ...article,
        url: `https://www.example-news.com/a-${time}`,
        time_published: time,
      })),
    });
    server.route(
      '/query',
      jsonReply(feedAt(['20240109T120000', '20240108T100000', '20240105T090000'])),
      jsonReply(feedAt(['20240105T090000', '20240104T150000', '20240103T110000'])),
      jsonReply(feedAt(['20240102T100000'])),
    );
    const before = server.requests.length;
    const news = await createAlphaVantageSource({ ...options(), newsLimit: 3 }).getNews({
      ticker: 'AAPL',
      from: '2024-01-02',
      to: '2024-01-10',
    });
    const sent = server.requests.slice(before).map((request) => request.query.get('time_to'));
    expect(sent).toEqual(['20240112T0000', '20240105T0900', '20240103T1100']);
    // Six distinct articles: the one repeated at the page boundary is kept once.
    expect(news).toHaveLength(6);
    expect(news.map((item) => item.publishedAt)).toEqual([...news.map((item) => item.publishedAt)].sort());
  });

  it('reports a page cap instead of silently losing the oldest articles', async () => {
    const article = JSON.parse(fixtureText('alpha-vantage/news-sentiment-aapl.json')).feed[0];
    server.route('/query', (request) => {
      const to = request.query.get('time_to') as string;
      const day = Number(to.slice(6, 8)) - 1;
      const time = `202401${String(day).padStart(2, '0')}T120000`;
      return jsonReply({ items: '1', feed: [{ ...article, url: `https://x.example/${time}`, time_published: time }] });
    });
    const skipped: { reason: string }[] = [];
    const news = await createAlphaVantageSource({
      ...options(),
      newsLimit: 1,
      maxNewsPages: 2,
      onSkip: (item) => skipped.push(item),
    }).getNews({
      ticker: 'AAPL',
      from: '2024-01-02',
      to: '2024-01-10',
    });
    // Page 1 (to 01-12) holds an article after the window; page 2 (to 01-11T12:00) the 01-10 one; then the cap.
    expect(news.map((item) => item.publishedAt)).toEqual(['2024-01-10T17:00:00.000Z']);
    expect(skipped).toEqual([
      expect.objectContaining({ kind: 'news', reason: expect.stringMatching(/stopped after 2 NEWS_SENTIMENT pages/) }),
    ]);
  });

  it('reads the key from ALPHAVANTAGE_API_KEY and fails clearly without one', () => {
    expect(() => createAlphaVantageSource({ env: {} })).toThrow(/ALPHAVANTAGE_API_KEY/);
    expect(() => createAlphaVantageSource({ env: { ALPHAVANTAGE_API_KEY: SECRET } })).not.toThrow();
    try {
      createAlphaVantageSource({ env: {} });
    } catch (error) {
      expect(isTradeR1Error(error, 'UNAUTHORIZED')).toBe(true);
    }
  });
});
