/**
 * The Binance-compatible venue simulator, embedded: replay + venue core + server
 * on one ephemeral port of 127.0.0.1. The standalone runner (`npm run venue`) and
 * the daemon's paper mode both start it through {@link startSimulator}.
 */
import type { Logger } from 'pino';
import { type SimulatorConfig, type SimulatorConfigInput, simulatorConfigSchema } from './config.ts';
import { loadReplay } from './market/replay.ts';
import type { ClockMode, Replay, ReplayStats } from './market/types.ts';
import { buildSimHooks, type FaultControl } from './server/faults/index.ts';
import { ccxtOptions, startServer } from './server/index.ts';
import type { RateLimitControl } from './server/ratelimit/index.ts';
import { loadExchangeInfo } from './venue/instruments.ts';
import { type SpotGroundTruth, SpotVenue } from './venue/spot-venue.ts';
import { createUsdmVenue, type UsdmHandle, usdmHandle } from './usdm-setup.ts';

export type { UsdmHandle } from './usdm-setup.ts';

/** What a client needs to trade on the simulator; printed by `npm run venue` as its first stdout line. */
export interface SimulatorDescription {
  /** REST base, e.g. `http://127.0.0.1:40123`. */
  readonly http: string;
  /** Websocket base, e.g. `ws://127.0.0.1:40123`. */
  readonly ws: string;
  /** The first configured account's API key and secret. */
  readonly apiKey: string;
  readonly secret: string;
  /** Options for `new ccxt.pro.binance(options)`; then `await exchange.loadHttpProxyAgent()` before any `watch*` (ws:// in Node). */
  readonly ccxt: Record<string, unknown>;
}

/** In-process control of a running simulator: ground truth, the replay clock, balances. */
export interface SimulatorHandle {
  readonly config: SimulatorConfig;
  readonly replay: Replay;
  readonly venue: SpotVenue;
  /** Every order, fill and balance as the venue holds them. */
  groundTruth(): SpotGroundTruth;
  pause(): void;
  resume(): void;
  /** Processes the next `events` recorded events, or every event within the next `ms` of replay time; returns how many. */
  step(opts: { events?: number; ms?: number }): number;
  advanceTo(time: number): number;
  setClock(mode: ClockMode): void;
  stats(): ReplayStats;
  /** Server-side handling time of REST requests, µs. */
  serverTimings(): { p50Us: number; p99Us: number; n: number };
  resetServerTimings(): void;
  /** Open user-data subscriptions (websocket API `userDataStream.subscribe.signature`). */
  userStreamSubscribers(): number;
  /** Credits (negative: debits) an account's free balance, with a `balanceUpdate` event. */
  adjustBalance(accountId: string, asset: string, delta: string): void;
  /** Fault injection (also over HTTP: `/__sim/faults`); see ./server/faults/schema.ts. */
  readonly faults: FaultControl;
  /** Rate-limit usage, reset, and the manual clock (also over HTTP: `/__sim/ratelimits`). */
  readonly rateLimits: RateLimitControl;
  /** The USD-M futures side (ground truth, listen keys); undefined unless `instruments` lists a `usdm` one. */
  readonly usdm: UsdmHandle | undefined;
}

export interface RunningSimulator {
  readonly description: SimulatorDescription;
  readonly control: SimulatorHandle;
  /** Stops the clock, closes every socket and the port. */
  close(): Promise<void>;
}

/**
 * Starts the simulator on `config.port` (0 = ephemeral) of `config.host`.
 * @throws Error (from zod) when the configuration does not parse, naming the field;
 *   Error naming the path and the option when the recordings or exchangeInfo are missing.
 */
export async function startSimulator(input: SimulatorConfigInput = {}, logger?: Logger): Promise<RunningSimulator> {
  const config = simulatorConfigSchema.parse(input);
  const exchangeInfo = loadExchangeInfo(config.exchangeInfoPath);
  const replay = await loadReplay({
    dataDir: config.dataDir,
    instruments: config.instruments,
    clock: config.clock,
    atEnd: config.atEnd,
  });
  const venue = new SpotVenue({ exchangeInfo, accounts: config.accounts, fees: config.fees, replay, firstOrderId: config.firstOrderId, firstTradeId: config.firstTradeId });
  const usdmVenue = createUsdmVenue(config, replay);
  const hooks = buildSimHooks({
    rateLimits: config.rateLimits,
    spotExchangeInfo: exchangeInfo.raw,
    ...(usdmVenue && { usdmExchangeInfo: usdmVenue.exchangeInfo() }),
    replay,
    // Ground truth by market for GET /__sim/truth.
    truth: () => ({ spot: venue.groundTruth(), ...(usdmVenue && { usdm: usdmVenue.groundTruth() }) }),
    ...(logger && { logger }),
  });
  const server = await startServer({
    host: config.host,
    port: config.port,
    venue,
    replay,
    pingIntervalMs: config.pingIntervalMs,
    pongTimeoutMs: config.pongTimeoutMs,
    restHooks: hooks.restHooks,
    wsHooks: hooks.wsHooks,
    ...(usdmVenue && { usdm: { venue: usdmVenue, listenKeyValidityMs: config.usdm.listenKeyValidityMs } }),
    ...(logger && { logger }),
  });
  const usdmServer = server.usdm;
  if (usdmServer) hooks.faults.setListenKeyControl({ expire: (accountId) => usdmServer.expireListenKey(accountId) });
  if (config.startAt === 'books') replayUntilBooksSynced(replay);
  replay.start();
  const first = config.accounts[0];
  if (!first) throw new Error('at least one account is required');
  const description: SimulatorDescription = {
    http: server.httpUrl,
    ws: server.wsUrl,
    apiKey: first.apiKey,
    secret: first.secret,
    ccxt: ccxtOptions(server.httpUrl, server.wsUrl, first.apiKey, first.secret, { linear: usdmVenue !== undefined }),
  };
  const control: SimulatorHandle = {
    config,
    replay,
    venue,
    groundTruth: () => venue.groundTruth(),
    pause: () => replay.pause(),
    resume: () => replay.resume(),
    step: (opts) => replay.step(opts),
    advanceTo: (t) => replay.advanceTo(t),
    setClock: (m) => replay.setClock(m),
    stats: () => replay.stats(),
    serverTimings: () => server.timings(),
    resetServerTimings: () => server.resetTimings(),
    userStreamSubscribers: () => server.userStreamSubscribers(),
    adjustBalance: (a, asset, d) => venue.adjustBalance(a, asset, d),
    faults: hooks.faults,
    rateLimits: hooks.rateLimits,
    usdm: usdmVenue && server.usdm ? usdmHandle(usdmVenue, server.usdm) : undefined,
  };
  let closed = false;
  return {
    description,
    control,
    async close() {
      if (closed) return;
      closed = true;
      hooks.close();
      replay.stop();
      venue.close();
      usdmVenue?.close();
      await server.close();
    },
  };
}

/**
 * Applies the replay's events, one at a time and before its clock starts, until every instrument's book is synced,
 * or the first pass of the data ends (a recording without a depth snapshot never builds its book; a looping replay
 * would go on for ever). Listeners see the events as usual.
 */
function replayUntilBooksSynced(replay: Replay): void {
  const synced = (): boolean => replay.instruments.every((i) => replay.book(i.market, i.symbol)?.synced === true);
  while (!synced() && replay.stats().loops === 0) if (replay.step({ events: 1 }) === 0) return;
}
