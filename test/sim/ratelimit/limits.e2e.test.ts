/**
 * Binance's rate limits on the real simulator, with the limits its recorded
 * exchangeInfo declares (REQUEST_WEIGHT 6000/min per IP, ORDERS 100/10 s and
 * 200,000/day per account) and the limiter on its manual clock: windows start
 * exactly at the clock's start and move only when the test says so.
 * Driven by the unmodified ccxt client and a plain HTTP client.
 */
import ccxt, { type Exchange } from 'ccxt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import { headerOf, http, rejectionOf, restingBuyPrice, startCcxtSession } from '../faults/helpers.ts';
import { ACCOUNT, closeInOrder, WsProbe } from '../server/helpers.ts';

const SYMBOL = 'BTC/USDT';
let sim: RunningSimulator;
let ex: Exchange;

beforeAll(async () => {
  ({ sim, ex } = await startCcxtSession({ rateLimits: { clock: 'manual' } }));
});

beforeEach(() => {
  // each test starts on fresh counters, at the start of a 1-minute (and 10-second) window
  sim.control.rateLimits.reset();
  const now = sim.control.rateLimits.now();
  sim.control.rateLimits.setTime(now - (now % 60_000) + 60_000);
});

afterAll(() => closeInOrder(ex, sim));

const get = (path: string) => http(sim.description.http, 'GET', path);
const used = (r: { headers: Record<string, unknown> }) => Number(headerOf(r.headers, 'x-mbx-used-weight-1m'));
const lastBody = () => JSON.parse(String(ex.last_http_response)) as { code: number; msg: string };
const lastHeader = (name: string) => headerOf(ex.last_response_headers, name);

describe('usage headers', () => {
  it('every reply carries the IP’s used weight, counted with each endpoint’s documented weight', async () => {
    const ping = await get('/api/v3/ping');
    expect(used(ping)).toBe(1);
    expect(headerOf(ping.headers, 'x-mbx-used-weight')).toBe('1');
    expect(used(await get('/api/v3/depth?symbol=BTCUSDT&limit=500'))).toBe(1 + 25);
    expect(used(await get('/api/v3/ticker/24hr?symbols=%5B%22BTCUSDT%22,%22ETHUSDT%22%5D'))).toBe(26 + 2);
    expect(used(await get('/api/v3/ticker/24hr'))).toBe(28 + 80);
    const rejected = await get('/api/v3/depth?symbol=NOPE');
    expect(rejected.status).toBe(400);
    expect(used(rejected)).toBe(108 + 5);
    // the admin routes are not Binance's: not counted, no headers
    const admin = await get('/__sim/ratelimits');
    expect(headerOf(admin.headers, 'x-mbx-used-weight-1m')).toBeUndefined();
    expect(admin.json).toMatchObject({ enabled: true, domains: expect.arrayContaining([expect.objectContaining({ name: 'spot', ips: { '127.0.0.1': { '1m': 113, 'raw-5m': 5 } } })]) });
  });

  it('order placements carry the account’s unfilled order counts; an order that fills at once gives its count back', async () => {
    const price = restingBuyPrice(sim);
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.0001, price);
    expect(lastHeader('x-mbx-order-count-10s')).toBe('1');
    expect(lastHeader('x-mbx-order-count-1d')).toBe('1');
    await ex.createOrder(SYMBOL, 'limit', 'buy', 0.0001, price);
    expect(lastHeader('x-mbx-order-count-10s')).toBe('2');
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.0001);
    expect(lastHeader('x-mbx-order-count-10s')).toBe('2');
    expect(Number(lastHeader('x-mbx-used-weight-1m'))).toBeGreaterThanOrEqual(3);
    // a query is not a placement: no order-count headers
    await ex.fetchOpenOrders(SYMBOL);
    expect(lastHeader('x-mbx-order-count-10s')).toBeUndefined();
    const snap = sim.control.rateLimits.snapshot();
    expect(snap.domains.find((d) => d.name === 'spot')?.accounts[ACCOUNT.id]).toEqual({ '10s': 2, '1d': 2 });
  });
});

