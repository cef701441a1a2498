import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { open as openLmdb, asBinary } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAP_SIZE,
  DuplicateSignalError,
  IdConflictError,
  OrderStore,
  StoreClosedError,
  StoreInputError,
  StoreSchemaError,
  type OrderStoreOptions,
  type StoreReadProblem,
  type TransitionInput,
} from '../../src/store/index.ts';
import { orderSnapshot, tempDir, transition } from './helpers.ts';

let dir: { path: string; remove: () => Promise<void> };
let store: OrderStore | undefined;
let problems: StoreReadProblem[];
let now: number;

async function openStore(options: OrderStoreOptions = {}): Promise<OrderStore> {
  store = await OrderStore.open(dir.path, {
    clock: () => now,
    onProblem: (p) => problems.push(p),
    ...options,
  });
  return store;
}

async function reopen(): Promise<OrderStore> {
  await store?.close();
  return openStore();
}

beforeEach(async () => {
  dir = await tempDir();
  problems = [];
  now = 1_700_000_000_000;
});

afterEach(async () => {
  await store?.close();
  store = undefined;
  await dir.remove();
});

describe('OrderStore round trip', () => {
  it('reads back what it committed, before and after reopen', async () => {
    let s = await openStore();
    const input = transition('o-1', 1);
    const seq = await s.commitTransition(input);
    expect(seq).toBe(1);
    const expected = { version: 1, snapshot: input.snapshot, seq: 1, firstSeq: 1, live: true, updatedAt: now };
    expect(s.getActor('o-1')).toEqual(expected);
    expect(s.journalFor('o-1')).toEqual([
      { seq: 1, clientOrderId: 'o-1', event: { type: 'STEP', n: 1 }, from: 's0', to: 's1', at: 1_001, prevSeq: null },
    ]);
    expect([...s.listLive()]).toEqual([{ clientOrderId: 'o-1', record: expected }]);

    s = await reopen();
    expect(s.getActor('o-1')).toEqual(expected);
    expect([...s.listLive()]).toEqual([{ clientOrderId: 'o-1', record: expected }]);
    expect(s.countLive()).toBe(1);
    expect(s.getActor('nope')).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it('defaults the journal time to the store clock and keeps only the latest snapshot per order', async () => {
    const s = await openStore({ durability: 'commit' });
    const { at: _omitted, ...entryWithoutTime } = transition('o-1', 1).journalEntry;
    await s.commitTransition({ ...transition('o-1', 1), journalEntry: entryWithoutTime });
    now += 5;
    await s.commitTransition(transition('o-1', 2));
    expect(s.journalFor('o-1').map((e) => [e.seq, e.at])).toEqual([
      [1, 1_700_000_000_000],
      [2, 1_002],
    ]);
    expect(s.getActor('o-1')).toMatchObject({ seq: 2, firstSeq: 1, updatedAt: now, snapshot: orderSnapshot('o-1', 2) });
  });
});

describe('sequence numbers', () => {
  it('are strictly increasing across commits, batches, concurrent calls and reopen', async () => {
    let s = await openStore();
    const seen: number[] = [];
    seen.push(await s.commitTransition(transition('a', 1)));
    seen.push(await s.commitTransition(transition('b', 1)));
    // Many calls in one event-loop turn share one LMDB transaction; seqs follow call order.
    const concurrent = await Promise.all(Array.from({ length: 200 }, (_, i) => s.commitTransition(transition(`c-${i}`, 1))));
    seen.push(...concurrent);
    s = await reopen();
    const batch = await s.commitTransitions([transition('a', 2), transition('b', 2), transition('d', 1)]);
    for (const outcome of batch) {
      expect(outcome.status).toBe('committed');
      if (outcome.status === 'committed') seen.push(outcome.seq);
    }
    s = await reopen();
    seen.push(await s.commitTransition(transition('a', 3)));

    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1] ?? 0);
    expect(s.lastSeq()).toBe(seen.at(-1));
    const journalSeqs = [...s.journalSince(0)].map((e) => e.seq);
    expect(journalSeqs).toEqual(seen);
    expect([...s.journalSince(seen[200] ?? 0)].map((e) => e.seq)).toEqual(seen.slice(201));
    expect([...s.journalSince(0, 3)].map((e) => e.seq)).toEqual(seen.slice(0, 3));
  });

  it('takes no sequence number for a refused item or an unencodable transition, and never reuses one', async () => {
    const s = await openStore();
    await s.commitTransition(transition('a', 1, { signal: { id: 'sig-1', result: 'ok' } }));
    await expect(s.commitTransition(transition('b', 1, { signal: { id: 'sig-1', result: 'again' } }))).rejects.toThrow(
      DuplicateSignalError,
    );
    const afterRefusal = await s.commitTransition(transition('d', 1));
    expect(afterRefusal).toBe(2); // a refused item takes no number
    await expect(s.commitTransition(transition('c', 1, { snapshot: { bad: Symbol('x') } }))).rejects.toThrow();
    expect(await s.commitTransition(transition('e', 1))).toBe(afterRefusal + 1);
    expect(s.lastSeq()).toBe(afterRefusal + 1);
    expect([...s.journalSince(0)].map((e) => e.clientOrderId)).toEqual(['a', 'd', 'e']);
  });

  it('refuses a venue id linked by a transition issued earlier in the same turn and not yet committed', async () => {
    let s = await openStore();
    const ref = { symbol: 'BTCUSDT', orderId: '42' };
    const [first, second, again] = await Promise.allSettled([
      s.commitTransition(transition('p', 1, { venueOrder: ref })),
      s.commitTransition(transition('q', 1, { venueOrder: ref })),
      s.commitTransition(transition('p', 2, { venueOrder: ref })), // the same link again: fine
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: 1 });
    expect(second.status === 'rejected' && second.reason instanceof IdConflictError).toBe(true);
    expect(again).toEqual({ status: 'fulfilled', value: 2 });
    s = await reopen();
    expect(s.clientIdFor(ref)).toBe('p');
    expect(s.getActor('q')).toBeUndefined();
    expect(s.journalFor('q')).toEqual([]);
  });

  it('checks transitions issued while an API write is under way against it, and writes them after it, in call order', async () => {
    let s = await openStore();
    const [put, a, b, c] = await Promise.allSettled([
      s.putSignal({ signalId: 'sig-api', result: 'first' }),
      s.commitTransition(transition('a', 1, { signal: { id: 'sig-api', result: 'second' } })),
      s.commitTransition(transition('b', 1)),
      s.commitTransition(transition('c', 1)),
    ]);
    expect(put.status === 'fulfilled' && put.value.created).toBe(true);
    expect(a.status === 'rejected' && a.reason instanceof DuplicateSignalError).toBe(true);
    expect([b, c]).toEqual([{ status: 'fulfilled', value: 1 }, { status: 'fulfilled', value: 2 }]);
    s = await reopen();
    expect(s.getSignal('sig-api')?.result).toBe('first');
    expect(s.getActor('a')).toBeUndefined();
  });

  it("answers a 'commit' batch once its transaction is committed: what it wrote is readable when it resolves", async () => {
    let s = await openStore({ durability: 'commit' });
    // Concurrent batches of different sizes, each checked the moment it resolves (lmdb-js resolves its own
    // promise only after the fsync; the store answers earlier, once the batch reads back).
    const orders = ['c0', 'c1', 'c2'];
    for (let n = 1; n <= 30; n++) {
      await Promise.all(
        orders.map(async (cid, i) => {
          const batch = Array.from({ length: i + 1 }, (_, k) => transition(`${cid}-${k}`, n));
          const outcomes = await s.commitTransitions(batch);
          outcomes.forEach((o, k) => {
            const seq = o.status === 'committed' ? o.seq : -1;
            expect(s.getActor(`${cid}-${k}`)).toMatchObject({ seq, snapshot: orderSnapshot(`${cid}-${k}`, n) });
            expect(s.journalFor(`${cid}-${k}`).at(-1)?.seq).toBe(seq);
          });
        }),
      );
    }
    s = await reopen();
    expect(s.countLive()).toBe(6);
    expect(s.getActor('c2-2')).toMatchObject({ snapshot: orderSnapshot('c2-2', 30) });
    expect(problems).toEqual([]);
  });

  it('numbers and applies writes in issue order across checked and plain transitions of one turn', async () => {
    let s = await openStore();
    // One turn: a checked write (venue link) of an order, then plain writes of the same order, then a checked one again.
    const p1 = s.commitTransitions([transition('x', 1, { venueOrder: { symbol: 'BTCUSDT', orderId: '7' } })]);
    const p2 = s.commitTransitions([transition('x', 2), transition('y', 1), transition('x', 3)]);
    const p3 = s.commitTransitions([transition('y', 2, { signal: { id: 'sig-y', result: 'r' } })]);
    const [o1, o2, o3] = await Promise.all([p1, p2, p3]);
    const seqs = [...(o1 ?? []), ...(o2 ?? []), ...(o3 ?? [])].map((o) => (o.status === 'committed' ? o.seq : -1));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    s = await reopen();
    expect(s.journalFor('x').map((e) => [e.seq, (e.event as { n: number }).n])).toEqual([[1, 1], [2, 2], [4, 3]]);
    expect(s.getActor('x')).toMatchObject({ seq: 4, snapshot: orderSnapshot('x', 3) }); // the last snapshot of the batch
    expect(s.getActor('y')).toMatchObject({ seq: 5, snapshot: orderSnapshot('y', 2) });
    expect(s.venueIdFor('x')).toEqual({ symbol: 'BTCUSDT', orderId: '7' });
    expect(s.lastSeq()).toBe(5);
  });
});

