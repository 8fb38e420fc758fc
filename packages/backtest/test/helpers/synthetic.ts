import { createRng } from '@trade-r1/core';
import { createPricePanel, type PricePanel } from '../../src/index.ts';

/** Consecutive weekdays from `first` (YYYY-MM-DD), `count` of them. */
export function weekdays(first: string, count: number): string[] {
  const dates: string[] = [];
  let time = Date.parse(`${first}T00:00:00Z`);
  while (dates.length < count) {
    const day = new Date(time).getUTCDay();
    if (day !== 0 && day !== 6) dates.push(new Date(time).toISOString().slice(0, 10));
    time += 86_400_000;
  }
  return dates;
}

/** Options of {@link syntheticPanel}. */
export interface SyntheticPanelOptions {
  assets: number;
  days: number;
  seed: number;
  /** Daily volatility. */
  volatility?: number;
  /** Probability that a cell is missing (halted). */
  missing?: number;
  first?: string;
}

/** Seeded random-walk prices: opens gap from the previous close, closes move from the open. */
export function syntheticPanel(options: SyntheticPanelOptions): PricePanel {
  const rng = createRng(options.seed);
  const volatility = options.volatility ?? 0.02;
  const dates = weekdays(options.first ?? '2020-01-01', options.days);
  const tickers = Array.from({ length: options.assets }, (_, index) => `A${String(index).padStart(3, '0')}`);
  const open: Float64Array[] = [];
  const close: Float64Array[] = [];
  for (let asset = 0; asset < options.assets; asset += 1) {
    const opens = new Float64Array(options.days);
    const closes = new Float64Array(options.days);
    let last = 50 + 100 * rng.next();
    for (let day = 0; day < options.days; day += 1) {
      const gap = Math.exp(0.3 * volatility * rng.normal());
      const move = Math.exp(volatility * rng.normal());
      opens[day] = last * gap;
      closes[day] = (opens[day] as number) * move;
      last = closes[day] as number;
      if (options.missing && day > 0 && rng.next() < options.missing) {
        opens[day] = Number.NaN;
        closes[day] = Number.NaN;
      }
    }
    open.push(opens);
    close.push(closes);
  }
  return createPricePanel({ dates, tickers, open, close });
}
