/**
 * Binance spot JSON shapes of market data, built from the replay's
 * contracts (src/sim/market/types.ts). REST shapes follow the spot REST API
 * docs ("Market Data endpoints"); stream payloads the WebSocket Streams docs.
 * Event times (`E`, `T`, open/close times) are replay-clock milliseconds.
 *
 * Where Binance's USDⓈ-M API writes the same thing, ../usdm/usdm-market-wire.ts
 * uses it from here: the zero price, the best bid/ask of a book, the idle ticker,
 * the kline row and payload and the `24hrMiniTicker` payload.
 */
import { dec, plain } from '../../../domain/decimal.ts';
import type { BookView, Kline, TickerSnapshot, TradeEvent } from '../../market/types.ts';
import type { DepthEvent, BookTickerEvent } from '../../market/types.ts';

/** Binance's zero in spot's fixed 8 decimals. */
export const ZERO_8 = '0.00000000';

/** `GET /api/v3/trades` element. `quoteQty` = price × qty, exact. */
export function restTrade(t: TradeEvent) {
  return {
    id: t.tradeId,
    price: t.price,
    qty: t.qty,
    quoteQty: plain(dec(t.price).times(t.qty)),
    time: t.tradeTime,
    isBuyerMaker: t.buyerIsMaker,
    isBestMatch: true,
  };
}

/** `GET /api/v3/aggTrades` element: one aggregate per trade (a = f = l = trade id). */
export function restAggTrade(t: TradeEvent) {
  return { a: t.tradeId, p: t.price, q: t.qty, f: t.tradeId, l: t.tradeId, T: t.tradeTime, m: t.buyerIsMaker, M: true };
}

/** `GET /api/v3/klines` row: `[open time, o, h, l, c, volume, close time, quote volume, trades, taker buy base, taker buy quote, "0"]`. */
export function restKline(k: Kline) {
  return [k.openTime, k.open, k.high, k.low, k.close, k.volume, k.closeTime, k.quoteVolume, k.trades, k.takerBuyBaseVolume, k.takerBuyQuoteVolume, '0'];
}

/** Best bid and ask of a book, decimal strings. */
export interface Quote {
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
}

/** Best bid/ask of a book (after its bookTicker overlay), zeros on an empty side or an unknown book. */
export function quoteOf(book: BookView | undefined): Quote {
  const bid = book?.bestBid();
  const ask = book?.bestAsk();
  return {
    bidPrice: bid?.price ?? ZERO_8,
    bidQty: bid?.qty ?? ZERO_8,
    askPrice: ask?.price ?? ZERO_8,
    askQty: ask?.qty ?? ZERO_8,
  };
}

/**
 * The 24hr statistics of a symbol with no trade yet, as Binance writes them on both
 * markets: zero prices, `priceChangePercent` '0.000', `firstId`/`lastId` -1, `count` 0,
 * over the 24 h up to `nowMs`.
 */
export function idleTicker(symbol: string, nowMs: number): TickerSnapshot {
  return {
    symbol,
    openTime: nowMs - 86_400_000,
    closeTime: nowMs,
    open: ZERO_8,
    high: ZERO_8,
    low: ZERO_8,
    last: ZERO_8,
    lastQty: ZERO_8,
    volume: ZERO_8,
    quoteVolume: ZERO_8,
    priceChange: ZERO_8,
    priceChangePercent: '0.000',
    weightedAvgPrice: ZERO_8,
    firstTradeId: -1,
    lastTradeId: -1,
    count: 0,
  };
}

/**
 * `GET /api/v3/ticker/24hr` FULL element; without any trade yet the {@link idleTicker}.
 * `prevClosePrice` is the window's open (the replay keeps no trade before the window).
 */
