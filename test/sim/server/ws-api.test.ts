/**
 * User data over the WebSocket API (`/ws-api/v3`) with the real ccxt.pro client
 * and a raw websocket, against the simulator (real replay, real SpotVenue):
 * pushed events are the venue's own, checked against its ground truth.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import { ACCOUNT, closedAfterEach, deadline, endpointOf, OTHER, proClient, startSim, until, WsProbe } from './helpers.ts';

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

/** Clients and probes of the running test, closed after it even when it fails; the user-data subscriptions of closed connections go with them. */
const open = closedAfterEach(() => until(() => sim.control.userStreamSubscribers() === 0, 3000, 'closed connections to drop their user-data subscriptions'));

const subscribed = () => until(() => sim.control.userStreamSubscribers() === 1, 5000, 'the user-data subscription');

function truthBalance(accountId: string, asset: string) {
  const b = sim.control.groundTruth().balances[accountId]?.[asset];
  if (!b) throw new Error(`no ${asset} balance for ${accountId}`);
  return b;
}

function subscribeParams(opts: { secret?: string; timestamp?: number } = {}) {
  const params = { apiKey: ACCOUNT.apiKey, recvWindow: 10000, timestamp: opts.timestamp ?? Date.now() };
  const payload = `apiKey=${params.apiKey}&recvWindow=${params.recvWindow}&timestamp=${params.timestamp}`;
  return { ...params, signature: createHmac('sha256', opts.secret ?? ACCOUNT.secret).update(payload).digest('hex') };
}

describe('user data over the WebSocket API with the real ccxt.pro client', () => {
  it('watchBalance receives the outboundAccountPosition of an order placed over REST', async () => {
    const ex = open(await proClient(endpointOf(sim)));
    await ex.loadMarkets();
    const watching = ex.watchBalance();
    await subscribed();
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 50000, { clientOrderId: 'wb-1' });
    const balance = await deadline(watching, 5000, 'watchBalance');
    const usdt = truthBalance(ACCOUNT.id, 'USDT');
    expect(usdt.locked).toBe('500.00000000');
    expect(balance['USDT']).toMatchObject({ free: Number(usdt.free), used: Number(usdt.locked) });
  });

  it('watchOrders receives the executionReport of an order placed over REST', async () => {
    const ex = open(await proClient(endpointOf(sim)));
    await ex.loadMarkets();
    const watching = ex.watchOrders('BTC/USDT');
    await subscribed();
    const placed = await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: 'wo-1' });
    const orders = await deadline(watching, 5000, 'watchOrders');
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({
      id: placed.id,
      clientOrderId: 'wo-1',
      symbol: 'BTC/USDT',
      status: 'open',
      side: 'buy',
      type: 'limit',
      price: 50000,
      amount: 0.001,
      filled: 0,
      timestamp: sim.control.replay.now(),
    });
    expect(sim.control.groundTruth().orders.find((o) => o.orderId === Number(placed.id))).toMatchObject({ clientOrderId: 'wo-1', status: 'NEW', accountId: ACCOUNT.id });
  });
});

