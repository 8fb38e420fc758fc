import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileCache, createMemoryCache, requestCacheKey } from './cache.ts';

describe('requestCacheKey', () => {
  it('is a SHA-256 hex digest of method, URL and body', () => {
    const key = requestCacheKey({ method: 'get', url: 'https://example.org/a?b=1' });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(requestCacheKey({ method: 'GET', url: 'https://example.org/a?b=1' })).toBe(key);
    expect(requestCacheKey({ method: 'GET', url: 'https://example.org/a?b=2' })).not.toBe(key);
    expect(requestCacheKey({ method: 'POST', url: 'https://example.org/a?b=1', body: { x: 1 } })).not.toBe(
      requestCacheKey({ method: 'POST', url: 'https://example.org/a?b=1', body: { x: 2 } }),
    );
  });
});

describe('createFileCache', () => {
  let directory: string;
  let now: number;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'trade-r1-file-cache-'));
    now = 1_000_000;
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });
  const key = requestCacheKey({ method: 'GET', url: 'https://example.org/x' });

  it('stores, reads back and expires entries by TTL', async () => {
    const cache = createFileCache({ directory, ttlMs: 1000, now: () => now });
    expect(await cache.get(key)).toBeUndefined();
    await cache.set(key, { status: 200, body: '{"a":1}' });
    expect(await cache.get(key)).toEqual({ status: 200, body: '{"a":1}', storedAt: 1_000_000 });
    now += 1000;
    expect(await cache.get(key)).toBeDefined();
    now += 1;
    expect(await cache.get(key)).toBeUndefined();
    await cache.delete(key);
    await expect(readFile(cache.pathFor(key))).rejects.toThrow();
  });

  it('writes atomically (no temporary files left) into a sharded folder', async () => {
    const cache = createFileCache({ directory, now: () => now });
    await Promise.all(
      Array.from({ length: 20 }, (_, index) => cache.set(key, { status: 200, body: `{"n":${index}}` })),
    );
    expect(await readdir(join(directory, key.slice(0, 2)))).toEqual([`${key}.json`]);
    const entry = await cache.get(key);
    expect(entry?.body).toMatch(/^\{"n":\d+\}$/);
  });

  it.each([
    ['truncated JSON', '{"version":1,"key":"'],
    ['not JSON', '\u0000\u0001binary'],
    ['wrong shape', '{"hello":"world"}'],
    ['another key', JSON.stringify({ version: 1, key: 'f'.repeat(64), storedAt: 1_000_000, status: 200, body: '{}' })],
  ])('ignores a corrupt entry (%s) and replaces it on the next write', async (_label, content) => {
    const cache = createFileCache({ directory, now: () => now });
    await cache.set(key, { status: 200, body: '{}' });
    await writeFile(cache.pathFor(key), content);
    await expect(cache.get(key)).resolves.toBeUndefined();
    await cache.set(key, { status: 200, body: '{"fresh":true}' });
    expect((await cache.get(key))?.body).toBe('{"fresh":true}');
  });

  it('rejects malformed keys and bad settings', async () => {
    const cache = createFileCache({ directory });
    await expect(cache.get('../../etc/passwd')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => createFileCache({ directory: '' })).toThrow(/directory/);
    expect(() => createFileCache({ directory, ttlMs: -1 })).toThrow(/ttlMs/);
  });

  it('reports a failed write as STORE_ERROR', async () => {
    const blocker = join(directory, 'file');
    await writeFile(blocker, 'not a directory');
    const cache = createFileCache({ directory: blocker });
    await expect(cache.set(key, { status: 200, body: '{}' })).rejects.toBeDefined();
  });
});

describe('createMemoryCache', () => {
  it('expires by TTL and evicts the oldest beyond maxEntries', async () => {
    let now = 0;
    const cache = createMemoryCache({ ttlMs: 10, maxEntries: 2, now: () => now });
    const keys = ['a', 'b', 'c'].map((name) => requestCacheKey({ method: 'GET', url: name }));
    for (const key of keys) await cache.set(key, { status: 200, body: key });
    expect(await cache.get(keys[0] as string)).toBeUndefined();
    expect((await cache.get(keys[2] as string))?.body).toBe(keys[2]);
    now = 11;
    expect(await cache.get(keys[2] as string)).toBeUndefined();
  });
});
