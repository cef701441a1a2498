/**
 * The engine's ccxt client (`EngineBinance`, the unmodified ccxt.pro binance class
 * plus its futures error map) trading the linear swap `BTC/USDT:USDT` against the
 * simulator's USD-M venue on the recorded BTCUSDT perpetual: markets, the futures
 * wallet, a market entry, reduce-only STOP_MARKET and TAKE_PROFIT_MARKET through
 * the algo service, one of them triggering on the recorded tape and closing the
 * position with the realized PnL a hand computation gives, the other staying open
 * until cancelled, and the user data stream (watchOrders, watchMyTrades,
 * watchBalance, watchPositions) delivering it all.
 */
import type { Order, Trade } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal, dec } from '../../../src/domain/decimal.ts';
import type { RunningSimulator } from '../../../src/sim/index.ts';
import type { EngineBinance } from '../../../src/venue/binance-client.ts';
import { ACCOUNT, ID, SYMBOL, closeInOrder, startUsdmSession, until, usdm, within } from './helpers.ts';

let sim: RunningSimulator;
let ex: EngineBinance;

beforeAll(async () => {
  ({ sim, ex } = await startUsdmSession());
});
afterAll(() => closeInOrder(ex, sim));

/** Calls a ccxt `watch*` repeatedly (it returns the updates since the last call), accumulating, until `done` holds. */
async function watchUntil<T>(watch: () => Promise<T[]>, done: (all: T[]) => boolean, ms: number, what: string): Promise<T[]> {
  const all: T[] = [];
  const end = Date.now() + ms;
  while (!done(all)) {
    const left = end - Date.now();
    if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    all.push(...(await within(watch(), left, what)));
  }
  return all;
}

/** The string a trade's raw Binance field holds (decimal arithmetic stays exact). */
function raw(t: Trade, field: 'price' | 'qty' | 'commission' | 'realizedPnl'): string {
  const info: Record<string, unknown> = t.info;
  const v = info[field];
  if (typeof v !== 'string') throw new Error(`trade ${t.id} has no string ${field}`);
  return v;
}

