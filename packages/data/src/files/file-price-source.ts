import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Bar, parseWith, TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { z } from 'zod';
import type { PriceBasis, PriceSource } from '../sources.ts';
import { type ReadBarsOptions, readBarsFile } from './bars.ts';

/** Options for {@link createFilePriceSource}. */
export interface FilePriceSourceOptions {
  /**
   * A folder holding one file per ticker, named `<TICKER>.csv` (or `.json`, `.ndjson`, `.jsonl`, `.tsv`, `.txt`);
   * the name is matched case-insensitively against the ticker as written (`AAPL.csv`, `600519.SH.csv`).
   */
  directory?: string | URL;
  /** Explicit ticker → file paths (take precedence over `directory`). */
  files?: Record<string, string | URL>;
  /** Options passed to {@link readBarsFile} for every file (`onInvalid`, `columns`, `encoding`…). */
  read?: Omit<ReadBarsOptions, 'source' | 'signal'>;
  /** Source name for logs and errors. @default 'files' */
  name?: string;
  /** What the files' prices are (`raw`, `split-adjusted`, `total-return`), so a vendor chain can check it. @default undeclared */
  priceBasis?: PriceBasis;
}

const optionsSchema = z
  .object({
    directory: z.union([z.string().min(1), z.instanceof(URL)]).optional(),
    files: z.record(z.string(), z.union([z.string().min(1), z.instanceof(URL)])).optional(),
    read: z.record(z.string(), z.unknown()).optional(),
    name: z.string().optional(),
    priceBasis: z.enum(['raw', 'split-adjusted', 'total-return']).optional(),
  })
  .refine((value) => value.directory !== undefined || value.files !== undefined, 'give `directory` or `files`');

const EXTENSIONS = ['.csv', '.json', '.ndjson', '.jsonl', '.tsv', '.txt'];

/**
 * A {@link PriceSource} over local OHLCV files (read with {@link readBarsFile}, each file parsed once and cached).
 * Answers `getDailyBars` with the bars in `[start, end]`, so it plugs into `buildContext`.
 * @throws {TradeR1Error} `INVALID_CONFIG` for bad options; `getDailyBars` raises `NOT_FOUND` for a ticker without a
 * file and the file errors of {@link readBarsFile}.
 */
export function createFilePriceSource(options: FilePriceSourceOptions): PriceSource {
  parseWith(optionsSchema, options, { code: 'INVALID_CONFIG', label: 'file price source options' });
  const directory = options.directory instanceof URL ? fileURLToPath(options.directory) : options.directory;
  const files = new Map<string, string>();
  for (const [ticker, path] of Object.entries(options.files ?? {})) {
    files.set(ticker.toUpperCase(), path instanceof URL ? fileURLToPath(path) : path);
  }
  const cache = new Map<string, Promise<Bar[]>>();
  const locate = (ticker: string): string => {
    const explicit = files.get(ticker);
    if (explicit) return explicit;
    if (directory) {
      for (const candidate of [ticker, ticker.toLowerCase()]) {
        for (const extension of EXTENSIONS) {
          const path = join(directory, `${candidate}${extension}`);
          if (existsSync(path)) return path;
        }
      }
    }
    throw new TradeR1Error('NOT_FOUND', `No price file for ${ticker}${directory ? ` in ${directory}` : ''}`, {
      details: { ticker, ...(directory && { directory }) },
    });
  };
  return {
    name: options.name ?? 'files',
    ...(options.priceBasis && { priceBasis: options.priceBasis }),
    async getDailyBars(request) {
      throwIfAborted(request.signal);
      const ticker = request.ticker.toUpperCase();
      let pending = cache.get(ticker);
      if (!pending) {
        pending = readBarsFile(locate(ticker), options.read ?? {}).then((result) => result.bars);
        cache.set(ticker, pending);
        pending.catch(() => cache.delete(ticker));
      }
      const bars = await pending;
      const { start, end } = request;
      return bars.filter((bar) => (start === undefined || bar.timestamp >= start) && bar.timestamp.slice(0, 10) <= end);
    },
  };
}
