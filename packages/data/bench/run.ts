/**
 * Benchmarks of @trade-r1/data (not tests): CSV parsing rows/s, indicators over 500 tickers × 10 years, and
 * context building per (ticker, day). Writes JSON to packages/data/bench-results/.
 *
 * Synthetic panels are built from real series with a seeded RNG: each synthetic ticker stitches 20-day blocks of
 * real daily bars (returns, intraday ranges and volumes) of a randomly chosen real ticker.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Bar, createRng, type Rng } from '@trade-r1/core';
import {
  buildContext,
  buildContextSeries,
  computeIndicators,
  createContextCache,
  createStaticSources,
  type FundamentalFact,
  INDICATOR_NAMES,
  loadEmbeddedBars,
  type MacroObservation,
  type NewsItem,
  parseBarsCsv,
  parseCsv,
  readBarsFile,
  readNewsCsvFile,
} from '../src/index.ts';

const RESULTS = fileURLToPath(new URL('../bench-results/', import.meta.url));
const SHARED = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const SEED = 20_240_628;

function environment(): Record<string, unknown> {
  const cpu = cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
  };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function write(name: string, result: Record<string, unknown>): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  await writeFile(
    `${RESULTS}${name}.json`,
    `${JSON.stringify({ benchmark: name, date: new Date().toISOString(), environment: environment(), ...result }, null, 2)}\n`,
  );
  console.log(`${name}:`, JSON.stringify(result));
}

/** Real input texts: the shared price files when present, else the embedded assets. */
async function csvInputs(): Promise<Array<{ name: string; text: string }>> {
  const files: string[] = [];
  if (existsSync(`${SHARED}prices/us`)) {
    for (const name of ['AAPL', 'AMZN', 'META', 'MSFT', 'NVDA', 'SPY', 'QQQ', 'TSLA_2013-2023', 'GOOGL_2013-2023'])
      files.push(`${SHARED}prices/us/${name}.csv`);
    for (const name of ['000300.SH', '000858.SZ', '300750.SZ', '600036.SH', '600519.SH', '601318.SH'])
      files.push(`${SHARED}cn/${name}.csv`);
  } else {
    const assets = fileURLToPath(new URL('../assets/', import.meta.url));
    for (const name of ['NVDA', 'AAPL', 'MSFT', 'AMZN', 'META', 'SPY', 'QQQ']) files.push(`${assets}us/${name}.csv`);
  }
  return Promise.all(
    files.map(async (path) => ({ name: path.split('/').at(-1) as string, text: await readFile(path, 'utf8') })),
  );
}

async function benchCsv(): Promise<void> {
  const inputs = await csvInputs();
  const rowsPerPass = inputs.reduce(
    (total, input) => total + input.text.split('\n').filter((line) => line.trim() !== '').length - 1,
    0,
  );
  const bytesPerPass = inputs.reduce((total, input) => total + Buffer.byteLength(input.text), 0);
  const measure = (run: () => void): { seconds: number; passes: number } => {
    run(); // warm-up
    const started = performance.now();
    let passes = 0;
    while (performance.now() - started < 3000) {
      run();
      passes += 1;
    }
    return { seconds: (performance.now() - started) / 1000, passes };
  };
  const full = measure(() => {
    for (const input of inputs) parseBarsCsv(input.text, { source: input.name });
  });
  const tokenizer = measure(() => {
    for (const input of inputs) parseCsv(input.text);
  });
  await write('csv-parse', {
    description:
      'parseBarsCsv (CSV tokenising, header mapping, number/date parsing, the bar checks of barSchema, sorting) over real price files',
    files: inputs.map((input) => input.name),
    rowsPerPass,
    megabytesPerPass: +(bytesPerPass / 2 ** 20).toFixed(2),
    parseBarsCsv: {
      rowsPerSecond: Math.round((rowsPerPass * full.passes) / full.seconds),
      megabytesPerSecond: +((bytesPerPass * full.passes) / 2 ** 20 / full.seconds).toFixed(1),
      passes: full.passes,
    },
    parseCsvTokenizerOnly: {
      rowsPerSecond: Math.round((rowsPerPass * tokenizer.passes) / tokenizer.seconds),
      passes: tokenizer.passes,
    },
  });
}

/** A synthetic daily series of `length` bars stitched from 20-day blocks of a real series. */
function synthesise(source: readonly Bar[], length: number, rng: Rng, startDate: number): Bar[] {
  const bars: Bar[] = [];
  let price = 10 + rng.next() * 290;
  let day = startDate;
  while (bars.length < length) {
    const blockStart = rng.int(1, source.length - 21);
    for (let offset = 0; offset < 20 && bars.length < length; offset += 1) {
      const today = source[blockStart + offset] as Bar;
      const yesterday = source[blockStart + offset - 1] as Bar;
      const scale = (price * (today.close / yesterday.close)) / today.close;
      const close = today.close * scale;
      const open = today.open * scale;
      do day += 86_400_000;
      while ([0, 6].includes(new Date(day).getUTCDay()));
      bars.push({
        timestamp: new Date(day).toISOString().slice(0, 10),
        open,
        high: Math.max(today.high * scale, open, close),
        low: Math.min(today.low * scale, open, close),
        close,
        volume: today.volume,
      });
      price = close;
    }
  }
  return bars;
}

