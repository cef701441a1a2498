import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT } from './fakes.ts';
import { type Harness, proClient, startHarness, whileProducing, WsProbe } from './helpers.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.server.close();
});

function subscribeParams(opts: { secret?: string; timestamp?: number } = {}) {
  const params = { apiKey: ACCOUNT.apiKey, recvWindow: 10000, timestamp: opts.timestamp ?? Date.now() };
  const payload = `apiKey=${params.apiKey}&recvWindow=${params.recvWindow}&timestamp=${params.timestamp}`;
  return { ...params, signature: createHmac('sha256', opts.secret ?? ACCOUNT.secret).update(payload).digest('hex') };
}

describe('user data over the WebSocket API with the real ccxt.pro client', () => {
  it('watchBalance receives outboundAccountPosition', async () => {
    const ex = await proClient(h.server);
    await ex.loadMarkets();
    const balance = await whileProducing(
      ex.watchBalance(),
      () => h.venue.emit(ACCOUNT.id, { e: 'outboundAccountPosition', E: h.replay.now(), u: h.replay.now(), B: [{ a: 'USDT', f: '1234.50000000', l: '10.00000000' }] }),
      'watchBalance',
    );
    expect(balance['USDT']?.free).toBe(1234.5);
    expect(balance['USDT']?.used).toBe(10);
    await ex.close();
  });

  it('watchOrders receives the executionReport of an order placed over REST', async () => {
    const ex = await proClient(h.server);
    await ex.loadMarkets();
    const watching = ex.watchOrders('BTC/USDT');
    // place orders until the subscription is live and one report arrives
    let n = 0;
    const orders = await whileProducing(
      watching,
      () => void ex.createOrder('BTC/USDT', 'limit', 'buy', 0.001, 50000, { clientOrderId: `wo-${n++}` }).catch(() => {}),
      'watchOrders',
      5000,
      50,
    );
    expect(orders[0]?.symbol).toBe('BTC/USDT');
    expect(orders[0]?.status).toBe('open');
    expect(orders[0]?.clientOrderId).toMatch(/^wo-\d+$/);
    await ex.close();
  });
});

describe('raw WebSocket API', () => {
  it('serves ping, time, session.status, subscribe, events, unsubscribe', async () => {
    const ws = new WsProbe(`${h.server.wsUrl}/ws-api/v3`);
    await ws.opened();
    ws.send({ id: 'p1', method: 'ping' });
    expect(await ws.next((m) => m['id'] === 'p1')).toEqual({ id: 'p1', status: 200, result: {}, rateLimits: [] });
    ws.send({ id: 2, method: 'time', params: { returnRateLimits: false } });
    const time = await ws.next((m) => m['id'] === 2);
    expect(time['rateLimits']).toBeUndefined();
    expect(Math.abs(Number((time['result'] as Record<string, unknown>)['serverTime']) - Date.now())).toBeLessThan(1000);
    ws.send({ id: 3, method: 'userDataStream.subscribe.signature', params: subscribeParams() });
    expect(await ws.next((m) => m['id'] === 3)).toEqual({ id: 3, status: 200, result: { subscriptionId: 0 }, rateLimits: [] });
    expect(h.server.userStreamSubscribers()).toBe(1);
    ws.send({ id: 4, method: 'session.status' });
    expect(await ws.next((m) => m['id'] === 4)).toMatchObject({ status: 200, result: { userDataStream: true } });
    h.venue.emit(ACCOUNT.id, { e: 'balanceUpdate', E: 1, a: 'BTC', d: '0.10000000', T: 1 });
    h.venue.emit('someone-else', { e: 'balanceUpdate', E: 2, a: 'BTC', d: '9.00000000', T: 2 });
    expect(await ws.next((m) => 'event' in m)).toEqual({ subscriptionId: 0, event: { e: 'balanceUpdate', E: 1, a: 'BTC', d: '0.10000000', T: 1 } });
    ws.send({ id: 5, method: 'userDataStream.unsubscribe', params: { subscriptionId: 0 } });
    expect(await ws.next((m) => m['id'] === 5)).toEqual({ id: 5, status: 200, result: {}, rateLimits: [] });
    expect(await ws.next((m) => 'event' in m)).toMatchObject({ subscriptionId: 0, event: { e: 'eventStreamTerminated' } });
    expect(h.server.userStreamSubscribers()).toBe(0);
    ws.close();
  });

  it('answers errors in the WebSocket API shape and stays open', async () => {
    const ws = new WsProbe(`${h.server.wsUrl}/ws-api/v3`);
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
    ws.send({ id: 7, method: 'ping' });
    expect(await ws.next()).toMatchObject({ id: 7, status: 200 });
    ws.close();
  });
});
