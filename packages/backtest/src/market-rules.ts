import { exchangeForTicker, isIsoDate, parseWith } from '@trade-r1/core';
import { z } from 'zod';

const tickerArg = z.string().min(1);
const dateArg = z.string().refine(isIsoDate, 'expected YYYY-MM-DD');
const priceArg = z.number().finite().positive();
const fractionArg = z.number().finite().gt(0).lt(1);
const sideArg = z.enum(['buy', 'sell']);

const argumentSchemas = new Map<string, z.ZodType>();

/** Validate the arguments of an exported rule function (JavaScript callers), naming the offending one. */
function checkArgs(fn: string, shape: z.ZodRawShape, values: Record<string, unknown>): void {
  let schema = argumentSchemas.get(fn);
  if (schema === undefined) {
    schema = z.strictObject(shape);
    argumentSchemas.set(fn, schema);
  }
  parseWith(schema, values, { code: 'INVALID_INPUT', label: `${fn}() arguments` });
}

/**
 * The board of a China A-share ticker, which sets its daily price limit:
 * - `'main'`: SSE 600/601/603/605 and SZSE 000/001/002/003 (±10 %);
 * - `'chinext'`: SZSE 300/301 (±20 % from 2020-08-24, ±10 % before);
 * - `'star'`: SSE 688/689 (±20 %);
 * - `'index'`: an index code (SSE 000xxx, SZSE 399xxx): not tradable, no rules.
 * Null for a ticker that is not on the Shanghai or Shenzhen exchange (or is unknown there).
 */
export type ChinaBoard = 'main' | 'chinext' | 'star' | 'index';

/** The A-share board of `ticker` (see {@link ChinaBoard}), or null when it does not trade in Shanghai/Shenzhen. */
export function chinaBoard(ticker: string): ChinaBoard | null {
  checkArgs('chinaBoard', { ticker: tickerArg }, { ticker });
  return boardOf(ticker);
}

/** {@link chinaBoard} without argument checks. @internal */
export function boardOf(ticker: string): ChinaBoard | null {
  let exchange: string;
  try {
    exchange = exchangeForTicker(ticker);
  } catch {
    return null;
  }
  const code = ticker.trim().slice(0, 6);
  if (!/^\d{6}$/.test(code)) return null;
  if (exchange === 'XSHG') {
    if (code.startsWith('688') || code.startsWith('689')) return 'star';
    if (code.startsWith('6')) return 'main';
    if (code.startsWith('000')) return 'index';
    return null;
  }
  if (exchange === 'XSHE') {
    if (code.startsWith('300') || code.startsWith('301')) return 'chinext';
    if (/^00[0-3]/.test(code)) return 'main';
    if (code.startsWith('399')) return 'index';
    return null;
  }
  return null;
}

/** ChiNext's registration reform: ±20 % limits from this trading date on. */
export const CHINEXT_20_PERCENT_FROM = '2020-08-24';
/** Stamp duty on A-share sells was halved (0.1 % → 0.05 %) from this trading date on. */
export const STAMP_DUTY_HALVED_FROM = '2023-08-28';

/**
 * The daily price limit of an A-share as a fraction of the previous close: 0.05 for an ST name, 0.2 for STAR and
 * for ChiNext from 2020-08-24 (0.1 before), 0.1 for the main boards. Null for an index or a non-A-share.
 */
export function priceLimitFraction(ticker: string, date: string, st = false): number | null {
  checkArgs('priceLimitFraction', { ticker: tickerArg, date: dateArg, st: z.boolean() }, { ticker, date, st });
  return limitFractionOf(ticker, date, st);
}

/** {@link priceLimitFraction} without argument checks (the engine's per-fill path). @internal */
export function limitFractionOf(ticker: string, date: string, st: boolean): number | null {
  const board = boardOf(ticker);
  if (board === null || board === 'index') return null;
  if (st) return 0.05;
  if (board === 'star') return 0.2;
  if (board === 'chinext') return date >= CHINEXT_20_PERCENT_FROM ? 0.2 : 0.1;
  return 0.1;
}

/** Round half up to the fen (0.01 CNY), as the exchanges round limit prices. */
function toFen(price: number): number {
  return Math.round(price * 100 + 1e-7) / 100;
}

/** Limit-up and limit-down prices for a previous close and a limit fraction, rounded to the fen. */
export function limitPrices(previousClose: number, fraction: number): { up: number; down: number } {
  checkArgs('limitPrices', { previousClose: priceArg, fraction: fractionArg }, { previousClose, fraction });
  return limitPricesOf(previousClose, fraction);
}