describe('ORDERS: 100 per 10 seconds per account', () => {
  it('a burst of 100 is accepted at once; the 101st gets 429 -1015 with Retry-After; continuing gets 418; the ban ends', async () => {
    const price = restingBuyPrice(sim);
    const place = (i: number | string) => ex.createOrder(SYMBOL, 'limit', 'buy', 0.0001, price, { clientOrderId: `burst-${i}` });
    for (let i = 1; i <= 100; i++) await place(i);
    expect(lastHeader('x-mbx-order-count-10s')).toBe('100');

    const over = await rejectionOf(place(101));
    expect(over).toBeInstanceOf(ccxt.DDoSProtection); // ccxt: HTTP 429 → DDoSProtection, whatever the body
    expect(lastBody()).toEqual({ code: -1015, msg: 'Too many new orders; current limit is 100 orders per 10 SECOND.' });
    expect(lastHeader('Retry-After')).toBe('10');
    expect(lastHeader('x-mbx-order-count-10s')).toBe('100');

    // not backing off: two more 429s (strikesBeforeBan = 3), then the IP is banned for 2 minutes
    for (const i of [102, 103]) {
      await rejectionOf(place(i));
      expect(lastBody().code).toBe(-1015);
    }
    const banned = await rejectionOf(place(104));
    expect(banned).toBeInstanceOf(ccxt.DDoSProtection);
    const banEnd = sim.control.rateLimits.now() + 120_000;
    expect(lastBody()).toEqual({ code: -1003, msg: `Way too much request weight used; IP banned until ${banEnd}. Please use WebSocket Streams for live updates to avoid bans.` });
    expect(lastHeader('Retry-After')).toBe('120');
    // the ban is per IP, for every endpoint
    const raw = await get('/api/v3/time');
    expect(raw.status).toBe(418);
    expect(headerOf(raw.headers, 'Retry-After')).toBe('120');
    sim.control.rateLimits.advance(60_000);
    expect((await get('/api/v3/time')).status).toBe(418);
    expect(headerOf((await get('/api/v3/time')).headers, 'Retry-After')).toBe('60');

    // over HTTP, as a test in another process would: move the manual clock past the ban
    const moved = await http(sim.description.http, 'POST', '/__sim/ratelimits/clock', { advanceMs: 60_000 });
    expect(moved.json).toEqual({ now: banEnd });
    const after = await place('after-ban');
    expect(after.status).toBe('open');
    expect(lastHeader('x-mbx-order-count-10s')).toBe('1');
    const burst = sim.control.groundTruth().orders.filter((o) => String(o['clientOrderId']).startsWith('burst-'));
    expect(burst).toHaveLength(101); // 1–100 and after-ban; none of the refused ones
  });
});

describe('REQUEST_WEIGHT: 6000 per minute per IP, REST and WebSocket API together', () => {
  it('429 -1003 with Retry-After to the end of the minute; the WebSocket API refuses too; the next minute admits again', async () => {
    sim.control.rateLimits.advance(15_000); // 45 s left in this minute
    for (let i = 0; i < 75; i++) expect((await get('/api/v3/ticker/24hr')).status).toBe(200); // 75 × 80 = 6000
    const over = await get('/api/v3/ping');
    expect(over.status).toBe(429);
    expect(over.json).toEqual({ code: -1003, msg: 'Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.' });
    expect(headerOf(over.headers, 'Retry-After')).toBe('45');
    expect(used(over)).toBe(6000);

    const api = new WsProbe(`${sim.description.ws}/ws-api/v3`);
    await api.opened();
    api.send({ id: 1, method: 'ping' });
    const refused = await api.next((m) => m['id'] === 1);
    const minuteEnd = sim.control.rateLimits.now() + 45_000;
    expect(refused).toMatchObject({
      status: 429,
      error: { code: -1003, data: { retryAfter: minuteEnd } },
      rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: 6000 }],
    });
    api.close();

    sim.control.rateLimits.advance(45_000);
    const fresh = await get('/api/v3/ping');
    expect(fresh.status).toBe(200);
    expect(used(fresh)).toBe(1);
  });
});
