/**
 * Market streams over 127.0.0.1, fed by the real replay of the recorded data
 * (stepped clock: the test steps it to the next recorded event once a
 * subscription is live, so every pushed payload is checked against that exact
 * recorded event and the replay's book/tape at that moment).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DepthSnapshot, Kline, MarketEvent, TradeEvent } from '../../../src/sim/market/types.ts';
import { closedAfterEach, deadline, type Harness, is, numLevels, proClient, startHarness, stepTo, until, WsProbe } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});
/** Clients and probes of the running test, closed after it even when it fails; the subscriptions of closed connections go with them. */
const open = closedAfterEach(() => until(() => h.server.activeMarketStreams() === 0, 3000, 'closed connections to be unsubscribed'));

const liveStreams = (n: number, what: string) => until(() => h.server.activeMarketStreams() === n, 3000, what);

function btcBook() {
  const b = h.replay.book('spot', 'BTCUSDT');
  if (!b) throw new Error('no BTCUSDT book');
  return b;
}

/** The Binance `<symbol>@trade` payload of a recorded trade. */
const tradePayload = (t: TradeEvent) => ({ e: 'trade', E: t.eventTime, s: t.symbol, t: t.tradeId, p: t.price, q: t.qty, T: t.tradeTime, m: t.buyerIsMaker, M: true });

/** The Binance `<symbol>@kline_1m` payload of a candle of the replay's tape. */
const klinePayload = (k: Kline, eventTime: number) => ({
  e: 'kline',
  E: eventTime,
  s: k.symbol,
  k: {
    t: k.openTime, T: k.closeTime, s: k.symbol, i: '1m', f: k.firstTradeId, L: k.lastTradeId, o: k.open, c: k.close, h: k.high, l: k.low,
    v: k.volume, n: k.trades, x: k.closed, q: k.quoteVolume, V: k.takerBuyBaseVolume, Q: k.takerBuyQuoteVolume, B: '0',
  },
});

describe('market streams with the real ccxt.pro client', () => {
  it('watchTrades on /stream/<n> delivers the next recorded trade', async () => {
    const ex = open(await proClient(h));
    await ex.loadMarkets();
    const watching = ex.watchTrades('BTC/USDT');
    await liveStreams(1, 'the trade subscription');
    const trade = stepTo(h.replay, is.trade('BTCUSDT'));
    expect(h.replay.recentTrades('spot', 'BTCUSDT', 1)).toEqual([trade]);
    const trades = await deadline(watching, 5000, 'watchTrades');
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({
      id: String(trade.tradeId),
      symbol: 'BTC/USDT',
      price: Number(trade.price),
      amount: Number(trade.qty),
      timestamp: trade.tradeTime,
      side: trade.buyerIsMaker ? 'sell' : 'buy',
    });
  });

  it('watchBidsAsks (bookTicker) and watchTicker (miniTicker)', async () => {
    const ex = open(await proClient(h));
    await ex.loadMarkets();
    const watchingQuotes = ex.watchBidsAsks(['BTC/USDT']);
    await liveStreams(1, 'the bookTicker subscription');
    const q = stepTo(h.replay, is.bookTicker('BTCUSDT'));
    const bidsAsks = await deadline(watchingQuotes, 5000, 'watchBidsAsks');
    expect(bidsAsks['BTC/USDT']).toMatchObject({ bid: Number(q.bidPrice), bidVolume: Number(q.bidQty), ask: Number(q.askPrice), askVolume: Number(q.askQty) });
    expect(bidsAsks['BTC/USDT']?.bid).toBeLessThan(bidsAsks['BTC/USDT']?.ask ?? 0);

    // ccxt's watchTicker subscribes to <symbol>@miniTicker (24hrMiniTicker: no quote fields)
    const watchingTicker = ex.watchTicker('BTC/USDT');
    await liveStreams(2, 'the miniTicker subscription');
    const trade = stepTo(h.replay, is.trade('BTCUSDT'));
    const stats = h.replay.ticker('spot', 'BTCUSDT');
    if (!stats) throw new Error('no BTCUSDT ticker in the replay');
    const ticker = await deadline(watchingTicker, 5000, 'watchTicker');
    expect(ticker).toMatchObject({
      symbol: 'BTC/USDT',
      timestamp: trade.eventTime,
      last: Number(trade.price),
      open: Number(stats.open),
      high: Number(stats.high),
      low: Number(stats.low),
      baseVolume: Number(stats.volume),
      quoteVolume: Number(stats.quoteVolume),
    });
    expect(stats.last).toBe(trade.price);
  });

  it('watchOrderBook: REST snapshot + @depth@100ms diffs rebuild exactly the replay book', async () => {
    const ex = open(await proClient(h));
    await ex.loadMarkets();
    // first resolution: the REST snapshot (GET /api/v3/depth?limit=1000); the stepped replay does not move meanwhile
    const first = await deadline(ex.watchOrderBook('BTC/USDT'), 5000, 'watchOrderBook snapshot');
    const snapshot = btcBook().depth(1000);
    expect(first.symbol).toBe('BTC/USDT');
    expect(first.nonce).toBe(btcBook().lastUpdateId);
    expect(first.bids).toEqual(numLevels(snapshot.bids));
    expect(first.asks).toEqual(numLevels(snapshot.asks));
    expect(h.server.activeMarketStreams()).toBe(1);
    // next resolutions: each recorded diff, accepted by ccxt only if U == previous u + 1
    for (let i = 0; i < 5; i++) {
      const watching = ex.watchOrderBook('BTC/USDT');
      const diff = stepTo(h.replay, is.depth('BTCUSDT'));
      const book = await deadline(watching, 5000, `watchOrderBook update ${i}`);
      expect(book.nonce).toBe(diff.finalUpdateId);
      expect(book.timestamp).toBe(diff.eventTime);
      const top = btcBook().depth(100);
      expect(book.bids.slice(0, 100)).toEqual(numLevels(top.bids));
      expect(book.asks.slice(0, 100)).toEqual(numLevels(top.asks));
      expect(book.bids[0]?.[0] ?? 0).toBeLessThan(book.asks[0]?.[0] ?? 0);
    }
  });
});

