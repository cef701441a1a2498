/**
 * The user-data path against the real simulator through the real ccxt.pro client: every
 * spot `executionReport` taken straight from ccxt's message handler
 * (`EngineBinance.onSpotUserEvent`), bypassing ccxt's 1000-row order/trade caches.
 * - A burst of more than 1,000 maker fills — one synchronous step of the recorded tape, so
 *   the venue writes every report in one event-loop turn — arrives complete on `fills$` and
 *   `orderUpdates$`, each trade once, equal to the ground truth; also when ccxt's client
 *   hands the whole burst to its handler in one synchronous run (see {@link burst}).
 * - Reconnection after the venue drops every websocket (`dropWebsockets`), and
 *   re-subscription on the same socket after the venue ends the stream
 *   (`eventStreamTerminated`); later events are delivered.
 * - Teardown leaves no listener and no pending future; with no listener, plain ccxt
 *   (`watchOrders`) behaves as before.
 */
import { filter } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fill, VenueOrderUpdate } from '../../src/domain/order.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/index.ts';
import type { EngineBinance } from '../../src/venue/binance-client.ts';
import { VenueStreams, type VenueStreamsOptions } from '../../src/venue/streams.ts';
import type { ConnectivityEvent, StreamName } from '../../src/venue/types.ts';
import { ACCOUNT_ID, drainMicrotasks, record, simExchange, until, waitFor } from './helpers.ts';

/** A fresh simulator, stepped, its book warmed by one minute of the recording; one account, rich enough for 400 resting orders. */
async function startSim(): Promise<RunningSimulator> {
  const started = await startSimulator({
    clock: { kind: 'stepped' },
    atEnd: 'stop',
    rateLimits: { enabled: false },
    pingIntervalMs: 60_000,
    accounts: [
      {
        id: ACCOUNT_ID,
        apiKey: 'user-events-key',
        secret: 'user-events-secret-0123456789abcdef',
        balances: { USDT: '10000000', BTC: '100', ETH: '1000' },
      },
    ],
  });
  started.control.step({ ms: 60_000 });
  return started;
}

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim();
});

afterAll(async () => {
  await sim?.close();
});

const FAST: VenueStreamsOptions = { backoff: { initialMs: 20, maxMs: 500 } };

const isState = (stream: StreamName, state: 'up' | 'down') => (e: ConnectivityEvent) => e.stream === stream && e.state === state;

/** A started VenueStreams on its own exchange, with everything it emits recorded; `stop()` unsubscribes and closes. */
async function session(options: VenueStreamsOptions = {}, on: RunningSimulator = sim) {
  const venue = await simExchange(on);
  const streams = new VenueStreams(venue.exchange, options);
  const conn = record(streams.connectivity$);
  const orders = record(streams.orderUpdates$);
  const fills = record(streams.fills$);
  await waitFor(conn.replay, isState('orders', 'up'), 'orders up');
  await waitFor(conn.replay, isState('fills', 'up'), 'fills up');
  return {
    exchange: venue.exchange,
    streams,
    conn,
    orders,
    fills,
    async stop() {
      for (const r of [conn, orders, fills]) r.subscription.unsubscribe();
      await streams.close();
    },
  };
}

/** ccxt's websocket-API client (`/ws-api/v3`) of an exchange: the user-data socket. */
function wsApiOf(exchange: EngineBinance) {
  return Object.values(exchange.clients).find((c) => c.url.includes('/ws-api/'));
}

/** Waits for `stream` to go down and then up again (in the order recorded, not by timestamp); returns the `down` event. */
async function downThenUp(conn: { readonly values: readonly ConnectivityEvent[] }, stream: StreamName): Promise<ConnectivityEvent> {
  const downAt = () => conn.values.findIndex(isState(stream, 'down'));
  await until(() => downAt() >= 0, `${stream} down`);
  const at = downAt();
  await until(() => conn.values.slice(at + 1).some(isState(stream, 'up')), `${stream} up again`, 10_000);
  return conn.values[at] as ConnectivityEvent;
}

