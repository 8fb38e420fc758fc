import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isTradeR1Error } from '@trade-r1/core';
import { describe, expect, it } from 'vitest';
import { hasSharedData, SHARED_DATA } from '../../test/shared-data.ts';
import { readBarsFile } from '../files/bars.ts';
import { listEmbeddedTickers, loadEmbeddedBars } from './embedded.ts';

const ASSETS = fileURLToPath(new URL('../../assets/', import.meta.url));

function folderSize(path: string): number {
  return readdirSync(path, { withFileTypes: true }).reduce(
    (total, entry) =>
      total + (entry.isDirectory() ? folderSize(`${path}${entry.name}/`) : statSync(`${path}${entry.name}`).size),
    0,
  );
}

describe('embedded dataset', () => {
  it('lists the six Trading-R1 assets, QQQ and the A-share files', () => {
    const tickers = listEmbeddedTickers();
    expect(tickers.map((entry) => entry.ticker)).toEqual([
      'NVDA',
      'AAPL',
      'MSFT',
      'AMZN',
      'META',
      'SPY',
      'QQQ',
      '600519.SH',
      '000858.SZ',
      '300750.SZ',
      '000300.SH',
      '601318.SH',
      '600036.SH',
    ]);
    for (const entry of tickers.filter((candidate) => candidate.market === 'us')) {
      expect(entry.start).toBe('2023-06-01');
      expect(entry.end).toBe('2025-12-31');
    }
    expect(tickers.find((entry) => entry.ticker === '601318.SH')?.adjustment).toContain('qfq');
    expect(folderSize(ASSETS)).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('loads validated bars case-insensitively, with a date filter', async () => {
    const bars = await loadEmbeddedBars('nvda');
    expect(bars).toHaveLength(649);
    expect(bars[0]?.timestamp).toBe('2023-06-01');
    const window = await loadEmbeddedBars('SPY', { start: '2024-06-01', end: '2024-08-31' });
    expect(window[0]?.timestamp).toBe('2024-06-03');
    expect(window.at(-1)?.timestamp).toBe('2024-08-30');
    // Copies: changing a returned bar does not change the next load.
    window[0] = { ...(window[0] as (typeof window)[number]), close: -1 };
    expect((await loadEmbeddedBars('SPY', { start: '2024-06-01' }))[0]?.close).toBeGreaterThan(0);
    const error = await loadEmbeddedBars('TSLA').catch((caught: unknown) => caught);
    expect(isTradeR1Error(error, 'NOT_FOUND')).toBe(true);
  });

  it.skipIf(!hasSharedData('prices/us'))(
    'matches ../shared/data to 4 decimals (regenerate with scripts/build-dataset.ts)',
    async () => {
      for (const entry of listEmbeddedTickers()) {
        const sourcePath =
          entry.market === 'us'
            ? `${SHARED_DATA}prices/us/${entry.ticker}.csv`
            : `${SHARED_DATA}cn/${entry.ticker}.csv`;
        const source = (await readBarsFile(sourcePath)).bars.filter(
          (bar) => bar.timestamp >= entry.start && bar.timestamp <= entry.end,
        );
        const embedded = await loadEmbeddedBars(entry.ticker);
        expect(embedded.length, entry.ticker).toBe(source.length);
        expect(embedded.length, entry.ticker).toBe(entry.rows);
        embedded.forEach((bar, index) => {
          const original = source[index];
          expect(bar.timestamp).toBe(original?.timestamp);
          for (const field of ['open', 'high', 'low', 'close'] as const)
            expect(Math.abs(bar[field] - (original?.[field] ?? 0))).toBeLessThanOrEqual(5.0001e-5);
          expect(bar.volume).toBe(original?.volume);
        });
      }
    },
  );
});
