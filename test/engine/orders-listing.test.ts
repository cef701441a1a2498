/**
 * The `orders` listing over more orders than one scan slice: live and archived orders in the order they were
 * first recorded, every order once, in both directions, filters applied, cursors checked. Real order machine,
 * engine and LMDB; a stand-in venue (it acknowledges the live orders' submits).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createActor } from 'xstate';
import { expect, it } from 'vitest';
import { ORDER_MACHINE_VERSION, orderMachine } from '../../machines/order.machine.ts';
import { clientOrderIdFor } from '../../src/domain/client-order-id.ts';
import type { OrderIntent } from '../../src/domain/order.ts';
import { EngineError } from '../../src/engine/api.ts';
import { Engine } from '../../src/engine/engine.ts';
import { OrderStore, type TransitionInput } from '../../src/store/index.ts';
import { standInVenue } from './stand-in-venue.ts';

const ARCHIVED = 2_500;
const T0 = 1_700_000_000_000;

/** Order i, denied by risk (final at once: archived); `createdAt` runs backwards: the listing follows the store's order, not the clock. */
function deniedOrder(i: number): TransitionInput {
  const signalId = `list-${i}`;
  const intent: OrderIntent = {
    clientOrderId: clientOrderIdFor(signalId, 'entry'),
    signalId,
    leg: 'entry',
    venue: 'paper',
    accountId: 'paper',
    symbol: i % 3 === 0 ? 'ETH/USDT' : 'BTC/USDT',
    side: 'buy',
    type: 'market',
    quantity: '0.001',
    reduceOnly: false,
    createdAt: T0 - i,
  };
  const actor = createActor(orderMachine, { input: { intent } });
  actor.start();
  actor.send({ type: 'RISK_DENIED', at: intent.createdAt, reason: 'max_notional_exceeded' });
  const snapshot = actor.getPersistedSnapshot();
  actor.stop();
  return {
    clientOrderId: intent.clientOrderId,
    snapshot,
    version: ORDER_MACHINE_VERSION,
    journalEntry: { event: { type: 'RISK_DENIED' }, from: 'RECEIVED', to: 'DENIED', at: intent.createdAt },
    live: false,
    // As the engine writes them (the instrument), for half; the others as a store from before listing tags holds them.
    ...(i % 2 === 0 && { listingTag: intent.symbol }),
  };
}

