/**
 * TEMPORARY minimal fakes of the venue core (SpotVenueApi) and the replay
 * (Replay) for the server tests, until the tests are switched to the real
 * src/sim/venue and src/sim/market parts. They implement just enough to drive
 * the transport layer: one account, orders that rest as NEW (MARKET fills at
 * once), a book fed by `emit`ted diffs, trades feeding a crude ticker/kline.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from '../../../src/domain/decimal.ts';
import type {
  BookView,
  BookTickerEvent,
  ClockMode,
  DepthEvent,
  DepthSnapshot,
  InstrumentRef,
  Kline,
  Level,
  Market,
  MarketEvent,
  MarketListener,
  Replay,
  ReplayStats,
  TickerSnapshot,
  TradeEvent,
} from '../../../src/sim/market/types.ts';
import { Errors } from '../../../src/sim/venue/errors.ts';
import type {
  AccountCredentials,
  HistoryQuery,
  LegacyOcoRequest,
  NewOrderRequest,
  OcoRequest,
  OrderListRef,
  OrderRef,
  SpotVenueApi,
  UserEvent,
  Wire,
} from '../../../src/sim/venue/types.ts';

export const EXCHANGE_INFO_PATH = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../shared/data/binance-rest/spot-exchangeInfo-2025-08-07.json');
export const ACCOUNT: AccountCredentials = { id: 'acc-1', apiKey: 'test-api-key-1', secret: 'test-secret-0123456789abcdef' };
export const T0 = 1_723_161_600_000; // 2024-08-09T00:00:00Z

const f8 = (d: string | number | Decimal) => new Decimal(d).toFixed(8);

class FakeBook implements BookView {
  readonly market: Market = 'spot';
  lastUpdateId = 100;
  readonly synced = true;
  readonly bids = new Map<string, string>([['60000.00000000', '1.00000000']]);
  readonly asks = new Map<string, string>([['60000.01000000', '2.00000000']]);
  constructor(readonly symbol: string) {}
  apply(d: DepthEvent): void {
    for (const [side, levels] of [[this.bids, d.bids], [this.asks, d.asks]] as const) {
      for (const [p, q] of levels) {
        if (Number(q) === 0) side.delete(p);
        else side.set(p, q);
      }
    }
    this.lastUpdateId = d.finalUpdateId;
  }
  private sorted(side: 'bids' | 'asks'): Array<[string, string]> {
    const m = side === 'bids' ? this.bids : this.asks;
    return [...m.entries()].sort((a, b) => (side === 'bids' ? Number(b[0]) - Number(a[0]) : Number(a[0]) - Number(b[0])));
  }
  depth(limit: number): DepthSnapshot {
    return { lastUpdateId: this.lastUpdateId, bids: this.sorted('bids').slice(0, limit), asks: this.sorted('asks').slice(0, limit) };
  }
  *liquidity(side: 'bids' | 'asks'): Iterable<Level> {
    for (const [price, qty] of this.sorted(side)) yield { price, qty };
  }
  bestBid(): Level | undefined {
    const [l] = this.sorted('bids');
    return l && { price: l[0], qty: l[1] };
  }
  bestAsk(): Level | undefined {
    const [l] = this.sorted('asks');
    return l && { price: l[0], qty: l[1] };
  }
  qtyAt(side: 'bids' | 'asks', price: string): string {
    return (side === 'bids' ? this.bids : this.asks).get(price) ?? '0';
  }
}

/** A replay whose events are pushed by the test with `emit`. */
export class FakeReplay implements Replay {
  readonly instruments: InstrumentRef[] = [{ market: 'spot', symbol: 'BTCUSDT' }];
  time = T0;
  readonly btc = new FakeBook('BTCUSDT');
  readonly trades: TradeEvent[] = [];
  private readonly listeners = new Set<MarketListener>();
  private nextTradeId = 1000;
  private nextUpdateId = 101;

  emit(e: MarketEvent): void {
    this.time = Math.max(this.time, e.eventTime);
    if (e.kind === 'depth' && e.symbol === 'BTCUSDT') this.btc.apply(e);
    if (e.kind === 'trade') this.trades.push(e);
    for (const l of this.listeners) l(e);
  }
  /** Emits a trade of BTCUSDT `dtMs` after the clock. */
  trade(price = '60000.50000000', qty = '0.01000000', dtMs = 100): TradeEvent {
    const t = this.time + dtMs;
    const e: TradeEvent = { kind: 'trade', market: 'spot', symbol: 'BTCUSDT', tradeId: this.nextTradeId++, price, qty, buyerIsMaker: false, tradeTime: t, eventTime: t };
    this.emit(e);
    return e;
  }
  /** Emits the next contiguous depth diff of BTCUSDT. */
  depthDiff(dtMs = 100): DepthEvent {
    const U = this.nextUpdateId;
    const u = U + 2;
    this.nextUpdateId = u + 1;
    const e: DepthEvent = { kind: 'depth', market: 'spot', symbol: 'BTCUSDT', firstUpdateId: U, finalUpdateId: u, bids: [['59999.00000000', f8(u % 7 + 1)]], asks: [['60001.00000000', '0.50000000']], eventTime: this.time + dtMs };
    this.emit(e);
    return e;
  }
  bookTicker(dtMs = 10): BookTickerEvent {
    const e: BookTickerEvent = { kind: 'bookTicker', market: 'spot', symbol: 'BTCUSDT', updateId: this.btc.lastUpdateId, bidPrice: '60000.00000000', bidQty: '1.00000000', askPrice: '60000.01000000', askQty: '2.00000000', eventTime: this.time + dtMs };
    this.emit(e);
    return e;
  }

