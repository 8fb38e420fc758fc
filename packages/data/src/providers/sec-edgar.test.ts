import { isTradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContext } from '../context/build-context.ts';
import { type FixtureServer, jsonFixture, startFixtureServer } from './__fixtures__/server.ts';
import { describeTransport } from './__fixtures__/transport-suite.ts';
import { createSecEdgarSource } from './sec-edgar.ts';

const USER_AGENT = 'Trade-R1 Tests research@example.org';
const FACTS = '/api/xbrl/companyfacts/CIK0000320193.json';
const SUBMISSIONS = '/submissions/CIK0000320193.json';

describeTransport('SEC EDGAR company facts', {
  vendor: 'SEC EDGAR',
  path: FACTS,
  success: jsonFixture('sec-edgar/companyfacts-CIK0000320193.json'),
  schemaMismatch: {
    status: 200,
    body: JSON.stringify({
      cik: 320193,
      entityName: 'Apple Inc.',
      facts: { 'us-gaap': { Revenues: { units: { USD: [{ end: '2023-09-30', val: '383B' }] } } } },
    }),
  },
  vendorError: {
    reply: {
      status: 404,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
    },
    code: 'NOT_FOUND',
  },
  create: (options) => createSecEdgarSource({ ...options, userAgent: USER_AGENT, ciks: { AAPL: 320193 } }),
  call: (source, signal) => source.getFundamentals({ ticker: 'AAPL', ...(signal ? { signal } : {}) }),
});

describeTransport('SEC EDGAR submissions', {
  vendor: 'SEC EDGAR',
  path: SUBMISSIONS,
  success: jsonFixture('sec-edgar/submissions-CIK0000320193.json'),
  schemaMismatch: jsonFixture('sec-edgar/submissions-mismatched-columns.json'),
  vendorError: {
    reply: { status: 403, body: 'Your Request Originates from an Undeclared Automated Tool' },
    code: 'UNAUTHORIZED',
  },
  setup: (server) => server.route('/files/company_tickers.json', jsonFixture('sec-edgar/company_tickers.json')),
  create: (options) =>
    createSecEdgarSource({
      ...options,
      userAgent: USER_AGENT,
      tickersUrl: `${options.baseUrl}/files/company_tickers.json`,
    }),
  call: (source, signal) => source.getFilings({ ticker: 'AAPL', ...(signal ? { signal } : {}) }),
});

