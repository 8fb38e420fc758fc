import { DEFAULT_EXPOSURE, type Decision, decisionDirection, type ExposureMapping } from '@trade-r1/core';
import type { DecisionLogRow } from './decision-log.ts';
import type { PricePanel } from './panel.ts';
import type { Planner } from './simulate.ts';

/**
 * Decision rows placed on the panel (struct of arrays, sorted by date): for row `i`, `asset[i]` is its panel
 * column and `known[i]` the bar whose close it knows (its orders execute at `known[i] + 1`).
 */
export interface PlacedRows {
  rows: readonly DecisionLogRow[];
  asset: Int32Array;
  known: Int32Array;
  /** The row's score, or its decision's signal (−1…1) when it has no score. */
  score: Float64Array;
}

/** What happened to one row of a five-level decision log. */
export interface DecisionRecord {
  /** Decision date. */
  date: string;
  /** The asset. */
  ticker: string;
  /** The decision. */
  decision: Decision;
  /** Target weight it asked for (exposure × allocation). */
  targetWeight: number;
  /**
   * - `'executed'`: its order was sent for the bar after its date;
   * - `'superseded'`: a later decision for the same asset arrived before it could execute;
   * - `'repeat'`: it repeated the standing target, so nothing was traded;
   * - `'after-end'`: its execution bar is after the end of the run.
   */
  status: 'executed' | 'superseded' | 'repeat' | 'after-end';
  /** Scheduled execution date, or null. */
  executionDate: string | null;
  /** Trading-R1 action sign: −1 sell side, 0 hold, +1 buy side. */
  action: -1 | 0 | 1;
  /**
   * Asset return from the execution price to the price at which the asset's target next changes (the next
   * executed decision, the holding-period exit, or the last close of the run). Null unless executed or repeat.
   */
  assetReturn: number | null;
}

/** Settings of {@link createDecisionPlanner}. */
export interface DecisionPlannerSettings {
  panel: PricePanel;
  rows: PlacedRows;
  start: number;
  end: number;
  exposure: ExposureMapping;
  allocation: number;
  holdingPeriod: number | undefined;
  resizeOnRepeat: boolean;
  execution: 'next-open' | 'next-close';
}

/**
 * Planner for five-level decisions: each decision sets its asset's target weight to
 * `exposure[decision] · allocation`, held until the asset's next decision or for `holdingPeriod` bars.
 * Returns the planner and the per-decision records (filled while the simulation runs).
 */
