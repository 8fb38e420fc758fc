// Shared conformance tests: every HTTP provider must behave the same way on retries, errors, timeouts, aborts,
// caching and secret redaction, against a real local HTTP server.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ErrorCode, isTradeR1Error, type TradeR1Error } from '@trade-r1/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFileCache } from '../../http/cache.ts';
import type { HttpProviderOptions } from '../shared.ts';
import { echoReply, type FixtureReply, type FixtureServer, type FixtureStep, startFixtureServer } from './server.ts';

export interface TransportCase<Source> {
  /** Vendor name as it appears in error messages. */
  vendor: string;
  /** The API key the source is created with (checked for redaction), when the vendor has one. */
  secret?: string;
  /** The path the call requests. */
  path: string;
  /** A successful reply. */
  success: FixtureReply;
  /** A reply whose JSON does not match the vendor schema. */
  schemaMismatch: FixtureReply;
  /** A vendor error that must not be retried, and the code it must map to. */
  vendorError: { reply: FixtureReply; code: ErrorCode };
  create(options: HttpProviderOptions & { baseUrl: string }, secret?: string): Source;
  call(source: Source, signal?: AbortSignal): Promise<unknown>;
  /** Extra routes the call needs (e.g. a ticker → id lookup). */
  setup?(server: FixtureServer): void;
}

