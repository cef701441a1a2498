/**
 * Matching of own USDⓈ-M orders against the recorded market, the same model as
 * spot (see the top of `../spot-venue.ts`):
 * - a taker (MARKET, or the crossing part of a LIMIT) walks the recorded book
 *   (`BookView.liquidity`) level by level, never beyond its limit price;
 * - a resting limit fills as maker from the recorded tape: a BUY from prints with
 *   the seller as aggressor (`m = true`) at or below its price, a SELL from prints
 *   with `m = false` at or above it, only up to the printed quantity, and at its own
 *   price only after the quantity that stood ahead of it when it was placed;
 * - trigger rules of conditional orders (Binance "New Algo Order": STOP/STOP_MARKET
 *   BUY at price ≥ trigger, SELL at ≤; TAKE_PROFIT/TAKE_PROFIT_MARKET BUY at ≤, SELL at ≥).
 */
import { type Decimal, ZERO, dec, dmin } from '../../../domain/decimal.ts';
import type { BookView, TradeEvent } from '../../market/types.ts';
import type { OrderSide, UsdmAlgoType } from './types.ts';

/** A fill computed against the book before it is applied. */
export interface PlannedFill {
  readonly price: Decimal;
  readonly qty: Decimal;
}

/** Walks the effective book from the best level for at most `qty`, not beyond `limit` (undefined: no limit). */
export function planTaker(book: BookView | undefined, side: OrderSide, qty: Decimal, limit: Decimal | undefined): PlannedFill[] {
  if (!book || qty.lte(ZERO)) return [];
  const fills: PlannedFill[] = [];
  let left = qty;
  for (const level of book.liquidity(side === 'BUY' ? 'asks' : 'bids')) {
    const price = dec(level.price);
    if (limit && (side === 'BUY' ? price.gt(limit) : price.lt(limit))) break;
    const take = dmin(dec(level.qty), left);
    if (take.lte(ZERO)) continue;
    fills.push({ price, qty: take });
    left = left.minus(take);
    if (left.isZero()) break;
  }
  return fills;
}

/** Σ quantity of planned fills. */
export function plannedQty(fills: readonly PlannedFill[]): Decimal {
  let s = ZERO;
  for (const f of fills) s = s.plus(f.qty);
  return s;
}

/** Σ price × quantity of planned fills. */
export function plannedCost(fills: readonly PlannedFill[]): Decimal {
  let s = ZERO;
  for (const f of fills) s = s.plus(f.price.times(f.qty));
  return s;
}

/** True when a limit at `price` on `side` would take liquidity now (crosses the opposite best). */
export function wouldTake(book: BookView | undefined, side: OrderSide, price: Decimal): boolean {
  const opposite = side === 'BUY' ? book?.bestAsk() : book?.bestBid();
  if (!opposite) return false;
  return side === 'BUY' ? price.gte(opposite.price) : price.lte(opposite.price);
}

/** The side of resting orders a recorded print can fill: BUYs from seller-aggressor prints, SELLs from buyer-aggressor ones. */
export function makerSideOf(print: TradeEvent): OrderSide {
  return print.buyerIsMaker ? 'BUY' : 'SELL';
}

/** True when a resting limit on `side` at `limit` is at or through the print price. */
export function printReaches(side: OrderSide, limit: Decimal, printPrice: Decimal): boolean {
  return side === 'BUY' ? printPrice.lte(limit) : printPrice.gte(limit);
}

/** Binance's conditional trigger rule: stops trigger when the price moves against the order's side, take-profits when it moves for it. */
export function triggers(type: UsdmAlgoType, side: OrderSide, trigger: Decimal, price: Decimal): boolean {
  const stop = type === 'STOP' || type === 'STOP_MARKET';
  if (stop) return side === 'BUY' ? price.gte(trigger) : price.lte(trigger);
  return side === 'BUY' ? price.lte(trigger) : price.gte(trigger);
}
