/**
 * Contracts of the simulator's market-data side: recorded events, the rebuilt L2
 * book and the replay clock. The venue core (`src/sim/venue/`) and the server
 * (`src/sim/server/`) depend only on these interfaces.
 *
 * Times are milliseconds since the Unix epoch on the replay clock: the exchange
 * time of the recording (`E`/`T` fields), shifted forward by whole recording
 * spans when the replay loops. Prices and quantities are Binance's decimal
 * strings, untouched.
 */

/** Which Binance market a recording belongs to. */
export type Market = 'spot' | 'usdm';

export type BookSide = 'bids' | 'asks';

/** One price level: decimal strings as Binance sends them (`"61837.63000000"`). */
export interface Level {
  readonly price: string;
  readonly qty: string;
}

/** A public trade print from the recorded `@trade` stream. */
export interface TradeEvent {
  readonly kind: 'trade';
  readonly market: Market;
  readonly symbol: string;
  /** Binance trade id `t` (offset on each loop so ids keep increasing). */
  readonly tradeId: number;
  readonly price: string;
  readonly qty: string;
  /** `m`: true when the buyer was the maker, i.e. a seller took liquidity from the bids. */
  readonly buyerIsMaker: boolean;
  /** `T`, ms. */
  readonly tradeTime: number;
  /** `E`, ms. */
  readonly eventTime: number;
}

/** A best bid/ask update from the recorded `@bookTicker` stream. */
export interface BookTickerEvent {
  readonly kind: 'bookTicker';
  readonly market: Market;
  readonly symbol: string;
  /** `u`: the order-book update id this quote reflects. */
  readonly updateId: number;
  readonly bidPrice: string;
  readonly bidQty: string;
  readonly askPrice: string;
  readonly askQty: string;
  /** Replay-clock time of the quote, ms (spot quotes carry no `E`: derived from the receive time). */
  readonly eventTime: number;
  /** `T` on USD-M quotes, ms. */
  readonly transactionTime?: number;
}

/** A depth diff from the recorded `@depth@100ms` (spot) or `@depth@0ms` (USD-M) stream. */
export interface DepthEvent {
  readonly kind: 'depth';
  readonly market: Market;
  readonly symbol: string;
  /** `U` */
  readonly firstUpdateId: number;
  /** `u` */
  readonly finalUpdateId: number;
  /** `pu` (USD-M only): the previous diff's `u`. */
  readonly prevFinalUpdateId?: number;
  readonly bids: ReadonlyArray<readonly [string, string]>;
  readonly asks: ReadonlyArray<readonly [string, string]>;
  /** `E`, ms. */
  readonly eventTime: number;
  /** `T` on USD-M diffs, ms. */
  readonly transactionTime?: number;
}

export type MarketEvent = TradeEvent | BookTickerEvent | DepthEvent;

/** A REST depth snapshot in `GET /api/v3/depth` shape. */
export interface DepthSnapshot {
  readonly lastUpdateId: number;
  readonly bids: Array<[string, string]>;
  readonly asks: Array<[string, string]>;
}

/**
 * The L2 book of one instrument as rebuilt from the recording (REST snapshot +
 * depth diffs, Binance's documented procedure).
 */
export interface BookView {
  readonly market: Market;
  readonly symbol: string;
  /** `u` of the last diff applied (or the snapshot's `lastUpdateId`); 0 before the book is synced. */
  readonly lastUpdateId: number;
  /** False until the snapshot and the first bridging diff are applied, and after a gap. */
  readonly synced: boolean;
  /** The raw depth book, best first, at most `limit` levels per side: what `GET /api/v3/depth` serves. */
  depth(limit: number): DepthSnapshot;
  /**
   * Liquidity a taker would meet on `side` ('asks' for a buy, 'bids' for a sell), best first:
   * the depth book with the newer bookTicker laid over its top (levels better than the
   * quote are hidden; the quote's level carries the quote's size).
   */
  liquidity(side: BookSide): Iterable<Level>;
  /** Best bid after the bookTicker overlay, or undefined on an empty side. */
  bestBid(): Level | undefined;
  /** Best ask after the bookTicker overlay, or undefined on an empty side. */
  bestAsk(): Level | undefined;
  /** Quantity resting at exactly `price` on `side` in the effective book; `"0"` when none. */
  qtyAt(side: BookSide, price: string): string;
}