function limitPricesOf(previousClose: number, fraction: number): { up: number; down: number } {
  return { up: toFen(previousClose * (1 + fraction)), down: toFen(previousClose * (1 - fraction)) };
}

/**
 * Whether an order cannot fill at `price` because the price sits at its daily limit in the order's direction: a
 * buy at the limit-up price, or a sell at the limit-down price (within half a fen). 000858.SZ on 2020-02-03 opened
 * at 113.54 = 126.16 · 0.9 with high = low: locked. The rule is conservative (an at-limit open that later trades
 * away still blocks). A price *beyond* the limit is not a lock: on unadjusted data it marks an ex-rights day,
 * whose limit the exchange computes from the ex-rights reference price (300750.SZ opened −44.8 % on 2023-04-26).
 */
export function isLimitLocked(side: 'buy' | 'sell', price: number, previousClose: number, fraction: number): boolean {
  checkArgs(
    'isLimitLocked',
    { side: sideArg, price: priceArg, previousClose: priceArg, fraction: fractionArg },
    { side, price, previousClose, fraction },
  );
  return limitLockedOf(side, price, previousClose, fraction);
}

/** {@link isLimitLocked} without argument checks (the engine's per-fill path). @internal */
export function limitLockedOf(side: 'buy' | 'sell', price: number, previousClose: number, fraction: number): boolean {
  const { up, down } = limitPricesOf(previousClose, fraction);
  return side === 'buy' ? Math.abs(price - up) <= 0.005 : Math.abs(price - down) <= 0.005;
}

/** Sell-side stamp duty rate of A-shares on `date`: 0.1 % before 2023-08-28, 0.05 % from then on. */
export function stampDutyRate(date: string): number {
  checkArgs('stampDutyRate', { date: dateArg }, { date });
  return stampDutyRateOf(date);
}

/** {@link stampDutyRate} without argument checks (the engine's per-fill path). @internal */
export function stampDutyRateOf(date: string): number {
  return date >= STAMP_DUTY_HALVED_FROM ? 0.0005 : 0.001;
}

/** The China A-share profile of the engine (applied to SSE/SZSE stock tickers). */
export const aShareProfileSchema = z.strictObject({
  /** Broker commission in basis points of the notional, both sides. @default 2.5 */
  commissionBps: z.number().finite().min(0).max(10_000).default(2.5),
  /** Minimum commission per fill, in the account currency (CNY). @default 5 */
  minCommission: z.number().finite().min(0).default(5),
  /** Board lot for buys (and for partial sells; a full exit may sell an odd lot). @default 100 */
  lotSize: z.number().int().positive().default(100),
  /** Allow short positions (securities lending). A refused short is recorded as a blocked order. @default false */
  allowShort: z.boolean().default(false),
  /** Tickers under special treatment (ST / *ST): ±5 % limits. @default [] */
  stTickers: z.array(z.string()).default([]),
});
/** Options of the A-share profile. */
export type AShareProfileOptions = z.input<typeof aShareProfileSchema>;
/** The resolved A-share profile. */
export type AShareProfile = z.output<typeof aShareProfileSchema>;

/**
 * A-share commission for one fill: `max(notional · commissionBps / 10⁴, minCommission)`, plus the stamp duty on
 * sells (`notional · stampDutyRate(date)`). Returns the two parts.
 */
export function aShareCosts(
  side: 'buy' | 'sell',
  notional: number,
  date: string,
  profile: Pick<AShareProfile, 'commissionBps' | 'minCommission'>,
): { commission: number; stampDuty: number } {
  checkArgs(
    'aShareCosts',
    {
      side: sideArg,
      notional: z.number().finite().min(0),
      date: dateArg,
      profile: z.object({ commissionBps: z.number().finite().min(0), minCommission: z.number().finite().min(0) }),
    },
    { side, notional, date, profile },
  );
  return aShareCostsOf(side, notional, date, profile);
}

/** {@link aShareCosts} without argument checks (the engine's per-fill path). @internal */
export function aShareCostsOf(
  side: 'buy' | 'sell',
  notional: number,
  date: string,
  profile: Pick<AShareProfile, 'commissionBps' | 'minCommission'>,
): { commission: number; stampDuty: number } {
  const commission = Math.max((notional * profile.commissionBps) / 10_000, profile.minCommission);
  const stampDuty = side === 'sell' ? notional * stampDutyRateOf(date) : 0;
  return { commission, stampDuty };
}
