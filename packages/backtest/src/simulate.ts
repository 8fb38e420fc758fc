import { TradeR1Error, throwIfAborted } from '@trade-r1/core';
import { type AShareProfile, limitLockedOf, stampDutyRateOf } from './market-rules.ts';
import type { PricePanel } from './panel.ts';

/**
 * Why an order was placed: by the strategy (`'decision'`, `'rebalance'`, `'expiry'`, `'benchmark'`), or forced by
 * the engine: `'delisting'` (the asset's bars end; exit at its last close) or `'margin-call'` (equity fell below the
 * maintenance margin; everything is closed at that close).
 */
export type OrderReason = 'decision' | 'rebalance' | 'expiry' | 'benchmark' | 'delisting' | 'margin-call';

/** An order the market rules did not let fill (it stays pending unless `reason` is `'no-short'` or `'exposure-cap'`). */
export interface BlockedOrder {
  /** Trading date of the attempted fill. */
  date: string;
  /** The asset. */
  ticker: string;
  /**
   * - `'limit-up'`: a buy at a price locked at the daily limit-up (A-shares); it waits for the next bar;
   * - `'limit-down'`: a sell at a price locked at the limit-down; it waits;
   * - `'no-short'`: a short target refused by the A-share profile; the target became flat (0);
   * - `'exposure-cap'`: the orders of this fill were scaled down to respect `maxGrossExposure`.
   */
  reason: 'limit-up' | 'limit-down' | 'no-short' | 'exposure-cap';
  /** Target weight that was asked for. */
  targetWeight: number;
}

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
  /**
   * Commission paid: `|quantity| · fillPrice · feeBps / 10⁴`; under the A-share profile
   * `max(commissionBps · notional, minCommission)` plus the sell-side stamp duty (see `stampDuty`).
   */
  fee: number;
  /** Stamp duty included in `fee` (A-share sells; 0 elsewhere). */
  stampDuty: number;
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
  /** Interest charged on negative free cash (cash net of short proceeds), per bar. */
  financingRatePerBar: number;
  /** Interest credited on short-sale proceeds, per bar. */
  shortRebateRatePerBar: number;
  /** Cap on gross exposure `Σ|w|` after a fill (Infinity = none). */
  maxGrossExposure: number;
  /** Margin call when equity < this fraction of the gross market value at a close (0 = none). */
  maintenanceMargin: number;
  /** Per asset: its daily price limit fraction under the A-share profile, or 0 for no A-share rules. */
  aShareLimit?: ((asset: number, date: string) => number) | undefined;
  /** Per asset: 1 where the A-share profile applies. */
  aShareAssets?: Uint8Array | undefined;
  aShare?: AShareProfile | undefined;
  /** `'exit'`: a position whose bars end before the panel does is closed at its last close. `'hold'`: kept. */
  delisting: 'exit' | 'hold';
  /** Per asset: return applied to the exit at delisting (NaN = none, exit at the last close). */
  delistingReturns?: Float64Array | undefined;
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
  /** Orders the market rules or the exposure cap did not fill as asked. */
  blocked: BlockedOrder[];
  /** Index of the bar where equity reached zero, or null. */
  ruinedAt: number | null;
  /** Index of the bar of a margin call, or null. */
  marginCallAt: number | null;
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
 * slippage moves the fill price against the trade. Financing at each close: free cash (cash minus the market value
 * of short positions, i.e. net of short proceeds) earns `cashRatePerBar` when positive and pays
 * `financingRatePerBar` when negative (a levered long borrows); short proceeds earn `shortRebateRatePerBar`;
 * shorts pay `borrowRatePerBar` on their market value. An asset whose real bars end before the panel's last date
 * is delisted: under `'exit'` its position is sold at its last close (times `1 + delisting return` when given) and
 * later orders for it are dropped. A-share assets follow the profile: limit-locked prices do not fill (the order
 * waits, recorded in `blocked`), buys in board lots, no shorts unless allowed, commission with a minimum and
 * sell-side stamp duty. If equity reaches zero, every position is closed at that close and the run stays flat at
 * zero (ruin); below the maintenance margin everything is sold at that close (margin call) and trading stops.
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
  let marginCallAt: number | null = null;
  const lastPanelBar = panel.dates.length - 1;
  // Last real bar per asset: a position there with no later bar is delisted.
  const lastReal = new Int32Array(assets);
  for (let asset = 0; asset < assets; asset += 1) {
    const mask = panel.available[asset] as Uint8Array;
    let last = mask.length - 1;
    while (last >= 0 && mask[last] === 0) last -= 1;
    lastReal[asset] = last;
  }
  const exitDelisted = settings.delisting === 'exit';
  const aShareAssets = settings.aShareAssets;
  const aShare = settings.aShare;
  const blocked: BlockedOrder[] = [];
  const capped = Number.isFinite(settings.maxGrossExposure);

  const closes = panel.close;
  const equity = new Float64Array(periods + 1);
  const cashSeries = new Float64Array(periods + 1);
  const returns = new Float64Array(periods);
  const grossExposure = new Float64Array(periods);
  const netExposure = new Float64Array(periods);
  const turnover = new Float64Array(periods);
  const costs = new Float64Array(periods);
  const weights: (Float64Array | undefined)[] = new Array<Float64Array | undefined>(assets).fill(undefined);
  const trades: Trade[] = [];
  /** Stamp duty of the last {@link costOf} call (a scratch slot: no allocation per fill). */
  let lastStampDuty = 0;
  const commissionRate = aShare === undefined ? 0 : aShare.commissionBps / 10_000;
  const minCommission = aShare === undefined ? 0 : aShare.minCommission;
  /** Fee of one fill of `delta` shares at `fillPrice` (after slippage); sets `lastStampDuty`. */
  const costOf = (asset: number, delta: number, fillPrice: number, date: string): number => {
    const notional = (delta < 0 ? -delta : delta) * fillPrice;
    if (aShareAssets !== undefined && aShareAssets[asset] === 1) {
      const commission = Math.max(notional * commissionRate, minCommission);
      lastStampDuty = delta < 0 ? notional * stampDutyRateOf(date) : 0;
      return commission + lastStampDuty;
    }
    lastStampDuty = 0;
    return notional * settings.feeRate;
  };
  /** Sell (or cover) a whole position at `price` for a forced reason; returns the costs paid. */
  const forceExit = (asset: number, t: number, price: number, reason: OrderReason): number => {
    const delta = -(quantity[asset] as number);
    const fillPrice = delta > 0 ? price * (1 + settings.slippageRate) : price * (1 - settings.slippageRate);
    const date = panel.dates[t] as string;
    const fee = costOf(asset, delta, fillPrice, date);
    const stampDuty = lastStampDuty;
    const notional = Math.abs(delta) * price;
    const slippage = notional * settings.slippageRate;
    cash -= delta * fillPrice + fee;
    setQuantity(asset, 0);
    pendingFlag[asset] = 0;
    trades.push({
      date,
      decidedAt: date,
      ticker: panel.tickers[asset] as string,
      quantity: delta,
      price,
      fillPrice,
      notional,
      fee,
      stampDuty,
      slippage,
      reason,
    });
    return fee + slippage;
  };
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

  /**
   * Factor on this fill's pending targets that keeps gross exposure at most `maxGrossExposure` (1 when within the
   * cap). A scaled fill is recorded in `blocked` with reason `'exposure-cap'`.
   */
  const exposureScale = (prices: readonly Float64Array[], t: number, value: number): number => {
    let others = 0;
    for (let slot = 0; slot < heldCount; slot += 1) {
      const asset = held[slot] as number;
      if (pendingFlag[asset] === 1) continue;
      others += Math.abs((quantity[asset] as number) * ((prices[asset] as Float64Array)[t] as number));
    }
    let asked = 0;
    for (const asset of pending) asked += Math.abs(target[asset] as number);
    const base = settings.sizing === 'compound' ? value : settings.initialCapital;
    const limit = settings.maxGrossExposure * value;
    if (others + asked * base <= limit * (1 + 1e-12) || asked === 0) return 1;
    const scale = Math.max(0, limit - others) / (asked * base);
    for (const asset of pending) {
      blocked.push({
        date: panel.dates[t] as string,
        ticker: panel.tickers[asset] as string,
        reason: 'exposure-cap',
        targetWeight: target[asset] as number,
      });
    }
    return scale;
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
    let scale = 1;
    if (capped) scale = exposureScale(prices, t, value);
    for (const asset of pending) {
      if ((panel.available[asset] as Uint8Array)[t] === 0) {
        // A delisted asset never trades again: drop its order instead of letting it wait forever.
        if (!(exitDelisted && (lastReal[asset] as number) < t)) keep.push(asset);
        else pendingFlag[asset] = 0;
        continue;
      }
      const price = (prices[asset] as Float64Array)[t] as number;
      let desired = ((target[asset] as number) * scale * base) / price;
      let delta = desired - (quantity[asset] as number);
      if (aShare !== undefined && aShareAssets?.[asset] === 1) {
        if (desired < 0 && !aShare.allowShort) {
          blocked.push({
            date,
            ticker: panel.tickers[asset] as string,
            reason: 'no-short',
            targetWeight: target[asset] as number,
          });
          desired = 0;
          delta = -(quantity[asset] as number);
        }
        if (delta === 0) {
          pendingFlag[asset] = 0;
          continue;
        }
        const fraction = t > 0 ? (settings.aShareLimit?.(asset, date) ?? 0) : 0;
        const previousClose = t > 0 ? ((closes[asset] as Float64Array)[t - 1] as number) : 0;
        // Cheap pre-check (within 2 % of a limit) before the exact, fen-rounded test.
        const move = previousClose > 0 ? price / previousClose - 1 : 0;
        const nearLimit = fraction > 0 && (delta > 0 ? move >= fraction - 0.02 : move <= 0.02 - fraction);
        if (nearLimit && limitLockedOf(delta > 0 ? 'buy' : 'sell', price, previousClose, fraction)) {
          blocked.push({
            date,
            ticker: panel.tickers[asset] as string,
            reason: delta > 0 ? 'limit-up' : 'limit-down',
            targetWeight: target[asset] as number,
          });
          keep.push(asset);
          continue;
        }
        // Board lots: buys (and partial sells) in whole lots; a full exit may sell an odd lot.
        const lot = aShare.lotSize;
        if (delta > 0) delta = Math.floor(delta / lot + 1e-9) * lot;
        else if (desired !== 0) delta = -Math.floor(-delta / lot + 1e-9) * lot;
        desired = (quantity[asset] as number) + delta;
      }
      pendingFlag[asset] = 0;
      const notional = Math.abs(delta) * price;
      if (notional <= 1e-12 * Math.abs(base)) continue;
      const fillPrice = delta > 0 ? price * (1 + settings.slippageRate) : price * (1 - settings.slippageRate);
      const fee = costOf(asset, delta, fillPrice, date);
      const stampDuty = lastStampDuty;
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
        stampDuty,
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
  const opens = panel.open;
  const cashRatePerBar = settings.cashRatePerBar;
  const borrowRatePerBar = settings.borrowRatePerBar;
  const financingRatePerBar = settings.financingRatePerBar;
  const shortRebateRatePerBar = settings.shortRebateRatePerBar;
  const financing = cashRatePerBar !== 0 || financingRatePerBar !== 0 || shortRebateRatePerBar !== 0;
  const maintenanceMargin = settings.maintenanceMargin;
  const recordWeights = settings.recordWeights;
  /** Market value of each held slot at the current close (reused for the weights). */
  const slotValue = new Float64Array(assets);
  const step = (t: number): void => {
    const period = t - start - 1;
    currentKnown = t - 1;
    if (ruinedAt === null && marginCallAt === null) planner(t - 1, place);
    else pending = [];
    if (openOrders) execute(opens, t, period);
    let gross = 0;
    let net = 0;
    let delisted = false;
    for (let slot = 0; slot < heldCount; slot += 1) {
      const asset = held[slot] as number;
      const position = (quantity[asset] as number) * ((closes[asset] as Float64Array)[t] as number);
      slotValue[slot] = position;
      net += position;
      gross += position < 0 ? -position : position;
      if ((lastReal[asset] as number) === t) delisted = true;
    }
    const shortValue = (gross - net) / 2;
    if (financing) {
      // Free cash excludes short proceeds: they earn the rebate, and only the rest earns (or pays) interest.
      const free = cash - shortValue;
      cash += free > 0 ? free * cashRatePerBar : free * financingRatePerBar;
      cash += shortValue * shortRebateRatePerBar;
    }
    // Short positions pay the borrow fee on their market value.
    if (borrowRatePerBar !== 0) cash -= shortValue * borrowRatePerBar;
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
    if (delisted && exitDelisted && t < lastPanelBar) {
      // Delisting: the asset's bars end here; sell at this close (with the caller's delisting return, if any).
      for (let slot = heldCount - 1; slot >= 0; slot -= 1) {
        const asset = held[slot] as number;
        if ((lastReal[asset] as number) !== t) continue;
        const close = (closes[asset] as Float64Array)[t] as number;
        const extra = settings.delistingReturns?.[asset] ?? Number.NaN;
        const price = Number.isNaN(extra) ? close : close * (1 + extra);
        const before = cash + (quantity[asset] as number) * close;
        const paid = forceExit(asset, t, price, 'delisting');
        value += cash - before;
        costs[period] = (costs[period] as number) + paid;
      }
      for (let slot = 0; slot < heldCount; slot += 1) {
        const asset = held[slot] as number;
        slotValue[slot] = (quantity[asset] as number) * ((closes[asset] as Float64Array)[t] as number);
      }
    }
    if (maintenanceMargin > 0 && value > 0 && marginCallAt === null && value < maintenanceMargin * gross) {
      // Margin call: everything is sold at this close and the account stops trading.
      for (let slot = heldCount - 1; slot >= 0; slot -= 1) {
        const asset = held[slot] as number;
        const paid = forceExit(asset, t, (closes[asset] as Float64Array)[t] as number, 'margin-call');
        costs[period] = (costs[period] as number) + paid;
      }
      value = cash;
      marginCallAt = t;
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
        blocked,
        ruinedAt,
        marginCallAt,
      };
    },
  };
}
