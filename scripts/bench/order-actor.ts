/**
 * Order-actor micro-benchmark: `npx tsx scripts/bench/order-actor.ts [--orders 2000] [--rounds 6]`.
 *
 * The order machine alone (no engine, no store): how long one `actor.send` takes
 * for the events of a busy account's stream, how long `getPersistedSnapshot()`
 * takes, what the persisted snapshot costs to msgpack-encode and how big it is,
 * how much heap a live order holds, and whether every object of the context
 * keeps V8's fast (in-object / descriptor) property layout.
 *
 * Each round: `--orders` fresh actors go RISK_APPROVED → SUBMIT → VENUE_UPDATE
 * open (ACCEPTED), then 4 rounds of one maker FILL + the venue's cumulative
 * VENUE_UPDATE (the last `closed`: FILLED → CLOSED), interleaved across orders
 * as in the engine bench (`--only updates`). Every phase is timed as a whole
 * (no timer call per event) and divided by the number of events. The first
 * round warms the JIT and is not reported; figures are the median of the others.
 *
 * Also: `getPersistedSnapshot()` and msgpack encoding of a PARTIAL order (plain,
 * and with shared structures as the store's LMDB databases encode), one
 * `Object.assign({}, context, {})` (the copy XState's `assign` makes), heap bytes
 * per live order (child processes: `--heap-child <actors|contexts> <n>`), and
 * V8's `%HasFastProperties` for every object of the context, cold and after the
 * rounds. (A 40-key object built by keyed stores can still come out fast once
 * some other code, e.g. structuredClone or a deserializer, has created the same
 * map transitions: which is why the check runs cold, first.)
 *
 * Shape-agnostic: it reads the context only by walking it generically, so the
 * same script measures any version of the machine (run it from a checkout of
 * the old version to compare).
 */
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { Packr } from 'msgpackr';
import { createActor, type Actor } from 'xstate';
import { ORDER_MACHINE_VERSION, type OrderEvent, orderMachine } from '../../machines/order.machine.ts';
import type { Fill, OrderIntent, VenueOrderUpdate } from '../../src/domain/order.ts';
import { benchIntent, fmtInt, openUpdate, spawnJsonChild, summary, venueOrderIdOf } from './engine-lib.ts';

setFlagsFromString('--allow-natives-syntax');
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
// Compiled after the flag is set, so the natives syntax is accepted here.
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

type OrderActor = Actor<typeof orderMachine>;

const argv = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const ORDERS = opt('--orders', 2000);
const ROUNDS = opt('--rounds', 6);
const FILLS = 4;
const T0 = 1_754_524_800_000;

const us = (ns: bigint, n: number): number => Number(ns) / 1e3 / n;

function intentOf(i: number): OrderIntent {
  // A limit buy/sell of 0.001 BTC, as the engine bench places it.
  return { ...benchIntent(`oa-${i}`, i, 'bench', T0 + i), symbol: 'BTC/USDT', quantity: '0.00100000', price: '60000.00' };
}

function fillOf(intent: OrderIntent, i: number, k: number): Fill {
  const part = 100_000 / FILLS;
  return {
    tradeId: String(70_000_000 + i * FILLS + k),
    venueOrderId: venueOrderIdOf(intent.signalId),
    clientOrderId: intent.clientOrderId,
    price: '60000.00000000',
    quantity: (part / 1e8).toFixed(8),
    feeAmount: (part / 1000 / 1e8).toFixed(8),
    feeCurrency: 'BTC',
    liquidity: 'maker',
    time: T0 + 1000 + k * 10,
  };
}

function updateOf(intent: OrderIntent, k: number): VenueOrderUpdate {
  const part = 100_000 / FILLS;
  return {
    clientOrderId: intent.clientOrderId,
    venueOrderId: venueOrderIdOf(intent.signalId),
    status: k === FILLS ? 'closed' : 'open',
    filledQuantity: ((part * k) / 1e8).toFixed(8),
    averagePrice: '60000',
    time: T0 + 1000 + k * 10,
  };
}

