/**
 * Binance USDⓈ-M JSON shapes of the venue's records:
 * - REST "Query Order" / "New Order" (RESULT) / "Current All Open Orders" → {@link orderWire};
 * - REST "Account Trade List" → {@link tradeWire};
 * - REST "New Algo Order" / "Query Algo Order" / "Current All Algo Open Orders" → {@link algoWire};
 * - user data stream "Event: Order Update" (`ORDER_TRADE_UPDATE`), "Event: Algo Order
 *   Update" (`ALGO_UPDATE`), "Event: Balance and Position Update" (`ACCOUNT_UPDATE`).
 *
 * Prices and quantities are written with the symbol's `pricePrecision` /
 * `quantityPrecision`; money (average price, cumulative quote, commissions, PnL,
 * balances) with 8 decimals. Every order carries `positionSide` and `cumQuote`:
 * ccxt tells a futures order from a spot one by them.
 */
import { type Decimal, ZERO, fixed } from '../../../domain/decimal.ts';
import type { UsdmRules } from './instruments.ts';
import type { AlgoOrder, FutOrder, FutTrade, Position } from './records.ts';
import type { Wire } from './types.ts';

/** A price with the symbol's price precision. */
export function px(rules: UsdmRules, d: Decimal): string {
  return d.toFixed(rules.pricePrecision);
}

/** A quantity with the symbol's quantity precision. */
export function qty(rules: UsdmRules, d: Decimal): string {
  return d.toFixed(rules.quantityPrecision);
}

/** Money, 8 decimals. */
export function usd(d: Decimal): string {
  return fixed(d, 8);
}

function avgPrice(o: FutOrder): Decimal {
  return o.executedQty.isZero() ? ZERO : o.cumQuote.div(o.executedQty);
}

/** "Query Order (USER_DATA)" response: every field Binance sends for a one-way, non-trailing order. */
export function orderWire(o: FutOrder): Wire {
  const r = o.rules;
  return {
    avgPrice: usd(avgPrice(o)),
    clientOrderId: o.clientOrderId,
    cumQuote: usd(o.cumQuote),
    executedQty: qty(r, o.executedQty),
    orderId: o.orderId,
    origQty: qty(r, o.origQty),
    origType: o.origType,
    price: px(r, o.price),
    reduceOnly: o.reduceOnly,
    side: o.side,
    positionSide: 'BOTH',
    status: o.status,
    stopPrice: px(r, o.stopPrice),
    closePosition: o.closePosition,
    symbol: o.symbol,
    time: o.time,
    timeInForce: o.timeInForce,
    type: o.type,
    updateTime: o.updateTime,
    workingType: o.workingType,
    priceProtect: o.priceProtect,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
  };
}

/** "New Order (TRADE)" RESULT response: the order without `time`, with `cumQty`. */
export function newOrderWire(o: FutOrder): Wire {
  const { time: _time, ...rest } = orderWire(o);
  return { ...rest, cumQty: qty(o.rules, o.executedQty) };
}

/** "Account Trade List (USER_DATA)" entry. */
export function tradeWire(t: FutTrade, rules: UsdmRules): Wire {
  return {
    buyer: t.side === 'BUY',
    commission: usd(t.commission),
    commissionAsset: rules.marginAsset,
    id: t.id,
    maker: t.isMaker,
    orderId: t.orderId,
    price: px(rules, t.price),
    qty: qty(rules, t.qty),
    quoteQty: usd(t.quoteQty),
    realizedPnl: usd(t.realizedPnl),
    side: t.side,
    positionSide: 'BOTH',
    symbol: t.symbol,
    time: t.time,
  };
}

/** "New Algo Order" / "Query Algo Order" response. */
export function algoWire(a: AlgoOrder, actual?: FutOrder): Wire {
  const r = a.rules;
  return {
    algoId: a.algoId,
    clientAlgoId: a.clientAlgoId,
    algoType: 'CONDITIONAL',
    orderType: a.orderType,
    symbol: a.symbol,
    side: a.side,
    positionSide: 'BOTH',
    timeInForce: a.timeInForce,
    quantity: qty(r, a.quantity),
    algoStatus: a.algoStatus,
    actualOrderId: a.actualOrderId === undefined ? '' : String(a.actualOrderId),
    actualPrice: actual ? usd(avgPrice(actual)) : usd(ZERO),
    triggerPrice: px(r, a.triggerPrice),
    price: px(r, a.price),
    icebergQuantity: null,
    selfTradePreventionMode: 'EXPIRE_MAKER',
    workingType: a.workingType,
    priceMatch: 'NONE',
    closePosition: a.closePosition,
    priceProtect: a.priceProtect,
    reduceOnly: a.reduceOnly,
    createTime: a.createTime,
    updateTime: a.updateTime,
    triggerTime: a.triggerTime,
    goodTillDate: 0,
  };
}