describe('raw WebSocket API', () => {
  it('serves ping, time, session.status, subscribe, events, unsubscribe', async () => {
    const ws = open(new WsProbe(`${sim.description.ws}/ws-api/v3`));
    await ws.opened();
    ws.send({ id: 'p1', method: 'ping' });
    expect(await ws.next((m) => m['id'] === 'p1')).toEqual({ id: 'p1', status: 200, result: {}, rateLimits: [expect.objectContaining({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 })] });
    ws.send({ id: 2, method: 'time', params: { returnRateLimits: false } });
    const time = await ws.next((m) => m['id'] === 2);
    expect(time['rateLimits']).toBeUndefined();
    expect(Math.abs(Number((time['result'] as Record<string, unknown>)['serverTime']) - Date.now())).toBeLessThan(1000);
    ws.send({ id: 3, method: 'userDataStream.subscribe.signature', params: subscribeParams() });
    expect(await ws.next((m) => m['id'] === 3)).toEqual({ id: 3, status: 200, result: { subscriptionId: 0 }, rateLimits: [expect.objectContaining({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 })] });
    expect(sim.control.userStreamSubscribers()).toBe(1);
    ws.send({ id: 4, method: 'session.status' });
    expect(await ws.next((m) => m['id'] === 4)).toMatchObject({ status: 200, result: { userDataStream: true } });

    // another account's deposit first, then ours: only ours reaches this subscription
    const now = sim.control.replay.now();
    sim.control.adjustBalance(OTHER.id, 'BTC', '9');
    sim.control.adjustBalance(ACCOUNT.id, 'BTC', '0.1');
    const btc = truthBalance(ACCOUNT.id, 'BTC');
    expect(await ws.next((m) => 'event' in m)).toEqual({ subscriptionId: 0, event: { e: 'balanceUpdate', E: now, a: 'BTC', d: '0.10000000', T: now } });
    expect(await ws.next((m) => 'event' in m)).toEqual({
      subscriptionId: 0,
      event: { e: 'outboundAccountPosition', E: now, u: now, B: [{ a: 'BTC', f: btc.free, l: btc.locked }] },
    });
    expect(truthBalance(OTHER.id, 'BTC').free).toBe('9.50000000');

    ws.send({ id: 5, method: 'userDataStream.unsubscribe', params: { subscriptionId: 0 } });
    expect(await ws.next((m) => m['id'] === 5)).toEqual({ id: 5, status: 200, result: {}, rateLimits: [expect.objectContaining({ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 })] });
    expect(await ws.next((m) => 'event' in m)).toEqual({ subscriptionId: 0, event: { e: 'eventStreamTerminated', E: now } });
    expect(sim.control.userStreamSubscribers()).toBe(0);
    // nothing more after the unsubscription: events would be sent before the reply to a later request
    sim.control.adjustBalance(ACCOUNT.id, 'BTC', '0.1');
    ws.send({ id: 6, method: 'ping' });
    expect(await ws.next((m) => m['id'] === 6)).toMatchObject({ id: 6, status: 200 });
    expect(ws.queued((m) => 'event' in m)).toEqual([]);
  });

  it('answers errors in the WebSocket API shape and stays open', async () => {
    const ws = open(new WsProbe(`${sim.description.ws}/ws-api/v3`));
    await ws.opened();
    ws.send('nope{');
    expect(await ws.next()).toMatchObject({ id: null, status: 400, error: { code: -1135 } });
    ws.send({ id: 1, method: 'order.place', params: {} });
    expect(await ws.next()).toMatchObject({ id: 1, status: 400, error: { code: -1020 } });
    ws.send({ id: 2, method: 'userDataStream.subscribe.signature', params: subscribeParams({ secret: 'wrong' }) });
    expect(await ws.next()).toMatchObject({ id: 2, status: 400, error: { code: -1022, msg: 'Signature for this request is not valid.' } });
    ws.send({ id: 3, method: 'userDataStream.subscribe.signature', params: subscribeParams({ timestamp: Date.now() - 60_000 }) });
    expect(await ws.next()).toMatchObject({ id: 3, status: 400, error: { code: -1021 } });
    ws.send({ id: 4, method: 'userDataStream.subscribe.signature', params: { ...subscribeParams(), apiKey: 'unknown' } });
    expect(await ws.next()).toMatchObject({ id: 4, status: 401, error: { code: -2015 } });
    ws.send({ id: 5, method: 'userDataStream.subscribe.signature', params: { apiKey: ACCOUNT.apiKey } });
    expect(await ws.next()).toMatchObject({ id: 5, status: 400, error: { code: -1102 } });
    ws.send({ id: 6, method: 'ping', params: [1] });
    expect(await ws.next()).toMatchObject({ id: 6, status: 400, error: { code: -1135 } });
    expect(sim.control.userStreamSubscribers()).toBe(0);
    ws.send({ id: 7, method: 'ping' });
    expect(await ws.next()).toMatchObject({ id: 7, status: 200 });
    expect(ws.ws.readyState).toBe(ws.ws.OPEN);
  });
});
