import { isoDateSchema } from '@trade-r1/core';
import { z } from 'zod';
import type { FundamentalFact } from '../sources.ts';
import { parseArgument } from '../validate.ts';
import { fundamentalFactSchema } from './item-schemas.ts';
import type { ContextFundamentalMetric } from './types.ts';

/**
 * Fundamentals as an analyst reads them: periods of different lengths kept apart, fourth quarters derived where a
 * filer reports only the year and nine months, a curated metric order, and trailing-twelve-month sums.
 */

const DAY_MS = 86_400_000;

function days(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

function dayAfter(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

const factsSchema = z.array(fundamentalFactSchema);
const selectOptionsSchema = z.strictObject({
  periods: z.number().int().min(0),
  maxMetrics: z.number().int().min(0),
  metrics: z.array(z.string()),
});

/** The span a `start`..`end` period covers (52/53-week years and 13/14-week quarters included). */
export function classifyPeriod(start: string | undefined, end: string): NonNullable<FundamentalFact['periodKind']> {
  parseArgument(isoDateSchema.optional(), start, { fn: 'classifyPeriod()', field: 'start' });
  parseArgument(isoDateSchema, end, { fn: 'classifyPeriod()', field: 'end' });
  if (start === undefined) return 'instant';
  const length = days(start, end);
  if (length >= 80 && length <= 100) return 'quarter';
  if ((length >= 172 && length <= 192) || (length >= 263 && length <= 283)) return 'ytd';
  if (length >= 350 && length <= 380) return 'annual';
  return 'other';
}

/**
 * Fourth quarters that a filer reports only implicitly: for each annual figure of a flow metric in a currency
 * (not per share: share counts change within a year), minus the nine-month figure with the same start that was
 * public when the annual one was filed, where no quarter ending on the same date was reported. Each derived fact is
 * published with the annual one (the 10-K), its `source` marked `…:q4-derived`.
 */
export function deriveFourthQuarters(facts: readonly FundamentalFact[]): FundamentalFact[] {
  parseArgument(factsSchema, facts, { fn: 'deriveFourthQuarters()', field: 'facts' });
  const groups = new Map<string, FundamentalFact[]>();
  for (const fact of facts) {
    if (fact.periodStart === undefined || fact.periodEnd === undefined || fact.unit.includes('/')) continue;
    const key = `${fact.ticker}\u0000${fact.metric}\u0000${fact.unit}`;
    const list = groups.get(key) ?? [];
    list.push(fact);
    groups.set(key, list);
  }
  const derived: FundamentalFact[] = [];
  for (const list of groups.values()) {
    const kinds = list.map((fact) => classifyPeriod(fact.periodStart, fact.periodEnd as string));
    const quarterEnds = new Set(list.filter((_, index) => kinds[index] === 'quarter').map((fact) => fact.periodEnd));
    const seen = new Set<string>();
    list.forEach((annual, index) => {
      if (kinds[index] !== 'annual' || quarterEnds.has(annual.periodEnd)) return;
      const nineMonths = list
        .filter(
          (candidate, other) =>
            kinds[other] === 'ytd' &&
            candidate.periodStart === annual.periodStart &&
            days(candidate.periodStart as string, candidate.periodEnd as string) > 250 &&
            candidate.publishedAt <= annual.publishedAt,
        )
        .sort((left, right) => left.publishedAt.localeCompare(right.publishedAt))
        .at(-1);
      if (!nineMonths) return;
      const key = `${annual.periodEnd}|${annual.publishedAt}|${annual.value}|${nineMonths.value}`;
      if (seen.has(key)) return;
      seen.add(key);
      derived.push({
        ...annual,
        value: annual.value - nineMonths.value,
        periodStart: dayAfter(nineMonths.periodEnd as string),
        periodKind: 'quarter',
        fiscalPeriod: 'Q4',
        source: `${annual.source}:q4-derived`,
      });
    });
  }
  return derived;
}

/**
 * The default metric order of the fundamentals block: what an analyst reads first. SEC us-gaap concept names with
 * their common alternatives, then Finnhub's snapshot and series names.
 */
export const DEFAULT_FUNDAMENTAL_METRICS: readonly string[] = [
  'Revenues',
  'RevenueFromContractWithCustomerExcludingAssessedTax',
  'SalesRevenueNet',
  'GrossProfit',
  'OperatingIncomeLoss',
  'NetIncomeLoss',
  'EarningsPerShareDiluted',
  'EarningsPerShareBasic',
  'NetCashProvidedByUsedInOperatingActivities',
  'PaymentsToAcquirePropertyPlantAndEquipment',
  'CashAndCashEquivalentsAtCarryingValue',
  'LongTermDebt',
  'LongTermDebtNoncurrent',
  'StockholdersEquity',
  'Assets',
  'Liabilities',
  'CostOfRevenue',
  'ResearchAndDevelopmentExpense',
  'WeightedAverageNumberOfDilutedSharesOutstanding',
  'EntityCommonStockSharesOutstanding',
  'eps',
  'salesPerShare',
  'grossMargin',
  'operatingMargin',
  'netMargin',
  'roeTTM',
  'peTTM',
  'pb',
  'currentRatio',
  'totalDebtToEquity',
  'freeCashFlowPerShare',
];

/** Options of {@link selectFundamentals}. */
export interface SelectFundamentalsOptions {
  /** Periods kept per metric. */
  periods: number;
  /** Metrics kept. */
  maxMetrics: number;
  /** Metric order; metrics not listed follow, newest published first. */
  metrics: readonly string[];
}

/** What {@link selectFundamentals} kept, and how many metrics the cap left out. */
export interface SelectedFundamentals {
  metrics: ContextFundamentalMetric[];
  droppedMetrics: number;
}

function kindOf(fact: FundamentalFact): FundamentalFact['periodKind'] {
  if (fact.periodKind) return fact.periodKind;
  if (fact.periodEnd === undefined) return undefined;
  return fact.periodStart === undefined ? undefined : classifyPeriod(fact.periodStart, fact.periodEnd);
}

/** Sum of the four newest consecutive quarters (each starting within a week after the previous one ends). */
function trailingTwelveMonths(quarters: readonly FundamentalFact[]): ContextFundamentalMetric['ttm'] {
  const newest = quarters.slice(0, 4);
  if (newest.length < 4) return undefined;
  for (let index = 0; index < 3; index += 1) {
    const later = newest[index] as FundamentalFact;
    const earlier = newest[index + 1] as FundamentalFact;
    if (later.periodStart === undefined || earlier.periodEnd === undefined) return undefined;
    const gap = days(earlier.periodEnd, later.periodStart);
    if (gap < 1 || gap > 8) return undefined;
  }
  return {
    value: newest.reduce((sum, fact) => sum + fact.value, 0),
    periodStart: (newest[3] as FundamentalFact).periodStart as string,
    periodEnd: (newest[0] as FundamentalFact).periodEnd as string,
    publishedAt: newest
      .map((fact) => fact.publishedAt)
      .sort()
      .at(-1) as string,
  };
}

/**
 * The fundamentals block from admitted facts (all published by the cutoff): per metric and unit, the latest figure
 * per period (a restatement replaces the original; a period is its start and end, so a quarter and nine months to
 * the same date never collide), year-to-date figures left out where quarters exist, newest period first, a TTM sum
 * for flows with four consecutive quarters; metrics in `metrics` order, then the rest newest first.
 */
export function selectFundamentals(
  facts: readonly FundamentalFact[],
  options: SelectFundamentalsOptions,
): SelectedFundamentals {
  parseArgument(factsSchema, facts, { fn: 'selectFundamentals()', field: 'facts' });
  parseArgument(selectOptionsSchema, options, { fn: 'selectFundamentals()', field: 'options', code: 'INVALID_CONFIG' });
  const withDerived = [...facts, ...deriveFourthQuarters(facts)];
  const byMetric = new Map<string, FundamentalFact[]>();
  for (const fact of withDerived) {
    const key = `${fact.metric}\u0000${fact.unit}`;
    const list = byMetric.get(key) ?? [];
    list.push(fact);
    byMetric.set(key, list);
  }
  const metrics: ContextFundamentalMetric[] = [];
  for (const list of byMetric.values()) {
    const byPeriod = new Map<string, FundamentalFact>();
    for (const fact of list) {
      const period =
        fact.periodEnd === undefined
          ? `${fact.fiscalYear ?? ''}${fact.fiscalPeriod ?? ''}`
          : `${fact.periodStart ?? ''}..${fact.periodEnd}|${fact.fiscalPeriod === 'FY' ? 'FY' : ''}`;
      const key = period === '' ? fact.publishedAt : period;
      const current = byPeriod.get(key);
      // The latest published figure wins; a reported figure wins over a derived one published at the same time.
      if (
        !current ||
        current.publishedAt < fact.publishedAt ||
        (current.publishedAt === fact.publishedAt && current.source.endsWith(':q4-derived'))
      ) {
        byPeriod.set(key, fact);
      }
    }
    let periods = [...byPeriod.values()];
    const quarters = periods.filter((fact) => kindOf(fact) === 'quarter');
    if (quarters.length > 0) periods = periods.filter((fact) => kindOf(fact) !== 'ytd');
    const newestFirst = (left: FundamentalFact, right: FundamentalFact): number => {
      const leftKey = left.periodEnd ?? left.publishedAt;
      const rightKey = right.periodEnd ?? right.publishedAt;
      if (leftKey !== rightKey) return leftKey < rightKey ? 1 : -1;
      // The quarter before the year ending on the same date.
      return (kindOf(left) === 'quarter' ? 0 : 1) - (kindOf(right) === 'quarter' ? 0 : 1);
    };
    periods.sort(newestFirst);
    quarters.sort(newestFirst);
    const first = periods[0] as FundamentalFact;
    const ttm = trailingTwelveMonths(quarters);
    metrics.push({
      metric: first.metric,
      unit: first.unit,
      facts: periods.slice(0, options.periods),
      ...(ttm && { ttm }),
    });
  }
  const rank = new Map(options.metrics.map((metric, index) => [metric, index]));
  const newestPublished = (metric: ContextFundamentalMetric): string =>
    metric.facts
      .map((fact) => fact.publishedAt)
      .sort()
      .at(-1) ?? '';
  metrics.sort((left, right) => {
    const leftRank = rank.get(left.metric) ?? Number.POSITIVE_INFINITY;
    const rightRank = rank.get(right.metric) ?? Number.POSITIVE_INFINITY;
    if (leftRank !== rightRank) return leftRank - rightRank;
    const order = newestPublished(right).localeCompare(newestPublished(left));
    return order !== 0 ? order : left.metric.localeCompare(right.metric);
  });
  return {
    metrics: metrics.slice(0, options.maxMetrics),
    droppedMetrics: Math.max(0, metrics.length - options.maxMetrics),
  };
}
