import { TradeR1Error, throwIfAborted } from '@trade-r1/core';
import type { PricePanel } from './panel.ts';

/** Why an order was placed. */
export type OrderReason = 'decision' | 'rebalance' | 'expiry' | 'benchmark';

/** One fill. */
export interface Trade {
  /** Trading date of the fill. */
  date: string;
  /** Trading date whose information produced the order (always before `date`). */
  decidedAt: string;
  /** The asset. */
  ticker: string;
  /** Signed quantity in shares (positive buys, negative sells). */
  quantity: number;
  /** Reference price (the bar's open or close) before slippage. */
  price: number;
  /** Fill price after slippage (`price · (1 ± slippage)`). */
  fillPrice: number;
  /** `|quantity| · price`. */
  notional: number;
  /** Commission paid: `|quantity| · fillPrice · feeBps / 10⁴`. */
  fee: number;
  /** Slippage cost: `|quantity| · price · slippageBps / 10⁴`. */
  slippage: number;
  /** Why the order was placed. */
  reason: OrderReason;
}

/** Receives orders from a planner: a target weight (fraction of equity) for one asset. */
export type PlaceOrder = (asset: number, targetWeight: number, reason: OrderReason) => void;

/**
 * Decides orders with the information of one bar. Called once per bar `known` in `[start, end − 1]`, in order,
 * after that bar's close; the orders execute on bar `known + 1`. A planner never receives prices: it cannot look
 * at the bar it trades on.
 */
export type Planner = (known: number, place: PlaceOrder) => void;

/** Settings of {@link simulate}. */
export interface SimulationSettings {
  panel: PricePanel;
  /** Index of the first equity point (a close, flat, at initial capital). */
  start: number;
  /** Index of the last equity point. */
  end: number;
  execution: 'next-open' | 'next-close';
  feeRate: number;
  slippageRate: number;
  initialCapital: number;
  sizing: 'compound' | 'fixed';
  cashRatePerBar: number;
  borrowRatePerBar: number;
  recordWeights: boolean;
  planner: Planner;
  signal?: AbortSignal | undefined;
  onBar?: ((completed: number, total: number) => void) | undefined;
  /** Bars between abort checks and progress calls. */
  chunk: number;
}

/** The raw output of {@link simulate}. */
export interface SimulationOutput {
  equity: Float64Array;
  cash: Float64Array;
  returns: Float64Array;
  grossExposure: Float64Array;
  netExposure: Float64Array;
  turnover: Float64Array;
  costs: Float64Array;
  /** Per asset: end-of-day weights (N + 1 values), or undefined when never held or not recorded. */
  weights: (Float64Array | undefined)[];
  trades: Trade[];
  /** Index of the bar where equity reached zero, or null. */
  ruinedAt: number | null;
}

/** A running simulation: advance it bar by bar, then read the output. */
export interface Simulation {
  /** Simulate bars up to and including `bar` (an index into the panel). */
  advance(bar: number): void;
  /** The next bar to simulate. */
  readonly next: number;
  /** The output (valid once every bar up to `end` is simulated). */
  output(): SimulationOutput;
}

/**
 * The engine's core: a share-and-cash ledger over a price panel.
 *
 * For every bar `t` in `(start, end]`: the planner is asked for orders with the information of bar `t − 1`; with
 * `'next-open'` execution they fill at `open[t]`, with `'next-close'` at `close[t]`. An order sets a target weight
 * `w`: the position becomes `w · base / price` shares, where `base` is the equity valued at the execution prices
 * (`'compound'` sizing) or the initial capital (`'fixed'` sizing). An asset without a real bar at `t` is not
 * traded; its order stays pending and fills at its next real bar. Fees are charged on the fill notional,
 * slippage moves the fill price against the trade. Cash earns `cashRatePerBar` while positive; short positions
 * pay `borrowRatePerBar` on their market value; short-sale proceeds are held as cash (no margin model).
 * If equity reaches zero, every position is closed at that close and the run stays flat at zero (ruin).
 */
