/**
 * Test helpers for the server tests, on the REAL parts only: the replay of the
 * recorded Binance data (stepped clock, stops at the end) and the real SpotVenue,
 * either through `startSimulator` or, where a test needs server-level options
 * (hooks, logger, listener bookkeeping), `startServer` over a hand-built replay +
 * venue. Plus: event waits with deadlines, stepping the replay to the next
 * matching recorded event, and a raw websocket probe.
 */
import ccxt from 'ccxt';
import { afterEach } from 'vitest';
import { WebSocket } from 'ws';
import { DEFAULT_DATA_DIR, DEFAULT_SPOT_EXCHANGE_INFO, type SimulatorConfigInput } from '../../../src/sim/config.ts';
import { type RunningSimulator, startSimulator } from '../../../src/sim/index.ts';
import { loadReplay } from '../../../src/sim/market/replay.ts';
import type { InstrumentRef, MarketEvent, Replay } from '../../../src/sim/market/types.ts';
import { ccxtOptions, type RunningServer, type ServerOptions, startServer } from '../../../src/sim/server/index.ts';
import { loadExchangeInfo } from '../../../src/sim/venue/instruments.ts';
import { type AccountConfig, SpotVenue } from '../../../src/sim/venue/spot-venue.ts';

/** The account the tests trade with. */
export const ACCOUNT: AccountConfig = {
  id: 'acc-1',
  apiKey: 'test-api-key-1',
  secret: 'test-secret-0123456789abcdef',
  balances: { USDT: '100000', BTC: '1', ETH: '10' },
};
/** A second account, to check that one account's events never reach another's subscription. */
export const OTHER: AccountConfig = {
  id: 'acc-2',
  apiKey: 'test-api-key-2',
  secret: 'other-secret-0123456789abcdef',
  balances: { USDT: '5000', BTC: '0.5' },
};

export const INSTRUMENTS: InstrumentRef[] = [
  { market: 'spot', symbol: 'BTCUSDT' },
  { market: 'spot', symbol: 'ETHUSDT' },
];
/** Replay time stepped before a test starts, so that the books are synced and the tapes hold trades. */
export const WARM_MS = 60_000;

/** Where a client connects. */
export interface Endpoint {
  readonly http: string;
  readonly ws: string;
}

/** The simulator through its public entry point: stepped clock, stops at the end of the data, warmed by {@link WARM_MS}. */
export async function startSim(overrides: SimulatorConfigInput = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({ clock: { kind: 'stepped' }, atEnd: 'stop', instruments: INSTRUMENTS, accounts: [ACCOUNT, OTHER], ...overrides });
  sim.control.step({ ms: WARM_MS });
  return sim;
}

/** Closes each in turn (a client before the simulator it talks to), skipping what never started; for `afterAll`. */
export async function closeInOrder(...items: ReadonlyArray<{ close(): unknown } | undefined>): Promise<void> {
  for (const item of items) await item?.close();
}

/**
 * Registers an `afterEach` that closes every client and probe the running test passed
 * to the returned `open` (even when the test failed), then awaits `settled` (e.g. the
 * server dropping the closed connections' subscriptions). `open` returns what it is given.
 */
export function closedAfterEach(settled: () => Promise<void>): <T extends { close(): unknown }>(c: T) => T {
  const opened: Array<{ close(): unknown }> = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((c) => c.close()));
    await settled();
  });
  return (c) => {
    opened.push(c);
    return c;
  };
}

/** A server started with `startServer` on a real replay + SpotVenue (for server-level options). */
export interface Harness extends Endpoint {
  readonly server: RunningServer;
  readonly replay: Replay;
  readonly venue: SpotVenue;
  /** Closes the server, detaches the venue, stops the replay. */
  close(): Promise<void>;
}

const exchangeInfo = loadExchangeInfo(DEFAULT_SPOT_EXCHANGE_INFO);

/**
 * The real replay (stepped, warmed by {@link WARM_MS}) and venue, served by `startServer` with `opts`.
 * `beforeServer` sees replay and venue before the server attaches to them.
 */
export async function startHarness(
  opts: Omit<ServerOptions, 'venue' | 'replay'> = {},
  beforeServer?: (parts: { replay: Replay; venue: SpotVenue }) => void,
): Promise<Harness> {
  const replay = await loadReplay({ dataDir: DEFAULT_DATA_DIR, instruments: INSTRUMENTS, clock: { kind: 'stepped' }, atEnd: 'stop' });
  const venue = new SpotVenue({ exchangeInfo, accounts: [ACCOUNT, OTHER], replay });
  beforeServer?.({ replay, venue });
  const server = await startServer({ host: '127.0.0.1', port: 0, ...opts, venue, replay });
  replay.start();
  replay.step({ ms: WARM_MS });
  return {
    server,
    replay,
    venue,
    http: server.httpUrl,
    ws: server.wsUrl,
    async close() {
      await server.close();
      venue.close();
      replay.stop();
    },
  };
}

/** The endpoint of a running simulator. */
export function endpointOf(sim: RunningSimulator): Endpoint {
  return { http: sim.description.http, ws: sim.description.ws };
}

