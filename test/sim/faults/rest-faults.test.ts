/**
 * REST fault injection against the real simulator and the unmodified ccxt client:
 * each fault → the ccxt exception class it raises; "accepted but response lost" →
 * the order exists once and is found by its client order id; scopes (count, path,
 * method, target); the admin routes from a plain HTTP client; hung requests are
 * destroyed when the simulator closes.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultSpecError, FaultUnsupportedError } from '../../../src/sim/server/faults/index.ts';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import { ACCOUNT, startSim } from '../server/helpers.ts';
import { ccxtClient, headerOf, http, rejectionOf, restingBuyPrice, truthOrders } from './helpers.ts';

const SYMBOL = 'BTC/USDT';
let sim: RunningSimulator;
let ex: Exchange;
/** Same account, 400 ms request timeout: for the faults that never answer. */
let impatient: Exchange;

beforeAll(async () => {
  sim = await startSim();
  [ex, impatient] = await Promise.all([ccxtClient(sim), ccxtClient(sim, 400)]);
});

afterAll(async () => {
  await Promise.all([ex?.close(), impatient?.close()]);
  await sim?.close();
});

const admin = (method: string, path: string, body?: unknown) => http(sim.description.http, method, path, body);

describe('REST faults → ccxt exception classes', () => {
  it('timeout: the request is consumed and never answered → RequestTimeout', async () => {
    sim.control.faults.inject({ kind: 'timeout', count: 1 });
    const err = await rejectionOf(impatient.fetchTime());
    expect(err).toBeInstanceOf(ccxt.RequestTimeout);
    expect(sim.control.faults.list()).toEqual([]);
    expect(await impatient.fetchTime()).toBeGreaterThan(0);
  });

  it('delay: the reply comes, later', async () => {
    sim.control.faults.inject({ kind: 'delay', ms: 250, count: 1 });
    const t0 = performance.now();
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it('a delay longer than the client waits → RequestTimeout', async () => {
    sim.control.faults.inject({ kind: 'delay', ms: 1500, count: 1 });
    expect(await rejectionOf(impatient.fetchTime())).toBeInstanceOf(ccxt.RequestTimeout);
  });

  it('reset: the connection is destroyed → NetworkError (not a timeout, not an HTTP error)', async () => {
    sim.control.faults.inject({ kind: 'reset', count: 1 });
    const err = await rejectionOf(ex.fetchTime());
    expect(err).toBeInstanceOf(ccxt.NetworkError);
    expect(err).not.toBeInstanceOf(ccxt.RequestTimeout);
    expect(err).not.toBeInstanceOf(ccxt.ExchangeNotAvailable);
  });

  it.each([500, 502, 503])('httpError %i (gateway text body) → ExchangeNotAvailable', async (status) => {
    sim.control.faults.inject({ kind: 'httpError', status, count: 1 });
    expect(await rejectionOf(ex.fetchTime())).toBeInstanceOf(ccxt.ExchangeNotAvailable);
  });

  it.each([429, 418] as const)('rateLimited %i → DDoSProtection, with Retry-After', async (status) => {
    sim.control.faults.inject({ kind: 'rateLimited', status, retryAfterSec: 7, count: 1 });
    const err = await rejectionOf(ex.fetchTime());
    expect(err).toBeInstanceOf(ccxt.DDoSProtection);
    expect(headerOf(ex.last_response_headers, 'Retry-After')).toBe('7');
  });

  it('rejectOrders with -1015 (HTTP 400) → RateLimitExceeded, N times, the venue untouched', async () => {
    const before = sim.control.groundTruth().orders.length;
    sim.control.faults.inject({ kind: 'rejectOrders', code: -1015, msg: 'Too many new orders; current limit is 100 orders per 10 SECOND.', count: 2 });
    const price = restingBuyPrice(sim);
    for (let i = 0; i < 2; i++) {
      expect(await rejectionOf(ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, price))).toBeInstanceOf(ccxt.RateLimitExceeded);
    }
    // not an order route: untouched by a `target: orders` fault
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    expect(sim.control.groundTruth().orders.length).toBe(before);
    const placed = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, price, { clientOrderId: 'after-reject' });
    expect(placed.status).toBe('open');
    expect(truthOrders(sim, 'after-reject')).toHaveLength(1);
  });

  it('rejectOrders with -2010 → InvalidOrder', async () => {
    sim.control.faults.inject({ kind: 'rejectOrders', code: -2010, msg: 'Order would immediately match and take.', count: 1 });
    expect(await rejectionOf(ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, restingBuyPrice(sim)))).toBeInstanceOf(ccxt.InvalidOrder);
  });
});