export function createSimulation(settings: SimulationSettings): Simulation {
  const { panel, start, end, planner } = settings;
  const assets = panel.tickers.length;
  const periods = end - start;
  const openOrders = settings.execution === 'next-open';
  const quantity = new Float64Array(assets);
  const target = new Float64Array(assets);
  const pendingFlag = new Uint8Array(assets);
  const pendingReason: OrderReason[] = new Array<OrderReason>(assets).fill('decision');
  const pendingKnown = new Int32Array(assets);
  let pending: number[] = [];
  const held = new Int32Array(assets);
  const heldSlot = new Int32Array(assets).fill(-1);
  let heldCount = 0;
  let cash = settings.initialCapital;
  let ruinedAt: number | null = null;

  const equity = new Float64Array(periods + 1);
  const cashSeries = new Float64Array(periods + 1);
  const returns = new Float64Array(periods);
  const grossExposure = new Float64Array(periods);
  const netExposure = new Float64Array(periods);
  const turnover = new Float64Array(periods);
  const costs = new Float64Array(periods);
  const weights: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(assets).fill(undefined);
  const trades: Trade[] = [];
  equity[0] = settings.initialCapital;
  cashSeries[0] = settings.initialCapital;

  const place: PlaceOrder = (asset, targetWeight, reason) => {
    if (!Number.isFinite(targetWeight)) {
      throw new TradeR1Error('INTERNAL', `Planner produced a non-finite target ${targetWeight}`, {
        details: { asset },
      });
    }
    target[asset] = targetWeight;
    pendingReason[asset] = reason;
    pendingKnown[asset] = currentKnown;
    if (pendingFlag[asset] === 0) {
      pendingFlag[asset] = 1;
      pending.push(asset);
    }
  };
  let currentKnown = start;

  const setQuantity = (asset: number, value: number): void => {
    quantity[asset] = value;
    const slot = heldSlot[asset] as number;
    if (value !== 0 && slot < 0) {
      held[heldCount] = asset;
      heldSlot[asset] = heldCount;
      heldCount += 1;
    } else if (value === 0 && slot >= 0) {
      heldCount -= 1;
      const moved = held[heldCount] as number;
      held[slot] = moved;
      heldSlot[moved] = slot;
      heldSlot[asset] = -1;
    }
  };

  const valueAt = (prices: readonly Float64Array[], t: number): number => {
    let value = cash;
    for (let slot = 0; slot < heldCount; slot += 1) {
      const asset = held[slot] as number;
      value += (quantity[asset] as number) * ((prices[asset] as Float64Array)[t] as number);
    }
    return value;
  };

  /** Fill pending orders at `prices[·][t]`; returns the costs paid. */
  const execute = (prices: readonly Float64Array[], t: number, period: number): number => {
    if (pending.length === 0) return 0;
    const value = valueAt(prices, t);
    // An account that is already wiped out at these prices cannot size orders (a negative base would flip them):
    // the orders wait, and the ruin check at the close settles the account.
    if (value <= 0) return 0;
    const base = settings.sizing === 'compound' ? value : settings.initialCapital;
    const date = panel.dates[t] as string;
    const keep: number[] = [];
    let traded = 0;
    let paid = 0;
    for (const asset of pending) {
      if ((panel.available[asset] as Uint8Array)[t] === 0) {
        keep.push(asset);
        continue;
      }
      pendingFlag[asset] = 0;
      const price = (prices[asset] as Float64Array)[t] as number;
      const desired = ((target[asset] as number) * base) / price;
      const delta = desired - (quantity[asset] as number);
      const notional = Math.abs(delta) * price;
      if (notional <= 1e-12 * Math.abs(base)) continue;
      const fillPrice = delta > 0 ? price * (1 + settings.slippageRate) : price * (1 - settings.slippageRate);
      const fee = Math.abs(delta) * fillPrice * settings.feeRate;
      const slippage = notional * settings.slippageRate;
      cash -= delta * fillPrice + fee;
      setQuantity(asset, desired);
      traded += notional;
      paid += fee + slippage;
      trades.push({
        date,
        decidedAt: panel.dates[pendingKnown[asset] as number] as string,
        ticker: panel.tickers[asset] as string,
        quantity: delta,
        price,
        fillPrice,
        notional,
        fee,
        slippage,
        reason: pendingReason[asset] as OrderReason,
      });
    }
    pending = keep;
    if (value > 0) turnover[period] = (turnover[period] as number) + traded / value;
    costs[period] = (costs[period] as number) + paid;
    return paid;
  };

  let next = start + 1;
  const closes = panel.close;
  const opens = panel.open;
  const cashRatePerBar = settings.cashRatePerBar;
  const borrowRatePerBar = settings.borrowRatePerBar;
  const recordWeights = settings.recordWeights;
  /** Market value of each held slot at the current close (reused for the weights). */
  const slotValue = new Float64Array(assets);
  const step = (t: number): void => {
    const period = t - start - 1;
    currentKnown = t - 1;
    if (ruinedAt === null) planner(t - 1, place);
    else pending = [];
    if (openOrders) execute(opens, t, period);
    if (cashRatePerBar !== 0 && cash > 0) cash += cash * cashRatePerBar;
    let gross = 0;
    let net = 0;
    for (let slot = 0; slot < heldCount; slot += 1) {
      const asset = held[slot] as number;
      const position = (quantity[asset] as number) * ((closes[asset] as Float64Array)[t] as number);
      slotValue[slot] = position;
      net += position;
      gross += position < 0 ? -position : position;
    }
    // Short positions pay the borrow fee on their market value.
    if (borrowRatePerBar !== 0) cash -= ((gross - net) / 2) * borrowRatePerBar;
    let value = cash + net;
    grossExposure[period] = value > 0 ? gross / value : 0;
    netExposure[period] = value > 0 ? net / value : 0;
    if (!openOrders && pending.length > 0) {
      value -= execute(closes, t, period);
      // Close fills changed the holdings: revalue the slots for the weights.
      for (let slot = 0; slot < heldCount; slot += 1) {
        const asset = held[slot] as number;
        slotValue[slot] = (quantity[asset] as number) * ((closes[asset] as Float64Array)[t] as number);
      }
    }
    if (value <= 0 && ruinedAt === null) {
      // Ruin: close everything at this close; the account stays at zero.
      for (let slot = heldCount - 1; slot >= 0; slot -= 1) setQuantity(held[slot] as number, 0);
      ruinedAt = t;
    }
    if (ruinedAt !== null) {
      cash = 0;
      value = 0;
    }
    const index = period + 1;
    equity[index] = value;
    cashSeries[index] = cash;
    const previous = equity[period] as number;
    returns[period] = previous > 0 ? value / previous - 1 : 0;
    if (recordWeights && value > 0) {
      for (let slot = 0; slot < heldCount; slot += 1) {
        const asset = held[slot] as number;
        let series = weights[asset];
        if (series === undefined) {
          series = new Float64Array(periods + 1);
          weights[asset] = series;
        }
        series[index] = (slotValue[slot] as number) / value;
      }
    }
  };

  return {
    get next() {
      return next;
    },
    advance(bar: number) {
      const last = Math.min(bar, end);
      while (next <= last) {
        const chunkEnd = Math.min(last, next + settings.chunk - 1);
        throwIfAborted(settings.signal);
        for (; next <= chunkEnd; next += 1) step(next);
        settings.onBar?.(next - start - 1, periods);
      }
    },
    output() {
      return {
        equity,
        cash: cashSeries,
        returns,
        grossExposure,
        netExposure,
        turnover,
        costs,
        weights,
        trades,
        ruinedAt,
      };
    },
  };
}
