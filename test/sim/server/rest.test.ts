/**
 * Spot REST over 127.0.0.1 with the real ccxt client against the simulator
 * (real replay of the recorded data, stepped; real SpotVenue). Market data is
 * checked against the replay's own books and tapes, orders against the venue's
 * ground truth.
 */
import { createHmac } from 'node:crypto';
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, fixed } from '../../../src/domain/decimal.ts';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import type { BookView } from '../../../src/sim/market/types.ts';
import { ACCOUNT, endpointOf, numLevels, proClient, startSim } from './helpers.ts';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

const client = (overrides: { apiKey?: string; secret?: string } = {}) => proClient(endpointOf(sim), overrides);

function book(symbol = 'BTCUSDT'): BookView {
  const b = sim.control.replay.book('spot', symbol);
  if (!b) throw new Error(`no ${symbol} book`);
  return b;
}

function truthBalances() {
  const b = sim.control.groundTruth().balances[ACCOUNT.id];
  if (!b) throw new Error('no ground-truth balances');
  return b;
}

/** A signed request built by hand (for what ccxt cannot send, e.g. duplicate parameters). */
async function signedFetch(method: string, path: string, query: string, opts: { secret?: string; apiKey?: string | null } = {}) {
  const sig = createHmac('sha256', opts.secret ?? ACCOUNT.secret).update(query).digest('hex');
  const headers: Record<string, string> = {};
  if (opts.apiKey !== null) headers['X-MBX-APIKEY'] = opts.apiKey ?? ACCOUNT.apiKey;
  const res = await fetch(`${sim.description.http}${path}?${query}&signature=${sig}`, { method, headers });
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
    const ex = await client();
    const markets = await ex.loadMarkets();
    expect(Object.keys(markets)).toHaveLength(25);
    const btc = markets['BTC/USDT'];
    expect(btc?.id).toBe('BTCUSDT');
    expect(btc?.spot).toBe(true);
    expect(btc?.precision.price).toBe(0.01);
    expect(btc?.limits.amount?.min).toBe(0.00001);
    await ex.close();
  });

  it('answers time (wall clock), order book, trades, ticker, OHLCV from the replay', async () => {
    const replay = sim.control.replay;
    const ex = await client();
    const before = Date.now();
    const time = await ex.fetchTime();
    expect(time).toBeGreaterThanOrEqual(before - 5);
    expect(time).toBeLessThanOrEqual(Date.now() + 5);

    // The clock is stepped: the replay does not move between these requests and the reads below.
    const depth = book().depth(5);
    expect(depth.bids).toHaveLength(5);
    const ob = await ex.fetchOrderBook('BTC/USDT', 5);
    expect(ob.bids).toEqual(numLevels(depth.bids));
    expect(ob.asks).toEqual(numLevels(depth.asks));
    expect(ob.nonce).toBe(book().lastUpdateId);

    // default spot method: GET /api/v3/aggTrades (one aggregate per recorded trade), server default limit 500
    const recorded = replay.recentTrades('spot', 'BTCUSDT', 500);
    expect(recorded).toHaveLength(500);
    const asTuples = (ts: typeof recorded) => ts.map((t) => [String(t.tradeId), Number(t.price), Number(t.qty), t.tradeTime, t.buyerIsMaker ? 'sell' : 'buy']);
    const agg = await ex.fetchTrades('BTC/USDT');
    expect(agg.map((t) => [t.id, t.price, t.amount, t.timestamp, t.side])).toEqual(asTuples(recorded));
    const recent = await ex.fetchTrades('BTC/USDT', undefined, 20, { fetchTradesMethod: 'publicGetTrades' });
    expect(recent.map((t) => [t.id, t.price, t.amount, t.timestamp, t.side])).toEqual(asTuples(replay.recentTrades('spot', 'BTCUSDT', 20)));

    const stats = replay.ticker('spot', 'BTCUSDT');
    const bid = book().bestBid();
    const ask = book().bestAsk();
    if (!stats || !bid || !ask) throw new Error('the warmed replay has no BTCUSDT ticker or quote');
    const ticker = await ex.fetchTicker('BTC/USDT');
    expect(ticker).toMatchObject({
      last: Number(stats.last),
      open: Number(stats.open),
      high: Number(stats.high),
      low: Number(stats.low),
      vwap: Number(stats.weightedAvgPrice),
      baseVolume: Number(stats.volume),
      quoteVolume: Number(stats.quoteVolume),
      bid: Number(bid.price),
      bidVolume: Number(bid.qty),
      ask: Number(ask.price),
      askVolume: Number(ask.qty),
    });
    expect(ticker.last).toBe(Number(replay.lastTrade('spot', 'BTCUSDT')?.price));

    const ohlcv = await ex.fetchOHLCV('BTC/USDT', '1m');
    const klines = replay.klines('spot', 'BTCUSDT');
    expect(klines.length).toBeGreaterThan(0);
    expect(ohlcv).toEqual(klines.map((k) => [k.openTime, Number(k.open), Number(k.high), Number(k.low), Number(k.close), Number(k.volume)]));
    await expect(ex.fetchOHLCV('BTC/USDT', '5m')).rejects.toThrow(/-1120/);
    await ex.close();
  });

  it('rejects an unknown symbol with -1121 (ccxt BadSymbol) and an unknown path with a JSON 404', async () => {
    const ex = await client();
    const err = await binanceError(ex.publicGetDepth({ symbol: 'NOPEUSDT' }));
    expect(err).toBeInstanceOf(ccxt.BadSymbol);
    expect(err.message).toContain('-1121');
    const res = await fetch(`${sim.description.http}/api/v3/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: -1020, msg: 'This operation is not supported.' });
    await ex.close();
  });
});

describe('signed REST', () => {
  it('accepts a correctly signed request and passes the parsed request to the venue', async () => {
    const ex = await client();
    await ex.loadMarkets();
    const balance = await ex.fetchBalance();
    const truth = truthBalances();
    for (const asset of ['BTC', 'USDT', 'ETH']) {
      expect(balance[asset]).toMatchObject({ free: Number(truth[asset]?.free), used: Number(truth[asset]?.locked) });
    }
    expect(balance['BTC']?.free).toBe(1);
    const usdtBefore = truth['USDT'];
    if (!usdtBefore) throw new Error('no USDT balance');
    const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'my-order_1' });
    expect(order.status).toBe('open');
    expect(order.clientOrderId).toBe('my-order_1');
    // FULL response (ccxt's newOrderRespType for LIMIT) reached the venue: it answered with `fills`
    expect(order.info).toHaveProperty('fills', []);
    const placed = sim.control.groundTruth().orders.filter((o) => o.clientOrderId === 'my-order_1');
    expect(placed).toEqual([
      expect.objectContaining({
        accountId: ACCOUNT.id,
        orderId: Number(order.id),
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        origQty: '0.00100000',
        price: '50000.00000000',
        executedQty: '0.00000000',
        status: 'NEW',
      }),
    ]);
    expect(truthBalances()['USDT']).toEqual({ free: fixed(dec(usdtBefore.free).minus(50)), locked: fixed(dec(usdtBefore.locked).plus(50)) });
    await ex.close();
  });

  it('rejects a bad signature (-1022) and an unknown key (-2015) as AuthenticationError', async () => {
    const bad = await client({ secret: 'not-the-secret' });
    const e1 = await binanceError(bad.fetchBalance());
    expect(e1).toBeInstanceOf(ccxt.AuthenticationError);
    expect(e1.message).toContain('-1022');
    const unknown = await client({ apiKey: 'someone-else' });
    const e2 = await binanceError(unknown.fetchBalance());
    expect(e2).toBeInstanceOf(ccxt.AuthenticationError);
    expect(e2.message).toContain('-2015');
    const noKey = await signedFetch('GET', '/api/v3/account', `timestamp=${Date.now()}`, { apiKey: null });
    expect(noKey).toEqual({ status: 401, body: { code: -2014, msg: 'API-key format invalid.' } });
    await Promise.all([bad.close(), unknown.close()]);
  });

  it('checks timestamp against recvWindow and the 1000 ms lead (-1021, ccxt InvalidNonce)', async () => {
    const ex = await client();
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
    await ex.close();
  });

  it('maps missing, duplicate, illegal and unknown parameters to Binance codes', async () => {
    const ex = await client();
    await ex.loadMarkets();
    const ordersBefore = sim.control.groundTruth().orders.length;
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
    // none of the rejected requests reached the venue's book of orders
    expect(sim.control.groundTruth().orders).toHaveLength(ordersBefore);
    await ex.close();
  });

  it('parses OCO, history and cancel parameters into the venue contract', async () => {
    const ex = await client();
    await ex.loadMarkets();
    // The literal prices below are valid around the recorded BTCUSDT price (≈ 61,800 USDT).
    const last = Number(sim.control.replay.lastTrade('spot', 'BTCUSDT')?.price);
    expect(last).toBeGreaterThan(56_000);
    expect(last).toBeLessThan(69_000);

    const oco = (await ex.privatePostOrderListOco({
      symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01', aboveType: 'LIMIT_MAKER', abovePrice: '70000',
      belowType: 'STOP_LOSS_LIMIT', belowStopPrice: '55000', belowPrice: '54900', belowTimeInForce: 'GTC', listClientOrderId: 'oco-1',
    })) as Record<string, unknown>;
    expect(oco).toMatchObject({ contingencyType: 'OCO', listClientOrderId: 'oco-1', listOrderStatus: 'EXECUTING' });
    const legs = sim.control.groundTruth().orders.filter((o) => o.orderListId === oco['orderListId']);
    expect(legs).toHaveLength(2);
    const common = { accountId: ACCOUNT.id, symbol: 'BTCUSDT', side: 'SELL', origQty: '0.01000000', status: 'NEW' };
    expect(legs.find((o) => o.type === 'LIMIT_MAKER')).toMatchObject({ ...common, price: '70000.00000000' });
    expect(legs.find((o) => o.type === 'STOP_LOSS_LIMIT')).toMatchObject({ ...common, price: '54900.00000000', stopPrice: '55000.00000000', timeInForce: 'GTC' });
    const ocoType = await binanceError(ex.privatePostOrderListOco({ symbol: 'BTCUSDT', side: 'SELL', quantity: '0.01', aboveType: 'MARKET', belowType: 'STOP_LOSS' }));
    expect(ocoType.message).toContain('-1158');

    // history: two market buys at two replay times, then startTime and limit must select among the real fills
    const m1 = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.001);
    sim.control.step({ ms: 5000 });
    const m2 = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.002);
    expect([m1.status, m2.status]).toEqual(['closed', 'closed']);
    const fills = sim.control.groundTruth().trades.filter((t) => t.accountId === ACCOUNT.id && t.symbol === 'BTCUSDT');
    const since = Number(fills.find((t) => t.orderId === Number(m2.id))?.time);
    expect(fills.some((t) => t.orderId === Number(m1.id) && Number(t.time) < since)).toBe(true);
    const fromSince = await ex.fetchMyTrades('BTC/USDT', since, 50);
    expect(fromSince.map((t) => t.id)).toEqual(fills.filter((t) => Number(t.time) >= since).slice(-50).map((t) => String(t.id)));
    expect(fromSince.length).toBeGreaterThan(0);
    expect(fromSince.every((t) => t.order === m2.id)).toBe(true);
    const lastOne = await ex.fetchMyTrades('BTC/USDT', undefined, 1);
    expect(lastOne.map((t) => t.id)).toEqual([String(fills.at(-1)?.id)]);

    // cancel by orderId and by origClientOrderId; an unknown id is -2011 (ccxt OrderNotFound)
    const byId = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'to-cancel-1' });
    const byClientId = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'to-cancel-2' });
    if (byId.id === undefined || byClientId.id === undefined) throw new Error('no order id');
    expect((await ex.cancelOrder(byId.id, 'BTC/USDT')).status).toBe('canceled');
    expect((await ex.cancelOrder('', 'BTC/USDT', { origClientOrderId: 'to-cancel-2' })).status).toBe('canceled');
    const statusOf = (id: string) => sim.control.groundTruth().orders.find((o) => o.orderId === Number(id))?.status;
    expect([statusOf(byId.id), statusOf(byClientId.id)]).toEqual(['CANCELED', 'CANCELED']);
    const cancel = await binanceError(ex.cancelOrder('123456789', 'BTC/USDT'));
    expect(cancel).toBeInstanceOf(ccxt.OrderNotFound);
    expect(cancel.message).toContain('-2011');

    const iceberg = await binanceError(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', icebergQty: '0.1' }));
    expect(iceberg.message).toContain('-1020');
    await ex.close();
  });

  it('serves the all-symbol tickers and a filtered exchangeInfo', async () => {
    const replay = sim.control.replay;
    const http = sim.description.http;
    const prices = (await fetch(`${http}/api/v3/ticker/price`).then((r) => r.json())) as Array<{ symbol: string; price: string }>;
    expect(prices).toHaveLength(25);
    expect(Object.fromEntries(prices.map((p) => [p.symbol, p.price]))).toEqual(
      Object.fromEntries(prices.map((p) => [p.symbol, replay.lastTrade('spot', p.symbol)?.price ?? '0.00000000'])),
    );
    expect(prices.filter((p) => p.price !== '0.00000000').map((p) => p.symbol).sort()).toEqual(['BTCUSDT', 'ETHUSDT']);
    const books = (await fetch(`${http}/api/v3/ticker/bookTicker?symbols=${encodeURIComponent('["BTCUSDT","ETHUSDT","LTCBTC"]')}`).then((r) => r.json())) as unknown[];
    const quote = (symbol: string) => {
      const b = book(symbol);
      return { symbol, bidPrice: b.bestBid()?.price, bidQty: b.bestBid()?.qty, askPrice: b.bestAsk()?.price, askQty: b.bestAsk()?.qty };
    };
    expect(books).toEqual([
      quote('BTCUSDT'),
      quote('ETHUSDT'),
      { symbol: 'LTCBTC', bidPrice: '0.00000000', bidQty: '0.00000000', askPrice: '0.00000000', askQty: '0.00000000' },
    ]);
    const info = (await fetch(`${http}/api/v3/exchangeInfo?symbol=ETHUSDT`).then((r) => r.json())) as { symbols: Array<{ symbol: string }> };
    expect(info.symbols.map((s) => s.symbol)).toEqual(['ETHUSDT']);
    const both = await fetch(`${http}/api/v3/ticker/24hr?symbol=BTCUSDT&symbols=%5B%22BTCUSDT%22%5D`);
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ code: -1128 });
  });

  it('measures its own handling time', async () => {
    sim.control.resetServerTimings();
    for (let i = 0; i < 5; i++) await fetch(`${sim.description.http}/api/v3/ping`).then((r) => r.json());
    const t = sim.control.serverTimings();
    expect(t.n).toBe(5);
    expect(t.p50Us).toBeGreaterThan(0);
    expect(t.p99Us).toBeGreaterThanOrEqual(t.p50Us);
  });
});
