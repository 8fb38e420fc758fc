import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Bar, parseWith, TradeR1Error, tickerSchema } from '@trade-r1/core';
import { z } from 'zod';
import { parseBarsCsv } from '../files/bars.ts';

/** One instrument of the embedded dataset. */
export interface EmbeddedTicker {
  ticker: string;
  /** `'us'` (Yahoo Finance, adjusted) or `'cn'` (China A-shares). */
  market: 'us' | 'cn';
  kind: 'stock' | 'etf' | 'index';
  /** Instrument name, where the source gives one. */
  name?: string;
  /** Path inside the package's `assets/` folder. */
  file: string;
  /** First and last trading date. */
  start: string;
  end: string;
  rows: number;
  /** How prices are adjusted (read this before mixing series). */
  adjustment: string;
  /** Where the data came from. */
  origin: string;
}

const manifestSchema = z.object({
  version: z.literal(1),
  tickers: z.array(
    z.object({
      ticker: z.string(),
      market: z.enum(['us', 'cn']),
      kind: z.enum(['stock', 'etf', 'index']),
      name: z.string().optional(),
      file: z.string(),
      start: z.string(),
      end: z.string(),
      rows: z.number().int(),
      adjustment: z.string(),
      origin: z.string(),
    }),
  ),
});

let assetsDirectory: string | undefined;
let manifestCache: EmbeddedTicker[] | undefined;

/** The package's `assets/` folder: `../assets` from `dist/index.js`, `../../assets` from `src/dataset/`. */
function assetsDir(): string {
  if (assetsDirectory) return assetsDirectory;
  for (const relative of ['../assets/', '../../assets/']) {
    const candidate = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(`${candidate}manifest.json`)) {
      assetsDirectory = candidate;
      return candidate;
    }
  }
  throw new TradeR1Error('NOT_FOUND', 'The embedded dataset (assets/manifest.json) is missing from @trade-r1/data', {
    details: { from: import.meta.url },
  });
}

function manifest(): EmbeddedTicker[] {
  if (manifestCache) return manifestCache;
  const path = `${assetsDir()}manifest.json`;
  const parsed = parseWith(manifestSchema, JSON.parse(readFileSync(path, 'utf8')), {
    code: 'PARSE_FAILED',
    label: 'embedded dataset manifest',
    details: { file: path },
  });
  manifestCache = parsed.tickers;
  return manifestCache;
}

/**
 * The instruments of the embedded demo dataset: real daily bars for NVDA, AAPL, MSFT, AMZN, META, SPY and QQQ
 * (2023-06-01 → 2025-12-31, adjusted) and six China A-share series (2020 → 2025; see `adjustment`).
 */
export function listEmbeddedTickers(): EmbeddedTicker[] {
  return manifest().map((entry) => ({ ...entry }));
}

/** Options for {@link loadEmbeddedBars}. */
export interface LoadEmbeddedBarsOptions {
  /** First date to return (inclusive). @default the first bar */
  start?: string;
  /** Last date to return (inclusive). @default the last bar */
  end?: string;
}

const barCache = new Map<string, Bar[]>();

/**
 * Load the embedded daily bars of `ticker` (validated, ascending). Case-insensitive.
 * @throws {TradeR1Error} `NOT_FOUND` for a ticker not in {@link listEmbeddedTickers}.
 */
export async function loadEmbeddedBars(ticker: string, options: LoadEmbeddedBarsOptions = {}): Promise<Bar[]> {
  const symbol = parseWith(tickerSchema, ticker, { label: 'ticker' });
  const entry = manifest().find((candidate) => candidate.ticker === symbol);
  if (!entry) {
    throw new TradeR1Error(
      'NOT_FOUND',
      `No embedded bars for ${symbol}; available: ${manifest()
        .map((candidate) => candidate.ticker)
        .join(', ')}`,
      { details: { ticker: symbol } },
    );
  }
  let bars = barCache.get(symbol);
  if (!bars) {
    const path = `${assetsDir()}${entry.file}`;
    bars = parseBarsCsv(await readFile(path, 'utf8'), { source: path }).bars;
    barCache.set(symbol, bars);
  }
  const { start, end } = options;
  return bars
    .filter((bar) => (start === undefined || bar.timestamp >= start) && (end === undefined || bar.timestamp <= end))
    .map((bar) => ({ ...bar }));
}
