/**
 * Engine benchmark, one run: `npx tsx scripts/bench/engine.ts` (about 1–2 minutes on 2 cores).
 *
 * Prints, each beside its target with PASS/MISS:
 * 1. socket signal → venue acknowledgement latency p50/p99 (real daemon wiring: Engine +
 *    LMDB store with the daemon's durability + real Unix socket + real client + real ccxt
 *    port; the simulator in its own process), beside the raw ccxt `createOrder` round trip
 *    to the same simulator with the intent committed to LMDB first (target p50 ≤ 2× raw);
 * 2. venue order/fill updates per second through routing → actor → LMDB commit, fed as
 *    domain objects through a harness port (target ≥ 50,000/s), and end to end from raw
 *    `executionReport` websocket frames through the real ccxt.pro client and `src/venue/`;
 * 3. rehydration of 100,000 persisted live orders in a fresh process (target ≤ 1.5 s);
 * 4. RSS with 10,000 live orders in a fresh process run as `npm start` runs the daemon: the
 *    composition of `./engine-rss.ts`, bundled as `prestart` bundles the daemon, plain node with
 *    the start script's node flags and environment (target ≤ 150 MB, judged once the orders rest
 *    and their actors are passivated; the figure with every actor running is printed beside it);
 *    the same under tsx beside it.
 *
 * Parts 1–3 run in this process, under the start script's node flags and environment (the script
 * runs itself again with them unless BENCH_AS_DAEMON=1 says it already does).
 *
 * Options: `--only latency|updates|ws|rehydrate|rss` (one part, e.g. under `node --cpu-prof`),
 * `--n <latency samples per side>` (default 1200), `--keep` (keep the temp folders),
 * `--no-user-stream` (diagnostic for part 1: the engine without its user-data stream),
 * `--profile-updates <file.cpuprofile>` (a CPU profile of part 2a's push phase only; with the environment
 * variable BENCH_ALLOC_PROFILE=1, a sampling allocation profile of it instead, collected objects included),
 * `--no-tsx-rss` (part 4 without its comparison run under tsx); environment BENCH_THREADS=1 prints each
 * thread's CPU time during part 2a's push (main, V8's GC helpers, lmdb's writer in libuv's pool).
 *
 * Run `node --cpu-prof --import tsx scripts/bench/engine.ts --only <part>` to profile one part.
 *
 * Internal child mode: `--child rehydrate <dir> <replica|engine|list>` (part 4's child is `./engine-rss.ts`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ccxt from 'ccxt';
import { NEVER, of } from 'rxjs';
import { createActor } from 'xstate';
import { z } from 'zod';
import {
  ORDER_MACHINE_VERSION,
  type OrderContext,
  type OrderSnapshot,
  nextDeadline,
  orderMachine,
} from '../../machines/order.machine.ts';
import { IngressError, connect } from '../../src/cli/client.ts';
import { clientOrderIdFor } from '../../src/domain/client-order-id.ts';
import type { Fill, VenueOrderUpdate } from '../../src/domain/order.ts';
import { DeadlineScheduler } from '../../src/engine/scheduler.ts';
import type { VenuePort } from '../../src/engine/venue-port.ts';
import { startSocketServer } from '../../src/ingress/server.ts';
import { OrderStore, type TransitionInput } from '../../src/store/index.ts';
import { REPO_ROOT as REPO } from '../../src/repo-root.ts';
import { createVenuePort } from '../../src/venue/port.ts';
import { RECV_WINDOW_MS, countTransitions, newEngine, openStore, placeOrders, streamsOnlyPort, withRecvWindow } from './engine-compose.ts';
import {
  HarnessPort,
  type JsonChild,
  benchLogger,
  fmtInt,
  liveOrderRecord,
  mib,
  ms3,
  nextTurn,
  openUpdate,
  since,
  sleep,
  spawnJsonChild,
  summary,
  until,
  venueOrderIdOf,
  verdict,
  withTimeout,
} from './engine-lib.ts';
import type { MemoryFigures, RssReport } from './engine-rss.ts';

const SELF = fileURLToPath(import.meta.url);
const VENUE_SCRIPT = fileURLToPath(new URL('./engine-venue.ts', import.meta.url));

interface VenueInfo {
  description: { http: string; ws: string; apiKey: string; secret: string; ccxt: Record<string, unknown> };
  raw: { apiKey: string; secret: string };
  bestBid: string;
  framesWs: string;
}

interface Figure {
  label: string;
  value: string;
  target: string;
  ok: boolean;
}

const figures: Figure[] = [];
function report(f: Figure): void {
  figures.push(f);
  console.log(`  => ${f.label}: ${f.value} — target ${f.target} — ${verdict(f.ok)}`);
}

// =====================================================================================
// 1. Latency: socket signal → venue acknowledgement, beside raw ccxt createOrder + LMDB
// =====================================================================================

async function latency(venue: JsonChild, info: VenueInfo, perSide: number, root: string, noUserStream: boolean): Promise<void> {
  console.log('\n[1] socket signal → venue acknowledgement latency, beside raw ccxt createOrder with the intent committed to LMDB first');
  if (noUserStream) console.log('  DIAGNOSTIC --no-user-stream: the engine gets no user-data stream (acknowledgements come from the REST answers only)');
  const desc = info.description;
  const logger = benchLogger('engine');
  const port = await createVenuePort(
    {
      id: 'paper',
      exchange: 'binance',
      apiKey: desc.apiKey,
      secret: desc.secret,
      ccxtOptions: withRecvWindow(desc.ccxt, RECV_WINDOW_MS),
      enableRateLimit: false,
    },
    logger.child({ component: 'venue' }),
  );
  // The real port, with the start and end of each submit noted (hrtime) to split the latency; behaviour unchanged.
  const submitTimes = new Map<string, { start: bigint; end: bigint }>();
  const timedPort: VenuePort = {
    id: port.id,
    limits: (s) => port.limits(s),
    submit: async (intent) => {
      const start = process.hrtime.bigint();
      const outcome = await port.submit(intent);
      submitTimes.set(intent.clientOrderId, { start, end: process.hrtime.bigint() });
      return outcome;
    },
    cancel: (cid, s) => port.cancel(cid, s),
    lookup: (cid, s) => port.lookup(cid, s),
    orderUpdates$: noUserStream ? NEVER : port.orderUpdates$,
    fills$: noUserStream ? NEVER : port.fills$,
    connectivity$: noUserStream ? of({ stream: 'orders', state: 'up' as const }, { stream: 'fills', state: 'up' as const }) : port.connectivity$,
    close: () => port.close(),
  };
  const store = await openStore(join(root, 'latency-engine'));
  // Likewise the engine store's commits (an instance wrapper): how long each is awaited, by durability
  // ('flush': committed and fsync'd; 'commit': committed, i.e. readable back).
  const commitMs: number[] = [];
  const visibleCommitMs: number[] = [];
  let recordCommits = false;
  // When each order's first (intent) commit was issued and settled, to split the path before the venue call.
  const intentCommit = new Map<string, { issued: bigint; settled: bigint }>();
  const commitTransitions = store.commitTransitions.bind(store);
  store.commitTransitions = async (inputs, options) => {
    const t = process.hrtime.bigint();
    try {
      return await commitTransitions(inputs, options);
    } finally {
      if (recordCommits) {
        ((options?.durability ?? 'flush') === 'flush' ? commitMs : visibleCommitMs).push(since(t));
        const settled = process.hrtime.bigint();
        for (const i of inputs) if (i.signal) intentCommit.set(i.clientOrderId, { issued: t, settled });
      }
    }
  };
  const engine = newEngine(store, [timedPort]);
  await engine.start();
  // When the engine was handed each signal (after the socket, the server's parse and validation).
  const signalAt = new Map<string, bigint>();
  const engineSignal = engine.signal.bind(engine);
  engine.signal = (req) => {
    if (recordCommits && req.signalId) signalAt.set(req.signalId, process.hrtime.bigint());
    return engineSignal(req);
  };
  const sockPath = join(root, 'engine.sock');
  const server = await startSocketServer({ path: sockPath, engine, logger: logger.child({ component: 'socket' }) });
  await until(() => {
    const s = engine.status().venues[0]?.streams;
    return s?.['orders'] === 'up' && s['fills'] === 'up';
  }, 'the engine user-data streams');

  const subscriber = await connect(sockPath);
  const events = subscriber.events();
  await subscriber.request('subscribe');
  const client = await connect(sockPath);

  const ackWaiters = new Map<string, (v: { t: bigint; to: string }) => void>();
  const closeWaiters = new Map<string, () => void>();
  const pump = (async () => {
    for await (const e of events) {
      if (e.type !== 'transition') continue;
      if (e.from === 'SUBMITTED') {
        const w = ackWaiters.get(e.clientOrderId);
        if (w) {
          ackWaiters.delete(e.clientOrderId);
          w({ t: process.hrtime.bigint(), to: e.to });
        }
      }
      if (e.to === 'CLOSED') {
        const w = closeWaiters.get(e.clientOrderId);
        if (w) {
          closeWaiters.delete(e.clientOrderId);
          w();
        }
      }
    }
  })();

  // Raw baseline: its own account (no user-data subscriber on it), its own LMDB store with the daemon's durability.
  const rawStore = await openStore(join(root, 'latency-raw'));
  const ex = new ccxt.pro.binance({
    ...desc.ccxt,
    apiKey: info.raw.apiKey,
    secret: info.raw.secret,
    enableRateLimit: false,
    options: { ...(desc.ccxt['options'] as Record<string, unknown>), recvWindow: RECV_WINDOW_MS },
  });
  await ex.loadMarkets();

  const price = (Math.floor(Number(info.bestBid) * 0.9 * 100) / 100).toFixed(2);
  const quantity = '0.00020';
  console.log(
    `  orders: limit buy ${quantity} BTC/USDT GTC at ${price} (90% of the best bid ${info.bestBid}: acknowledged, never filled), one at a time; ` +
      'open orders cancelled after every block of 150 (MAX_NUM_ORDERS 200)',
  );

  const engineAck: number[] = [];
  const engineReply: number[] = [];
  const toSubmit: number[] = [];
  const toEngine: number[] = [];
  const toCommit: number[] = [];
  const inCommit: number[] = [];
  const commitToSubmit: number[] = [];
  const inSubmit: number[] = [];
  const afterSubmit: number[] = [];
  const rawRtt: number[] = [];
  const rawCommit: number[] = [];
  const ackStates = new Map<string, number>();
  const simEngine: number[] = [];
  const simRaw: number[] = [];
  let seq = 0;

  const engineBlock = async (n: number, record: boolean): Promise<void> => {
    const cids: string[] = [];
    await venue.ask({ cmd: 'resetTimings' });
    recordCommits = record;
    for (let i = 0; i < n; i++) {
      const signalId = `lat-${++seq}`;
      const cid = clientOrderIdFor(signalId, 'entry');
      const acked = new Promise<{ t: bigint; to: string }>((resolve) => ackWaiters.set(cid, resolve));
      const t0 = process.hrtime.bigint();
      const reply = await client.request('signal', { signal: { signalId, instrument: 'BTC/USDT', side: 'buy', type: 'limit', quantity, price, timeInForce: 'GTC' } });
      const tReply = since(t0);
      const ack = await withTimeout(acked, 30_000, `the acknowledgement of ${cid}`);
      const tAck = Number(ack.t - t0) / 1e6;
      if (reply.clientOrderId !== cid) throw new Error('unexpected client order id');
      cids.push(cid);
      if (record) {
        engineReply.push(tReply);
        engineAck.push(tAck);
        const st = submitTimes.get(cid);
        const sa = signalAt.get(signalId);
        const ic = intentCommit.get(cid);
        if (st && sa && ic) {
          toEngine.push(Number(sa - t0) / 1e6);
          toCommit.push(Number(ic.issued - sa) / 1e6);
          inCommit.push(Number(ic.settled - ic.issued) / 1e6);
          commitToSubmit.push(Number(st.start - ic.settled) / 1e6);
        }
        if (st) {
          toSubmit.push(Number(st.start - t0) / 1e6);
          inSubmit.push(Number(st.end - st.start) / 1e6);
          afterSubmit.push(Number(ack.t - st.end) / 1e6);
        }
        ackStates.set(ack.to, (ackStates.get(ack.to) ?? 0) + 1);
      }
    }
    recordCommits = false;
    const t = await venue.ask({ cmd: 'timings' });
    if (record) simEngine.push(Number(t['p50Us']) / 1000);
    // Cancel through the socket and wait until every order is CLOSED (an order already closed answers `conflict`).
    const closed = cids.map((cid) => new Promise<void>((resolve) => closeWaiters.set(cid, resolve)));
    await Promise.all(
      cids.map((clientOrderId) =>
        client.request('cancel', { clientOrderId }).catch((err: unknown) => {
          closeWaiters.get(clientOrderId)?.();
          closeWaiters.delete(clientOrderId);
          if (!(err instanceof IngressError && err.code === 'conflict')) throw err;
        }),
      ),
    );
    await withTimeout(Promise.all(closed), 30_000, 'the cancelled orders to close');
  };

  const rawBlock = async (n: number, record: boolean): Promise<void> => {
    const ids: string[] = [];
    await venue.ask({ cmd: 'resetTimings' });
    for (let i = 0; i < n; i++) {
      const signalId = `raw-${++seq}`;
      const cid = clientOrderIdFor(signalId, 'entry');
      const intent = { clientOrderId: cid, signalId, leg: 'entry', venue: 'raw', accountId: 'raw', symbol: 'BTC/USDT', side: 'buy', type: 'limit', timeInForce: 'GTC', quantity, price, reduceOnly: false, createdAt: Date.now() };
      const t0 = process.hrtime.bigint();
      await rawStore.commitTransition({
        clientOrderId: cid,
        snapshot: intent,
        version: 1,
        journalEntry: { event: { type: 'INTENT', intent }, from: 'NONE', to: 'SUBMITTING', at: intent.createdAt },
        live: true,
      });
      const tCommit = since(t0);
      const order = await ex.createOrder('BTC/USDT', 'limit', 'buy', Number(quantity), Number(price), { newClientOrderId: cid });
      const t = since(t0);
      ids.push(String(order.id));
      if (record) {
        rawRtt.push(t);
        rawCommit.push(tCommit);
      }
    }
    const t = await venue.ask({ cmd: 'timings' });
    if (record) simRaw.push(Number(t['p50Us']) / 1000);
    await Promise.all(ids.map((id) => ex.cancelOrder(id, 'BTC/USDT')));
  };

  // Warm-up: JIT, connections, LMDB pages.
  await engineBlock(100, false);
  await rawBlock(100, false);
  const block = 150;
  for (let done = 0; done < perSide; done += block) {
    const n = Math.min(block, perSide - done);
    await engineBlock(n, true);
    await rawBlock(n, true);
  }

  const e = summary(engineAck);
  const r = summary(rawRtt);
  const er = summary(engineReply);
  const rc = summary(rawCommit);
  const median = (xs: number[]): number => summary(xs).p50;
  console.log(`  engine: n=${e.n} (after 100 warm-up), acknowledgement states: ${[...ackStates].map(([s, c]) => `${s} ${c}`).join(', ')}`);
  console.log(`    signal → ack event received on the socket subscribe stream: p50 ${ms3(e.p50)}, p90 ${ms3(e.p90)}, p99 ${ms3(e.p99)}`);
  console.log(`    signal → reply (RISK_APPROVED + SUBMIT committed, fsync'd):   p50 ${ms3(er.p50)}, p90 ${ms3(er.p90)}, p99 ${ms3(er.p99)}`);
  const ts = summary(toSubmit);
  const is = summary(inSubmit);
  const as = summary(afterSubmit);
  console.log(
    `    split (p50s, n=${ts.n}): signal sent → venue submit starts ${ms3(ts.p50)} | port.submit (ccxt createOrder + parse) ${ms3(is.p50)} | ` +
      `submit answered → ack event received ${ms3(as.p50)}`,
  );
  console.log(
    `    before the venue call (p50s): socket + server parse → engine.signal ${ms3(summary(toEngine).p50)} | → intent commit issued ${ms3(summary(toCommit).p50)} | ` +
      `commit (+ fsync) ${ms3(summary(inCommit).p50)} | → submit starts ${ms3(summary(commitToSubmit).p50)}`,
  );
  const cm = summary(commitMs);
  const vc = summary(visibleCommitMs);
  console.log(
    `    engine commits per order: ${(cm.n / e.n).toFixed(2)} with durability 'flush' (the intent + SUBMIT, before the venue call; each awaited p50 ${ms3(cm.p50)}, p99 ${ms3(cm.p99)}), ` +
      `${(vc.n / e.n).toFixed(2)} with 'commit' (the venue's answer; awaited until readable, p50 ${ms3(vc.p50)}, p99 ${ms3(vc.p99)})`,
  );
  console.log(`    simulator's own handling of REST requests in engine blocks: p50 ${ms3(median(simEngine))} (median of per-block p50s)`);
  console.log(`  raw baseline (ccxt.pro.binance.createOrder, enableRateLimit: false, same simulator, own account): n=${r.n}`);
  console.log(`    commit intent to LMDB (OrderStore, durability 'flush' as the daemon) + createOrder: p50 ${ms3(r.p50)}, p90 ${ms3(r.p90)}, p99 ${ms3(r.p99)}`);
  console.log(`    of which the awaited LMDB commit: p50 ${ms3(rc.p50)}, p99 ${ms3(rc.p99)}`);
  console.log(`    simulator's own handling of REST requests in raw blocks: p50 ${ms3(median(simRaw))}`);
  console.log('  ccxt throttle OFF for both (enableRateLimit: false); engine, socket server, client and raw ccxt in this process; simulator in a child process.');
  report({
    label: 'signal → venue ack latency',
    value: `p50 ${ms3(e.p50)} (${(e.p50 / r.p50).toFixed(2)}× raw p50 ${ms3(r.p50)}), p99 ${ms3(e.p99)} (raw p99 ${ms3(r.p99)})`,
    target: 'p50 ≤ 2× raw',
    ok: e.p50 <= 2 * r.p50,
  });

  await client.close();
  await subscriber.close();
  await pump.catch(() => undefined);
  await server.close();
  await engine.stop();
  await port.close();
  await ex.close();
  await store.close();
  await rawStore.close();
}

// =====================================================================================
// 2a. Venue updates per second: domain objects through a harness port
// =====================================================================================

async function harnessUpdates(root: string, orders: number, fillsPerOrder: number, profileTo?: string): Promise<void> {
  console.log('\n[2a] venue order/fill updates per second: VenueOrderUpdate/Fill objects → routing → actor → LMDB commit');
  const store = await openStore(join(root, 'updates'));
  const port = new HarnessPort('bench');
  const engine = newEngine(store, [port]);
  await engine.start();
  const counter = countTransitions(engine);
  const tp = process.hrtime.bigint();
  await placeOrders(engine, 'upd', orders, '60000', '0.00100');
  await until(() => (counter.counts.get('ACCEPTED') ?? 0) >= orders, 'every order ACCEPTED');
  const placeMs = since(tp);

  // For every order: fillsPerOrder maker fills of equal size, each followed by the venue's cumulative update; the
  // last update is FILLED (closed). Interleaved round-robin across orders, as a busy account's stream is.
  const part = 100_000 / fillsPerOrder; // units of 1e-8 BTC, 0.001 BTC per order
  const q = (units: number): string => (units / 1e8).toFixed(8);
  const items: Array<{ kind: 'fill'; v: Fill } | { kind: 'update'; v: VenueOrderUpdate }> = [];
  const t0ms = Date.now();
  for (let k = 1; k <= fillsPerOrder; k++) {
    for (let i = 0; i < orders; i++) {
      const signalId = `upd-${i}`;
      const clientOrderId = clientOrderIdFor(signalId, 'entry');
      const venueOrderId = venueOrderIdOf(signalId);
      const time = t0ms + k * 10;
      items.push({
        kind: 'fill',
        v: { tradeId: String(70_000_000 + i * fillsPerOrder + k), venueOrderId, clientOrderId, price: '60000.00000000', quantity: q(part), feeAmount: q(part / 1000), feeCurrency: 'BTC', liquidity: 'maker', time },
      });
      items.push({
        kind: 'update',
        v: { clientOrderId, venueOrderId, status: k === fillsPerOrder ? 'closed' : 'open', filledQuantity: q(part * k), averagePrice: '60000', time },
      });
    }
  }
  const seq0 = store.lastSeq();
  const chunk = 256;
  const profiler = profileTo ? await startProfiler() : undefined;
  const cpu0 = threadCpuMs();
  const perThread = (): Map<string, number> => {
    const m = new Map<string, number>();
    if (!process.env.BENCH_THREADS) return m;
    for (const tid of readdirSync('/proc/self/task')) m.set(tid, cpuMsOf(`/proc/self/task/${tid}/stat`));
    return m;
  };
  const th0 = perThread();
  const t0 = process.hrtime.bigint();
  for (let j = 0; j < items.length; j += chunk) {
    const end = Math.min(items.length, j + chunk);
    for (let x = j; x < end; x++) {
      const it = items[x];
      if (it?.kind === 'fill') port.fills.next(it.v);
      else if (it) port.orderUpdates.next(it.v);
    }
    await nextTurn();
  }
  const pushMs = since(t0);
  // Transitions are committed and announced in dispatch order: once every order's last one (CLOSED) is out, all are.
  await until(() => (counter.counts.get('CLOSED') ?? 0) >= orders, 'every order CLOSED', 120_000);
  await store.flush();
  const ms = since(t0);
  const cpu1 = threadCpuMs();
  if (process.env.BENCH_THREADS) for (const [tid, t] of perThread()) if (t - (th0.get(tid) ?? 0) > 20) console.log(`    thread ${tid}: ${t - (th0.get(tid) ?? 0)} ms`);
  if (profiler && profileTo) await profiler.stopTo(profileTo);
  const rate = items.length / (ms / 1000);
  const live = engine.status().orders.live;
  console.log(
    `  ${fmtInt(orders)} live orders (placed through engine.signal in ${fmtInt(placeMs)} ms), then ${fmtInt(items.length)} updates ` +
      `(${fillsPerOrder} fills + ${fillsPerOrder} cumulative status updates per order, the last FILLED → CLOSED, archived) pushed ${chunk} per event-loop turn`,
  );
  const applied = store.lastSeq() - seq0;
  console.log(
    `  all committed (${fmtInt(applied)} journal entries, durability 'flush', every order CLOSED, ${live} still live) in ${fmtInt(ms)} ms; ` +
      `pushing (synchronous routing + actor.send + commit enqueue) took ${fmtInt(pushMs)} ms of it`,
  );
  console.log(
    `  of the ${fmtInt(items.length)} updates, ${fmtInt(applied)} changed their order (one actor transition and one journal entry each); ` +
      `${fmtInt(items.length - applied)} were recognized at routing as repeating what their order already held (a cumulative update right after the fill it counts) and went no further`,
  );
  console.log(
    `  CPU time meanwhile (Linux /proc, unaffected by other processes' load): main thread ${fmtInt(cpu1.main - cpu0.main)} ms ` +
      `(${((cpu1.main - cpu0.main) * 1000 / items.length).toFixed(1)} µs per update), every thread of this process ${fmtInt(cpu1.process - cpu0.process)} ms`,
  );
  report({ label: 'venue updates/s (domain objects → actor → LMDB)', value: `${fmtInt(rate)}/s`, target: '≥ 50,000/s', ok: rate >= 50_000 });
  counter.stop();
  await engine.stop();
  await store.close();
}

/** CPU time (user + system) used so far by this process's main thread and by all its threads, ms (Linux /proc; NaN elsewhere). */
function threadCpuMs(): { main: number; process: number } {
  return { main: cpuMsOf(`/proc/self/task/${process.pid}/stat`), process: cpuMsOf('/proc/self/stat') };
}