/** A ccxt pro client pointed at `at` (ccxt throttle off, its HTTP agent loaded for ws://). */
export async function proClient(at: Endpoint, overrides: { apiKey?: string; secret?: string } = {}) {
  const opts = ccxtOptions(at.http, at.ws, overrides.apiKey ?? ACCOUNT.apiKey, overrides.secret ?? ACCOUNT.secret);
  const ex = new ccxt.pro.binance({ ...opts, enableRateLimit: false, timeout: 5000 });
  await ex.loadHttpProxyAgent();
  return ex;
}

/** Rejects after `ms` unless `p` settles first. */
export function deadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `cond()` holds (checked on every turn of the event loop), failing after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * Steps the stepped replay one recorded event at a time until an event satisfying `pred`
 * has been delivered, and returns it. When this returns, the replay's books, tapes and clock
 * are exactly as they were when that event was delivered to the server.
 * @throws Error when the data ends or `maxEvents` pass without a match.
 */
export function stepTo<E extends MarketEvent>(replay: Pick<Replay, 'on' | 'step'>, pred: (e: MarketEvent) => e is E, maxEvents = 100_000): E {
  let hit: E | undefined;
  const off = replay.on((e) => {
    if (hit === undefined && pred(e)) hit = e;
  });
  try {
    for (let i = 0; i < maxEvents && hit === undefined; i++) {
      if (replay.step({ events: 1 }) === 0) break;
    }
  } finally {
    off();
  }
  if (hit === undefined) throw new Error(`no matching recorded event within ${maxEvents} events`);
  return hit;
}

/** Predicates for {@link stepTo}. */
export const is = {
  trade: (symbol: string) => (e: MarketEvent): e is Extract<MarketEvent, { kind: 'trade' }> => e.kind === 'trade' && e.market === 'spot' && e.symbol === symbol,
  depth: (symbol: string) => (e: MarketEvent): e is Extract<MarketEvent, { kind: 'depth' }> => e.kind === 'depth' && e.market === 'spot' && e.symbol === symbol,
  bookTicker: (symbol: string) => (e: MarketEvent): e is Extract<MarketEvent, { kind: 'bookTicker' }> =>
    e.kind === 'bookTicker' && e.market === 'spot' && e.symbol === symbol,
};

/** Decimal-string levels as ccxt's numbers. */
export function numLevels(levels: ReadonlyArray<readonly [string, string]>): number[][] {
  return levels.map(([p, q]) => [Number(p), Number(q)]);
}

/**
 * Counts the live registrations made through `obj[key]` (a `subscribe(listener) → unsubscribe`
 * method such as `replay.on` or `venue.onUserEvent`) from now on. The real method still runs.
 */
export function countRegistrations<K extends string>(obj: Record<K, (...args: never[]) => () => void>, key: K): () => number {
  const original = obj[key].bind(obj) as (...args: unknown[]) => () => void;
  let live = 0;
  obj[key] = ((...args: unknown[]) => {
    const off = original(...args);
    live++;
    let done = false;
    return () => {
      if (!done) {
        done = true;
        live--;
      }
      off();
    };
  }) as (typeof obj)[K];
  return () => live;
}

/** A raw websocket client that queues incoming text frames. */
export class WsProbe {
  readonly ws: WebSocket;
  private readonly inbox: unknown[] = [];
  private waiters: Array<() => void> = [];
  readonly closed: Promise<{ code: number }>;

  constructor(url: string, opts: { autoPong?: boolean } = {}) {
    this.ws = new WebSocket(url, { autoPong: opts.autoPong ?? true });
    this.ws.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as unknown);
      this.wake();
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code) => resolve({ code })));
    this.ws.on('error', () => {});
  }

  opened(): Promise<void> {
    return deadline(
      new Promise<void>((resolve, reject) => {
        if (this.ws.readyState === WebSocket.OPEN) resolve();
        this.ws.once('open', () => resolve());
        this.ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
        this.ws.once('error', reject);
      }),
      3000,
      'websocket open',
    );
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Resolves with the first queued (or next) message satisfying `pred`, removing it. */
  async next(pred: (m: Record<string, unknown>) => boolean = () => true, ms = 3000): Promise<Record<string, unknown>> {
    const find = () => {
      const i = this.inbox.findIndex((m) => typeof m === 'object' && m !== null && pred(m as Record<string, unknown>));
      return i < 0 ? undefined : (this.inbox.splice(i, 1)[0] as Record<string, unknown>);
    };
    return deadline(
      new Promise<Record<string, unknown>>((resolve) => {
        const check = () => {
          const m = find();
          if (m) resolve(m);
          else this.waiters.push(check);
        };
        check();
      }),
      ms,
      'a websocket message',
    );
  }

  /** The queued messages satisfying `pred` (not removed). */
  queued(pred: (m: Record<string, unknown>) => boolean = () => true): Array<Record<string, unknown>> {
    return this.inbox.filter((m): m is Record<string, unknown> => typeof m === 'object' && m !== null && pred(m as Record<string, unknown>));
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
