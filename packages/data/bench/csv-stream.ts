/**
 * Benchmark (not a test): peak memory of streaming a large multi-ticker CSV with `streamBarsCsvFile`.
 * Generates a synthetic file (seeded; 500 tickers, one row per ticker and weekday) in the OS temp folder, reads it
 * in a fresh process and reports rows/s and peak RSS (`process.resourceUsage().maxRSS`), beside the same read of a
 * file ten times smaller, and the large file once more with the JavaScript heap capped at 64 MiB (it completes: the
 * reader's live memory does not grow with the file).
 * Usage: pnpm --filter @trade-r1/data exec tsx --conditions=@trade-r1/source bench/csv-stream.ts [--rows=5000000]
 * Writes bench-results/csv-stream.json.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRng } from '@trade-r1/core';
import { streamBarsCsvFile } from '../src/index.ts';

const RESULTS = fileURLToPath(new URL('../bench-results/', import.meta.url));

async function generate(path: string, rows: number): Promise<void> {
  const rng = createRng(5_000_000);
  const tickers = 500;
  const out = createWriteStream(path);
  const write = (text: string): Promise<void> =>
    out.write(text) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
  await write('ticker,date,open,high,low,close,volume\n');
  const prices = Array.from({ length: tickers }, () => 20 + rng.next() * 200);
  let written = 0;
  for (let day = 0; written < rows; day += 1) {
    const time = Date.UTC(1990, 0, 1) + day * 86_400_000;
    const weekday = new Date(time).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const date = new Date(time).toISOString().slice(0, 10);
    let chunk = '';
    for (let ticker = 0; ticker < tickers && written < rows; ticker += 1, written += 1) {
      const open = prices[ticker] as number;
      const close = open * (1 + (rng.next() - 0.5) * 0.04);
      prices[ticker] = close;
      const high = Math.max(open, close) * (1 + rng.next() * 0.01);
      const low = Math.min(open, close) * (1 - rng.next() * 0.01);
      chunk += `T${ticker},${date},${open.toFixed(2)},${high.toFixed(2)},${low.toFixed(2)},${close.toFixed(2)},${Math.floor(rng.next() * 1e6)}\n`;
    }
    await write(chunk);
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

async function child(path: string): Promise<void> {
  const started = performance.now();
  let rows = 0;
  const stream = streamBarsCsvFile(path, { exchange: undefined });
  let step = await stream.next();
  while (!step.done) {
    rows += step.value.bars.length;
    step = await stream.next();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ rows, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

function measure(path: string, flags: string[] = []): { rows: number; seconds: number; peakRssMiB: number } {
  const output = execFileSync(
    process.execPath,
    [...flags, ...process.execArgv, fileURLToPath(import.meta.url), `--child=${path}`],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  return JSON.parse(output);
}

async function main(): Promise<void> {
  const childArg = process.argv.find((arg) => arg.startsWith('--child='));
  if (childArg) return child(childArg.slice('--child='.length));
  const rows = Number(process.argv.find((arg) => arg.startsWith('--rows='))?.slice(7) ?? 5_000_000);
  const large = join(tmpdir(), `trade-r1-bench-${process.pid}-large.csv`);
  const small = join(tmpdir(), `trade-r1-bench-${process.pid}-small.csv`);
  try {
    await generate(large, rows);
    await generate(small, Math.ceil(rows / 10));
    const largeRun = measure(large);
    const smallRun = measure(small);
    // Bounded memory, tested: the large file read again with the JavaScript heap capped at 64 MiB (V8 otherwise
    // lets the heap grow before collecting, which inflates the uncapped peak).
    const cappedRun = measure(large, ['--max-old-space-size=64']);
    const result = {
      benchmark: 'streamBarsCsvFile peak memory',
      node: process.version,
      file: { rows, bytes: (await stat(large)).size, tickers: 500 },
      large: { ...largeRun, rowsPerSecond: Math.round(largeRun.rows / largeRun.seconds) },
      small: { ...smallRun, rowsPerSecond: Math.round(smallRun.rows / smallRun.seconds) },
      largeWithHeapCap64MiB: { ...cappedRun, rowsPerSecond: Math.round(cappedRun.rows / cappedRun.seconds) },
      peakRssRatioLargeToSmall: largeRun.peakRssMiB / smallRun.peakRssMiB,
    };
    await mkdir(RESULTS, { recursive: true });
    await writeFile(join(RESULTS, 'csv-stream.json'), `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await rm(large, { force: true });
    await rm(small, { force: true });
  }
}

await main();
