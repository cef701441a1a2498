/**
 * Order-store benchmark: `npx tsx scripts/bench/store.ts [--orders 100000] [--runs 3]`.
 *
 * Prints:
 * - commit throughput (transitions/s), for durability `commit` and `flush`:
 *   awaited one at a time; N `commitTransition` calls issued in one event-loop
 *   turn (lmdb event-turn batching); `commitTransitions` batches;
 * - rehydration of `--orders` live orders in a FRESH process (median of
 *   `--runs` child processes): open + `listLive()` (decode + zod), and the same
 *   plus `createActor(machine, { snapshot }).start()` for every order.
 *
 * Internal mode (used by the parent): `store.ts --rehydrate <dir> <expected>`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assign, createActor, setup, type Actor, type SnapshotFrom } from 'xstate';
import { OrderStore, type Durability, type TransitionInput } from '../../src/store/index.ts';

/** A stand-in order machine (8 states, a dozen context fields) so snapshots have a realistic shape. */
const orderMachine = setup({
  types: {
    context: {} as {
      clientOrderId: string;
      symbol: string;
      side: 'BUY' | 'SELL';
      type: 'LIMIT';
      quantity: string;
      price: string;
      filled: string;
      avgPrice: string;
      venueOrderId: string | null;
      createdAt: number;
      expiresAt: number;
      attempts: number;
      lastError: string | null;
    },
    /** Optional so that restoring from a snapshot needs no input. */
    input: {} as { clientOrderId: string; createdAt: number } | undefined,
    events: {} as
      | { type: 'SUBMIT' }
      | { type: 'ACK'; venueOrderId: string }
      | { type: 'FILL'; qty: string }
      | { type: 'CANCEL' }
      | { type: 'CANCELED' }
      | { type: 'REJECT'; reason: string }
      | { type: 'EXPIRE' },
  },
}).createMachine({
  id: 'order',
  context: ({ input }) => ({
    clientOrderId: input?.clientOrderId ?? '',
    symbol: 'BTCUSDT',
    side: 'BUY',
    type: 'LIMIT',
    quantity: '0.015',
    price: '64000.10',
    filled: '0',
    avgPrice: '0',
    venueOrderId: null,
    createdAt: input?.createdAt ?? 0,
    expiresAt: (input?.createdAt ?? 0) + 60_000,
    attempts: 0,
    lastError: null,
  }),
  initial: 'pending',
  states: {
    pending: { on: { SUBMIT: 'submitting' } },
    submitting: {
      on: {
        ACK: { target: 'working', actions: assign({ venueOrderId: ({ event }) => event.venueOrderId }) },
        REJECT: { target: 'rejected', actions: assign({ lastError: ({ event }) => event.reason }) },
      },
    },
    working: {
      on: {
        FILL: { target: 'partiallyFilled', actions: assign({ filled: ({ event }) => event.qty }) },
        CANCEL: 'canceling',
        EXPIRE: 'expired',
      },
    },
    partiallyFilled: { on: { FILL: 'filled', CANCEL: 'canceling' } },
    canceling: { on: { CANCELED: 'canceled' } },
    filled: { type: 'final' },
    canceled: { type: 'final' },
    rejected: { type: 'final' },
    expired: { type: 'final' },
  },
});

type OrderSnapshot = SnapshotFrom<typeof orderMachine>;

function args(): { orders: number; runs: number } {
  const get = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
    if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`${name}: positive integer expected`);
    return v;
  };
  return { orders: get('--orders', 100_000), runs: get('--runs', 3) };
}

/** A persisted snapshot of an order in state `working` with a venue id. */
function persistedWorking(clientOrderId: string, i: number): unknown {
  const actor = createActor(orderMachine, { input: { clientOrderId, createdAt: 1_700_000_000_000 + i } });
  actor.start();
  actor.send({ type: 'SUBMIT' });
  actor.send({ type: 'ACK', venueOrderId: String(10_000_000 + i) });
  const persisted = actor.getPersistedSnapshot();
  actor.stop();
  return persisted;
}

