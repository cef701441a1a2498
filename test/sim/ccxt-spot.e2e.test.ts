/**
 * The real, unmodified ccxt `pro.binance` client against the embedded simulator
 * over 127.0.0.1: markets, balances, every spot order type, fills priced from the
 * recorded book, resting limits filled from the recorded tape, queries, cancels,
 * user-data and public streams, and the exception classes of each rejection.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, fixed } from '../../src/domain/decimal.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/index.ts';

let sim: RunningSimulator;
let ex: Exchange;

/** Resolves `p`, or fails after `ms` with `what` (a deadline, not a sleep). */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` on the event loop until it holds, failing after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function newClient(overrides: Record<string, unknown> = {}): Exchange {
  return new ccxt.pro.binance({ ...sim.description.ccxt, ...overrides });
}

beforeAll(async () => {
  sim = await startSimulator({ clock: { kind: 'stepped' }, atEnd: 'stop', pingIntervalMs: 60_000 });
  sim.control.step({ ms: 60_000 });
  ex = newClient();
  await ex.loadHttpProxyAgent();
  await ex.loadMarkets();
});

afterAll(async () => {
  await ex?.close();
  await sim?.close();
});

const SYMBOL = 'BTC/USDT';

function book() {
  const b = sim.control.replay.book('spot', 'BTCUSDT');
  if (!b) throw new Error('no BTCUSDT book');
  return b;
}

describe('real ccxt binance client against the simulator (spot)', () => {
  it('loads the recorded markets with their real filters', () => {
    const m = ex.market(SYMBOL);
    expect(m.spot).toBe(true);
    expect(m.precision.price).toBe(0.01);
    expect(m.precision.amount).toBe(0.00001);
    expect(m.limits.cost?.min).toBe(5);
    expect(m.limits.amount?.min).toBe(0.00001);
  });

  it('fetches balances', async () => {
    const bal = await ex.fetchBalance();
    expect(bal.USDT?.free).toBe(100000);
    expect(bal.BTC?.free).toBe(1);
  });

  it('a market buy fills at the recorded book levels, seen by REST and watchOrders/watchMyTrades/watchBalance', async () => {
    const asks = [...book().liquidity('asks')].slice(0, 5);
    const ordersP = ex.watchOrders(SYMBOL);
    const tradesP = ex.watchMyTrades(SYMBOL);
    const balanceP = ex.watchBalance();
    await until(() => sim.control.userStreamSubscribers() > 0, 5000, 'the user-data subscription');
    const order = await ex.createOrder(SYMBOL, 'market', 'buy', 0.02, undefined, { quoteOrderQty: undefined, newClientOrderId: 'e2e-mkt-1' });
    expect(order.status).toBe('closed');
    expect(order.clientOrderId).toBe('e2e-mkt-1');
    expect(order.filled).toBe(0.02);
    const prices = (order.trades ?? []).map((t) => t.price);
    expect(prices.length).toBeGreaterThan(0);
    prices.forEach((p, i) => expect(fixed(String(p))).toBe(fixed(asks[i]?.price ?? '0')));
    const watched = await within(ordersP, 5000, 'watchOrders');
    expect(watched.some((o) => o.clientOrderId === 'e2e-mkt-1')).toBe(true);
    const myTrades = await within(tradesP, 5000, 'watchMyTrades');
    expect(myTrades[0]?.order).toBe(order.id);
    const bal = await within(balanceP, 5000, 'watchBalance');
    expect(bal.BTC?.free).toBeGreaterThan(1);
  });

  it('a resting limit partially fills from the recorded trades; fetch by client order id; cancel; lists', async () => {
    const bid = book().bestBid();
    if (!bid) throw new Error('no bid');
    const price = Number(bid.price);
    const order = await ex.createOrder(SYMBOL, 'limit', 'buy', 1.5, price, { newClientOrderId: 'e2e-rest-1' });
    expect(order.status).toBe('open');
    const open = await ex.fetchOpenOrders(SYMBOL);
    expect(open.map((o) => o.id)).toContain(order.id);
    // Replay until the tape fills part of it.
    for (let i = 0; i < 400 && sim.control.venue.queryOrder('paper', { symbol: 'BTCUSDT', orderId: Number(order.id) }).status === 'NEW'; i++) {
      sim.control.step({ events: 500 });
    }
    const byClient = await ex.fetchOrder('', SYMBOL, { clientOrderId: 'e2e-rest-1' });
    if (order.id === undefined) throw new Error('no order id');
    expect(byClient.id).toBe(order.id);
    expect(byClient.filled).toBeGreaterThan(0);
    expect(byClient.filled ?? 0).toBeLessThan(1.5);
    expect(byClient.status).toBe('open');
    const trades = await ex.fetchMyTrades(SYMBOL);
    const mine = trades.filter((t) => t.order === order.id);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((t) => t.price === price && t.takerOrMaker === 'maker')).toBe(true);
    const canceled = await ex.cancelOrder(order.id, SYMBOL);
    expect(canceled.status).toBe('canceled');
    expect((await ex.fetchOpenOrders(SYMBOL)).map((o) => o.id)).not.toContain(order.id);
    const truth = sim.control.groundTruth();
    expect(truth.orders.find((o) => o.orderId === Number(order.id))?.status).toBe('CANCELED');
  });

  it('places every spot order type', async () => {
    const last = Number(sim.control.replay.lastTrade('spot', 'BTCUSDT')?.price);
    const bid = Number(book().bestBid()?.price);
    const ask = Number(book().bestAsk()?.price);
    const ioc = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, ask, { timeInForce: 'IOC' });
    expect(ioc.status).toBe('closed');
    const fok = await ex.createOrder(SYMBOL, 'limit', 'sell', 0.001, bid, { timeInForce: 'FOK' });
    expect(fok.status).toBe('closed');
    const maker = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, Math.round((bid - 50) * 100) / 100, { postOnly: true });
    // ccxt reports a spot LIMIT_MAKER as type 'limit' with postOnly.
    expect(maker.postOnly).toBe(true);
    expect(sim.control.groundTruth().orders.find((o) => String(o.orderId) === maker.id)?.type).toBe('LIMIT_MAKER');
    const sl = await ex.createOrder(SYMBOL, 'market', 'sell', 0.001, undefined, { stopLossPrice: Math.round((last - 300) * 100) / 100 });
    const sll = await ex.createOrder(SYMBOL, 'limit', 'sell', 0.001, Math.round((last - 310) * 100) / 100, { stopLossPrice: Math.round((last - 300) * 100) / 100 });
    const tp = await ex.createOrder(SYMBOL, 'market', 'sell', 0.001, undefined, { takeProfitPrice: Math.round((last + 300) * 100) / 100 });
    const tpl = await ex.createOrder(SYMBOL, 'limit', 'sell', 0.001, Math.round((last + 310) * 100) / 100, { takeProfitPrice: Math.round((last + 300) * 100) / 100 });
    const types = sim.control
      .groundTruth()
      .orders.filter((o) => [sl.id, sll.id, tp.id, tpl.id].includes(String(o.orderId)))
      .map((o) => o.type)
      .sort();
    expect(types).toEqual(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
    // The recorded MAX_NUM_ALGO_ORDERS is 5 (stop legs count): make room for the OCO lists.
    await ex.cancelAllOrders(SYMBOL);
    const quote = await ex.createOrder(SYMBOL, 'market', 'buy', 0, undefined, { quoteOrderQty: 50 });
    expect(quote.cost).toBeLessThanOrEqual(50);
    expect(quote.cost).toBeGreaterThan(45);
    const oco = (await ex.privatePostOrderListOco({
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.002',
      aboveType: 'LIMIT_MAKER',
      abovePrice: fixed(dec(String(ask)).plus(400)),
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: fixed(dec(String(last)).minus(400)),
      belowPrice: fixed(dec(String(last)).minus(410)),
      belowTimeInForce: 'GTC',
    })) as { orderListId: number; orders: unknown[]; listOrderStatus: string };
    expect(oco.orders).toHaveLength(2);
    expect(oco.listOrderStatus).toBe('EXECUTING');
    const legacy = (await ex.privatePostOrderOco({
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.002',
      price: fixed(dec(String(ask)).plus(500)),
      stopPrice: fixed(dec(String(last)).minus(500)),
      stopLimitPrice: fixed(dec(String(last)).minus(510)),
      stopLimitTimeInForce: 'GTC',
    })) as { orders: unknown[] };
    expect(legacy.orders).toHaveLength(2);
    await ex.cancelAllOrders(SYMBOL);
    expect(await ex.fetchOpenOrders(SYMBOL)).toHaveLength(0);
  });

  it('raises the ccxt exception class real Binance would raise for each rejection', async () => {
    const bid = Number(book().bestBid()?.price);
    await expect(ex.createOrder(SYMBOL, 'limit', 'buy', 100, bid)).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    await expect(ex.createOrder(SYMBOL, 'limit', 'buy', 0.00001, bid)).rejects.toBeInstanceOf(ccxt.BadRequest); // NOTIONAL
    await expect(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.000015', price: String(bid) })).rejects.toBeInstanceOf(
      ccxt.InvalidOrder,
    ); // LOT_SIZE
    await expect(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: `${bid}1` })).rejects.toBeInstanceOf(
      ccxt.InvalidOrder,
    ); // PRICE_FILTER
    await expect(ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, Math.round(bid * 0.1 * 100) / 100)).rejects.toBeInstanceOf(ccxt.InvalidOrder); // PERCENT_PRICE_BY_SIDE
    await expect(ex.privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001' })).rejects.toBeInstanceOf(ccxt.BadRequest); // -1102
    await expect(ex.cancelOrder('987654321', SYMBOL)).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    await expect(ex.fetchOrder('987654321', SYMBOL)).rejects.toBeInstanceOf(ccxt.OrderNotFound);
    const late = newClient({ options: { ...(sim.description.ccxt.options as object), timeDifference: 120_000 } });
    await expect(late.fetchBalance()).rejects.toBeInstanceOf(ccxt.InvalidNonce);
    const wrongSecret = newClient({ secret: 'not-the-secret-0123456789' });
    await expect(wrongSecret.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    const wrongKey = newClient({ apiKey: 'no-such-key' });
    await expect(wrongKey.fetchBalance()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
  });

  it('streams public market data: trades, ticker, best bid/ask and the order book', async () => {
    sim.control.setClock({ kind: 'speed', factor: 20 });
    try {
      const trades = await within(ex.watchTrades(SYMBOL), 10_000, 'watchTrades');
      expect(trades.length).toBeGreaterThan(0);
      const ticker = await within(ex.watchTicker(SYMBOL), 10_000, 'watchTicker');
      expect(ticker.last).toBeGreaterThan(0);
      const quotes = await within(ex.watchBidsAsks([SYMBOL]), 10_000, 'watchBidsAsks');
      expect(quotes[SYMBOL]?.bid).toBeLessThan(quotes[SYMBOL]?.ask ?? 0);
      const ob = await within(ex.watchOrderBook(SYMBOL), 10_000, 'watchOrderBook');
      expect(ob.bids.length).toBeGreaterThan(10);
      expect(ob.bids[0]?.[0] ?? 0).toBeLessThan(ob.asks[0]?.[0] ?? 0);
      // Keep following the book: it must stay uncrossed as diffs arrive.
      for (let i = 0; i < 5; i++) {
        const next = await within(ex.watchOrderBook(SYMBOL), 10_000, 'watchOrderBook update');
        expect(next.bids[0]?.[0] ?? 0).toBeLessThan(next.asks[0]?.[0] ?? 0);
      }
    } finally {
      sim.control.setClock({ kind: 'stepped' });
    }
  });
});
