/**
 * The `orders` listing over more orders than one scan slice and than its bounded row buffer: pages in creation
 * order, every order once, filters applied. Real order machine, engine and LMDB; a stand-in venue (not called).
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
import { Engine } from '../../src/engine/engine.ts';
import { OrderStore, type TransitionInput } from '../../src/store/index.ts';
import { standInVenue } from './stand-in-venue.ts';

const ORDERS = 2_500;
const T0 = 1_700_000_000_000;


/** Order i, denied by risk (final at once: archived); two orders share each creation time, to test the tie-break. */
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
    createdAt: T0 + Math.floor((ORDERS - i) / 2), // created in the reverse order of i
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
  };
}

it('pages through thousands of archived orders in creation order, each once, with filters', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'engine-orders-'));
  const store = await OrderStore.open(dir);
  const engine = new Engine({ store, venues: [standInVenue('paper')], logger: pino({ level: 'silent' }), risk: { maxOrderNotional: '1000000' }, reconcileIntervalMs: 0 });
  try {
    const inputs = Array.from({ length: ORDERS }, (_, i) => deniedOrder(i));
    await store.commitTransitions(inputs);
    await engine.start();
    const expected = inputs
      .map((t) => ({ cid: t.clientOrderId, at: (t.journalEntry.at ?? 0) }))
      .sort((a, b) => a.at - b.at || (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0))
      .map((x) => x.cid);

    const listed: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 1_000; pages++) {
      const page = await engine.orders({ limit: 7, ...(cursor !== undefined && { cursor }) });
      expect(page.orders.length).toBeLessThanOrEqual(7);
      listed.push(...page.orders.map((o) => o.clientOrderId));
      cursor = page.nextCursor;
      if (cursor === undefined) break;
    }
    expect(listed).toEqual(expected);

    const eth = await engine.orders({ instrument: 'ETH/USDT', limit: 1000 });
    expect(eth.orders.every((o) => o.instrument === 'ETH/USDT' && o.state === 'DENIED' && !o.live)).toBe(true);
    const ethIds = new Set(inputs.filter((_, i) => i % 3 === 0).map((t) => t.clientOrderId)); // 834: one page
    expect(eth.orders.map((o) => o.clientOrderId)).toEqual(expected.filter((cid) => ethIds.has(cid)));
    expect(eth.nextCursor).toBeUndefined();
    expect((await engine.orders({ states: ['ACCEPTED'] })).orders).toEqual([]);
  } finally {
    await engine.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
