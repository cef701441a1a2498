/** Test helpers: a server on fakes, event waits with deadlines, a raw websocket probe. */
import ccxt from 'ccxt';
import { WebSocket } from 'ws';
import { ccxtOptions, type RunningServer, startServer } from '../../../src/sim/server/index.ts';
import { ACCOUNT, FakeReplay, FakeVenue } from './fakes.ts';

export interface Harness {
  readonly server: RunningServer;
  readonly replay: FakeReplay;
  readonly venue: FakeVenue;
}

export async function startHarness(opts: { pingIntervalMs?: number; pongTimeoutMs?: number } = {}): Promise<Harness> {
  const replay = new FakeReplay();
  const venue = new FakeVenue(replay);
  const server = await startServer({ host: '127.0.0.1', port: 0, venue, replay, ...opts });
  return { server, replay, venue };
}

/** A ccxt pro client pointed at the harness (ccxt throttle off, its HTTP agent loaded for ws://). */
export async function proClient(server: RunningServer, overrides: { apiKey?: string; secret?: string } = {}) {
  const opts = ccxtOptions(server.httpUrl, server.wsUrl, overrides.apiKey ?? ACCOUNT.apiKey, overrides.secret ?? ACCOUNT.secret);
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

/**
 * Awaits `p` while calling `produce` every `everyMs` (a market-data source: the subscription
 * becomes live at some point, the producer keeps the stream flowing until then), within `ms`.
 */
export async function whileProducing<T>(p: Promise<T>, produce: () => void, what: string, ms = 5000, everyMs = 20): Promise<T> {
  const timer = setInterval(produce, everyMs);
  try {
    return await deadline(p, ms, what);
  } finally {
    clearInterval(timer);
  }
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

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}
