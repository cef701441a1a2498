/**
 * What the engine offers its ingress (the local socket, the CLI through it):
 * the contract between `src/ingress/` and `src/engine/`.
 *
 * Every method that can fail throws {@link EngineError} with a stable `code`;
 * the socket layer turns it into `{"ok": false, "error": {code, message, issues}}`.
 */
import type { Observable } from 'rxjs';
import type { Fill } from '../domain/order.ts';
import type { SignalRequest } from '../domain/signal.ts';

/** Stable error codes of the engine API. */
export type EngineErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'not_ready'
  | 'unknown_venue'
  | 'unknown_instrument'
  | 'denied'
  | 'conflict'
  | 'internal';

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  /** zod-style issues: where and what was wrong. */
  readonly issues: ReadonlyArray<{ path: ReadonlyArray<string | number>; message: string }>;
  constructor(code: EngineErrorCode, message: string, issues: ReadonlyArray<{ path: ReadonlyArray<string | number>; message: string }> = []) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.issues = issues;
  }
}

/** The answer to a signal: the order it placed (or placed the first time, for a repeated signal id). */
export interface SignalResult {
  readonly signalId: string;
  readonly clientOrderId: string;
  /** State of the order when the answer was written (after its intent was committed). */
  readonly state: string;
  /** True when the signal id had been seen: nothing new was placed. */
  readonly duplicate: boolean;
}

/** One state change of an order. `at`: ms since epoch. */
export interface TransitionView {
  readonly from: string;
  readonly to: string;
  readonly event: string;
  readonly at: number;
}

/** An order as the engine knows it. Decimals as strings; base/quote as in the instrument. */
export interface OrderView {
  readonly clientOrderId: string;
  readonly venueOrderId: string | null;
  readonly signalId: string;
  readonly venue: string;
  readonly instrument: string;
  readonly side: 'buy' | 'sell';
  readonly type: string;
  readonly timeInForce: string | null;
  readonly quantity: string | null;
  readonly quoteQuantity: string | null;
  readonly price: string | null;
  readonly state: string;
  /** How it ended (filled, cancelled, expired, rejected, denied), once known. */
  readonly outcome: string | null;
  /** Why it was denied or rejected: reason code, the venue's error code and message when there is one. */
  readonly reason: string | null;
  /** Base currency. */
  readonly filledQuantity: string;
  /** Quote per base; null before the first fill. */
  readonly averagePrice: string | null;
  /** Fees by currency. */
  readonly fees: Readonly<Record<string, string>>;
  readonly fills: ReadonlyArray<Fill>;
  readonly transitions: ReadonlyArray<TransitionView>;
  /** What the venue reported that should not happen (`overfill`, `vanished_at_venue`), oldest first; `at` ms since epoch. */
  readonly anomalies: ReadonlyArray<{ readonly code: string; readonly at: number; readonly detail: string }>;
  /** False once archived (final: kept for queries, not live). */
  readonly live: boolean;
  /** ms since epoch. */
  readonly createdAt: number;
}

export interface OrdersQuery {
  readonly states?: ReadonlyArray<string>;
  readonly instrument?: string;
  /** Opaque cursor from a previous page (of a listing in the same direction). */
  readonly cursor?: string;
  /** Newest first instead of oldest first (the order in which the engine first recorded each order). */
  readonly newestFirst?: boolean;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export interface OrdersPage {
  readonly orders: ReadonlyArray<OrderView>;
  /** Present when more orders follow. */
  readonly nextCursor?: string;
}

export interface EngineStatus {
  readonly state: 'starting' | 'reconciling' | 'running' | 'draining' | 'stopped';
  readonly venues: ReadonlyArray<{ readonly id: string; readonly connected: boolean; readonly streams: Readonly<Record<string, 'up' | 'down'>> }>;
  /**
   * `live`: orders not yet final; `running`: those whose actor is in memory now (the others are
   * passivated or not yet restored since start-up: their actor is restored on their next event);
   * `byState`: live orders per state.
   */
  readonly orders: { readonly live: number; readonly running: number; readonly byState: Readonly<Record<string, number>> };
  readonly inspector: { readonly enabled: boolean; readonly url?: string };
  /** Last journal sequence number. */
  readonly journalSeq: number;
  readonly uptimeMs: number;
}

/** What `subscribe` streams: every order transition and every fill. */
export type EngineEvent =
  | ({ readonly type: 'transition'; readonly clientOrderId: string; readonly seq: number } & TransitionView)
  | { readonly type: 'fill'; readonly clientOrderId: string; readonly fill: Fill };

export interface EngineApi {
  /** Places (or, for a repeated signal id, looks up) the order; resolves after its intent is committed. */
  signal(req: SignalRequest): Promise<SignalResult>;
  /** Requests cancellation; resolves with the order after the PENDING_CANCEL transition is committed. @throws EngineError not_found, conflict (already final). */
  cancel(clientOrderId: string): Promise<OrderView>;
  /** @throws EngineError not_found. */
  order(clientOrderId: string): Promise<OrderView>;
  orders(query: OrdersQuery): Promise<OrdersPage>;
  status(): EngineStatus;
  /** Hot stream of engine events, from the moment of subscription. */
  events(): Observable<EngineEvent>;
  /** Switches the Stately inspector on or off; returns where a browser opens it. */
  setInspector(enabled: boolean): Promise<{ enabled: boolean; url?: string }>;
}