/** Sends `ev(i)` to every actor; ns for the whole phase. */
function phase(actors: OrderActor[], ev: (i: number) => OrderEvent): bigint {
  const events = actors.map((_, i) => ev(i));
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < actors.length; i++) actors[i]!.send(events[i]!);
  return process.hrtime.bigint() - t0;
}

interface RoundFigures {
  create: number;
  approve: number;
  submit: number;
  ack: number;
  fillFirst: number;
  fillStay: number;
  fillComplete: number;
  fillAll: number;
  updateStay: number;
  updateClosed: number;
  updateAll: number;
  persist: number;
  packPlain: number;
  packShared: number;
  assignCopy: number;
  sizeJson: number;
  sizePlain: number;
  sizeShared: number;
}

function round(): RoundFigures {
  const intents = Array.from({ length: ORDERS }, (_, i) => intentOf(i));
  const t0 = process.hrtime.bigint();
  const actors = intents.map((intent) => createActor(orderMachine, { input: { intent } }).start());
  const create = process.hrtime.bigint() - t0;
  const approve = phase(actors, () => ({ type: 'RISK_APPROVED', at: T0 + 1 }));
  const submit = phase(actors, () => ({ type: 'SUBMIT', at: T0 + 2 }));
  const ack = phase(actors, (i) => ({ type: 'VENUE_UPDATE', at: T0 + 3, update: openUpdate(intents[i]!.clientOrderId, venueOrderIdOf(intents[i]!.signalId), T0 + 3) }));
  const fills: bigint[] = [];
  const updates: bigint[] = [];
  let persist = 0n;
  let packPlain = 0n;
  let packShared = 0n;
  let assignCopy = 0n;
  let sizeJson = 0;
  let sizePlain = 0;
  let sizeShared = 0;
  for (let k = 1; k <= FILLS; k++) {
    fills.push(phase(actors, (i) => ({ type: 'FILL', at: T0 + 1000 + k * 10, fill: fillOf(intents[i]!, i, k) })));
    updates.push(phase(actors, (i) => ({ type: 'VENUE_UPDATE', at: T0 + 1001 + k * 10, update: updateOf(intents[i]!, k) })));
    if (k === 2) {
      // PARTIAL with two fills: a typical live order.
      const a = process.hrtime.bigint();
      const snaps = actors.map((x) => x.getPersistedSnapshot());
      persist = process.hrtime.bigint() - a;
      const plainPackr = new Packr({ useRecords: false });
      const b = process.hrtime.bigint();
      const plainBufs = snaps.map((s) => plainPackr.pack(s));
      packPlain = process.hrtime.bigint() - b;
      // As the store encodes: records with structures shared across values (lmdb's sharedStructuresKey).
      const shared: object[] = [];
      const sharedPackr = new Packr({ structures: shared });
      sharedPackr.pack(snaps[0]); // learn the structures once, as a warm store has
      const c = process.hrtime.bigint();
      const sharedBufs = snaps.map((s) => Buffer.from(sharedPackr.pack(s)));
      packShared = process.hrtime.bigint() - c;
      sizePlain = plainBufs.reduce((s, x) => s + x.length, 0) / snaps.length;
      sizeShared = sharedBufs.reduce((s, x) => s + x.length, 0) / snaps.length;
      sizeJson = snaps.reduce<number>((s, x) => s + JSON.stringify(x).length, 0) / snaps.length;
      // What XState's assign does with the context, once per assign action.
      const ctxs = actors.map((x) => x.getSnapshot().context);
      const d = process.hrtime.bigint();
      let sink = 0;
      for (const ctx of ctxs) sink += Object.keys(Object.assign({}, ctx, {})).length;
      assignCopy = process.hrtime.bigint() - d;
      if (sink === 0) throw new Error('unreachable');
    }
  }
  for (const a of actors) {
    if (a.getSnapshot().value !== 'CLOSED') throw new Error(`order ended ${a.getSnapshot().value}, expected CLOSED`);
    a.stop();
  }
  const n = ORDERS;
  const fillStay = fills.slice(1, FILLS - 1).reduce((s, x) => s + x, 0n);
  const updStay = updates.slice(0, FILLS - 1).reduce((s, x) => s + x, 0n);
  return {
    create: us(create, n),
    approve: us(approve, n),
    submit: us(submit, n),
    ack: us(ack, n),
    fillFirst: us(fills[0]!, n),
    fillStay: us(fillStay, n * (FILLS - 2)),
    fillComplete: us(fills[FILLS - 1]!, n),
    fillAll: us(fills.reduce((s, x) => s + x, 0n), n * FILLS),
    updateStay: us(updStay, n * (FILLS - 1)),
    updateClosed: us(updates[FILLS - 1]!, n),
    updateAll: us(updates.reduce((s, x) => s + x, 0n), n * FILLS),
    persist: us(persist, n),
    packPlain: us(packPlain, n),
    packShared: us(packShared, n),
    assignCopy: us(assignCopy, n),
    sizeJson,
    sizePlain,
    sizeShared,
  };
}

