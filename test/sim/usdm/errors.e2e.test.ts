/**
 * USD-M rejections and listen-key expiry as the engine's ccxt client sees them:
 * with `EngineBinance`'s futures error map the simulator's futures codes surface as
 * the ccxt classes Binance's own futures hostnames give (-2019 InsufficientFunds,
 * -2022 InvalidOrder, -5022 OrderNotFillable, -2021 OrderImmediatelyFillable), where
 * the plain ccxt class only gives ExchangeError; an expired listen key ends the
 * stream (`listenKeyExpired`, then the socket closes: NetworkError on the pending
 * watch), its keep-alive answers -1125 (AuthenticationError), and ccxt recovers
 * with a new key.
 */
import ccxt from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.ts';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import type { EngineBinance } from '../../../src/venue/binance-client.ts';
import { ID, SYMBOL, closeInOrder, newClient, obj, probe, startUsdmSession, startUsdmSim, until, usdm, within } from './helpers.ts';

let sim: RunningSimulator;
let ex: EngineBinance;

beforeAll(async () => {
  ({ sim, ex } = await startUsdmSession());
});
afterAll(() => closeInOrder(ex, sim));

function quote(): { bid: number; ask: number; last: number } {
  const book = sim.control.replay.book('usdm', ID);
  const bid = book?.bestBid();
  const ask = book?.bestAsk();
  const last = sim.control.replay.lastTrade('usdm', ID);
  if (!bid || !ask || !last) throw new Error('no quote');
  return { bid: Number(bid.price), ask: Number(ask.price), last: Number(last.price) };
}

describe('USD-M rejections through the engine client (EngineBinance)', () => {
  it('margin insufficient (-2019) is InsufficientFunds; the plain ccxt class only says ExchangeError', async () => {
    // 40 BTC at 20× needs ≈ 123,000 USDT of initial margin against a 100,000 USDT wallet.
    const price = Math.round((quote().bid - 50) * 10) / 10;
    await expect(ex.createOrder(SYMBOL, 'limit', 'buy', 40, price)).rejects.toBeInstanceOf(ccxt.InsufficientFunds);
    const plain = new ccxt.binance({ ...sim.description.ccxt, options: { ...(sim.description.ccxt['options'] as object), defaultType: 'swap' } });
    await plain.loadMarkets();
    const err = await plain.createOrder(SYMBOL, 'limit', 'buy', 40, price).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ccxt.ExchangeError);
    expect(err).not.toBeInstanceOf(ccxt.InsufficientFunds);
    expect(usdm(sim).groundTruth().orders).toEqual([]);
  });

  it('a reduce-only order that would open a position (-2022) is InvalidOrder', async () => {
    await expect(ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { reduceOnly: true })).rejects.toBeInstanceOf(ccxt.InvalidOrder);
    await expect(ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { reduceOnly: true })).rejects.toThrow(/-2022/);
  });

  it('a post-only that would take (-5022) is OrderNotFillable; a trigger that already holds (-2021) is OrderImmediatelyFillable', async () => {
    const { ask, last } = quote();
    await expect(ex.createOrder(SYMBOL, 'limit', 'buy', 0.01, ask, { postOnly: true })).rejects.toBeInstanceOf(ccxt.OrderNotFillable);
    // A sell stop above the last price would trigger at once.
    const trigger = dec(String(last)).plus(50).toNumber();
    await expect(ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { stopLossPrice: trigger })).rejects.toBeInstanceOf(ccxt.OrderImmediatelyFillable);
  });

  it('a reduce-only larger than the position is cut to the position', async () => {
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.003);
    const close = await ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { reduceOnly: true });
    expect(close.amount).toBe(0.003);
    expect(close.filled).toBe(0.003);
    expect(await ex.fetchPositions([SYMBOL])).toEqual([]);
  });
});

describe('listen-key expiry', () => {
  it('an expired key: listenKeyExpired, the socket closes (NetworkError on the pending watch), keep-alive is AuthenticationError, ccxt recovers with a new key', async () => {
    // ccxt loads a positions snapshot on the first futures watch*; let it land first (a socket closing while it
    // is still in flight rejects ccxt's internal snapshot future, which nobody awaits).
    await within(ex.watchPositions([SYMBOL]), 5000, 'the positions snapshot');
    const pending = ex.watchOrders(SYMBOL).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await until(() => usdm(sim).userStreamSubscribers() > 0, 5000, 'the listen-key socket');
    const oldKey = usdm(sim).listenKeyOf('fut-1');
    if (oldKey === undefined) throw new Error('no listen key');
    const raw = await probe(`${sim.description.ws}/private/ws?listenKey=${oldKey}`);
    await until(() => usdm(sim).userStreamSubscribers() === 2, 5000, 'the probe on the same key');

    expect(usdm(sim).expireListenKey('fut-1')).toBe(1);
    const event = obj(await raw.next((f) => obj(f)['e'] === 'listenKeyExpired'));
    expect(event['listenKey']).toBe(oldKey);
    expect(typeof event['E']).toBe('number');
    expect(await raw.closed()).toBe(1000);
    expect(await within(pending, 5000, 'the pending watch to fail')).toBeInstanceOf(ccxt.NetworkError);

    // The keep-alive of an expired key: -1125, AuthenticationError.
    await expect(ex.fapiPrivatePutListenKey()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
    // A socket on the expired key is refused.
    const late = await probe(`${sim.description.ws}/private/ws?listenKey=${oldKey}`);
    expect(await late.closed()).toBe(1008);

    // ccxt's own keep-alive fails, drops the key, and the next watch* starts a new one.
    await ex.keepAliveListenKey({ type: 'future' });
    const again = ex.watchOrders(SYMBOL);
    await until(() => usdm(sim).userStreamSubscribers() > 0, 5000, 'the new listen-key socket');
    expect(usdm(sim).listenKeyOf('fut-1')).not.toBe(oldKey);
    await ex.createOrder(SYMBOL, 'market', 'buy', 0.002, undefined, { newClientOrderId: 'after-expiry' });
    expect((await within(again, 5000, 'watchOrders on the new key')).some((o) => o.clientOrderId === 'after-expiry')).toBe(true);
  });

  it('a key not kept alive within its validity expires by itself (validity from the configuration)', async () => {
    const short = await startUsdmSim({ usdm: { listenKeyValidityMs: 300 } });
    try {
      const client = await newClient(short);
      try {
        const { listenKey } = await client.fapiPrivatePostListenKey();
        const raw = await probe(`${short.description.ws}/private/ws?listenKey=${String(listenKey)}`);
        expect(obj(await raw.next((f) => obj(f)['e'] === 'listenKeyExpired', 5000))['listenKey']).toBe(listenKey);
        expect(await raw.closed()).toBe(1000);
        await expect(client.fapiPrivatePutListenKey()).rejects.toBeInstanceOf(ccxt.AuthenticationError);
      } finally {
        await client.close();
      }
    } finally {
      await short.close();
    }
  });
});
