import { describe, expect, it } from 'vitest';
import type { CommittedOrder } from '../../src/engine/live-orders.ts';
import { LiveOrders } from '../../src/engine/live-orders.ts';

const order = (value: string, n: number): CommittedOrder => ({ value, status: 'active', context: { n } }) as unknown as CommittedOrder;

describe('LiveOrders', () => {
  it('holds active orders in memory and reads evicted or restored ones back from the store', () => {
    const disk = new Map<string, CommittedOrder>([['b', order('PARTIAL', 2)]]);
    let reads = 0;
    const live = new LiveOrders((cid) => {
      reads++;
      return disk.get(cid);
    });
    live.setOnDisk('b', 'PARTIAL');
    const a = order('ACCEPTED', 1);
    live.set('a', a);
    expect(live.size).toBe(2);
    expect(live.get('a')).toBe(a);
    expect(reads).toBe(0);
    expect(live.get('b')).toEqual(order('PARTIAL', 2));
    expect(reads).toBe(1);
    expect(live.peek('b')).toBeUndefined(); // not cached by a read
    expect(live.countByState()).toEqual({ ACCEPTED: 1, PARTIAL: 1 });

    disk.set('a', a);
    live.evict('a');
    expect(live.peek('a')).toBeUndefined();
    expect(live.get('a')).toBe(a);
    expect(live.countByState()).toEqual({ ACCEPTED: 1, PARTIAL: 1 });
    expect(live.ids().sort()).toEqual(['a', 'b']);
  });

  it('drops an order the store no longer holds as live, and forgets deleted ones', () => {
    const live = new LiveOrders(() => undefined);
    live.setOnDisk('gone', 'ACCEPTED');
    expect(live.has('gone')).toBe(true);
    expect(live.get('gone')).toBeUndefined();
    expect(live.has('gone')).toBe(false);
    live.set('x', order('SUBMITTED', 1));
    live.delete('x');
    expect(live.size).toBe(0);
    expect(live.get('x')).toBeUndefined();
  });

  it('walks the live orders in listing order from a place, both ways, as they come and go', () => {
    const disk = new Map<string, CommittedOrder>();
    const live = new LiveOrders((cid) => disk.get(cid));
    const ids = (newestFirst: boolean, after?: number): string[] => [...(live.inListingOrder(newestFirst, after) ?? [])].map((e) => `${e.clientOrderId}@${e.seq}`);
    // Start-up: places read in client order id order, not in seq order.
    for (const [cid, seq] of [['a', 30], ['b', 10], ['c', 20]] as const) {
      live.setOnDisk(cid, 'ACCEPTED');
      disk.set(cid, order('ACCEPTED', seq));
      live.setFirstSeq(cid, seq);
    }
    live.set('d', order('SUBMITTED', 40)); // a new order: its place is not known yet
    expect(live.inListingOrder(false, undefined)).toBeUndefined();
    live.setFirstSeq('d', 40);
    live.setFirstSeq('d', 41); // the first place recorded stays
    live.setFirstSeq('zz', 50); // not live: ignored
    expect(ids(false)).toEqual(['b@10', 'c@20', 'a@30', 'd@40']);
    expect(ids(true)).toEqual(['d@40', 'a@30', 'c@20', 'b@10']);
    expect(ids(false, 20)).toEqual(['a@30', 'd@40']);
    expect(ids(true, 30)).toEqual(['c@20', 'b@10']);
    expect(ids(false, 25)).toEqual(['a@30', 'd@40']); // after a place no order holds any more
    expect(ids(true, 25)).toEqual(['c@20', 'b@10']);
    expect(ids(false, 40)).toEqual([]);
    expect(ids(true, 10)).toEqual([]);
    // An order that closes, one the store no longer holds, and one evicted: the first two leave the listing.
    live.delete('c');
    disk.delete('a');
    expect(live.get('a')).toBeUndefined();
    live.evict('d');
    expect(ids(false)).toEqual(['b@10', 'd@40']);
    // Many orders come and go: the listing stays exact.
    for (let i = 0; i < 3_000; i++) {
      live.set(`n${i}`, order('ACCEPTED', i));
      live.setFirstSeq(`n${i}`, 100 + i);
      if (i % 3 !== 0) live.delete(`n${i}`);
    }
    const walked = ids(false);
    expect(walked).toEqual(['b@10', 'd@40', ...Array.from({ length: 1_000 }, (_, k) => `n${3 * k}@${100 + 3 * k}`)]);
    expect(ids(true, 106)).toEqual(['n3@103', 'n0@100', 'd@40', 'b@10']);
  });
});
