/**
 * The futures side under the same hooks: `/fapi/…` is limited with the USD-M
 * exchangeInfo's own rules (2400 weight/min, ORDERS 1200/min and 300/10 s), so
 * its replies carry `x-mbx-used-weight-1m`, `x-mbx-order-count-1m` and `-10s`;
 * `expireListenKey` (over the admin route) expires an account's listenKey — its
 * `/private/ws` stream gets `listenKeyExpired` and closes; a silent user stream
 * holds back `ORDER_TRADE_UPDATE`s on an open `/private/ws` until it ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import type { EngineBinance } from '../../../src/venue/binance-client.ts';
import { ACCOUNT, closeInOrder, ID, obj, probe, startUsdmSession, SYMBOL, usdm } from '../usdm/helpers.ts';
import { headerOf, http } from './helpers.ts';

let sim: RunningSimulator;
let ex: EngineBinance;

beforeAll(async () => {
  ({ sim, ex } = await startUsdmSession());
});
afterAll(() => closeInOrder(ex, sim));

const restingPrice = () => {
  const bid = sim.control.replay.book('usdm', ID)?.bestBid();
  if (!bid) throw new Error('no futures bid');
  return Math.round(Number(bid.price) * 0.98 * 10) / 10;
};

/** A listenKey for the test account and its `/private/ws` stream. */
async function privateStream() {
  const created = await http(sim.description.http, 'POST', '/fapi/v1/listenKey', undefined, { 'X-MBX-APIKEY': ACCOUNT.apiKey });
  const listenKey = String(obj(created.json)['listenKey']);
  const p = await probe(`${sim.description.ws}/private/ws?listenKey=${listenKey}`);
  return { listenKey, p };
}

describe('USD-M under the rate limiter', () => {
  it('counts /fapi with the futures rules: used weight, order counts per 1 min and 10 s', async () => {
    sim.control.rateLimits.reset();
    const time = await http(sim.description.http, 'GET', '/fapi/v1/time');
    expect(headerOf(time.headers, 'x-mbx-used-weight-1m')).toBe('1');
    expect(headerOf(time.headers, 'x-mbx-used-weight')).toBeUndefined(); // spot's legacy header only
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.002, restingPrice());
    expect(headerOf(ex.last_response_headers, 'x-mbx-order-count-1m')).toBe('1');
    expect(headerOf(ex.last_response_headers, 'x-mbx-order-count-10s')).toBe('1');
    const snap = sim.control.rateLimits.snapshot().domains.find((d) => d.name === 'usdm');
    expect(snap?.rules.map((r) => `${r.rateLimitType} ${r.limit}`)).toEqual(['REQUEST_WEIGHT 2400', 'ORDERS 1200', 'ORDERS 300']);
    expect(snap?.accounts[ACCOUNT.id]).toEqual({ '1m': 1, '10s': 1 });
  });
});

describe('USD-M faults', () => {
  it('expireListenKey over the admin route: listenKeyExpired, then the stream closes', async () => {
    const { listenKey, p } = await privateStream();
    expect(usdm(sim).listenKeyOf(ACCOUNT.id)).toBe(listenKey);
    const r = await http(sim.description.http, 'POST', '/__sim/faults', { kind: 'expireListenKey', accountId: ACCOUNT.id });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ kind: 'expireListenKey', hits: 1, active: false });
    expect(obj(await p.next((f) => obj(f)['e'] === 'listenKeyExpired'))).toMatchObject({ listenKey });
    expect(await p.closed()).toBe(1000);
    expect(usdm(sim).listenKeyOf(ACCOUNT.id)).toBeUndefined();
  });

  it('silentUserStream holds back ORDER_TRADE_UPDATE on an open /private/ws until it ends', async () => {
    const { p } = await privateStream();
    const isUpdate = (cid: string) => (f: unknown) => obj(f)['e'] === 'ORDER_TRADE_UPDATE' && obj(obj(f)['o'])['c'] === cid;
    sim.control.faults.inject({ kind: 'silentUserStream', accountId: ACCOUNT.id });
    const before = sim.control.faults.stats().userEvents;
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.002, restingPrice(), { clientOrderId: 'fut-silent-1' });
    expect(usdm(sim).groundTruth().orders.some((o) => o['clientOrderId'] === 'fut-silent-1')).toBe(true);
    expect(sim.control.faults.stats().userEvents.suppressed).toBeGreaterThan(before.suppressed);
    expect(sim.control.faults.clear()).toBe(1);
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.002, restingPrice(), { clientOrderId: 'fut-silent-2' });
    await p.next(isUpdate('fut-silent-2'));
    // events go out in order on one socket: fut-silent-1's would have come first
    expect(p.frames.some(isUpdate('fut-silent-1'))).toBe(false);
    p.close();
  });
});
