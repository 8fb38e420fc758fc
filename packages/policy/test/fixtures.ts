import type { Bar } from '@trade-r1/core';

/**
 * Deterministic daily bars on weekdays ending at `end` (inclusive): a drift plus a sine wave, so indicators have
 * something to measure. `drift` is the daily log-drift.
 */
export function makeBars(count: number, options: { end?: string; drift?: number; start?: number } = {}): Bar[] {
  const end = new Date(`${options.end ?? '2024-03-05'}T00:00:00Z`);
  const dates: string[] = [];
  const cursor = new Date(end);
  while (dates.length < count) {
    const day = cursor.getUTCDay();
    if (day !== 0 && day !== 6) dates.push(cursor.toISOString().slice(0, 10));
    cursor.setUTCDate(cursor.getUTCDate() - 1);
  }
  dates.reverse();
  const drift = options.drift ?? 0.002;
  let close = options.start ?? 100;
  return dates.map((timestamp, index) => {
    const open = close;
    close = close * Math.exp(drift + 0.01 * Math.sin(index / 3));
    return {
      timestamp,
      open,
      high: Math.max(open, close) * 1.005,
      low: Math.min(open, close) * 0.995,
      close,
      volume: 1_000_000 + 10_000 * index,
    };
  });
}