/** Order `i` in PARTIAL: two fills, each followed by the venue's cumulative update. */
function partialOrder(i: number): OrderActor {
  const intent = intentOf(i);
  const a = createActor(orderMachine, { input: { intent } }).start();
  a.send({ type: 'RISK_APPROVED', at: T0 + 1 });
  a.send({ type: 'SUBMIT', at: T0 + 2 });
  a.send({ type: 'VENUE_UPDATE', at: T0 + 3, update: openUpdate(intent.clientOrderId, venueOrderIdOf(intent.signalId), T0 + 3) });
  for (let k = 1; k <= 2; k++) {
    a.send({ type: 'FILL', at: T0 + 1000 + k * 10, fill: fillOf(intent, i, k) });
    a.send({ type: 'VENUE_UPDATE', at: T0 + 1001 + k * 10, update: updateOf(intent, k) });
  }
  return a;
}

/**
 * Child mode `--heap-child <actors|contexts> <n>`: heap bytes per order, in a fresh
 * process (after a small warm-up), of `n` live actors in PARTIAL, or of their
 * contexts alone (the actors stopped and dropped). Prints one JSON line.
 */
function heapChild(mode: string, n: number): void {
  const settle = (): number => {
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  for (let i = 0; i < 200; i++) partialOrder(i).stop(); // warm-up: code compiled, lazy module state created
  const h0 = settle();
  // One order at a time, so no temporary array of actors can stay reachable from this frame during the gc.
  const kept: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const a = partialOrder(i);
    if (mode === 'actors') kept.push(a);
    else {
      a.stop();
      kept.push(a.getSnapshot().context);
    }
  }
  const perOrder = (settle() - h0) / n;
  process.stdout.write(`${JSON.stringify({ perOrder, kept: kept.length })}\n`);
}

async function heapPerOrder(n: number): Promise<{ perActor: number; perContext: number }> {
  const run = async (mode: string): Promise<number> => {
    const child = spawnJsonChild(fileURLToPath(import.meta.url), ['--heap-child', mode, String(n)]);
    const out = await child.next();
    await child.exited;
    return Number(out['perOrder']);
  };
  return { perActor: await run('actors'), perContext: await run('contexts') };
}

