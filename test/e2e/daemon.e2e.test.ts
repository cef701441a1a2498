/**
 * The daemon end to end: a real child process, the simulator (stepped clock,
 * recorded BTCUSDT data), the real ccxt client inside the daemon, real LMDB and
 * the real Unix socket.
 */
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/cli/client.ts';
import { IngressError } from '../../src/cli/client.ts';
import { clientOrderIdFor } from '../../src/domain/client-order-id.ts';
import { ZERO, dec, fixed } from '../../src/domain/decimal.ts';
import type { OrderView } from '../../src/engine/api.ts';
import type { RunningSimulator } from '../../src/sim/index.ts';
import { ACCOUNT, type DaemonProcess, client, order, spawnDaemon, startVenue, tempDir, venueOrders, venueTrades, waitFor } from './helpers.ts';

let sim: RunningSimulator;
let dir: ReturnType<typeof tempDir>;
let daemon: DaemonProcess;
let c: Client;

beforeAll(async () => {
  sim = await startVenue();
  dir = tempDir('engine-e2e-');
  daemon = await spawnDaemon(dir.path, sim);
  c = await client(daemon);
}, 90_000);

afterAll(async () => {
  await c?.close();
  if (daemon) expect(await daemon.stop()).toBe(0);
  await sim?.close();
  dir?.remove();
});

function book() {
  const b = sim.control.replay.book('spot', 'BTCUSDT');
  if (!b) throw new Error('no book');
  return b;
}

const signal = (s: Record<string, unknown>) => c.request('signal', { signal: { instrument: 'BTC/USDT', ...s } as never });

/** Waits until the daemon's view of the order satisfies `cond`. */
const until = (cid: string, cond: (o: OrderView) => boolean, what: string, ms = 20_000) => waitFor(() => order(c, cid), cond, ms, what);

/** The daemon's fills equal the venue's trades of that order: same trade ids, prices, quantities and fees. */
function expectFillsMatchVenue(o: OrderView): void {
  const venue = venueOrders(sim, o.clientOrderId);
  expect(venue).toHaveLength(1);
  const v = venue[0];
  if (!v) return;
  const trades = venueTrades(sim, Number(v.orderId));
  expect(o.fills.map((f) => f.tradeId).sort()).toEqual(trades.map((t) => String(t.id)).sort());
  for (const f of o.fills) {
    const t = trades.find((x) => String(x.id) === f.tradeId);
    expect(t, `venue trade ${f.tradeId}`).toBeDefined();
    if (!t) continue;
    expect(dec(f.price).eq(String(t.price))).toBe(true);
    expect(dec(f.quantity).eq(String(t.qty))).toBe(true);
    expect(dec(f.feeAmount).eq(String(t.commission))).toBe(true);
  }
  expect(dec(o.filledQuantity).eq(String(v.executedQty))).toBe(true);
  const sum = o.fills.reduce((s, f) => s.plus(f.quantity), ZERO);
  expect(sum.eq(o.filledQuantity)).toBe(true);
}

