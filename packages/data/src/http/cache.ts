import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TradeR1Error } from '@trade-r1/core';
import { z } from 'zod';
import { functionSchema, parseArgument } from '../validate.ts';
import { type Clock, systemClock } from './sleep.ts';

const cacheKeyInputSchema = z.strictObject({ method: z.string(), url: z.string(), body: z.unknown().optional() });
// directory and ttlMs values are checked in createFileCache with their own messages.
const fileCacheOptionsSchema = z.strictObject({
  directory: z.unknown(),
  ttlMs: z.number().optional(),
  now: functionSchema.optional(),
});
const memoryCacheOptionsSchema = z.strictObject({
  ttlMs: z.number().min(0).optional(),
  maxEntries: z.number().int().min(0).optional(),
  now: functionSchema.optional(),
});

/** A cached HTTP response body (only successful, validated responses are stored). */
export interface CachedResponse {
  /** HTTP status of the stored response. */
  status: number;
  /** The raw response body text. */
  body: string;
  /** Epoch ms when it was stored. */
  storedAt: number;
}

/** Storage for HTTP responses keyed by {@link requestCacheKey}. */
export interface ResponseCache {
  /** The fresh entry for `key`, or `undefined` (missing, expired or unreadable). */
  get(key: string): Promise<CachedResponse | undefined>;
  /** Store an entry (replacing any previous one). */
  set(key: string, entry: { status: number; body: string }): Promise<void>;
  /** Remove an entry if present. */
  delete(key: string): Promise<void>;
}

/** The parts of a request that identify it in a cache. Secrets must already be removed. */
export interface CacheKeyInput {
  method: string;
  /** The request URL without secret query parameters. */
  url: string;
  /** The JSON request body without secret fields. */
  body?: unknown;
}

/**
 * The cache key of a request: SHA-256 (hex) of method, URL and body. Callers pass the URL and body with secrets
 * removed, so a key never reveals (or depends on) an API key.
 */
export function requestCacheKey(input: CacheKeyInput): string {
  parseArgument(cacheKeyInputSchema, input, { fn: 'requestCacheKey()', field: 'input' });
  const canonical = JSON.stringify([input.method.toUpperCase(), input.url, input.body ?? null]);
  return createHash('sha256').update(canonical).digest('hex');
}

const entrySchema = z.object({
  version: z.literal(1),
  key: z.string(),
  storedAt: z.number(),
  status: z.number().int(),
  body: z.string(),
});

/** Options for {@link createFileCache}. */
export interface FileCacheOptions {
  /** Directory holding the cache (created on first write). */
  directory: string;
  /** Entries older than this are ignored (and overwritten on the next fetch). @default 86400000 (one day) */
  ttlMs?: number;
  /** Clock in epoch ms. @default Date.now */
  now?: Clock;
}

/** A {@link ResponseCache} on disk, one JSON file per request. */
export interface FileCache extends ResponseCache {
  /** The cache directory. */
  readonly directory: string;
  /** The file an entry is stored in. */
  pathFor(key: string): string;
}

const KEY_PATTERN = /^[0-9a-f]{64}$/;

function checkKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new TradeR1Error('INVALID_INPUT', 'Cache keys must be 64 lowercase hex characters (see requestCacheKey)', {
      details: { key },
    });
  }
}

/**
 * An on-disk response cache. Each entry is a JSON file `<directory>/<key[0..2]>/<key>.json` written atomically
 * (temporary file + rename, so readers never see half a file). A corrupt, truncated or foreign file is treated as
 * a miss and replaced by the next write; it never throws. Expiry is by `ttlMs` from the time of storage.
 * @throws {TradeR1Error} `INVALID_CONFIG` for an empty directory or a negative TTL.
 */
export function createFileCache(options: FileCacheOptions): FileCache {
  parseArgument(fileCacheOptionsSchema, options, { fn: 'createFileCache()', field: 'options', code: 'INVALID_CONFIG' });
  const directory = options.directory;
  if (typeof directory !== 'string' || directory.trim() === '') {
    throw new TradeR1Error('INVALID_CONFIG', 'createFileCache needs a non-empty `directory`');
  }
  const ttlMs = options.ttlMs ?? 86_400_000;
  if (!(ttlMs >= 0)) {
    throw new TradeR1Error('INVALID_CONFIG', `ttlMs must be >= 0, got ${ttlMs}`, { details: { ttlMs } });
  }
  const now = options.now ?? systemClock;
  const pathFor = (key: string): string => join(directory, key.slice(0, 2), `${key}.json`);

  return {
    directory,
    pathFor,
    async get(key) {
      checkKey(key);
      let text: string;
      try {
        text = await readFile(pathFor(key), 'utf8');
      } catch {
        return undefined;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return undefined;
      }
      const result = entrySchema.safeParse(parsed);
      if (!result.success || result.data.key !== key) return undefined;
      if (now() - result.data.storedAt > ttlMs) return undefined;
      return { status: result.data.status, body: result.data.body, storedAt: result.data.storedAt };
    },
    async set(key, entry) {
      checkKey(key);
      const file = pathFor(key);
      await mkdir(join(directory, key.slice(0, 2)), { recursive: true });
      const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
      const record = { version: 1, key, storedAt: now(), status: entry.status, body: entry.body };
      try {
        await writeFile(temporary, JSON.stringify(record), 'utf8');
        await rename(temporary, file);
      } catch (error) {
        await rm(temporary, { force: true }).catch(() => undefined);
        throw new TradeR1Error('STORE_ERROR', `Could not write cache entry in ${directory}`, {
          cause: error,
          details: { directory },
        });
      }
    },
    async delete(key) {
      checkKey(key);
      await rm(pathFor(key), { force: true });
    },
  };
}

/** Options for {@link createMemoryCache}. */
export interface MemoryCacheOptions {
  /** Entries older than this are ignored. @default 86400000 (one day) */
  ttlMs?: number;
  /** Oldest entries are evicted beyond this count. @default 1000 */
  maxEntries?: number;
  /** Clock in epoch ms. @default Date.now */
  now?: Clock;
}

/** An in-process {@link ResponseCache} (least recently stored evicted first). */
export function createMemoryCache(options: MemoryCacheOptions = {}): ResponseCache {
  parseArgument(memoryCacheOptionsSchema, options, {
    fn: 'createMemoryCache()',
    field: 'options',
    code: 'INVALID_CONFIG',
  });
  const ttlMs = options.ttlMs ?? 86_400_000;
  const maxEntries = options.maxEntries ?? 1000;
  const now = options.now ?? systemClock;
  const entries = new Map<string, CachedResponse>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry || now() - entry.storedAt > ttlMs) return undefined;
      return { ...entry };
    },
    async set(key, entry) {
      entries.delete(key);
      entries.set(key, { status: entry.status, body: entry.body, storedAt: now() });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
