/**
 * Trade-tape statistics: 1-minute klines and the rolling 24 h ticker, built
 * incrementally from replayed trades.
 *
 * Arithmetic is exact fixed point: prices are integers of 1e-8 (see
 * `units.ts`), volumes are bigint sums of 1e-8 units and quote volumes bigint
 * sums of 1e-16 units (price × qty). Divisions (weighted average, change
 * percent) go through decimal.js when a snapshot is asked for. Strings out use
 * Binance spot's fixed 8 decimals (`"61837.63000000"`), the change percent 3.
 *
 * Memory is bounded: at most `maxKlines` one-minute buckets are kept (default
 * 1,500: a full 24 h window plus Binance's 1,000-candle request limit).
 */
import { Decimal } from '../../domain/decimal.ts';
import type { Kline, TickerSnapshot, TradeEvent } from './types.ts';
import { formatUnits, toBigUnits, toUnits } from './units.ts';

const MINUTE_MS = 60_000;
/** Window of the rolling ticker, ms. */
export const TICKER_WINDOW_MS = 86_400_000;

/** One minute of trades, mutable while open. Prices in 1e-8 units, volumes bigint. */
class Bucket {
  high: number;
  low: number;
  close: number;
  volume = 0n;
  quoteVolume = 0n;
  takerBuyBase = 0n;
  takerBuyQuote = 0n;
  trades = 0;
  lastTradeId: number;

  constructor(
    readonly openTime: number,
    readonly open: number,
    readonly firstTradeId: number,
  ) {
    this.high = open;
    this.low = open;
    this.close = open;
    this.lastTradeId = firstTradeId;
  }
}

/**
 * Incremental 1m klines and 24 h ticker of one instrument's trades.
 * Feed trades in replay order with {@link TradeTape.add}.
 */
export class TradeTape {
  private readonly buckets: Bucket[] = [];
  private last: TradeEvent | undefined;
  private lastPrice = 0;

  /**
   * @param symbol Binance symbol, upper case.
   * @param maxKlines most one-minute buckets kept (oldest dropped first).
   */
  constructor(
    readonly symbol: string,
    private readonly maxKlines = 1_500,
  ) {}

  /** The last trade added. */
  get lastTrade(): TradeEvent | undefined {
    return this.last;
  }

  /**
   * Adds one trade (time `tradeTime`, ms). A trade older than the current minute is
   * counted in the current minute (the tape never reopens a closed candle).
   * @throws RangeError when the price or quantity is not an exact 8-decimal amount (never on validated recordings).
   */
  add(trade: TradeEvent): void {
    const price = toUnits(trade.price);
    const qty = toBigUnits(trade.qty);
    const minute = trade.tradeTime - (((trade.tradeTime % MINUTE_MS) + MINUTE_MS) % MINUTE_MS);
    let b = this.buckets[this.buckets.length - 1];
    if (b === undefined || minute > b.openTime) {
      b = new Bucket(minute, price, trade.tradeId);
      this.buckets.push(b);
      if (this.buckets.length > this.maxKlines) this.buckets.shift();
    }
    if (price > b.high) b.high = price;
    if (price < b.low) b.low = price;
    b.close = price;
    const quote = BigInt(price) * qty;
    b.volume += qty;
    b.quoteVolume += quote;
    if (!trade.buyerIsMaker) {
      b.takerBuyBase += qty;
      b.takerBuyQuote += quote;
    }
    b.trades++;
    b.lastTradeId = trade.tradeId;
    this.last = trade;
    this.lastPrice = price;
  }