/** Places a market buy in-process (it fills at once against the recorded book); returns its order id. */
function marketBuy(clientOrderId: string): string {
  const placed = sim.control.venue.placeOrder(ACCOUNT_ID, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.00100', newClientOrderId: clientOrderId });
  return String(placed['orderId']);
}

const STATUS: Record<string, VenueOrderUpdate['status']> = { NEW: 'open', PARTIALLY_FILLED: 'open', FILLED: 'closed', CANCELED: 'canceled', EXPIRED: 'expired' };

/** The venue's trades of these order ids as the fills the adapter must emit. */
function truthFills(orderIds: ReadonlySet<string>, on: RunningSimulator = sim): Fill[] {
  const truth = on.control.groundTruth();
  const clientIdOf = new Map(truth.orders.map((o) => [String(o['orderId']), String(o['clientOrderId'])]));
  return truth.trades
    .filter((t) => orderIds.has(String(t['orderId'])))
    .map((t) => ({
      tradeId: String(t['id']),
      venueOrderId: String(t['orderId']),
      clientOrderId: clientIdOf.get(String(t['orderId'])) ?? '',
      price: String(t['price']),
      quantity: String(t['qty']),
      feeAmount: String(t['commission']),
      feeCurrency: t['commissionAsset'] === null ? null : String(t['commissionAsset']),
      liquidity: t['isMaker'] === true ? 'maker' : 'taker',
      time: Number(t['time']),
    }));
}

/** Trades are unique per order id + trade id (trade ids are per symbol). */
const tradeKey = (f: Fill): string => `${f.venueOrderId}|${f.tradeId}`;
const byTrade = (a: Fill, b: Fill): number => (tradeKey(a) < tradeKey(b) ? -1 : tradeKey(a) > tradeKey(b) ? 1 : 0);

/**
 * The burst scenario on a fresh simulator: 400 resting orders at the touch (100 + 100 per
 * symbol on BTCUSDT and ETHUSDT: Binance's MAX_NUM_ORDERS is 200), large enough to fill
 * over many prints, then ONE synchronous step of five minutes of the tape — the venue writes
 * every report of the burst (1,732 trades with this recording) in that one turn.
 *
 * `held, then handed over at once`: ccxt's websocket-API client holds every frame of the
 * burst and then passes them all to its handler (`Client.onMessage`) in one synchronous run,
 * as its `deliverLoop` does with whatever its socket duplex has buffered (high-water mark
 * 1,024 frames) — the case in which ccxt's `watchMyTrades` cache (1000 rows) evicted trades
 * before a watcher could read them (the adapter on `watchMyTrades` delivered 1,000 of 1,732).
 */
async function burst(delivery: 'as the socket delivers it' | 'held, then handed over at once'): Promise<void> {
  const own = await startSim();
  const s = await session({}, own);
  try {
    expect(s.exchange.spotUserEventListenerCount()).toBe(1); // one shared listener for orders$ and fills$
    const placed = new Set<string>();
    for (const [symbol, quantity] of [
      ['BTCUSDT', '0.05000'],
      ['ETHUSDT', '1.0000'],
    ] as const) {
      const book = own.control.replay.book('spot', symbol);
      const bid = book?.bestBid()?.price;
      const ask = book?.bestAsk()?.price;
      if (bid === undefined || ask === undefined) throw new Error(`no ${symbol} book`);
      for (let i = 0; i < 100; i++) {
        for (const [side, price] of [
          ['BUY', bid],
          ['SELL', ask],
        ] as const) {
          const o = own.control.venue.placeOrder(ACCOUNT_ID, { symbol, side, type: 'LIMIT', timeInForce: 'GTC', quantity, price, newClientOrderId: `ue-${symbol}-${side}-${i}` });
          placed.add(String(o['orderId']));
        }
      }
    }
    const isNew = (u: VenueOrderUpdate) => placed.has(u.venueOrderId) && u.status === 'open' && u.filledQuantity.replace(/[.0]/g, '') === '';
    await until(() => s.orders.values.filter(isNew).length === placed.size, 'the NEW update of every order');

    const wsApi = wsApiOf(s.exchange);
    if (!wsApi) throw new Error('no ws-api client');
    const held: Array<{ data: unknown }> = [];
    if (delivery === 'held, then handed over at once') {
      Object.defineProperty(wsApi, 'onMessage', { configurable: true, writable: true, value: (event: { data: unknown }) => held.push(event) });
    }
    own.control.step({ ms: 300_000 }); // one synchronous call
    const expected = truthFills(placed, own).sort(byTrade);
    expect(expected.length).toBeGreaterThan(1_000);
    if (delivery === 'held, then handed over at once') {
      const trades = () => held.filter((m) => String(m.data).includes('"x":"TRADE"')).length;
      await until(() => trades() === expected.length, 'every trade report at the client');
      expect(s.fills.values.filter((f) => placed.has(f.venueOrderId))).toEqual([]);
      Reflect.deleteProperty(wsApi, 'onMessage'); // ccxt's own again
      for (const event of held) wsApi.onMessage(event);
    }

    const mine = () => s.fills.values.filter((f) => placed.has(f.venueOrderId));
    await until(() => mine().length >= expected.length, `${expected.length} fills`, 15_000);
    await drainMicrotasks();
    const got = mine().sort(byTrade);
    expect(new Set(got.map(tradeKey)).size).toBe(got.length); // no duplicates
    expect(got.map(tradeKey)).toEqual(expected.map(tradeKey));
    expect(got).toEqual(expected);

    // Every order's last update is the venue's state; each (status, filled) state once; one update per trade after NEW.
    const truthOrders = own.control.groundTruth().orders.filter((o) => placed.has(String(o['orderId'])));
    const updates = s.orders.values.filter((u) => placed.has(u.venueOrderId));
    for (const o of truthOrders) {
      const ofOrder = updates.filter((u) => u.venueOrderId === String(o['orderId']));
      expect(ofOrder.at(-1)).toMatchObject({ clientOrderId: o['clientOrderId'], status: STATUS[String(o['status'])], filledQuantity: o['executedQty'] });
      const states = ofOrder.map((u) => `${u.status}|${u.filledQuantity}`);
      expect(new Set(states).size).toBe(states.length);
    }
    expect(updates.length).toBe(placed.size + expected.length);
  } finally {
    await s.stop();
    await own.close();
  }
}

describe('the user-data path (executionReports straight from ccxt, no cache)', () => {
  it('delivers a burst of more than 1,000 maker fills from one step of the tape completely, each once, equal to the ground truth', async () => {
    await burst('as the socket delivers it');
  });

  it('… also when ccxt hands the whole burst to its handler in one synchronous run (where its 1000-row caches lost fills)', async () => {
    await burst('held, then handed over at once');
  });

  it('after the venue drops every websocket: down, then up on a new socket, then delivers later events', async () => {
    const s = await session(FAST);
    try {
      const before = wsApiOf(s.exchange);
      expect(before).toBeDefined();
      const dropped = sim.control.faults.inject({ kind: 'dropWebsockets' });
      expect(dropped.hits).toBeGreaterThanOrEqual(1);
      const down = await downThenUp(s.conn, 'orders');
      expect(down.error).toMatch(/closed|connection/i);
      await downThenUp(s.conn, 'fills');
      expect(wsApiOf(s.exchange)).not.toBe(before);
      expect(s.exchange.spotUserEventListenerCount()).toBe(1); // the listener stays across reconnects, never doubled

      const orderId = marketBuy(`ue-after-drop-${process.pid}`);
      const expected = truthFills(new Set([orderId]));
      expect(expected.length).toBeGreaterThan(0);
      await waitFor(s.orders.replay, (u) => u.venueOrderId === orderId && u.status === 'closed', 'the order placed after reconnecting');
      await until(() => s.fills.values.filter((f) => f.venueOrderId === orderId).length >= expected.length, 'its fills');
      expect(s.fills.values.filter((f) => f.venueOrderId === orderId)).toEqual(expected);
    } finally {
      await s.stop();
    }
  });

  it('after the venue ends the stream (eventStreamTerminated): down, subscribed again on the same socket, then delivers later events', async () => {
    const s = await session(FAST);
    try {
      const wsApi = wsApiOf(s.exchange);
      if (!wsApi) throw new Error('no ws-api client');
      // The venue ends every subscription of this connection and sends `eventStreamTerminated`. (Request id null:
      // ccxt 4.5.84 would fail on the reply to any other id it did not send, `handleSubscriptionStatus` indexing
      // `client.subscriptions` whose `spot` entry is `true`, and that failure alone rejects the socket's futures.)
      await wsApi.send({ id: null, method: 'userDataStream.unsubscribe', params: {} });
      const down = await downThenUp(s.conn, 'orders');
      expect(down.error).toMatch(/eventStreamTerminated/);
      expect(wsApiOf(s.exchange)).toBe(wsApi); // same socket, new subscription

      const orderId = marketBuy(`ue-after-end-${process.pid}`);
      await waitFor(s.orders.replay, (u) => u.venueOrderId === orderId && u.status === 'closed', 'the order placed after re-subscribing');
      await waitFor(s.fills.replay, (f) => f.venueOrderId === orderId, 'its fill');
    } finally {
      await s.stop();
    }
  });

  it('unsubscribing the views removes the listener and the watch; plain ccxt (watchOrders) then works as before', async () => {
    const s = await session();
    const wsApi = wsApiOf(s.exchange);
    if (!wsApi) throw new Error('no ws-api client');
    try {
      expect(s.exchange.spotUserEventListenerCount()).toBe(1);
      expect(Object.keys(wsApi.futures)).toHaveLength(1); // the loop's watch of the subscription, nothing of ccxt's caches

      s.orders.subscription.unsubscribe();
      expect(s.exchange.spotUserEventListenerCount()).toBe(1); // fills$ still runs the loop
      const states = record(s.streams.connectivity$);
      expect(states.values.map((e) => e.stream)).toEqual(['fills']);
      states.subscription.unsubscribe();
      const first = marketBuy(`ue-half-${process.pid}`);
      await waitFor(s.fills.replay, (f) => f.venueOrderId === first, 'the fill on the remaining view');
      await drainMicrotasks();
      expect(s.orders.values.some((u) => u.venueOrderId === first)).toBe(false);

      s.fills.subscription.unsubscribe();
      s.conn.subscription.unsubscribe();
      expect(s.exchange.spotUserEventListenerCount()).toBe(0);
      expect(Object.keys(wsApi.futures)).toEqual([]);

      // No listener: ccxt's own handler and caches again (the venue-side subscription stays).
      const watching = s.exchange.watchOrders('BTC/USDT');
      await until(() => 'orders:BTC/USDT' in wsApi.futures, "ccxt's own watchOrders future");
      const second = marketBuy(`ue-plain-${process.pid}`);
      const seen = await Promise.race([watching, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('watchOrders did not resolve')), 5_000))]);
      expect(seen.some((o) => o.id === second)).toBe(true);
    } finally {
      await s.stop();
    }
  });

  it('two VenueStreams on one exchange each get every event; close() completes the views', async () => {
    const a = await session();
    const b = new VenueStreams(a.exchange);
    const bFills = record(b.fills$);
    try {
      await waitFor(b.connectivity$, isState('fills', 'up'), 'the second fills up');
      expect(a.exchange.spotUserEventListenerCount()).toBe(2);
      const orderId = marketBuy(`ue-two-${process.pid}`);
      await waitFor(a.fills.replay, (f) => f.venueOrderId === orderId, 'the fill on the first');
      await waitFor(bFills.replay.pipe(filter((f) => f.venueOrderId === orderId)), () => true, 'the fill on the second');
      expect(bFills.values.filter((f) => f.venueOrderId === orderId)).toEqual(a.fills.values.filter((f) => f.venueOrderId === orderId));
    } finally {
      bFills.subscription.unsubscribe();
      expect(a.exchange.spotUserEventListenerCount()).toBe(1);
      let completed = false;
      a.orders.subscription.unsubscribe();
      const late = a.streams.orderUpdates$.subscribe({ complete: () => (completed = true) });
      await a.stop();
      expect(completed).toBe(true);
      expect(late.closed).toBe(true);
      expect(a.exchange.spotUserEventListenerCount()).toBe(0);
    }
  });
});