/** utime + stime of a /proc `stat` file (a process or one thread), ms; NaN when unreadable. */
function cpuMsOf(path: string): number {
  try {
    const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10; // fields after the ')' of the command name; USER_HZ = 100 on Linux
  } catch {
    return Number.NaN;
  }
}

/** A CPU profile of this thread from now until `stopTo(file)` (Chrome DevTools `.cpuprofile`). */
async function startProfiler(): Promise<{ stopTo(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  const heap = process.env['BENCH_ALLOC_PROFILE'] === '1';
  if (heap) {
    await post('HeapProfiler.enable');
    await post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  } else {
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    await post('Profiler.start');
  }
  return {
    async stopTo(file: string): Promise<void> {
      const { profile } = (await post(heap ? 'HeapProfiler.stopSampling' : 'Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`  CPU profile of the push phase written to ${file}`);
    },
  };
}

// =====================================================================================
// 2b. Venue updates per second from raw websocket frames (ccxt.pro + src/venue streams)
// =====================================================================================

async function wsUpdates(venue: JsonChild, info: VenueInfo, root: string, orders: number, fillsPerOrder: number): Promise<void> {
  console.log('\n[2b] the same from raw executionReport websocket frames: ws-api frames → ccxt.pro → src/venue streams → engine → LMDB');
  const built = await venue.ask({ cmd: 'frames', prefix: 'wsb', n: orders, fills: fillsPerOrder });
  const desc = info.description;
  const logger = benchLogger('engine');
  const real = await createVenuePort(
    {
      id: 'paper',
      exchange: 'binance',
      apiKey: desc.apiKey,
      secret: desc.secret,
      urls: { http: desc.http, ws: info.framesWs },
      ccxtOptions: withRecvWindow(desc.ccxt, RECV_WINDOW_MS),
      enableRateLimit: false,
    },
    logger.child({ component: 'venue' }),
  );
  const store = await openStore(join(root, 'ws-updates'));
  const engine = newEngine(store, [streamsOnlyPort(real)]);
  await engine.start();
  await until(() => {
    const s = engine.status().venues[0]?.streams;
    return s?.['orders'] === 'up' && s['fills'] === 'up';
  }, 'the user-data streams on the frame server');
  const counter = countTransitions(engine);
  await placeOrders(engine, 'wsb', orders, '60000', '0.00100');
  await until(() => (counter.counts.get('ACCEPTED') ?? 0) >= orders, 'every order ACCEPTED');
  const subs = await venue.ask({ cmd: 'subscribers' });
  if (subs['subscribers'] !== 1) throw new Error(`frame server has ${String(subs['subscribers'])} subscribers`);

  const seq0 = store.lastSeq();
  const t0 = process.hrtime.bigint();
  const pushed = venue.ask({ cmd: 'push' });
  // Until every order is CLOSED, or nothing new has been committed for 10 s (updates lost on the way: reported).
  let lastSeq = store.lastSeq();
  let lastProgress = Date.now();
  let lastCommitAt = process.hrtime.bigint();
  while ((counter.counts.get('CLOSED') ?? 0) < orders && Date.now() - lastProgress < 10_000) {
    await sleep(1);
    const now = store.lastSeq();
    if (now !== lastSeq) {
      lastSeq = now;
      lastProgress = Date.now();
      lastCommitAt = process.hrtime.bigint();
    }
  }
  await store.flush();
  const closedOrders = counter.counts.get('CLOSED') ?? 0;
  const ms = closedOrders >= orders ? since(t0) : Number(lastCommitAt - t0) / 1e6;
  const sent = await pushed;
  const frames = Number(built['frames']);
  const commits = store.lastSeq() - seq0;
  if (closedOrders < orders) {
    console.log(`  WARNING: only ${fmtInt(closedOrders)} of ${fmtInt(orders)} orders CLOSED; nothing committed for 10 s after ${fmtInt(commits)} commits (updates lost between the socket and the engine); rate up to the last commit`);
  }
  console.log(
    `  ${fmtInt(orders)} live orders; ${fmtInt(frames)} executionReport frames (x=TRADE, ${fillsPerOrder} per order, the last FILLED; ` +
      `${fmtInt(Number(built['bytes']) / frames)} bytes each) sent by a minimal ws-api server in the venue process (send side took ${fmtInt(Number(sent['ms']))} ms)`,
  );
  // The adapter turns each frame into one order update and one fill: two domain updates, routed to the engine.
  const updates = frames * 2;
  const rate = updates / (ms / 1000);
  console.log(
    `  ${fmtInt(closedOrders)} orders CLOSED after ${fmtInt(ms)} ms: ${fmtInt(updates)} domain updates (each frame → 1 order update + 1 fill) = ` +
      `${fmtInt(rate)} domain updates/s; ${fmtInt(commits)} of them changed their order (committed), the others repeated what it held (the cumulative update after its fill)`,
  );
  report({ label: 'venue updates/s from raw ws frames (end to end)', value: `${fmtInt(frames / (ms / 1000))} frames/s = ${fmtInt(rate)} updates/s`, target: '≥ 50,000 updates/s', ok: rate >= 50_000 });
  counter.stop();
  await engine.stop();
  await real.close();
  await store.close();
}

// =====================================================================================
// 3. Rehydration of 100,000 persisted live orders in a fresh process
// =====================================================================================

async function rehydration(root: string, n: number): Promise<void> {
  console.log(`\n[3] rehydrate ${fmtInt(n)} persisted live orders in a fresh process`);
  const dir = join(root, 'rehydrate');
  const store = await openStore(dir);
  const t0 = process.hrtime.bigint();
  const t0ms = Date.now() - 3_600_000;
  const size = 5_000;
  const states = new Map<string, number>();
  for (let start = 0; start < n; start += size) {
    const batch: TransitionInput[] = [];
    for (let i = start; i < Math.min(n, start + size); i++) {
      const r = liveOrderRecord(i, 'paper', t0ms);
      states.set(r.to, (states.get(r.to) ?? 0) + 1);
      batch.push({
        clientOrderId: r.clientOrderId,
        snapshot: r.snapshot,
        version: ORDER_MACHINE_VERSION,
        journalEntry: { event: r.lastEvent, from: r.from, to: r.to, at: r.lastEvent.at },
        live: true,
        venueOrder: { symbol: r.symbol, orderId: r.venueOrderId },
      });
    }
    const outcomes = await store.commitTransitions(batch);
    if (outcomes.some((o) => o.status !== 'committed')) throw new Error('populate: a transition was refused');
  }
  const populateMs = since(t0);
  await store.close();
  console.log(
    `  populated with the real order machine (createActor, RISK_APPROVED, SUBMIT, VENUE_UPDATE[, FILL], getPersistedSnapshot) and ` +
      `commitTransitions in batches of ${fmtInt(size)}: ${[...states].map(([s, c]) => `${fmtInt(c)} ${s}`).join(', ')} in ${fmtInt(populateMs)} ms`,
  );
  const run = async (mode: 'replica' | 'engine' | 'list'): Promise<Record<string, unknown>> => {
    const w0 = process.hrtime.bigint();
    const child = spawnJsonChild(SELF, ['--child', 'rehydrate', dir, mode]);
    const out = await child.next();
    const code = await child.exited;
    if (code !== 0) throw new Error(`rehydrate child exited ${code}`);
    return { ...out, wallMs: since(w0) };
  };
  const b = await run('engine');
  const c = await run('list');
  console.log(
    `  the real Engine.start() in a fresh process (reads every live record; an order's actor is created on its first event; ` +
      `then reconciles all ${fmtInt(n)} through a harness port whose look-ups answer at once that the venue holds each order unchanged): ` +
      `open ${ms3(Number(b['openMs']))}, start() ${fmtInt(Number(b['rehydrateMs']))} ms (${fmtInt(Number(b['rehydrated']))} rehydrated, ${fmtInt(Number(b['reconciled']))} reconciled); RSS ${mib(Number(b['rss']))}`,
  );
  console.log(`  for comparison, open + store.listLive() alone (decode + zod): ${fmtInt(Number(c['stepMs']))} ms for ${fmtInt(Number(c['rehydrated']))} records`);
  const stepMs = Number(b['openMs']) + Number(b['rehydrateMs']);
  report({ label: `rehydrate ${fmtInt(n)} live orders (open + Engine.start(), fresh process)`, value: `${fmtInt(stepMs)} ms`, target: '≤ 1,500 ms', ok: stepMs <= 1500 });
}

async function rehydrateChild(dir: string, mode: 'replica' | 'engine' | 'list'): Promise<void> {
  const loadedAtMs = performance.now();
  const t0 = process.hrtime.bigint();
  const store = await OrderStore.open(dir, {});
  const openMs = since(t0);
  const t1 = process.hrtime.bigint();
  let rehydrated = 0;
  let failed = 0;
  let reconciled = 0;
  if (mode === 'replica') {
    const pending = new Map<string, string[]>();
    const queue = (effect: string) => ({ context }: { context: OrderContext }) => {
      const cid = context.intent.clientOrderId;
      const list = pending.get(cid);
      if (list) list.push(effect);
      else pending.set(cid, [effect]);
    };
    const machine = orderMachine.provide({ actions: { emitSubmit: queue('submit'), emitCancel: queue('cancel'), emitReconcile: queue('reconcile') } });
    const actors = new Map<string, ReturnType<typeof createActor<typeof machine>>>();
    const scheduler = new DeadlineScheduler(() => undefined);
    for (const { clientOrderId, record } of store.listLive()) {
      if (record.version !== ORDER_MACHINE_VERSION) {
        failed++;
        continue;
      }
      const actor = createActor(machine, { snapshot: record.snapshot as OrderSnapshot, input: undefined });
      actor.start();
      if (actor.getSnapshot().status === 'error') {
        failed++;
        continue;
      }
      actors.set(clientOrderId, actor);
      scheduler.set(clientOrderId, nextDeadline(actor.getSnapshot()));
      rehydrated++;
    }
    scheduler.clear();
  } else if (mode === 'list') {
    for (const { record } of store.listLive()) if (record.version === ORDER_MACHINE_VERSION) rehydrated++;
  } else {
    // The venue still holds every order, unchanged (the restart's usual case): reconciling applies nothing.
    const engine = newEngine(store, [new HarnessPort('paper', (cid) => store.venueIdFor(cid)?.orderId)]);
    const r = await engine.start();
    rehydrated = r.rehydrated;
    failed = r.failed;
    reconciled = r.reconciled;
  }
  const rehydrateMs = since(t1);
  const doneAtMs = performance.now();
  const rss = process.memoryUsage().rss;
  process.stdout.write(`${JSON.stringify({ loadedAtMs, openMs, rehydrateMs, stepMs: openMs + rehydrateMs, doneAtMs, rehydrated, failed, reconciled, rss })}\n`);
  process.exit(0);
}

// =====================================================================================
// 4. RSS with 10,000 live orders
// =====================================================================================

const RSS_SCRIPT = fileURLToPath(new URL('./engine-rss.ts', import.meta.url));
/** The daemon's entry and its bundle, as package.json's `prestart` and `start` name them. */
const DAEMON_SOURCE = 'src/cli/daemon.ts';
const DAEMON_BUNDLE = 'dist/daemon.mjs';

async function rss(info: VenueInfo, n: number, withTsx: boolean): Promise<void> {
  const start = startScript();
  console.log(`\n[4] RSS with ${fmtInt(n)} live order actors, fresh process (scripts/bench/engine-rss.ts, node --expose-gc)`);
  console.log(
    '  the daemon composition: real ccxt venue port (markets loaded from the simulator, user-data streams subscribed), LMDB store, ' +
      'Engine with inspector off, socket server; orders placed through engine.signal (50 at a time), venue REST answered from memory (ACCEPTED); ' +
      'measured again once the engine has passivated every idle order actor (passivateAfterMs, default 10 s)',
  );
  const childArgs = [String(n), JSON.stringify({ description: info.description })];
  const runChild = async (script: string, nodeArgs: readonly string[], plainNode: boolean, label: string): Promise<MemoryFigures & { passivatedRss: number }> => {
    const child = spawnJsonChild(script, childArgs, nodeArgs, plainNode, { ...process.env, ...start.env });
    const out = (await child.next()) as unknown as RssReport;
    const code = await child.exited;
    if (code !== 0) throw new Error(`rss child exited ${code}`);
    console.log(`  ${label}:`);
    for (const st of out.stages) {
      console.log(
        `    ${`${st.stage}:`.padEnd(38)} RSS ${mib(st.rss).padStart(10)} (anon ${mib(st.rssAnon)}, file ${mib(st.rssFile)}) | V8 heap used ${mib(st.heapUsed)} of ${mib(st.heapTotal)} | external ${mib(st.external)}`,
      );
    }
    console.log(
      `    live actors ${fmtInt(out.live)}; per live order: RSS +${fmtInt((out.after.rss - out.before.rss) / n)} bytes, V8 heap used +${fmtInt((out.after.heapUsed - out.before.heapUsed) / n)} bytes (figures after 3× gc())`,
    );
    console.log(
      `    per live order once passivated: RSS +${fmtInt((out.passivated.rss - out.before.rss) / n)} bytes, V8 heap used +${fmtInt((out.passivated.heapUsed - out.before.heapUsed) / n)} bytes`,
    );
    return { ...out.after, passivatedRss: out.passivated.rss };
  };
  const bundle = bundleAsPrestart(RSS_SCRIPT, join(REPO, 'dist', 'bench', `engine-rss-${process.pid}.mjs`));
  let asRun: MemoryFigures & { passivatedRss: number };
  try {
    const flags = start.nodeFlags.length > 0 ? ` ${start.nodeFlags.join(' ')}` : '';
    asRun = await runChild(
      bundle,
      [...start.nodeFlags, '--expose-gc'],
      true,
      `A. as \`npm start\` runs the daemon: bundled as \`prestart\` bundles it, then node${flags} (package.json "start": ${start.command})`,
    );
  } finally {
    rmSync(bundle, { force: true });
    rmSync(`${bundle}.map`, { force: true });
  }
  const tsx = withTsx
    ? await runChild(RSS_SCRIPT, ['--expose-gc'], false, 'B. for comparison, the same file under tsx (node --import tsx: TypeScript compiled on load, as the tests run the daemon)')
    : undefined;
  // Judged on the daemon holding 10,000 resting live orders (its steady state: every order actor passivated after
  // passivateAfterMs idle); the figure with every actor running (the first seconds after a burst) is shown beside it.
  report({
    label: `RSS with ${fmtInt(n)} live orders`,
    value:
      `${mib(asRun.passivatedRss)} resting (as npm start runs it, order actors passivated), ` +
      `${mib(asRun.rss)} right after placing them (every actor running, V8 heap used ${mib(asRun.heapUsed)})` +
      (tsx ? `; ${mib(tsx.rss)} under tsx with every actor running` : ''),
    target: '≤ 150 MB (143.1 MiB)',
    ok: asRun.passivatedRss <= 150e6,
  });
}

const PackageScripts = z.object({ scripts: z.object({ prestart: z.string(), start: z.string() }) });

/** package.json's `prestart` and `start` scripts, split on spaces. @throws when package.json has no such scripts */
function packageScripts(): { prestart: string[]; start: string[]; startCommand: string } {
  const { scripts } = PackageScripts.parse(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')));
  return { prestart: scripts.prestart.trim().split(/\s+/), start: scripts.start.trim().split(/\s+/), startCommand: scripts.start };
}

/**
 * The node flags of package.json's `start` script (`node <flags…> dist/daemon.mjs`).
 * @throws when `start` does not have that shape (the bench would no longer measure what `npm start` runs)
 */
function startScript(): { env: Record<string, string>; nodeFlags: string[]; command: string } {
  const { start, startCommand } = packageScripts();
  const env: Record<string, string> = {};
  let at = 0;
  for (; at < start.length; at++) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(start[at] ?? '');
    if (!m?.[1]) break;
    env[m[1]] = m[2] ?? '';
  }
  const entry = start.indexOf(DAEMON_BUNDLE);
  if (start[at] !== 'node' || entry < 0) throw new Error(`package.json "start" is not \`[VAR=value …] node [flags] ${DAEMON_BUNDLE}\`: ${startCommand}`);
  return { env, nodeFlags: start.slice(at + 1, entry), command: startCommand };
}

/**
 * Bundles `entry` into `outfile` with package.json's `prestart` command (`esbuild src/cli/daemon.ts <flags…>
 * --outfile=dist/daemon.mjs`), only the entry and the output file swapped; run from the repository root.
 * `outfile` should lie in the repository's `dist/`, as the daemon's bundle does (packages and the repository
 * root are found from there).
 * @returns `outfile`
 * @throws when `prestart` does not have that shape, or esbuild fails
 */
function bundleAsPrestart(entry: string, outfile: string): string {
  const { prestart } = packageScripts();
  const at = prestart.indexOf(DAEMON_SOURCE);
  const out = prestart.findIndex((t) => t.startsWith('--outfile='));
  if (prestart[0] !== 'esbuild' || at < 0 || out < 0) throw new Error(`package.json "prestart" is not \`esbuild ${DAEMON_SOURCE} … --outfile=…\`: ${prestart.join(' ')}`);
  const args = prestart.slice(1).map((t, i) => (i + 1 === at ? entry : i + 1 === out ? `--outfile=${outfile}` : t));
  const t0 = process.hrtime.bigint();
  const r = spawnSync(join(REPO, 'node_modules', '.bin', 'esbuild'), args, { cwd: REPO, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`esbuild (as prestart) failed: ${r.error?.message ?? r.stderr}`);
  const shown = args.map((a) => a.split(`${REPO}/`).join('')).join(' ');
  console.log(`  bundled as prestart bundles the daemon (esbuild ${shown}) in ${fmtInt(since(t0))} ms`);
  return outfile;
}

// =====================================================================================

/**
 * Parts 1–3 run in this process: it must run as the daemon does. Unless it already does, runs this script again
 * under the node flags and environment of package.json's "start" script, and returns its exit code.
 */
function asTheDaemonRuns(): number | undefined {
  if (process.env['BENCH_AS_DAEMON'] === '1') return undefined;
  const start = startScript();
  const args = [...start.nodeFlags, ...process.execArgv, SELF, ...process.argv.slice(2)];
  console.log(`(running as package.json "start" runs the daemon: ${[...Object.entries(start.env).map(([k, v]) => `${k}=${v}`), 'node', ...start.nodeFlags].join(' ')})`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, ...start.env, BENCH_AS_DAEMON: '1' } });
  return r.status ?? 1;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = opt('--only');
  const perSide = Number(opt('--n') ?? 1200);
  const keep = argv.includes('--keep');
  const want = (part: string): boolean => only === undefined || only === part;
  const started = process.hrtime.bigint();
  console.log(
    `engine bench — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start`,
  );
  const root = await mkdtemp(join(tmpdir(), 'bench-engine-'));
  let venue: JsonChild | undefined;
  try {
    let info: VenueInfo | undefined;
    if (want('latency') || want('ws') || want('rss')) {
      venue = spawnJsonChild(VENUE_SCRIPT, []);
      info = (await venue.next()) as unknown as VenueInfo;
      console.log(
        `simulator: separate process (pid ${venue.proc.pid}), stepped clock warmed by 60 s of the recording, its rate limits off (rateLimits.enabled: false), ${info.description.http}`,
      );
    }
    if (want('latency') && venue && info) await latency(venue, info, perSide, root, argv.includes('--no-user-stream'));
    if (want('updates')) await harnessUpdates(root, 10_000, 4, opt('--profile-updates'));
    if (want('ws') && venue && info) await wsUpdates(venue, info, root, 5_000, 4);
    if (want('rss') && info) await rss(info, 10_000, !argv.includes('--no-tsx-rss'));
    if (venue) {
      await venue.ask({ cmd: 'close' }).catch(() => undefined);
      await venue.exited;
      venue = undefined;
    }
    if (want('rehydrate')) await rehydration(root, 100_000);
  } finally {
    venue?.proc.kill('SIGTERM');
    if (!keep) await rm(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
  console.log(`\nsummary (whole run ${fmtInt(since(started) / 1000)} s; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end):`);
  for (const f of figures) console.log(`  ${verdict(f.ok)}  ${f.label}: ${f.value} (target ${f.target})`);
}

const childAt = process.argv.indexOf('--child');
if (childAt >= 0) {
  const kind = process.argv[childAt + 1];
  const mode = process.argv[childAt + 3];
  if (kind === 'rehydrate') await rehydrateChild(process.argv[childAt + 2] ?? '', mode === 'engine' || mode === 'list' ? mode : 'replica');
  else throw new Error(`unknown child mode ${kind}`);
} else {
  const code = asTheDaemonRuns();
  if (code !== undefined) process.exit(code);
  await main();
  process.exit(0);
}
