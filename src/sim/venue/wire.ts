/**
 * The venue's own records of orders and trades, and their Binance JSON shapes
 * (spot REST "Query order", "Account trade list", user data stream
 * "executionReport"). Decimal amounts are written with 8 digits after the point,
 * as Binance spot does.
 */
import { type Decimal, ZERO, fixed } from '../../domain/decimal.ts';
import type { InstrumentRules } from './instruments.ts';
import type { OrderSide, OrderStatus, SpotOrderType, TimeInForce, Wire } from './types.ts';

/** An order as the venue holds it. Mutable: the venue core updates it in place. */
export interface SimOrder {
  readonly orderId: number;
  /** -1 unless the order is a leg of an order list (OCO). */
  orderListId: number;
  readonly clientOrderId: string;
  readonly accountId: string;
  readonly rules: InstrumentRules;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: SpotOrderType;
  readonly timeInForce: TimeInForce | undefined;
  /** Base quantity; for a MARKET order by quoteOrderQty, the quantity it executed. */
  origQty: Decimal;
  readonly price: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly origQuoteOrderQty: Decimal;
  executedQty: Decimal;
  /** Σ price × quantity of its fills, quote asset. */
  cumQuote: Decimal;
  status: OrderStatus;
  /** ms, replay clock. */
  readonly time: number;
  updateTime: number;
  /** ms when it started working on the book (stops: when triggered); -1 before. */
  workingTime: number;
  /** Stops: whether the trigger has fired. Other types: true. */
  triggered: boolean;
  /** Resting limits: recorded quantity ahead of it at its price, base asset. */
  queueAhead: Decimal;
  /** The asset this order holds locked (quote for buys, base for sells). */
  readonly lockAsset: string;
  /** How much of `lockAsset` this order holds locked now. */
  locked: Decimal;
}

/** A fill as the venue records it. */
export interface SimTrade {
  readonly id: number;
  readonly accountId: string;
  readonly symbol: string;
  readonly orderId: number;
  readonly orderListId: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  /** ms, replay clock. */
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}

export const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(['NEW', 'PARTIALLY_FILLED']);

export function isOpen(o: SimOrder): boolean {
  return OPEN_STATUSES.has(o.status);
}

export function remaining(o: SimOrder): Decimal {
  return o.origQty.minus(o.executedQty);
}

/**
 * `fixed(d, 8)` memoised per Decimal instance: decimal.js values are immutable and an
 * order's fields are formatted again for every report, so each value is formatted once.
 */
const formatted = new WeakMap<Decimal, string>();
function fx(d: Decimal): string {
  let s = formatted.get(d);
  if (s === undefined) {
    s = fixed(d);
    formatted.set(d, s);
  }
  return s;
}
const optFixed = (d: Decimal | undefined): string => fx(d ?? ZERO);

/** Binance "Query order (USER_DATA)" response shape. */
export function orderWire(o: SimOrder): Wire {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    price: optFixed(o.price),
    origQty: fx(o.origQty),
    executedQty: fx(o.executedQty),
    cummulativeQuoteQty: fx(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce ?? 'GTC',
    type: o.type,
    side: o.side,
    stopPrice: optFixed(o.stopPrice),
    icebergQty: fx(ZERO),
    time: o.time,
    updateTime: o.updateTime,
    isWorking: o.workingTime >= 0,
    workingTime: o.workingTime,
    origQuoteOrderQty: fx(o.origQuoteOrderQty),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

/** Binance "New order" RESULT response (FULL adds `fills`). */
export function newOrderResultWire(o: SimOrder): Wire {
  const w: Wire = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    transactTime: o.time,
    price: optFixed(o.price),
    origQty: fx(o.origQty),
    executedQty: fx(o.executedQty),
    origQuoteOrderQty: fx(o.origQuoteOrderQty),
    cummulativeQuoteQty: fx(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce ?? 'GTC',
    type: o.type,
    side: o.side,
    workingTime: o.workingTime,
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
  if (o.stopPrice) w.stopPrice = fx(o.stopPrice);
  return w;
}

/** One entry of a FULL new-order response's `fills`. */
export function fillWire(t: SimTrade): Wire {
  return {
    price: fx(t.price),
    qty: fx(t.qty),
    commission: fx(t.commission),
    commissionAsset: t.commissionAsset,
    tradeId: t.id,
  };
}

/** Binance "Account trade list (USER_DATA)" entry. */
export function tradeWire(t: SimTrade): Wire {
  return {
    symbol: t.symbol,
    id: t.id,
    orderId: t.orderId,
    orderListId: t.orderListId,
    price: fx(t.price),
    qty: fx(t.qty),
    quoteQty: fx(t.quoteQty),
    commission: fx(t.commission),
    commissionAsset: t.commissionAsset,
    time: t.time,
    isBuyer: t.isBuyer,
    isMaker: t.isMaker,
    isBestMatch: true,
  };
}

/** The `executionType` (`x`) of an executionReport. */
export type ExecutionType = 'NEW' | 'CANCELED' | 'REPLACED' | 'REJECTED' | 'TRADE' | 'EXPIRED' | 'TRADE_PREVENTION';

/**
 * Binance user data stream `executionReport` payload, every field Binance sends.
 * `cancelClientOrderId`: on a cancel, `c` carries the cancel request's id and `C` the order's own.
 */
export function executionReport(
  o: SimOrder,
  x: ExecutionType,
  eventTime: number,
  trade?: SimTrade,
  cancelClientOrderId?: string,
): Wire {
  const canceled = cancelClientOrderId !== undefined;
  return {
    e: 'executionReport',
    E: eventTime,
    s: o.symbol,
    c: canceled ? cancelClientOrderId : o.clientOrderId,
    S: o.side,
    o: o.type,
    f: o.timeInForce ?? 'GTC',
    q: fx(o.origQty),
    p: optFixed(o.price),
    P: optFixed(o.stopPrice),
    F: fx(ZERO),
    g: o.orderListId,
    C: canceled ? o.clientOrderId : '',
    x,
    X: o.status,
    r: 'NONE',
    i: o.orderId,
    l: fx(trade?.qty ?? ZERO),
    z: fx(o.executedQty),
    L: fx(trade?.price ?? ZERO),
    n: fx(trade?.commission ?? ZERO),
    N: trade ? trade.commissionAsset : null,
    T: trade ? trade.time : o.updateTime,
    t: trade ? trade.id : -1,
    I: 0,
    w: isOpen(o) && o.triggered && o.type !== 'MARKET',
    m: trade?.isMaker ?? false,
    M: false,
    O: o.time,
    Z: fx(o.cumQuote),
    Y: fx(trade?.quoteQty ?? ZERO),
    Q: fx(o.origQuoteOrderQty),
    W: o.workingTime,
    V: 'EXPIRE_MAKER',
  };
}
