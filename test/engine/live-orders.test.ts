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
});