async function failure(promise: Promise<unknown>): Promise<TradeR1Error> {
  try {
    await promise;
  } catch (error) {
    if (isTradeR1Error(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

export function expectNoSecret(error: TradeR1Error, secret: string | undefined): void {
  if (secret === undefined) return;
  expect(error.message).not.toContain(secret);
  expect(JSON.stringify(error.toJSON())).not.toContain(secret);
  expect(JSON.stringify(error.details)).not.toContain(secret);
  expect(String(error.stack)).not.toContain(secret);
}

export function describeTransport<Source>(name: string, testCase: TransportCase<Source>): void {
  describe(`${name}: shared HTTP behaviour`, () => {
    let server: FixtureServer;
    let delays: number[];
    const sleep = async (ms: number, signal?: AbortSignal): Promise<void> => {
      delays.push(ms);
      if (signal?.aborted) throw new Error('aborted');
    };
    const make = (extra: Partial<HttpProviderOptions> = {}, secret = testCase.secret): Source =>
      testCase.create(
        { baseUrl: server.baseUrl, rateLimiter: null, retries: 2, sleep, timeoutMs: 5000, seed: 7, ...extra },
        secret,
      );

    beforeAll(async () => {
      server = await startFixtureServer();
    });
    afterAll(async () => {
      await server.close();
    });
    afterEach(() => {
      server.reset();
      delays = [];
    });
    const prepare = (...steps: FixtureStep[]): void => {
      delays = [];
      testCase.setup?.(server);
      server.route(testCase.path, ...steps);
    };

    it('answers from the fixture on the first attempt', async () => {
      prepare(testCase.success);
      await expect(testCase.call(make())).resolves.toBeDefined();
      expect(server.count(testCase.path)).toBe(1);
      expect(delays).toEqual([]);
    });

    it('retries HTTP 429 after the Retry-After delay', async () => {
      prepare({ status: 429, headers: { 'retry-after': '2' }, body: 'Too Many Requests' }, testCase.success);
      await expect(testCase.call(make())).resolves.toBeDefined();
      expect(server.count(testCase.path)).toBe(2);
      expect(delays).toEqual([2000]);
    });

    it('gives up with RATE_LIMITED when Retry-After exceeds maxRetryAfterMs', async () => {
      prepare({ status: 429, headers: { 'retry-after': '3600' }, body: '' }, testCase.success);
      const error = await failure(testCase.call(make({ maxRetryAfterMs: 60_000 })));
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.details.retryAfterMs).toBe(3_600_000);
      expect(server.count(testCase.path)).toBe(1);
    });

    it('retries HTTP 500 with backoff, then succeeds', async () => {
      prepare({ status: 500, body: 'Internal Server Error' }, testCase.success);
      await expect(testCase.call(make())).resolves.toBeDefined();
      expect(server.count(testCase.path)).toBe(2);
      expect(delays).toHaveLength(1);
      expect(delays[0]).toBeGreaterThanOrEqual(250);
      expect(delays[0]).toBeLessThanOrEqual(500);
    });

    it('stops after the configured retries with HTTP_ERROR', async () => {
      prepare(echoReply(503));
      const error = await failure(testCase.call(make({ retries: 2 })));
      expect(error.code).toBe('HTTP_ERROR');
      expect(error.details.status).toBe(503);
      expect(error.details.attempts).toBe(3);
      expect(server.count(testCase.path)).toBe(3);
      expect(error.message).toContain(testCase.vendor);
      expectNoSecret(error, testCase.secret);
    });

    it('maps the vendor error body to a typed error without retrying', async () => {
      prepare(testCase.vendorError.reply);
      const error = await failure(testCase.call(make()));
      expect(error.code).toBe(testCase.vendorError.code);
      expect(server.count(testCase.path)).toBe(1);
      expectNoSecret(error, testCase.secret);
    });

    it('does not retry other 4xx responses, and redacts an echoed key', async () => {
      prepare(echoReply(400));
      const error = await failure(testCase.call(make()));
      expect(server.count(testCase.path)).toBe(1);
      expect(error.details.status).toBe(400);
      expectNoSecret(error, testCase.secret);
      if (testCase.secret) expect(error.message).toContain('[REDACTED]');
    });

    it('rejects malformed JSON with BAD_RESPONSE', async () => {
      prepare({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"truncated": [1, 2' });
      const error = await failure(testCase.call(make()));
      expect(error.code).toBe('BAD_RESPONSE');
      expect(error.message).toContain(testCase.vendor);
      expect(server.count(testCase.path)).toBe(1);
      expectNoSecret(error, testCase.secret);
    });

    it('rejects JSON that does not match the vendor schema with BAD_RESPONSE naming the vendor', async () => {
      prepare(testCase.schemaMismatch);
      const error = await failure(testCase.call(make()));
      expect(error.code).toBe('BAD_RESPONSE');
      expect(error.message).toContain(testCase.vendor);
      expectNoSecret(error, testCase.secret);
    });

    it('times out a server that never answers', async () => {
      prepare({ hang: true });
      const error = await failure(testCase.call(make({ timeoutMs: 60, retries: 1 })));
      expect(error.code).toBe('TIMEOUT');
      expect(server.count(testCase.path)).toBe(2);
      expectNoSecret(error, testCase.secret);
    });

    it('aborts a pending request through the caller signal', async () => {
      prepare({ hang: true });
      const controller = new AbortController();
      server.onRequest = (request) => {
        if (request.path === testCase.path) controller.abort();
      };
      const error = await failure(testCase.call(make({ timeoutMs: 30_000 }), controller.signal));
      expect(error.code).toBe('ABORTED');
      expect(server.count(testCase.path)).toBe(1);
    });

    it('serves a repeated request from the on-disk cache, keyed without the secret', async () => {
      const directory = await mkdtemp(join(tmpdir(), 'trade-r1-cache-'));
      try {
        prepare(testCase.success);
        const cache = createFileCache({ directory });
        const first = await testCase.call(make({ cache }));
        const second = await testCase.call(make({ cache }));
        expect(second).toEqual(first);
        expect(server.count(testCase.path)).toBe(1);
        if (testCase.secret) {
          // Another key, same request: still a hit, because the key is not part of the cache key.
          const third = await testCase.call(make({ cache }, `${testCase.secret}-other`));
          expect(third).toEqual(first);
          expect(server.count(testCase.path)).toBe(1);
        }
        const files: string[] = [];
        for (const folder of await readdir(directory)) {
          for (const file of await readdir(join(directory, folder))) files.push(join(directory, folder, file));
        }
        expect(files.length).toBeGreaterThan(0);
        for (const file of files) {
          expect(file).toMatch(/[0-9a-f]{64}\.json$/);
          if (testCase.secret) expect(await readFile(file, 'utf8')).not.toContain(testCase.secret);
        }
        // A corrupt entry is ignored and replaced, never thrown.
        for (const file of files) await writeFile(file, '{"version":1,"key":', 'utf8');
        await expect(testCase.call(make({ cache }))).resolves.toEqual(first);
        expect(server.count(testCase.path)).toBe(2);
        for (const file of files) expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(1);
        await expect(testCase.call(make({ cache }))).resolves.toEqual(first);
        expect(server.count(testCase.path)).toBe(2);
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    });

    it('waits on its rate limiter before each request', async () => {
      prepare(testCase.success);
      let clock = 0;
      const waits: number[] = [];
      const { createTokenBucket } = await import('../../http/rate-limiter.ts');
      const rateLimiter = createTokenBucket({
        capacity: 1,
        refillPerSecond: 0.5,
        now: () => clock,
        sleep: async (ms) => {
          waits.push(ms);
          clock += ms;
        },
      });
      const source = make({ rateLimiter });
      await testCase.call(source);
      await testCase.call(source);
      // One wait of 2 s before every request after the first (including any lookups the call makes).
      expect(server.count()).toBeGreaterThanOrEqual(2);
      expect(waits).toEqual(Array.from({ length: server.count() - 1 }, () => 2000));
    });
  });
}