export function restTicker24hr(symbol: string, ticker: TickerSnapshot | undefined, q: Quote, nowMs: number) {
  const t = ticker ?? idleTicker(symbol, nowMs);
  return {
    symbol,
    priceChange: t.priceChange,
    priceChangePercent: t.priceChangePercent,
    weightedAvgPrice: t.weightedAvgPrice,
    prevClosePrice: t.open,
    lastPrice: t.last,
    lastQty: t.lastQty,
    bidPrice: q.bidPrice,
    bidQty: q.bidQty,
    askPrice: q.askPrice,
    askQty: q.askQty,
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

/** `GET /api/v3/ticker/24hr?type=MINI` element; without any trade yet the {@link idleTicker}. */
export function restTickerMini(symbol: string, ticker: TickerSnapshot | undefined, nowMs: number) {
  const t = ticker ?? idleTicker(symbol, nowMs);
  return {
    symbol,
    openPrice: t.open,
    highPrice: t.high,
    lowPrice: t.low,
    lastPrice: t.last,
    volume: t.volume,
    quoteVolume: t.quoteVolume,
    openTime: t.openTime,
    closeTime: t.closeTime,
    firstId: t.firstTradeId,
    lastId: t.lastTradeId,
    count: t.count,
  };
}

/** `GET /api/v3/ticker/bookTicker` element. */
export function restBookTicker(symbol: string, q: Quote) {
  return { symbol, bidPrice: q.bidPrice, bidQty: q.bidQty, askPrice: q.askPrice, askQty: q.askQty };
}

/** `<symbol>@trade` payload. */
export function streamTrade(t: TradeEvent) {
  return { e: 'trade', E: t.eventTime, s: t.symbol, t: t.tradeId, p: t.price, q: t.qty, T: t.tradeTime, m: t.buyerIsMaker, M: true };
}

/** `<symbol>@aggTrade` payload: one aggregate per trade. */
export function streamAggTrade(t: TradeEvent) {
  return { e: 'aggTrade', E: t.eventTime, s: t.symbol, a: t.tradeId, p: t.price, q: t.qty, f: t.tradeId, l: t.tradeId, T: t.tradeTime, m: t.buyerIsMaker, M: true };
}

/** `<symbol>@bookTicker` payload (spot: no `e`, no `E`). */
export function streamBookTicker(b: BookTickerEvent) {
  return { u: b.updateId, s: b.symbol, b: b.bidPrice, B: b.bidQty, a: b.askPrice, A: b.askQty };
}

/** `<symbol>@depth[@100ms]` payload from one or several merged diffs. */
export function streamDepthUpdate(
  symbol: string,
  eventTime: number,
  firstUpdateId: number,
  finalUpdateId: number,
  bids: ReadonlyArray<readonly [string, string]>,
  asks: ReadonlyArray<readonly [string, string]>,
) {
  return { e: 'depthUpdate', E: eventTime, s: symbol, U: firstUpdateId, u: finalUpdateId, b: bids, a: asks };
}

/** `<symbol>@depth[@100ms]` payload of one recorded diff. */
export function streamDepthDiff(d: DepthEvent) {
  return streamDepthUpdate(d.symbol, d.eventTime, d.firstUpdateId, d.finalUpdateId, d.bids, d.asks);
}

/** `<symbol>@miniTicker` payload (`24hrMiniTicker`; the USD-M payload is the same). */
export function streamMiniTicker(t: TickerSnapshot, eventTime: number) {
  return { e: '24hrMiniTicker', E: eventTime, s: t.symbol, c: t.last, o: t.open, h: t.high, l: t.low, v: t.volume, q: t.quoteVolume };
}

/** `<symbol>@ticker` payload (`24hrTicker`); `x` (last price before the window) is the window's open. */
export function streamTicker(t: TickerSnapshot, q: Quote, eventTime: number) {
  return {
    e: '24hrTicker',
    E: eventTime,
    s: t.symbol,
    p: t.priceChange,
    P: t.priceChangePercent,
    w: t.weightedAvgPrice,
    x: t.open,
    c: t.last,
    Q: t.lastQty,
    b: q.bidPrice,
    B: q.bidQty,
    a: q.askPrice,
    A: q.askQty,
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

/** `<symbol>@kline_1m` payload; `closed` overrides the candle's own flag (a candle is final once a later one started). */
export function streamKline(k: Kline, eventTime: number, closed = k.closed) {
  return {
    e: 'kline',
    E: eventTime,
    s: k.symbol,
    k: {
      t: k.openTime,
      T: k.closeTime,
      s: k.symbol,
      i: k.interval,
      f: k.firstTradeId,
      L: k.lastTradeId,
      o: k.open,
      c: k.close,
      h: k.high,
      l: k.low,
      v: k.volume,
      n: k.trades,
      x: closed,
      q: k.quoteVolume,
      V: k.takerBuyBaseVolume,
      Q: k.takerBuyQuoteVolume,
      B: '0',
    },
  };
}