describe('archive', () => {
  it('removes an order from the live set but keeps it queryable', async () => {
    let s = await openStore();
    await s.commitTransitions([transition('keep', 1), transition('old', 1), transition('old', 2)]);
    now += 1_000;
    expect(await s.archive('old')).toBe(true);
    expect(await s.archive('old')).toBe(false);
    expect(await s.archive('unknown')).toBe(false);

    s = await reopen();
    expect([...s.listLive()].map((e) => e.clientOrderId)).toEqual(['keep']);
    expect(s.countLive()).toBe(1);
    expect(s.getActor('old')).toMatchObject({ live: false, seq: 3, updatedAt: now, snapshot: orderSnapshot('old', 2) });
    expect(s.journalFor('old').map((e) => e.seq)).toEqual([2, 3]);
    expect([s.hasActor('old'), s.hasActor('keep'), s.hasActor('unknown')]).toEqual([true, true, false]);
  });

  it('moves an order that reaches a final state (live: false) straight to the archive', async () => {
    const s = await openStore();
    await s.commitTransition(transition('o', 1));
    await s.commitTransition(transition('o', 2, { live: false }));
    expect([...s.listLive()]).toEqual([]);
    expect(s.getActor('o')).toMatchObject({ live: false, seq: 2 });
    // A later live transition brings it back (the record is never in both places).
    await s.commitTransition(transition('o', 3));
    expect([...s.listLive()].map((e) => e.record.seq)).toEqual([3]);
    expect(s.getActor('o')).toMatchObject({ live: true, seq: 3 });
  });
});

