/**
 * What the engine needs from one venue account: the port that `src/venue/`
 * (the ccxt adapter) fills. Every outcome is a value, never a thrown ccxt
 * error: `rejected` means the venue definitely refused, `unknown` means the
 * request may or may not have taken effect (a timeout, a dropped connection).
 */
import type { Observable } from 'rxjs';
import type { Fill, OrderIntent, VenueOrderUpdate } from '../domain/order.ts';

export type SubmitOutcome =
  | { readonly kind: 'ok'; readonly update: VenueOrderUpdate; readonly fills: ReadonlyArray<Fill> }
  | { readonly kind: 'rejected'; readonly reason: string; readonly venueCode?: number; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

export type CancelOutcome =
  | { readonly kind: 'ok'; readonly update: VenueOrderUpdate }
  /** `unknown_order`: the venue has no open order by that id (Binance -2011: also for filled or closed orders). */
  | { readonly kind: 'rejected'; readonly reason: 'unknown_order' | 'other'; readonly venueCode?: number; readonly message: string }
  | { readonly kind: 'unknown'; readonly message: string };

export type OpenOrdersOutcome =
  | { readonly kind: 'ok'; readonly orders: ReadonlyArray<VenueOrderUpdate> }
  | { readonly kind: 'unknown'; readonly message: string };

export type LookupOutcome =
  | { readonly kind: 'found'; readonly update: VenueOrderUpdate; readonly fills: ReadonlyArray<Fill> }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'unknown'; readonly message: string };

/** Trading rules of one instrument, decimal strings (quote per base for prices, base for quantities). */
export interface InstrumentLimits {
  readonly symbol: string;
  readonly tickSize: string | null;
  readonly stepSize: string | null;
  readonly minQty: string | null;
  readonly maxQty: string | null;
  /** Minimum notional, quote currency. */
  readonly minNotional: string | null;
}

export interface StreamState {
  readonly stream: string;
  readonly state: 'up' | 'down';
  readonly error?: string;
}

export interface VenuePort {
  /** The engine-level venue account id (`"paper"`, `"binance-main"`). */
  readonly id: string;
  /** Limits of an instrument (ccxt symbol), or undefined when the venue does not list it. */
  limits(symbol: string): InstrumentLimits | undefined;
  submit(intent: OrderIntent): Promise<SubmitOutcome>;
  cancel(clientOrderId: string, symbol: string): Promise<CancelOutcome>;
  /** The venue's view of one order by client order id, with all its fills. */
  lookup(clientOrderId: string, symbol: string): Promise<LookupOutcome>;
  /**
   * The account's open orders on one instrument (ccxt symbol), each as the venue's view of it
   * (status, cumulative executed quantity; no fills), in one request. Optional: without it, or
   * when it answers `unknown`, the engine looks each order up by itself.
   */
  openOrders?(symbol: string): Promise<OpenOrdersOutcome>;
  readonly orderUpdates$: Observable<VenueOrderUpdate>;
  readonly fills$: Observable<Fill>;
  readonly connectivity$: Observable<StreamState>;
  close(): Promise<void>;
}
