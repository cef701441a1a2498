/**
 * Server-side keep-alive of every websocket (streams and WebSocket API),
 * Binance "General WSS information": the server sends a ping frame every
 * `pingIntervalMs` (Binance: 20 s) and disconnects a connection that has not
 * answered a ping with a pong within `pongTimeoutMs` (Binance: 1 min).
 * Unsolicited pongs do not count: only a pong received after a ping clears it.
 * Client pings are answered by the `ws` library itself.
 *
 * One sweep timer serves all connections (unref'd: it never keeps the process alive).
 */
import type { WebSocket } from 'ws';

interface Liveness {
  lastPingAt: number;
  /** Time of the oldest ping not yet followed by a pong. */
  unansweredSince: number | undefined;
}

export interface HeartbeatOptions {
  /** ms between server pings. */
  readonly pingIntervalMs: number;
  /** ms a ping may stay unanswered before the connection is terminated. */
  readonly pongTimeoutMs: number;
  /** Clock, ms (injectable for tests). */
  readonly now?: () => number;
}

/** Pings every tracked socket and terminates the unresponsive ones. */
export class Heartbeat {
  private readonly conns = new Map<WebSocket, Liveness>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: HeartbeatOptions) {
    if (!(opts.pingIntervalMs > 0) || !(opts.pongTimeoutMs > 0)) throw new RangeError('pingIntervalMs and pongTimeoutMs must be positive');
    this.now = opts.now ?? Date.now;
  }

  /** Starts the sweep timer. */
  start(): void {
    if (this.timer) return;
    const period = Math.max(5, Math.min(this.opts.pingIntervalMs, this.opts.pongTimeoutMs) / 4);
    this.timer = setInterval(() => this.sweep(), period);
    this.timer.unref();
  }

  /** Stops the sweep timer and forgets every connection. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.conns.clear();
  }

  /** Watches `ws` until it closes. */
  track(ws: WebSocket): void {
    const state: Liveness = { lastPingAt: this.now(), unansweredSince: undefined };
    this.conns.set(ws, state);
    ws.on('pong', () => {
      state.unansweredSince = undefined;
    });
    ws.on('close', () => this.conns.delete(ws));
  }

  /** One pass: terminate overdue connections, ping those due. */
  sweep(): void {
    const now = this.now();
    for (const [ws, s] of this.conns) {
      if (s.unansweredSince !== undefined && now - s.unansweredSince >= this.opts.pongTimeoutMs) {
        this.conns.delete(ws);
        ws.terminate();
        continue;
      }
      if (now - s.lastPingAt >= this.opts.pingIntervalMs) {
        s.lastPingAt = now;
        s.unansweredSince ??= now;
        try {
          ws.ping();
        } catch {
          // socket not open (closing): its 'close' will untrack it
        }
      }
    }
  }
}