it('pages through live and archived orders in the order they were recorded, each once, both ways, with filters', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-orders-'));
  const store = await OrderStore.open(dir);
  const engine = new Engine({ store, venues: [standInVenue('paper')], logger: pino({ level: 'silent' }), risk: { maxOrderNotional: '1000000' }, reconcileIntervalMs: 0 });
  let restarted: Engine | undefined;
  try {
    // Recorded order: 1,200 archived, 3 live (resting limit orders), 1,300 archived, 2 live.
    const inputs = Array.from({ length: ARCHIVED }, (_, i) => deniedOrder(i));
    const expected: string[] = [];
    const live: string[] = [];
    const archive = async (from: number, to: number): Promise<void> => {
      await store.commitTransitions(inputs.slice(from, to));
      expected.push(...inputs.slice(from, to).map((t) => t.clientOrderId));
    };
    const place = async (n: number): Promise<void> => {
      for (let k = 0; k < n; k++) {
        const r = await engine.signal({ signalId: `rest-${live.length}`, instrument: 'BTC/USDT', side: 'buy', type: 'limit', quantity: '0.001', price: '50000', timeInForce: 'GTC' });
        expected.push(r.clientOrderId);
        live.push(r.clientOrderId);
      }
    };
    await archive(0, 1_200);
    await engine.start();
    await place(3);
    await archive(1_200, ARCHIVED);
    await place(2);

    const pageThrough = async (newestFirst: boolean, limit: number): Promise<string[]> => {
      const listed: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 2_000; pages++) {
        const page = await engine.orders({ limit, newestFirst, ...(cursor !== undefined && { cursor }) });
        expect(page.orders.length).toBeLessThanOrEqual(limit);
        listed.push(...page.orders.map((o) => o.clientOrderId));
        cursor = page.nextCursor;
        if (cursor === undefined) break;
      }
      return listed;
    };
    expect(await pageThrough(false, 7)).toEqual(expected);
    expect(await pageThrough(true, 11)).toEqual([...expected].reverse());

    const eth = await engine.orders({ instrument: 'ETH/USDT', limit: 1000 });
    expect(eth.orders.every((o) => o.instrument === 'ETH/USDT' && o.state === 'DENIED' && !o.live)).toBe(true);
    const ethIds = new Set(inputs.filter((_, i) => i % 3 === 0).map((t) => t.clientOrderId)); // 834: one page
    expect(eth.orders.map((o) => o.clientOrderId)).toEqual(expected.filter((cid) => ethIds.has(cid)));
    expect(eth.nextCursor).toBeUndefined();

    // Live states only: the resting orders, in order, a page at a time.
    const first = await engine.orders({ states: ['ACCEPTED'], limit: 4 });
    expect(first.orders.map((o) => [o.clientOrderId, o.state, o.live])).toEqual(live.slice(0, 4).map((cid) => [cid, 'ACCEPTED', true]));
    const rest = await engine.orders({ states: ['ACCEPTED'], limit: 4, cursor: first.nextCursor ?? '' });
    expect(rest.orders.map((o) => o.clientOrderId)).toEqual(live.slice(4));
    expect(rest.nextCursor).toBeUndefined();
    expect((await engine.orders({ states: ['PARTIAL'] })).orders).toEqual([]);
    expect((await engine.orders({ states: ['CLOSED'] })).orders).toEqual([]); // archived, but every one DENIED
    const newest = await engine.orders({ states: ['ACCEPTED', 'DENIED'], limit: 3, newestFirst: true });
    expect(newest.orders.map((o) => o.clientOrderId)).toEqual([...expected].reverse().slice(0, 3));

    // The listing tag decides unread: an order tagged with another instrument than its own (never written so;
    // here to see that the tag is what rules it out) is left out of its own instrument's listing.
    expect(store.listOrderIds({ newestFirst: true, limit: 1 })).toEqual([{ seq: expect.any(Number), clientOrderId: live.at(-1), tag: 'BTC/USDT' }]); // as the engine writes it
    const mislabeled = { ...deniedOrder(ARCHIVED), listingTag: 'XRP/USDT' };
    await store.commitTransition(mislabeled);
    expect((await engine.orders({ newestFirst: true, limit: 1 })).orders.map((o) => o.clientOrderId)).toEqual([mislabeled.clientOrderId]);
    expect((await engine.orders({ newestFirst: true, limit: 1, instrument: 'BTC/USDT' })).orders.map((o) => o.clientOrderId)).toEqual([expected.at(-1)]); // the newest resting order
    expect((await engine.orders({ instrument: 'XRP/USDT' })).orders).toEqual([]); // the tag lets it through, its record does not
    expected.push(mislabeled.clientOrderId);

    // A cursor only continues a listing in its own direction.
    await expect(engine.orders({ newestFirst: true, cursor: first.nextCursor ?? '' })).rejects.toThrow(EngineError);
    await expect(engine.orders({ cursor: 'bm90IGEgY3Vyc29y' })).rejects.toThrow(EngineError);

    // After a restart the live orders keep their places (read from their records).
    await engine.stop();
    restarted = new Engine({ store, venues: [standInVenue('paper')], logger: pino({ level: 'silent' }), risk: { maxOrderNotional: '1000000' }, reconcileIntervalMs: 0 });
    await restarted.start();
    const again = await restarted.orders({ states: ['ACCEPTED'], limit: 2, newestFirst: true });
    expect(again.orders.map((o) => o.clientOrderId)).toEqual([...live].reverse().slice(0, 2));
    const next = await restarted.orders({ states: ['ACCEPTED'], limit: 10, newestFirst: true, cursor: again.nextCursor ?? '' });
    expect(next.orders.map((o) => o.clientOrderId)).toEqual([...live].reverse().slice(2));
    expect((await restarted.orders({ limit: 3, newestFirst: true })).orders.map((o) => o.clientOrderId)).toEqual([...expected].reverse().slice(0, 3));
  } finally {
    await restarted?.stop();
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