describe('real ccxt client on the USD-M linear swap (recorded BTCUSDT perpetual)', () => {
  it('loads the recorded perpetual with its real filters', () => {
    const m = ex.market(SYMBOL);
    expect(m.swap).toBe(true);
    expect(m.linear).toBe(true);
    expect(m.settle).toBe('USDT');
    expect(m.precision.price).toBe(0.1);
    expect(m.precision.amount).toBe(0.001);
    expect(m.limits.cost?.min).toBe(100);
    expect(m.limits.amount?.min).toBe(0.001);
  });

  it('fetches the separate USDT futures wallet (100,000 by default)', async () => {
    const bal = await ex.fetchBalance();
    expect(bal.USDT?.total).toBe(100000);
    expect(bal.USDT?.free).toBe(100000);
    expect((await ex.fetchPositions([SYMBOL])).length).toBe(0);
  });

  it('market entry, reduce-only stop and take-profit via the algo service: one triggers and closes with the hand-computed PnL, the other stays open until cancelled', async () => {
    // The positions snapshot first (leverageBracket + v3 positionRisk), then the stream watchers on one listen-key socket.
    expect(await within(ex.watchPositions([SYMBOL]), 5000, 'the positions snapshot')).toEqual([]);
    const ordersP = watchUntil(() => ex.watchOrders(SYMBOL), (all) => all.some((o) => o.clientOrderId === 'usdm-entry-1' && o.status === 'closed'), 10_000, 'the entry on watchOrders');
    const tradesP = within(ex.watchMyTrades(SYMBOL), 10_000, 'watchMyTrades');
    const balanceP = within(ex.watchBalance(), 10_000, 'watchBalance');
    const positionsP = within(ex.watchPositions([SYMBOL]), 10_000, 'watchPositions');
    await until(() => usdm(sim).userStreamSubscribers() > 0, 5000, 'the listen-key socket');

    const entry = await ex.createOrder(SYMBOL, 'market', 'buy', 0.01, undefined, { newClientOrderId: 'usdm-entry-1' });
    expect(entry.status).toBe('closed');
    expect(entry.filled).toBe(0.01);
    expect(entry.symbol).toBe(SYMBOL);
    const entryId = entry.id;
    if (entryId === undefined) throw new Error('no order id');

    expect((await ordersP).some((o) => o.id === entryId)).toBe(true);
    const myTrades = await tradesP;
    expect(myTrades[0]?.order).toBe(entryId);
    expect(myTrades[0]?.fee?.currency).toBe('USDT');
    const bal = await balanceP;
    expect(bal.USDT?.total).toBeLessThan(100000); // the taker fee
    const [pos] = await positionsP;
    expect(pos?.side).toBe('long');
    expect(pos?.contracts).toBe(0.01);

    const last = dec(sim.control.replay.lastTrade('usdm', ID)?.price ?? '0');
    const sl = await ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { stopLossPrice: last.minus(20).toNumber(), reduceOnly: true, clientOrderId: 'usdm-sl-1' });
    const tp = await ex.createOrder(SYMBOL, 'market', 'sell', 0.01, undefined, { takeProfitPrice: last.plus(20).toNumber(), reduceOnly: true, clientOrderId: 'usdm-tp-1' });
    expect([sl.status, tp.status]).toEqual(['open', 'open']);
    expect(sl.clientOrderId).toBe('usdm-sl-1');
    const truthTypes = usdm(sim)
      .groundTruth()
      .algoOrders.map((a) => [a.clientAlgoId, a.orderType, a.algoStatus, a.reduceOnly]);
    expect(truthTypes).toEqual([
      ['usdm-sl-1', 'STOP_MARKET', 'NEW', true],
      ['usdm-tp-1', 'TAKE_PROFIT_MARKET', 'NEW', true],
    ]);
    expect((await ex.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).map((o) => o.id).sort()).toEqual([sl.id, tp.id].sort());

    // Replay the recorded tape until one of them triggers (the price moves 20 USDT within the recording).
    // ccxt resolves a watch* with the updates since its previous call, and only when a message arrives while
    // a call is pending: the watchers are armed BEFORE the replay is stepped.
    const algoIds = [sl.id, tp.id];
    const ordersAtExit = within(ex.watchOrders(SYMBOL), 10_000, 'the triggered exit on watchOrders');
    const positionsAtExit = within(ex.watchPositions([SYMBOL]), 10_000, 'the exit on watchPositions');
    const balanceAtExit = within(ex.watchBalance(), 10_000, 'the exit on watchBalance');
    const isNew = (cid: string) => usdm(sim).groundTruth().algoOrders.find((a) => a.clientAlgoId === cid)?.algoStatus === 'NEW';
    while (isNew('usdm-sl-1') && isNew('usdm-tp-1') && !sim.control.stats().finished) sim.control.step({ events: 200 });
    const algos = usdm(sim).groundTruth().algoOrders;
    const fired = algos.find((a) => a.algoStatus !== 'NEW');
    const waiting = algos.find((a) => a.algoStatus === 'NEW');
    if (!fired || !waiting) throw new Error('neither the stop nor the take-profit triggered within the recording');
    expect(fired.algoStatus).toBe('FINISHED');
    const exitOrderId = String(fired.actualOrderId);

    // The real order the trigger placed: a reduce-only MARKET whose original type is the algo's, filled.
    const exit = await ex.fetchOrder(exitOrderId, SYMBOL);
    expect(exit.status).toBe('closed');
    expect(exit.reduceOnly).toBe(true);
    expect(exit.clientOrderId).toBe(fired.clientAlgoId);
    const exitInfo: Record<string, unknown> = exit.info;
    expect(exitInfo['origType']).toBe(fired.orderType);
    expect((await ex.fetchOrder(String(fired.algoId), SYMBOL, { trigger: true })).status).toBe('closed');

    // The position is closed: nothing on positionRisk.
    expect(await ex.fetchPositions([SYMBOL])).toEqual([]);

    // Realized PnL by hand from the fills (decimal): entry VWAP, then per exit fill qty × (price − entry), half-up to 8 decimals.
    const fills = await ex.fetchMyTrades(SYMBOL);
    const entryFills = fills.filter((t) => t.order === entryId);
    const exitFills = fills.filter((t) => t.order === exitOrderId);
    expect(entryFills.length).toBeGreaterThan(0);
    expect(exitFills.length).toBeGreaterThan(0);
    let qty = dec('0');
    let cost = dec('0');
    for (const t of entryFills) {
      qty = qty.plus(raw(t, 'qty'));
      cost = cost.plus(dec(raw(t, 'price')).times(raw(t, 'qty')));
    }
    const entryPrice = cost.div(qty);
    let realized = dec('0');
    for (const t of exitFills) {
      const r = dec(raw(t, 'qty')).times(dec(raw(t, 'price')).minus(entryPrice)).toDecimalPlaces(8, Decimal.ROUND_HALF_UP);
      expect(dec(raw(t, 'realizedPnl')).eq(r)).toBe(true);
      realized = realized.plus(r);
    }
    // Fees: 0.05 % taker of price × qty on every fill, USDT, half-up to 8 decimals.
    let fees = dec('0');
    for (const t of [...entryFills, ...exitFills]) {
      const fee = dec(raw(t, 'price')).times(raw(t, 'qty')).times('0.0005').toDecimalPlaces(8, Decimal.ROUND_HALF_UP);
      expect(dec(raw(t, 'commission')).eq(fee)).toBe(true);
      fees = fees.plus(fee);
    }
    if (fired.orderType === 'STOP_MARKET') expect(realized.isNegative()).toBe(true);
    else expect(realized.isPositive()).toBe(true);
    const truth = usdm(sim).groundTruth();
    const wallet = dec('100000').plus(realized).minus(fees);
    expect(truth.accounts[ACCOUNT.id]?.wallet).toBe(wallet.toFixed());
    expect(truth.accounts[ACCOUNT.id]?.positions.find((p) => p.symbol === ID)?.realizedPnl).toBe(realized.toFixed());
    expect((await ex.fetchBalance()).USDT?.total).toBe(wallet.toNumber());

    // The streams delivered the exit: the position update, the wallet, the algo and its order (the rest below).
    const exitPositions = await positionsAtExit;
    expect(exitPositions[0]?.symbol).toBe(SYMBOL);
    const exitBalance = await balanceAtExit;
    if (exitFills.length === 1) {
      expect(exitPositions.at(-1)?.contracts).toBe(0);
      expect(exitBalance.USDT?.total).toBe(wallet.toNumber());
    }
    const seen: Order[] = [...(await ordersAtExit)];

    // The other conditional order is still open (reduce-only orders wait even without a position) until cancelled.
    const open = await ex.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true });
    expect(open.map((o) => o.clientOrderId)).toEqual([waiting.clientAlgoId]);
    expect((await ex.fetchOrder(String(waiting.algoId), SYMBOL, { trigger: true })).status).toBe('open');
    const ordersAtCancel = within(ex.watchOrders(SYMBOL), 10_000, 'the cancel on watchOrders');
    await ex.cancelOrder(String(waiting.algoId), SYMBOL, { trigger: true });
    seen.push(...(await ordersAtCancel));
    expect(await ex.fetchOpenOrders(SYMBOL, undefined, undefined, { trigger: true })).toEqual([]);
    expect(usdm(sim).groundTruth().algoOrders.find((a) => a.algoId === waiting.algoId)?.algoStatus).toBe('CANCELED');

    // Over both watches: the triggered order filled, its algo order finished, the other algo order canceled.
    const latest = (id: string) => seen.filter((o) => o.id === id).at(-1);
    expect(latest(exitOrderId)?.status).toBe('closed');
    expect(latest(exitOrderId)?.clientOrderId).toBe(fired.clientAlgoId);
    expect(latest(String(fired.algoId))?.status).toBe('closed');
    expect(latest(String(waiting.algoId))?.status).toBe('canceled');
    expect(algoIds).toContain(String(waiting.algoId));
  });

  it('a resting limit fills as maker from the recorded tape; cancel; leverage and the margin it takes', async () => {
    const lev = await ex.setLeverage(10, SYMBOL);
    expect(lev['leverage']).toBe(10);
    const book = sim.control.replay.book('usdm', ID);
    const bid = book?.bestBid();
    if (!bid) throw new Error('no bid');
    const order = await ex.createOrder(SYMBOL, 'limit', 'buy', 0.005, Number(bid.price), { newClientOrderId: 'usdm-rest-1' });
    expect(order.status).toBe('open');
    // Open-order margin: price × qty / leverage.
    const acct = await ex.fapiPrivateV3GetAccount();
    expect(dec(acct['totalOpenOrderInitialMargin']).eq(dec(bid.price).times('0.005').div(10))).toBe(true);
    const id = order.id;
    if (id === undefined) throw new Error('no order id');
    const stateOf = () => usdm(sim).groundTruth().orders.find((o) => o.clientOrderId === 'usdm-rest-1')?.status;
    while (stateOf() === 'NEW' && !sim.control.stats().finished) sim.control.step({ events: 200 });
    const filled = await ex.fetchOrder(id, SYMBOL);
    expect(filled.filled).toBeGreaterThan(0);
    const mine = (await ex.fetchMyTrades(SYMBOL)).filter((t) => t.order === id);
    expect(mine.every((t) => t.takerOrMaker === 'maker' && t.price === Number(bid.price))).toBe(true);
    expect(mine.every((t) => dec(raw(t, 'commission')).eq(dec(raw(t, 'price')).times(raw(t, 'qty')).times('0.0002').toDecimalPlaces(8, Decimal.ROUND_HALF_UP)))).toBe(true);
    if (filled.status === 'open') {
      const canceled = await ex.cancelOrder(id, SYMBOL);
      expect(canceled.status).toBe('canceled');
    }
    // The position at 10×: initial margin = |amount| × mark / 10, the mark being the recorded book's mid.
    const [p] = await ex.fetchPositions([SYMBOL]);
    expect(p?.entryPrice).toBe(Number(bid.price));
    expect(p?.contracts).toBe(filled.filled);
    const info: Record<string, unknown> = p?.info ?? {};
    const mark = dec(String(info['markPrice']));
    const b = book?.bestBid();
    const a = book?.bestAsk();
    if (!a || !b) throw new Error('no quote');
    expect(mark.eq(dec(a.price).plus(b.price).div(2))).toBe(true);
    expect(dec(String(info['positionInitialMargin'])).eq(mark.times(String(filled.filled)).div(10).toDecimalPlaces(8, Decimal.ROUND_DOWN))).toBe(true);
  });
});
