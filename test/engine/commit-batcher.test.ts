/**
 * The engine's commit batcher against a real LMDB store: transitions of mixed
 * durability dispatched in one run are committed and answered in dispatch order,
 * so an order's last snapshot is the one stored.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CommitBatcher } from '../../src/engine/commit-batcher.ts';
import { OrderStore } from '../../src/store/index.ts';
import { tempDir, transition } from '../store/helpers.ts';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function openStore(): Promise<OrderStore> {
  const dir = await tempDir('batcher-');
  const store = await OrderStore.open(dir.path);
  cleanup.push(() => store.close(), dir.remove);
  return store;
}

describe('CommitBatcher', () => {
  it('commits and answers mixed-durability transitions of one order in dispatch order; the last snapshot wins', async () => {
    const store = await openStore();
    const batcher = new CommitBatcher(store);
    const answered: number[] = [];
    const steps = [1, 2, 3, 4, 5];
    const durabilities = ['flush', 'commit', 'flush', 'commit', 'commit'] as const;
    const ps = steps.map((step, i) =>
      batcher.commit(transition('cid-1', step), durabilities[i] ?? 'flush').then((seq) => {
        answered.push(step);
        return seq;
      }),
    );
    const seqs = await Promise.all(ps);
    expect(answered).toEqual(steps);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    const record = store.getActor('cid-1');
    expect((record?.snapshot as { context: { step: number } }).context.step).toBe(5);
    expect(store.journalFor('cid-1').map((j) => j.seq)).toEqual(seqs);
  });

  it('answers a refused item with the store error and commits the others', async () => {
    const store = await openStore();
    const batcher = new CommitBatcher(store);
    const first = batcher.commit(transition('cid-a', 1, { signal: { id: 'sig-1', result: { n: 1 } } }), 'flush');
    const dup = batcher.commit(transition('cid-b', 1, { signal: { id: 'sig-1', result: { n: 2 } } }), 'flush');
    const other = batcher.commit(transition('cid-c', 1), 'commit');
    await expect(first).resolves.toBeGreaterThan(0);
    await expect(dup).rejects.toMatchObject({ name: 'DuplicateSignalError' });
    await expect(other).resolves.toBeGreaterThan(0);
    expect(store.getActor('cid-b')).toBeUndefined();
  });

  it('group commit: what is dispatched while a commit is under way goes out as one batch when it settles; idle() waits for all', async () => {
    const store = await openStore();
    const batches: number[] = [];
    const commitTransitions = store.commitTransitions.bind(store);
    store.commitTransitions = (inputs, options) => {
      batches.push(inputs.length);
      return commitTransitions(inputs, options);
    };
    const batcher = new CommitBatcher(store);
    const first = batcher.commit(transition('g-0', 1), 'commit');
    await Promise.resolve(); // the first batch is issued (its commit cannot settle within this task)
    expect(batches).toEqual([1]);
    const later = Array.from({ length: 50 }, (_, i) => batcher.commit(transition(`g-${i + 1}`, 1), 'commit'));
    await batcher.idle();
    expect(batches).toEqual([1, 50]);
    const seqs = await Promise.all([first, ...later]);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(store.getActor('g-50')).toBeDefined();
    expect(batcher.busy()).toBe(false);
  });
});
