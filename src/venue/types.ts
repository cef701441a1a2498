/**
 * Shapes the venue adapter hands to the engine, beyond the shared order domain
 * (`src/domain/order.ts`): the three-way outcome of every REST call, balances,
 * quotes and stream connectivity.
 *
 * Conventions are those of `src/domain/order.ts`: amounts are decimal strings
 * taken from the venue's raw payload (never a JS float), times are integer ms
 * since the Unix epoch, symbols are ccxt unified symbols (`BTC/USDT`).
 */
import { z } from 'zod';
import { DecimalString, type Fill, InstrumentSymbol, SignedDecimalString, TimestampMs, type VenueOrderUpdate } from '../domain/order.ts';

// ---------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------

/**
 * Why the venue (or ccxt / the adapter, before anything was sent) definitely
 * refused a request. The full mapping from ccxt exception classes and Binance
 * error codes is documented on `classifyFailure` in `./errors.ts`.
 */
export const RejectReason = z.enum([
  /** Binance -2010 "Account has insufficient balance for requested action." (ccxt InsufficientFunds). */
  'insufficient_funds',
  /** Binance -1013 "Filter failure: …" (PRICE_FILTER, LOT_SIZE, NOTIONAL, PERCENT_PRICE_BY_SIDE, …). */
  'filter_failure',
  /** Any other refusal of the order itself (ccxt InvalidOrder), including ccxt's local checks. */
  'invalid_order',
  /** The adapter refused: ccxt would have rounded a decimal of the intent (stop price, quote quantity) to the market's precision. Nothing was sent. */
  'off_precision',
  /** Post-only / stop would trigger or match immediately (ccxt OrderImmediatelyFillable). */
  'would_match_immediately',
  /**
   * Binance -2010 "Duplicate order sent.": an order with this client order id is
   * already open at the venue. The order *exists*; query it by client order id.
   */
  'duplicate_order',
  /** Binance -2011 / -2013: no such order (ccxt OrderNotFound), e.g. a second cancel. */
  'unknown_order',
  /** Unknown instrument (ccxt BadSymbol, Binance -1121). */
  'bad_symbol',
  /** Malformed or unsupported request (ccxt BadRequest, ArgumentsRequired, NotSupported). */
  'bad_request',
  /** Bad API key or signature (ccxt AuthenticationError, Binance -1022, -2014, -2015). */
  'authentication',
  /** Key lacks the permission, symbol not permitted (ccxt PermissionDenied). */
  'permission_denied',
  /** Account disabled (ccxt AccountSuspended). */
  'account_suspended',
  /** Trading halted on the market (ccxt MarketClosed). */
  'market_closed',
  /** Binance -1021: request timestamp outside `recvWindow`; the request was not processed. */
  'timestamp_outside_recv_window',
  /** Any other definite venue refusal (ccxt ExchangeError / OperationRejected with a Binance code). */
  'venue_error',
]);
export type RejectReason = z.infer<typeof RejectReason>;

/** The request succeeded; `value` is its parsed result. */
export interface Ok<T> {
  readonly kind: 'ok';
  readonly value: T;
}

/**
 * The venue (or ccxt / the adapter before sending) definitely refused: for a
 * submit, the order does not exist (except `duplicate_order`, see
 * {@link RejectReason}); for a cancel, nothing was cancelled.
 */
export interface Rejected {
  readonly kind: 'rejected';
  readonly reason: RejectReason;
  /** Binance's numeric error code (`-2010`) when the venue sent one. */
  readonly venueCode?: number;
  /** Human-readable detail (ccxt's message; request signatures redacted). */
  readonly message: string;
  /** The ccxt exception class name (`InsufficientFunds`), or `Adapter` for the adapter's own refusals. */
  readonly errorClass: string;
}

/**
 * The outcome is not known: the request may or may not have taken effect at
 * the venue (timeout, dropped connection, venue-side "execution status
 * unknown", unparseable success response). A submit in this state must be
 * resolved by `fetchOrderByClientId` / the user-data stream, never retried
 * blindly and never treated as failed.
 */
