/**
 * Property tests of the venue core over random order sequences on the real
 * recorded BTCUSDT data: balances never go negative, locked equals what open
 * orders hold, every executionReport's cumulative quantities equal the sum of
 * its trades, and value is conserved up to fees.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decimal, ZERO, dec, fixed } from '../../../src/domain/decimal.ts';
import { VenueError } from '../../../src/sim/venue/errors.ts';
import type { Wire } from '../../../src/sim/venue/types.ts';
import { ACCOUNT, type VenueFixture, num, stepUntil, str, venueFixture } from './helpers.ts';

const A = ACCOUNT.id;

type Op =
  | { kind: 'limit'; side: 'BUY' | 'SELL'; ticks: number; lots: number; tif: 'GTC' | 'IOC' | 'FOK' }
  | { kind: 'market'; side: 'BUY' | 'SELL'; lots: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'step'; events: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('limit' as const),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    ticks: fc.integer({ min: -300, max: 300 }),
    lots: fc.integer({ min: 10, max: 200_000 }),
    tif: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const),
  }),
  fc.record({ kind: fc.constant('market' as const), side: fc.constantFrom('BUY' as const, 'SELL' as const), lots: fc.integer({ min: 10, max: 100_000 }) }),
  fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('step' as const), events: fc.integer({ min: 1, max: 3000 }) }),
);

function balances(f: VenueFixture): Record<string, { free: Decimal; locked: Decimal }> {
  const out: Record<string, { free: Decimal; locked: Decimal }> = {};
  for (const [asset, b] of Object.entries(f.venue.groundTruth().balances[A] ?? {})) out[asset] = { free: dec(b.free), locked: dec(b.locked) };
  return out;
}

function total(b: Record<string, { free: Decimal; locked: Decimal }>, asset: string): Decimal {
  const x = b[asset];
  return x ? x.free.plus(x.locked) : ZERO;
}

function apply(f: VenueFixture, op: Op): void {
  const book = f.replay.book('spot', 'BTCUSDT');
  const mid = book?.bestBid()?.price;
  try {
    switch (op.kind) {
      case 'limit': {
        if (!mid) return;
        const price = dec(mid).plus(new Decimal(op.ticks).times('0.01'));
        f.venue.placeOrder(A, {
          symbol: 'BTCUSDT',
          side: op.side,
          type: 'LIMIT',
          timeInForce: op.tif,
          quantity: fixed(new Decimal(op.lots).times('0.00001')),
          price: fixed(price),
        });
        return;
      }
      case 'market':
        f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: op.side, type: 'MARKET', quantity: fixed(new Decimal(op.lots).times('0.00001')) });
        return;
      case 'cancel': {
        const open = f.venue.openOrders(A, 'BTCUSDT');
        const o = open[op.pick % Math.max(1, open.length)];
        if (o) f.venue.cancelOrder(A, { symbol: 'BTCUSDT', orderId: num(o, 'orderId') });
        return;
      }
      case 'step':
        f.replay.step({ events: op.events });
        return;
    }
  } catch (err) {
    // Rejections (filters, balance) are part of the game; anything else is a bug.
    if (!(err instanceof VenueError)) throw err;
  }
}

function checkInvariants(f: VenueFixture): void {
  const b = balances(f);
  for (const [asset, x] of Object.entries(b)) {
    expect(x.free.gte(0), `${asset} free ${x.free.toString()}`).toBe(true);
    expect(x.locked.gte(0), `${asset} locked ${x.locked.toString()}`).toBe(true);
  }
  const held = f.venue.lockedByOpenOrders(A);
  for (const asset of new Set([...Object.keys(b), ...Object.keys(held)])) {
    const locked = b[asset]?.locked ?? ZERO;
    expect(locked.eq(held[asset] ?? ZERO), `${asset}: ledger locked ${locked.toString()} vs open orders ${(held[asset] ?? ZERO).toString()}`).toBe(true);
  }
}

function checkReports(f: VenueFixture): void {
  const cum = new Map<number, { z: Decimal; Z: Decimal }>();
  for (const { payload: r } of f.events) {
    if (r.e !== 'executionReport') continue;
    const id = num(r, 'i');
    const c = cum.get(id) ?? { z: ZERO, Z: ZERO };
    if (r.x === 'TRADE') {
      c.z = c.z.plus(str(r, 'l'));
      c.Z = c.Z.plus(str(r, 'Y'));
      expect(dec(str(r, 'Y')).eq(dec(str(r, 'l')).times(str(r, 'L')))).toBe(true);
    }
    cum.set(id, c);
    expect(dec(str(r, 'z')).eq(c.z), `order ${id} z`).toBe(true);
    expect(dec(str(r, 'Z')).eq(c.Z), `order ${id} Z`).toBe(true);
  }
}

/** Δquote + Δbase × M equals Σ over fills of the price difference to M minus the fees valued at M, exactly, for any mark M. */
function checkValue(f: VenueFixture, before: Record<string, { free: Decimal; locked: Decimal }>, mark: Decimal): void {
  const after = balances(f);
  const dQuote = total(after, 'USDT').minus(total(before, 'USDT'));
  const dBase = total(after, 'BTC').minus(total(before, 'BTC'));
  let expected = ZERO;
  for (const t of f.venue.groundTruth().trades) {
    const px = dec(str(t as Wire, 'price'));
    const qty = dec(str(t as Wire, 'qty'));
    const fee = dec(str(t as Wire, 'commission'));
    expected = t.isBuyer ? expected.plus(mark.minus(px).times(qty)).minus(fee.times(mark)) : expected.plus(px.minus(mark).times(qty)).minus(fee);
  }
  expect(dQuote.plus(dBase.times(mark)).eq(expected)).toBe(true);
}

