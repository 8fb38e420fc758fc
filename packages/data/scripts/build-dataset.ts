/**
 * Regenerates packages/data/assets/ (the embedded demo dataset) from ../shared/data (see assets/README.md):
 * US daily bars trimmed to 2023-06-01 → 2025-12-31 and rounded to 4 decimals, and the A-share files as they are
 * (already normalised to date,open,high,low,close,volume), plus assets/manifest.json.
 *
 * Usage: pnpm --filter @trade-r1/data build:dataset [path/to/shared/data]
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Bar } from '@trade-r1/core';
import { readBarsFile } from '../src/files/bars.ts';

const sharedData = process.argv[2] ?? fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const assets = fileURLToPath(new URL('../assets/', import.meta.url));
const START = '2023-06-01';
const END = '2025-12-31';

const US = [
  { ticker: 'NVDA', file: 'NVDA.csv', origin: 'LRagogna/Quant-Factor-Research (data/raw/)', kind: 'stock' },
  { ticker: 'AAPL', file: 'AAPL.csv', origin: 'LRagogna/Quant-Factor-Research (data/raw/)', kind: 'stock' },
  { ticker: 'MSFT', file: 'MSFT.csv', origin: 'LRagogna/Quant-Factor-Research (data/raw/)', kind: 'stock' },
  { ticker: 'AMZN', file: 'AMZN.csv', origin: 'LRagogna/Quant-Factor-Research (data/raw/)', kind: 'stock' },
  { ticker: 'META', file: 'META.csv', origin: 'LRagogna/Quant-Factor-Research (data/raw/)', kind: 'stock' },
  { ticker: 'SPY', file: 'SPY.csv', origin: 'Goro2030/autoresearch (data/)', kind: 'etf' },
  { ticker: 'QQQ', file: 'QQQ.csv', origin: 'Goro2030/autoresearch (data/)', kind: 'etf' },
] as const;

const CN = [
  { ticker: '600519.SH', name: 'Kweichow Moutai', adjustment: 'unadjusted', kind: 'stock' },
  { ticker: '000858.SZ', name: 'Wuliangye', adjustment: 'unadjusted', kind: 'stock' },
  { ticker: '300750.SZ', name: 'CATL', adjustment: 'unadjusted', kind: 'stock' },
  { ticker: '000300.SH', name: 'CSI 300 index', adjustment: 'index points (no adjustment applies)', kind: 'index' },
  {
    ticker: '601318.SH',
    name: 'Ping An Insurance',
    adjustment: 'forward-adjusted (qfq), anchored about 2025-10-08',
    kind: 'stock',
  },
  {
    ticker: '600036.SH',
    name: 'China Merchants Bank',
    adjustment: 'forward-adjusted (qfq), anchored about 2025-10-08',
    kind: 'stock',
  },
] as const;

function round(value: number, digits = 4): string {
  const factor = 10 ** digits;
  return String(Math.round(value * factor) / factor);
}

function toCsv(bars: readonly Bar[]): string {
  const lines = ['date,open,high,low,close,volume'];
  for (const bar of bars) {
    lines.push(
      [
        bar.timestamp,
        round(bar.open),
        round(bar.high),
        round(bar.low),
        round(bar.close),
        String(Math.round(bar.volume)),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

const manifest: Array<Record<string, unknown>> = [];
await mkdir(`${assets}us`, { recursive: true });
await mkdir(`${assets}cn`, { recursive: true });
for (const entry of US) {
  const { bars } = await readBarsFile(`${sharedData}/prices/us/${entry.file}`);
  const trimmed = bars.filter((bar) => bar.timestamp >= START && bar.timestamp <= END);
  await writeFile(`${assets}us/${entry.ticker}.csv`, toCsv(trimmed));
  manifest.push({
    ticker: entry.ticker,
    market: 'us',
    kind: entry.kind,
    file: `us/${entry.ticker}.csv`,
    start: trimmed[0]?.timestamp,
    end: trimmed.at(-1)?.timestamp,
    rows: trimmed.length,
    adjustment: 'dividend- and split-adjusted (Yahoo Finance), rounded to 4 decimals',
    origin: `public repo ${entry.origin}, via ../shared/data/prices/us/${entry.file}`,
  });
  console.log(`${entry.ticker}: ${trimmed.length} bars ${trimmed[0]?.timestamp} → ${trimmed.at(-1)?.timestamp}`);
}
for (const entry of CN) {
  const path = `${sharedData}/cn/${entry.ticker}.csv`;
  const { bars } = await readBarsFile(path);
  // The source files are already in the target schema; re-serialise so every asset has one exact format.
  const text = toCsv(bars);
  const original = await readFile(path, 'utf8');
  if (original.trim().split(/\r?\n/).length !== bars.length + 1)
    throw new Error(`${path}: row count changed while copying`);
  await writeFile(`${assets}cn/${entry.ticker}.csv`, text);
  manifest.push({
    ticker: entry.ticker,
    market: 'cn',
    kind: entry.kind,
    name: entry.name,
    file: `cn/${entry.ticker}.csv`,
    start: bars[0]?.timestamp,
    end: bars.at(-1)?.timestamp,
    rows: bars.length,
    adjustment: entry.adjustment,
    origin:
      'see assets/README.md (Nshiodis/finance-analysis-platform, SebastienZh/StockTradebyZ), via ../shared/data/cn',
  });
  console.log(`${entry.ticker}: ${bars.length} bars`);
}
await writeFile(`${assets}manifest.json`, `${JSON.stringify({ version: 1, tickers: manifest }, null, 2)}\n`);
