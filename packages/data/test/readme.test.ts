import { describe, expect, it } from 'vitest';
import {
  buildContext,
  computeTradingR1Labels,
  createStaticSources,
  forwardExcessReturns,
  loadEmbeddedBars,
  readBarsFile,
  readNewsCsvFile,
} from '../src/index.ts';
import { hasSharedData, SHARED_DATA } from './shared-data.ts';

// The README's usage example, run against the embedded dataset (and the FNSPID sample from ../shared when present).
describe('README usage example', () => {
  it('runs end to end', async () => {
    const file = hasSharedData('prices/us/NVDA.csv')
      ? `${SHARED_DATA}prices/us/NVDA.csv`
      : new URL('../assets/us/NVDA.csv', import.meta.url);
    const { bars, skipped } = await readBarsFile(file, { onInvalid: 'skip' });
    expect(bars.length).toBeGreaterThan(600);
    expect(skipped).toEqual([]);

    const nvda = await loadEmbeddedBars('NVDA');
    const newsFile = `${SHARED_DATA}news/fnspid_sample_aapl_news_contents.csv`;
    const news = hasSharedData('news/fnspid_sample_aapl_news_contents.csv')
      ? (await readNewsCsvFile(newsFile, { tickers: ['NVDA'] })).items
      : [];
    const sources = createStaticSources({ bars: { NVDA: nvda }, news });
    const context = await buildContext({
      ticker: 'NVDA',
      asOf: '2024-06-28',
      sources,
      options: { seed: 7, maxTokens: 16_000 },
    });
    expect(context.prompt.startsWith('<context ticker="NVDA" as_of="2024-06-28T20:00:00.000Z">')).toBe(true);
    expect(context.tokens).toBeLessThanOrEqual(16_000);

    const labels = computeTradingR1Labels({ bars: nvda, fitWindow: { end: '2024-05-31' } });
    const point = labels.points.find((candidate) => candidate.date === '2024-06-28');
    expect(['STRONG_SELL', 'SELL', 'HOLD', 'BUY', 'STRONG_BUY']).toContain(point?.label);

    const excess = forwardExcessReturns({ bars: nvda, benchmark: await loadEmbeddedBars('SPY'), horizon: 10 });
    // Entered at the next open (2024-07-01), held 10 sessions open to open.
    expect(excess.find((candidate) => candidate.date === '2024-06-28')).toMatchObject({
      entryDate: '2024-07-01',
      exitDate: '2024-07-16',
    });
  });
});