describe('spot venue properties over random order sequences (recorded BTCUSDT)', () => {
  it('balances stay non-negative, locked matches open orders, reports add up, value is conserved up to fees', async () => {
    let fills = 0;
    let makerFills = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 10_000, max: 120_000 }), async (ops, warmMs) => {
        const f = await venueFixture(warmMs);
        const before = balances(f);
        // Every sequence starts with a resting buy at the bid and some tape, so that maker fills are part of what is checked.
        const seeded: Op[] = [{ kind: 'limit', side: 'BUY', ticks: 0, lots: 100_000, tif: 'GTC' }, { kind: 'step', events: 5000 }, ...ops];
        for (const op of seeded) {
          apply(f, op);
          checkInvariants(f);
        }
        checkReports(f);
        checkValue(f, before, ZERO);
        checkValue(f, before, dec('61000.37'));
        const trades = f.venue.groundTruth().trades;
        fills += trades.length;
        makerFills += trades.filter((t) => t.isMaker).length;
        f.venue.close();
        f.replay.stop();
      }),
      { numRuns: 30 },
    );
    // The sequences must actually trade, as taker and as maker, for the properties to mean anything.
    expect(fills).toBeGreaterThan(30);
    expect(makerFills).toBeGreaterThan(0);
  });

  it('a round trip at equal prices changes total value by exactly minus the fees', async () => {
    const f = await venueFixture(30_000);
    const book = f.replay.book('spot', 'BTCUSDT');
    const ask = book?.bestAsk();
    if (!book || !ask) throw new Error('no book');
    const P = dec(ask.price);
    const qty = Decimal.min(dec(ask.qty), dec('0.002')).toDecimalPlaces(5, Decimal.ROUND_DOWN);
    const before = balances(f);
    const buy = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', quantity: fixed(qty), price: fixed(P) });
    expect(buy.status).toBe('FILLED');
    // Sell the same quantity back at the same price: a resting sell at P, filled as maker by the recorded buyers at (or through) P.
    const got = qty.minus(dec(str(buy, 'executedQty')).times('0.001').toDecimalPlaces(8, Decimal.ROUND_HALF_UP));
    const sellQty = got.toDecimalPlaces(5, Decimal.ROUND_DOWN);
    const sell = f.venue.placeOrder(A, { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: fixed(sellQty), price: fixed(P) });
    const sellId = num(sell, 'orderId');
    const filled = stepUntil(f.replay, () => f.venue.queryOrder(A, { symbol: 'BTCUSDT', orderId: sellId }).status === 'FILLED');
    expect(filled, 'the recorded buyers fill the resting sell').toBe(true);
    for (const t of f.venue.groundTruth().trades) expect(dec(str(t as Wire, 'price')).eq(P)).toBe(true);
    const after = balances(f);
    const fees = f.venue
      .groundTruth()
      .trades.reduce((s, t) => s.plus(t.isBuyer ? dec(str(t as Wire, 'commission')).times(P) : dec(str(t as Wire, 'commission'))), ZERO);
    const valueBefore = total(before, 'USDT').plus(total(before, 'BTC').times(P));
    const valueAfter = total(after, 'USDT').plus(total(after, 'BTC').times(P));
    expect(valueAfter.minus(valueBefore).eq(fees.neg())).toBe(true);
    expect(fees.gt(0)).toBe(true);
  });
});