async function realSeries(): Promise<Bar[][]> {
  if (existsSync(`${SHARED}prices/us`)) {
    const names = ['AAPL', 'AMZN', 'META', 'MSFT', 'NVDA', 'SPY', 'QQQ'];
    return Promise.all(names.map(async (name) => (await readBarsFile(`${SHARED}prices/us/${name}.csv`)).bars));
  }
  return Promise.all(['NVDA', 'AAPL', 'MSFT', 'AMZN', 'META', 'SPY', 'QQQ'].map((ticker) => loadEmbeddedBars(ticker)));
}

async function benchIndicators(): Promise<void> {
  const sources = await realSeries();
  const rng = createRng(SEED);
  const tickers = 500;
  const length = 2520; // 10 years of trading days
  const panel = Array.from({ length: tickers }, () =>
    synthesise(sources[rng.int(0, sources.length - 1)] as Bar[], length, rng, Date.UTC(2015, 0, 1)),
  );
  computeIndicators({ bars: panel[0] as Bar[], trusted: true }); // warm-up
  const started = performance.now();
  const perTicker: number[] = [];
  let values = 0;
  for (const bars of panel) {
    const tickerStart = performance.now();
    const table = computeIndicators({ bars, trusted: true });
    perTicker.push(performance.now() - tickerStart);
    values += Object.values(table.values).reduce((total, series) => total + (series?.length ?? 0), 0);
  }
  const seconds = (performance.now() - started) / 1000;
  const validationStart = performance.now();
  for (const bars of panel.slice(0, 50)) computeIndicators({ bars, indicators: ['sma50'] });
  const validationMsPerTicker = (performance.now() - validationStart) / 50;
  perTicker.sort((left, right) => left - right);
  await write('indicators', {
    description: `computeIndicators (all ${INDICATOR_NAMES.length} indicators) over ${tickers} synthetic tickers × ${length} daily bars, synthesised from real series with seed ${SEED}`,
    tickers,
    barsPerTicker: length,
    indicators: INDICATOR_NAMES.length,
    totalSeconds: +seconds.toFixed(2),
    barsPerSecond: Math.round((tickers * length) / seconds),
    indicatorValuesPerSecond: Math.round(values / seconds),
    msPerTicker: {
      mean: +((seconds * 1000) / tickers).toFixed(2),
      p50: +percentile(perTicker, 0.5).toFixed(2),
      p95: +percentile(perTicker, 0.95).toFixed(2),
    },
    validationMsPerTicker: +validationMsPerTicker.toFixed(2),
    note: 'trusted: true (bars already validated); validationMsPerTicker is the extra cost of validating 2520 bars with zod plus SMA50',
  });
}

