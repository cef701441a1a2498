/**
 * Turns whatever a ccxt call threw into a {@link VenueFailure}: `rejected`
 * (the venue — or ccxt before sending — definitely refused) or `unknown` (the
 * request may or may not have taken effect). Nothing the adapter returns is a
 * raw ccxt error.
 *
 * Sources:
 * - ccxt 4.5.84 exception hierarchy (`js/src/base/errorHierarchy.js`):
 *   `ExchangeError` (the exchange answered and refused: AuthenticationError ⊃
 *   PermissionDenied ⊃ AccountNotEnabled, AccountSuspended; ArgumentsRequired;
 *   BadRequest ⊃ BadSymbol; OperationRejected ⊃ MarketClosed…; InsufficientFunds;
 *   InvalidOrder ⊃ OrderNotFound, OrderImmediatelyFillable, DuplicateOrderId…;
 *   NotSupported; ExchangeClosedByUser) versus `OperationFailed` (NetworkError ⊃
 *   DDoSProtection, RateLimitExceeded, ExchangeNotAvailable ⊃ OnMaintenance,
 *   InvalidNonce, RequestTimeout; BadResponse ⊃ NullResponse; CancelPending).
 * - ccxt's `binance.handleErrors` (`js/src/binance.js`): HTTP 418/429 →
 *   DDoSProtection; a body containing `LOT_SIZE`/`PRICE_FILTER` → InvalidOrder;
 *   exact/broad `msg` matches (the message then carries no code); exact `code`
 *   matches; any other code → ExchangeError with `"binance " + body`.
 * - Binance spot error codes (developers.binance.com/docs/binance-spot-api-docs/errors):
 *   -1000 UNKNOWN, -1001 DISCONNECTED (internal error), -1006 UNEXPECTED_RESP and
 *   -1007 TIMEOUT ("execution status unknown"), -1008 SERVER_BUSY; -1013
 *   "The request is rejected by the API (didn't reach the Matching Engine)";
 *   -1021 INVALID_TIMESTAMP; -2010 NEW_ORDER_REJECTED; -2011 CANCEL_REJECTED;
 *   -2013 NO_SUCH_ORDER; -2015 REJECTED_MBX_KEY.
 * - ../shared/docs/ccxt-binance-wire.md §5: "a timed-out createOrder may still
 *   have reached the venue: its outcome is unknown, not failed".
 */
import { z } from 'zod';
import { ccxtErrors } from './ccxt-modules.ts';
import type { RejectReason, Rejected, Unknown, VenueFailure } from './types.ts';

/** ccxt's error classes, from ccxt's own module (`./ccxt-modules.ts`: not the whole package). */
const {
  AccountSuspended,
  ArgumentsRequired,
  AuthenticationError,
  BadRequest,
  BadSymbol,
  DuplicateOrderId,
  ExchangeClosedByUser,
  ExchangeError,
  InsufficientFunds,
  InvalidOrder,
  MarketClosed,
  NotSupported,
  OperationFailed,
  OrderImmediatelyFillable,
  OrderNotFound,
  PermissionDenied,
} = ccxtErrors;

// ---------------------------------------------------------------------------
// Binance error codes
// ---------------------------------------------------------------------------

/**
 * Codes recorded by the engine's ccxt subclass (`./binance-client.ts`) from the
 * response body, for errors whose ccxt message does not carry the body (ccxt
 * matched the `msg` text, e.g. InsufficientFunds).
 */
const recordedCodes = new WeakMap<object, number>();

/** Remembers Binance's code for `error` (called from `handleErrors`). */
export function recordVenueCode(error: unknown, code: number): void {
  if (typeof error === 'object' && error !== null) recordedCodes.set(error, code);
}

const BinanceErrorBody = z.object({ code: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number), msg: z.string().optional() });

/** Binance's `{code, msg}` from a parsed response body, when it is one. */
export function binanceErrorBody(response: unknown): { code: number; msg?: string } | undefined {
  const r = BinanceErrorBody.safeParse(response);
  return r.success ? r.data : undefined;
}

