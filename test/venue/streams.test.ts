/**
 * VenueStreams against the real simulator through the real ccxt.pro client:
 * order updates and fills of an order placed after subscription (maker fills
 * produced by stepping the recorded tape), balances, quotes, reconnection after
 * the socket is cut (a TCP relay: transport, not the venue), and teardown.
 */
import { filter, map, scan } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec, fixed } from '../../src/domain/decimal.ts';
import type { RunningSimulator } from '../../src/sim/index.ts';
import type { VenueExchange } from '../../src/venue/exchange.ts';
import { VenueRest } from '../../src/venue/rest.ts';
import { VenueStreams } from '../../src/venue/streams.ts';
import type { ConnectivityEvent, StreamName } from '../../src/venue/types.ts';
import {
  ACCOUNT_ID,
  SYMBOL,
  bestBid,
  drainMicrotasks,
  expectOk,
  intentsFor,
  record,
  simExchange,
  startTcpRelay,
  startWarmSimulator,
  truthOrder,
  truthTrades,
  until,
  waitFor,
} from './helpers.ts';

let sim: RunningSimulator;
let venue: VenueExchange;
let rest: VenueRest;

beforeAll(async () => {
  sim = await startWarmSimulator();
  venue = await simExchange(sim);
  rest = new VenueRest(venue.exchange);
});

afterAll(async () => {
  await venue?.close();
  await sim?.close();
});

const intent = intentsFor('streams');

const isState = (stream: StreamName, state: 'up' | 'down') => (e: ConnectivityEvent) => e.stream === stream && e.state === state;

/** Steps the replay `events` at a time until `done()` (at most `rounds` times). */
function stepUntil(done: () => boolean, events = 500, rounds = 400): void {
  for (let i = 0; i < rounds && !done(); i++) sim.control.step({ events });
}