export interface Unknown {
  readonly kind: 'unknown';
  readonly message: string;
  /** Binance's numeric error code when the venue sent one (`-1007`). */
  readonly venueCode?: number;
  /** The ccxt exception class name (`RequestTimeout`), or the JS error name. */
  readonly errorClass: string;
}

/** What every adapter REST call returns instead of throwing. */
export type VenueOutcome<T> = Ok<T> | Rejected | Unknown;

/** A failure outcome (`rejected` or `unknown`). */
export type VenueFailure = Rejected | Unknown;

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

/**
 * Result of a successful submit: the order's state in the venue's answer and
 * the trades it made while being placed (Binance `newOrderRespType=FULL`
 * `fills[]`, always taker fills, timed at the answer's `transactTime`).
 */
export interface PlacedOrder {
  readonly symbol: InstrumentSymbol;
  readonly update: VenueOrderUpdate;
  readonly fills: readonly Fill[];
}

/** An order as listed by `fetchOpenOrders`, with its instrument. */
export interface OrderSnapshot {
  readonly symbol: InstrumentSymbol;
  readonly update: VenueOrderUpdate;
}

/** One asset of an account: `free` (available) and `locked` (held by open orders), both in units of `asset`. */
export const AssetBalance = z.object({
  /** Venue asset code (`BTC`, `USDT`). */
  asset: z.string().min(1).max(32),
  free: DecimalString,
  locked: DecimalString,
});
export type AssetBalance = z.infer<typeof AssetBalance>;

/**
 * A balance event from the user-data stream.
 * - `position` (Binance `outboundAccountPosition`): **absolute** free/locked of
 *   the assets that changed, at `time`.
 * - `delta` (Binance `balanceUpdate`, deposits/withdrawals/transfers): a signed
 *   change of the free amount of one asset.
 */
export type BalanceEvent =
  | { readonly kind: 'position'; readonly time: TimestampMs; readonly balances: readonly AssetBalance[] }
  | { readonly kind: 'delta'; readonly time: TimestampMs; readonly asset: string; readonly delta: SignedDecimalString };

/**
 * Best bid/ask of one instrument (Binance `bookTicker`). Sizes in base
 * currency, prices in quote per base. A side with no order is `"0"`.
 * `receivedAt` is the local wall clock when the adapter read it (spot
 * `bookTicker` carries no event time); `updateId` is Binance's book update id.
 */
export interface Quote {
  readonly symbol: InstrumentSymbol;
  readonly bid: DecimalString;
  readonly bidSize: DecimalString;
  readonly ask: DecimalString;
  readonly askSize: DecimalString;
  readonly updateId: number | null;
  readonly receivedAt: TimestampMs;
}

// ---------------------------------------------------------------------------
// Streams
// ---------------------------------------------------------------------------

/** Names of the adapter's watch loops: `orders`, `fills`, `balances`, `quotes:<symbols>`. */
export type StreamName = 'orders' | 'fills' | 'balances' | `quotes:${string}`;

/**
 * A watch loop's connectivity changed.
 * - `up`: for the private streams (`orders`, `fills`, `balances`), the
 *   user-data subscription is confirmed by the venue — events from now on are
 *   delivered; for `quotes:*`, data arrived.
 * - `down`: the loop's watch failed (socket dropped, subscription refused…);
 *   events may be missed until the next `up`, after which the engine should
 *   reconcile over REST.
 */
export interface ConnectivityEvent {
  readonly stream: StreamName;
  readonly state: 'up' | 'down';
  /** The failure's message (request signatures redacted), on `down`. */
  readonly error?: string;
  /** Local wall clock, ms since epoch. */
  readonly at: number;
}

/** A venue payload the adapter could not parse into a domain shape; the item was skipped (reconcile over REST). */
export interface StreamAnomaly {
  readonly stream: StreamName;
  readonly message: string;
  readonly raw: unknown;
}
