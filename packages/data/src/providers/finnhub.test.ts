import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, jsonFixture, startFixtureServer } from './__fixtures__/server.ts';
import { describeTransport, expectNoSecret } from './__fixtures__/transport-suite.ts';
import { createFinnhubSource } from './finnhub.ts';
import type { SkippedItem } from './shared.ts';

const SECRET = 'fh-c0ffee-5ecret-token';

describeTransport('Finnhub company news (token in header)', {
  vendor: 'Finnhub',
  secret: SECRET,
  path: '/company-news',
  success: jsonFixture('finnhub/company-news-aapl.json'),
  schemaMismatch: jsonFixture('finnhub/company-news-schema-mismatch.json'),
  vendorError: { reply: jsonFixture('finnhub/error-access.json', 403), code: 'UNAUTHORIZED' },
  create: (options, secret) => createFinnhubSource({ ...options, ...(secret ? { apiKey: secret } : {}) }),
  call: (source, signal) =>
    source.getNews({ ticker: 'AAPL', from: '2024-01-01', to: '2024-01-10', ...(signal ? { signal } : {}) }),
});

describeTransport('Finnhub insider transactions (token in query)', {
  vendor: 'Finnhub',
  secret: SECRET,
  path: '/stock/insider-transactions',
  success: jsonFixture('finnhub/insider-transactions-tsla.json'),
  schemaMismatch: { status: 200, body: JSON.stringify({ data: [{ share: 'many' }] }) },
  vendorError: { reply: jsonFixture('finnhub/error-access.json', 401), code: 'UNAUTHORIZED' },
  create: (options, secret) =>
    createFinnhubSource({ ...options, tokenIn: 'query', ...(secret ? { apiKey: secret } : {}) }),
  call: (source, signal) =>
    source.getInsiderTransactions({
      ticker: 'TSLA',
      from: '2021-03-01',
      to: '2021-03-31',
      ...(signal ? { signal } : {}),
    }),
});