describe('VenueStreams against the simulator', () => {
  it('delivers the order updates and maker fills of a resting limit placed after subscription, equal to the ground truth', async () => {
    const streams = new VenueStreams(venue.exchange);
    const conn = record(streams.connectivity$);
    const orders = record(streams.orderUpdates$);
    const fills = record(streams.fills$);
    try {
      await waitFor(conn.replay, isState('orders', 'up'), 'orders up');
      await waitFor(conn.replay, isState('fills', 'up'), 'fills up');

      const i = intent({ type: 'limit', timeInForce: 'GTC', price: fixed(bestBid(sim), 2), quantity: '1.5' });
      const placed = expectOk(await rest.createOrder(i));
      const orderId = placed.update.venueOrderId;
      await waitFor(orders.replay, (u) => u.clientOrderId === i.clientOrderId && u.status === 'open' && dec(u.filledQuantity).isZero(), 'the NEW update');

      stepUntil(() => dec(String(truthOrder(sim, i.clientOrderId)?.['executedQty'] ?? '0')).gt(0));
      const truth = truthOrder(sim, i.clientOrderId);
      const trades = truthTrades(sim, orderId);
      expect(trades.length).toBeGreaterThan(0);

      await waitFor(
        fills.replay.pipe(
          filter((f) => f.venueOrderId === orderId),
          scan((n) => n + 1, 0),
        ),
        (n) => n === trades.length,
        `${trades.length} fills`,
      );
      const mine = fills.values.filter((f) => f.venueOrderId === orderId);
      expect(mine).toEqual(
        trades.map((t) => ({
          tradeId: String(t['id']),
          venueOrderId: orderId,
          clientOrderId: i.clientOrderId,
          price: t['price'],
          quantity: t['qty'],
          feeAmount: t['commission'],
          feeCurrency: t['commissionAsset'],
          liquidity: 'maker',
          time: t['time'],
        })),
      );

      const last = await waitFor(
        orders.replay,
        (u) => u.venueOrderId === orderId && u.filledQuantity === truth?.['executedQty'],
        'the update with the cumulative filled quantity',
      );
      expect(dec(last.averagePrice ?? '0').eq(dec(String(truth?.['price'])))).toBe(true);

      expectOk(await rest.cancelOrder(i.clientOrderId, SYMBOL));
      const canceled = await waitFor(orders.replay, (u) => u.venueOrderId === orderId && u.status === 'canceled', 'the CANCELED update');
      expect(canceled.clientOrderId).toBe(i.clientOrderId); // `C`, not the cancel request's `c`

      // Each (status, filled) state once; each trade once.
      const states = orders.values.filter((u) => u.venueOrderId === orderId).map((u) => `${u.status}|${u.filledQuantity}`);
      expect(new Set(states).size).toBe(states.length);
      const ids = fills.values.map((f) => f.tradeId);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      conn.subscription.unsubscribe();
      orders.subscription.unsubscribe();
      fills.subscription.unsubscribe();
    }
  });

  it('delivers balance positions with decimal strings equal to the ground truth', async () => {
    const streams = new VenueStreams(venue.exchange);
    const conn = record(streams.connectivity$);
    const balances = record(streams.balances$);
    try {
      await waitFor(conn.replay, isState('balances', 'up'), 'balances up');
      expectOk(await rest.createOrder(intent({ quantity: '0.003' })));
      const truth = sim.control.groundTruth().balances[ACCOUNT_ID] ?? {};
      const event = await waitFor(
        balances.replay,
        (e) => e.kind === 'position' && e.balances.some((b) => b.asset === 'BTC' && b.free === truth['BTC']?.free),
        'the position after the order',
      );
      if (event.kind !== 'position') throw new Error('unreachable');
      expect(event.balances.find((b) => b.asset === 'USDT')).toEqual({ asset: 'USDT', free: truth['USDT']?.free, locked: truth['USDT']?.locked });
    } finally {
      conn.subscription.unsubscribe();
      balances.subscription.unsubscribe();
    }
  });

  it('delivers best bid/ask quotes as decimal strings', async () => {
    const streams = new VenueStreams(venue.exchange);
    const quotes = record(streams.quotes$([SYMBOL]));
    const producer = setInterval(() => sim.control.step({ ms: 200 }), 10);
    try {
      const q = await waitFor(quotes.replay, () => true, 'a quote');
      expect(q.symbol).toBe(SYMBOL);
      expect(q.bid).toMatch(/^\d+\.\d+$/);
      expect(dec(q.bid).lt(dec(q.ask))).toBe(true);
      expect(dec(q.bidSize).gt(0)).toBe(true);
    } finally {
      clearInterval(producer);
      quotes.subscription.unsubscribe();
    }
  });

  it('reconnects after the socket is cut: down, then up, then delivers events again', async () => {
    const relay = await startTcpRelay(Number(new URL(sim.description.ws).port));
    const cut = await simExchange(sim, { urls: { http: sim.description.http, ws: `ws://127.0.0.1:${relay.port}` } });
    const streams = new VenueStreams(cut.exchange, { backoff: { initialMs: 20, maxMs: 500 } });
    const conn = record(streams.connectivity$);
    const orders = record(streams.orderUpdates$);
    const quotes = record(streams.quotes$([SYMBOL]));
    const producer = setInterval(() => sim.control.step({ ms: 100 }), 20);
    try {
      await waitFor(conn.replay, isState('orders', 'up'), 'orders up');
      await waitFor(conn.replay, isState(`quotes:${SYMBOL}`, 'up'), 'quotes up');
      const before = relay.accepted();

      relay.dropAll();
      const down = await waitFor(conn.replay, isState('orders', 'down'), 'orders down');
      expect(down.error).toMatch(/closed|connection/i);
      await waitFor(conn.replay, isState(`quotes:${SYMBOL}`, 'down'), 'quotes down');

      const upAgain = (stream: StreamName) =>
        waitFor(
          conn.replay.pipe(
            filter((e) => e.stream === stream),
            map((e, k) => ({ e, k })),
          ),
          ({ e }) => e.state === 'up' && e.at >= down.at,
          `${stream} up again`,
          10_000,
        );
      await upAgain('orders');
      await upAgain(`quotes:${SYMBOL}`);
      expect(relay.accepted()).toBeGreaterThan(before);

      const quotesBefore = quotes.values.length;
      await waitFor(quotes.replay, () => quotes.values.length > quotesBefore, 'a quote after reconnecting');

      const i = intent({ quantity: '0.001' });
      expectOk(await rest.createOrder(i));
      await waitFor(orders.replay, (u) => u.clientOrderId === i.clientOrderId && u.status === 'closed', 'the order placed after reconnecting');
    } finally {
      clearInterval(producer);
      conn.subscription.unsubscribe();
      orders.subscription.unsubscribe();
      quotes.subscription.unsubscribe();
      await streams.close();
      await relay.close();
    }
  });

  it('stops calling ccxt after unsubscribe, and close() completes the streams', async () => {
    const own = await simExchange(sim);
    const streams = new VenueStreams(own.exchange);
    const conn = record(streams.connectivity$);
    const orders = record(streams.orderUpdates$);
    const fills = record(streams.fills$); // a witness on the same socket
    await waitFor(conn.replay, isState('orders', 'up'), 'orders up');
    await waitFor(conn.replay, isState('fills', 'up'), 'fills up');
    const wsApi = Object.values(own.exchange.clients).find((c) => c.url.includes('/ws-api/'));
    if (!wsApi) throw new Error('no ws-api client');
    // One user-data loop for both views: one listener, one watch of the subscription (no ccxt watchOrders: its caches are bypassed).
    await until(() => Object.keys(wsApi.futures).length === 1, "the loop's watch of the subscription");
    expect(own.exchange.spotUserEventListenerCount()).toBe(1);

    orders.subscription.unsubscribe();
    const later = await waitFor(streams.connectivity$, () => true, 'the replayed states', 1_000);
    expect(later.stream).toBe('fills'); // the stopped loop's state is gone

    // The loop goes on for fills$; the stopped view emits nothing more.
    const i = intent({ quantity: '0.001' });
    expectOk(await rest.createOrder(i));
    await waitFor(fills.replay, (f) => f.clientOrderId === i.clientOrderId, 'the fill on the same socket');
    await drainMicrotasks();
    expect(own.exchange.spotUserEventListenerCount()).toBe(1);
    expect(orders.values.some((u) => u.clientOrderId === i.clientOrderId)).toBe(false);

    let completed = false;
    const balances = streams.balances$.subscribe({ complete: () => (completed = true) });
    await streams.close();
    expect(completed).toBe(true);
    expect(balances.closed).toBe(true);
    expect(fills.subscription.closed).toBe(true);
    let completedAfterClose = false;
    streams.orderUpdates$.subscribe({ complete: () => (completedAfterClose = true) });
    expect(completedAfterClose).toBe(true);
    conn.subscription.unsubscribe();
  });
});