  now(): number {
    return this.time;
  }
  book(market: Market, symbol: string): BookView | undefined {
    return market === 'spot' && symbol === 'BTCUSDT' ? this.btc : undefined;
  }
  lastTrade(market: Market, symbol: string): TradeEvent | undefined {
    return this.recentTrades(market, symbol, 1)[0];
  }
  ticker(market: Market, symbol: string): TickerSnapshot | undefined {
    const ts = this.recentTrades(market, symbol, 1000);
    const first = ts[0];
    const last = ts[ts.length - 1];
    if (!first || !last) return undefined;
    const prices = ts.map((t) => new Decimal(t.price));
    const vol = ts.reduce((s, t) => s.plus(t.qty), new Decimal(0));
    const quote = ts.reduce((s, t) => s.plus(new Decimal(t.qty).times(t.price)), new Decimal(0));
    return {
      symbol, openTime: first.tradeTime, closeTime: last.tradeTime, open: first.price, high: f8(Decimal.max(...prices)), low: f8(Decimal.min(...prices)),
      last: last.price, lastQty: last.qty, volume: f8(vol), quoteVolume: f8(quote), priceChange: f8(new Decimal(last.price).minus(first.price)),
      priceChangePercent: '0.000', weightedAvgPrice: f8(quote.div(vol)), firstTradeId: first.tradeId, lastTradeId: last.tradeId, count: ts.length,
    };
  }
  klines(market: Market, symbol: string, limit = 500): Kline[] {
    const byMinute = new Map<number, TradeEvent[]>();
    for (const t of this.recentTrades(market, symbol, 1000)) {
      const m = Math.floor(t.tradeTime / 60_000) * 60_000;
      byMinute.set(m, [...(byMinute.get(m) ?? []), t]);
    }
    const out: Kline[] = [];
    for (const [openTime, ts] of byMinute) {
      const first = ts[0];
      const last = ts[ts.length - 1];
      if (!first || !last) continue;
      const vol = ts.reduce((s, t) => s.plus(t.qty), new Decimal(0));
      out.push({
        symbol, interval: '1m', openTime, closeTime: openTime + 59_999, open: first.price, close: last.price,
        high: f8(Decimal.max(...ts.map((t) => t.price))), low: f8(Decimal.min(...ts.map((t) => t.price))), volume: f8(vol), quoteVolume: f8(0),
        trades: ts.length, firstTradeId: first.tradeId, lastTradeId: last.tradeId, takerBuyBaseVolume: f8(0), takerBuyQuoteVolume: f8(0), closed: this.time > openTime + 59_999,
      });
    }
    return out.slice(-limit);
  }
  recentTrades(market: Market, symbol: string, limit = 500): TradeEvent[] {
    return this.trades.filter((t) => t.market === market && t.symbol === symbol).slice(-limit);
  }
  on(listener: MarketListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  listenerCount(): number {
    return this.listeners.size;
  }
  start(): void {}
  pause(): void {}
  resume(): void {}
  stop(): void {}
  step(): number {
    return 0;
  }
  advanceTo(): number {
    return 0;
  }
  setClock(_mode: ClockMode): void {}
  stats(): ReplayStats {
    return { eventsProcessed: 0, loops: 0, finished: false, paused: false, now: this.time };
  }
  readonly ended: Promise<void> = new Promise(() => {});
}

/** One account; every call recorded in `calls` with its parsed request. */
export class FakeVenue implements SpotVenueApi {
  readonly calls: Array<{ method: string; accountId: string; req?: unknown }> = [];
  private readonly listeners = new Set<(e: UserEvent) => void>();
  private readonly info: Wire = JSON.parse(readFileSync(EXCHANGE_INFO_PATH, 'utf8')) as Wire;
  private nextOrderId = 1;

  constructor(private readonly replay: FakeReplay) {}