describe('createFinnhubSource', () => {
  let server: FixtureServer;
  const base = () => ({ baseUrl: server.baseUrl, apiKey: SECRET, rateLimiter: null, sleep: async () => {} });
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('dates news by datetime (unix seconds), sorts it, and reports undated items', async () => {
    server.route('/company-news', jsonFixture('finnhub/company-news-aapl.json'));
    const skipped: SkippedItem[] = [];
    const source = createFinnhubSource({ ...base(), onSkip: (item) => skipped.push(item) });
    const news = await source.getNews({ ticker: 'AAPL', from: '2024-01-01', to: '2024-01-10' });
    expect(news.map((item) => [item.id, item.publishedAt])).toEqual([
      ['finnhub:125461234', '2024-01-02T14:30:00.000Z'],
      ['finnhub:125503611', '2024-01-08T14:30:00.000Z'],
    ]);
    expect(news[0]?.tickers).toEqual(['AAPL', 'MSFT']);
    expect(skipped).toEqual([
      expect.objectContaining({ kind: 'news', index: 2, reason: expect.stringMatching(/datetime/) }),
    ]);
    const request = server.requests.at(-1);
    expect(request?.headers['x-finnhub-token']).toBe(SECRET);
    expect(request?.query.get('token')).toBeNull();
    expect(request?.query.get('from')).toBe('2024-01-01');
    expect(request?.query.get('to')).toBe('2024-01-10');
  });

  it('keeps only news published inside an instant window', async () => {
    server.route('/company-news', jsonFixture('finnhub/company-news-aapl.json'));
    const news = await createFinnhubSource(base()).getNews({
      ticker: 'AAPL',
      from: '2024-01-02T14:30:00Z',
      to: '2024-01-08T14:29:59Z',
    });
    expect(news.map((item) => item.id)).toEqual(['finnhub:125461234']);
  });

  it('dates monthly insider sentiment at the first instant after the month', async () => {
    server.route('/stock/insider-sentiment', jsonFixture('finnhub/insider-sentiment-tsla.json'));
    const rows = await createFinnhubSource(base()).getInsiderSentiment({
      ticker: 'TSLA',
      from: '2021-02-01',
      to: '2021-04-01',
    });
    expect(rows).toEqual([
      {
        ticker: 'TSLA',
        year: 2021,
        month: 1,
        change: -1250,
        mspr: -5.8823533,
        publishedAt: '2021-02-01T00:00:00.000Z',
        source: 'finnhub',
      },
      {
        ticker: 'TSLA',
        year: 2021,
        month: 2,
        change: -1052,
        mspr: -100,
        publishedAt: '2021-03-01T00:00:00.000Z',
        source: 'finnhub',
      },
      {
        ticker: 'TSLA',
        year: 2021,
        month: 3,
        change: 5540,
        mspr: 12.209097,
        publishedAt: '2021-04-01T00:00:00.000Z',
        source: 'finnhub',
      },
    ]);
    expect(server.requests.at(-1)?.query.get('from')).toBe('2021-01-31');
    const march = await createFinnhubSource(base()).getInsiderSentiment({
      ticker: 'TSLA',
      from: '2021-03-15',
      to: '2021-03-31',
    });
    expect(march).toEqual([]);
  });

  it('dates insider transactions at the end of the filing date and reports rows without one', async () => {
    server.route('/stock/insider-transactions', jsonFixture('finnhub/insider-transactions-tsla.json'));
    const skipped: SkippedItem[] = [];
    const rows = await createFinnhubSource({ ...base(), onSkip: (item) => skipped.push(item) }).getInsiderTransactions({
      ticker: 'TSLA',
      from: '2021-03-01',
      to: '2021-03-04',
    });
    expect(rows).toEqual([
      {
        ticker: 'TSLA',
        name: 'Kimbal Musk',
        share: 1819038,
        change: -25000,
        transactionDate: '2021-03-01',
        transactionPrice: 706.37,
        transactionCode: 'S',
        publishedAt: '2021-03-03T23:59:59.999Z',
        source: 'finnhub',
      },
    ]);
    expect(skipped).toEqual([expect.objectContaining({ kind: 'insider', index: 2, reason: 'no valid filingDate' })]);
    expect(server.requests.at(-1)?.query.get('from')).toBe('2021-01-29');
  });

  // Finnhub API documentation (finnhub.io/docs/api/company-basic-financials): `series.annual` and
  // `series.quarterly` hold `{ period, v }` points with no filing date; SEC deadlines for large accelerated filers
  // (sec.gov Form 10-K / 10-Q general instructions: 60/40 days, the 90/45-day defaults here are the latest for any
  // domestic filer) set the lags. No 10-Q is filed for a fiscal fourth quarter: it is public with the 10-K.
  it('returns dated /stock/metric series only (the undated snapshot is excluded)', async () => {
    server.route('/stock/metric', jsonFixture('finnhub/metric-aapl.json'));
    const skipped: SkippedItem[] = [];
    const facts = await createFinnhubSource({ ...base(), onSkip: (item) => skipped.push(item) }).getFundamentals({
      ticker: 'AAPL',
    });
    expect(facts.map((fact) => `${fact.metric}:${fact.source}:${fact.periodEnd}:${fact.publishedAt}`)).toEqual([
      'eps:finnhub:annual:2022-09-24:2022-12-23T23:59:59.999Z',
      'currentRatio:finnhub:annual:2023-09-30:2023-12-29T23:59:59.999Z',
      'eps:finnhub:annual:2023-09-30:2023-12-29T23:59:59.999Z',
      // The quarter ending on the fiscal year end (2023-09-30) is Q4: public with the 10-K (+90 days), not +45.
      'eps:finnhub:quarterly:2023-09-30:2023-12-29T23:59:59.999Z',
      'eps:finnhub:quarterly:2023-12-30:2024-02-13T23:59:59.999Z',
    ]);
    expect(
      facts.find((fact) => fact.source === 'finnhub:quarterly' && fact.periodEnd === '2023-09-30')?.fiscalPeriod,
    ).toBe('Q4');
    expect(facts.some((fact) => fact.metric === 'peTTM')).toBe(false);
    expect(skipped).toEqual([
      expect.objectContaining({ kind: 'fundamental', reason: 'currentRatio (annual): value missing' }),
    ]);
    expect(server.requests.at(-1)?.query.get('metric')).toBe('all');
    const later = await createFinnhubSource({
      ...base(),
      seriesPublicationLagDays: { annual: 120, quarterly: 60 },
    }).getFundamentals({
      ticker: 'AAPL',
    });
    expect(later.find((fact) => fact.periodEnd === '2023-12-30')?.publishedAt).toBe('2024-02-28T23:59:59.999Z');
  });

  it('maps HTTP 429 {"error": "API limit reached"} to RATE_LIMITED after retries', async () => {
    server.route('/company-news', jsonFixture('finnhub/error-limit.json', 429));
    const error = await createFinnhubSource({ ...base(), retries: 1 })
      .getNews({ ticker: 'AAPL', from: '2024-01-01', to: '2024-01-02' })
      .catch((caught) => caught);
    expect(isTradeR1Error(error, 'RATE_LIMITED')).toBe(true);
    expect(error.message).toContain('API limit reached');
    expectNoSecret(error, SECRET);
  });

  it('needs a key (option or FINNHUB_API_KEY)', () => {
    expect(() => createFinnhubSource({ env: {} })).toThrow(/FINNHUB_API_KEY/);
    expect(createFinnhubSource({ env: { FINNHUB_API_KEY: SECRET } }).name).toBe('finnhub');
  });

  // Finnhub API documentation (finnhub.io/docs/api/upgrade-downgrade): `/stock/upgrade-downgrade?symbol&from&to`
  // → `[{ symbol, gradeTime (UNIX seconds), company, fromGrade, toGrade, action: up | down | main | init | reit }]`.
  it('reads analyst upgrades and downgrades as dated news, and adds them to getNews when asked', async () => {
    server.route('/stock/upgrade-downgrade', jsonFixture('finnhub/upgrade-downgrade-aapl.json'));
    const ratings = await createFinnhubSource(base()).getUpgradesDowngrades({
      ticker: 'AAPL',
      from: '2024-01-01',
      to: '2024-01-10',
    });
    expect(ratings.map((item) => [item.publishedAt, item.headline])).toEqual([
      ['2024-01-03T09:30:00.000Z', 'Morgan Stanley maintains AAPL at Overweight'],
      ['2024-01-05T09:30:00.000Z', 'Piper Sandler downgrades AAPL from Overweight to Neutral'],
      ['2024-01-08T09:40:00.000Z', 'Barclays downgrades AAPL from Equal-Weight to Underweight'],
    ]);
    expect(server.requests.at(-1)?.query.get('from')).toBe('2024-01-01');
    server.route('/company-news', jsonFixture('finnhub/company-news-aapl.json'));
    const plain = await createFinnhubSource(base()).getNews({ ticker: 'AAPL', from: '2024-01-01', to: '2024-01-10' });
    server.route('/company-news', jsonFixture('finnhub/company-news-aapl.json'));
    const withRatings = await createFinnhubSource({ ...base(), newsIncludesRatings: true }).getNews({
      ticker: 'AAPL',
      from: '2024-01-01',
      to: '2024-01-10',
    });
    expect(withRatings.length).toBe(plain.length + 3);
  });
});