  /**
   * Candles, oldest first, at most `limit` (the last may be open).
   * @param now replay-clock time, ms: a candle whose `closeTime` is before it is closed.
   */
  klines(limit: number, now: number): Kline[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.buckets.length));
    const out: Kline[] = [];
    const newest = this.buckets.length - 1;
    for (let i = this.buckets.length - n; i <= newest; i++) {
      const b = this.buckets[i] as Bucket;
      const closeTime = b.openTime + MINUTE_MS - 1;
      out.push({
        symbol: this.symbol,
        interval: '1m',
        openTime: b.openTime,
        closeTime,
        open: formatUnits(b.open),
        high: formatUnits(b.high),
        low: formatUnits(b.low),
        close: formatUnits(b.close),
        volume: formatUnits(b.volume),
        quoteVolume: formatUnits(b.quoteVolume, 16),
        trades: b.trades,
        firstTradeId: b.firstTradeId,
        lastTradeId: b.lastTradeId,
        takerBuyBaseVolume: formatUnits(b.takerBuyBase),
        takerBuyQuoteVolume: formatUnits(b.takerBuyQuote, 16),
        closed: i < newest || now > closeTime,
      });
    }
    return out;
  }

  /**
   * The rolling ticker over the candles that opened less than 24 h before the last
   * trade (the window starts on a minute boundary, so it spans at most 24 h).
   * `openTime` is `closeTime - 24 h` as on Binance. Undefined before the first trade.
   */
  ticker(): TickerSnapshot | undefined {
    const last = this.last;
    if (last === undefined) return undefined;
    const closeTime = last.tradeTime;
    const from = closeTime - TICKER_WINDOW_MS;
    let first = this.buckets.length - 1;
    while (first > 0 && (this.buckets[first - 1] as Bucket).openTime > from) first--;
    const open = (this.buckets[first] as Bucket).open;
    let high = open;
    let low = open;
    let volume = 0n;
    let quoteVolume = 0n;
    let count = 0;
    for (let i = first; i < this.buckets.length; i++) {
      const b = this.buckets[i] as Bucket;
      if (b.high > high) high = b.high;
      if (b.low < low) low = b.low;
      volume += b.volume;
      quoteVolume += b.quoteVolume;
      count += b.trades;
    }
    const change = this.lastPrice - open;
    const changePercent = open === 0 ? new Decimal(0) : new Decimal(change).times(100).div(open);
    const weighted =
      volume === 0n ? new Decimal(0) : new Decimal(quoteVolume.toString()).div(volume.toString()).div(100_000_000);
    return {
      symbol: this.symbol,
      openTime: closeTime - TICKER_WINDOW_MS,
      closeTime,
      open: formatUnits(open),
      high: formatUnits(high),
      low: formatUnits(low),
      last: formatUnits(this.lastPrice),
      lastQty: formatUnits(toBigUnits(last.qty)),
      volume: formatUnits(volume),
      quoteVolume: formatUnits(quoteVolume, 16),
      priceChange: formatUnits(change),
      priceChangePercent: changePercent.toFixed(3, Decimal.ROUND_HALF_UP),
      weightedAvgPrice: weighted.toFixed(8, Decimal.ROUND_HALF_UP),
      firstTradeId: (this.buckets[first] as Bucket).firstTradeId,
      lastTradeId: last.tradeId,
      count,
    };
  }
}

/** A fixed-capacity ring of the most recent trades (`GET /api/v3/trades`). */
export class TradeRing {
  private readonly items: Array<TradeEvent | undefined>;
  private next = 0;
  private size = 0;

  /** @param capacity trades kept (default 1,000, Binance's maximum `limit`). */
  constructor(readonly capacity = 1_000) {
    this.items = new Array<TradeEvent | undefined>(capacity).fill(undefined);
  }

  push(trade: TradeEvent): void {
    this.items[this.next] = trade;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    if (this.size < this.capacity) this.size++;
  }

  /** The most recent `limit` trades, oldest first. */
  latest(limit: number): TradeEvent[] {
    const n = Math.max(0, Math.min(Math.floor(limit), this.size));
    const out = new Array<TradeEvent>(n);
    let idx = (this.next - n + this.capacity) % this.capacity;
    for (let i = 0; i < n; i++) {
      out[i] = this.items[idx] as TradeEvent;
      idx = idx + 1 === this.capacity ? 0 : idx + 1;
    }
    return out;
  }

  clear(): void {
    this.items.fill(undefined);
    this.next = 0;
    this.size = 0;
  }
}
