import {
  type Bar,
  barCloseInstant,
  decisionCutoff,
  exchangeDateOf,
  exchangeForTicker,
  getExchangeCalendar,
  isTradeR1Error,
  toInstant,
  zoneOffsetMinutes,
} from '@trade-r1/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEmbeddedBars } from '../dataset/embedded.ts';
import type {
  FundamentalFact,
  InsiderSentiment,
  InsiderTransaction,
  MacroObservation,
  NewsItem,
  NewsSource,
  PriceSource,
} from '../sources.ts';
import { buildContext, buildContextSeries, type ContextSources, createContextCache } from './build-context.ts';
import { compactText } from './render.ts';
import { createStaticSources } from './static-sources.ts';
import { estimateTokens } from './tokens.ts';

const DAY = 86_400_000;

function newsAt(id: string, publishedAt: string, ticker = 'AAPL'): NewsItem {
  return {
    id,
    tickers: [ticker],
    publishedAt,
    headline: `headline ${id}`,
    summary: `summary of ${id}`,
    source: 'test',
  };
}

function dailyNews(asOf: string, days: number, perDay: number): NewsItem[] {
  const items: NewsItem[] = [];
  for (let day = 0; day <= days; day += 1) {
    for (let index = 0; index < perDay; index += 1) {
      const instant = new Date(
        decisionCutoff({ asOf, exchange: 'XNYS' }) - day * DAY - (index + 1) * 60_000,
      ).toISOString();
      items.push(newsAt(`d${day}-${index}`, instant));
    }
  }
  return items;
}

/** Everything a context included, with its publication instant. */
function includedInstants(context: Awaited<ReturnType<typeof buildContext>>): number[] {
  return [
    ...context.news.flatMap((bucket) => bucket.items.map((item) => Date.parse(item.publishedAt))),
    ...context.fundamentals.flatMap((metric) => metric.facts.map((fact) => Date.parse(fact.publishedAt))),
    ...context.insider.sentiment.map((item) => Date.parse(item.publishedAt)),
    ...context.insider.transactions.map((item) => Date.parse(item.publishedAt)),
    ...context.macro.flatMap((entry) => entry.observations.map((item) => Date.parse(item.publishedAt))),
  ];
}

