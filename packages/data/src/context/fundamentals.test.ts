import { describe, expect, it } from 'vitest';
import type { FundamentalFact } from '../sources.ts';
import { buildContext } from './build-context.ts';
import {
  classifyPeriod,
  DEFAULT_FUNDAMENTAL_METRICS,
  deriveFourthQuarters,
  selectFundamentals,
} from './fundamentals.ts';
import { createStaticSources } from './static-sources.ts';

const fact = (metric: string, value: number, extra: Partial<FundamentalFact> = {}): FundamentalFact => ({
  ticker: 'AAPL',
  metric,
  value,
  unit: 'USD',
  periodEnd: '2024-06-29',
  publishedAt: '2024-08-02T23:59:59.999Z',
  source: 'test',
  ...extra,
});

describe('classifyPeriod', () => {
  it.each([
    [undefined, '2024-06-29', 'instant'],
    ['2024-03-31', '2024-06-29', 'quarter'],
    ['2023-12-31', '2024-06-29', 'ytd'],
    ['2023-10-01', '2024-06-29', 'ytd'],
    ['2022-09-25', '2023-09-30', 'annual'],
    ['2024-06-01', '2024-06-29', 'other'],
  ] as const)('%s .. %s is %s', (start, end, kind) => {
    expect(classifyPeriod(start, end)).toBe(kind);
  });
});

describe('deriveFourthQuarters', () => {
  const year = fact('Revenues', 100, {
    periodStart: '2022-09-25',
    periodEnd: '2023-09-30',
    publishedAt: '2023-11-03T23:59:59.999Z',
  });
  const nine = fact('Revenues', 70, {
    periodStart: '2022-09-25',
    periodEnd: '2023-07-01',
    publishedAt: '2023-08-04T23:59:59.999Z',
  });

  it('derives Q4 from the year and the nine months public when the year was filed, never for per-share figures', () => {
    expect(deriveFourthQuarters([year, nine])).toEqual([
      expect.objectContaining({
        value: 30,
        periodStart: '2023-07-02',
        periodEnd: '2023-09-30',
        fiscalPeriod: 'Q4',
        publishedAt: year.publishedAt,
      }),
    ]);
    expect(
      deriveFourthQuarters([
        { ...year, unit: 'USD/shares' },
        { ...nine, unit: 'USD/shares' },
      ]),
    ).toEqual([]);
    expect(deriveFourthQuarters([year, { ...nine, publishedAt: '2023-12-01T23:59:59.999Z' }])).toEqual([]);
    // A reported quarter to the same date needs no derivation.
    const q4 = fact('Revenues', 31, {
      periodStart: '2023-07-02',
      periodEnd: '2023-09-30',
      publishedAt: year.publishedAt,
    });
    expect(deriveFourthQuarters([year, nine, q4])).toEqual([]);
  });
});

describe('curated fundamentals', () => {
  const names = [
    'AccumulatedDepreciationDepletionAndAmortizationPropertyPlantAndEquipment',
    'AccountsPayableCurrent',
    'NetIncomeLoss',
    'OperatingIncomeLoss',
    'Revenues',
    'NetCashProvidedByUsedInOperatingActivities',
  ];

  it('orders metrics as an analyst reads them and counts what the cap leaves out', () => {
    const selected = selectFundamentals(
      names.map((name, index) => fact(name, index + 1)),
      { periods: 4, maxMetrics: 4, metrics: DEFAULT_FUNDAMENTAL_METRICS },
    );
    expect(selected.metrics.map((metric) => metric.metric)).toEqual([
      'Revenues',
      'OperatingIncomeLoss',
      'NetIncomeLoss',
      'NetCashProvidedByUsedInOperatingActivities',
    ]);
    expect(selected.droppedMetrics).toBe(2);
  });

  it('reports the cap in the context', async () => {
    const sources = createStaticSources({ fundamentals: names.map((name, index) => fact(name, index + 1)) });
    const context = await buildContext({
      ticker: 'AAPL',
      asOf: '2024-08-05',
      sources,
      options: { maxFundamentalMetrics: 3 },
    });
    expect(context.fundamentals.map((metric) => metric.metric)).toEqual([
      'Revenues',
      'OperatingIncomeLoss',
      'NetIncomeLoss',
    ]);
    expect(context.capped.fundamentalMetrics).toBe(3);
  });
});