async function benchContext(): Promise<void> {
  const tickers = ['NVDA', 'AAPL', 'MSFT', 'AMZN', 'META', 'SPY'];
  const bars = Object.fromEntries(
    await Promise.all(tickers.map(async (ticker) => [ticker, await loadEmbeddedBars(ticker)] as const)),
  );
  const rng = createRng(SEED);
  let news: NewsItem[] = [];
  const newsFile = `${SHARED}news/fnspid_sample_aapl_news_contents.csv`;
  const realNews = existsSync(newsFile);
  if (realNews) {
    // FNSPID (CC BY-NC) is read from ../shared only; every ticker gets the same real articles to fill its buckets.
    const items = (await readNewsCsvFile(newsFile)).items;
    news = items.map((item) => ({ ...item, tickers: tickers }));
  }
  const fundamentals: FundamentalFact[] = [];
  const macro: MacroObservation[] = [];
  for (const ticker of tickers) {
    for (let quarter = 0; quarter < 12; quarter += 1) {
      const periodEnd = new Date(Date.UTC(2022, quarter * 3 + 2, 31)).toISOString().slice(0, 10);
      const filed = new Date(Date.UTC(2022, quarter * 3 + 4, 5)).toISOString();
      for (const metric of [
        'Revenues',
        'NetIncomeLoss',
        'EarningsPerShareDiluted',
        'Assets',
        'Liabilities',
        'OperatingIncomeLoss',
      ]) {
        fundamentals.push({
          ticker,
          metric,
          value: rng.next() * 1e10,
          unit: 'USD',
          periodEnd,
          form: quarter % 4 === 3 ? '10-K' : '10-Q',
          publishedAt: filed,
          source: 'synthetic',
        });
      }
    }
  }
  for (const seriesId of ['FEDFUNDS', 'CPIAUCSL', 'UNRATE', 'DGS10']) {
    for (let month = 0; month < 48; month += 1) {
      const date = new Date(Date.UTC(2022, month, 1)).toISOString().slice(0, 10);
      macro.push({
        seriesId,
        date,
        value: rng.next() * 10,
        publishedAt: new Date(Date.UTC(2022, month + 1, 10)).toISOString(),
        source: 'synthetic',
      });
    }
  }
  const sources = createStaticSources({ bars, news, fundamentals, macro });
  const days = (bars.AAPL as Bar[])
    .filter(
      (bar) =>
        bar.timestamp >= (realNews ? '2024-01-02' : '2024-06-03') &&
        bar.timestamp <= (realNews ? '2024-02-29' : '2024-08-30'),
    )
    .map((bar) => bar.timestamp);
  await buildContext({ ticker: 'AAPL', asOf: days[0] as string, sources }); // warm-up
  const timings: number[] = [];
  let tokens = 0;
  const started = performance.now();
  for (const ticker of tickers) {
    for (const day of days) {
      const contextStart = performance.now();
      const context = await buildContext({ ticker, asOf: day, sources, options: { seed: 1 } });
      timings.push(performance.now() - contextStart);
      tokens += context.tokens;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  timings.sort((left, right) => left - right);
  // Trading-R1-style augmentation: 20 variants per (ticker, day), gathered once through a context cache.
  const cache = createContextCache();
  const variantDays = days.slice(0, 5);
  const variantStart = performance.now();
  let variants = 0;
  for (const ticker of tickers) {
    for (const day of variantDays) {
      for (let variant = 0; variant < 20; variant += 1) {
        await buildContext({ ticker, asOf: day, sources, cache, options: { seed: 1, variant } });
        variants += 1;
      }
    }
  }
  const variantSeconds = (performance.now() - variantStart) / 1000;
  await write('context', {
    description:
      'buildContext per (ticker, day) from in-memory sources: 2-year bar lookback with all indicators, news buckets, fundamentals, macro, prompt rendering and token budgeting',
    contexts: timings.length,
    tickers,
    days: days.length,
    realNews: realNews ? 'FNSPID sample (../shared, not shipped)' : 'none (../shared absent)',
    msPerContext: {
      mean: +((seconds * 1000) / timings.length).toFixed(2),
      p50: +percentile(timings, 0.5).toFixed(2),
      p95: +percentile(timings, 0.95).toFixed(2),
    },
    contextsPerSecond: +(timings.length / seconds).toFixed(1),
    meanPromptTokens: Math.round(tokens / timings.length),
    variantsWithCache: {
      description:
        '20 input variants per (ticker, day) (options.variant) through createContextCache: sources and indicators once per (ticker, day)',
      contexts: variants,
      msPerContext: +((variantSeconds * 1000) / variants).toFixed(2),
    },
  });
}

/**
 * A year of decision days per ticker: buildContext per (ticker, day) — today's path, recomputing two years of
 * indicators every day — beside buildContextSeries, which fetches and computes indicators once per ticker and slices
 * per day. Same sources, same run.
 */
async function benchContextYear(): Promise<void> {
  const tickers = ['AAPL', 'MSFT', 'NVDA'];
  const bars: Record<string, Bar[]> = {};
  for (const ticker of tickers) bars[ticker] = await loadEmbeddedBars(ticker);
  const sources = createStaticSources({ bars });
  const days = (bars.AAPL as Bar[])
    .filter((bar) => bar.timestamp >= '2024-07-01' && bar.timestamp <= '2025-06-30')
    .map((bar) => bar.timestamp);
  await buildContext({ ticker: 'AAPL', asOf: days[0] as string, sources }); // warm-up
  const perDayStart = performance.now();
  for (const ticker of tickers) {
    for (const day of days) await buildContext({ ticker, asOf: day, sources, options: { seed: 1 } });
  }
  const perDayMs = (performance.now() - perDayStart) / (tickers.length * days.length);
  const seriesStart = performance.now();
  for (const ticker of tickers) await buildContextSeries({ ticker, asOfs: days, sources, options: { seed: 1 } });
  const seriesMs = (performance.now() - seriesStart) / (tickers.length * days.length);
  await write('context-year', {
    description:
      'A year of trading days (2024-07-01 .. 2025-06-30) per ticker from the embedded bars: buildContext per (ticker, day) vs buildContextSeries (indicators once per ticker, sliced per day), same run',
    tickers,
    days: days.length,
    msPerContext: { buildContext: +perDayMs.toFixed(2), buildContextSeries: +seriesMs.toFixed(2) },
    speedup: +(perDayMs / seriesMs).toFixed(1),
    target: 'buildContextSeries <= 5 ms per (ticker, day)',
  });
}

const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice(7);
if (only === undefined || only === 'csv') await benchCsv();
if (only === undefined || only === 'indicators') await benchIndicators();
if (only === undefined || only === 'context') await benchContext();
if (only === undefined || only === 'context-year') await benchContextYear();
