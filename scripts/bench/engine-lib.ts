/**
 * Helpers of the engine benchmark (`scripts/bench/engine.ts`): statistics, a
 * quiet logger, the bench harness venue port (streams are Subjects the bench
 * drives; REST answers come from memory), realistic order-actor snapshots, and
 * child-process plumbing. Nothing here is used by the product.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { pino, type Logger } from 'pino';
import { Subject } from 'rxjs';
import { type Actor, createActor } from 'xstate';
import { type OrderEvent, orderMachine } from '../../machines/order.machine.ts';
import { clientOrderIdFor } from '../../src/domain/client-order-id.ts';
import type { Fill, OrderIntent, VenueOrderUpdate } from '../../src/domain/order.ts';
import type { CancelOutcome, InstrumentLimits, LookupOutcome, StreamState, SubmitOutcome, VenuePort } from '../../src/engine/venue-port.ts';

// ---------------------------------------------------------------------------
// Statistics and formatting
// ---------------------------------------------------------------------------

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? Number.NaN;
}

export function summary(samples: readonly number[]): { p50: number; p90: number; p99: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), n: s.length };
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const ms3 = (n: number): string => `${n.toFixed(3)} ms`;
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const verdict = (ok: boolean): string => (ok ? 'PASS' : 'MISS');

/** ms since an hrtime origin, as a float. */
export function since(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
export const sleep = (ms: number): Promise<void> => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `cond()` holds (checked every turn); throws naming `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await nextTurn();
  }
}

/** `p`, or a failure naming `what` after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** pino at `warn` on stderr: the bench's stdout stays the report. */
export function benchLogger(name: string): Logger {
  return pino({ name, level: process.env.BENCH_LOG_LEVEL ?? 'warn' }, pino.destination(2));
}

// ---------------------------------------------------------------------------
// The bench harness venue port
// ---------------------------------------------------------------------------

/** BTC/USDT as Binance lists it (exchangeInfo 2025-08-07): what `limits()` answers for every symbol. */
export const BTCUSDT_LIMITS: Omit<InstrumentLimits, 'symbol'> = {
  tickSize: '0.01000000',
  stepSize: '0.00001000',
  minQty: '0.00001000',
  maxQty: '9000.00000000',
  minNotional: '5.00000000',
};

/** The venue order id the harness gives a signal id `<prefix>-<n>`: 5,000,000 + n. */
export function venueOrderIdOf(signalId: string): string {
  const n = Number(signalId.slice(signalId.lastIndexOf('-') + 1));
  return String(5_000_000 + (Number.isSafeInteger(n) ? n : 0));
}

/**
 * A {@link VenuePort} for measuring the engine alone: `orderUpdates$` and
 * `fills$` are Subjects the bench pushes into; `submit` answers `ok` (order
 * open, nothing filled) and `cancel` answers `ok` (canceled) from memory, at
 * once; `lookup` answers `not_found`.
 */
export class HarnessPort implements VenuePort {
  readonly orderUpdates = new Subject<VenueOrderUpdate>();
  readonly fills = new Subject<Fill>();
  readonly connectivity = new Subject<StreamState>();
  readonly orderUpdates$ = this.orderUpdates.asObservable();
  readonly fills$ = this.fills.asObservable();
  readonly connectivity$ = this.connectivity.asObservable();
  submits = 0;
  /** Venue order id of every order it acknowledged: its look-ups find those (still open, unchanged). */
  private readonly acknowledged = new Map<string, string>();

  /**
   * @param known the venue order id of an order this port did not acknowledge itself but holds all the same
   *   (an order placed before a restart), or undefined
   */
  constructor(
    readonly id: string,
    private readonly known: (clientOrderId: string) => string | undefined = () => undefined,
  ) {}

  limits(symbol: string): InstrumentLimits | undefined {
    return { symbol, ...BTCUSDT_LIMITS };
  }

  async submit(intent: OrderIntent): Promise<SubmitOutcome> {
    this.submits++;
    const venueOrderId = venueOrderIdOf(intent.signalId);
    this.acknowledged.set(intent.clientOrderId, venueOrderId);
    return { kind: 'ok', update: openUpdate(intent.clientOrderId, venueOrderId, Date.now()), fills: [] };
  }

  async cancel(clientOrderId: string): Promise<CancelOutcome> {
    return {
      kind: 'ok',
      update: { clientOrderId, venueOrderId: '1', status: 'canceled', filledQuantity: '0', averagePrice: null, time: Date.now() },
    };
  }

  /** An order it holds: open, nothing executed, no fills (what the engine knows already); any other: not found. */
  async lookup(clientOrderId: string): Promise<LookupOutcome> {
    const venueOrderId = this.acknowledged.get(clientOrderId) ?? this.known(clientOrderId);
    if (venueOrderId === undefined) return { kind: 'not_found' };
    return { kind: 'found', update: openUpdate(clientOrderId, venueOrderId, Date.now()), fills: [] };
  }

  async close(): Promise<void> {
    this.orderUpdates.complete();
    this.fills.complete();
    this.connectivity.complete();
  }
}

export function openUpdate(clientOrderId: string, venueOrderId: string, time: number): VenueOrderUpdate {
  return { clientOrderId, venueOrderId, status: 'open', filledQuantity: '0', averagePrice: null, time };
}

// ---------------------------------------------------------------------------
// Realistic order snapshots (the real order machine)
// ---------------------------------------------------------------------------

/** The intent of bench order `i` (a limit buy of BTC/USDT), as the engine builds it from a signal. */
export function benchIntent(signalId: string, i: number, venue: string, createdAt: number): OrderIntent {
  return {
    clientOrderId: clientOrderIdFor(signalId, 'entry'),
    signalId,
    leg: 'entry',
    venue,
    accountId: venue,
    symbol: i % 2 === 0 ? 'BTC/USDT' : 'ETH/USDT',
    side: i % 3 === 0 ? 'sell' : 'buy',
    type: 'limit',
    timeInForce: 'GTC',
    quantity: i % 2 === 0 ? '0.00150000' : '0.02500000',
    price: i % 2 === 0 ? `${54_000 + (i % 997)}.25` : `${2_300 + (i % 89)}.17`,
    reduceOnly: false,
    createdAt,
  };
}

/**
 * Bench order `signalId` (the intent of {@link benchIntent}, created at `at`, ms) as a running order actor
 * that went RISK_APPROVED, SUBMIT and then the venue's acknowledgement (`ack`, open, nothing executed):
 * ACCEPTED. The caller stops the actor.
 */
export function acceptedOrder(signalId: string, i: number, venue: string, at: number): {
  actor: Actor<typeof orderMachine>;
  intent: OrderIntent;
  venueOrderId: string;
  ack: OrderEvent;
} {
  const intent = benchIntent(signalId, i, venue, at);
  const venueOrderId = venueOrderIdOf(signalId);
  const actor = createActor(orderMachine, { input: { intent } });
  actor.start();
  const ack: OrderEvent = { type: 'VENUE_UPDATE', at: at + 2, update: openUpdate(intent.clientOrderId, venueOrderId, at + 1) };
  actor.send({ type: 'RISK_APPROVED', at });
  actor.send({ type: 'SUBMIT', at });
  actor.send(ack);
  return { actor, intent, venueOrderId, ack };
}

/** A maker fill of the order at its limit price: `quantity` (base), fee `feeAmount` in `feeCurrency`, trade time `time` (ms). */
export function makerFill(intent: OrderIntent, venueOrderId: string, tradeId: string, quantity: string, feeAmount: string, feeCurrency: string, time: number): Fill {
  return { tradeId, venueOrderId, clientOrderId: intent.clientOrderId, price: intent.price ?? '1', quantity, feeAmount, feeCurrency, liquidity: 'maker', time };
}

/**
 * The persisted snapshot of a live order as the engine would have committed it:
 * RISK_APPROVED, SUBMIT, the venue's acknowledgement (ACCEPTED), and for one
 * order in four a partial maker fill (PARTIAL). Returns what the engine's last
 * commit of that order would hold.
 */
export function liveOrderRecord(i: number, venue: string, t0: number): {
  clientOrderId: string;
  snapshot: unknown;
  lastEvent: OrderEvent;
  from: string;
  to: string;
  venueOrderId: string;
  symbol: string;
} {
  const at = t0 + i;
  const { actor, intent, venueOrderId, ack } = acceptedOrder(`rehydrate-${i}`, i, venue, at);
  let from = 'SUBMITTED';
  let last = ack;
  if (i % 4 === 3) {
    const qty = i % 2 === 0 ? '0.00050000' : '0.01000000';
    const fee = intent.side === 'buy' ? (i % 2 === 0 ? ['0.0000005', 'BTC'] : ['0.00001', 'ETH']) : ['0.027', 'USDT'];
    from = actor.getSnapshot().value;
    last = { type: 'FILL', at: at + 40, fill: makerFill(intent, venueOrderId, String(80_000_000 + i), qty, fee[0] ?? '', fee[1] ?? '', at + 39) };
    actor.send(last);
  }
  const to = actor.getSnapshot().value;
  const snapshot = actor.getPersistedSnapshot();
  actor.stop();
  return { clientOrderId: intent.clientOrderId, snapshot, lastEvent: last, from, to, venueOrderId, symbol: intent.symbol.replace('/', '') };
}

// ---------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------

/** A child that speaks JSON lines on stdout (one object per line) and takes JSON commands on stdin. */
export interface JsonChild {
  readonly proc: ChildProcess;
  /** The next JSON line the child prints. */
  next(): Promise<Record<string, unknown>>;
  send(cmd: Record<string, unknown>): void;
  /** Sends a command and resolves with the next line. */
  ask(cmd: Record<string, unknown>): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** Spawns `node [nodeArgs] --import tsx <script> [args]` (without tsx for a compiled `.mjs`) with JSON-line stdout. */
export function spawnJsonChild(script: string, args: readonly string[], nodeArgs: readonly string[] = [], plainNode = false, env: NodeJS.ProcessEnv = process.env): JsonChild {
  const proc = spawn(process.execPath, [...nodeArgs, ...(plainNode ? [] : ['--import', 'tsx']), script, ...args], { stdio: ['pipe', 'pipe', 'inherit'], env });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ resolve(v: Record<string, unknown>): void; reject(e: Error): void }> = [];
  let ended = false;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  if (!proc.stdout) throw new Error('child without stdout');
  const rl = createInterface({ input: proc.stdout });
  rl.on('line', (line) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      process.stderr.write(`[child ${script}] ${line}\n`);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const w = waiters.shift();
    if (w) w.resolve(value as Record<string, unknown>);
    else lines.push(value as Record<string, unknown>);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiters.splice(0)) w.reject(new Error(`child ${script} ${args.join(' ')} ended without answering`));
  });
  const next = (): Promise<Record<string, unknown>> => {
    const line = lines.shift();
    if (line) return Promise.resolve(line);
    if (ended) return Promise.reject(new Error(`child ${script} ${args.join(' ')} ended without answering`));
    return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
  };
  const send = (cmd: Record<string, unknown>): void => {
    proc.stdin?.write(`${JSON.stringify(cmd)}\n`);
  };
  return {
    proc,
    next,
    send,
    ask: (cmd) => {
      const p = next();
      send(cmd);
      return p;
    },
    exited,
  };
}
