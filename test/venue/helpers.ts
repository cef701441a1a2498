/**
 * Test helpers for the venue adapter: the embedded simulator, waits with
 * deadlines, and two transport-level faults (no venue fakes): a TCP relay whose
 * connections the test can cut, and an HTTP relay that forwards one kind of
 * request to the venue but never answers it.
 */
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, type Socket, connect, createServer as createTcpServer } from 'node:net';
import { type Observable, ReplaySubject, type Subscription, filter, firstValueFrom, throwError, timeout } from 'rxjs';
import { clientOrderIdFor } from '../../src/domain/client-order-id.ts';
import { OrderIntent, type OrderIntentInput } from '../../src/domain/order.ts';
import { type RunningSimulator, startSimulator } from '../../src/sim/index.ts';
import { type VenueAccountConfigInput, type VenueExchange, createExchange } from '../../src/venue/exchange.ts';
import type { VenueOutcome } from '../../src/venue/types.ts';

export const SYMBOL = 'BTC/USDT';
export const ACCOUNT_ID = 'paper';

/** The simulator, stepped, its book warmed by one minute of recorded data. */
export async function startWarmSimulator(): Promise<RunningSimulator> {
  const sim = await startSimulator({ clock: { kind: 'stepped' }, atEnd: 'stop', pingIntervalMs: 60_000 });
  sim.control.step({ ms: 60_000 });
  return sim;
}

/** The adapter's account configuration for the simulator's first account, over `http`/`ws` (the simulator's own by default). */
export function simAccount(sim: RunningSimulator, over: Partial<VenueAccountConfigInput> = {}): VenueAccountConfigInput {
  return {
    id: ACCOUNT_ID,
    exchange: 'binance',
    apiKey: sim.description.apiKey,
    secret: sim.description.secret,
    urls: { http: sim.description.http, ws: sim.description.ws },
    enableRateLimit: false,
    timeoutMs: 5_000,
    ...over,
  };
}

export async function simExchange(sim: RunningSimulator, over: Partial<VenueAccountConfigInput> = {}): Promise<VenueExchange> {
  return createExchange(simAccount(sim, over));
}

/**
 * An intent builder for one test file: each call is a new entry intent (fresh signal id
 * `<prefix>-<pid>-<n>`, its client order id) for the test account on {@link SYMBOL},
 * a market buy of 0.01 unless `over` says otherwise.
 */
export function intentsFor(prefix: string): (over: Partial<OrderIntentInput>) => OrderIntent {
  let seq = 0;
  return (over) => {
    const signalId = `${prefix}-${process.pid}-${++seq}`;
    return OrderIntent.parse({
      clientOrderId: clientOrderIdFor(signalId, 'entry'),
      signalId,
      leg: 'entry',
      venue: 'binance-sim',
      accountId: ACCOUNT_ID,
      symbol: SYMBOL,
      side: 'buy',
      type: 'market',
      quantity: '0.01',
      createdAt: Date.now(),
      ...over,
    });
  };
}

/** The value of an `ok` outcome; fails the test on any other outcome. */
export function expectOk<T>(outcome: VenueOutcome<T>): T {
  if (outcome.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

/** The first value of `source` satisfying `pred`, or a failure naming `what` after `ms`. */
export function waitFor<T>(source: Observable<T>, pred: (v: T) => boolean, what: string, ms = 5_000): Promise<T> {
  return firstValueFrom(
    source.pipe(
      filter(pred),
      timeout({ first: ms, with: () => throwError(() => new Error(`timed out after ${ms} ms waiting for ${what}`)) }),
    ),
  );
}

/** Resolves once `cond()` holds, checking on every event-loop turn; fails naming `what` after `ms`. */
export async function until(cond: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Lets every queued microtask run (one macrotask turn). */
export function drainMicrotasks(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/** Subscribes now and keeps every value, so that a later wait also sees what came before it. */
export function record<T>(source: Observable<T>): { readonly values: T[]; readonly replay: Observable<T>; readonly subscription: Subscription } {
  const values: T[] = [];
  const subject = new ReplaySubject<T>();
  const subscription = source.subscribe({
    next: (v) => {
      values.push(v);
      subject.next(v);
    },
    error: (e: unknown) => subject.error(e),
    complete: () => subject.complete(),
  });
  return { values, replay: subject.asObservable(), subscription };
}

/** Best bid of the simulator's BTCUSDT book (decimal string). */
export function bestBid(sim: RunningSimulator): string {
  const bid = sim.control.replay.book('spot', 'BTCUSDT')?.bestBid();
  if (!bid) throw new Error('no BTCUSDT bid');
  return bid.price;
}

/** The venue's ground-truth order with this client order id. */
export function truthOrder(sim: RunningSimulator, clientOrderId: string): Record<string, unknown> | undefined {
  return sim.control.groundTruth().orders.find((o) => o['clientOrderId'] === clientOrderId);
}

/** The venue's ground-truth trades of an order id (Binance myTrades shapes, decimal strings). */
export function truthTrades(sim: RunningSimulator, orderId: string): Array<Record<string, unknown>> {
  return sim.control.groundTruth().trades.filter((t) => String(t['orderId']) === orderId);
}

// ---------------------------------------------------------------------------
// Transport faults
// ---------------------------------------------------------------------------

export interface TcpRelay {
  readonly port: number;
  /** Connections relayed so far. */
  accepted(): number;
  /** Destroys every relayed connection (both sides): the client sees its socket drop. */
  dropAll(): void;
  close(): Promise<void>;
}

/** A TCP relay on 127.0.0.1 to `targetPort`. */
export async function startTcpRelay(targetPort: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer((client) => {
    accepted++;
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    dropAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface HttpRelay {
  readonly url: string;
  /** Requests forwarded to the venue whose answers were withheld. */
  held(): number;
  close(): Promise<void>;
}

/**
 * An HTTP relay on 127.0.0.1 to `target` that forwards every request, and
 * returns every answer except those of requests matching `withhold`: those
 * reach the venue, but the client never hears back.
 */
export async function startHttpRelay(target: string, withhold: (req: IncomingMessage) => boolean): Promise<HttpRelay> {
  const heldResponses: ServerResponse[] = [];
  const server = createHttpServer((req, res) => {
    const upstream = httpRequest(`${target}${req.url ?? '/'}`, { method: req.method, headers: req.headers }, (answer) => {
      if (withhold(req)) {
        heldResponses.push(res);
        answer.resume();
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held: () => heldResponses.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
