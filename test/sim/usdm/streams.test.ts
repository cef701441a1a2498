/**
 * The USD-M wire on raw sockets and plain HTTP: the public futures REST shapes,
 * the market streams on `/public/ws` (trade, bookTicker, depth with its `pu` chain)
 * and `/market/ws` (aggTrade, markPrice, ticker, kline) with the futures payloads
 * (`e`, `E`, `T`), the category split, and the listen-key lifecycle with the user
 * data events on `/private/ws?listenKey=` carrying every field Binance sends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.ts';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import type { EngineBinance } from '../../../src/venue/binance-client.ts';
import { ACCOUNT, ID, SYMBOL, closeInOrder, obj, probe, startUsdmSession, until, usdm } from './helpers.ts';

let sim: RunningSimulator;
let ex: EngineBinance;

beforeAll(async () => {
  ({ sim, ex } = await startUsdmSession());
});
afterAll(() => closeInOrder(ex, sim));

async function get(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.description.http}${path}`, init);
  return { status: res.status, body: await res.json() };
}

const keyHeader = { 'X-MBX-APIKEY': ACCOUNT.apiKey };
const isEvent = (name: string) => (f: unknown) => obj(f)['e'] === name;

describe('public futures REST', () => {
  it('depth carries E and T; 24hr ticker has no bid/ask; premiumIndex serves the mark stand-in (book mid); time is the wall clock', async () => {
    const depth = obj((await get(`/fapi/v1/depth?symbol=${ID}&limit=5`)).body);
    expect(Object.keys(depth).sort()).toEqual(['E', 'T', 'asks', 'bids', 'lastUpdateId']);
    expect((depth['bids'] as unknown[]).length).toBe(5);
    const ticker = obj((await get(`/fapi/v1/ticker/24hr?symbol=${ID}`)).body);
    expect(ticker['bidPrice']).toBeUndefined();
    expect(dec(String(ticker['lastPrice'])).eq(sim.control.replay.lastTrade('usdm', ID)?.price ?? '0')).toBe(true);
    const premium = obj((await get(`/fapi/v1/premiumIndex?symbol=${ID}`)).body);
    const book = sim.control.replay.book('usdm', ID);
    const mid = dec(book?.bestBid()?.price ?? '0').plus(book?.bestAsk()?.price ?? '0').div(2);
    expect(dec(String(premium['markPrice'])).eq(mid)).toBe(true);
    expect(premium['lastFundingRate']).toBe('0.00000000');
    const before = Date.now();
    const time = obj((await get('/fapi/v1/time')).body);
    expect(Number(time['serverTime'])).toBeGreaterThanOrEqual(before);
    const unknown = await get('/fapi/v1/depth?symbol=DOGEUSDT');
    expect(unknown).toEqual({ status: 400, body: { code: -1121, msg: 'Invalid symbol.' } });
  });
});

describe('futures market streams', () => {
  it('/public/ws: trade, bookTicker and 100 ms depth diffs in the futures shapes, the depth `pu` chaining to the previous `u`', async () => {
    const ws = await probe(`${sim.description.ws}/public/ws/0`);
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@bookTicker', 'btcusdt@depth@100ms'], id: 1 });
    await ws.next((f) => obj(f)['id'] === 1);
    sim.control.step({ ms: 3000 });
    const trade = obj(await ws.next(isEvent('trade')));
    expect(Object.keys(trade).sort()).toEqual(['E', 'T', 'X', 'e', 'm', 'p', 'q', 's', 't']);
    expect(trade['X']).toBe('MARKET');
    const quote = obj(await ws.next(isEvent('bookTicker')));
    expect(Object.keys(quote).sort()).toEqual(['A', 'B', 'E', 'T', 'a', 'b', 'e', 's', 'u']);
    await until(() => ws.frames.filter(isEvent('depthUpdate')).length >= 5, 5000, 'five depth updates');
    const diffs = ws.frames.filter(isEvent('depthUpdate')).map(obj);
    expect(Object.keys(diffs[0] ?? {}).sort()).toEqual(['E', 'T', 'U', 'a', 'b', 'e', 'pu', 's', 'u']);
    for (let i = 1; i < diffs.length; i++) expect(diffs[i]?.['pu']).toBe(diffs[i - 1]?.['u']);
    // A market-category stream is not served on /public.
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 2 });
    expect(obj(obj(await ws.next((f) => obj(f)['id'] === 2))['error'])['code']).toBe(2);
    ws.close();
  });

  it('/market/ws: aggTrade, markPrice@1s, ticker and kline; /public/stream wraps in {stream, data}', async () => {
    const ws = await probe(`${sim.description.ws}/market/ws/1`);
    ws.send({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade', 'btcusdt@markPrice@1s', 'btcusdt@ticker', 'btcusdt@kline_1m'], id: 7 });
    await ws.next((f) => obj(f)['id'] === 7);
    const combined = await probe(`${sim.description.ws}/public/stream?streams=btcusdt@bookTicker`);
    sim.control.step({ ms: 5000 });
    expect(Object.keys(obj(await ws.next(isEvent('aggTrade')))).sort()).toEqual(['E', 'T', 'a', 'e', 'f', 'l', 'm', 'nq', 'p', 'q', 's']);
    const mark = obj(await ws.next(isEvent('markPriceUpdate')));
    expect(Object.keys(mark).sort()).toEqual(['E', 'P', 'T', 'ap', 'e', 'i', 'p', 'r', 's']);
    expect(Number(mark['T']) % (8 * 3_600_000)).toBe(0);
    const ticker = obj(await ws.next(isEvent('24hrTicker')));
    expect(ticker['b']).toBeUndefined();
    expect(ticker['s']).toBe(ID);
    expect(obj(obj(await ws.next(isEvent('kline')))['k'])['i']).toBe('1m');
    const wrapped = obj(await combined.next((f) => obj(f)['stream'] === 'btcusdt@bookTicker'));
    expect(obj(wrapped['data'])['e']).toBe('bookTicker');
    ws.close();
    combined.close();
  });
});

describe('listen key and the private stream', () => {
  it('POST returns the account’s one key (extended), PUT keeps it alive, events carry every Binance field, DELETE closes the stream', async () => {
    const first = obj((await get('/fapi/v1/listenKey', { method: 'POST', headers: keyHeader })).body);
    const again = obj((await get('/fapi/v1/listenKey', { method: 'POST', headers: keyHeader })).body);
    expect(typeof first['listenKey']).toBe('string');
    expect(String(first['listenKey'])).toMatch(/^[0-9a-f]{64}$/);
    expect(again['listenKey']).toBe(first['listenKey']);
    expect(obj((await get('/fapi/v1/listenKey', { method: 'PUT', headers: keyHeader })).body)['listenKey']).toBe(first['listenKey']);
    expect((await get('/fapi/v1/listenKey', { method: 'POST' })).body).toEqual({ code: -2014, msg: 'API-key format invalid.' });

    const ws = await probe(`${sim.description.ws}/private/ws?listenKey=${String(first['listenKey'])}`);
    await until(() => usdm(sim).userStreamSubscribers() > 0, 5000, 'the private socket');
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { newClientOrderId: 'raw-entry' });
    const last = Number(sim.control.replay.lastTrade('usdm', ID)?.price);
    await ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { stopLossPrice: last - 500, reduceOnly: true, clientOrderId: 'raw-sl' });
    const fill = obj(await ws.next((f) => isEvent('ORDER_TRADE_UPDATE')(f) && obj(obj(f)['o'])['x'] === 'TRADE'));
    expect(Object.keys(fill).sort()).toEqual(['E', 'T', 'e', 'o']);
    const account = obj(await ws.next(isEvent('ACCOUNT_UPDATE')));
    expect(Object.keys(obj(account['a'])).sort()).toEqual(['B', 'P', 'm']);
    const algo = obj(await ws.next(isEvent('ALGO_UPDATE')));
    expect(Object.keys(obj(algo['o'])).sort()).toEqual(
      ['caid', 'aid', 'at', 'o', 's', 'S', 'ps', 'f', 'q', 'X', 'ai', 'ap', 'aq', 'act', 'tp', 'p', 'V', 'wt', 'pm', 'cp', 'pP', 'R', 'tt', 'gtd', 'rm'].sort(),
    );
    expect([obj(algo['o'])['caid'], obj(algo['o'])['X'], obj(algo['o'])['o']]).toEqual(['raw-sl', 'NEW', 'STOP_MARKET']);

    expect((await get('/fapi/v1/listenKey', { method: 'DELETE', headers: keyHeader })).body).toEqual({});
    expect(await ws.closed()).toBe(1000);
    expect(ws.frames.some(isEvent('listenKeyExpired'))).toBe(false);
    expect((await get('/fapi/v1/listenKey', { method: 'PUT', headers: keyHeader })).body).toEqual({ code: -1125, msg: 'This listenKey does not exist.' });
  });
});