describe('engine daemon on the simulator', () => {
  it('a market signal goes RECEIVED → VALIDATED → SUBMITTED → FILLED → CLOSED at the recorded book prices', async () => {
    const asks = [...book().liquidity('asks')].slice(0, 3);
    const r = await signal({ signalId: 'e2e-mkt', side: 'buy', type: 'market', quantity: '0.02' });
    expect(r.duplicate).toBe(false);
    expect(r.clientOrderId).toBe(clientOrderIdFor('e2e-mkt', 'entry'));
    const o = await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED');
    expect(o.transitions.map((t) => t.to)).toEqual(expect.arrayContaining(['VALIDATED', 'SUBMITTED', 'FILLED', 'CLOSED']));
    expect(o.filledQuantity).toBe('0.02');
    expect(fixed(o.fills[0]?.price ?? '0')).toBe(fixed(asks[0]?.price ?? '0'));
    expectFillsMatchVenue(o);
  });

  it('a marketable limit signal fills; a resting limit fills partially from the recorded trades, exactly', async () => {
    const ask = book().bestAsk();
    const taker = await signal({ signalId: 'e2e-lmt-take', side: 'buy', type: 'limit', quantity: '0.001', price: fixed(ask?.price ?? '0', 2) });
    const t = await until(taker.clientOrderId, (x) => x.state === 'CLOSED', 'taker limit CLOSED');
    expect(t.filledQuantity).toBe('0.001');
    expectFillsMatchVenue(t);

    const bid = book().bestBid();
    const r = await signal({ signalId: 'e2e-lmt-rest', side: 'buy', type: 'limit', quantity: '2', price: fixed(bid?.price ?? '0', 2) });
    await until(r.clientOrderId, (x) => x.state === 'ACCEPTED', 'ACCEPTED');
    const venueId = Number(venueOrders(sim, r.clientOrderId)[0]?.orderId);
    // Replay until the venue has at least two maker fills for it.
    for (let i = 0; i < 2000 && venueTrades(sim, venueId).length < 2; i++) sim.control.step({ events: 200 });
    const executed = String(venueOrders(sim, r.clientOrderId)[0]?.executedQty);
    expect(dec(executed).gt(0)).toBe(true);
    const o = await until(r.clientOrderId, (x) => dec(x.filledQuantity).eq(executed), `filled ${executed}`);
    expect(o.state).toBe('PARTIAL');
    expect(o.fills.length).toBeGreaterThanOrEqual(2);
    expect(o.fills.every((f) => f.liquidity === 'maker' && dec(f.price).eq(bid?.price ?? '0'))).toBe(true);
    expectFillsMatchVenue(o);
    // Cancel it: CANCELLED with its fills kept, then CLOSED.
    const pending = await c.request('cancel', { clientOrderId: r.clientOrderId });
    expect(pending.state).toBe('PENDING_CANCEL');
    const done = await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED after cancel');
    expect(done.transitions.map((x) => x.to)).toContain('CANCELLED');
    expectFillsMatchVenue(done);
    expect(venueOrders(sim, r.clientOrderId)[0]?.status).toBe('CANCELED');
  });

  it('a fill racing the cancel is accounted', async () => {
    const bid = book().bestBid();
    const r = await signal({ signalId: 'e2e-race', side: 'buy', type: 'limit', quantity: '3', price: fixed(bid?.price ?? '0', 2) });
    await until(r.clientOrderId, (x) => x.state === 'ACCEPTED', 'ACCEPTED');
    const venueId = Number(venueOrders(sim, r.clientOrderId)[0]?.orderId);
    // Step until the venue fills it, then cancel in the same turn: the fill's events are still on the wire.
    for (let i = 0; i < 20_000 && venueTrades(sim, venueId).length === 0; i++) sim.control.step({ events: 20 });
    expect(venueTrades(sim, venueId).length).toBeGreaterThan(0);
    const cancel = c.request('cancel', { clientOrderId: r.clientOrderId });
    sim.control.step({ events: 50 });
    await cancel.catch((err: unknown) => {
      // The daemon may have seen the order fully filled first: then there is nothing to cancel.
      if (!(err instanceof IngressError && err.code === 'conflict')) throw err;
    });
    const done = await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED');
    expectFillsMatchVenue(done);
  });

  it('a repeated signal id places one order', async () => {
    const s = { signalId: 'e2e-dup', side: 'buy', type: 'limit', quantity: '0.001', price: fixed(dec(book().bestBid()?.price ?? '0').minus(500), 2) };
    const [a, b] = await Promise.all([signal(s), signal(s)]);
    const again = await signal(s);
    expect(a.clientOrderId).toBe(b.clientOrderId);
    expect(again.clientOrderId).toBe(a.clientOrderId);
    expect([a.duplicate, b.duplicate].filter(Boolean)).toHaveLength(1);
    expect(again.duplicate).toBe(true);
    await until(a.clientOrderId, (x) => x.state === 'ACCEPTED', 'ACCEPTED');
    expect(venueOrders(sim, a.clientOrderId)).toHaveLength(1);
    await c.request('cancel', { clientOrderId: a.clientOrderId });
    await until(a.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED');
  });

  it('lists orders by state and instrument, a page at a time', async () => {
    const all: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const page = await c.request('orders', { limit: 2, ...(cursor !== undefined && { cursor }) });
      expect(page.orders.length).toBeLessThanOrEqual(2);
      all.push(...page.orders.map((o) => o.clientOrderId));
      cursor = page.nextCursor;
      if (cursor === undefined) break;
    }
    expect(cursor).toBeUndefined();
    expect(new Set(all).size).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(5);
    const closed = await c.request('orders', { states: ['CLOSED'], instrument: 'BTC/USDT', limit: 1000 });
    expect(closed.orders.length).toBeGreaterThan(0);
    expect(closed.orders.every((o) => o.state === 'CLOSED' && o.instrument === 'BTC/USDT' && !o.live)).toBe(true);
    expect((await c.request('orders', { instrument: 'ETH/USDT' })).orders).toHaveLength(0);
  });

  it('answers bad input with error replies and stays up', async () => {
    const raw = netConnect(daemon.socketPath);
    const replies: Array<{ id: unknown; ok: boolean; error?: { code: string; issues?: unknown[] } }> = [];
    let buf = '';
    raw.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line) replies.push(JSON.parse(line) as (typeof replies)[number]);
      }
    });
    await new Promise<void>((r) => raw.once('connect', () => r()));
    raw.write('this is not json\n');
    raw.write('{"id":1,"op":"launch"}\n');
    raw.write('{"id":2,"op":"signal","signal":{"instrument":"BTC/USDT","side":"up","type":"market","quantity":"lots"}}\n');
    raw.write(`{"id":3,"op":"status","pad":"${'x'.repeat(100_000)}"}\n`);
    raw.write('{"id":4,"op":"order","clientOrderId":"no-such-order"}\n');
    for (let i = 0; i < 2000; i++) raw.write(`{"id":${1000 + i},"op":"ping"}\n`);
    await waitFor(() => replies.length, (n) => n >= 2005, 20_000, 'every reply');
    expect(replies[0]?.error?.code).toBe('bad_json');
    expect(replies.find((r) => r.id === 1)?.error?.code).toBe('unknown_op');
    const bad = replies.find((r) => r.id === 2);
    expect(bad?.error?.code).toBe('bad_request');
    const issues = (bad?.error?.issues ?? []) as Array<{ path: unknown[] }>;
    expect(issues.length).toBeGreaterThanOrEqual(1);
    expect(issues.every((i) => i.path[0] === 'signal')).toBe(true);
    expect(replies.some((r) => r.error?.code === 'line_too_long')).toBe(true);
    expect(replies.find((r) => r.id === 4)?.error?.code).toBe('not_found');
    expect(replies.filter((r) => typeof r.id === 'number' && r.id >= 1000 && r.ok)).toHaveLength(2000);
    // Half a line, then a disconnect.
    raw.end('{"id":5,"op":"sta');
    await new Promise<void>((r) => raw.once('close', () => r()));
    const status = await c.request('status');
    expect(status.state).toBe('running');
    expect(daemon.proc.exitCode).toBeNull();
  });
});

