/**
 * `npm start [-- options]`: the engine daemon.
 *
 * Starts (in order) the venue accounts — by default the embedded simulator in
 * paper mode — the LMDB store in `--data-dir`, the engine (rehydrate, reconcile),
 * then the local socket `<data-dir>/engine.sock`. SIGINT/SIGTERM drain: the
 * socket stops taking requests, commits and venue calls under way finish, the
 * store is flushed and closed.
 *
 * Logs: pino JSON on stdout, API keys and secrets redacted.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { pino } from 'pino';
import { Engine } from '../engine/engine.ts';
import { Inspector } from '../engine/inspector.ts';
import type { VenuePort } from '../engine/venue-port.ts';
import { startSocketServer } from '../ingress/server.ts';
import { type RunningSimulator, startSimulator } from '../sim/index.ts';
import { OrderStore } from '../store/index.ts';
import { createVenuePort } from '../venue/port.ts';
import { type DaemonConfig, loadDaemonConfig } from './daemon-config.ts';
import { lockDataDir } from './data-dir-lock.ts';

const program = new Command('daemon')
  .description('actor-model trade-execution engine daemon')
  .option('--data-dir <dir>', 'LMDB files and the socket engine.sock (env ENGINE_DATA_DIR; default ./data)')
  .option('--config <file>', 'JSON configuration file (env ENGINE_CONFIG)')
  .option('--inspect', 'attach the Stately inspector (bound to 127.0.0.1) from the start')
  .option('--log-level <level>', 'pino log level');
program.parse();
const flags = program.opts<{ dataDir?: string; config?: string; inspect?: boolean; logLevel?: string }>();

let config: DaemonConfig;
try {
  config = loadDaemonConfig({
    env: process.env,
    ...(flags.config !== undefined && { file: flags.config }),
    ...(flags.dataDir !== undefined && { dataDir: flags.dataDir }),
    ...(flags.inspect !== undefined && { inspect: flags.inspect }),
  });
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}

const logger = pino({
  name: 'engine',
  level: flags.logLevel ?? config.logLevel,
  redact: { paths: ['apiKey', 'secret', '*.apiKey', '*.secret', '*.*.apiKey', '*.*.secret', 'ccxt.apiKey', 'ccxt.secret'], censor: '[redacted]' },
});

const dataDir = resolve(config.dataDir);
mkdirSync(dataDir, { recursive: true, mode: 0o700 });
const socketPath = resolve(config.socketPath ?? join(dataDir, 'engine.sock'));

const sims: RunningSimulator[] = [];
const ports: VenuePort[] = [];
let store: OrderStore | undefined;
let engine: Engine | undefined;
let socket: Awaited<ReturnType<typeof startSocketServer>> | undefined;
let unlockDataDir: (() => void) | undefined;

async function main(): Promise<void> {
  // Before anything opens the store or acts at a venue: one daemon per data directory.
  unlockDataDir = lockDataDir(dataDir);
  for (const v of config.venues) {
    if (v.kind === 'sim') {
      // The embedded venue keeps nothing across runs: its order and trade ids start from the clock (µs since the epoch),
      // past any id an earlier run gave, so that no venue order id or trade id of this data directory is given twice;
      // its replay starts once its books are built, so that an order sent right after start meets a book.
      const idsFrom = Date.now() * 1000;
      const sim = await startSimulator({ firstOrderId: idsFrom, firstTradeId: idsFrom, startAt: 'books', ...v.sim }, logger.child({ component: 'venue-sim', venue: v.id }));
      sims.push(sim);
      logger.info({ venue: v.id, http: sim.description.http, ws: sim.description.ws }, 'paper mode: embedded simulator replaying recorded Binance data');
      ports.push(
        await createVenuePort(
          {
            id: v.id,
            exchange: 'binance',
            apiKey: sim.description.apiKey,
            secret: sim.description.secret,
            ccxtOptions: withRecvWindow(sim.description.ccxt, config.recvWindowMs),
            enableRateLimit: false,
          },
          logger.child({ component: 'venue', venue: v.id }),
        ),
      );
    } else {
      const apiKey = process.env[v.apiKeyEnv];
      const secret = process.env[v.secretEnv];
      if (!apiKey || !secret) throw new Error(`venue ${v.id}: set ${v.apiKeyEnv} and ${v.secretEnv} in the environment`);
      ports.push(
        await createVenuePort(
          {
            id: v.id,
            exchange: 'binance',
            apiKey,
            secret,
            ...(v.urls && { urls: v.urls }),
            ccxtOptions: withRecvWindow({}, config.recvWindowMs),
            enableRateLimit: v.enableRateLimit,
            timeoutMs: v.timeoutMs,
          },
          logger.child({ component: 'venue', venue: v.id }),
        ),
      );
    }
  }
  store = await OrderStore.open(dataDir, { onProblem: (p) => logger.error({ problem: p }, 'unreadable record in the store') });
  const inspector = new Inspector({ port: config.inspector.port, logger: logger.child({ component: 'inspector' }) });
  engine = new Engine({
    store,
    venues: ports,
    logger: logger.child({ component: 'engine' }),
    risk: { maxOrderNotional: config.risk.maxOrderNotional },
    submitTimeoutMs: config.submitTimeoutMs,
    cancelTimeoutMs: config.cancelTimeoutMs,
    recvWindowMs: config.recvWindowMs,
    reconcileIntervalMs: config.reconcileIntervalMs,
    passivateAfterMs: config.passivateAfterMs,
    inspector,
  });
  if (config.inspector.enabled) await inspector.enable();
  const restored = await engine.start();
  socket = await startSocketServer({ path: socketPath, engine, logger: logger.child({ component: 'socket' }) });
  logger.info({ socket: socketPath, dataDir, ...restored }, 'engine daemon ready');
}

/** ccxt options with Binance's `recvWindow` set (ccxt sends it with every signed request). */
function withRecvWindow(ccxtOptions: Record<string, unknown>, recvWindowMs: number): Record<string, unknown> {
  const options = typeof ccxtOptions.options === 'object' && ccxtOptions.options !== null ? ccxtOptions.options : {};
  return { ...ccxtOptions, options: { ...options, recvWindow: recvWindowMs } };
}

let stopping = false;
async function shutdown(signal: string, exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'draining');
  try {
    await socket?.close();
    await engine?.stop();
    for (const p of ports) await p.close();
    await store?.close();
    for (const s of sims) await s.close();
    unlockDataDir?.();
    logger.info('stopped');
    logger.flush();
    process.exit(exitCode);
  } catch (err) {
    logger.error({ err }, 'error while draining');
    process.exit(1);
  }
}

// ccxt 4.5 rejects internal promises nobody awaits (a refused websocket subscription, a closed client):
// such a rejection is logged, never allowed to take the daemon down. The affected stream reports itself down.
process.on('unhandledRejection', (reason: unknown) => {
  logger.error({ err: reason }, 'unhandled promise rejection (ignored; the venue adapter retries)');
});

process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

main().catch(async (err: unknown) => {
  logger.fatal({ err }, err instanceof Error ? err.message : 'failed to start');
  await shutdown('startup-failure', 1).catch(() => undefined);
  process.exit(1);
});