/** Rolling statistics of the trade tape (Binance `24hrTicker`), over at most the last 24 h of replay time. */
export interface TickerSnapshot {
  readonly symbol: string;
  /** ms */
  readonly openTime: number;
  /** ms: time of the last trade. */
  readonly closeTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly last: string;
  readonly lastQty: string;
  /** Base-asset volume. */
  readonly volume: string;
  /** Quote-asset volume. */
  readonly quoteVolume: string;
  readonly priceChange: string;
  readonly priceChangePercent: string;
  readonly weightedAvgPrice: string;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly count: number;
}

/** One candle built from the trade tape (Binance `kline` payload fields). */
export interface Kline {
  readonly symbol: string;
  readonly interval: '1m';
  /** ms, aligned to the minute. */
  readonly openTime: number;
  /** ms: openTime + 59,999. */
  readonly closeTime: number;
  readonly open: string;
  readonly high: string;
  readonly low: string;
  readonly close: string;
  readonly volume: string;
  readonly quoteVolume: string;
  readonly trades: number;
  readonly firstTradeId: number;
  readonly lastTradeId: number;
  readonly takerBuyBaseVolume: string;
  readonly takerBuyQuoteVolume: string;
  /** True once a trade or the clock has moved past `closeTime`. */
  readonly closed: boolean;
}

/** How the replay clock runs. */
export type ClockMode =
  | { readonly kind: 'realtime' }
  /** N× faster than real time (factor 10 = ten recorded seconds per wall second). */
  | { readonly kind: 'speed'; readonly factor: number }
  /** As fast as possible, yielding to the event loop between batches. */
  | { readonly kind: 'fast' }
  /** Only `step`/`advanceTo` move the clock (tests). */
  | { readonly kind: 'stepped' };

export interface InstrumentRef {
  readonly market: Market;
  readonly symbol: string;
}

export interface ReplayOptions {
  /** Folder holding `spot/` and `usdm/` recordings (default `../shared/data/binance-ws`). */
  readonly dataDir: string;
  /** Instruments to replay; each must have recordings under `dataDir/<market>/<symbol lowercase>_*.gz`. */
  readonly instruments: ReadonlyArray<InstrumentRef>;
  readonly clock: ClockMode;
  /** At the end of the data: stop, or start again with the clock, trade ids and update ids continuing. */
  readonly atEnd: 'stop' | 'loop';
}

export type MarketListener = (event: MarketEvent) => void;

export interface ReplayStats {
  readonly eventsProcessed: number;
  readonly loops: number;
  readonly finished: boolean;
  readonly paused: boolean;
  readonly now: number;
}

/** The replay engine: owns the clock, the books and the event fan-out. */
export interface Replay {
  readonly instruments: ReadonlyArray<InstrumentRef>;
  /** Replay-clock time, ms since epoch. Before the first event: the first event's time. */
  now(): number;
  book(market: Market, symbol: string): BookView | undefined;
  lastTrade(market: Market, symbol: string): TradeEvent | undefined;
  /** Rolling ticker statistics of the trades replayed so far (24 h window), or undefined before the first trade. */
  ticker(market: Market, symbol: string): TickerSnapshot | undefined;
  /** 1m candles built from the trades replayed so far, oldest first; the last one may still be open. At most `limit` (default 500). */
  klines(market: Market, symbol: string, limit?: number): Kline[];
  /** The most recent trades, oldest first, at most `limit` (default 500, kept up to 1000): `GET /api/v3/trades`. */
  recentTrades(market: Market, symbol: string, limit?: number): TradeEvent[];
  /** Listeners are called synchronously, in replay order, after the book has applied the event. Returns an unsubscribe function. */
  on(listener: MarketListener): () => void;
  /** Starts the clock in its configured mode (no-op in stepped mode). */
  start(): void;
  pause(): void;
  resume(): void;
  /** Stops for good; releases timers. */
  stop(): void;
  /** Processes events synchronously: the next `events` events, or all events up to `now() + ms`. Returns how many were processed. */
  step(opts: { readonly events?: number; readonly ms?: number }): number;
  /** Processes every event with time ≤ `time`. Returns how many were processed. */
  advanceTo(time: number): number;
  setClock(mode: ClockMode): void;
  stats(): ReplayStats;
  /** Resolves when the data ends in `atEnd: 'stop'` mode (never in loop mode unless stopped). */
  readonly ended: Promise<void>;
}