  accountByApiKey(apiKey: string): AccountCredentials | undefined {
    return apiKey === ACCOUNT.apiKey ? ACCOUNT : undefined;
  }
  exchangeInfo(): Wire {
    return this.info;
  }
  private record(method: string, accountId: string, req?: unknown): void {
    this.calls.push({ method, accountId, req });
  }
  placeOrder(accountId: string, req: NewOrderRequest): Wire {
    this.record('placeOrder', accountId, req);
    const now = this.replay.now();
    const orderId = this.nextOrderId++;
    const filled = req.type === 'MARKET';
    const qty = req.quantity ?? '0';
    const price = req.price ?? '0';
    const clientOrderId = req.newClientOrderId ?? `sim-${orderId}`;
    const status = filled ? 'FILLED' : 'NEW';
    this.emit(accountId, {
      e: 'executionReport', E: now, s: req.symbol, c: clientOrderId, S: req.side, o: req.type, f: req.timeInForce ?? 'GTC', q: f8(qty), p: f8(price), P: '0.00000000',
      F: '0.00000000', g: -1, C: '', x: filled ? 'TRADE' : 'NEW', X: status, r: 'NONE', i: orderId, l: filled ? f8(qty) : '0.00000000', z: filled ? f8(qty) : '0.00000000',
      L: filled ? '60000.00000000' : '0.00000000', n: '0', N: null, T: now, t: filled ? 1 : -1, I: 1, w: !filled, m: false, M: false, O: now, Z: '0.00000000', Y: '0.00000000', Q: '0.00000000', W: now, V: 'EXPIRE_MAKER',
    });
    this.emit(accountId, { e: 'outboundAccountPosition', E: now, u: now, B: [{ a: 'USDT', f: '99000.00000000', l: '1000.00000000' }] });
    return {
      symbol: req.symbol, orderId, orderListId: -1, clientOrderId, transactTime: now, price: f8(price), origQty: f8(qty), executedQty: filled ? f8(qty) : '0.00000000',
      origQuoteOrderQty: '0.00000000', cummulativeQuoteQty: '0.00000000', status, timeInForce: req.timeInForce ?? 'GTC', type: req.type, side: req.side, workingTime: now,
      selfTradePreventionMode: 'EXPIRE_MAKER', fills: [],
    };
  }
  testOrder(accountId: string, req: NewOrderRequest): Wire {
    this.record('testOrder', accountId, req);
    return {};
  }
  cancelOrder(accountId: string, ref: OrderRef): Wire {
    this.record('cancelOrder', accountId, ref);
    throw Errors.cancelRejected();
  }
  cancelOpenOrders(accountId: string, symbol: string): Wire[] {
    this.record('cancelOpenOrders', accountId, symbol);
    return [];
  }
  queryOrder(accountId: string, ref: OrderRef): Wire {
    this.record('queryOrder', accountId, ref);
    throw Errors.noSuchOrder();
  }
  openOrders(accountId: string, symbol?: string): Wire[] {
    this.record('openOrders', accountId, symbol);
    return [];
  }
  allOrders(accountId: string, q: HistoryQuery): Wire[] {
    this.record('allOrders', accountId, q);
    return [];
  }
  myTrades(accountId: string, q: HistoryQuery): Wire[] {
    this.record('myTrades', accountId, q);
    return [];
  }
  account(accountId: string): Wire {
    this.record('account', accountId);
    return {
      makerCommission: 10, takerCommission: 10, buyerCommission: 0, sellerCommission: 0, canTrade: true, canWithdraw: false, canDeposit: false, brokered: false,
      requireSelfTradePrevention: false, preventSor: false, updateTime: this.replay.now(), accountType: 'SPOT', permissions: ['SPOT'], uid: 1,
      balances: [
        { asset: 'BTC', free: '1.00000000', locked: '0.00000000' },
        { asset: 'USDT', free: '100000.00000000', locked: '0.00000000' },
        { asset: 'ETH', free: '0.00000000', locked: '0.00000000' },
      ],
    };
  }
  placeOco(accountId: string, req: OcoRequest): Wire {
    this.record('placeOco', accountId, req);
    return { orderListId: 1, contingencyType: 'OCO', listStatusType: 'EXEC_STARTED', listOrderStatus: 'EXECUTING', orders: [], orderReports: [] };
  }
  placeLegacyOco(accountId: string, req: LegacyOcoRequest): Wire {
    this.record('placeLegacyOco', accountId, req);
    return { orderListId: 2, contingencyType: 'OCO', orders: [], orderReports: [] };
  }
  cancelOrderList(accountId: string, ref: OrderListRef): Wire {
    this.record('cancelOrderList', accountId, ref);
    throw Errors.cancelRejected('Order list does not exist.');
  }
  queryOrderList(accountId: string, ref: OrderListRef): Wire {
    this.record('queryOrderList', accountId, ref);
    throw Errors.noSuchOrder();
  }
  openOrderLists(accountId: string): Wire[] {
    this.record('openOrderLists', accountId);
    return [];
  }
  onUserEvent(listener: (event: UserEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  /** Pushes a user event for `accountId`. */
  emit(accountId: string, payload: Wire): void {
    for (const l of this.listeners) l({ accountId, payload });
  }
}
