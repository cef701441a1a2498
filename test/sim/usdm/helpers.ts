/**
 * Helpers of the USD-M tests, on the REAL parts only: the simulator through
 * `startSimulator` replaying the recorded BTCUSDT perpetual (stepped clock, stops
 * at the end), the engine's ccxt client (`EngineBinance`, the real ccxt.pro
 * binance class with its futures error mapping), waits with deadlines (never
 * sleeps as synchronisation), and a raw websocket probe for payload shapes.
 */
import { WebSocket } from 'ws';
import type { SimulatorConfigInput } from '../../../src/sim/config.ts';
import { type RunningSimulator, type UsdmHandle, startSimulator } from '../../../src/sim/index.ts';
import { EngineBinance } from '../../../src/venue/binance-client.ts';

export { closeInOrder } from '../server/helpers.ts';

/** The perpetual the tests trade, as ccxt and Binance name it. */
export const SYMBOL = 'BTC/USDT:USDT';
export const ID = 'BTCUSDT';

/** The account the tests trade with (its futures wallet: the 100,000 USDT default). */
export const ACCOUNT = { id: 'fut-1', apiKey: 'usdm-test-key-1', secret: 'usdm-test-secret-0123456789', balances: { USDT: '1000' } };

/** Replay time stepped before a test starts, so that the book is synced and the tape holds trades. */
export const WARM_MS = 60_000;

/** The simulator with the recorded USD-M BTCUSDT, stepped clock, warmed by {@link WARM_MS}. */
export async function startUsdmSim(overrides: SimulatorConfigInput = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({
    clock: { kind: 'stepped' },
    atEnd: 'stop',
    instruments: [{ market: 'usdm', symbol: ID }],
    accounts: [ACCOUNT],
    pingIntervalMs: 60_000,
    ...overrides,
  });
  sim.control.step({ ms: WARM_MS });
  return sim;
}

/** The simulator's USD-M handle (fails the test when the futures side is not running). */
export function usdm(sim: RunningSimulator): UsdmHandle {
  const h = sim.control.usdm;
  if (!h) throw new Error('the simulator runs no USD-M venue');
  return h;
}

/** The engine's ccxt client on the linear-swap side (`defaultType: 'swap'`), proxy agent loaded. */
export async function newClient(sim: RunningSimulator): Promise<EngineBinance> {
  const opts = sim.description.ccxt;
  const options = typeof opts['options'] === 'object' && opts['options'] !== null ? opts['options'] : {};
  const ex = new EngineBinance({ ...opts, options: { ...options, defaultType: 'swap' } });
  await ex.loadHttpProxyAgent();
  await ex.loadMarkets();
  return ex;
}

/** What a USD-M test file runs against: the simulator and the engine client on it. */
export interface UsdmSession {
  readonly sim: RunningSimulator;
  readonly ex: EngineBinance;
}

/**
 * {@link startUsdmSim} and {@link newClient} on it, for a file's `beforeAll`
 * (the simulator is closed again when the client cannot start).
 */
export async function startUsdmSession(overrides: SimulatorConfigInput = {}): Promise<UsdmSession> {
  const sim = await startUsdmSim(overrides);
  try {
    return { sim, ex: await newClient(sim) };
  } catch (err) {
    await sim.close();
    throw err;
  }
}

/** Resolves `p`, or fails after `ms` with `what` (a deadline, not a sleep). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` on the event loop until it holds, failing after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Steps the replay (`stepMs` of replay time per event-loop turn) while `p` is pending,
 * so that stream watchers on a stepped clock receive events; fails after `ms` of wall time.
 */
export async function whileStepping<T>(sim: RunningSimulator, p: Promise<T>, ms: number, what: string, stepMs = 250): Promise<T> {
  const pump = setInterval(() => sim.control.step({ ms: stepMs }), 2);
  try {
    return await within(p, ms, what);
  } finally {
    clearInterval(pump);
  }
}

/** A raw websocket client that collects every frame (parsed JSON). */
export interface Probe {
  readonly frames: unknown[];
  send(msg: unknown): void;
  /** The first collected frame (from now on or already collected) that `match` accepts, within `ms`. */
  next(match: (frame: unknown) => boolean, ms?: number): Promise<unknown>;
  /** Resolves with the close code once the server closes the socket, within `ms`. */
  closed(ms?: number): Promise<number>;
  close(): void;
}

/** Opens `url` and resolves once connected. */
export async function probe(url: string): Promise<Probe> {
  const ws = new WebSocket(url);
  const frames: unknown[] = [];
  const waiters = new Set<() => void>();
  let closeCode: number | undefined;
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    for (const w of waiters) w();
  });
  ws.on('close', (code) => {
    closeCode = code;
    for (const w of waiters) w();
  });
  await within(new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  }), 5000, `connect ${url}`);
  const wait = <T>(check: () => T | undefined, ms: number, what: string): Promise<T> =>
    within(
      new Promise<T>((resolve) => {
        const tryNow = () => {
          const v = check();
          if (v !== undefined) {
            waiters.delete(tryNow);
            resolve(v);
          }
        };
        waiters.add(tryNow);
        tryNow();
      }),
      ms,
      what,
    );
  return {
    frames,
    send: (msg) => ws.send(JSON.stringify(msg)),
    next: (match, ms = 5000) => wait(() => frames.find(match), ms, 'a matching frame'),
    closed: (ms = 5000) => wait(() => closeCode, ms, 'the socket to close'),
    close: () => ws.close(),
  };
}

/** `frame` as a plain object (for field checks), or fails. */
export function obj(frame: unknown): Record<string, unknown> {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) throw new Error(`not an object: ${JSON.stringify(frame)}`);
  return frame as Record<string, unknown>;
}
