import { describe, expect, it } from 'vitest';
import { Decimal, ZERO, dec, fixed } from '../../../src/domain/decimal.ts';
import type { Wire } from '../../../src/sim/venue/types.ts';
import { ACCOUNT, num, reportsOf, stepUntil, str, venueError, venueFixture } from './helpers.ts';

const A = ACCOUNT.id;

function balance(f: Awaited<ReturnType<typeof venueFixture>>, asset: string): { free: Decimal; locked: Decimal } {
  const b = f.venue.groundTruth().balances[A]?.[asset];
  return { free: dec(b?.free ?? '0'), locked: dec(b?.locked ?? '0') };
}

function fillsOf(resp: Wire): Array<{ price: string; qty: string; commission: string; commissionAsset: string }> {
  const fills = resp.fills;
  if (!Array.isArray(fills)) throw new Error('no fills');
  return fills as Array<{ price: string; qty: string; commission: string; commissionAsset: string }>;
}

describe('spot venue core on the recorded BTCUSDT book', () => {
  it('a market buy walks the recorded asks level by level and pays the taker fee in base', async () => {
    const f = await venueFixture();
    const book = f.replay.book('spot', 'BTCUSDT');
    if (!book) throw new Error('no book');
    const levels = [...book.liquidity('asks')].slice(0, 3);
    // A quantity that needs the first two levels and part of the third: the order must slip across them.
    const want = dec(levels[0]?.qty ?? '0').plus(levels[1]?.qty ?? '0').plus('0.00100');
    const qty = want.toDecimalPlaces(5, Decimal.ROUND_DOWN);
    const usdtBefore = balance(f, 'USDT').free;
    const btcBefore = balance(f, 'BTC').free;
    const resp = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: fixed(qty) });
    expect(resp.status).toBe('FILLED');
    const fills = fillsOf(resp);
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(fills.map((x) => x.price)).toEqual(levels.slice(0, fills.length).map((l) => fixed(l.price)));
    const executed = fills.reduce((s, x) => s.plus(x.qty), ZERO);
    const cost = fills.reduce((s, x) => s.plus(dec(x.price).times(x.qty)), ZERO);
    const fee = fills.reduce((s, x) => s.plus(x.commission), ZERO);
    expect(executed.eq(qty)).toBe(true);
    expect(fills.every((x) => x.commissionAsset === 'BTC')).toBe(true);
    expect(fee.eq(fills.reduce((s, x) => s.plus(dec(x.qty).times('0.001').toDecimalPlaces(8, Decimal.ROUND_HALF_UP)), ZERO))).toBe(true);
    expect(dec(str(resp, 'cummulativeQuoteQty')).eq(cost)).toBe(true);
    expect(balance(f, 'USDT').free.eq(usdtBefore.minus(cost))).toBe(true);
    expect(balance(f, 'BTC').free.eq(btcBefore.plus(qty).minus(fee))).toBe(true);
    const reports = reportsOf(f.events, num(resp, 'orderId'));
    expect(reports.map((r) => r.x)).toEqual(['NEW', ...fills.map(() => 'TRADE')]);
    expect(reports.at(-1)?.X).toBe('FILLED');
  });

  it('a market buy by quoteOrderQty spends at most that amount, in whole lot steps', async () => {
    const f = await venueFixture();
    const resp = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quoteOrderQty: '1234.5' });
    const spent = dec(str(resp, 'cummulativeQuoteQty'));
    expect(spent.lte('1234.5')).toBe(true);
    expect(spent.gt('1200')).toBe(true);
    expect(dec(str(resp, 'executedQty')).mod('0.00001').isZero()).toBe(true);
    expect(resp.origQuoteOrderQty).toBe('1234.50000000');
  });

  it('a market sell takes the bids and pays commission in quote', async () => {
    const f = await venueFixture();
    const bid = f.replay.book('spot', 'BTCUSDT')?.bestBid();
    const resp = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.001' });
    const fills = fillsOf(resp);
    expect(fills[0]?.price).toBe(fixed(bid?.price ?? '0'));
    expect(fills[0]?.commissionAsset).toBe('USDT');
    expect(dec(fills[0]?.commission ?? '0').eq(dec(fills[0]?.price ?? '0').times('0.001').times('0.001').toDecimalPlaces(8, Decimal.ROUND_HALF_UP))).toBe(true);
  });

  it('a resting limit buy fills as maker only from recorded sells at its price, after the queue ahead, partially', async () => {
    const f = await venueFixture();
    const bid = f.replay.book('spot', 'BTCUSDT')?.bestBid();
    if (!bid) throw new Error('no bid');
    const resp = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '2.00000', price: fixed(bid.price) });
    expect(resp.status).toBe('NEW');
    const id = num(resp, 'orderId');
    // Locked: price × quantity of USDT.
    expect(balance(f, 'USDT').locked.eq(dec(bid.price).times(2))).toBe(true);
    const filled = stepUntil(f.replay, () => f.venue.queryOrder(A, { symbol: 'BTCUSDT', orderId: id }).status !== 'NEW');
    expect(filled).toBe(true);
    const order = f.venue.queryOrder(A, { symbol: 'BTCUSDT', orderId: id });
    expect(['PARTIALLY_FILLED', 'FILLED']).toContain(order.status);
    const trades = f.venue.myTrades(A, { symbol: 'BTCUSDT', orderId: id });
    expect(trades.length).toBeGreaterThan(0);
    for (const t of trades) {
      expect(t.price).toBe(fixed(bid.price));
      expect(t.isMaker).toBe(true);
    }
    const tape = f.replay.recentTrades('spot', 'BTCUSDT', 1000);
    const atOrThrough = tape.filter((t) => t.buyerIsMaker && dec(t.price).lte(bid.price));
    expect(atOrThrough.length).toBeGreaterThan(0);
    // Cumulative quantities in every report equal the sum of the trades so far.
    let cum = ZERO;
    for (const r of reportsOf(f.events, id)) {
      if (r.x === 'TRADE') cum = cum.plus(str(r, 'l'));
      expect(dec(str(r, 'z')).eq(cum)).toBe(true);
    }
    // Locked shrinks with the fills: price × what is left.
    const left = dec('2').minus(str(order, 'executedQty'));
    if (order.status === 'PARTIALLY_FILLED') expect(balance(f, 'USDT').locked.eq(dec(bid.price).times(left))).toBe(true);
    const cancel = f.venue.cancelOrder(A, { symbol: 'BTCUSDT', orderId: id });
    if (order.status === 'PARTIALLY_FILLED') expect(cancel.status).toBe('CANCELED');
    expect(balance(f, 'USDT').locked.isZero()).toBe(true);
  });

  it('a crossing limit takes at the book prices; IOC expires the rest, FOK all or nothing', async () => {
    const f = await venueFixture();
    const book = f.replay.book('spot', 'BTCUSDT');
    const ask = book?.bestAsk();
    if (!ask) throw new Error('no ask');
    const ioc = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: '10.00000', price: fixed(ask.price) });
    expect(ioc.status).toBe('EXPIRED');
    expect(dec(str(ioc, 'executedQty')).eq(ask.qty)).toBe(true);
    const fok = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '10.00000', price: fixed(ask.price) });
    expect(fok.status).toBe('EXPIRED');
    expect(str(fok, 'executedQty')).toBe('0.00000000');
    const fokOk = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', quantity: '0.00010', price: fixed(ask.price) });
    expect(fokOk.status).toBe('FILLED');
    expect(balance(f, 'USDT').locked.isZero()).toBe(true);
  });

  it('LIMIT_MAKER that would take is rejected with -2010', async () => {
    const f = await venueFixture();
    const ask = f.replay.book('spot', 'BTCUSDT')?.bestAsk();
    const e = venueError(() => f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.001', price: fixed(ask?.price ?? '0') }));
    expect(e.code).toBe(-2010);
    expect(e.message).toBe('Order would immediately match and take.');
  });

  it('enforces the recorded filters with Binance codes and messages', async () => {
    const f = await venueFixture();
    const bid = dec(f.replay.book('spot', 'BTCUSDT')?.bestBid()?.price ?? '0');
    const limit = (quantity: string, price: string) => () =>
      f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity, price });
    expect(venueError(limit('0.001', fixed(bid.plus('0.005')))).message).toBe('Filter failure: PRICE_FILTER');
    expect(venueError(limit('0.000015', fixed(bid))).message).toBe('Filter failure: LOT_SIZE');
    expect(venueError(limit('0.00001', fixed(bid))).message).toBe('Filter failure: NOTIONAL');
    expect(venueError(limit('0.001', fixed(bid.div(10).toDecimalPlaces(2)))).message).toBe('Filter failure: PERCENT_PRICE_BY_SIDE');
    const p = venueError(limit('0.0010000001', fixed(bid)));
    expect([p.code, p.message]).toEqual([-1111, "Parameter 'quantity' has too much precision."]);
    expect(venueError(limit('100', fixed(bid))).message).toBe('Account has insufficient balance for requested action.');
    expect(venueError(() => f.venue.placeOrder(A, { symbol: 'NOPE', side: 'BUY', type: 'MARKET', quantity: '1' })).code).toBe(-1121);
    expect(venueError(() => f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: '0.001', price: fixed(bid) })).code).toBe(-1102);
    expect(venueError(() => f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '98' })).message).toBe('Filter failure: MARKET_LOT_SIZE');
    // Duplicate client order id while the first is open.
    const low = fixed(bid.times('0.9').toDecimalPlaces(2));
    f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: low, newClientOrderId: 'dup-1' });
    const dup = venueError(() => f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.001', price: low, newClientOrderId: 'dup-1' }));
    expect([dup.code, dup.message]).toEqual([-2010, 'Duplicate order sent.']);
    expect(venueError(() => f.venue.cancelOrder(A, { symbol: 'BTCUSDT', orderId: 999999 })).code).toBe(-2011);
    expect(venueError(() => f.venue.queryOrder(A, { symbol: 'BTCUSDT', origClientOrderId: 'nope' })).code).toBe(-2013);
  });

  it('MAX_NUM_ORDERS caps open orders per symbol at the recorded 200', async () => {
    const f = await venueFixture();
    const bid = dec(f.replay.book('spot', 'BTCUSDT')?.bestBid()?.price ?? '0');
    const price = fixed(bid.times('0.95').toDecimalPlaces(2));
    for (let i = 0; i < 200; i++) f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.0001', price });
    expect(venueError(() => f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '0.0001', price })).message).toBe(
      'Filter failure: MAX_NUM_ORDERS',
    );
    expect(f.venue.cancelOpenOrders(A, 'BTCUSDT')).toHaveLength(200);
    expect(balance(f, 'USDT').locked.isZero()).toBe(true);
  });

  it('a stop-loss sell triggers on the recorded last trade and fills as a market order', async () => {
    const f = await venueFixture();
    const last = dec(f.replay.lastTrade('spot', 'BTCUSDT')?.price ?? '0');
    const e = venueError(() => f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: '0.01', stopPrice: fixed(last.plus(1)) }));
    expect(e.message).toBe('Stop price would trigger immediately.');
    // Find a stop level that the recording reaches later: the minimum of the next minutes' prints.
    const stop = last.minus('5');
    const resp = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_LOSS', quantity: '0.01', stopPrice: fixed(stop), newOrderRespType: 'RESULT' });
    const id = num(resp, 'orderId');
    expect(resp.status).toBe('NEW');
    expect(balance(f, 'BTC').locked.eq('0.01')).toBe(true);
    const hit = stepUntil(f.replay, () => f.venue.queryOrder(A, { symbol: 'BTCUSDT', orderId: id }).status !== 'NEW');
    if (!hit) return; // The recording never fell that far: nothing to assert beyond the lock.
    const o = f.venue.queryOrder(A, { symbol: 'BTCUSDT', orderId: id });
    expect(o.status).toBe('FILLED');
    const lastNow = dec(f.replay.lastTrade('spot', 'BTCUSDT')?.price ?? '0');
    expect(lastNow.lte(stop)).toBe(true);
    expect(balance(f, 'BTC').locked.isZero()).toBe(true);
  });

  it('an OCO sell: one leg triggers or fills, the other expires, listStatus starts and ends, the lock is held once', async () => {
    const f = await venueFixture();
    const last = dec(f.replay.lastTrade('spot', 'BTCUSDT')?.price ?? '0');
    const ask = dec(f.replay.book('spot', 'BTCUSDT')?.bestAsk()?.price ?? '0');
    const resp = f.venue.placeOco(A, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.5',
      aboveType: 'LIMIT_MAKER',
      abovePrice: fixed(ask.plus(3)),
      belowType: 'STOP_LOSS_LIMIT',
      belowStopPrice: fixed(last.minus(3)),
      belowPrice: fixed(last.minus(4)),
      belowTimeInForce: 'GTC',
    });
    expect(resp.listOrderStatus).toBe('EXECUTING');
    expect(balance(f, 'BTC').locked.eq('0.5')).toBe(true);
    const legs = (resp.orders as Array<{ orderId: number }>).map((o) => o.orderId);
    expect(legs).toHaveLength(2);
    const statuses = () => legs.map((id) => f.venue.queryOrder(A, { symbol: 'BTCUSDT', orderId: id }).status);
    const done = stepUntil(f.replay, () => statuses().some((s) => s !== 'NEW'));
    expect(done).toBe(true);
    stepUntil(f.replay, () => statuses().every((s) => s !== 'NEW' && s !== 'PARTIALLY_FILLED'), 200_000);
    const final = statuses();
    expect(final).toContain('EXPIRED');
    const lists = f.events.map((e) => e.payload).filter((p) => p.e === 'listStatus');
    expect(lists[0]?.l).toBe('EXEC_STARTED');
    if (final.every((s) => s !== 'NEW' && s !== 'PARTIALLY_FILLED')) {
      expect(lists.at(-1)?.L).toBe('ALL_DONE');
      expect(balance(f, 'BTC').locked.isZero()).toBe(true);
    }
  });

  it('cancelling one OCO leg cancels the list and releases the lock', async () => {
    const f = await venueFixture();
    const last = dec(f.replay.lastTrade('spot', 'BTCUSDT')?.price ?? '0');
    const resp = f.venue.placeLegacyOco(A, {
      symbol: 'BTCUSDT',
      side: 'SELL',
      quantity: '0.1',
      price: fixed(last.plus(500)),
      stopPrice: fixed(last.minus(500)),
      stopLimitPrice: fixed(last.minus(510)),
      stopLimitTimeInForce: 'GTC',
    });
    const first = (resp.orders as Array<{ orderId: number }>)[0]?.orderId ?? -1;
    const cancel = f.venue.cancelOrder(A, { symbol: 'BTCUSDT', orderId: first });
    expect(cancel.status).toBe('CANCELED');
    expect(f.venue.openOrders(A, 'BTCUSDT')).toHaveLength(0);
    expect(f.venue.queryOrderList(A, { orderListId: num(resp, 'orderListId') }).listOrderStatus).toBe('ALL_DONE');
    expect(balance(f, 'BTC').locked.isZero()).toBe(true);
  });
});