describe('crash recovery', () => {
  it('after kill -9 with orders in each lifecycle state, a restart rehydrates them, applies what the venue did meanwhile, and sends nothing twice', async () => {
    const d = tempDir('engine-crash-');
    let first: DaemonProcess | undefined = await spawnDaemon(d.path, sim);
    let cc = await client(first);
    const sig = (s: Record<string, unknown>) => cc.request('signal', { signal: { instrument: 'BTC/USDT', ...s } as never });
    const byId = (c2: Client, cid: string) => waitFor(() => order(c2, cid), () => true, 1000, 'order');
    const bid = dec(book().bestBid()?.price ?? '0');
    // CLOSED (filled).
    const filled = await sig({ signalId: 'k-filled', side: 'buy', type: 'market', quantity: '0.01' });
    // DENIED (quantity off the lot step).
    const denied = await sig({ signalId: 'k-denied', side: 'buy', type: 'market', quantity: '0.000001' });
    // ACCEPTED far from the market: the venue cancels it while the daemon is down.
    const far = await sig({ signalId: 'k-far', side: 'buy', type: 'limit', quantity: '0.001', price: fixed(bid.minus(1000), 2) });
    // ACCEPTED at the bid: fills while the daemon is down.
    const near = await sig({ signalId: 'k-near', side: 'buy', type: 'limit', quantity: '0.3', price: fixed(bid, 2) });
    // PARTIAL: a larger order at the bid, partly filled before the crash.
    const partial = await sig({ signalId: 'k-partial', side: 'buy', type: 'limit', quantity: '4', price: fixed(bid, 2) });
    await waitFor(() => order(cc, filled.clientOrderId), (o) => o.state === 'CLOSED', 20_000, 'k-filled CLOSED');
    for (const cid of [far.clientOrderId, near.clientOrderId, partial.clientOrderId]) {
      await waitFor(() => order(cc, cid), (o) => o.state === 'ACCEPTED', 20_000, `${cid} ACCEPTED`);
    }
    const partialVenueId = Number(venueOrders(sim, partial.clientOrderId)[0]?.orderId);
    for (let i = 0; i < 5000 && venueTrades(sim, partialVenueId).length === 0; i++) sim.control.step({ events: 20 });
    await waitFor(() => order(cc, partial.clientOrderId), (o) => o.state === 'PARTIAL', 20_000, 'k-partial PARTIAL');
    // SUBMITTED at the crash: acknowledged (its intent committed), then killed at once; the venue may or may not have it.
    const inflight = await sig({ signalId: 'k-inflight', side: 'buy', type: 'limit', quantity: '0.002', price: fixed(bid.minus(900), 2) });
    const partialFillsAtCrash = venueTrades(sim, partialVenueId).length;
    await cc.close();
    await first.kill9();
    first = undefined;

    // While the daemon is down: the tape fills orders, and the far order is cancelled at the venue.
    sim.control.venue.cancelOrder(ACCOUNT, { symbol: 'BTCUSDT', origClientOrderId: far.clientOrderId });
    for (let i = 0; i < 300; i++) sim.control.step({ events: 200 });
    const truthBefore = sim.control.groundTruth();
    // The venue did something while the daemon was down: new fills for the resting orders.
    expect(venueTrades(sim, partialVenueId).length).toBeGreaterThan(partialFillsAtCrash);
    expect(dec(String(truthBefore.orders.find((o) => o.clientOrderId === near.clientOrderId)?.executedQty)).gt(0)).toBe(true);

    const second = await spawnDaemon(d.path, sim);
    cc = await client(second);
    try {
      // Every order is known again, with what the venue did meanwhile.
      const f = await byId(cc, filled.clientOrderId);
      expect(f.state).toBe('CLOSED');
      expect((await byId(cc, denied.clientOrderId)).state).toBe('DENIED');
      const farNow = await waitFor(() => order(cc, far.clientOrderId), (o) => o.state === 'CLOSED', 20_000, 'far CLOSED');
      expect(farNow.transitions.map((t) => t.to)).toContain('CANCELLED');
      for (const cid of [near.clientOrderId, partial.clientOrderId]) {
        const v = truthBefore.orders.find((o) => o.clientOrderId === cid);
        const executed = String(v?.executedQty);
        const o = await waitFor(() => order(cc, cid), (x) => dec(x.filledQuantity).eq(executed) && (v?.status !== 'FILLED' || x.state === 'CLOSED'), 20_000, `${cid} caught up`);
        expectFillsMatchVenue(o);
      }
      // The in-flight submit is resolved, never re-sent: tracked if the venue has it, closed without a venue order if not.
      const inflightNow = await waitFor(
        () => order(cc, inflight.clientOrderId),
        (o) => ['ACCEPTED', 'PARTIAL', 'CLOSED'].includes(o.state),
        30_000,
        'in-flight resolved',
      );
      const atVenue = venueOrders(sim, inflight.clientOrderId);
      expect(atVenue.length).toBeLessThanOrEqual(1);
      if (atVenue.length === 0) expect(inflightNow.state).toBe('CLOSED');
      else expect(inflightNow.venueOrderId).toBe(String(atVenue[0]?.orderId));
      // No client order id twice at the venue.
      const ids = sim.control.groundTruth().orders.map((o) => o.clientOrderId);
      expect(new Set(ids).size).toBe(ids.length);
      const status = await cc.request('status');
      expect(status.state).toBe('running');
    } finally {
      await cc.close();
      await second.stop();
      d.remove();
    }
  });
});

