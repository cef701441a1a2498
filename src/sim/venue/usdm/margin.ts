/**
 * Position and cross-margin arithmetic of a USDⓈ-M account (one-way mode),
 * decimals only. Binance "USDⓈ-M Futures" FAQ "Margin", "How to Calculate Profit
 * and Loss", "Leverage and Margin":
 *
 * - a fill on the position's side (or from flat) INCREASES it: the entry price
 *   becomes the quantity-weighted average of the old entry and the fill price;
 * - a fill on the other side REDUCES it: realized PnL = closed quantity ×
 *   (fill price − entry) × (+1 long / −1 short), rounded half-up to 8 decimals;
 *   a fill larger than the position closes it and opens the rest the other way at
 *   the fill price;
 * - unrealized PnL = position × (mark − entry);
 * - position initial margin = |position| × mark / leverage;
 * - open-order initial margin (simulator's rule, Binance does not publish its
 *   exact one): per side, the notional of open non-reduce-only limit orders, minus
 *   the share that would only close the opposite position, and the larger side
 *   counts: max(buy, sell) / leverage;
 * - margin balance = wallet + Σ unrealized; available = margin balance − Σ initial margins.
 */
import { Decimal as D, type Decimal, ZERO, dmax, dmin } from '../../../domain/decimal.ts';
import { maintMargin } from './brackets.ts';
import type { OrderSide } from './types.ts';
import type { Position } from './records.ts';

/** Money is kept to Binance's 8 decimals at each booking. */
export const MONEY_PLACES = 8;

/** Rounds money half-up to 8 decimals (commissions, realized PnL). */
export function money(d: Decimal): Decimal {
  return d.toDecimalPlaces(MONEY_PLACES, D.ROUND_HALF_UP);
}

/** What one fill did to a position. */
export interface FillEffect {
  /** Before fees, USDT, 8 decimals; zero when the fill only increased the position. */
  readonly realizedPnl: Decimal;
  /** The quantity of the fill that reduced the position. */
  readonly closedQty: Decimal;
}

/**
 * Applies a fill of `qty` at `price` on `side` to `pos` (mutated) and returns the realized PnL.
 * @param qty base quantity, > 0.
 */
export function applyFill(pos: Position, side: OrderSide, qty: Decimal, price: Decimal, now: number): FillEffect {
  const signed = side === 'BUY' ? qty : qty.neg();
  pos.updateTime = now;
  if (pos.amt.isZero() || pos.amt.isPositive() === signed.isPositive()) {
    const abs = pos.amt.abs();
    pos.entry = abs.times(pos.entry).plus(qty.times(price)).div(abs.plus(qty));
    pos.amt = pos.amt.plus(signed);
    return { realizedPnl: ZERO, closedQty: ZERO };
  }
  const closed = dmin(qty, pos.amt.abs());
  const direction = pos.amt.isPositive() ? 1 : -1;
  const realizedPnl = money(closed.times(price.minus(pos.entry)).times(direction));
  pos.realized = pos.realized.plus(realizedPnl);
  pos.amt = pos.amt.plus(signed);
  if (pos.amt.isZero()) pos.entry = ZERO;
  else if (qty.gt(closed)) pos.entry = price; // flipped: the rest opened the other way at the fill price
  return { realizedPnl, closedQty: closed };
}

/** The quantity of an order on `side` that would INCREASE the position `amt` (the rest only reduces it). */
export function increasingQty(amt: Decimal, side: OrderSide, qty: Decimal): Decimal {
  const reducing = side === 'BUY' ? (amt.isNegative() ? amt.abs() : ZERO) : amt.isPositive() ? amt : ZERO;
  return dmax(ZERO, qty.minus(reducing));
}

/** Open limit orders of one symbol, as margin sees them. */
export interface OpenOrderExposure {
  readonly side: OrderSide;
  /** Remaining quantity. */
  readonly qty: Decimal;
  readonly price: Decimal;
  readonly reduceOnly: boolean;
}

/** Per-side open notionals of a symbol (`bidNotional`/`askNotional` of positionRisk, the `b`/`a` of ORDER_TRADE_UPDATE). */
export function sideNotionals(orders: readonly OpenOrderExposure[]): { bid: Decimal; ask: Decimal } {
  let bid = ZERO;
  let ask = ZERO;
  for (const o of orders) {
    const n = o.qty.times(o.price);
    if (o.side === 'BUY') bid = bid.plus(n);
    else ask = ask.plus(n);
  }
  return { bid, ask };
}

