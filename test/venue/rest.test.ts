/**
 * VenueRest against the real simulator through the real ccxt client: outcomes,
 * domain shapes, decimal strings equal to the venue's ground truth, and the
 * rejected / unknown classification (transport faults are real sockets).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, fixed } from '../../src/domain/decimal.ts';
import type { OrderIntent } from '../../src/domain/order.ts';
import type { RunningSimulator } from '../../src/sim/index.ts';
import type { VenueExchange } from '../../src/venue/exchange.ts';
import { VenueRest } from '../../src/venue/rest.ts';
import {
  ACCOUNT_ID,
  SYMBOL,
  bestBid,
  expectOk,
  intentsFor,
  simExchange,
  startHttpRelay,
  startTcpRelay,
  startWarmSimulator,
  truthOrder,
  truthTrades,
} from './helpers.ts';

let sim: RunningSimulator;
let venue: VenueExchange;
let rest: VenueRest;
let startedAt: number;

beforeAll(async () => {
  sim = await startWarmSimulator();
  venue = await simExchange(sim);
  rest = new VenueRest(venue.exchange);
  startedAt = sim.control.replay.now();
});

afterAll(async () => {
  await venue?.close();
  await sim?.close();
});

const intent = intentsFor('rest');

describe('VenueRest against the simulator', () => {
  it('a market buy is ok, with its fills as domain Fills equal to the venue ground truth', async () => {
    const i = intent({ quantity: '0.05' });
    const placed = expectOk(await rest.createOrder(i));
    expect(placed.symbol).toBe(SYMBOL);
    expect(placed.update.clientOrderId).toBe(i.clientOrderId);
    expect(placed.update.status).toBe('closed');
    const truth = truthOrder(sim, i.clientOrderId);
    expect(truth?.['status']).toBe('FILLED');
    expect(placed.update.venueOrderId).toBe(String(truth?.['orderId']));
    expect(placed.update.filledQuantity).toBe(truth?.['executedQty']);
    expect(dec(placed.update.averagePrice ?? '0').times(placed.update.filledQuantity).toFixed(8)).toBe(
      dec(String(truth?.['cummulativeQuoteQty'])).toFixed(8),
    );
    const trades = truthTrades(sim, placed.update.venueOrderId);
    expect(placed.fills.length).toBe(trades.length);
    expect(placed.fills.length).toBeGreaterThan(0);
    placed.fills.forEach((f, k) => {
      const t = trades[k];
      expect(f).toEqual({
        tradeId: String(t?.['id']),
        venueOrderId: placed.update.venueOrderId,
        clientOrderId: i.clientOrderId,
        price: t?.['price'],
        quantity: t?.['qty'],
        feeAmount: t?.['commission'],
        feeCurrency: t?.['commissionAsset'],
        liquidity: 'taker',
        time: placed.update.time,
      });
    });
    // Σ fill quantity = the order's cumulative filled quantity, in decimals.
    expect(fixed(placed.fills.reduce((s, f) => s.plus(f.quantity), dec('0')))).toBe(placed.update.filledQuantity);
  });

  it('a market buy by quote quantity sends quoteOrderQty and spends at most it', async () => {
    const i = intent({ quantity: undefined, quoteQuantity: '100' });
    const placed = expectOk(await rest.createOrder(i));
    const truth = truthOrder(sim, i.clientOrderId);
    expect(truth?.['origQuoteOrderQty']).toBe('100.00000000');
    expect(dec(String(truth?.['cummulativeQuoteQty'])).lte(100)).toBe(true);
    expect(placed.update.filledQuantity).toBe(truth?.['executedQty']);
  });

  it('a resting limit: fetched by client order id, listed open, cancelled; a second cancel is rejected unknown_order', async () => {
    const price = fixed(dec(bestBid(sim)).minus(200), 2);
    const i = intent({ type: 'limit', timeInForce: 'GTC', price, quantity: '0.002' });
    const placed = expectOk(await rest.createOrder(i));
    expect(placed.update.status).toBe('open');
    expect(placed.update.filledQuantity).toBe('0.00000000');
    expect(placed.update.averagePrice).toBeNull();
    expect(placed.fills).toEqual([]);

    const fetched = expectOk(await rest.fetchOrderByClientId(i.clientOrderId, SYMBOL));
    expect(fetched).toMatchObject({ clientOrderId: i.clientOrderId, venueOrderId: placed.update.venueOrderId, status: 'open' });

    const open = expectOk(await rest.fetchOpenOrders(SYMBOL));
    expect(open.find((o) => o.update.clientOrderId === i.clientOrderId)).toMatchObject({ symbol: SYMBOL, update: { status: 'open' } });
    const openAll = expectOk(await rest.fetchOpenOrders());
    expect(openAll.map((o) => o.update.venueOrderId)).toContain(placed.update.venueOrderId);

    const canceled = expectOk(await rest.cancelOrder(i.clientOrderId, SYMBOL));
    // The cancel answer's clientOrderId is the cancel request's: the adapter reports the order's own.
    expect(canceled).toMatchObject({ clientOrderId: i.clientOrderId, venueOrderId: placed.update.venueOrderId, status: 'canceled' });
    expect(truthOrder(sim, i.clientOrderId)?.['status']).toBe('CANCELED');

    const again = await rest.cancelOrder(i.clientOrderId, SYMBOL);
    expect(again).toMatchObject({ kind: 'rejected', reason: 'unknown_order', venueCode: -2011, errorClass: 'OrderNotFound' });
  });

  it('an unknown client order id is rejected unknown_order (-2013) on query', async () => {
    const outcome = await rest.fetchOrderByClientId('never-placed-0001', SYMBOL);
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'unknown_order', venueCode: -2013 });
  });

  it('insufficient balance is rejected insufficient_funds with Binance code -2010', async () => {
    const i = intent({ type: 'limit', timeInForce: 'GTC', price: fixed(bestBid(sim), 2), quantity: '100' });
    const outcome = await rest.createOrder(i);
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'insufficient_funds', venueCode: -2010, errorClass: 'InsufficientFunds' });
    expect(truthOrder(sim, i.clientOrderId)).toBeUndefined();
  });

  it('a price off the tick reaches the venue unrounded and is rejected by PRICE_FILTER (-1013)', async () => {
    const price = `${fixed(dec(bestBid(sim)).minus(100), 2)}5`; // one more decimal than the 0.01 tick
    const i = intent({ type: 'limit', timeInForce: 'GTC', price, quantity: '0.001' });
    const outcome = await rest.createOrder(i);
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'filter_failure', venueCode: -1013, errorClass: 'InvalidOrder' });
    if (outcome.kind === 'rejected') expect(outcome.message).toContain('PRICE_FILTER');
    expect(truthOrder(sim, i.clientOrderId)).toBeUndefined();
  });

  it('a quantity off the step is rejected by LOT_SIZE (-1013), not truncated by ccxt', async () => {
    const i = intent({ quantity: '0.000015' });
    const outcome = await rest.createOrder(i);
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'filter_failure', venueCode: -1013 });
    if (outcome.kind === 'rejected') expect(outcome.message).toContain('LOT_SIZE');
  });

  it('a stop price off the tick is refused by the adapter before anything is sent', async () => {
    const before = sim.control.groundTruth().orders.length;
    const stop = `${fixed(dec(bestBid(sim)).minus(300), 2)}3`;
    const outcome = await rest.createOrder(intent({ type: 'stop_loss', side: 'sell', stopPrice: stop, quantity: '0.001' }));
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'off_precision', errorClass: 'Adapter' });
    expect(sim.control.groundTruth().orders.length).toBe(before);
  });

  it('a stop-loss limit is placed with its exact stop price', async () => {
    const stop = fixed(dec(bestBid(sim)).minus(300), 2);
    const limit = fixed(dec(stop).minus(10), 2);
    const i = intent({ type: 'stop_loss_limit', side: 'sell', stopPrice: stop, price: limit, timeInForce: 'GTC', quantity: '0.001' });
    expect(expectOk(await rest.createOrder(i)).update.status).toBe('open');
    expect(truthOrder(sim, i.clientOrderId)).toMatchObject({ type: 'STOP_LOSS_LIMIT', stopPrice: fixed(stop), price: fixed(limit) });
    expectOk(await rest.cancelOrder(i.clientOrderId, SYMBOL));
  });

  it('an intent that does not parse is rejected by the adapter', async () => {
    const bad = { ...intent({}), quantity: '1e-3' } as OrderIntent;
    expect(await rest.createOrder(bad)).toMatchObject({ kind: 'rejected', reason: 'invalid_order', errorClass: 'Adapter' });
  });

  it('fetchMyTrades returns the account trades since a time as Fills with their client order ids, equal to the ground truth', async () => {
    const fresh = new VenueRest(venue.exchange); // knows no order: resolves client order ids from the venue
    const fills = expectOk(await fresh.fetchMyTrades(SYMBOL, startedAt));
    const truth = sim.control.groundTruth();
    const mine = truth.trades.filter((t) => t['accountId'] === ACCOUNT_ID && t['symbol'] === 'BTCUSDT' && Number(t['time']) >= startedAt);
    expect(fills.map((f) => f.tradeId)).toEqual(mine.map((t) => String(t['id'])));
    for (const f of fills) {
      const t = mine.find((x) => String(x['id']) === f.tradeId);
      const order = truth.orders.find((o) => String(o['orderId']) === f.venueOrderId);
      expect(f).toEqual({
        tradeId: String(t?.['id']),
        venueOrderId: String(t?.['orderId']),
        clientOrderId: order?.['clientOrderId'],
        price: t?.['price'],
        quantity: t?.['qty'],
        feeAmount: t?.['commission'],
        feeCurrency: t?.['commissionAsset'],
        liquidity: t?.['isMaker'] === true ? 'maker' : 'taker',
        time: t?.['time'],
      });
    }
    expect(fills.length).toBeGreaterThan(0);
  });

  it.todo('fetchMyTrades pages past one page (blocked: the simulator answers myTrades?startTime with the newest page; Binance answers with the oldest)');

  it('fetchBalance equals the venue ground truth, as decimal strings', async () => {
    const balances = expectOk(await rest.fetchBalance());
    const truth = sim.control.groundTruth().balances[ACCOUNT_ID] ?? {};
    for (const asset of ['BTC', 'USDT', 'ETH']) {
      expect(balances.find((b) => b.asset === asset)).toEqual({ asset, free: truth[asset]?.free, locked: truth[asset]?.locked });
    }
  });

  it('a submit whose answer never comes is unknown, not failed: the order exists at the venue', async () => {
    const relay = await startHttpRelay(sim.description.http, (req) => req.method === 'POST' && (req.url ?? '').startsWith('/api/v3/order'));
    const silent = await simExchange(sim, { urls: { http: relay.url, ws: sim.description.ws }, timeoutMs: 400 });
    try {
      const i = intent({ quantity: '0.001' });
      const outcome = await new VenueRest(silent.exchange).createOrder(i);
      expect(outcome).toMatchObject({ kind: 'unknown', errorClass: 'RequestTimeout' });
      expect(relay.held()).toBe(1);
      // Resolved by query: the venue did execute it.
      expect(expectOk(await rest.fetchOrderByClientId(i.clientOrderId, SYMBOL))).toMatchObject({ clientOrderId: i.clientOrderId, status: 'closed' });
    } finally {
      await silent.close();
      await relay.close();
    }
  });

  it('a refused connection is unknown (NetworkError)', async () => {
    const relay = await startTcpRelay(Number(new URL(sim.description.http).port));
    const cut = await simExchange(sim, { urls: { http: `http://127.0.0.1:${relay.port}`, ws: sim.description.ws }, timeoutMs: 2_000 });
    try {
      await relay.close(); // the port is closed now: connection refused
      const outcome = await new VenueRest(cut.exchange).createOrder(intent({ quantity: '0.001' }));
      expect(outcome).toMatchObject({ kind: 'unknown', errorClass: 'NetworkError' });
      expect(await new VenueRest(cut.exchange).fetchBalance()).toMatchObject({ kind: 'unknown' });
    } finally {
      await cut.close();
    }
  });
});