export function createDecisionPlanner(settings: DecisionPlannerSettings): {
  planner: Planner;
  records: DecisionRecord[];
  finishRecords: () => void;
} {
  const { panel, rows, end, holdingPeriod } = settings;
  const assets = panel.tickers.length;
  const currentTarget = new Float64Array(assets);
  const open = new Uint8Array(assets);
  const expiryKnown = new Int32Array(assets).fill(-1);
  /** Per asset: the bars at which its target changed (for the hit-rate intervals). */
  const changes: number[][] = Array.from({ length: assets }, () => []);
  const records: DecisionRecord[] = [];
  const recordBar: { record: DecisionRecord; asset: number; known: number }[] = [];
  const expiring: number[] = [];
  let cursor = 0;
  const count = rows.rows.length;
  // Rows are sorted by date, so rows sharing a known bar are contiguous: walking backwards, an earlier row for
  // an asset that already has a later row in the same bar is superseded before it can trade.
  const superseded = new Uint8Array(count);
  const seenAt = new Int32Array(assets).fill(-1);
  for (let position = count - 1; position >= 0; position -= 1) {
    const asset = rows.asset[position] as number;
    const known = rows.known[position] as number;
    if (seenAt[asset] === known) superseded[position] = 1;
    else seenAt[asset] = known;
  }
  const planner: Planner = (known, place) => {
    if (holdingPeriod !== undefined) {
      for (let slot = expiring.length - 1; slot >= 0; slot -= 1) {
        const asset = expiring[slot] as number;
        if (expiryKnown[asset] !== known) continue;
        expiring.splice(slot, 1);
        expiryKnown[asset] = -1;
        if (currentTarget[asset] !== 0) {
          place(asset, 0, 'expiry');
          changes[asset]?.push(known);
        }
        currentTarget[asset] = 0;
        open[asset] = 0;
      }
    }
    while (cursor < count && (rows.known[cursor] as number) <= known) {
      const row = rows.rows[cursor] as DecisionLogRow;
      const asset = rows.asset[cursor] as number;
      const position = cursor;
      cursor += 1;
      const decision = row.decision as Decision;
      const weight = (settings.exposure[decision] ?? DEFAULT_EXPOSURE[decision]) * settings.allocation;
      const record: DecisionRecord = {
        date: row.date,
        ticker: row.ticker,
        decision,
        targetWeight: weight,
        status: 'executed',
        executionDate: panel.dates[known + 1] ?? null,
        action: decisionDirection(decision),
        assetReturn: null,
      };
      records.push(record);
      if (superseded[position] === 1) {
        record.status = 'superseded';
        record.executionDate = null;
        continue;
      }
      const repeat = open[asset] === 1 && currentTarget[asset] === weight;
      if (repeat && !settings.resizeOnRepeat) {
        record.status = 'repeat';
      } else {
        place(asset, weight, 'decision');
        if (!repeat) changes[asset]?.push(known);
      }
      recordBar.push({ record, asset, known });
      currentTarget[asset] = weight;
      open[asset] = 1;
      if (holdingPeriod !== undefined) {
        if ((expiryKnown[asset] as number) < 0) expiring.push(asset);
        expiryKnown[asset] = known + holdingPeriod;
      }
    }
  };
  const finishRecords = (): void => {
    // Rows the planner never reached execute after the end of the run.
    for (let position = cursor; position < count; position += 1) {
      const row = rows.rows[position] as DecisionLogRow;
      const decision = row.decision as Decision;
      records.push({
        date: row.date,
        ticker: row.ticker,
        decision,
        targetWeight: (settings.exposure[decision] ?? 0) * settings.allocation,
        status: 'after-end',
        executionDate: null,
        action: decisionDirection(decision),
        assetReturn: null,
      });
    }
    const prices = settings.execution === 'next-open' ? panel.open : panel.close;
    /** The first bar in `[bar, end]` where the asset really trades (an order waits through a halt), or −1. */
    const firstReal = (asset: number, bar: number): number => {
      const mask = panel.available[asset] as Uint8Array;
      for (let t = bar; t <= end; t += 1) if (mask[t] === 1) return t;
      return -1;
    };
    // recordBar is in known order, and each asset's changes are ascending: one forward pointer per asset.
    const pointer = new Int32Array(assets);
    for (const { record, asset, known } of recordBar) {
      const series = prices[asset] as Float64Array;
      const assetChanges = changes[asset] ?? [];
      let next = pointer[asset] as number;
      while (next < assetChanges.length && (assetChanges[next] as number) <= known) next += 1;
      pointer[asset] = next;
      const exitKnown = next < assetChanges.length ? (assetChanges[next] as number) : -1;
      // From the actual fill (after a halt, the first real bar), not the stale pre-halt price.
      const entryBar = firstReal(asset, known + 1);
      const exitBar = exitKnown >= 0 ? firstReal(asset, exitKnown + 1) : -1;
      // Both orders fill at the same bar after a halt: the position never existed.
      if (entryBar < 0 || exitBar === entryBar) {
        record.assetReturn = null;
        continue;
      }
      const entry = series[entryBar] as number;
      const exit = exitBar >= 0 ? (series[exitBar] as number) : ((panel.close[asset] as Float64Array)[end] as number);
      record.assetReturn = exit / entry - 1;
    }
  };
  return { planner, records, finishRecords };
}

/** One rebalance of a top-k strategy. */
export interface RebalanceRecord {
  /** Date of the information used. */
  date: string;
  /** Execution date. */
  executionDate: string;
  /** The chosen assets with their target weights and scores, best first. */
  selected: { ticker: string; weight: number; score: number }[];
}

/** Settings of {@link createTopKPlanner}. */
export interface TopKPlannerSettings {
  panel: PricePanel;
  rows: PlacedRows;
  start: number;
  end: number;
  k: number;
  weighting: 'equal' | 'score';
  rebalance: 'decisions' | 'daily' | 'weekly' | 'monthly' | { everyBars: number };
  maxScoreAge: number | undefined;
  grossExposure: number;
  /**
   * A held asset without a bar on a rebalance day (halted): `true` keeps it as a candidate with its latest score
   * (it is not sold for lack of a bar); `false` drops it from the ranking, which sells it at its next real bar.
   */
  keepUnavailable: boolean;
}

const MS_PER_DAY = 86_400_000;

function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / MS_PER_DAY;
}

/** Bars in `[start, end − 1]` on which a schedule rebalances (with that bar's information). */
export function rebalanceBars(
  panel: PricePanel,
  start: number,
  end: number,
  schedule: TopKPlannerSettings['rebalance'],
  rows: PlacedRows,
): Uint8Array {
  const flags = new Uint8Array(panel.dates.length);
  if (schedule === 'decisions') {
    for (const known of rows.known) if (known >= start && known < end) flags[known] = 1;
    return flags;
  }
  if (schedule === 'weekly' || schedule === 'monthly') {
    for (let bar = start; bar < end; bar += 1) {
      const date = panel.dates[bar] as string;
      const nextDate = panel.dates[bar + 1] as string;
      const changes =
        schedule === 'weekly'
          ? // ISO weeks start on Monday; day 0 (1970-01-01) was a Thursday.
            Math.floor((dayNumber(date) + 3) / 7) !== Math.floor((dayNumber(nextDate) + 3) / 7)
          : date.slice(0, 7) !== nextDate.slice(0, 7);
      if (changes) flags[bar] = 1;
    }
    return flags;
  }
  const every = schedule === 'daily' ? 1 : schedule.everyBars;
  for (let bar = start; bar < end; bar += every) flags[bar] = 1;
  return flags;
}

