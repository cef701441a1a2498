import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT } from './fakes.ts';
import { type Harness, proClient, startHarness } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.close();
});

/** A signed request built by hand (for what ccxt cannot send, e.g. duplicate parameters). */
async function signedFetch(method: string, path: string, query: string, opts: { secret?: string; apiKey?: string | null } = {}) {
  const sig = createHmac('sha256', opts.secret ?? ACCOUNT.secret).update(query).digest('hex');
  const headers: Record<string, string> = {};
  if (opts.apiKey !== null) headers['X-MBX-APIKEY'] = opts.apiKey ?? ACCOUNT.apiKey;
  const res = await fetch(`${h.server.httpUrl}${path}?${query}&signature=${sig}`, { method, headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function binanceError(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Error) return err;
  }
  throw new Error('expected a rejection');
}

describe('public REST with the real ccxt client', () => {
  it('loads markets from the recorded exchangeInfo', async () => {
    const ex = await proClient(h.server);
    const markets = await ex.loadMarkets();
    expect(Object.keys(markets)).toHaveLength(25);
    const btc = markets['BTC/USDT'];
    expect(btc?.id).toBe('BTCUSDT');
    expect(btc?.spot).toBe(true);
    expect(btc?.precision.price).toBe(0.01);
    expect(btc?.limits.amount?.min).toBe(0.00001);
    await ex.close();
  });

  it('answers time (wall clock), order book, trades, ticker, OHLCV', async () => {
    h.replay.trade('60010.00000000', '0.50000000');
    h.replay.trade('60020.00000000', '0.25000000');
    const ex = await proClient(h.server);
    const before = Date.now();
    const time = await ex.fetchTime();
    expect(time).toBeGreaterThanOrEqual(before - 5);
    const ob = await ex.fetchOrderBook('BTC/USDT', 5);
    expect(ob.bids[0]).toEqual([60000, 1]);
    expect(ob.asks[0]).toEqual([60000.01, 2]);
    expect(ob.nonce).toBe(h.replay.btc.lastUpdateId);
    const trades = await ex.fetchTrades('BTC/USDT');
    expect(trades.map((t) => t.price)).toEqual([60010, 60020]);
    const ticker = await ex.fetchTicker('BTC/USDT');
    expect(ticker.last).toBe(60020);
    expect(ticker.bid).toBe(60000);
    const ohlcv = await ex.fetchOHLCV('BTC/USDT', '1m');
    expect(ohlcv.at(-1)?.[4]).toBe(60020);
    await expect(ex.fetchOHLCV('BTC/USDT', '5m')).rejects.toThrow(/-1120/);
    await ex.close();
  });

  it('rejects an unknown symbol with -1121 (ccxt BadSymbol) and an unknown path with a JSON 404', async () => {
    const ex = await proClient(h.server);
    const err = await binanceError(ex.publicGetDepth({ symbol: 'NOPEUSDT' }));
    expect(err).toBeInstanceOf(ccxt.BadSymbol);
    expect(err.message).toContain('-1121');
    const res = await fetch(`${h.server.httpUrl}/api/v3/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: -1020, msg: 'This operation is not supported.' });
    await ex.close();
  });
});

describe('signed REST', () => {
  it('accepts a correctly signed request and passes the parsed request to the venue', async () => {
    const ex = await proClient(h.server);
    await ex.loadMarkets();
    const balance = await ex.fetchBalance();
    expect(balance['BTC']?.free).toBe(1);
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'my-order_1' });
    expect(order.status).toBe('open');
    const call = h.venue.calls.findLast((c) => c.method === 'placeOrder');
    expect(call).toEqual({
      method: 'placeOrder',
      accountId: ACCOUNT.id,
      req: { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: '50000', newClientOrderId: 'my-order_1', newOrderRespType: 'FULL' },
    });
    await ex.close();
  });

  it('rejects a bad signature (-1022) and an unknown key (-2015) as AuthenticationError', async () => {
    const bad = await proClient(h.server, { secret: 'not-the-secret' });
    const e1 = await binanceError(bad.fetchBalance());
    expect(e1).toBeInstanceOf(ccxt.AuthenticationError);
    expect(e1.message).toContain('-1022');
    const unknown = await proClient(h.server, { apiKey: 'someone-else' });
    const e2 = await binanceError(unknown.fetchBalance());
    expect(e2).toBeInstanceOf(ccxt.AuthenticationError);
    expect(e2.message).toContain('-2015');
    const noKey = await signedFetch('GET', '/api/v3/account', `timestamp=${Date.now()}`, { apiKey: null });
    expect(noKey).toEqual({ status: 401, body: { code: -2014, msg: 'API-key format invalid.' } });
  });

  it('checks timestamp against recvWindow and the 1000 ms lead (-1021, ccxt InvalidNonce)', async () => {
    const ex = await proClient(h.server);
    ex.nonce = () => Date.now() - 15_000; // ccxt sends recvWindow=10000
    const old = await binanceError(ex.fetchBalance());
    expect(old).toBeInstanceOf(ccxt.InvalidNonce);
    expect(old.message).toContain('outside of the recvWindow');
    ex.nonce = () => Date.now() + 2000;
    const ahead = await binanceError(ex.fetchBalance());
    expect(ahead).toBeInstanceOf(ccxt.InvalidNonce);
    expect(ahead.message).toContain('1000ms ahead');
    const big = await signedFetch('GET', '/api/v3/account', `timestamp=${Date.now()}&recvWindow=60001`);
    expect(big.body['code']).toBe(-1131);
    const missing = await signedFetch('GET', '/api/v3/account', 'recvWindow=5000');
    expect(missing.body).toEqual({ code: -1102, msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed." });
  });

  it('maps missing, duplicate, illegal and unknown parameters to Binance codes', async () => {
    const ex = await proClient(h.server);
    await ex.loadMarkets();
    const missing = await binanceError(ex.privateGetOrder({ symbol: 'BTCUSDT' }));
    expect(missing).toBeInstanceOf(ccxt.BadRequest);
    expect(missing.message).toContain('-1102');
    const noSide = await binanceError(ex.privatePostOrder({ symbol: 'BTCUSDT', type: 'LIMIT' }));
    expect(noSide.message).toContain("Mandatory parameter 'side'");
    const illegalId = await binanceError(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'bad id!' }));
    expect(illegalId).toBeInstanceOf(ccxt.BadRequest);
    expect(illegalId.message).toContain('-1100');
    const side = await binanceError(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'HOLD', type: 'LIMIT' }));
    expect(side.message).toContain('-1117');
    const type = await binanceError(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'ICEBERG' }));
    expect(type.message).toContain('-1116');
    const tif = await binanceError(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX' }));
    expect(tif.message).toContain('-1115');
    const price = await binanceError(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: '1e5' }));
    expect(price).toBeInstanceOf(ccxt.BadRequest);
    expect(price.message).toContain('-1100');
    const extra = await binanceError(ex.privateGetOpenOrders({ symbol: 'BTCUSDT', color: 'blue' }));
    expect(extra.message).toContain("Not all sent parameters were read; read '4' parameter(s) but was sent '5'.");
    const dup = await signedFetch('GET', '/api/v3/openOrders', `symbol=BTCUSDT&symbol=ETHUSDT&timestamp=${Date.now()}`);
    expect(dup).toEqual({ status: 400, body: { code: -1101, msg: 'Duplicate values for a parameter detected.' } });
    await ex.close();
  });

  it('parses OCO, history and cancel parameters into the venue contract', async () => {
    const ex = await proClient(h.server);
    await ex.loadMarkets();
    await ex.privatePostOrderListOco({
      symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01', aboveType: 'LIMIT_MAKER', abovePrice: '70000',
      belowType: 'STOP_LOSS_LIMIT', belowStopPrice: '55000', belowPrice: '54900', belowTimeInForce: 'GTC', listClientOrderId: 'oco-1',
    });
    expect(h.venue.calls.findLast((c) => c.method === 'placeOco')?.req).toEqual({
      symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01', listClientOrderId: 'oco-1', aboveType: 'LIMIT_MAKER', abovePrice: '70000',
      belowType: 'STOP_LOSS_LIMIT', belowStopPrice: '55000', belowPrice: '54900', belowTimeInForce: 'GTC',
    });
    const ocoType = await binanceError(ex.privatePostOrderListOco({ symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01', aboveType: 'MARKET', belowType: 'STOP_LOSS' }));
    expect(ocoType.message).toContain('-1158');
    await ex.fetchMyTrades('BTC/USDT', 1_723_161_600_000, 50);
    expect(h.venue.calls.findLast((c) => c.method === 'myTrades')?.req).toEqual({ symbol: 'BTCUSDT', startTime: 1_723_161_600_000, limit: 50 });
    const cancel = await binanceError(ex.cancelOrder('123', 'BTC/USDT'));
    expect(cancel).toBeInstanceOf(ccxt.OrderNotFound);
    expect(h.venue.calls.findLast((c) => c.method === 'cancelOrder')?.req).toEqual({ symbol: 'BTCUSDT', orderId: 123 });
    const iceberg = await binanceError(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', icebergQty: '0.1' }));
    expect(iceberg.message).toContain('-1020');
    await ex.close();
  });

  it('serves the all-symbol tickers and a filtered exchangeInfo', async () => {
    const prices = (await fetch(`${h.server.httpUrl}/api/v3/ticker/price`).then((r) => r.json())) as Array<{ symbol: string; price: string }>;
    expect(prices).toHaveLength(25);
    expect(prices.find((p) => p.symbol === 'BTCUSDT')?.price).toBe(h.replay.trades.at(-1)?.price);
    const books = (await fetch(`${h.server.httpUrl}/api/v3/ticker/bookTicker?symbols=${encodeURIComponent('["BTCUSDT","ETHUSDT"]')}`).then((r) => r.json())) as unknown[];
    expect(books).toEqual([
      { symbol: 'BTCUSDT', bidPrice: '60000.00000000', bidQty: '1.00000000', askPrice: '60000.01000000', askQty: '2.00000000' },
      { symbol: 'ETHUSDT', bidPrice: '0.00000000', bidQty: '0.00000000', askPrice: '0.00000000', askQty: '0.00000000' },
    ]);
    const info = (await fetch(`${h.server.httpUrl}/api/v3/exchangeInfo?symbol=ETHUSDT`).then((r) => r.json())) as { symbols: Array<{ symbol: string }> };
    expect(info.symbols.map((s) => s.symbol)).toEqual(['ETHUSDT']);
    const both = await fetch(`${h.server.httpUrl}/api/v3/ticker/24hr?symbol=BTCUSDT&symbols=%5B%22BTCUSDT%22%5D`);
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ code: -1128 });
  });

  it('measures its own handling time', async () => {
    h.server.resetTimings();
    for (let i = 0; i < 5; i++) await fetch(`${h.server.httpUrl}/api/v3/ping`).then((r) => r.json());
    const t = h.server.timings();
    expect(t.n).toBe(5);
    expect(t.p50Us).toBeGreaterThan(0);
    expect(t.p99Us).toBeGreaterThanOrEqual(t.p50Us);
  });
});
