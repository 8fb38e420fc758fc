import { describe, expect, it } from 'vitest';
import { hasSharedData, SHARED_DATA } from '../../test/shared-data.ts';
import { buildContext } from '../context/build-context.ts';
import { createFilePriceSource } from './file-price-source.ts';

describe('createFilePriceSource', () => {
  it('serves bars from a folder of <TICKER>.csv files within the requested range', async () => {
    const prices = createFilePriceSource({ directory: new URL('../../assets/cn/', import.meta.url) });
    const bars = await prices.getDailyBars({ ticker: '600519.sh', start: '2024-01-02', end: '2024-01-05' });
    expect(bars.map((bar) => bar.timestamp)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    expect(bars[0]).toEqual({
      timestamp: '2024-01-02',
      open: 1715,
      high: 1718.19,
      low: 1678.1,
      close: 1685.01,
      volume: 3215644,
    });
    const context = await buildContext({ ticker: '600519.SH', asOf: '2024-06-28', sources: { prices } });
    expect(context.technicals?.bars.at(-1)?.timestamp).toBe('2024-06-28');
    await expect(prices.getDailyBars({ ticker: 'NOPE', end: '2024-01-05' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(() => createFilePriceSource({})).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it.skipIf(!hasSharedData('prices/us'))('maps tickers to explicit files of any layout', async () => {
    const prices = createFilePriceSource({
      files: { TSLA: `${SHARED_DATA}prices/us/TSLA_2013-2023.csv`, SPY: `${SHARED_DATA}prices/us/SPY.csv` },
    });
    expect((await prices.getDailyBars({ ticker: 'TSLA', end: '2013-01-04' })).map((bar) => bar.timestamp)).toEqual([
      '2013-01-02',
      '2013-01-03',
      '2013-01-04',
    ]);
    expect(
      (await prices.getDailyBars({ ticker: 'spy', start: '2026-03-27', end: '2026-12-31' }))[0]?.close,
    ).toBeCloseTo(634.0900268554688, 10);
  });
});