describe('buildContext', () => {
  let bars: Bar[];
  beforeAll(async () => {
    bars = await loadEmbeddedBars('AAPL');
  });

  it('assembles the five sources the Trading-R1 way', async () => {
    const asOf = '2024-06-28';
    const fundamentals: FundamentalFact[] = [
      {
        ticker: 'AAPL',
        metric: 'Revenues',
        value: 90.75e9,
        unit: 'USD',
        periodEnd: '2024-03-30',
        form: '10-Q',
        publishedAt: '2024-05-03T20:30:00Z',
        source: 'sec',
      },
      {
        ticker: 'AAPL',
        metric: 'Revenues',
        value: 119.58e9,
        unit: 'USD',
        periodEnd: '2023-12-30',
        form: '10-Q',
        publishedAt: '2024-02-02T21:00:00Z',
        source: 'sec',
      },
      {
        ticker: 'AAPL',
        metric: 'Revenues',
        value: 85.78e9,
        unit: 'USD',
        periodEnd: '2024-06-29',
        form: '10-Q',
        publishedAt: '2024-08-02T20:30:00Z',
        source: 'sec',
      },
    ];
    const sentiment: InsiderSentiment[] = [
      {
        ticker: 'AAPL',
        year: 2024,
        month: 5,
        change: -5000,
        mspr: -12.5,
        publishedAt: '2024-06-01T00:00:00Z',
        source: 't',
      },
      { ticker: 'AAPL', year: 2024, month: 6, change: 100, mspr: 3, publishedAt: '2024-07-01T00:00:00Z', source: 't' },
    ];
    const transactions: InsiderTransaction[] = Array.from({ length: 30 }, (_, index) => ({
      ticker: 'AAPL',
      name: `Insider ${index}`,
      share: 1000 + index,
      change: -10 * index,
      transactionDate: new Date(Date.UTC(2024, 0, 1) + index * 5 * DAY).toISOString().slice(0, 10),
      publishedAt: new Date(Date.UTC(2024, 0, 3) + index * 5 * DAY).toISOString(),
      source: 't',
    }));
    const macro: MacroObservation[] = [];
    for (let month = 0; month < 30; month += 1) {
      const date = new Date(Date.UTC(2022, 6 + month, 1)).toISOString().slice(0, 10);
      macro.push({
        seriesId: 'FEDFUNDS',
        date,
        value: 5 + month / 100,
        publishedAt: new Date(Date.UTC(2022, 7 + month, 2)).toISOString(),
        source: 'fred',
      });
      macro.push({
        seriesId: 'DGS10',
        date: date.replace(/-01$/, '-03'),
        value: 4 + month / 100,
        publishedAt: new Date(Date.UTC(2022, 6 + month, 3, 22)).toISOString(),
        source: 'fred',
      });
      macro.push({
        seriesId: 'DGS10',
        date: date.replace(/-01$/, '-04'),
        value: 9,
        publishedAt: new Date(Date.UTC(2022, 6 + month, 4, 22)).toISOString(),
        source: 'fred',
      });
    }
    const sources = createStaticSources({
      bars: { AAPL: bars },
      news: dailyNews(asOf, 35, 3),
      fundamentals,
      insiderSentiment: sentiment,
      insiderTransactions: transactions,
      macro,
    });
    const context = await buildContext({
      ticker: 'aapl',
      asOf,
      sources,
      options: { macroSeries: ['FEDFUNDS', 'DGS10'], maxTokens: 100_000 },
    });
    expect(context.ticker).toBe('AAPL');
    // The decision clock: a date-only asOf is that day's 16:00 New York close; the fill is the next open.
    expect(context.asOf).toBe('2024-06-28T20:00:00.000Z');
    expect(context.exchange).toBe('XNYS');
    expect(context.fillDate).toBe('2024-07-01');
    // News: 4 days × 3 = 12 in t−3..t (cap 10), 7 × 3 = 21 in t−10..t−4 (cap 20), 20 × 3 = 60 in t−30..t−11 (cap 20).
    expect(context.news.map((bucket) => [bucket.available, bucket.items.length])).toEqual([
      [12, 10],
      [21, 20],
      [60, 20],
    ]);
    for (const bucket of context.news) {
      const times = bucket.items.map((item) => item.publishedAt);
      expect(times).toEqual([...times].sort().reverse());
    }
    // Technicals: the 15 bars up to and including the decision day, indicators over the long lookback.
    expect(context.technicals?.bars).toHaveLength(15);
    expect(context.technicals?.bars.at(-1)?.timestamp).toBe('2024-06-28');
    expect(context.technicals?.indicators.sma200?.every((value) => value !== null)).toBe(true);
    expect(context.technicals?.lookbackBars).toBeGreaterThan(250);
    // Fundamentals: only filings published by asOf, newest period first.
    expect(context.fundamentals).toHaveLength(1);
    expect(context.fundamentals[0]?.facts.map((fact) => fact.periodEnd)).toEqual(['2024-03-30', '2023-12-30']);
    expect(context.excluded.fundamentals.future).toBe(1);
    // Insider: May's sentiment (published June 1), not June's (published July 1); the newest 25 transactions.
    expect(context.insider.sentiment.map((item) => item.month)).toEqual([5]);
    expect(context.insider.transactions).toHaveLength(25);
    expect(context.insider.transactions.every((item) => item.publishedAt <= context.asOf)).toBe(true);
    // Macro: first observation of each month, published by asOf, at most 24 months.
    const fed = context.macro.find((entry) => entry.seriesId === 'FEDFUNDS');
    expect(fed?.observations.at(-1)?.date).toBe('2024-05-01');
    expect(fed?.observations).toHaveLength(23);
    const dgs = context.macro.find((entry) => entry.seriesId === 'DGS10');
    expect(dgs?.observations.every((observation) => observation.date.endsWith('-03'))).toBe(true);
    expect(dgs?.observations).toHaveLength(24);
    expect(context.prompt).toContain('<technicals window="15">');
    expect(context.prompt).toContain('<news>');
    expect(context.prompt).toContain('<fundamentals>');
    expect(context.prompt).toContain('<insider>');
    expect(context.prompt).toContain('- FEDFUNDS: ');
    expect(context.tokens).toBe(estimateTokens(context.prompt));
  });

  it('builds Trading-R1 input variants: random subsets of technicals/fundamentals/insider, shuffled block order', async () => {
    const asOf = '2024-06-28';
    const sources = createStaticSources({
      bars: { AAPL: bars },
      news: dailyNews(asOf, 10, 2),
      fundamentals: [
        { ticker: 'AAPL', metric: 'Revenues', value: 1, unit: 'USD', publishedAt: '2024-05-03T20:30:00Z', source: 's' },
      ],
      insiderSentiment: [
        { ticker: 'AAPL', year: 2024, month: 5, change: 1, mspr: 1, publishedAt: '2024-06-01T00:00:00Z', source: 's' },
      ],
    });
    const base = await buildContext({ ticker: 'AAPL', asOf, sources });
    expect(base.sections).toEqual(['technicals', 'news', 'fundamentals', 'insider', 'macro']);
    const variants = await Promise.all(
      Array.from({ length: 20 }, (_, variant) => buildContext({ ticker: 'AAPL', asOf, sources, options: { variant } })),
    );
    const orders = new Set(variants.map((context) => context.sections.join(',')));
    expect(orders.size).toBeGreaterThan(10);
    for (const context of variants) {
      expect(context.sections).toContain('news');
      expect(context.sections.some((section) => ['technicals', 'fundamentals', 'insider'].includes(section))).toBe(
        true,
      );
      // The typed object holds exactly the blocks the prompt shows.
      expect(context.technicals === null).toBe(!context.sections.includes('technicals'));
      expect(context.fundamentals.length === 0).toBe(!context.sections.includes('fundamentals'));
      expect(context.prompt.includes('<technicals')).toBe(context.sections.includes('technicals'));
      expect(context.prompt.includes('<insider>')).toBe(context.sections.includes('insider'));
      const positions = context.sections
        .filter((section) => section !== 'macro')
        .map((section) => context.prompt.indexOf(section === 'technicals' ? '<technicals' : `<${section}>`));
      expect(positions).toEqual([...positions].sort((left, right) => left - right));
    }
    const again = await buildContext({ ticker: 'AAPL', asOf, sources, options: { variant: 3 } });
    expect(again.prompt).toBe(variants[3]?.prompt);
    const all = await buildContext({
      ticker: 'AAPL',
      asOf,
      sources,
      options: { variant: 5, variantKeepProbability: 1 },
    });
    expect([...all.sections].sort()).toEqual(['fundamentals', 'insider', 'macro', 'news', 'technicals']);
  });

  it('reuses gathered data through a context cache without changing results', async () => {
    const asOf = '2024-06-28';
    const inner = createStaticSources({ bars: { AAPL: bars }, news: dailyNews(asOf, 30, 2) });
    let priceCalls = 0;
    let newsCalls = 0;
    const counted: ContextSources = {
      prices: {
        name: 'p',
        getDailyBars: (request) => {
          priceCalls += 1;
          return inner.prices.getDailyBars(request);
        },
      },
      news: {
        name: 'n',
        getNews: (request) => {
          newsCalls += 1;
          return inner.news.getNews(request);
        },
      },
    };
    const cache = createContextCache({ maxEntries: 2 });
    const uncached = await Promise.all(
      [0, 1, 2].map((variant) => buildContext({ ticker: 'AAPL', asOf, sources: counted, options: { variant } })),
    );
    expect(priceCalls).toBe(3);
    const cachedRuns = [];
    for (const variant of [0, 1, 2])
      cachedRuns.push(await buildContext({ ticker: 'AAPL', asOf, sources: counted, cache, options: { variant } }));
    expect(priceCalls).toBe(4);
    expect(newsCalls).toBe(4);
    expect(cachedRuns.map((context) => context.prompt)).toEqual(uncached.map((context) => context.prompt));
    // A returned context is a copy: changing it does not change the next one.
    (cachedRuns[0]?.news[0]?.items[0] as NewsItem).headline = 'changed';
    const again = await buildContext({ ticker: 'AAPL', asOf, sources: counted, cache, options: { variant: 0 } });
    expect(again.prompt).toBe(uncached[0]?.prompt);
    // Different data options are different entries; the least recently used is evicted.
    await buildContext({ ticker: 'AAPL', asOf, sources: counted, cache, options: { seed: 9 } });
    await buildContext({ ticker: 'AAPL', asOf: '2024-06-27', sources: counted, cache });
    expect(cache.size).toBe(2);
    expect(priceCalls).toBe(6);
    cache.clear();
    expect(cache.size).toBe(0);
    await expect(buildContext({ ticker: 'AAPL', asOf, sources: counted, cache: {} as never })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it('samples news deterministically per seed', async () => {
    const asOf = '2024-03-15';
    const sources = createStaticSources({ news: dailyNews(asOf, 30, 4) });
    const ids = async (seed: number): Promise<string[]> =>
      (await buildContext({ ticker: 'AAPL', asOf, sources, options: { seed } })).news.flatMap((bucket) =>
        bucket.items.map((item) => item.id),
      );
    expect(await ids(1)).toEqual(await ids(1));
    expect(await ids(1)).not.toEqual(await ids(2));
  });

  it('keeps the prompt within the token budget, trimming the oldest news first', async () => {
    const asOf = '2024-06-28';
    const sources = createStaticSources({ bars: { AAPL: bars }, news: dailyNews(asOf, 30, 5) });
    const full = await buildContext({ ticker: 'AAPL', asOf, sources, options: { maxTokens: 1_000_000 } });
    const budget = full.tokens - 60;
    const trimmed = await buildContext({ ticker: 'AAPL', asOf, sources, options: { maxTokens: budget } });
    expect(trimmed.tokens).toBeLessThanOrEqual(budget);
    expect(trimmed.trimmed.newsItems).toBeGreaterThan(0);
    expect(trimmed.news[0]?.items).toHaveLength(10);
    expect(trimmed.news[1]?.items).toHaveLength(20);
    expect(trimmed.news[2]?.items.length).toBeLessThan(20);
    // The dropped items are the oldest of the oldest bucket.
    expect(trimmed.news[2]?.items).toEqual(full.news[2]?.items.slice(0, trimmed.news[2]?.items.length));
    const tiny = await buildContext({ ticker: 'AAPL', asOf, sources, options: { maxTokens: 50 } });
    expect(tiny.tokens).toBeLessThanOrEqual(50);
    expect(tiny.trimmed.truncated).toBe(true);
    const counted = await buildContext({
      ticker: 'AAPL',
      asOf,
      sources,
      options: { maxTokens: 2000, countTokens: (text) => text.length },
    });
    expect(counted.prompt.length).toBeLessThanOrEqual(2000);
  });

  it('excludes undated and invalid items and reports them', async () => {
    const leaky: NewsSource = {
      name: 'leaky',
      async getNews() {
        return [
          newsAt('ok', '2024-03-14T10:00:00Z'),
          { ...newsAt('undated', ''), publishedAt: '' },
          { ...newsAt('garbage', 'x'), publishedAt: 'next tuesday' },
          { id: 'bad', publishedAt: '2024-03-14T10:00:00Z' } as unknown as NewsItem,
        ];
      },
    };
    const context = await buildContext({ ticker: 'AAPL', asOf: '2024-03-15', sources: { news: leaky } });
    expect(context.news.flatMap((bucket) => bucket.items.map((item) => item.id))).toEqual(['ok']);
    expect(context.excluded.news).toEqual({ future: 0, undated: 2, invalid: 1 });
  });

  it('raises LOOKAHEAD in strict mode when a source returns a future item or bar, and drops it otherwise', async () => {
    const future: NewsSource = { name: 'future-news', getNews: async () => [newsAt('late', '2024-03-16T00:00:00Z')] };
    const error = await buildContext({ ticker: 'AAPL', asOf: '2024-03-15', sources: { news: future } }).catch(
      (caught: unknown) => caught,
    );
    expect(isTradeR1Error(error, 'LOOKAHEAD')).toBe(true);
    expect((error as Error).message).toContain('future-news');
    const lenient = await buildContext({
      ticker: 'AAPL',
      asOf: '2024-03-15',
      sources: { news: future },
      options: { strict: false },
    });
    expect(lenient.excluded.news.future).toBe(1);
    expect(lenient.news.every((bucket) => bucket.items.length === 0)).toBe(true);
    const allBars: PriceSource = { name: 'all-bars', getDailyBars: async () => bars };
    await expect(
      buildContext({ ticker: 'AAPL', asOf: '2024-03-15', sources: { prices: allBars } }),
    ).rejects.toMatchObject({ code: 'LOOKAHEAD' });
    const filtered = await buildContext({
      ticker: 'AAPL',
      asOf: '2024-03-15',
      sources: { prices: allBars },
      options: { strict: false },
    });
    expect(filtered.technicals?.bars.at(-1)?.timestamp).toBe('2024-03-15');
    // A decision during the session does not see that day's bar.
    const intraday = await buildContext({
      ticker: 'AAPL',
      asOf: '2024-03-15T15:00:00Z',
      sources: createStaticSources({ bars: { AAPL: bars } }),
    });
    expect(intraday.technicals?.bars.at(-1)?.timestamp).toBe('2024-03-14');
  });

  it("records a failing source with onSourceError: 'omit', propagates it by default, and honours abort", async () => {
    const broken: NewsSource = {
      name: 'broken',
      getNews: async () => {
        throw new Error('503 upstream');
      },
    };
    await expect(buildContext({ ticker: 'AAPL', asOf: '2024-03-15', sources: { news: broken } })).rejects.toMatchObject(
      { code: 'INTERNAL' },
    );
    const omitted = await buildContext({
      ticker: 'AAPL',
      asOf: '2024-03-15',
      sources: { news: broken },
      options: { onSourceError: 'omit' },
    });
    expect(omitted.errors).toEqual([{ source: 'news', code: 'INTERNAL', message: '503 upstream' }]);
    const controller = new AbortController();
    controller.abort();
    await expect(
      buildContext({ ticker: 'AAPL', asOf: '2024-03-15', sources: { news: broken }, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(buildContext({ ticker: '', asOf: '2024-03-15', sources: {} })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });

  it("refuses three-month-old prices as today's (STALE_DATA), or leaves them out with onSourceError omit", async () => {
    const old = bars.filter((bar) => bar.timestamp <= '2024-03-28');
    const sources = createStaticSources({ bars: { AAPL: old } });
    await expect(buildContext({ ticker: 'AAPL', asOf: '2024-06-28', sources })).rejects.toMatchObject({
      code: 'STALE_DATA',
      details: expect.objectContaining({ newest: '2024-03-28' }),
    });
    const omitted = await buildContext({
      ticker: 'AAPL',
      asOf: '2024-06-28',
      sources,
      options: { onSourceError: 'omit' },
    });
    expect(omitted.technicals).toBeNull();
    expect(omitted.errors).toEqual([expect.objectContaining({ source: 'prices', code: 'STALE_DATA' })]);
    // Up to five sessions may be missing (a data lag), and a pre-open cutoff does not expect that day's bar.
    const lagging = createStaticSources({ bars: { AAPL: bars.filter((bar) => bar.timestamp <= '2024-06-21') } });
    expect((await buildContext({ ticker: 'AAPL', asOf: '2024-06-28', sources: lagging })).technicals).not.toBeNull();
    const preOpen = createStaticSources({ bars: { AAPL: bars.filter((bar) => bar.timestamp <= '2024-06-20') } });
    await expect(buildContext({ ticker: 'AAPL', asOf: '2024-06-28', sources: preOpen })).rejects.toMatchObject({
      code: 'STALE_DATA',
    });
    expect(
      (
        await buildContext({
          ticker: 'AAPL',
          asOf: '2024-06-28',
          sources: preOpen,
          options: { cutoff: 'pre-open', maxStaleSessions: 5 },
        })
      ).technicals,
    ).not.toBeNull();
  });

  it('builds a series of contexts with indicators computed once, each seeing only bars up to its own cutoff', async () => {
    const days = bars
      .filter((bar) => bar.timestamp >= '2024-06-03' && bar.timestamp <= '2024-06-28')
      .map((bar) => bar.timestamp);
    let requests = 0;
    const counting: ContextSources = {
      prices: {
        name: 'counting',
        getDailyBars: async (request) => {
          requests += 1;
          return bars.filter((bar) => bar.timestamp >= (request.start ?? '') && bar.timestamp <= request.end);
        },
      },
    };
    const contexts = await buildContextSeries({ ticker: 'AAPL', asOfs: days, sources: counting });
    expect(requests).toBe(1);
    expect(contexts.map((context) => context.asOfDate)).toEqual(days);
    for (const [index, context] of contexts.entries()) {
      expect(context.technicals?.bars.at(-1)?.timestamp).toBe(days[index]);
      // Same bars as a context built alone; indicators equal where the warm-up no longer matters (RSI, SMA).
      const alone = await buildContext({ ticker: 'AAPL', asOf: days[index] as string, sources: counting });
      expect(context.technicals?.bars).toEqual(alone.technicals?.bars);
      expect(context.technicals?.indicators.sma50).toEqual(alone.technicals?.indicators.sma50);
      expect(context.news).toEqual(alone.news);
    }
    // Appending future bars changes nothing a context shows.
    const longer: ContextSources = { prices: { name: 'all', getDailyBars: async () => bars } };
    const strictOff = await buildContextSeries({
      ticker: 'AAPL',
      asOfs: days.slice(0, 3),
      sources: longer,
      options: { strict: false },
    });
    expect(strictOff.map((context) => context.technicals?.bars.at(-1)?.timestamp)).toEqual(days.slice(0, 3));
  });

  it('never lets a future item or bar in, for any asOf and any item dates (property)', async () => {
    const start = Date.UTC(2024, 0, 1);
    const dated = fc.record({
      dayOffset: fc.integer({ min: -60, max: 500 }),
      minute: fc.integer({ min: 0, max: 1439 }),
      dated: fc.boolean(),
      offsetLess: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 450 }),
        fc.option(fc.integer({ min: 0, max: 1439 }), { nil: undefined }),
        fc.array(dated, { maxLength: 40 }),
        fc.array(dated, { maxLength: 10 }),
        fc.constantFrom('AAPL', '600519.SH', '300750.SZ'),
        fc.constantFrom('close', 'pre-open') as fc.Arbitrary<'close' | 'pre-open'>,
        async (asOfDay, asOfMinute, newsDates, otherDates, ticker, cutoff) => {
          const exchange = exchangeForTicker(ticker);
          const { timeZone } = getExchangeCalendar(exchange);
          const asOfDate = new Date(start + asOfDay * DAY).toISOString().slice(0, 10);
          const asOf =
            asOfMinute === undefined ? asOfDate : new Date(start + asOfDay * DAY + asOfMinute * 60_000).toISOString();
          const asOfInstant = decisionCutoff({ asOf, exchange, at: cutoff });
          // Items are written with a UTC offset or, half the time, as wall-clock time of the exchange's zone.
          const when = (entry: { dayOffset: number; minute: number; dated: boolean; offsetLess: boolean }): string => {
            if (!entry.dated) return '';
            const instant = start + entry.dayOffset * DAY + entry.minute * 60_000;
            if (!entry.offsetLess) return new Date(instant).toISOString();
            return new Date(instant + zoneOffsetMinutes(timeZone, instant) * 60_000).toISOString().slice(0, 19);
          };
          const published = (text: string): number => toInstant(text, { timeZone });
          const news = newsDates.map((entry, index) => ({
            ...newsAt(`n${index}`, 'x', ticker),
            publishedAt: when(entry),
          }));
          const facts = otherDates.map((entry, index) => ({
            ticker: 'AAPL',
            metric: `m${index % 3}`,
            value: index,
            unit: 'USD',
            periodEnd: '2023-12-31',
            publishedAt: when(entry),
            source: 's',
          }));
          const sentiment = otherDates.map((entry, index) => ({
            ticker: 'AAPL',
            year: 2024,
            month: 1 + (index % 12),
            change: 1,
            mspr: 1,
            publishedAt: when(entry),
            source: 's',
          }));
          const transactions = otherDates.map((entry) => ({
            ticker: 'AAPL',
            name: 'x',
            share: 1,
            change: 1,
            transactionDate: '2024-01-02',
            publishedAt: when(entry),
            source: 's',
          }));
          const macro = otherDates.map((entry, index) => ({
            seriesId: 'FEDFUNDS',
            date: `2024-${String(1 + (index % 12)).padStart(2, '0')}-01`,
            value: 1,
            publishedAt: when(entry),
            source: 's',
          }));
          // Sources that ignore every window: whatever they return, the builder must filter.
          const leaky: ContextSources = {
            prices: { name: 'p', getDailyBars: async () => bars },
            news: { name: 'n', getNews: async () => news },
            fundamentals: { name: 'f', getFundamentals: async () => facts },
            insider: {
              name: 'i',
              getInsiderSentiment: async () => sentiment,
              getInsiderTransactions: async () => transactions,
            },
            macro: { name: 'm', getSeries: async () => macro },
          };
          const context = await buildContext({
            ticker,
            asOf,
            sources: leaky,
            options: { strict: false, macroSeries: ['FEDFUNDS'], cutoff },
          });
          expect(Date.parse(context.asOf)).toBe(asOfInstant);
          for (const instant of includedInstants(context)) expect(instant).toBeLessThanOrEqual(asOfInstant);
          for (const bar of context.technicals?.bars ?? [])
            expect(barCloseInstant(bar.timestamp.slice(0, 10), exchange)).toBeLessThanOrEqual(asOfInstant);
          const futureNews = news.filter(
            (item) => item.publishedAt !== '' && published(item.publishedAt) > asOfInstant,
          ).length;
          expect(context.excluded.news.future).toBe(futureNews);
          expect(context.excluded.news.undated).toBe(news.filter((item) => item.publishedAt === '').length);
          // Strict mode: a future news item or bar is an error, never silently used.
          const strict = await buildContext({
            ticker,
            asOf,
            sources: leaky,
            options: { macroSeries: ['FEDFUNDS'], cutoff },
          }).then(
            () => 'ok',
            (error: unknown) => (isTradeR1Error(error, 'LOOKAHEAD') ? 'lookahead' : error),
          );
          const cutoffDate = exchangeDateOf(asOfInstant, exchange);
          const futureBars = bars.some((bar) => bar.timestamp.slice(0, 10) > cutoffDate);
          expect(strict).toBe(futureNews > 0 || futureBars ? 'lookahead' : 'ok');
          // A well-behaved source never triggers strict mode and gives the same items.
          const honest = await buildContext({
            ticker,
            asOf,
            sources: createStaticSources({
              bars: { [ticker]: bars },
              news: news.filter((item) => item.publishedAt !== ''),
              timeZone,
            }),
            options: { cutoff },
          });
          for (const instant of includedInstants(honest)) expect(instant).toBeLessThanOrEqual(asOfInstant);
          expect(honest.news).toEqual(context.news.map((bucket) => ({ ...bucket })));
        },
      ),
      { seed: 20240628, numRuns: 40 },
    );
  });
});

describe('estimateTokens', () => {
  it('is deterministic and counts words, digit groups, CJK characters and punctuation', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('   \n\t')).toBe(0);
    expect(estimateTokens('hello world')).toBe(2);
    expect(estimateTokens('internationalization')).toBe(4);
    expect(estimateTokens('1234567')).toBe(3);
    expect(estimateTokens('贵州茅台')).toBe(4);
    expect(estimateTokens('a, b.')).toBe(4);
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    expect(estimateTokens(text)).toBe(estimateTokens(text));
    expect(estimateTokens(text)).toBeGreaterThan(180);
    expect(estimateTokens(text)).toBeLessThan(260);
  });
});

describe('compactText', () => {
  it('strips markdown, links, HTML and URLs but keeps the words', () => {
    expect(
      compactText(
        '## Apple **beats** [estimates](https://x.com/a) <b>again</b> see https://nasdaq.com/x ![img](a.png)\n\n`AAPL`  up',
      ),
    ).toBe('Apple beats estimates again see AAPL up');
  });
});
