import { type Bar, isTradeR1Error, TradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PriceRequest, PriceSource } from '../sources.ts';
import { type FixtureServer, jsonFixture, startFixtureServer } from './__fixtures__/server.ts';
import { createAlphaVantageSource } from './alpha-vantage.ts';
import { createVendorChain, VendorChainError, type VendorChainReport } from './vendor-chain.ts';
import { createYahooPriceSource } from './yahoo.ts';

const bar: Bar = { timestamp: '2024-01-02', open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 };

function fake(name: string, behaviour: () => Promise<Bar[]>): PriceSource & { calls: number } {
  const source = {
    name,
    calls: 0,
    async getDailyBars(_request: PriceRequest) {
      source.calls += 1;
      return behaviour();
    },
  };
  return source;
}

const request: PriceRequest = { ticker: 'AAPL', end: '2024-01-05' };

describe('createVendorChain', () => {
  it('answers from the first vendor that succeeds and records why the others failed', async () => {
    const reports: VendorChainReport[] = [];
    const first = fake('first', async () => {
      throw new TradeR1Error('RATE_LIMITED', 'slow down');
    });
    const second = fake('second', async () => [bar]);
    const third = fake('third', async () => [bar, bar]);
    const chain = createVendorChain([first, second, third], { onReport: (report) => reports.push(report) });
    expect(chain.name).toBe('chain(first>second>third)');
    await expect(chain.getDailyBars(request)).resolves.toEqual([bar]);
    expect([first.calls, second.calls, third.calls]).toEqual([1, 1, 0]);
    expect(chain.lastReport).toEqual({
      method: 'getDailyBars',
      answeredBy: 'second',
      attempts: [
        { vendor: 'first', ok: false, code: 'RATE_LIMITED', message: 'slow down' },
        { vendor: 'second', ok: true },
      ],
    });
    expect(reports).toEqual([chain.lastReport]);
  });

  it('throws a typed ALL_VENDORS_FAILED error listing every failure', async () => {
    const chain = createVendorChain([
      fake('a', async () => {
        throw new TradeR1Error('TIMEOUT', 'too slow');
      }),
      fake('b', async () => {
        throw new Error('socket hang up');
      }),
    ]);
    const error = await chain.getDailyBars(request).catch((caught) => caught);
    expect(error).toBeInstanceOf(VendorChainError);
    expect(isTradeR1Error(error, 'ALL_VENDORS_FAILED')).toBe(true);
    expect(error.failures.map((failure: { vendor: string; code: string }) => [failure.vendor, failure.code])).toEqual([
      ['a', 'TIMEOUT'],
      ['b', 'INTERNAL'],
    ]);
    expect(error.errors).toHaveLength(2);
    expect(error.message).toContain('a (TIMEOUT: too slow)');
    expect(JSON.parse(JSON.stringify(error)).details.failures).toHaveLength(2);
  });

  it.each(['LOOKAHEAD', 'INVALID_INPUT', 'ABORTED'] as const)('never falls back on %s', async (code) => {
    const second = fake('second', async () => [bar]);
    const chain = createVendorChain([
      fake('first', async () => {
        throw new TradeR1Error(code, 'stop');
      }),
      second,
    ]);
    await expect(chain.getDailyBars(request)).rejects.toMatchObject({ code });
    expect(second.calls).toBe(0);
  });

  it('can fall back on empty answers and honours shouldFallback', async () => {
    const chain = createVendorChain([fake('empty', async () => []), fake('full', async () => [bar])], {
      fallbackOnEmpty: true,
    });
    await expect(chain.getDailyBars(request)).resolves.toEqual([bar]);
    expect(chain.lastReport?.attempts[0]).toEqual({ vendor: 'empty', ok: false, empty: true });
    const allEmpty = createVendorChain([fake('x', async () => []), fake('y', async () => [])], {
      fallbackOnEmpty: true,
    });
    await expect(allEmpty.getDailyBars(request)).resolves.toEqual([]);
    expect(allEmpty.lastReport?.answeredBy).toBe('x');
    const strict = createVendorChain(
      [
        fake('first', async () => {
          throw new TradeR1Error('NOT_FOUND', 'unknown ticker');
        }),
        fake('second', async () => [bar]),
      ],
      { shouldFallback: (error) => error.code !== 'NOT_FOUND' },
    );
    await expect(strict.getDailyBars(request)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stops when the caller aborts between vendors', async () => {
    const controller = new AbortController();
    const second = fake('second', async () => [bar]);
    const chain = createVendorChain([
      fake('first', async () => {
        controller.abort();
        throw new TradeR1Error('HTTP_ERROR', 'boom');
      }),
      second,
    ]);
    await expect(chain.getDailyBars({ ...request, signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(second.calls).toBe(0);
  });

  it('rejects an empty vendor list', () => {
    expect(() => createVendorChain([])).toThrow(/at least one vendor/);
  });

  describe('with real providers on a local server', () => {
    let server: FixtureServer;
    beforeAll(async () => {
      server = await startFixtureServer();
    });
    afterAll(async () => {
      await server.close();
    });

    it('falls back from Yahoo (HTTP 503) to Alpha Vantage on one price basis', async () => {
      server.route('/v8/finance/chart/IBM', { status: 503, body: 'Service Unavailable' });
      server.route('/query', jsonFixture('alpha-vantage/time-series-daily-adjusted-ibm.json'));
      const common = { baseUrl: server.baseUrl, rateLimiter: null, retries: 0, adjusted: true };
      const chain = createVendorChain([
        createYahooPriceSource(common),
        createAlphaVantageSource({ ...common, apiKey: 'demo-key-123456' }),
      ]);
      expect(chain.priceBasis).toBe('total-return');
      const bars = await chain.getDailyBars({ ticker: 'IBM', start: '2024-01-02', end: '2024-01-08' });
      // The two adjusted bars of the fixture inside the window.
      expect(bars).toHaveLength(2);
      expect(chain.lastReport).toMatchObject({
        answeredBy: 'alphavantage',
        attempts: [
          { vendor: 'yahoo', ok: false, code: 'HTTP_ERROR' },
          { vendor: 'alphavantage', ok: true },
        ],
      });
      // The chain also exposes methods every vendor has, such as getDailyBarsWithReport.
      const report = await chain.getDailyBarsWithReport({ ticker: 'IBM', start: '2024-01-02', end: '2024-01-08' });
      expect(report.bars).toEqual(bars);
    });
  });

  it('refuses to chain price vendors of different bases (Yahoo split-adjusted, Alpha Vantage raw)', () => {
    const common = { baseUrl: 'http://127.0.0.1:9', rateLimiter: null };
    const mixed = () =>
      createVendorChain([
        createYahooPriceSource(common),
        createAlphaVantageSource({ ...common, apiKey: 'demo-key-123456' }),
      ]);
    expect(mixed).toThrowError(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        details: expect.objectContaining({ bases: { yahoo: 'split-adjusted', alphavantage: 'raw' } }),
      }),
    );
    const undeclared = { name: 'mine', getDailyBars: async () => [] };
    expect(() => createVendorChain([createYahooPriceSource(common), undeclared])).toThrowError(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });
});
