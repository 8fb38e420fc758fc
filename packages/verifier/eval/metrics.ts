/**
 * Small shared helpers of the evaluation summaries (pure functions).
 */

/** Flags that count as a false alarm on a faithful reasoning. */
export const FALSE_ALARM_FLAGS = ['contradicted-claim', 'low-factuality', 'high-hallucination-rate'] as const;

/** What a summary reads of a verification report. */
export interface ScoredReport {
  scores: { factuality: number; deduction: number; consistency: number; s: number };
  flags: readonly string[];
}

/** A share with its counts. */
export interface Share {
  n: number;
  count: number;
  rate: number | null;
}

/** Rounded to three decimals (null stays null). */
export const round = (value: number | null): number | null => (value === null ? null : Math.round(value * 1000) / 1000);

/** The share of `items` that pass `test` (by index). */
export function share(items: readonly unknown[], test: (index: number) => boolean): Share {
  const count = items.filter((_, index) => test(index)).length;
  return { n: items.length, count, rate: items.length === 0 ? null : round(count / items.length) };
}

/** True when the report raises a false-alarm flag. */
export function isFlagged(report: ScoredReport): boolean {
  return report.flags.some((flag) => (FALSE_ALARM_FLAGS as readonly string[]).includes(flag));
}

/** "12.5% (3/24)", or "-" for an empty share. */
export function formatShare(value: Share): string {
  return value.rate === null ? '-' : `${(value.rate * 100).toFixed(1)}% (${value.count}/${value.n})`;
}

/** A score to three decimals, or "-". */
export function formatScore(value: number | null): string {
  return value === null ? '-' : value.toFixed(3);
}