function transitionFor(cid: string, i: number, snapshot: unknown): TransitionInput {
  return {
    clientOrderId: cid,
    snapshot,
    version: 1,
    journalEntry: { event: { type: 'ACK', venueOrderId: String(10_000_000 + i) }, from: 'submitting', to: 'working' },
    live: true,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function withStore<T>(durability: Durability, fn: (store: OrderStore) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-store-'));
  const store = await OrderStore.open(dir, { durability });
  try {
    return await fn(store);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function throughput(): Promise<void> {
  const snapshot = persistedWorking('tmpl', 0);
  console.log('commit throughput (transitions/s; each = snapshot + journal + index in one transaction)');
  for (const durability of ['commit', 'flush'] as const) {
    const single = await withStore(durability, async (store) => {
      const n = 3_000;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await store.commitTransition(transitionFor(`o-${i % 500}`, i, snapshot));
      return n / ((performance.now() - t0) / 1000);
    });
    const perTurn = await withStore(durability, async (store) => {
      const n = 50_000;
      const turn = 5_000;
      const t0 = performance.now();
      for (let start = 0; start < n; start += turn) {
        const pending: Promise<number>[] = [];
        for (let i = start; i < start + turn; i++) pending.push(store.commitTransition(transitionFor(`o-${i}`, i, snapshot)));
        await Promise.all(pending);
      }
      return n / ((performance.now() - t0) / 1000);
    });
    const batched = await withStore(durability, async (store) => {
      const n = 100_000;
      const size = 5_000;
      const t0 = performance.now();
      for (let start = 0; start < n; start += size) {
        const batch: TransitionInput[] = [];
        for (let i = start; i < start + size; i++) batch.push(transitionFor(`o-${i}`, i, snapshot));
        await store.commitTransitions(batch);
      }
      return n / ((performance.now() - t0) / 1000);
    });
    console.log(
      `  durability=${durability.padEnd(6)} awaited one at a time: ${fmt(single).padStart(8)}/s | ` +
        `5,000 commitTransition per turn: ${fmt(perTurn).padStart(8)}/s | ` +
        `commitTransitions(5,000): ${fmt(batched).padStart(8)}/s`,
    );
  }
}

async function rehydration(orders: number, runs: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-store-rehydrate-'));
  try {
    const store = await OrderStore.open(dir, { durability: 'flush' });
    const t0 = performance.now();
    const size = 5_000;
    for (let start = 0; start < orders; start += size) {
      const batch: TransitionInput[] = [];
      for (let i = start; i < Math.min(orders, start + size); i++) {
        const cid = `c-${String(i).padStart(8, '0')}`;
        batch.push(transitionFor(cid, i, persistedWorking(cid, i)));
      }
      await store.commitTransitions(batch);
    }
    // Archived orders must not slow down listLive: add as many archived ones.
    for (let start = 0; start < orders; start += size) {
      const batch: TransitionInput[] = [];
      for (let i = start; i < Math.min(orders, start + size); i++) {
        batch.push({ ...transitionFor(`z-${String(i).padStart(8, '0')}`, i, persistedWorking('x', i)), live: false });
      }
      await store.commitTransitions(batch);
    }
    const populateMs = performance.now() - t0;
    await store.close();
    const { size: bytes } = await stat(join(dir, 'data.mdb'));
    console.log(
      `populate: ${fmt(orders)} live + ${fmt(orders)} archived orders (actor machine snapshots + xstate create) in ${fmt(populateMs)} ms; data.mdb ${fmt(bytes / 1024 / 1024)} MiB`,
    );

    const results: Array<{ listMs: number; actorsMs: number; wallMs: number }> = [];
    for (let r = 0; r < runs; r++) {
      const w0 = performance.now();
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), '--rehydrate', dir, String(orders)],
        { encoding: 'utf8' },
      );
      const wallMs = performance.now() - w0;
      if (child.status !== 0) throw new Error(`rehydrate child failed: ${child.stderr}`);
      const parsed: unknown = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}');
      if (typeof parsed !== 'object' || parsed === null) throw new Error('bad child output');
      const listMs = Number(Reflect.get(parsed, 'listMs'));
      const actorsMs = Number(Reflect.get(parsed, 'actorsMs'));
      results.push({ listMs, actorsMs, wallMs });
    }
    console.log(`rehydrate ${fmt(orders)} live orders in a fresh process (median of ${runs}):`);
    console.log(`  open + listLive() (decode + zod):                 ${fmt(median(results.map((x) => x.listMs)))} ms`);
    console.log(`  open + listLive() + createActor({snapshot}).start(): ${fmt(median(results.map((x) => x.actorsMs)))} ms`);
    console.log(`  whole child process incl. node + tsx startup:     ${fmt(median(results.map((x) => x.wallMs)))} ms`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Child mode: measured in a fresh process. Prints one JSON line. */
async function rehydrateChild(dir: string, expected: number): Promise<void> {
  const t0 = performance.now();
  const store = await OrderStore.open(dir, { durability: 'commit' });
  const openMs = performance.now() - t0;

  const t1 = performance.now();
  let count = 0;
  for (const { record } of store.listLive()) if (record.seq > 0) count++;
  const listMs = openMs + (performance.now() - t1);
  if (count !== expected) throw new Error(`listed ${count}, expected ${expected}`);

  const t2 = performance.now();
  const actors = new Map<string, Actor<typeof orderMachine>>();
  for (const { clientOrderId, record } of store.listLive()) {
    // The store treats snapshots as opaque; the engine checks machine version and status after start().
    const actor = createActor(orderMachine, { snapshot: record.snapshot as OrderSnapshot, input: undefined });
    actor.start();
    if (actor.getSnapshot().status !== 'active') throw new Error(`${clientOrderId} did not restore`);
    actors.set(clientOrderId, actor);
  }
  const actorsMs = openMs + (performance.now() - t2);
  await store.close();
  process.stdout.write(`${JSON.stringify({ openMs, listMs, actorsMs, actors: actors.size })}\n`);
}

const mode = process.argv.indexOf('--rehydrate');
if (mode >= 0) {
  await rehydrateChild(process.argv[mode + 1] ?? '', Number(process.argv[mode + 2]));
} else {
  const { orders, runs } = args();
  console.log(`order store bench — node ${process.version}, ${(await import('node:os')).cpus().length} CPUs`);
  await throughput();
  await rehydration(orders, runs);
}
