/**
 * End-to-end harness: the simulator runs in the test process (so the test can
 * move its clock and read its ground truth while the daemon is down); the
 * daemon runs as a real child process (`node --import tsx src/cli/daemon.ts`)
 * pointed at it through the environment, with its own LMDB data directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Client, connect } from '../../src/cli/client.ts';
import type { OrderView } from '../../src/engine/api.ts';
import { REPO_ROOT } from '../../src/sim/config.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/index.ts';

export const VENUE_ID = 'paper';
export const ACCOUNT = 'paper';

/** The simulator on a stepped clock, warmed by a minute of recorded data. */
export async function startVenue(): Promise<RunningSimulator> {
  const sim = await startSimulator({
    clock: { kind: 'stepped' },
    atEnd: 'stop',
    accounts: [{ id: ACCOUNT, apiKey: 'e2e-key', secret: 'e2e-secret-0123456789abcdef', balances: { USDT: '2000000', BTC: '20', ETH: '100' } }],
  });
  sim.control.step({ ms: 60_000 });
  return sim;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface DaemonProcess {
  readonly proc: ChildProcess;
  readonly socketPath: string;
  /** Every stdout/stderr line so far (pino JSON). */
  readonly logs: string[];
  /** SIGKILL, resolves once the process has exited. */
  kill9(): Promise<void>;
  /** SIGTERM (drain), resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Daemon settings that keep the unknown-outcome paths short in tests. */
export const TEST_DAEMON_CONFIG = { submitTimeoutMs: 2_000, cancelTimeoutMs: 3_000, recvWindowMs: 2_000, reconcileIntervalMs: 1_500, logLevel: 'info' };

/**
 * Spawns the daemon on `dataDir` against the simulator (`'embedded'`: its own, as `npm start` runs it)
 * and resolves once it logs "engine daemon ready" (deadline 60 s).
 */
export async function spawnDaemon(
  dataDir: string,
  sim: RunningSimulator | 'embedded',
  config: Record<string, unknown> = TEST_DAEMON_CONFIG,
): Promise<DaemonProcess> {
  const configPath = join(dataDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config));
  const { ENGINE_VENUE_HTTP: _h, ENGINE_VENUE_WS: _w, ENGINE_API_KEY: _k, ENGINE_API_SECRET: _s, ENGINE_VENUE_ID: _i, ...inherited } = process.env;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/daemon.ts', '--data-dir', dataDir, '--config', configPath], {
    cwd: REPO_ROOT,
    env:
      sim === 'embedded'
        ? inherited
        : {
            ...inherited,
            ENGINE_VENUE_HTTP: sim.description.http,
            ENGINE_VENUE_WS: sim.description.ws,
            ENGINE_API_KEY: sim.description.apiKey,
            ENGINE_API_SECRET: sim.description.secret,
            ENGINE_VENUE_ID: VENUE_ID,
          },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon not ready within 60 s; logs:\n${logs.join('\n')}`)), 60_000);
    for (const stream of [proc.stdout, proc.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        logs.push(line);
        if (line.includes('"engine daemon ready"')) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before it was ready; logs:\n${logs.join('\n')}`));
    });
  });
  await ready;
  return {
    proc,
    socketPath: join(dataDir, 'engine.sock'),
    logs,
    async kill9() {
      proc.kill('SIGKILL');
      await exited;
    },
    async stop() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `cond` until it holds, failing after `ms` with `what` and the last value seen. */
export async function waitFor<T>(probe: () => Promise<T> | T, cond: (v: T) => boolean, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (cond(last)) return last;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function client(d: DaemonProcess): Promise<Client> {
  return connect(d.socketPath);
}

export function order(c: Client, clientOrderId: string): Promise<OrderView> {
  return c.request('order', { clientOrderId });
}

/** The venue's records of one client order id (every order the venue ever held with it). */
export function venueOrders(sim: RunningSimulator, clientOrderId: string) {
  return sim.control.groundTruth().orders.filter((o) => o.clientOrderId === clientOrderId);
}

/** The venue's fills of one venue order id. */
export function venueTrades(sim: RunningSimulator, orderId: number) {
  return sim.control.groundTruth().trades.filter((t) => t.orderId === orderId);
}