describe('venue faults seen by the daemon', () => {
  const farPrice = () => fixed(dec(book().bestBid()?.price ?? '0').minus(800), 2);

  it('an accepted order whose response is lost is tracked from the venue, never sent twice', async () => {
    sim.control.faults.inject({ kind: 'loseResponse', mode: 'reset', count: 1, target: 'orders' });
    const r = await signal({ signalId: 'f-lost', side: 'buy', type: 'limit', quantity: '0.001', price: farPrice() });
    const o = await until(r.clientOrderId, (x) => x.state === 'ACCEPTED', 'ACCEPTED');
    const atVenue = venueOrders(sim, r.clientOrderId);
    expect(atVenue).toHaveLength(1);
    expect(o.venueOrderId).toBe(String(atVenue[0]?.orderId));
    await c.request('cancel', { clientOrderId: r.clientOrderId });
    await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED');
    expect(venueOrders(sim, r.clientOrderId)).toHaveLength(1);
  });

  it('with the user-data stream silent, a lost response makes the submit UNKNOWN until a look-up finds the order', async () => {
    sim.control.faults.inject({ kind: 'silentUserStream', accountId: ACCOUNT, durationMs: 10_000 });
    sim.control.faults.inject({ kind: 'loseResponse', mode: 'reset', count: 1, target: 'orders' });
    try {
      const r = await signal({ signalId: 'f-unknown', side: 'buy', type: 'limit', quantity: '0.001', price: farPrice() });
      const o = await until(r.clientOrderId, (x) => x.state === 'ACCEPTED', 'ACCEPTED after reconciliation');
      expect(o.transitions.map((t) => t.to)).toEqual(expect.arrayContaining(['SUBMITTED', 'UNKNOWN', 'ACCEPTED']));
      expect(venueOrders(sim, r.clientOrderId)).toHaveLength(1);
      await c.request('cancel', { clientOrderId: r.clientOrderId });
      await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED');
    } finally {
      sim.control.faults.clear();
    }
  });

  it('a submit answered 503 that never reached the venue is closed without a venue order, not re-sent', async () => {
    sim.control.faults.inject({ kind: 'httpError', status: 503, count: 1, target: 'orders' });
    const r = await signal({ signalId: 'f-503', side: 'buy', type: 'limit', quantity: '0.001', price: farPrice() });
    const o = await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED', 30_000);
    expect(o.outcome).toBe('cancelled');
    expect(o.transitions.map((t) => t.to)).toEqual(expect.arrayContaining(['UNKNOWN', 'CANCELLED', 'CLOSED']));
    expect(venueOrders(sim, r.clientOrderId)).toHaveLength(0);
  });

  it('fills the user-data stream never delivered are caught up by the periodic reconciliation', async () => {
    const bid = book().bestBid();
    const r = await signal({ signalId: 'f-silent', side: 'buy', type: 'limit', quantity: '1', price: fixed(bid?.price ?? '0', 2) });
    await until(r.clientOrderId, (x) => x.state === 'ACCEPTED', 'ACCEPTED');
    sim.control.faults.inject({ kind: 'silentUserStream', accountId: ACCOUNT, durationMs: 60_000 });
    try {
      const venueId = Number(venueOrders(sim, r.clientOrderId)[0]?.orderId);
      for (let i = 0; i < 20_000 && venueTrades(sim, venueId).length === 0; i++) sim.control.step({ events: 20 });
      const executed = String(venueOrders(sim, r.clientOrderId)[0]?.executedQty);
      expect(dec(executed).gt(0)).toBe(true);
      const o = await until(r.clientOrderId, (x) => dec(x.filledQuantity).eq(executed), `filled ${executed} without the stream`);
      expectFillsMatchVenue(o);
    } finally {
      sim.control.faults.clear();
    }
    await c.request('cancel', { clientOrderId: r.clientOrderId }).catch(() => undefined);
    await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED');
  });

  it('after the venue drops its websockets, the daemon reconnects and applies what happened meanwhile', async () => {
    const bid = book().bestBid();
    const r = await signal({ signalId: 'f-drop', side: 'buy', type: 'limit', quantity: '1', price: fixed(bid?.price ?? '0', 2) });
    await until(r.clientOrderId, (x) => x.state === 'ACCEPTED', 'ACCEPTED');
    sim.control.faults.inject({ kind: 'dropWebsockets' });
    const venueId = Number(venueOrders(sim, r.clientOrderId)[0]?.orderId);
    for (let i = 0; i < 20_000 && venueTrades(sim, venueId).length === 0; i++) sim.control.step({ events: 20 });
    const executed = String(venueOrders(sim, r.clientOrderId)[0]?.executedQty);
    const o = await until(r.clientOrderId, (x) => dec(x.filledQuantity).eq(executed), `filled ${executed} after the drop`);
    expectFillsMatchVenue(o);
    const status = await c.request('status');
    expect(status.venues[0]?.connected).toBe(true);
    await c.request('cancel', { clientOrderId: r.clientOrderId }).catch(() => undefined);
    await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED');
  });

  it('an order the venue rejects ends REJECTED with the venue’s code and message', async () => {
    sim.control.faults.inject({ kind: 'rejectOrders', code: -2010, msg: 'Account has insufficient balance for requested action.', count: 1 });
    const r = await signal({ signalId: 'f-reject', side: 'buy', type: 'limit', quantity: '0.001', price: farPrice() });
    const o = await until(r.clientOrderId, (x) => x.state === 'CLOSED', 'CLOSED');
    expect(o.outcome).toBe('rejected');
    expect(o.reason).toContain('-2010');
    expect(venueOrders(sim, r.clientOrderId)).toHaveLength(0);
  });
});