/**
 * Planner for cross-sectional top-k selection (Trade-R1's asset selection): on each rebalance bar, rank the
 * assets by their latest score known at that bar (rows with a decision and no score use its signal −1…1),
 * keep those with a real bar that day and a score no older than `maxScoreAge` bars, and hold the best `k`.
 */
export function createTopKPlanner(settings: TopKPlannerSettings): { planner: Planner; rebalances: RebalanceRecord[] } {
  const { panel, rows, k, start, end } = settings;
  const assets = panel.tickers.length;
  const latestScore = new Float64Array(assets).fill(Number.NaN);
  const latestKnown = new Int32Array(assets).fill(-1);
  const currentTarget = new Float64Array(assets);
  const targeted: number[] = [];
  const isTargeted = new Uint8Array(assets);
  const flags = rebalanceBars(panel, start, end, settings.rebalance, rows);
  const count = rows.asset.length;
  const scores = rows.score;
  // The best k candidates so far, best first (insertion into a short sorted list: O(n + k log) per rebalance
  // for random scores, with no comparator calls).
  const best = new Int32Array(k);
  const chosen = new Uint8Array(assets);
  const rebalances: RebalanceRecord[] = [];
  const lastReal = new Int32Array(assets);
  for (let asset = 0; asset < assets; asset += 1) {
    const mask = panel.available[asset] as Uint8Array;
    let last = mask.length - 1;
    while (last >= 0 && mask[last] === 0) last -= 1;
    lastReal[asset] = last;
  }
  let cursor = 0;
  const better = (left: number, right: number): boolean => {
    const leftScore = latestScore[left] as number;
    const rightScore = latestScore[right] as number;
    return leftScore > rightScore || (leftScore === rightScore && left < right);
  };
  const planner: Planner = (known, place) => {
    while (cursor < count && (rows.known[cursor] as number) <= known) {
      const asset = rows.asset[cursor] as number;
      latestScore[asset] = scores[cursor] as number;
      latestKnown[asset] = rows.known[cursor] as number;
      cursor += 1;
    }
    if (flags[known] !== 1) return;
    let selectedCount = 0;
    for (let asset = 0; asset < assets; asset += 1) {
      if (Number.isNaN(latestScore[asset] as number)) continue; // no score yet
      if (settings.maxScoreAge !== undefined && known - (latestKnown[asset] as number) > settings.maxScoreAge) continue;
      if ((panel.available[asset] as Uint8Array)[known] === 0) {
        // A halted holding stays in the ranking when asked to; a delisted one (no later bar) never does.
        const halted = settings.keepUnavailable && isTargeted[asset] === 1 && (lastReal[asset] as number) > known;
        if (!halted) continue;
      }
      if (selectedCount === k && !better(asset, best[k - 1] as number)) continue;
      let slot = selectedCount < k ? selectedCount : k - 1;
      if (selectedCount < k) selectedCount += 1;
      while (slot > 0 && better(asset, best[slot - 1] as number)) {
        best[slot] = best[slot - 1] as number;
        slot -= 1;
      }
      best[slot] = asset;
    }
    const invested = (settings.grossExposure * selectedCount) / k;
    let scoreSum = 0;
    if (settings.weighting === 'score') {
      for (let slot = 0; slot < selectedCount; slot += 1) {
        scoreSum += Math.max(0, latestScore[best[slot] as number] as number);
      }
    }
    const record: RebalanceRecord = {
      date: panel.dates[known] as string,
      executionDate: panel.dates[known + 1] as string,
      selected: [],
    };
    for (let slot = 0; slot < selectedCount; slot += 1) {
      const asset = best[slot] as number;
      const score = latestScore[asset] as number;
      const weight =
        settings.weighting === 'score' && scoreSum > 0
          ? (invested * Math.max(0, score)) / scoreSum
          : invested / selectedCount;
      chosen[asset] = 1;
      place(asset, weight, 'rebalance');
      currentTarget[asset] = weight;
      if (isTargeted[asset] === 0) {
        isTargeted[asset] = 1;
        targeted.push(asset);
      }
      record.selected.push({ ticker: panel.tickers[asset] as string, weight, score });
    }
    let kept = 0;
    for (const asset of targeted) {
      if (chosen[asset] === 1) {
        targeted[kept] = asset;
        kept += 1;
        continue;
      }
      place(asset, 0, 'rebalance');
      currentTarget[asset] = 0;
      isTargeted[asset] = 0;
    }
    targeted.length = kept;
    for (let slot = 0; slot < selectedCount; slot += 1) chosen[best[slot] as number] = 0;
    rebalances.push(record);
  };
  return { planner, rebalances };
}

/** Planner that buys and holds: `weights` (asset → weight) ordered with the information of bar `start`. */
export function createBuyAndHoldPlanner(start: number, weights: ReadonlyMap<number, number>): Planner {
  return (known, place) => {
    if (known !== start) return;
    for (const [asset, weight] of weights) place(asset, weight, 'benchmark');
  };
}