const EMBEDDED_JSON = /\{[^{}]*"code"\s*:\s*-?\d+[^{}]*\}/;

/**
 * Binance's numeric error code for a ccxt error: the one recorded from the
 * response body, else the `{"code":-2010,"msg":…}` JSON embedded in ccxt's
 * message (ccxt writes `"binance " + body`). `undefined` when neither exists
 * (transport errors, ccxt's local checks, `msg`-matched errors of a plain ccxt
 * exchange).
 */
export function venueCodeOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null) {
    const recorded = recordedCodes.get(error);
    if (recorded !== undefined) return recorded;
  }
  if (!(error instanceof Error)) return undefined;
  const m = EMBEDDED_JSON.exec(error.message);
  if (!m) return undefined;
  try {
    return binanceErrorBody(JSON.parse(m[0]))?.code;
  } catch {
    return undefined;
  }
}

/** Removes request signatures (and anything after `signature=` up to `&`) from messages: GET/DELETE URLs carry them. */
export function redact(message: string): string {
  return message.replace(/signature=[^&\s"]*/g, 'signature=<redacted>');
}

// ---------------------------------------------------------------------------
// Classification
// ---------------------------------------------------------------------------

/**
 * Binance codes whose meaning overrides ccxt's class (checked first):
 *
 * | code | outcome | why |
 * |---|---|---|
 * | -1000, -1001, -1006, -1007 | unknown | Binance: unknown/internal error, "execution status unknown" |
 * | -1008 | unknown | server overloaded; Binance does not say the request was not processed (ccxt: plain ExchangeError) |
 * | -1003, -1015 | unknown | rate limits (ccxt RateLimitExceeded): per the engine's rule, a rate-limited submit is resolved by query |
 * | -1013 | rejected `filter_failure` | "rejected by the API (didn't reach the Matching Engine)" (ccxt: BadRequest or InvalidOrder) |
 * | -1021 | rejected `timestamp_outside_recv_window` | refused before processing (ccxt: InvalidNonce, a NetworkError) |
 * | -2011, -2013 | rejected `unknown_order` | CANCEL_REJECTED "Unknown order sent." / NO_SUCH_ORDER (ccxt OrderNotFound) |
 * | -2015 | rejected `authentication` | "Invalid API-key, IP, or permissions" (ccxt maps it to DDoSProtection once the key has worked) |
 */
const CODE_RULES: ReadonlyMap<number, { kind: 'unknown' } | { kind: 'rejected'; reason: RejectReason }> = new Map([
  [-1000, { kind: 'unknown' }],
  [-1001, { kind: 'unknown' }],
  [-1006, { kind: 'unknown' }],
  [-1007, { kind: 'unknown' }],
  [-1008, { kind: 'unknown' }],
  [-1003, { kind: 'unknown' }],
  [-1015, { kind: 'unknown' }],
  [-1013, { kind: 'rejected', reason: 'filter_failure' }],
  [-1021, { kind: 'rejected', reason: 'timestamp_outside_recv_window' }],
  [-2011, { kind: 'rejected', reason: 'unknown_order' }],
  [-2013, { kind: 'rejected', reason: 'unknown_order' }],
  [-2015, { kind: 'rejected', reason: 'authentication' }],
]);

/**
 * ccxt classes, most specific first (an error is tested against each in
 * order; subclasses precede their parents).
 *
 * | ccxt class | outcome |
 * |---|---|
 * | OrderNotFound | rejected `unknown_order` |
 * | InsufficientFunds | rejected `insufficient_funds` |
 * | OrderImmediatelyFillable | rejected `would_match_immediately` |
 * | DuplicateOrderId | rejected `duplicate_order` |
 * | InvalidOrder (others) | rejected `invalid_order` (`duplicate_order` for Binance "Duplicate order sent.") |
 * | BadSymbol | rejected `bad_symbol` |
 * | BadRequest, ArgumentsRequired, NotSupported | rejected `bad_request` |
 * | AccountSuspended | rejected `account_suspended` |
 * | PermissionDenied | rejected `permission_denied` |
 * | AuthenticationError | rejected `authentication` |
 * | MarketClosed | rejected `market_closed` |
 * | ExchangeClosedByUser | unknown (the instance was closed under the call) |
 * | OperationRejected, ExchangeError (others) | rejected `venue_error` |
 * | NetworkError (RequestTimeout, ExchangeNotAvailable, OnMaintenance, DDoSProtection, RateLimitExceeded, InvalidNonce) | unknown |
 * | OperationFailed (BadResponse, NullResponse, CancelPending, others) | unknown |
 * | anything else (not a ccxt error: a bug, a parse failure of a success answer) | unknown |
 */
const CLASS_RULES: ReadonlyArray<readonly [new (message: string) => Error, RejectReason | 'unknown']> = [
  [OrderNotFound, 'unknown_order'],
  [InsufficientFunds, 'insufficient_funds'],
  [OrderImmediatelyFillable, 'would_match_immediately'],
  [DuplicateOrderId, 'duplicate_order'],
  [InvalidOrder, 'invalid_order'],
  [BadSymbol, 'bad_symbol'],
  [BadRequest, 'bad_request'],
  [ArgumentsRequired, 'bad_request'],
  [NotSupported, 'bad_request'],
  [AccountSuspended, 'account_suspended'],
  [PermissionDenied, 'permission_denied'],
  [AuthenticationError, 'authentication'],
  [MarketClosed, 'market_closed'],
  [ExchangeClosedByUser, 'unknown'],
  [ExchangeError, 'venue_error'],
  [OperationFailed, 'unknown'],
];

function errorClassName(error: unknown): string {
  if (error instanceof Error) return error.constructor.name || error.name;
  return typeof error;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}

/**
 * Classifies a failure of a ccxt call (see the two tables above: Binance code
 * rules first, then ccxt classes; anything unrecognised is `unknown`).
 *
 * @param error whatever the ccxt call threw (or rejected with)
 * @returns `rejected` with a {@link RejectReason} and Binance's code when
 *   known, or `unknown`. Never throws.
 */
export function classifyFailure(error: unknown): VenueFailure {
  const venueCode = venueCodeOf(error);
  const message = errorMessage(error);
  const errorClass = errorClassName(error);
  const withCode = venueCode === undefined ? {} : { venueCode };
  if (venueCode !== undefined) {
    const rule = CODE_RULES.get(venueCode);
    if (rule?.kind === 'unknown') return { kind: 'unknown', message, errorClass, ...withCode } satisfies Unknown;
    if (rule?.kind === 'rejected') return { kind: 'rejected', reason: rule.reason, message, errorClass, ...withCode } satisfies Rejected;
  }
  for (const [cls, outcome] of CLASS_RULES) {
    if (!(error instanceof cls)) continue;
    if (outcome === 'unknown') return { kind: 'unknown', message, errorClass, ...withCode };
    const reason = outcome === 'invalid_order' && /Duplicate order sent/i.test(message) ? 'duplicate_order' : outcome;
    return { kind: 'rejected', reason, message, errorClass, ...withCode };
  }
  return { kind: 'unknown', message, errorClass, ...withCode };
}

/** A refusal by the adapter itself (nothing was sent to the venue). */
export function adapterRejection(reason: RejectReason, message: string): Rejected {
  return { kind: 'rejected', reason, message: `adapter: ${message}`, errorClass: 'Adapter' };
}

/**
 * The venue answered a request with success but the answer could not be
 * parsed into the domain shape: what happened is unknown to the engine.
 */
export function unparseableSuccess(what: string, error: unknown): Unknown {
  return { kind: 'unknown', message: `adapter: ${what}: the venue's answer did not parse: ${errorMessage(error)}`, errorClass: 'ResponseParseError' };
}