/** "Cancel Algo Order" response. */
export function algoCancelWire(a: AlgoOrder): Wire {
  return { algoId: a.algoId, clientAlgoId: a.clientAlgoId, code: '200', msg: 'success' };
}

/** Execution type `x` of ORDER_TRADE_UPDATE. */
export type FutExecutionType = 'NEW' | 'CANCELED' | 'CALCULATED' | 'EXPIRED' | 'TRADE' | 'AMENDMENT';

/**
 * `ORDER_TRADE_UPDATE` with every field Binance sends for a one-way order.
 * `sides`: the account's open bid/ask notional on the symbol after the event (`b`, `a`).
 */
export function orderTradeUpdate(
  o: FutOrder,
  x: FutExecutionType,
  now: number,
  sides: { bid: Decimal; ask: Decimal },
  trade?: FutTrade,
): Wire {
  const r = o.rules;
  return {
    e: 'ORDER_TRADE_UPDATE',
    E: now,
    T: now,
    o: {
      s: o.symbol,
      c: o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: qty(r, o.origQty),
      p: px(r, o.price),
      ap: usd(avgPrice(o)),
      sp: px(r, o.stopPrice),
      x,
      X: o.status,
      i: o.orderId,
      l: qty(r, trade?.qty ?? ZERO),
      z: qty(r, o.executedQty),
      L: px(r, trade?.price ?? ZERO),
      N: r.marginAsset,
      n: usd(trade?.commission ?? ZERO),
      T: trade?.time ?? o.updateTime,
      t: trade?.id ?? 0,
      b: usd(sides.bid),
      a: usd(sides.ask),
      m: trade?.isMaker ?? false,
      R: o.reduceOnly,
      wt: o.workingType,
      ot: o.origType,
      ps: 'BOTH',
      cp: o.closePosition,
      rp: usd(trade?.realizedPnl ?? ZERO),
      pP: o.priceProtect,
      si: 0,
      ss: 0,
      V: 'EXPIRE_MAKER',
      pm: 'NONE',
      gtd: 0,
    },
  };
}

/** `ALGO_UPDATE` with every field Binance sends ("Event: Algo Order Update"). */
export function algoUpdate(a: AlgoOrder, now: number, actual?: FutOrder): Wire {
  const r = a.rules;
  const filled = actual?.executedQty ?? ZERO;
  return {
    e: 'ALGO_UPDATE',
    T: now,
    E: now,
    o: {
      caid: a.clientAlgoId,
      aid: a.algoId,
      at: 'CONDITIONAL',
      o: a.orderType,
      s: a.symbol,
      S: a.side,
      ps: 'BOTH',
      f: a.timeInForce,
      q: qty(r, a.quantity),
      X: a.algoStatus,
      ai: a.actualOrderId === undefined ? '' : String(a.actualOrderId),
      ap: usd(actual && !filled.isZero() ? actual.cumQuote.div(filled) : ZERO),
      aq: qty(r, filled),
      act: actual ? actual.type : '0',
      tp: px(r, a.triggerPrice),
      p: px(r, a.price),
      V: 'EXPIRE_MAKER',
      wt: a.workingType,
      pm: 'NONE',
      cp: a.closePosition,
      pP: a.priceProtect,
      R: a.reduceOnly,
      tt: a.triggerTime,
      gtd: 0,
      rm: a.rejectReason,
    },
  };
}

/** Reason `m` of ACCOUNT_UPDATE. */
export type AccountUpdateReason = 'ORDER' | 'DEPOSIT' | 'WITHDRAW' | 'ADJUSTMENT';

/** One position entry `P[]` of ACCOUNT_UPDATE (cross, one-way). */
export interface PositionUpdate {
  readonly pos: Position;
  readonly rules: UsdmRules;
  readonly unrealized: Decimal;
  readonly breakEven: Decimal;
}

/**
 * `ACCOUNT_UPDATE` ("Event: Balance and Position Update"): the margin asset's wallet
 * (`wb`, `cw`, `bc` = balance change other than PnL and commission) and the changed positions.
 */
export function accountUpdate(
  now: number,
  reason: AccountUpdateReason,
  asset: string,
  wallet: Decimal,
  balanceChange: Decimal,
  positions: readonly PositionUpdate[],
): Wire {
  return {
    e: 'ACCOUNT_UPDATE',
    E: now,
    T: now,
    a: {
      m: reason,
      B: [{ a: asset, wb: usd(wallet), cw: usd(wallet), bc: usd(balanceChange) }],
      P: positions.map((p) => ({
        s: p.pos.symbol,
        pa: qty(p.rules, p.pos.amt),
        ep: usd(p.pos.entry),
        bep: usd(p.breakEven),
        cr: usd(p.pos.realized),
        up: usd(p.unrealized),
        mt: 'cross',
        iw: usd(ZERO),
        ps: 'BOTH',
      })),
    },
  };
}
