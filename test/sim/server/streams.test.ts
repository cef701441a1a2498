import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadline, type Harness, proClient, startHarness, whileProducing, WsProbe } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.close();
});

describe('market streams with the real ccxt.pro client', () => {
  it('watchTrades on /stream/<n>', async () => {
    const ex = await proClient(h.server);
    await ex.loadMarkets();
    const trades = await whileProducing(ex.watchTrades('BTC/USDT'), () => h.replay.trade('60100.00000000', '0.02000000'), 'watchTrades');
    expect(trades[0]?.symbol).toBe('BTC/USDT');
    expect(trades[0]?.price).toBe(60100);
    expect(trades[0]?.amount).toBe(0.02);
    await ex.close();
  });

  it('watchBidsAsks (bookTicker) and watchTicker (miniTicker)', async () => {
    const ex = await proClient(h.server);
    await ex.loadMarkets();
    const bidsAsks = await whileProducing(ex.watchBidsAsks(['BTC/USDT']), () => h.replay.bookTicker(), 'watchBidsAsks');
    expect(bidsAsks['BTC/USDT']?.bid).toBe(60000);
    expect(bidsAsks['BTC/USDT']?.ask).toBe(60000.01);
    // the ticker stream pushes at most once per second of replay time: advance 1.1 s per trade
    const ticker = await whileProducing(ex.watchTicker('BTC/USDT'), () => h.replay.trade('60200.00000000', '0.01000000', 1100), 'watchTicker');
    expect(ticker.symbol).toBe('BTC/USDT');
    expect(ticker.last).toBe(60200);
    await ex.close();
  });

  it('watchOrderBook: REST snapshot + @depth@100ms diffs line up', async () => {
    const ex = await proClient(h.server);
    await ex.loadMarkets();
    // first resolution: the REST snapshot (GET /api/v3/depth) with any buffered diffs applied
    const first = await whileProducing(ex.watchOrderBook('BTC/USDT'), () => h.replay.depthDiff(), 'watchOrderBook snapshot');
    const snapshotNonce = first.nonce ?? 0;
    expect(first.symbol).toBe('BTC/USDT');
    expect(first.asks[0]?.[0]).toBe(60000.01);
    // next resolutions: live diffs, accepted by ccxt only if U == previous u + 1
    let book = first;
    while ((book.nonce ?? 0) <= snapshotNonce) {
      book = await whileProducing(ex.watchOrderBook('BTC/USDT'), () => h.replay.depthDiff(), 'watchOrderBook update');
    }
    expect(book.nonce).toBeLessThanOrEqual(h.replay.btc.lastUpdateId);
    expect(book.bids.some(([p]) => p === 59999)).toBe(true);
    await ex.close();
  });
});

describe('raw stream connections', () => {
  it('serves /stream?streams=a/b combined and /ws/<stream> raw', async () => {
    const combined = new WsProbe(`${h.server.wsUrl}/stream?streams=btcusdt@trade/btcusdt@depth5@100ms`);
    const raw = new WsProbe(`${h.server.wsUrl}/ws/btcusdt@aggTrade`);
    await Promise.all([combined.opened(), raw.opened()]);
    const t = h.replay.trade('60300.00000000', '0.03000000');
    h.replay.depthDiff();
    const tradeMsg = await combined.next((m) => m['stream'] === 'btcusdt@trade');
    expect(tradeMsg['data']).toEqual({ e: 'trade', E: t.eventTime, s: 'BTCUSDT', t: t.tradeId, p: '60300.00000000', q: '0.03000000', T: t.tradeTime, m: false, M: true });
    const depth = await combined.next((m) => m['stream'] === 'btcusdt@depth5@100ms');
    expect(depth['data']).toMatchObject({ lastUpdateId: h.replay.btc.lastUpdateId });
    const agg = await raw.next();
    expect(agg).toMatchObject({ e: 'aggTrade', a: t.tradeId, f: t.tradeId, l: t.tradeId, p: '60300.00000000' });
    combined.close();
    raw.close();
  });

  it('answers SUBSCRIBE / LIST_SUBSCRIPTIONS / UNSUBSCRIBE / properties', async () => {
    const ws = new WsProbe(`${h.server.wsUrl}/ws`);
    await ws.opened();
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@kline_1m'], id: 1 });
    expect(await ws.next((m) => m['id'] === 1)).toEqual({ result: null, id: 1 });
    ws.send({ method: 'LIST_SUBSCRIPTIONS', id: 2 });
    expect(await ws.next((m) => m['id'] === 2)).toEqual({ result: ['btcusdt@trade', 'btcusdt@kline_1m'], id: 2 });
    ws.send({ method: 'GET_PROPERTY', params: ['combined'], id: 3 });
    expect(await ws.next((m) => m['id'] === 3)).toEqual({ result: false, id: 3 });
    ws.send({ method: 'SET_PROPERTY', params: ['combined', true], id: 4 });
    expect(await ws.next((m) => m['id'] === 4)).toEqual({ result: null, id: 4 });
    h.replay.trade();
    expect(await ws.next((m) => m['stream'] === 'btcusdt@kline_1m')).toMatchObject({ data: { e: 'kline', k: { i: '1m', s: 'BTCUSDT' } } });
    ws.send({ method: 'UNSUBSCRIBE', params: ['btcusdt@trade'], id: 5 });
    expect(await ws.next((m) => m['id'] === 5)).toEqual({ result: null, id: 5 });
    ws.send({ method: 'LIST_SUBSCRIPTIONS', id: 6 });
    expect(await ws.next((m) => m['id'] === 6)).toEqual({ result: ['btcusdt@kline_1m'], id: 6 });
    const before = h.server.activeMarketStreams();
    ws.close();
    await ws.closed;
    await deadline(
      (async () => {
        while (h.server.activeMarketStreams() >= before) await new Promise((r) => setImmediate(r));
      })(),
      2000,
      'the closed connection to be unsubscribed',
    );
  });

  it('answers malformed requests with an error frame and keeps the connection open', async () => {
    const ws = new WsProbe(`${h.server.wsUrl}/stream/7`);
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
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade'], id: 14 });
    expect(await ws.next()).toEqual({ result: null, id: 14 });
    ws.close();
  });

  it('refuses an unknown websocket path', async () => {
    const ws = new WsProbe(`${h.server.wsUrl}/nowhere`);
    await expect(ws.opened()).rejects.toThrow(/404/);
    ws.close();
  });
});