describe('createSecEdgarSource', () => {
  let server: FixtureServer;
  const base = () => ({
    baseUrl: server.baseUrl,
    userAgent: USER_AGENT,
    tickersUrl: `${server.baseUrl}/files/company_tickers.json`,
    rateLimiter: null,
  });
  beforeAll(async () => {
    server = await startFixtureServer();
    server.route('/files/company_tickers.json', jsonFixture('sec-edgar/company_tickers.json'));
    server.route(FACTS, jsonFixture('sec-edgar/companyfacts-CIK0000320193.json'));
    server.route(SUBMISSIONS, jsonFixture('sec-edgar/submissions-CIK0000320193.json'));
  });
  afterAll(async () => {
    await server.close();
  });

  it('requires a User-Agent with a contact e-mail', () => {
    expect(() => createSecEdgarSource({ env: {} })).toThrow(/User-Agent/);
    expect(() => createSecEdgarSource({ userAgent: 'my-bot', env: {} })).toThrow(/contact e-mail/);
    expect(() => createSecEdgarSource({ env: { SEC_USER_AGENT: USER_AGENT } })).not.toThrow();
  });

  it('sends the User-Agent and resolves tickers to ten-digit CIKs once', async () => {
    const source = createSecEdgarSource(base());
    const before = server.count('/files/company_tickers.json');
    expect(await source.resolveCik('AAPL')).toBe('0000320193');
    expect(await source.resolveCik('brk.b')).toBe('0001067983');
    expect(server.count('/files/company_tickers.json') - before).toBe(1);
    expect(server.requests.at(-1)?.headers['user-agent']).toBe(USER_AGENT);
    await expect(source.resolveCik('ZZZZ')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('ciks'),
    });
  });

  it('turns company facts into fundamentals dated at the end of the filing day', async () => {
    const facts = await createSecEdgarSource(base()).getFundamentals({ ticker: 'AAPL' });
    expect(facts).toHaveLength(6);
    const eps2023 = facts.filter(
      (fact) => fact.metric === 'EarningsPerShareDiluted' && fact.periodEnd === '2023-09-30',
    );
    expect(eps2023).toEqual([
      {
        ticker: 'AAPL',
        metric: 'EarningsPerShareDiluted',
        value: 6.13,
        unit: 'USD/shares',
        periodEnd: '2023-09-30',
        periodStart: '2022-09-25',
        periodKind: 'annual',
        fiscalYear: 2023,
        fiscalPeriod: 'FY',
        form: '10-K',
        publishedAt: '2023-11-03T23:59:59.999Z',
        source: 'sec-edgar:us-gaap:0000320193-23-000106',
      },
    ]);
    // The FY2022 figure appears twice: as first reported and as a comparative a year later.
    const eps2022 = facts.filter(
      (fact) => fact.metric === 'EarningsPerShareDiluted' && fact.periodEnd === '2022-09-24',
    );
    expect(eps2022.map((fact) => fact.publishedAt)).toEqual(['2022-10-28T23:59:59.999Z', '2023-11-03T23:59:59.999Z']);
    const published = facts.map((fact) => fact.publishedAt);
    expect([...published].sort()).toEqual(published);
  });

  it('narrows facts by taxonomy, concept and form', async () => {
    const source = createSecEdgarSource({
      ...base(),
      taxonomies: ['us-gaap'],
      concepts: ['EarningsPerShareDiluted'],
      forms: ['10-Q'],
    });
    const facts = await source.getFundamentals({ ticker: 'AAPL' });
    expect(facts.map((fact) => [fact.metric, fact.fiscalPeriod, fact.publishedAt])).toEqual([
      ['EarningsPerShareDiluted', 'Q1', '2024-02-02T23:59:59.999Z'],
    ]);
  });

  it('lists filings with archive URLs, conservative publication times and filters', async () => {
    const source = createSecEdgarSource(base());
    const filings = await source.getFilings({ ticker: 'AAPL' });
    expect(filings.map((filing) => [filing.form, filing.publishedAt])).toEqual([
      ['10-K', '2023-11-03T23:59:59.999Z'],
      ['4', '2023-11-03T23:59:59.999Z'],
      ['10-Q', '2024-02-02T23:59:59.999Z'],
    ]);
    expect(filings[0]).toMatchObject({
      cik: '0000320193',
      accessionNumber: '0000320193-23-000106',
      reportDate: '2023-09-30',
      url: 'https://www.sec.gov/Archives/edgar/data/320193/000032019323000106/aapl-20230930.htm',
    });
    const tenQ = await source.getFilings({ ticker: 'AAPL', forms: ['10-Q', '10-K'], from: '2024-01-01' });
    expect(tenQ.map((filing) => filing.accessionNumber)).toEqual(['0000320193-24-000006']);
  });

  it('reads older submission pages on request, only those overlapping the range', async () => {
    server.route(
      '/submissions/CIK0000320193-submissions-001.json',
      jsonFixture('sec-edgar/CIK0000320193-submissions-001.json'),
    );
    const source = createSecEdgarSource(base());
    const before = server.count('/submissions/CIK0000320193-submissions-001.json');
    const all = await source.getFilings({ ticker: 'AAPL', forms: ['10-K'], includeOlder: true });
    expect(all.map((filing) => [filing.filingDate, filing.publishedAt])).toEqual([
      ['2013-10-30', '2013-10-30T23:59:59.999Z'],
      ['2023-11-03', '2023-11-03T23:59:59.999Z'],
    ]);
    expect(server.count('/submissions/CIK0000320193-submissions-001.json') - before).toBe(1);
    const recentOnly = await source.getFilings({ ticker: 'AAPL', includeOlder: true, from: '2020-01-01' });
    expect(recentOnly).toHaveLength(3);
    expect(server.count('/submissions/CIK0000320193-submissions-001.json') - before).toBe(1);
  });

  it('rejects columnar arrays of different lengths', async () => {
    server.route('/submissions/CIK0000789019.json', jsonFixture('sec-edgar/submissions-mismatched-columns.json'));
    const error = await createSecEdgarSource(base())
      .getFilings({ ticker: 'MSFT' })
      .catch((caught) => caught);
    expect(isTradeR1Error(error, 'BAD_RESPONSE')).toBe(true);
    expect(error.message).toContain('filings.recent.filingDate');
  });

  // SEC EDGAR API documentation (sec.gov/search-filings/edgar-application-programming-interfaces): companyfacts
  // entries carry `start` for duration facts and `end`; `fy`/`fp`/`form` describe the filing that reported the
  // fact, so a 10-Q reports both its quarter and its year to date. Figures: Apple's FY2023 10-K and FY2024 10-Qs.
  it('keeps period starts: the quarter to 2024-06-29 is 85.8B, not the nine months of 296.1B', async () => {
    server.route(FACTS, jsonFixture('sec-edgar/companyfacts-CIK0000320193-revenue.json'));
    const source = createSecEdgarSource(base());
    const facts = await source.getFundamentals({ ticker: 'AAPL' });
    const toJune = facts.filter((fact) => fact.periodEnd === '2024-06-29' && fact.publishedAt.startsWith('2024-08-02'));
    expect(toJune.map((fact) => [fact.periodStart, fact.periodKind, fact.value])).toEqual([
      ['2024-03-31', 'quarter', 85_777_000_000],
      ['2023-10-01', 'ytd', 296_105_000_000],
    ]);
  });

  it('shows quarters, a derived fourth quarter and TTM in the context, point in time', async () => {
    server.route(FACTS, jsonFixture('sec-edgar/companyfacts-CIK0000320193-revenue.json'));
    const sources = { fundamentals: createSecEdgarSource(base()) };
    const context = await buildContext({ ticker: 'AAPL', asOf: '2024-08-05', sources });
    const revenue = context.fundamentals.find(
      (metric) => metric.metric === 'RevenueFromContractWithCustomerExcludingAssessedTax',
    );
    expect(revenue?.facts.map((fact) => [fact.periodStart, fact.periodEnd, fact.value / 1e6, fact.periodKind])).toEqual(
      [
        ['2024-03-31', '2024-06-29', 85_777, 'quarter'],
        ['2023-12-31', '2024-03-30', 90_753, 'quarter'],
        ['2023-10-01', '2023-12-30', 119_575, 'quarter'],
        // Q4 FY2023 = FY2023 (383,285) − nine months to 2023-07-01 (293,787), public with the 10-K.
        ['2023-07-02', '2023-09-30', 89_498, 'quarter'],
      ],
    );
    expect(revenue?.facts[3]?.publishedAt).toBe('2023-11-03T23:59:59.999Z');
    expect(revenue?.ttm).toMatchObject({ value: 385_603_000_000, periodStart: '2023-07-02', periodEnd: '2024-06-29' });
    expect(context.prompt).toContain('TTM 385.6B');
    expect(context.prompt).not.toContain('296.1B');
    // Before the 10-K there is no fourth quarter and no TTM; the nine months are shown with their span.
    server.route(FACTS, jsonFixture('sec-edgar/companyfacts-CIK0000320193-revenue.json'));
    const early = await buildContext({
      ticker: 'AAPL',
      asOf: '2023-10-15',
      sources: { fundamentals: createSecEdgarSource(base()) },
    });
    const earlyRevenue = early.fundamentals.find(
      (metric) => metric.metric === 'RevenueFromContractWithCustomerExcludingAssessedTax',
    );
    expect(earlyRevenue?.facts.map((fact) => [fact.periodEnd, fact.periodKind])).toEqual([['2023-07-01', 'quarter']]);
    expect(earlyRevenue?.ttm).toBeUndefined();
  });
});