describe('client ↔ venue id mapping', () => {
  it('is written with a transition or on its own, both directions, and survives reopen', async () => {
    let s = await openStore();
    await s.commitTransition(transition('o-1', 1, { venueOrder: { symbol: 'BTCUSDT', orderId: '1001' } }));
    await s.linkVenueOrder('o-2', { symbol: 'ETHUSDT', orderId: '1001' }); // same orderId, other symbol
    await s.linkVenueOrder('o-1', { symbol: 'BTCUSDT', orderId: '1001' }); // idempotent
    s = await reopen();
    expect(s.venueIdFor('o-1')).toEqual({ symbol: 'BTCUSDT', orderId: '1001' });
    expect(s.venueIdFor('o-2')).toEqual({ symbol: 'ETHUSDT', orderId: '1001' });
    expect(s.clientIdFor({ symbol: 'BTCUSDT', orderId: '1001' })).toBe('o-1');
    expect(s.clientIdFor({ symbol: 'ETHUSDT', orderId: '1001' })).toBe('o-2');
    expect(s.clientIdFor({ symbol: 'BTCUSDT', orderId: '9' })).toBeUndefined();
    expect(s.venueIdFor('o-3')).toBeUndefined();
  });

  it('refuses a conflicting link and writes nothing of that transition', async () => {
    const s = await openStore();
    await s.commitTransition(transition('o-1', 1, { venueOrder: { symbol: 'BTCUSDT', orderId: '7' } }));
    const clash = s.commitTransition(transition('o-2', 1, { venueOrder: { symbol: 'BTCUSDT', orderId: '7' } }));
    await expect(clash).rejects.toBeInstanceOf(IdConflictError);
    await expect(clash).rejects.toMatchObject({ existing: { clientOrderId: 'o-1' } });
    expect(s.getActor('o-2')).toBeUndefined();
    expect(s.journalFor('o-2')).toEqual([]);
    await expect(s.linkVenueOrder('o-1', { symbol: 'BTCUSDT', orderId: '8' })).rejects.toBeInstanceOf(IdConflictError);
    expect(s.clientIdFor({ symbol: 'BTCUSDT', orderId: '8' })).toBeUndefined();

    const outcomes = await s.commitTransitions([
      transition('o-3', 1, { venueOrder: { symbol: 'BTCUSDT', orderId: '7' } }),
      transition('o-4', 1),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['id-conflict', 'committed']);
    expect(s.getActor('o-3')).toBeUndefined();
    expect(s.getActor('o-4')).toBeDefined();
  });
});

describe('signals', () => {
  it('records the first result with the first snapshot; a repeat returns it and places nothing', async () => {
    let s = await openStore();
    const first = { clientOrderId: 'o-1', accepted: true };
    await s.commitTransition(transition('o-1', 1, { signal: { id: 'sig-42', result: first } }));
    s = await reopen();
    expect(s.getSignal('sig-42')).toEqual({ signalId: 'sig-42', clientOrderId: 'o-1', result: first, at: now });

    const repeat = s.commitTransition(transition('o-2', 1, { signal: { id: 'sig-42', result: { other: true } } }));
    await expect(repeat).rejects.toBeInstanceOf(DuplicateSignalError);
    await expect(repeat).rejects.toMatchObject({ first: { result: first, clientOrderId: 'o-1' } });
    expect(s.getActor('o-2')).toBeUndefined();
    expect([...s.listLive()].map((e) => e.clientOrderId)).toEqual(['o-1']);
  });

  it('refuses the second of two same-signal transitions issued in one turn or one batch', async () => {
    const s = await openStore();
    const [a, b] = await Promise.allSettled([
      s.commitTransition(transition('x-1', 1, { signal: { id: 'dup', result: 1 } })),
      s.commitTransition(transition('x-2', 1, { signal: { id: 'dup', result: 2 } })),
    ]);
    expect(a?.status).toBe('fulfilled');
    expect(b?.status).toBe('rejected');
    // In one batch, the second signal's order is refused whole: its next transition (a SUBMIT) builds on the refused one.
    const outcomes = await s.commitTransitions([
      transition('y-1', 1, { signal: { id: 'dup-2', result: 1 } }),
      transition('y-2', 1, { signal: { id: 'dup-2', result: 2 } }),
      transition('y-2', 2),
      transition('y-1', 2),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['committed', 'duplicate-signal', 'duplicate-signal', 'committed']);
    expect(outcomes[1]).toMatchObject({ status: 'duplicate-signal', first: { clientOrderId: 'y-1', result: 1 } });
    expect(outcomes[2]).toEqual(outcomes[1]);
    expect(s.getActor('x-2')).toBeUndefined();
    expect(s.getActor('y-2')).toBeUndefined();
    expect(s.journalFor('y-1').map((e) => e.to)).toEqual(['s1', 's2']);
    expect(s.listOrderIds().map((o) => o.clientOrderId)).toEqual(['x-1', 'y-1']);
  });

  it('putSignal keeps the first result (for signals that create no order)', async () => {
    const s = await openStore();
    const a = await s.putSignal({ signalId: 'rej-1', result: { rejected: 'risk' } });
    const b = await s.putSignal({ signalId: 'rej-1', result: { rejected: 'other' } });
    expect(a).toEqual({ created: true, record: { signalId: 'rej-1', clientOrderId: null, result: { rejected: 'risk' }, at: now } });
    expect(b).toEqual({ created: false, record: a.record });
    expect(s.getSignal('missing')).toBeUndefined();
  });
});

describe('journalFor', () => {
  it('returns one order’s entries in commit order, not those of an order whose id extends it', async () => {
    let s = await openStore();
    const inputs: TransitionInput[] = [];
    for (let step = 1; step <= 12; step++) {
      inputs.push(transition('a', step), transition('ab', step), transition('b', step));
    }
    await s.commitTransitions(inputs.slice(0, 18));
    for (const input of inputs.slice(18)) await s.commitTransition(input);
    s = await reopen();
    const forA = s.journalFor('a');
    expect(forA.map((e) => (e.event as { n: number }).n)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(forA.every((e) => e.clientOrderId === 'a')).toBe(true);
    for (let i = 1; i < forA.length; i++) expect(forA[i]?.seq).toBeGreaterThan(forA[i - 1]?.seq ?? 0);
    expect(s.journalFor('ab')).toHaveLength(12);
    expect(s.journalFor('zzz')).toEqual([]);
  });

  it('links each entry to the order’s previous one across batches, reopen, archive and a return to live', async () => {
    let s = await openStore();
    await s.commitTransitions([transition('x', 1), transition('y', 1), transition('x', 2)]);
    s = await reopen(); // the chain continues from the record read back
    await s.commitTransition(transition('x', 3));
    expect(await s.archive('x')).toBe(true);
    await s.commitTransition(transition('x', 4)); // back to live, after archive()
    await s.commitTransitions([transition('x', 5, { live: false }), transition('x', 6)]); // archived and back in one batch
    const journal = s.journalFor('x');
    expect(journal.map((e) => [e.seq, e.prevSeq])).toEqual([
      [1, null],
      [3, 1],
      [4, 3],
      [5, 4],
      [6, 5],
      [7, 6],
    ]);
    expect(journal.map((e) => (e.event as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(s.journalFor('y').map((e) => [e.seq, e.prevSeq])).toEqual([[2, null]]);
    // The record is in exactly one database.
    expect([...s.listLive()].map((e) => e.clientOrderId)).toEqual(['x', 'y']);
    expect([...s.listArchived()]).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('starts a new chain (and listing) for an order whose only entry was in a batch that failed', async () => {
    const s = await openStore();
    await expect(
      s.commitTransitions([transition('f', 1), transition('g', 1, { snapshot: { s: Symbol('x') } })]),
    ).rejects.toThrow();
    expect(s.listOrderIds()).toEqual([]);
    await s.commitTransition(transition('f', 1));
    expect(s.journalFor('f').map((e) => [e.seq, e.prevSeq])).toEqual([[1, null]]);
    expect(s.listOrderIds()).toEqual([{ seq: 1, clientOrderId: 'f' }]);
    expect(problems).toEqual([]);
  });

  it('keeps the chains of orders queued before a batch that fails in the same turn', async () => {
    const s = await openStore();
    const first = s.commitTransition(transition('x', 1)); // queued, not yet committed
    const failed = s.commitTransitions([transition('x', 2), transition('g', 1, { snapshot: { s: Symbol('x') } })]);
    const second = s.commitTransition(transition('x', 2));
    await expect(failed).rejects.toThrow();
    expect([await first, await second]).toEqual([1, 2]);
    expect(s.journalFor('x').map((e) => [e.seq, e.prevSeq])).toEqual([[1, null], [2, 1]]);
    expect(s.listOrderIds()).toEqual([{ seq: 1, clientOrderId: 'x' }]);
    expect(s.getActor('x')).toMatchObject({ seq: 2, firstSeq: 1 });
    expect(problems).toEqual([]);
  });
});

describe('schema upgrade', () => {
  it('migrates a version-1 store (journal index) to version 3 (prevSeq chains, listing index) when opened, and goes on from there', async () => {
    // A version-1 store as the previous code wrote it: entries without prevSeq, found through `journal.byOrder`.
    const raw = openLmdb({ path: dir.path, maxDbs: 16 });
    const structures = { sharedStructuresKey: Symbol.for('order-store.structures') };
    const meta = raw.openDB<unknown, string>('meta', {});
    const live = raw.openDB<unknown, string>('actors.live', structures);
    const journal = raw.openDB<unknown, number>('journal', structures);
    const index = raw.openDB<unknown, [string, number]>('journal.byOrder', {});
    const v1 = (seq: number, cid: string, n: number) => ({ clientOrderId: cid, event: { type: 'STEP', n }, from: `s${n - 1}`, to: `s${n}`, at: 1_000 + n });
    const steps: Array<[number, string, number]> = [[1, 'm', 1], [2, 'n', 1], [3, 'm', 2], [4, 'mm', 1], [5, 'm', 3]];
    await raw.transaction(() => {
      void meta.put('schemaVersion', 1);
      void meta.put('nextSeq', 7);
      void meta.put('createdAt', 1);
      for (const [seq, cid, n] of steps) {
        void journal.put(seq, v1(seq, cid, n));
        void index.put([cid, seq], null);
      }
      void journal.put(6, v1(6, 'orphan', 1)); // an entry the index does not name
      for (const [cid, seq] of [['m', 5], ['n', 2], ['mm', 4]] as const) {
        void live.put(cid, { version: 1, snapshot: orderSnapshot(cid, 1), seq, live: true, updatedAt: 1 });
      }
    });
    await raw.close();

    let s = await openStore();
    expect(s.journalFor('m').map((e) => [e.seq, e.prevSeq, (e.event as { n: number }).n])).toEqual([
      [1, null, 1],
      [3, 1, 2],
      [5, 3, 3],
    ]);
    expect(s.journalFor('mm').map((e) => [e.seq, e.prevSeq])).toEqual([[4, null]]);
    expect([...s.journalSince(0)].map((e) => [e.seq, e.prevSeq])).toEqual([[1, null], [2, null], [3, 1], [4, null], [5, 3], [6, null]]);
    await s.commitTransition(transition('m', 4));
    s = await reopen();
    expect(s.journalFor('m').map((e) => e.seq)).toEqual([1, 3, 5, 7]);
    // Then on to schema 3: every order with a record listed at its first entry (the orphan has none).
    expect(s.listOrderIds().map((o) => [o.seq, o.clientOrderId])).toEqual([[1, 'm'], [2, 'n'], [4, 'mm']]);
    expect(problems).toEqual([]);
    await s.close();
    store = undefined;
    // Schema 3 on disk, and the index database is gone.
    const after = openLmdb({ path: dir.path, maxDbs: 16 });
    expect(after.openDB<unknown, string>('meta', {}).get('schemaVersion')).toBe(3);
    expect([...after.getKeys()]).not.toContain('journal.byOrder');
    await after.close();
  });
});

describe('order listing (orders.byFirstSeq)', () => {
  it('lists each order once, at its first entry, in both directions, a page at a time', async () => {
    let s = await openStore();
    // seqs 1, 2, 3; listing tags kept from an order's first transition only
    await s.commitTransitions([transition('c', 1, { listingTag: 'BTC/USDT' }), transition('a', 1), transition('c', 2, { listingTag: 'ETH/USDT' })]);
    await s.commitTransition(transition('b', 1)); // 4
    await s.commitTransitions([transition('a', 2), transition('d', 1, { live: false })]); // 5, 6 (d archived at once)
    await s.archive('c');
    const all = [[1, 'c'], [2, 'a'], [4, 'b'], [6, 'd']];
    const ids = (o: Parameters<OrderStore['listOrderIds']>[0] = {}) => s.listOrderIds(o).map((x) => [x.seq, x.clientOrderId]);
    expect(ids()).toEqual(all);
    expect(ids({ newestFirst: true })).toEqual([...all].reverse());
    expect(ids({ after: 1, limit: 2 })).toEqual([[2, 'a'], [4, 'b']]);
    expect(ids({ after: 4 })).toEqual([[6, 'd']]);
    expect(ids({ after: 3 })).toEqual([[4, 'b'], [6, 'd']]); // after a seq that starts no order
    expect(ids({ after: 4, newestFirst: true })).toEqual([[2, 'a'], [1, 'c']]);
    expect(ids({ after: 1, newestFirst: true })).toEqual([]);
    expect(ids({ after: 6 })).toEqual([]);
    s = await reopen();
    await s.commitTransition(transition('b', 2));
    expect(ids()).toEqual(all);
    // Each record names its order's first entry, live or archived, across reopen (the chain learnt it from the record).
    expect(['c', 'a', 'b', 'd'].map((cid) => [s.getActor(cid)?.firstSeq, s.getActor(cid)?.live])).toEqual([[1, false], [2, true], [4, true], [6, false]]);
    expect(s.listOrderIds({ limit: 2 })).toEqual([{ seq: 1, clientOrderId: 'c', tag: 'BTC/USDT' }, { seq: 2, clientOrderId: 'a' }]);
    expect(() => s.listOrderIds({ after: -1 })).toThrow(StoreInputError);
    expect(() => s.listOrderIds({ limit: 0 })).toThrow(StoreInputError);
    expect(problems).toEqual([]);
  });

  it('builds the listing of a version-2 store from its journal when opened', async () => {
    const raw = openLmdb({ path: dir.path, maxDbs: 16 });
    const structures = { sharedStructuresKey: Symbol.for('order-store.structures') };
    const meta = raw.openDB<unknown, string>('meta', {});
    const live = raw.openDB<unknown, string>('actors.live', structures);
    const archive = raw.openDB<unknown, string>('actors.archive', structures);
    const journal = raw.openDB<unknown, number>('journal', structures);
    const entry = (cid: string, n: number, prevSeq: number | null) => ({ clientOrderId: cid, event: { type: 'STEP', n }, from: `s${n - 1}`, to: `s${n}`, at: 1_000 + n, prevSeq });
    await raw.transaction(() => {
      void meta.put('schemaVersion', 2);
      void meta.put('nextSeq', 7);
      void meta.put('createdAt', 1);
      void journal.put(6, asBinary(Uint8Array.from([0xc1]))); // the only entry of order s: unreadable
      void live.put('s', { version: 1, snapshot: orderSnapshot('s', 1), seq: 6, live: true, updatedAt: 1 });
      void journal.put(1, entry('p', 1, null));
      void journal.put(2, entry('q', 1, null));
      void journal.put(3, entry('p', 2, 1));
      void journal.put(4, entry('orphan', 1, null));
      void journal.put(5, entry('q', 2, 2));
      void live.put('p', { version: 1, snapshot: orderSnapshot('p', 2), seq: 3, live: true, updatedAt: 1 });
      void archive.put('q', { version: 1, snapshot: orderSnapshot('q', 2), seq: 5, live: false, updatedAt: 1 });
    });
    await raw.close();
    const s = await openStore();
    expect(s.listOrderIds().map((o) => [o.seq, o.clientOrderId])).toEqual([[1, 'p'], [2, 'q'], [6, 's']]);
    expect(problems.map((p) => [p.db, p.key])).toEqual([['journal', '6']]);
    problems.length = 0;
    expect(s.getActor('s')).toMatchObject({ seq: 6, firstSeq: 6, live: true });
    expect(s.getActor('p')).toMatchObject({ seq: 3, firstSeq: 1, live: true });
    expect(s.getActor('q')?.firstSeq).toBeUndefined(); // archived: left as it was
    await s.commitTransition(transition('p', 3));
    expect(s.getActor('p')).toMatchObject({ seq: 7, firstSeq: 1 });
    await s.commitTransition(transition('r', 1));
    expect(s.listOrderIds().map((o) => o.clientOrderId)).toEqual(['p', 'q', 's', 'r']);
    expect(s.journalFor('p').map((e) => e.seq)).toEqual([1, 3, 7]);
    expect(problems).toEqual([]);
  });
});

describe('robustness', () => {
  it('rejects invalid input before queueing anything', async () => {
    const s = await openStore();
    await expect(s.commitTransition(transition('', 1))).rejects.toBeInstanceOf(StoreInputError);
    await expect(s.commitTransition(transition('x'.repeat(129), 1))).rejects.toBeInstanceOf(StoreInputError);
    await expect(s.commitTransition({ ...transition('o', 1), snapshot: undefined })).rejects.toBeInstanceOf(StoreInputError);
    await expect(s.commitTransitions([transition('ok', 1), { ...transition('o', 1), version: -1 }])).rejects.toThrow(
      /transition 1: version/,
    );
    expect(s.getActor('ok')).toBeUndefined();
    expect(s.lastSeq()).toBe(0);
  });

  it('an aborted write (unencodable payload) writes nothing and does not poison shared structures', async () => {
    let s = await openStore();
    await s.commitTransition(transition('base', 1));
    // Its journal entry introduces a new object layout, then the snapshot fails to encode.
    const novel = { type: 'NOVEL', brandNewField: 1, another: 'x' };
    const failing = s.commitTransition({
      ...transition('bad', 1, { snapshot: { ok: 1, bad: Symbol('not encodable') } }),
      journalEntry: { event: novel, from: 'a', to: 'b' },
    });
    // Issued in the same turn: shares the LMDB transaction and reuses the layout.
    const sibling = s.commitTransition({ ...transition('sibling', 1), journalEntry: { event: novel, from: 'a', to: 'b' } });
    await expect(failing).rejects.toThrow(/symbol/);
    await sibling;
    await s.commitTransition({ ...transition('later', 1), journalEntry: { event: novel, from: 'a', to: 'b' } });
    expect(s.getActor('bad')).toBeUndefined();

    s = await reopen();
    expect(s.journalFor('bad')).toEqual([]);
    expect(s.journalFor('sibling').map((e) => e.event)).toEqual([novel]);
    expect(s.journalFor('later').map((e) => e.event)).toEqual([novel]);
    expect([...s.journalSince(0)].map((e) => e.clientOrderId)).toEqual(['base', 'sibling', 'later']);
    expect(problems).toEqual([]);
  });

  it('a failing batch writes nothing of the batch', async () => {
    const s = await openStore();
    await expect(
      s.commitTransitions([transition('b-1', 1), transition('b-2', 1, { snapshot: { s: Symbol('x') } })]),
    ).rejects.toThrow();
    expect(s.getActor('b-1')).toBeUndefined();
    expect(s.lastSeq()).toBe(0);
  });

  it('reports and skips records that do not decode or do not parse, without crashing', async () => {
    let s = await openStore();
    await s.commitTransitions([transition('a', 1), transition('c', 1), transition('e', 1)]);
    await s.close();
    store = undefined;
    // Damage the data behind the store's back.
    const raw = openLmdb({ path: dir.path, maxDbs: 16 });
    const live = raw.openDB<unknown, string>('actors.live', { sharedStructuresKey: Symbol.for('order-store.structures') });
    const journal = raw.openDB<unknown, number>('journal', { sharedStructuresKey: Symbol.for('order-store.structures') });
    await live.put('b', asBinary(Uint8Array.from([0x75, 0x01]))); // a value followed by garbage
    await live.put('d', { version: 'one', snapshot: {}, seq: 0, live: true, updatedAt: 1 });
    await journal.put(2, asBinary(Uint8Array.from([0x75, 0x01])));
    await raw.close();

    s = await openStore();
    expect([...s.listLive()].map((e) => e.clientOrderId)).toEqual(['a', 'c', 'e']);
    expect(problems.map((p) => [p.db, p.key, p.kind])).toEqual([
      ['actors.live', '"b"', 'decode'],
      ['actors.live', '"d"', 'schema'],
    ]);
    problems.length = 0;
    expect(s.getActor('b')).toBeUndefined();
    expect(s.getActor('d')).toBeUndefined();
    // Held, though unreadable: an order the engine must not place again.
    expect([s.hasActor('b'), s.hasActor('d'), s.hasActor('a'), s.hasActor('zz')]).toEqual([true, true, true, false]);
    expect([...s.journalSince(0)].map((e) => e.seq)).toEqual([1, 3]);
    expect(s.journalFor('c')).toEqual([]);
    expect(problems.map((p) => [p.db, p.kind])).toEqual([
      ['actors.live', 'decode'],
      ['actors.live', 'schema'],
      ['journal', 'decode'],
      ['journal', 'decode'],
      ['journal', 'dangling-index'],
    ]);
  });

  it('moves an order whose live record does not decode to the archive without leaving that record behind', async () => {
    let s = await openStore();
    await s.commitTransition(transition('u', 1));
    await s.close();
    store = undefined;
    const raw = openLmdb({ path: dir.path, maxDbs: 16 });
    await raw.openDB<unknown, string>('actors.live', {}).put('u', asBinary(Uint8Array.from([0x75, 0x01])));
    await raw.close();
    s = await openStore();
    await s.commitTransition(transition('u', 2, { live: false }));
    problems.length = 0;
    expect([...s.listLive()]).toEqual([]);
    expect(problems).toEqual([]); // the undecodable live record is gone, not skipped
    expect(s.getActor('u')).toMatchObject({ live: false, seq: 2 });
    expect(s.listOrderIds()).toEqual([{ seq: 1, clientOrderId: 'u' }]); // listed once, at its first entry
  });

  it('refuses a directory with another schema version', async () => {
    const s = await openStore();
    await s.close();
    store = undefined;
    const raw = openLmdb({ path: dir.path, maxDbs: 16 });
    await raw.openDB<unknown, string>('meta', {}).put('schemaVersion', 99);
    await raw.close();
    await expect(openStore()).rejects.toBeInstanceOf(StoreSchemaError);
    store = undefined;
  });

  it('finishes writes issued before close, then refuses new calls', async () => {
    let s = await openStore();
    const pending = Array.from({ length: 50 }, (_, i) =>
      s.commitTransition(transition(`p-${i}`, 1), { durability: i % 2 === 0 ? 'flush' : 'commit' }),
    );
    await s.close();
    await Promise.all(pending);
    expect(() => s.getActor('p-0')).toThrow(StoreClosedError);
    await expect(s.commitTransition(transition('late', 1))).rejects.toBeInstanceOf(StoreClosedError);
    s = await openStore();
    expect(s.countLive()).toBe(50);
  });
});

describe('LMDB map', () => {
  /** The mappings of `file` in this process (/proc/self/maps, Linux): one line each. */
  function mappingsOf(file: string): string[] {
    return readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .filter((line) => line.endsWith(file));
  }

  it.runIf(process.platform === 'linux')('maps the data file once as it grows, and does not preallocate it', async () => {
    const s = await openStore();
    // ~3 MiB of records and journal: lmdb-js's own default map (128 KiB, grown on demand) would have been
    // remapped several times on the way, each earlier mapping kept and its pages counted again in the RSS.
    for (let batch = 0; batch < 50; batch++) {
      await s.commitTransitions(Array.from({ length: 100 }, (_, i) => transition(`o-${batch}-${i}`, 1)));
    }
    const file = join(dir.path, 'data.mdb');
    expect(mappingsOf(file)).toHaveLength(1);
    const size = statSync(file).size;
    expect(size).toBeGreaterThan(1024 ** 2);
    expect(size).toBeLessThan(DEFAULT_MAP_SIZE / 64);
  });
});
