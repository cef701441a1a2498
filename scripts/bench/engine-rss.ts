/**
 * The engine benchmark's RSS child (part 4 of `scripts/bench/engine.ts`): the daemon's
 * composition in a fresh process — the real ccxt venue port (markets loaded from the bench's
 * simulator, user-data streams subscribed), the LMDB store, the Engine with its inspector off,
 * the socket server — then `n` live orders placed through `engine.signal`, with the venue's
 * REST answers from memory (every order ACCEPTED, none at the venue); then again once the engine
 * has passivated every (idle) order actor.
 *
 * Imports only what that composition needs (`src/venue`, `src/engine`, `src/store`,
 * `src/ingress`, and the bench helpers of `./engine-compose.ts` / `./engine-lib.ts`, none of
 * which loads the whole ccxt package), so its "modules loaded" figure is the daemon's own. The
 * parent bundles this file exactly as `npm start`'s `prestart` bundles the daemon and runs the
 * bundle with plain node and the start script's node flags (plus `--expose-gc`).
 *
 * Usage (from the parent): `node --expose-gc <bundle.mjs> <n> <venue-json>`, where venue-json
 * is `{"description": <the simulator's description>}`; prints one JSON line ({@link RssReport})
 * on stdout and exits 0. Without `--expose-gc` the figures are taken without forced GCs.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSocketServer } from '../../src/ingress/server.ts';
import { createVenuePort } from '../../src/venue/port.ts';
import { RECV_WINDOW_MS, countTransitions, newEngine, openStore, placeOrders, streamsOnlyPort, withRecvWindow } from './engine-compose.ts';
import { benchLogger, sleep, until } from './engine-lib.ts';

/** `process.memoryUsage()` plus the kernel's split of the resident set, bytes. */
export interface MemoryFigures extends NodeJS.MemoryUsage {
  /** From /proc/self/status (Linux), bytes: anonymous memory, file-backed mappings (LMDB's map, code), shared memory. NaN elsewhere. */
  readonly rssAnon: number;
  readonly rssFile: number;
  readonly rssShmem: number;
}

/** What the child prints: the figures at each stage, and those before and after placing the orders, and once their actors are passivated. */
export interface RssReport {
  readonly before: MemoryFigures;
  readonly after: MemoryFigures;
  /** Once every order actor is passivated (idle past the engine's `passivateAfterMs`; only committed snapshots stay). */
  readonly passivated: MemoryFigures;
  /** After that, idle until RSS stops falling (V8 returning heap pages on its own; no forced GC). */
  readonly settled: MemoryFigures;
  /** Live order actors at the end (engine status). */
  readonly live: number;
  readonly stages: ReadonlyArray<{ readonly stage: string } & MemoryFigures>;
}

/** The part of the bench simulator's description the child uses. */
interface VenueDescription {
  readonly description: { readonly apiKey: string; readonly secret: string; readonly ccxt: Record<string, unknown> };
}

function procStatus(): Pick<MemoryFigures, 'rssAnon' | 'rssFile' | 'rssShmem'> {
  let text = '';
  try {
    text = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return { rssAnon: Number.NaN, rssFile: Number.NaN, rssShmem: Number.NaN };
  }
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN) * 1024;
  return { rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), rssShmem: kb('RssShmem') };
}

async function main(n: number, info: VenueDescription): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collect = async (): Promise<MemoryFigures> => {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await sleep(20); // lets finalizers and LMDB's async work run between collections; not a synchronisation
    }
    return { ...process.memoryUsage(), ...procStatus() };
  };
  const stages: Array<{ stage: string } & MemoryFigures> = [];
  const stage = async (name: string): Promise<MemoryFigures> => {
    const m = await collect();
    stages.push({ stage: name, ...m });
    return m;
  };
  await stage('modules loaded');
  const root = await mkdtemp(join(tmpdir(), 'bench-engine-rss-'));
  try {
    const desc = info.description;
    const logger = benchLogger('engine');
    const real = await createVenuePort(
      { id: 'paper', exchange: 'binance', apiKey: desc.apiKey, secret: desc.secret, ccxtOptions: withRecvWindow(desc.ccxt, RECV_WINDOW_MS), enableRateLimit: false },
      logger,
    );
    await stage('ccxt port created, markets loaded');
    const store = await openStore(join(root, 'store'));
    const engine = newEngine(store, [streamsOnlyPort(real)]);
    await engine.start();
    const server = await startSocketServer({ path: join(root, 'engine.sock'), engine, logger });
    await until(() => engine.status().venues[0]?.streams['orders'] === 'up', 'streams up');
    const counter = countTransitions(engine);
    const before = await stage('engine running, streams up, 0 orders');
    await placeOrders(engine, 'rss', n, '60000', '0.00100', 50);
    await until(() => (counter.counts.get('ACCEPTED') ?? 0) >= n, 'every order ACCEPTED');
    await store.flush();
    const after = await stage(`${n} live orders`);
    const live = engine.status().orders.live;
    // The engine passivates order actors idle for passivateAfterMs (the daemon's default, 10 s): what idle live orders hold then.
    await until(() => engine.status().orders.running === 0, 'every order actor passivated', 120_000);
    const passivated = await stage(`${n} live orders, actors passivated`);
    // Then idle, as a daemon with resting orders is: V8 gives heap pages back once allocation stops (its memory
    // reducer), without forced collections. Sampled every second until RSS has not fallen by 1 MiB for 10 s (at most 90 s).
    const settledAt = Date.now();
    let low = process.memoryUsage().rss;
    let lowAt = Date.now();
    while (Date.now() - lowAt < 10_000 && Date.now() - settledAt < 90_000) {
      await sleep(1_000); // sampling period of an idle process: nothing to wait for
      const rss = process.memoryUsage().rss;
      if (rss < low - 1024 * 1024) {
        low = rss;
        lowAt = Date.now();
      }
    }
    const settled: MemoryFigures = { ...process.memoryUsage(), ...procStatus() };
    if (process.env.BENCH_HEAP_SPACES) {
      const { getHeapSpaceStatistics } = await import('node:v8');
      for (const sp of getHeapSpaceStatistics()) process.stderr.write(`  heap space ${sp.space_name}: size ${(sp.space_size / 1048576).toFixed(1)} MiB, used ${(sp.space_used_size / 1048576).toFixed(1)} MiB, physical ${(sp.physical_space_size / 1048576).toFixed(1)} MiB\n`);
    }
    stages.push({ stage: `idle ${Math.round((Date.now() - settledAt) / 1000)} s more (no forced GC)`, ...settled });
    const report: RssReport = { before, after, passivated, settled, live, stages };
    process.stdout.write(`${JSON.stringify(report)}\n`);
    await server.close();
    await engine.stop();
    await real.close();
    await store.close();
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const [nArg, venueArg] = process.argv.slice(2);
const n = Number(nArg);
if (!Number.isSafeInteger(n) || n < 0 || venueArg === undefined) {
  process.stderr.write('usage: engine-rss <orders> <venue-json>\n');
  process.exit(2);
}
await main(n, JSON.parse(venueArg) as VenueDescription);
process.exit(0);
