/**
 * Binance USDⓈ-M JSON shapes of market data, built from the replay's contracts
 * (src/sim/market/types.ts). REST shapes follow "USDⓈ-M Futures › Market Data ›
 * REST API", stream payloads "Websocket Market Streams" (every futures event carries
 * `e`, `E` and, where Binance sends it, the transaction time `T`). Times are
 * replay-clock ms; prices and quantities are the recorded strings; computed prices
 * (mark) are written with 8 decimals.
 */
import { type Decimal, dec, fixed, plain } from '../../../domain/decimal.ts';
import type { BookTickerEvent, BookView, DepthEvent, DepthSnapshot, TickerSnapshot, TradeEvent } from '../../market/types.ts';
import { ZERO_8, idleTicker, quoteOf } from '../wire/market-wire.ts';

/** `GET /fapi/v1/trades` element. */
export function futRestTrade(t: TradeEvent) {
  return { id: t.tradeId, price: t.price, qty: t.qty, quoteQty: plain(dec(t.price).times(t.qty)), time: t.tradeTime, isBuyerMaker: t.buyerIsMaker };
}

/** `GET /fapi/v1/aggTrades` element: one aggregate per trade. */
export function futRestAggTrade(t: TradeEvent) {
  return { a: t.tradeId, p: t.price, q: t.qty, f: t.tradeId, l: t.tradeId, T: t.tradeTime, m: t.buyerIsMaker };
}

/** `GET /fapi/v1/depth`: the snapshot plus the event and transaction times. */
export function futRestDepth(snap: DepthSnapshot, now: number) {
  return { lastUpdateId: snap.lastUpdateId, E: now, T: now, bids: snap.bids, asks: snap.asks };
}

/** `GET /fapi/v1/ticker/24hr` element (futures: no bid/ask fields); without any trade yet the idle ticker. */
export function futRestTicker24hr(symbol: string, ticker: TickerSnapshot | undefined, now: number) {
  const t = ticker ?? idleTicker(symbol, now);
  return {
    symbol,
    priceChange: t.priceChange,
    priceChangePercent: t.priceChangePercent,
    weightedAvgPrice: t.weightedAvgPrice,
    lastPrice: t.last,
    lastQty: t.lastQty,
    openPrice: t.open,
    highPrice: t.high,
    lowPrice: t.low,
    volume: t.volume,
    quoteVolume: t.quoteVolume,
    openTime: t.openTime,
    closeTime: t.closeTime,
    firstId: t.firstTradeId,
    lastId: t.lastTradeId,
    count: t.count,
  };
}

/** `GET /fapi/v1/ticker/price` element. */
export function futRestTickerPrice(symbol: string, last: TradeEvent | undefined, now: number) {
  return { symbol, price: last?.price ?? ZERO_8, time: last?.tradeTime ?? now };
}

/** `GET /fapi/v1/ticker/bookTicker` element. */
export function futRestBookTicker(symbol: string, book: BookView | undefined, now: number) {
  const q = quoteOf(book);
  return {
    symbol,
    bidPrice: q.bidPrice,
    bidQty: q.bidQty,
    askPrice: q.askPrice,
    askQty: q.askQty,
    time: now,
    lastUpdateId: book?.lastUpdateId ?? 0,
  };
}

/**
 * `GET /fapi/v1/premiumIndex` element. `markPrice`/`indexPrice`/`estimatedSettlePrice`
 * are the mark stand-in (the book's mid, see src/sim/venue/usdm/mark.ts); funding is not simulated (rate 0).
 */
export function futRestPremiumIndex(symbol: string, mark: Decimal | undefined, nextFundingTime: number, now: number) {
  const m = mark ? fixed(mark) : ZERO_8;
  return {
    symbol,
    markPrice: m,
    indexPrice: m,
    estimatedSettlePrice: m,
    lastFundingRate: '0.00000000',
    interestRate: '0.00000000',
    nextFundingTime,
    time: now,
  };
}

/** `<symbol>@trade` payload. */
export function futStreamTrade(t: TradeEvent) {
  return { e: 'trade', E: t.eventTime, T: t.tradeTime, s: t.symbol, t: t.tradeId, p: t.price, q: t.qty, X: 'MARKET', m: t.buyerIsMaker };
}

/** `<symbol>@aggTrade` payload: one aggregate per trade (`nq`: quantity without RPI orders = `q`). */
export function futStreamAggTrade(t: TradeEvent) {
  return { e: 'aggTrade', E: t.eventTime, a: t.tradeId, s: t.symbol, p: t.price, q: t.qty, nq: t.qty, f: t.tradeId, l: t.tradeId, T: t.tradeTime, m: t.buyerIsMaker };
}

/** `<symbol>@bookTicker` payload (futures: with `e`, `E`, `T`). */
export function futStreamBookTicker(b: BookTickerEvent) {
  return { e: 'bookTicker', u: b.updateId, s: b.symbol, b: b.bidPrice, B: b.bidQty, a: b.askPrice, A: b.askQty, T: b.transactionTime ?? b.eventTime, E: b.eventTime };
}

/** A futures `depthUpdate` (diff or partial): `U`/`u` first/final update id, `pu` the previous stream event's `u`. */
export function futStreamDepthUpdate(
  symbol: string,
  eventTime: number,
  transactionTime: number,
  U: number,
  u: number,
  pu: number,
  bids: ReadonlyArray<readonly [string, string]>,
  asks: ReadonlyArray<readonly [string, string]>,
) {
  return { e: 'depthUpdate', E: eventTime, T: transactionTime, s: symbol, U, u, pu, b: bids, a: asks };
}

/** `pu` of a recorded diff (the previous diff's `u`), or `U - 1` when absent. */
export function prevIdOf(d: DepthEvent): number {
  return d.prevFinalUpdateId ?? d.firstUpdateId - 1;
}

/** `<symbol>@ticker` payload (futures `24hrTicker`: no bid/ask, no previous close). */
export function futStreamTicker(t: TickerSnapshot, eventTime: number) {
  return {
    e: '24hrTicker',
    E: eventTime,
    s: t.symbol,
    p: t.priceChange,
    P: t.priceChangePercent,
    w: t.weightedAvgPrice,
    c: t.last,
    Q: t.lastQty,
    o: t.open,
    h: t.high,
    l: t.low,
    v: t.volume,
    q: t.quoteVolume,
    O: t.openTime,
    C: t.closeTime,
    F: t.firstTradeId,
    L: t.lastTradeId,
    n: t.count,
  };
}

/** `<symbol>@markPrice[@1s]` payload (`markPriceUpdate`): mark/index/settle = the mark stand-in, funding rate 0. */
export function futStreamMarkPrice(symbol: string, mark: Decimal, eventTime: number, nextFundingTime: number) {
  const m = fixed(mark);
  return { e: 'markPriceUpdate', E: eventTime, s: symbol, p: m, ap: m, i: m, P: m, r: '0.00000000', T: nextFundingTime };
}