/** Every object of the context: path, key count, fast or dictionary properties. */
function layout(value: unknown, path = 'context', out: Array<{ path: string; keys: number; fast: boolean }> = []): typeof out {
  if (value === null || typeof value !== 'object') return out;
  if (!Array.isArray(value)) out.push({ path, keys: Object.keys(value).length, fast: hasFastProperties(value) });
  for (const [k, v] of Object.entries(value)) layout(v, Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`, out);
  return out;
}

function printLayout(label: string, ctx: unknown): void {
  const rows = layout(ctx);
  const slow = rows.filter((r) => !r.fast);
  const widest = rows.reduce((m, r) => Math.max(m, r.keys), 0);
  console.log(
    `  ${label}: ${rows.length} objects, largest ${widest} keys; ${slow.length === 0 ? 'all fast properties' : `DICTIONARY MODE: ${slow.map((r) => `${r.path} (${r.keys} keys)`).join(', ')}`}`,
  );
}

function layoutReport(when: string): void {
  console.log(`\ncontext property layout ${when} (V8 %HasFastProperties on every object of the context):`);
  const a = partialOrder(7);
  printLayout('live actor after FILL + VENUE_UPDATE', a.getSnapshot().context);
  const json = JSON.parse(JSON.stringify(a.getPersistedSnapshot())) as { context: unknown };
  printLayout('JSON round trip of the persisted snapshot', json.context);
  const packr = new Packr({ structures: [] });
  const unpacked = packr.unpack(packr.pack(a.getPersistedSnapshot())) as { context: unknown };
  printLayout('msgpack (shared structures) round trip', unpacked.context);
  const restored = createActor(orderMachine, { snapshot: unpacked as never, input: undefined }).start();
  restored.send({ type: 'FILL', at: T0 + 1020, fill: fillOf(intentOf(7), 7, 3) });
  printLayout('restored from msgpack, then one FILL', restored.getSnapshot().context);
}

async function main(): Promise<void> {
  console.log(`order-actor bench — node ${process.version}, ORDER_MACHINE_VERSION ${ORDER_MACHINE_VERSION}, ${fmtInt(ORDERS)} orders × ${ROUNDS} rounds (first is warm-up)`);
  layoutReport('at start (cold)');
  const rounds: RoundFigures[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const f = round();
    if (r > 0) rounds.push(f);
  }
  const med = (key: keyof RoundFigures): number => summary(rounds.map((f) => f[key])).p50;
  const row = (label: string, key: keyof RoundFigures, unit = 'µs'): void => {
    const v = med(key);
    console.log(`  ${label.padEnd(58)} ${unit === 'µs' ? v.toFixed(2).padStart(8) : fmtInt(v).padStart(8)} ${unit}`);
  };
  console.log('\nper call (median of rounds):');
  row('createActor + start', 'create');
  row('send RISK_APPROVED (RECEIVED → VALIDATED)', 'approve');
  row('send SUBMIT (VALIDATED → SUBMITTED)', 'submit');
  row('send VENUE_UPDATE open (SUBMITTED → ACCEPTED)', 'ack');
  row('send FILL, first (ACCEPTED → PARTIAL)', 'fillFirst');
  row('send FILL, stays PARTIAL', 'fillStay');
  row('send FILL, completes (PARTIAL → FILLED)', 'fillComplete');
  row('send FILL, all', 'fillAll');
  row('send VENUE_UPDATE open, cumulative (stays)', 'updateStay');
  row('send VENUE_UPDATE closed (FILLED → CLOSED)', 'updateClosed');
  row('send VENUE_UPDATE, all', 'updateAll');
  row('getPersistedSnapshot (PARTIAL, 2 fills)', 'persist');
  row('msgpack encode, plain Packr', 'packPlain');
  row('msgpack encode, Packr with shared structures (as the store)', 'packShared');
  row('Object.assign({}, context, {}) (one XState assign copy)', 'assignCopy');
  console.log('\npersisted snapshot size (PARTIAL, 2 fills):');
  row('JSON', 'sizeJson', 'bytes');
  row('msgpack, plain', 'sizePlain', 'bytes');
  row('msgpack, shared structures', 'sizeShared', 'bytes');
  const heap = await heapPerOrder(10_000);
  console.log('\nheap per live order (10,000 in PARTIAL with 2 fills, after gc, fresh process each):');
  console.log(`  ${'actor (actor + snapshot + context)'.padEnd(58)} ${fmtInt(heap.perActor).padStart(8)} bytes`);
  console.log(`  ${'context alone (as the machine built it)'.padEnd(58)} ${fmtInt(heap.perContext).padStart(8)} bytes`);
  layoutReport('at the end (after the rounds)');
}

const heapAt = argv.indexOf('--heap-child');
if (heapAt >= 0) heapChild(argv[heapAt + 1] ?? 'actors', Number(argv[heapAt + 2] ?? 10_000));
else await main();