describe('accepted, but the response is lost', () => {
  it.each([
    ['timeout', 'lost-timeout-1', ccxt.RequestTimeout],
    ['reset', 'lost-reset-1', ccxt.NetworkError],
  ] as const)('mode %s: the order is placed once and found by its client order id', async (mode, clientOrderId, errorClass) => {
    sim.control.faults.inject({ kind: 'loseResponse', mode, count: 1 });
    const client = mode === 'timeout' ? impatient : ex;
    const err = await rejectionOf(client.createOrder(SYMBOL, 'limit', 'buy', 0.001, restingBuyPrice(sim), { clientOrderId }));
    expect(err).toBeInstanceOf(errorClass);
    const found = await ex.fetchOrder('', SYMBOL, { clientOrderId });
    expect(found.clientOrderId).toBe(clientOrderId);
    expect(found.status).toBe('open');
    expect(truthOrders(sim, clientOrderId)).toHaveLength(1);
    expect(truthOrders(sim, clientOrderId)[0]).toMatchObject({ accountId: ACCOUNT.id, status: 'NEW', orderId: Number(found.id) });
  });
});

describe('scopes', () => {
  it('pathPrefix and method: only matching requests are affected', async () => {
    sim.control.faults.inject({ kind: 'httpError', status: 503, pathPrefix: '/api/v3/openOrders', method: 'GET' });
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    expect(await rejectionOf(ex.fetchOpenOrders(SYMBOL))).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(await rejectionOf(ex.fetchOpenOrders(SYMBOL))).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    const [f] = sim.control.faults.list();
    expect(f).toMatchObject({ kind: 'httpError', hits: 2, remaining: null, active: true });
    expect(sim.control.faults.clear()).toBe(1);
    expect(Array.isArray(await ex.fetchOpenOrders(SYMBOL))).toBe(true);
  });

  it('the first matching fault applies; count consumes it', async () => {
    sim.control.faults.inject({ kind: 'httpError', status: 502, count: 1 });
    sim.control.faults.inject({ kind: 'rateLimited', status: 429, count: 1 });
    expect(await rejectionOf(ex.fetchTime())).toBeInstanceOf(ccxt.ExchangeNotAvailable);
    expect(await rejectionOf(ex.fetchTime())).toBeInstanceOf(ccxt.DDoSProtection);
    expect(await ex.fetchTime()).toBeGreaterThan(0);
    expect(sim.control.faults.list()).toEqual([]);
  });

  it('pauseClock pauses the replay clock until cleared; resumeClock ends it', () => {
    expect(sim.control.stats().paused).toBe(false);
    const paused = sim.control.faults.inject({ kind: 'pauseClock' });
    expect(paused).toMatchObject({ kind: 'pauseClock', active: true });
    expect(sim.control.stats().paused).toBe(true);
    expect(sim.control.faults.inject({ kind: 'resumeClock' })).toMatchObject({ kind: 'resumeClock', hits: 1, active: false });
    expect(sim.control.stats().paused).toBe(false);
    sim.control.faults.inject({ kind: 'pauseClock' });
    expect(sim.control.faults.clear()).toBe(1);
    expect(sim.control.stats().paused).toBe(false);
  });

  it('invalid specs and unsupported faults are refused in process', () => {
    expect(() => sim.control.faults.inject({ kind: 'httpError', status: 404 })).toThrow(FaultSpecError);
    expect(() => sim.control.faults.inject({ kind: 'timeout', cuont: 1 })).toThrow(/cuont/);
    expect(() => sim.control.faults.inject({ kind: 'expireListenKey' })).toThrow(FaultUnsupportedError);
    expect(sim.control.faults.list()).toEqual([]);
  });
});