describe('raw stream connections', () => {
  it('serves /stream?streams=a/b combined and /ws/<stream> raw', async () => {
    const combined = open(new WsProbe(`${h.ws}/stream?streams=btcusdt@trade/btcusdt@depth5@100ms`));
    const raw = open(new WsProbe(`${h.ws}/ws/btcusdt@aggTrade`));
    await Promise.all([combined.opened(), raw.opened()]);
    // subscriptions named in the URL are live once the handshake is done
    expect(h.server.activeMarketStreams()).toBe(3);
    // step until both a recorded trade and a recorded diff of BTCUSDT were delivered, noting the first of each
    let t: TradeEvent | undefined;
    let firstDepth: DepthSnapshot | undefined;
    stepTo(h.replay, (e): e is MarketEvent => {
      if (t === undefined && is.trade('BTCUSDT')(e)) t = e;
      if (firstDepth === undefined && is.depth('BTCUSDT')(e)) firstDepth = btcBook().depth(5);
      return t !== undefined && firstDepth !== undefined;
    });
    if (!t || !firstDepth) throw new Error('unreachable');
    const tradeMsg = await combined.next((m) => m['stream'] === 'btcusdt@trade');
    expect(tradeMsg).toEqual({ stream: 'btcusdt@trade', data: tradePayload(t) });
    const agg = await raw.next();
    expect(agg).toEqual({ e: 'aggTrade', E: t.eventTime, s: 'BTCUSDT', a: t.tradeId, p: t.price, q: t.qty, f: t.tradeId, l: t.tradeId, T: t.tradeTime, m: t.buyerIsMaker, M: true });
    // depth5@100ms: the top 5 levels of the rebuilt book right after the diff
    const depth = await combined.next((m) => m['stream'] === 'btcusdt@depth5@100ms');
    expect(depth).toEqual({ stream: 'btcusdt@depth5@100ms', data: firstDepth });
    combined.close();
    raw.close();
  });

  it('answers SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE / properties', async () => {
    const ws = open(new WsProbe(`${h.ws}/ws`));
    await ws.opened();
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@kline_1m'], id: 1 });
    expect(await ws.next((m) => m['id'] === 1)).toEqual({ result: null, id: 1 });
    ws.send({ method: 'LIST_SUBSCRIPTIONS', id: 2 });
    expect(await ws.next((m) => m['id'] === 2)).toEqual({ result: ['btcusdt@trade', 'btcusdt@kline_1m'], id: 2 });
    ws.send({ method: 'GET_PROPERTY', params: ['combined'], id: 3 });
    expect(await ws.next((m) => m['id'] === 3)).toEqual({ result: false, id: 3 });
    ws.send({ method: 'SET_PROPERTY', params: ['combined', true], id: 4 });
    expect(await ws.next((m) => m['id'] === 4)).toEqual({ result: null, id: 4 });
    const trade = stepTo(h.replay, is.trade('BTCUSDT'));
    const candle = h.replay.klines('spot', 'BTCUSDT', 1)[0];
    if (!candle) throw new Error('no BTCUSDT candle');
    expect(candle.close).toBe(trade.price);
    expect(await ws.next((m) => m['stream'] === 'btcusdt@trade')).toEqual({ stream: 'btcusdt@trade', data: tradePayload(trade) });
    expect(await ws.next((m) => m['stream'] === 'btcusdt@kline_1m')).toEqual({ stream: 'btcusdt@kline_1m', data: klinePayload(candle, trade.eventTime) });
    ws.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@trade'], id: 5 });
    expect(await ws.next((m) => m['id'] === 5)).toEqual({ result: null, id: 5 });
    ws.send({ method: 'LIST_SUBSCRIPTIONS', id: 6 });
    expect(await ws.next((m) => m['id'] === 6)).toEqual({ result: ['btcusdt@kline_1m'], id: 6 });
    // the next recorded trade is not pushed any more: frames are sent before the reply to a later request
    stepTo(h.replay, is.trade('BTCUSDT'));
    ws.send({ method: 'LIST_SUBSCRIPTIONS', id: 7 });
    expect(await ws.next((m) => m['id'] === 7)).toEqual({ result: ['btcusdt@kline_1m'], id: 7 });
    expect(ws.queued((m) => m['stream'] === 'btcusdt@trade')).toEqual([]);
    expect(h.server.activeMarketStreams()).toBe(1);
    ws.close();
    await ws.closed;
    await until(() => h.server.activeMarketStreams() === 0, 2000, 'the closed connection to be unsubscribed');
  });

  it('answers malformed requests with an error frame and keeps the connection open', async () => {
    const ws = open(new WsProbe(`${h.ws}/stream/7`));
    await ws.opened();
    ws.send('{not json');
    expect(await ws.next()).toMatchObject({ error: { code: 3 }, id: null });
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'] });
    expect(await ws.next()).toMatchObject({ error: { code: 2, msg: 'Invalid request: request ID must be an unsigned integer' } });
    ws.send({ method: 'FETCH', params: [], id: 10 });
    expect(await ws.next()).toMatchObject({ error: { code: 2 }, id: 10 });
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@nothing'], id: 11 });
    expect(await ws.next()).toMatchObject({ error: { code: 2, msg: 'Invalid request: invalid stream "btcusdt@nothing"' }, id: 11 });
    ws.send({ method: 'SET_PROPERTY', params: ['colour', true], id: 12 });
    expect(await ws.next()).toEqual({ error: { code: 0, msg: 'Unknown property' }, id: 12 });
    ws.send({ method: 'SET_PROPERTY', params: ['combined', 'yes'], id: 13 });
    expect(await ws.next()).toEqual({ error: { code: 1, msg: 'Invalid value type: expected Boolean' }, id: 13 });
    expect(h.server.activeMarketStreams()).toBe(0);
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 14 });
    expect(await ws.next()).toEqual({ result: null, id: 14 });
    // still open and serving: the next recorded trade arrives
    const trade = stepTo(h.replay, is.trade('BTCUSDT'));
    expect(await ws.next()).toEqual({ stream: 'btcusdt@trade', data: tradePayload(trade) });
    expect(ws.ws.readyState).toBe(ws.ws.OPEN);
    ws.close();
  });

  it('refuses an unknown websocket path', async () => {
    const ws = open(new WsProbe(`${h.ws}/nowhere`));
    await expect(ws.opened()).rejects.toThrow(/404/);
    ws.close();
  });
});
