/**
 * Order-listing benchmark: `npm run bench:listing [-- --archived 100000 --live-every 50]`.
 *
 * What one page of the `orders` op costs (`Engine.orders`, the socket's `orders` and the CLI's `orders`)
 * when the store holds many orders: `--archived` closed orders (each through the real order machine:
 * RISK_APPROVED, SUBMIT, the venue's acknowledgement, one fill for the whole quantity, the venue's `closed`:
 * CLOSED, archived), with one live resting order (ACCEPTED, or PARTIAL) recorded after every `--live-every`
 * of them. The engine is started on that store (a harness port that holds every live order unchanged).
 *
 * Prints, each the median of 7 runs (ms): the first page (100 orders) oldest first and newest first; a page
 * from a cursor in the middle; a page of live states only (`ACCEPTED`, `PARTIAL`: the engine walks its live
 * orders in memory, in listing order); a page filtered by an instrument that only every other order
 * has; an instrument no order has (the whole index walked, every order ruled out by its listing tag); and a
 * state no order is in (the whole index walked, every archived order read). Beside them, what
 * reading every archived record takes (`store.listArchived()`): what each page cost before the listing index
 * (store schema 3), when a page read every order there is.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ORDER_MACHINE_VERSION, type OrderEvent } from '../../machines/order.machine.ts';
import type { OrdersQuery } from '../../src/engine/api.ts';
import type { TransitionInput } from '../../src/store/index.ts';
import { newEngine, openStore } from './engine-compose.ts';
import { HarnessPort, acceptedOrder, fmtInt, liveOrderRecord, makerFill, since } from './engine-lib.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  const v = i >= 0 ? Number(argv[i + 1]) : dflt;
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${name}: expected a positive integer`);
  return v;
};
const ARCHIVED = opt('--archived', 100_000);
const LIVE_EVERY = opt('--live-every', 50);
const RUNS = 7;

/** A closed order (filled in one maker fill, the venue said `closed`): its last transition, archived. */
function closedOrder(i: number, t0: number): TransitionInput {
  const at = t0 + i;
  const { actor, intent, venueOrderId } = acceptedOrder(`closed-${i}`, i, 'paper', at);
  const quantity = intent.quantity ?? '1';
  actor.send({ type: 'FILL', at: at + 40, fill: makerFill(intent, venueOrderId, String(90_000_000 + i), quantity, '0.0000005', 'BTC', at + 39) });
  const from = actor.getSnapshot().value;
  const update = { clientOrderId: intent.clientOrderId, venueOrderId, status: 'closed' as const, filledQuantity: quantity, averagePrice: intent.price ?? '1', time: at + 40 };
  const last: OrderEvent = { type: 'VENUE_UPDATE', at: at + 41, update };
  actor.send(last);
  const snapshot = actor.getPersistedSnapshot();
  if (actor.getSnapshot().value !== 'CLOSED') throw new Error(`closed order ${i} ended in ${actor.getSnapshot().value}`);
  actor.stop();
  // One transition stands for the order's whole history here, so it carries the listing tag the engine gives an order's first one.
  return { clientOrderId: intent.clientOrderId, snapshot, version: ORDER_MACHINE_VERSION, journalEntry: { event: last, from, to: 'CLOSED', at: last.at }, live: false, listingTag: intent.symbol };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'bench-listing-'));
  try {
    const store = await openStore(join(root, 'store'));
    const t0 = Date.now() - 86_400_000;
    const tp = process.hrtime.bigint();
    const liveVenueIds = new Map<string, string>();
    let batch: TransitionInput[] = [];
    let live = 0;
    for (let i = 0; i < ARCHIVED; i++) {
      batch.push(closedOrder(i, t0));
      if ((i + 1) % LIVE_EVERY === 0) {
        const r = liveOrderRecord(live++, 'paper', t0 + i);
        liveVenueIds.set(r.clientOrderId, r.venueOrderId);
        const listingTag = r.symbol === 'BTCUSDT' ? 'BTC/USDT' : 'ETH/USDT';
        batch.push({ clientOrderId: r.clientOrderId, snapshot: r.snapshot, version: ORDER_MACHINE_VERSION, journalEntry: { event: r.lastEvent, from: r.from, to: r.to, at: r.lastEvent.at }, live: true, listingTag });
      }
      if (batch.length >= 5_000) {
        await store.commitTransitions(batch);
        batch = [];
      }
    }
    await store.commitTransitions(batch);
    console.log(`store: ${fmtInt(ARCHIVED)} closed (archived) orders and ${fmtInt(live)} live ones (one after every ${LIVE_EVERY}), populated in ${fmtInt(since(tp))} ms`);

    const engine = newEngine(store, [new HarnessPort('paper', (cid) => liveVenueIds.get(cid))]);
    await engine.start();
    // A cursor in the middle of the listing (walked to, 1,000 orders a page).
    let cursor: string | undefined;
    for (let seen = 0; seen < (ARCHIVED + live) / 2; seen += 1_000) cursor = (await engine.orders({ limit: 1_000, ...(cursor !== undefined && { cursor }) })).nextCursor;

    const time = async (label: string, query: OrdersQuery, expect: (n: number) => boolean): Promise<void> => {
      const runs: number[] = [];
      let n = 0;
      for (let r = 0; r < RUNS; r++) {
        const t = process.hrtime.bigint();
        n = (await engine.orders(query)).orders.length;
        runs.push(since(t));
      }
      if (!expect(n)) throw new Error(`${label}: ${n} orders listed`);
      console.log(`  ${label.padEnd(72)} ${median(runs).toFixed(1).padStart(8)} ms  (${fmtInt(n)} orders listed)`);
    };
    console.log(`one page of \`orders\` (Engine.orders), median of ${RUNS}:`);
    await time('first page of 100, oldest first', { limit: 100 }, (n) => n === 100);
    await time('first page of 100, newest first', { limit: 100, newestFirst: true }, (n) => n === 100);
    await time('page of 100 from a cursor in the middle', { limit: 100, ...(cursor !== undefined && { cursor }) }, (n) => n === 100);
    await time('first page of 100 live orders (states ACCEPTED, PARTIAL)', { limit: 100, states: ['ACCEPTED', 'PARTIAL'] }, (n) => n === Math.min(100, live));
    await time('first page of 100, instrument ETH/USDT (every other order)', { limit: 100, instrument: 'ETH/USDT' }, (n) => n === 100);
    await time('an instrument no order has (XRP/USDT: every listing tag says another)', { limit: 100, instrument: 'XRP/USDT' }, (n) => n === 0);
    await time('a final state no order is in (DENIED: every archived order read)', { limit: 100, states: ['DENIED'] }, (n) => n === 0);
    const runs: number[] = [];
    for (let r = 0; r < 3; r++) {
      const t = process.hrtime.bigint();
      let n = 0;
      for (const _ of store.listArchived()) n++;
      runs.push(since(t));
      if (n !== ARCHIVED) throw new Error(`listArchived read ${n}`);
    }
    console.log(`  ${'for comparison: reading every archived record (store.listArchived())'.padEnd(72)} ${median(runs).toFixed(1).padStart(8)} ms  (what every page cost before store schema 3)`);
    await engine.stop();
    await store.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
