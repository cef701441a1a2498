/**
 * Websocket faults against the real simulator and the unmodified ccxt pro client:
 * dropping every websocket rejects a pending `watchOrders` and a new watch
 * reconnects; a silent user stream delivers nothing while orders fill (asserted
 * on the ground truth and the server's counters) and delivers again once the
 * fault ends; `dropWebsockets` scoped by path; a `durationMs` drop holds off
 * reconnections. No sleeps: every wait is on an event, with a deadline.
 */
import ccxt, { type Exchange, type Order } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import { closeInOrder, deadline, until, WsProbe } from '../server/helpers.ts';
import { http, rejectionOf, restingBuyPrice, startCcxtSession } from './helpers.ts';

const SYMBOL = 'BTC/USDT';
let sim: RunningSimulator;
let ex: Exchange;

beforeAll(async () => {
  ({ sim, ex } = await startCcxtSession());
});
afterAll(() => closeInOrder(ex, sim));

/** Starts `watchOrders` and waits until its user-data subscription is live on the server (the watch is wrapped: an async function would flatten it). */
async function liveWatch(client: Exchange): Promise<{ readonly orders: Promise<Order[]> }> {
  const orders = client.watchOrders(SYMBOL);
  orders.catch(() => undefined); // observed by the test; avoid an unhandled rejection in between
  await until(() => sim.control.userStreamSubscribers() >= 1, 5000, 'the user-data subscription');
  return { orders };
}

/** A market order that fills at once on the recorded book. */
const marketBuy = (clientOrderId: string) => ex.createOrder(SYMBOL, 'market', 'buy', 0.0002, undefined, { clientOrderId });

describe('dropWebsockets', () => {
  it('rejects a pending watchOrders; a new watch reconnects and receives the next order', async () => {
    const { orders: pending } = await liveWatch(ex);
    const dropped = sim.control.faults.inject({ kind: 'dropWebsockets' });
    expect(dropped).toMatchObject({ kind: 'dropWebsockets', active: false });
    expect(dropped.hits).toBeGreaterThanOrEqual(1);
    const err = await deadline(rejectionOf(pending), 5000, 'the pending watchOrders to reject');
    expect(err).toBeInstanceOf(ccxt.NetworkError);
    await until(() => sim.control.userStreamSubscribers() === 0, 5000, 'the subscription to go');

    const { orders: again } = await liveWatch(ex);
    await marketBuy('after-drop-1');
    const orders = await deadline(again, 5000, 'watchOrders after reconnecting');
    expect(orders.map((o) => o.clientOrderId)).toContain('after-drop-1');
  });

  it('scoped by path: market streams dropped, the WebSocket API connection stays', async () => {
    const api = new WsProbe(`${sim.description.ws}/ws-api/v3`);
    const stream = new WsProbe(`${sim.description.ws}/ws/btcusdt@trade`);
    await Promise.all([api.opened(), stream.opened()]);
    const v = sim.control.faults.inject({ kind: 'dropWebsockets', pathPrefix: '/ws/' });
    expect(v.hits).toBe(1);
    expect((await deadline(stream.closed, 3000, 'the stream to close')).code).toBe(1006);
    api.send({ id: 1, method: 'ping' });
    expect(await api.next((m) => m['id'] === 1)).toMatchObject({ status: 200 });
    api.close();
  });

  it('with durationMs, connections opened while it lasts are dropped too; cleared, they stay', async () => {
    const f = sim.control.faults.inject({ kind: 'dropWebsockets', pathPrefix: '/ws/', durationMs: 60_000 });
    const refused = new WsProbe(`${sim.description.ws}/ws/btcusdt@trade`);
    expect((await deadline(refused.closed, 3000, 'the new connection to be dropped')).code).toBe(1006);
    expect(sim.control.faults.list()[0]).toMatchObject({ id: f.id, hits: 1 });
    expect(sim.control.faults.clear(f.id)).toBe(1);
    const kept = new WsProbe(`${sim.description.ws}/ws/btcusdt@trade`);
    await kept.opened();
    kept.send({ id: 7, method: 'LIST_SUBSCRIPTIONS' });
    expect(await kept.next((m) => m['id'] === 7)).toEqual({ result: ['btcusdt@trade'], id: 7 });
    kept.close();
  });
});

describe('silentUserStream', () => {
  it('holds events back while orders fill, over an open socket; delivers again once it ends', async () => {
    const { orders: watch } = await liveWatch(ex);
    let settled = false;
    void watch.then(
      () => (settled = true),
      () => (settled = true),
    );
    const before = sim.control.faults.stats().userEvents;
    const silent = await http(sim.description.http, 'POST', '/__sim/faults', { kind: 'silentUserStream' });
    expect(silent.status).toBe(201);

    const filled = await marketBuy('silent-1');
    expect(filled.status).toBe('closed');
    expect(sim.control.groundTruth().orders.find((o) => o['clientOrderId'] === 'silent-1')).toMatchObject({ status: 'FILLED' });
    const during = sim.control.faults.stats().userEvents;
    expect(during.suppressed).toBeGreaterThan(before.suppressed); // executionReport + outboundAccountPosition held back
    expect(during.delivered).toBe(before.delivered); // nothing went out
    // a reply on another connection after the fill: events (sent before it) would be here by now
    await ex.fetchTime();
    expect(settled).toBe(false);
    expect(sim.control.userStreamSubscribers()).toBe(1); // the socket is still open

    expect((await http(sim.description.http, 'DELETE', '/__sim/faults')).json).toEqual({ cleared: 1 });
    await marketBuy('silent-2');
    const orders = await deadline(watch, 5000, 'watchOrders after the silence');
    const ids = orders.map((o) => o.clientOrderId);
    expect(ids).toContain('silent-2');
    expect(ids).not.toContain('silent-1');
    expect(sim.control.faults.stats().userEvents.delivered).toBeGreaterThan(during.delivered);
  });

  it('count: only the next N events are held back', async () => {
    const { orders: watch } = await liveWatch(ex);
    sim.control.faults.inject({ kind: 'silentUserStream', count: 1 });
    const before = sim.control.faults.stats().userEvents;
    const price = restingBuyPrice(sim);
    // a resting order emits executionReport NEW (held back), then outboundAccountPosition (delivered)
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, price, { clientOrderId: 'silent-count-1' });
    expect(sim.control.faults.list()).toEqual([]);
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, price, { clientOrderId: 'silent-count-2' });
    const ids = (await deadline(watch, 5000, 'watchOrders')).map((o) => o.clientOrderId);
    expect(ids).toContain('silent-count-2');
    expect(ids).not.toContain('silent-count-1');
    expect(sim.control.faults.stats().userEvents.suppressed - before.suppressed).toBe(1);
  });
});