describe('admin routes over plain HTTP', () => {
  it('sets a fault, reads it back, clears it; reads the ground truth', async () => {
    const created = await admin('POST', '/__sim/faults', { kind: 'httpError', status: 500, count: 1, pathPrefix: '/api/v3/time' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: expect.stringMatching(/^f\d+$/), kind: 'httpError', remaining: 1, active: true });
    const listed = await admin('GET', '/__sim/faults');
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ faults: [{ kind: 'httpError', spec: { status: 500 } }], stats: { userEvents: expect.any(Object) } });

    const hit = await http(sim.description.http, 'GET', '/api/v3/time');
    expect(hit.status).toBe(500);
    expect(hit.json).toBeUndefined(); // a gateway page, not JSON
    expect(((await admin('GET', '/__sim/faults')).json as { faults: unknown[] }).faults).toEqual([]);

    await admin('POST', '/__sim/faults', [{ kind: 'delay', ms: 10 }, { kind: 'timeout', pathPrefix: '/api/v3/depth' }]);
    expect(((await admin('GET', '/__sim/faults')).json as { faults: unknown[] }).faults).toHaveLength(2);
    expect((await admin('DELETE', '/__sim/faults')).json).toEqual({ cleared: 2 });

    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.001, restingBuyPrice(sim), { clientOrderId: 'admin-truth-1' });
    const truth = await admin('GET', '/__sim/truth');
    expect(truth.status).toBe(200);
    const t = truth.json as { spot: { orders: Array<Record<string, unknown>>; trades: unknown[]; balances: Record<string, Record<string, { free: string; locked: string }>> }; replayTime: number };
    expect(t.spot.orders.filter((o) => o['clientOrderId'] === 'admin-truth-1')).toHaveLength(1);
    expect(t.spot.balances[ACCOUNT.id]?.['USDT']?.locked).not.toBe('0.00000000');
    expect(t.replayTime).toBe(sim.control.replay.now());
  });

  it('deletes one fault by id; 404 for an unknown one', async () => {
    const { json } = await admin('POST', '/__sim/faults', { kind: 'reset', pathPrefix: '/api/v3/klines' });
    const id = (json as { id: string }).id;
    expect((await admin('DELETE', `/__sim/faults/${id}`)).json).toEqual({ cleared: 1 });
    expect((await admin('DELETE', `/__sim/faults/${id}`)).status).toBe(404);
  });

  it('bad bodies get a clear 400; unknown paths 404; wrong methods 405; unsupported faults 501', async () => {
    const notJson = await admin('POST', '/__sim/faults', '{kind: timeout');
    expect(notJson.status).toBe(400);
    expect(notJson.json).toMatchObject({ error: expect.stringContaining('not valid JSON') });
    const badKind = await admin('POST', '/__sim/faults', { kind: 'explode' });
    expect(badKind.status).toBe(400);
    expect(badKind.json).toMatchObject({ error: 'invalid fault', issues: [{ path: 'kind' }] });
    const badField = await admin('POST', '/__sim/faults', { kind: 'delay', ms: -5, count: 0 });
    expect(badField.status).toBe(400);
    expect((badField.json as { issues: Array<{ path: string }> }).issues.map((i) => i.path).sort()).toEqual(['count', 'ms']);
    const badInArray = await admin('POST', '/__sim/faults', [{ kind: 'timeout' }, { kind: 'httpError', status: 200 }]);
    expect(badInArray.status).toBe(400);
    expect(badInArray.json).toMatchObject({ issues: [{ path: '1.status' }] });
    expect(sim.control.faults.list()).toEqual([]); // nothing of a bad batch was injected
    expect((await admin('POST', '/__sim/faults', '')).status).toBe(400);
    expect((await admin('GET', '/__sim/nothing')).status).toBe(404);
    expect((await admin('PUT', '/__sim/truth')).status).toBe(405);
    const listenKey = await admin('POST', '/__sim/faults', { kind: 'expireListenKey' });
    expect(listenKey.status).toBe(501);
    expect(listenKey.json).toMatchObject({ error: expect.stringContaining('listenKey') });
  });
});

describe('closing with a hung request', () => {
  it('destroys the hung socket: the client sees a reset, close() resolves', async () => {
    sim.control.faults.inject({ kind: 'timeout', pathPrefix: '/api/v3/ping' });
    const pending = http(sim.description.http, 'GET', '/api/v3/ping', undefined, {}, 10_000);
    const outcome = pending.then(
      () => 'answered',
      (err: NodeJS.ErrnoException) => err.code ?? err.message,
    );
    // the request has reached the fault once it was counted
    const deadlineAt = performance.now() + 3000;
    while (sim.control.faults.list()[0]?.hits !== 1) {
      if (performance.now() > deadlineAt) throw new Error('the hung request never reached the server');
      await new Promise((r) => setTimeout(r, 2));
    }
    const t0 = performance.now();
    await sim.close();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await outcome).toBe('ECONNRESET');
  });
});
