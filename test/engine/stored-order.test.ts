/**
 * The stored form of order snapshots (src/engine/stored-order.ts), through a real LMDB store:
 * what goes in comes back as the persisted snapshot, an actor restored from it goes on as the
 * original does, and records of the earlier form (the intent as an object) read back alike.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { ORDER_MACHINE_VERSION, type OrderEvent, type OrderSnapshot, orderContextOf, orderMachine, persistedSnapshotOf } from '../../machines/order.machine.ts';
import { snapshotFromStore, storedContextOf, storedSnapshotOf } from '../../src/engine/stored-order.ts';
import { OrderStore } from '../../src/store/index.ts';
import { benchIntent, openUpdate } from '../../scripts/bench/engine-lib.ts';

let dir: string;
let store: OrderStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stored-order-'));
  store = await OrderStore.open(dir, { durability: 'commit' });
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const T0 = 1_700_000_000_000;

function partialOrder(): { actor: ReturnType<typeof createActor<typeof orderMachine>>; cid: string; fill: (n: number) => OrderEvent } {
  const intent = benchIntent('stored-1', 1, 'paper', T0);
  const actor = createActor(orderMachine, { input: { intent } }).start();
  const cid = intent.clientOrderId;
  actor.send({ type: 'RISK_APPROVED', at: T0 });
  actor.send({ type: 'SUBMIT', at: T0 + 1 });
  actor.send({ type: 'VENUE_UPDATE', at: T0 + 2, update: openUpdate(cid, '77', T0 + 2) });
  const fill = (n: number): OrderEvent => ({
    type: 'FILL',
    at: T0 + 10 + n,
    fill: { tradeId: `t-${n}`, venueOrderId: '77', clientOrderId: cid, price: '2301.17', quantity: '0.00500000', feeAmount: '0.000005', feeCurrency: 'ETH', liquidity: 'maker', time: T0 + 10 + n },
  });
  actor.send(fill(1));
  return { actor, cid, fill };
}

async function commit(cid: string, snapshot: unknown, step: number): Promise<void> {
  await store.commitTransition({ clientOrderId: cid, snapshot, version: ORDER_MACHINE_VERSION, journalEntry: { event: { type: 'STEP', step }, from: 'a', to: 'b' }, live: true });
}

describe('stored order snapshots', () => {
  it('read back as the persisted snapshot; an actor restored from one goes on as the original', async () => {
    const { actor, cid, fill } = partialOrder();
    await commit(cid, storedSnapshotOf(actor.getSnapshot() as OrderSnapshot), 1);
    const record = store.getActor(cid);
    const restored = snapshotFromStore(record?.snapshot);
    expect(restored).toEqual(persistedSnapshotOf(actor.getSnapshot() as OrderSnapshot));
    expect(orderContextOf(ORDER_MACHINE_VERSION, storedContextOf(record?.snapshot))).toEqual(actor.getSnapshot().context);

    const again = createActor(orderMachine, { snapshot: restored as OrderSnapshot, input: undefined }).start();
    for (const a of [actor, again]) {
      a.send(fill(2));
      a.send({ type: 'VENUE_UPDATE', at: T0 + 30, update: { clientOrderId: cid, venueOrderId: '77', status: 'open', filledQuantity: '0.01', averagePrice: '2301.17', time: T0 + 30 } });
    }
    expect(again.getSnapshot().value).toBe(actor.getSnapshot().value);
    expect(again.getSnapshot().context).toEqual(actor.getSnapshot().context);
    // A later snapshot of the restored actor stores and reads back too.
    await commit(cid, storedSnapshotOf(again.getSnapshot() as OrderSnapshot), 2);
    expect(snapshotFromStore(store.getActor(cid)?.snapshot)).toEqual(persistedSnapshotOf(actor.getSnapshot() as OrderSnapshot));
  });

  it('store the intent packed, once per order; a record with the intent as an object reads back alike', async () => {
    const { actor, cid, fill } = partialOrder();
    const first = storedSnapshotOf(actor.getSnapshot() as OrderSnapshot);
    actor.send(fill(2));
    const second = storedSnapshotOf(actor.getSnapshot() as OrderSnapshot);
    expect(first.context.intent).toBeInstanceOf(Uint8Array);
    expect(second.context.intent).toBe(first.context.intent);

    const earlier = persistedSnapshotOf(actor.getSnapshot() as OrderSnapshot);
    await commit(cid, earlier, 1);
    const record = store.getActor(cid);
    expect(snapshotFromStore(record?.snapshot)).toEqual(earlier);
    expect(storedContextOf(record?.snapshot)).toEqual(earlier.context);
  });

  it('a packed intent that does not decode: storedContextOf answers undefined, snapshotFromStore throws', () => {
    const { actor } = partialOrder();
    const stored = storedSnapshotOf(actor.getSnapshot() as OrderSnapshot);
    for (const bytes of [[0x85, 0xa1], [0x2a], []]) {
      const broken = { ...stored, context: { ...stored.context, intent: Uint8Array.from(bytes) } };
      expect(storedContextOf(broken)).toBeUndefined();
      expect(() => snapshotFromStore(broken)).toThrow();
    }
  });
});
