/**
 * The daemon's composition as the engine benchmark builds it (`scripts/bench/engine.ts` and its
 * RSS child `scripts/bench/engine-rss.ts`): the engine with the daemon's default options, the
 * store with the daemon's durability, and a few drivers. Imports nothing the daemon does not
 * load but the bench helpers of `./engine-lib.ts` (no ccxt: the RSS child measures the daemon's
 * own modules). Nothing here is used by the product.
 */
import type { EngineEvent } from '../../src/engine/api.ts';
import { Engine } from '../../src/engine/engine.ts';
import { Inspector } from '../../src/engine/inspector.ts';
import type { VenuePort } from '../../src/engine/venue-port.ts';
import { OrderStore } from '../../src/store/index.ts';
import { HarnessPort, benchLogger } from './engine-lib.ts';

/** The bench's `recvWindow`, ms (the daemon's default, `recvWindowMs` in src/cli/daemon-config.ts). */
export const RECV_WINDOW_MS = 10_000;
/** The bench's pre-trade risk limits. */
export const RISK = { maxOrderNotional: '250000' };

/** As the daemon does (src/cli/daemon.ts `withRecvWindow`): ccxt options with Binance's `recvWindow` (ms) set. */
export function withRecvWindow(ccxtOptions: Record<string, unknown>, recvWindowMs: number): Record<string, unknown> {
  const options = typeof ccxtOptions.options === 'object' && ccxtOptions.options !== null ? ccxtOptions.options : {};
  return { ...ccxtOptions, options: { ...options, recvWindow: recvWindowMs } };
}

/** The daemon's engine options (defaults of src/cli/daemon-config.ts), inspector constructed and off. */
export function newEngine(store: OrderStore, venues: VenuePort[]): Engine {
  const logger = benchLogger('engine');
  return new Engine({
    store,
    venues,
    logger,
    risk: RISK,
    submitTimeoutMs: 15_000,
    cancelTimeoutMs: 15_000,
    recvWindowMs: RECV_WINDOW_MS,
    inspector: new Inspector({ port: 4242, logger }),
  });
}

/**
 * The daemon opens its store with the default durability ('flush': resolves once fsync'd).
 * @throws what `OrderStore.open` throws (LMDB cannot open `dir`)
 */
export function openStore(dir: string): Promise<OrderStore> {
  return OrderStore.open(dir, { onProblem: (p) => process.stderr.write(`store problem: ${JSON.stringify(p)}\n`) });
}

/** Counts engine transitions by target state. */
export function countTransitions(engine: Engine): { counts: Map<string, number>; stop(): void } {
  const counts = new Map<string, number>();
  const sub = engine.events().subscribe((e: EngineEvent) => {
    if (e.type === 'transition') counts.set(e.to, (counts.get(e.to) ?? 0) + 1);
  });
  return { counts, stop: () => sub.unsubscribe() };
}

/** A port whose streams are a real ccxt adapter's and whose REST answers come from memory (orders the venue never saw). */
export function streamsOnlyPort(real: VenuePort): VenuePort {
  const memory = new HarnessPort(real.id);
  return {
    id: real.id,
    limits: (s) => real.limits(s),
    submit: (i) => memory.submit(i),
    cancel: (cid) => memory.cancel(cid),
    lookup: (cid) => memory.lookup(cid),
    orderUpdates$: real.orderUpdates$,
    fills$: real.fills$,
    connectivity$: real.connectivity$,
    close: () => real.close(),
  };
}

/**
 * Places `n` limit buys `<prefix>-<i>` through `engine.signal`, `concurrency` at a time.
 * @throws the first failure of `engine.signal`
 */
export async function placeOrders(engine: Engine, prefix: string, n: number, price: string, quantity: string, concurrency = 500): Promise<void> {
  for (let start = 0; start < n; start += concurrency) {
    const batch: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(n, start + concurrency); i++) {
      batch.push(engine.signal({ signalId: `${prefix}-${i}`, instrument: 'BTC/USDT', side: 'buy', type: 'limit', quantity, price, timeInForce: 'GTC' }));
    }
    await Promise.all(batch);
  }
}