/** Open-order initial margin of a symbol (see the module comment), USDT. */
export function openOrderMargin(amt: Decimal, orders: readonly OpenOrderExposure[], leverage: number): Decimal {
  let buyQty = ZERO;
  let buyNotional = ZERO;
  let sellQty = ZERO;
  let sellNotional = ZERO;
  for (const o of orders) {
    if (o.reduceOnly) continue;
    if (o.side === 'BUY') {
      buyQty = buyQty.plus(o.qty);
      buyNotional = buyNotional.plus(o.qty.times(o.price));
    } else {
      sellQty = sellQty.plus(o.qty);
      sellNotional = sellNotional.plus(o.qty.times(o.price));
    }
  }
  const opening = (qty: Decimal, notional: Decimal, side: OrderSide) =>
    qty.isZero() ? ZERO : notional.times(increasingQty(amt, side, qty)).div(qty);
  return dmax(opening(buyQty, buyNotional, 'BUY'), opening(sellQty, sellNotional, 'SELL')).div(leverage);
}

/** One symbol's risk figures at a mark price. */
export interface SymbolRisk {
  readonly symbol: string;
  readonly amt: Decimal;
  readonly entry: Decimal;
  readonly mark: Decimal;
  /** amt × mark (signed), USDT. */
  readonly notional: Decimal;
  readonly unrealized: Decimal;
  readonly positionIM: Decimal;
  readonly openOrderIM: Decimal;
  readonly maintMargin: Decimal;
  readonly leverage: number;
  readonly bidNotional: Decimal;
  readonly askNotional: Decimal;
}

/** Risk of one symbol: position `pos` (or flat), its open orders, the mark and leverage. */
export function symbolRisk(
  symbol: string,
  pos: Position | undefined,
  orders: readonly OpenOrderExposure[],
  mark: Decimal,
  leverage: number,
): SymbolRisk {
  const amt = pos?.amt ?? ZERO;
  const entry = pos?.entry ?? ZERO;
  const notional = amt.times(mark);
  const sides = sideNotionals(orders);
  return {
    symbol,
    amt,
    entry,
    mark,
    notional,
    unrealized: amt.isZero() ? ZERO : amt.times(mark.minus(entry)),
    positionIM: notional.abs().div(leverage),
    openOrderIM: openOrderMargin(amt, orders, leverage),
    maintMargin: amt.isZero() ? ZERO : maintMargin(notional),
    leverage,
    bidNotional: sides.bid,
    askNotional: sides.ask,
  };
}

/** Account-level cross-margin figures, USDT. */
export interface AccountRisk {
  readonly wallet: Decimal;
  readonly unrealized: Decimal;
  readonly marginBalance: Decimal;
  readonly positionIM: Decimal;
  readonly openOrderIM: Decimal;
  readonly initialMargin: Decimal;
  readonly maintMargin: Decimal;
  /** marginBalance − initialMargin (may be negative after losses). */
  readonly available: Decimal;
  readonly symbols: readonly SymbolRisk[];
}

/** Sums the symbols' figures over a wallet balance. */
export function accountRisk(wallet: Decimal, symbols: readonly SymbolRisk[]): AccountRisk {
  let unrealized = ZERO;
  let positionIM = ZERO;
  let openOrderIM = ZERO;
  let maint = ZERO;
  for (const s of symbols) {
    unrealized = unrealized.plus(s.unrealized);
    positionIM = positionIM.plus(s.positionIM);
    openOrderIM = openOrderIM.plus(s.openOrderIM);
    maint = maint.plus(s.maintMargin);
  }
  const marginBalance = wallet.plus(unrealized);
  const initialMargin = positionIM.plus(openOrderIM);
  return {
    wallet,
    unrealized,
    marginBalance,
    positionIM,
    openOrderIM,
    initialMargin,
    maintMargin: maint,
    available: marginBalance.minus(initialMargin),
    symbols,
  };
}

/**
 * Break-even price of a position (simulator's rule): the price at which closing as
 * taker recovers the opening and closing taker fees, `entry × (1 ± 2 × taker)`.
 */
export function breakEvenPrice(amt: Decimal, entry: Decimal, takerRate: Decimal): Decimal {
  if (amt.isZero()) return ZERO;
  const k = takerRate.times(2);
  return amt.isPositive() ? entry.times(k.plus(1)) : entry.times(D.sub(1, k));
}
