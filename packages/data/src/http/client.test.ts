import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TradeR1Error } from '@trade-r1/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, jsonReply, startFixtureServer } from '../providers/__fixtures__/server.ts';
import { createMemoryCache } from './cache.ts';
import { createHttpClient } from './client.ts';

const SECRET = 'client-secret-0123456789';

describe('createHttpClient', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server.close();
  });
  const sleepLog: number[] = [];
  const client = (extra: Partial<Parameters<typeof createHttpClient>[0]> = {}) =>
    createHttpClient({
      vendor: 'Test',
      baseUrl: server.baseUrl,
      secrets: [SECRET],
      sleep: async (ms) => {
        sleepLog.push(ms);
      },
      ...extra,
    });

  it('keeps secret query, body and header parts on the wire only', async () => {
    server.route('/post', jsonReply({ ok: true }));
    const cache = createMemoryCache();
    const http = client({ cache });
    const result = await http.request({
      method: 'POST',
      path: '/post',
      query: { a: 1, skip: undefined },
      secretQuery: { key: SECRET },
      body: { x: 'y' },
      secretBody: { token: SECRET },
      secretHeaders: { authorization: `Bearer ${SECRET}` },
      parse: (body) => body,
    });
    expect(result).toEqual({ value: { ok: true }, fromCache: false, attempts: 1, url: `${server.baseUrl}/post?a=1` });
    const sent = server.requests.at(-1);
    expect(sent?.query.get('key')).toBe(SECRET);
    expect(JSON.parse(sent?.body ?? '{}')).toEqual({ x: 'y', token: SECRET });
    expect(sent?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(sent?.headers['content-type']).toBe('application/json');
    const again = await http.request({
      method: 'POST',
      path: '/post',
      query: { a: 1 },
      body: { x: 'y' },
      parse: (body) => body,
    });
    expect(again.fromCache).toBe(true);
    expect(server.count('/post')).toBe(1);
    const differentBody = await http.request({
      method: 'POST',
      path: '/post',
      query: { a: 1 },
      body: { x: 'z' },
      parse: (body) => body,
    });
    expect(differentBody.fromCache).toBe(false);
  });

  it('does not cache a body that fails validation', async () => {
    server.route('/flaky', jsonReply({ bad: true }), jsonReply({ good: true }));
    const cache = createMemoryCache();
    const http = client({ cache, retries: 0 });
    const parse = (body: unknown) => {
      if ((body as { good?: boolean }).good !== true) throw new TradeR1Error('BAD_RESPONSE', 'not good');
      return body;
    };
    await expect(http.request({ path: '/flaky', parse })).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
    await expect(http.request({ path: '/flaky', parse })).resolves.toMatchObject({ fromCache: false });
    await expect(http.request({ path: '/flaky', parse })).resolves.toMatchObject({ fromCache: true });
  });

  it('retries network errors (connection refused) and reports HTTP_ERROR without the key', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    sleepLog.length = 0;
    const http = client({ baseUrl: `http://127.0.0.1:${port}`, retries: 2, backoff: { baseDelayMs: 10 } });
    const error = (await http
      .request({ path: '/x', secretQuery: { apikey: SECRET }, parse: (body) => body })
      .catch((caught: unknown) => caught)) as TradeR1Error;
    expect(error).toMatchObject({ code: 'HTTP_ERROR', details: { reason: 'network', attempts: 3 } });
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(sleepLog).toHaveLength(2);
    expect(JSON.stringify(error.toJSON())).not.toContain(SECRET);
  });

  it('draws identical jitter for identical seeds', async () => {
    server.route('/err', { status: 500, body: 'no' });
    const delays = async (seed: number) => {
      sleepLog.length = 0;
      await client({ seed, retries: 3 })
        .request({ path: '/err', parse: (body) => body })
        .catch(() => undefined);
      return [...sleepLog];
    };
    const first = await delays(11);
    expect(first).toHaveLength(3);
    expect(await delays(11)).toEqual(first);
    expect(await delays(12)).not.toEqual(first);
  });

  it('reports cache write failures through onCacheError and still answers', async () => {
    server.route('/ok', jsonReply({ ok: 1 }));
    const failures: string[] = [];
    const http = client({
      cache: {
        get: async () => undefined,
        set: async () => {
          throw new Error(`disk full near ${SECRET}`);
        },
        delete: async () => undefined,
      },
      onCacheError: (error) => failures.push(JSON.stringify(error.toJSON())),
    });
    await expect(http.request({ path: '/ok', parse: (body) => body })).resolves.toMatchObject({ value: { ok: 1 } });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain('STORE_ERROR');
    expect(failures[0]).not.toContain(SECRET);
  });

  it('rejects a base URL that is not http(s)', () => {
    expect(() => createHttpClient({ vendor: 'Test', baseUrl: 'ftp://example.org' })).toThrow(/baseUrl/);
    expect(() => createHttpClient({ vendor: 'Test', baseUrl: 'not a url' })).toThrow(/baseUrl/);
  });

  it('fails fast when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = server.count();
    await expect(
      client().request({ path: '/ok', signal: controller.signal, parse: (body) => body }),
    ).rejects.toMatchObject({
      code: 'ABORTED',
    });
    expect(server.count()).toBe(before);
  });
});
